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
    let date = match &cmd {
        Command::AddWorkdays { date, .. } | Command::IsWorkday { date } => kernel::parse_date(date),
    };
    let date = match date {
        Ok(d) => d,
        Err(e) => {
            eprintln!("错误: DATE: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let out = match cmd {
        Command::AddWorkdays { n, .. } => ctx.calendar.add_workdays(date, n).map(|d| d.to_string()),
        Command::IsWorkday { .. } => ctx.calendar.is_workday(date).map(|w| if w { "yes" } else { "no" }.to_string()),
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
