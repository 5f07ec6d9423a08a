use std::process::ExitCode;

use super::Ctx;

#[derive(clap::Args)]
pub struct Args {
    /// Database URL: sqlite://path (default) or postgres://…
    #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
    pub db: String,
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Seed demo data and one demo account per role.
    #[arg(long)]
    pub demo: bool,
}

pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("serve: not built yet")
}
