use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Import villages (村、居) from CSV or XLSX: columns 镇（街）, 村（居）, 类型.
    Villages {
        file: PathBuf,
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let Command::Villages { file, db } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("读取 {}", file.display()))?;
    let rows = match web::parse_village_file(&file.to_string_lossy(), &bytes) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误: {}: {e}", file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = store::Store::connect(&db).await?;
        store.seed_reference(&district::District::load(&ctx.params)?).await?;
        match store.import_villages("cli", &rows).await {
            Ok(s) => {
                println!("读取 {} 行，新增 {} 个，已存在 {} 个", s.read, s.added, s.unchanged);
                Ok(ExitCode::SUCCESS)
            }
            Err(store::StoreError::Invalid(m)) => {
                eprintln!("错误: {}: {m}（未写入任何数据）", file.display());
                Ok(ExitCode::from(2))
            }
            Err(e) => Err(e.into()),
        }
    })
}
