//! `shanting meeting …`: the housing provident fund joint meeting (山政办字〔2022〕19号).
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::{Ctx, invalid, parse_input, print_json};

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
    /// The issued minutes (会议纪要) of a stored meeting, as its page shows
    /// them: plain text on stdout, or HTML with --html; --out writes a file.
    /// Exit 2 when the meeting does not exist or its minutes are not issued.
    Minutes {
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
        /// The meeting's number, as in /meeting/N.
        #[arg(long)]
        id: i64,
        /// Write to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The printable HTML page instead of text.
        #[arg(long)]
        html: bool,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Minutes { db, id, out, html } => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(minutes(ctx, &db, id, out, html))
        }
        Command::Decide { file } => {
            let req = match parse_input(&file, meeting::parse_request) {
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
            print_json(&meeting::decide(&rules, &req))
        }
    }
}

/// Through the use case (the CLI holds no duty: it is trusted by running on the server).
async fn minutes(ctx: &Ctx, db: &str, id: i64, out: Option<PathBuf>, html: bool) -> anyhow::Result<ExitCode> {
    let store = store::Store::connect(db).await.with_context(|| format!("连接数据库 {db}"))?;
    let app = app::App::new(store, ctx.params.clone(), ctx.calendar.clone())?;
    let doc = match app::meeting::minutes_document(&app, id).await {
        Ok(d) => d,
        Err(e @ (app::Error::NotFound(_) | app::Error::Invalid { .. })) => return invalid(format_args!("--id {id}: {e}")),
        Err(app::Error::Internal(cause)) => return Err(anyhow::anyhow!(cause)),
        Err(e) => return Err(e.into()),
    };
    let text = if html { doc.minutes.html() } else { doc.minutes.text() };
    match out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("写入 {}", path.display()))?;
            eprintln!("{} → {}", doc.number, path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
