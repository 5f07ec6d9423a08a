use std::process::ExitCode;

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Every parameter value with its period, citation and any reading.
    List {
        /// Only names starting with this prefix.
        #[arg(long)]
        prefix: Option<String>,
        #[arg(long, default_value = "table")]
        format: String,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::List { prefix, format } => {
            let all: Vec<_> = ctx.params.all().into_iter().filter(|p| prefix.as_deref().is_none_or(|x| p.name.starts_with(x))).collect();
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for p in all {
                    let reading = p.reading.as_deref().map(|r| format!("  [解读] {r}")).unwrap_or_default();
                    println!("{}\t{}\t{}\t{}{}", p.name, p.display_value(), p.period(), p.citation, reading);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
