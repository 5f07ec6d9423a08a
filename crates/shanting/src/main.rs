//! `shanting`: the one binary. Only CLI definition and glue live here; the
//! rules are in the domain crates, storage in `store`, pages in `web`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

// The CLI's batch jobs (100,000 applicants, a million residents) allocate
// and free many small values across threads; mimalloc does that markedly
// faster than the system allocator (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 山亭区数字政府平台 — Shanting District digital government platform.
#[derive(Parser)]
#[command(name = "shanting", version, about, long_about = None)]
pub struct Cli {
    /// A directory of policy files laid over the embedded ones (same relative
    /// path replaces, new files add), e.g. next year's figures.
    #[arg(long, global = true, env = "SHANTING_POLICY_DIR")]
    pub policy_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web server (Chinese UI, JSON API under /api/v1/).
    Serve(cmd::serve::Args),
    /// Manage accounts.
    #[command(subcommand)]
    Admin(cmd::admin::Command),
    /// Check the tamper-evident audit trail.
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// Working days per the State Council's holiday notices.
    #[command(subcommand)]
    Calendar(cmd::calendar::Command),
    /// List the dated, cited policy parameters in force.
    #[command(subcommand)]
    Policy(cmd::policy::Command),
    /// E-commerce support policy (山政发〔2022〕10号).
    #[command(subcommand)]
    Subsidy(cmd::subsidy::Command),
    /// Resident pension and medical insurance collection (山政办发〔2022〕4号).
    #[command(subcommand)]
    Insurance(cmd::insurance::Command),
    /// Emergency management (山政发〔2022〕8号).
    #[command(subcommand)]
    Emergency(cmd::emergency::Command),
    /// Housing provident fund joint meeting (山政办字〔2022〕19号).
    #[command(subcommand)]
    Meeting(cmd::meeting::Command),
    /// Generate demo data.
    #[command(subcommand)]
    Demo(cmd::demo::Command),
    /// Import reference data (villages, residents, lists) into the database.
    #[command(subcommand)]
    Import(cmd::import::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = match cmd::Ctx::load(cli.policy_dir.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误: {e:#}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve(a) => cmd::serve::run(a, &ctx),
        Command::Admin(c) => cmd::admin::run(c, &ctx),
        Command::Audit(c) => cmd::audit::run(c, &ctx),
        Command::Calendar(c) => cmd::calendar::run(c, &ctx),
        Command::Policy(c) => cmd::policy::run(c, &ctx),
        Command::Subsidy(c) => cmd::subsidy::run(c, &ctx),
        Command::Insurance(c) => cmd::insurance::run(c, &ctx),
        Command::Emergency(c) => cmd::emergency::run(c, &ctx),
        Command::Meeting(c) => cmd::meeting::run(c, &ctx),
        Command::Demo(c) => cmd::demo::run(c, &ctx),
        Command::Import(c) => cmd::import::run(c, &ctx),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误: {e:#}");
            ExitCode::from(1)
        }
    }
}
