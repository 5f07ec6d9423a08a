//! `shanting emergency …`: the district general emergency plan (山政发〔2022〕8号).
use std::path::PathBuf;
use std::process::ExitCode;

use kernel::Date;

use super::{Ctx, invalid, parse_input, print_json};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Assess one information report: category, lead departments, command body,
    /// missing fields, suggested response level with who decides and leads it,
    /// reporting duties, and the explanation, as JSON on stdout.
    ///
    /// FILE.json (`-` for stdin): {"incident_type": "非煤矿山事故", "severity": "较大",
    /// "sensitive": false, "key_area_or_period": false, "may_escalate": false,
    /// "occurred_at": "2023-05-01T10:20:00+08:00", "place": …, "town": …, …}.
    /// Exit 2 on invalid input, naming the field.
    Assess {
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
    },
    /// Write one warning as an OASIS CAP 1.2 alert (XML on stdout).
    ///
    /// FILE.json (`-` for stdin): {"identifier", "sender", "sent", "msg_type":
    /// "Alert|Update|Cancel", "references": ["sender,identifier,sent"], "level": 1-4,
    /// "incident_type", "headline", "description", "instruction", "areas": […],
    /// "onset", "expires"}. Exit 2 on invalid input, naming the field.
    Cap {
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
    },
}

/// The plan as in force on `on`. A date before the plan is the input's fault
/// (named by `field`); a broken policy file is the installation's.
fn rules(ctx: &Ctx, on: Date, field: &str) -> anyhow::Result<Result<emergency::Rules, ExitCode>> {
    match emergency::Rules::load(&ctx.params, on) {
        Ok(r) => Ok(Ok(r)),
        Err(e @ emergency::RulesError::Param(kernel::ParamError::NoPeriod { .. })) => {
            Ok(Err(invalid(format_args!("{field}: {on} 时《山亭区突发事件总体应急预案》尚未施行（{e}）"))?))
        }
        Err(e) => Err(e.into()),
    }
}

/// Today in China Standard Time, for a report without a time of occurrence.
fn today() -> Date {
    emergency::OffsetTime::from_timestamp(jiff::Timestamp::now()).china_date()
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Assess { file } => {
            let report = match parse_input(&file, emergency::parse_report) {
                Ok(r) => r,
                Err(e) => return invalid(e),
            };
            // The rules in force when it happened; a report that does not say
            // when is assessed under today's.
            let on = report.content.occurred_at.as_ref().map(|t| t.china_date()).unwrap_or_else(today);
            let rules = match rules(ctx, on, "occurred_at")? {
                Ok(r) => r,
                Err(code) => return Ok(code),
            };
            print_json(&emergency::assess(&rules, &report))
        }
        Command::Cap { file } => {
            let warning = match parse_input(&file, emergency::parse_warning) {
                Ok(w) => w,
                Err(e) => return invalid(e),
            };
            let sent = match warning.sent.parse::<emergency::OffsetTime>() {
                Ok(t) => t,
                Err(m) => return invalid(format_args!("sent: {m}")),
            };
            let rules = match rules(ctx, sent.china_date(), "sent")? {
                Ok(r) => r,
                Err(code) => return Ok(code),
            };
            let district = district::District::load(&ctx.params)?;
            match emergency::to_cap_xml(&rules, &district, &warning) {
                Ok(xml) => {
                    print!("{xml}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => invalid(e),
            }
        }
    }
}
