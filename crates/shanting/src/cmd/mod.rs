//! One module per subcommand group. Each exposes `Command` (clap) and
//! `run(cmd, &Ctx) -> anyhow::Result<ExitCode>`.
//!
//! Exit codes: 0 success, 1 failure, 2 invalid input (nothing written),
//! 3 partial success (some rows rejected, see the errors file).

use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use kernel::{ParamSet, WorkCalendar};

pub mod admin;
pub mod audit;
pub mod calendar;
pub mod demo;
pub mod emergency;
pub mod import;
pub mod insurance;
pub mod meeting;
pub mod policy;
pub mod serve;
pub mod subsidy;

/// What every command needs: the policy parameters in force and the calendar.
pub struct Ctx {
    pub params: ParamSet,
    pub calendar: WorkCalendar,
}

impl Ctx {
    pub fn load(policy_dir: Option<&Path>) -> anyhow::Result<Ctx> {
        let overrides = match policy_dir {
            Some(dir) => read_policy_dir(dir)?,
            None => Vec::new(),
        };
        let params = ParamSet::with_overrides(overrides)?;
        let calendar = WorkCalendar::from_params(&params)?;
        Ok(Ctx { params, calendar })
    }
}

/// Invalid input: said on stderr, nothing on stdout, exit 2.
pub fn invalid(what: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("错误: {what}");
    Ok(ExitCode::from(2))
}

/// The input file (stdin when `file` is `-`) read and parsed by `parse`.
/// Either failure is the input's: the message to say through [`invalid`].
pub fn parse_input<T, E: std::fmt::Display>(file: &Path, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T, String> {
    let text = read_input(file)?;
    parse(&text).map_err(|e| e.to_string())
}

/// The text of an input file, or of stdin when `file` is `-`; the error
/// names what could not be read.
fn read_input(file: &Path) -> Result<String, String> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("读取标准输入: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("读取 {}: {e}", file.display()))
    }
}

/// A decision as pretty JSON on stdout: the commands' output contract.
pub fn print_json(v: &impl serde::Serialize) -> anyhow::Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(ExitCode::SUCCESS)
}

/// Every `*.toml` below `dir`, as (path relative to `dir`, text).
pub fn read_policy_dir(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, String)>) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(d).with_context(|| format!("读取政策目录 {}", d.display()))? {
            let p = entry?.path();
            if p.is_dir() {
                walk(root, &p, out)?;
            } else if p.extension().is_some_and(|e| e == "toml") {
                let rel = p.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&p).with_context(|| format!("读取 {}", p.display()))?;
                out.push((rel, text));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

/// Structured logs: JSON when SHANTING_LOG_FORMAT=json, compact text otherwise.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SHANTING_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("SHANTING_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.compact().try_init() };
}
