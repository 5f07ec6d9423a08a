use std::process::ExitCode;

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Print the date N working days after DATE.
    AddWorkdays { date: String, n: i64 },
    /// Print yes or no.
    IsWorkday { date: String },
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let parse = |s: &str| kernel::parse_date(s).map_err(|e| anyhow::anyhow!("DATE: {e}"));
    let out = match cmd {
        Command::AddWorkdays { date, n } => ctx.calendar.add_workdays(parse(&date)?, n).map(|d| d.to_string()),
        Command::IsWorkday { date } => ctx.calendar.is_workday(parse(&date)?).map(|w| if w { "yes" } else { "no" }.to_string()),
    };
    match out {
        Ok(s) => {
            println!("{s}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("错误: {e}");
            Ok(ExitCode::from(2))
        }
    }
}
