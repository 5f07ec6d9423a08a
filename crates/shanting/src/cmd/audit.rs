use std::process::ExitCode;

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Walk the hash chain; exit 1 naming the first broken entry.
    Verify {
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
    },
}

pub fn run(cmd: Command, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let Command::Verify { db } = cmd;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = store::Store::connect(&db).await?;
        match store.verify_audit().await? {
            store::VerifyReport::Intact { entries } => {
                println!("审计日志完整：{entries} 条记录，哈希链无断裂");
                Ok(ExitCode::SUCCESS)
            }
            store::VerifyReport::Broken { seq, reason } => {
                eprintln!("审计日志被篡改：第 {seq} 条 — {reason}");
                Ok(ExitCode::from(1))
            }
        }
    })
}
