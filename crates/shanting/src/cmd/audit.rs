use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use store::audit::anchor::{self, AnchorError, AnchorKey, Anchorer};

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Walk the hash chain; exit 1 naming the first broken entry. With
    /// --anchor, also exit 1 when an anchored entry is missing or changed.
    Verify {
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
        /// An anchor file written by `audit anchor` or `serve --audit-anchor`;
        /// MACs are checked when SHANTING_AUDIT_KEY is set.
        #[arg(long, value_name = "FILE")]
        anchor: Option<PathBuf>,
    },
    /// Append the trail's head (seq, hash, time, MAC when SHANTING_AUDIT_KEY
    /// is set) to FILE, fsync'd. Keep FILE off the database host (README).
    Anchor {
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(cmd: Command, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    // The key matters only where anchors are written or read: a plain
    // chain check does not fail over a badly set variable.
    let uses_key = matches!(cmd, Command::Anchor { .. } | Command::Verify { anchor: Some(_), .. });
    let key = match AnchorKey::from_env() {
        Ok(k) => k,
        Err(e) if uses_key => {
            eprintln!("错误: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(_) => None,
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match cmd {
        Command::Verify { db, anchor } => rt.block_on(verify(&db, anchor, key)),
        Command::Anchor { db, out } => rt.block_on(write_anchor(&db, out, key)),
    }
}

async fn verify(db: &str, anchor_file: Option<PathBuf>, key: Option<AnchorKey>) -> anyhow::Result<ExitCode> {
    // The file first: a malformed one is invalid input, found before any
    // database work.
    let anchors = match &anchor_file {
        None => Vec::new(),
        Some(path) => match anchor::read(path) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("错误: {e}");
                return Ok(ExitCode::from(2));
            }
        },
    };
    if anchor_file.is_some() {
        match &key {
            Some(k) => {
                if let Err(e) = anchor::check_macs(&anchors, k) {
                    eprintln!("锚点文件被篡改：{e}");
                    return Ok(ExitCode::from(1));
                }
            }
            None => eprintln!("注意：未设置 {}，锚点的 MAC 未校验", anchor::KEY_ENV),
        }
    }
    let store = store::Store::connect(db).await.with_context(|| format!("连接数据库 {db}"))?;
    match store.verify_audit_anchored(&anchors).await? {
        store::VerifyReport::Intact { entries } => {
            println!("审计日志完整：{entries} 条记录，哈希链无断裂");
            if let Some(path) = &anchor_file {
                let macs = if key.is_some() { "，MAC 已校验" } else { "" };
                println!("已核对锚点 {} 个（{}），均与数据库一致{macs}", anchors.len(), path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        store::VerifyReport::Broken { seq, reason } => {
            eprintln!("审计日志被篡改：第 {seq} 条 — {reason}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn write_anchor(db: &str, out: PathBuf, key: Option<AnchorKey>) -> anyhow::Result<ExitCode> {
    let store = store::Store::connect(db).await.with_context(|| format!("连接数据库 {db}"))?;
    let with_mac = key.is_some();
    match Anchorer::new(&out, key).anchor(&store).await {
        Ok(Some(a)) => {
            println!("已锚定第 {} 条记录（哈希 {}）于 {} → {}", a.seq, a.hash, a.at, out.display());
            if !with_mac {
                eprintln!("注意：未设置 {}，锚点不带 MAC", anchor::KEY_ENV);
            }
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => {
            println!("审计日志为空，没有可锚定的记录");
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ AnchorError::HeadTampered(_)) => {
            eprintln!("错误: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
