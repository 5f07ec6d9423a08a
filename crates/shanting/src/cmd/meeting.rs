//! `shanting meeting …`: the housing provident fund joint meeting (山政办字〔2022〕19号).
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Decide a meeting: quorum, notice and each item's vote, as JSON on stdout.
    ///
    /// FILE.json (`-` for stdin): {"member_units": [...], "meeting_date": "YYYY-MM-DD",
    /// "materials_sent_on": "YYYY-MM-DD", "attendance": {"unit": "present|proxy|absent"},
    /// "items": [{"title": "...", "votes": {"unit": "for|against|abstain"}}]}.
    /// Exit 2 on invalid input, naming the field.
    Decide {
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
    },
}

fn invalid(what: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("错误: {what}");
    Ok(ExitCode::from(2))
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Decide { file } => {
            let text = if file.as_os_str() == "-" {
                let mut s = String::new();
                match std::io::stdin().read_to_string(&mut s) {
                    Ok(_) => s,
                    Err(e) => return invalid(format_args!("读取标准输入: {e}")),
                }
            } else {
                match std::fs::read_to_string(&file) {
                    Ok(s) => s,
                    Err(e) => return invalid(format_args!("读取 {}: {e}", file.display())),
                }
            };
            let req = match meeting::parse_request(&text) {
                Ok(r) => r,
                Err(e) => return invalid(e),
            };
            // The figures in force on the meeting day; before the notice there are none.
            let rules = match meeting::Rules::load(&ctx.params, req.meeting_date) {
                Ok(r) => r,
                Err(e @ meeting::RulesError::Param(kernel::ParamError::NoPeriod { .. })) => {
                    return invalid(format_args!("meeting_date: {e}"));
                }
                // A broken policy file is the installation's failure, not the input's.
                Err(e) => return Err(e.into()),
            };
            let decision = meeting::decide(&rules, &req);
            println!("{}", serde_json::to_string_pretty(&decision)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
