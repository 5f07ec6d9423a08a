//! Placeholder: filled in by the admin work.
use std::process::ExitCode;

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {}

pub fn run(cmd: Command, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {}
}
