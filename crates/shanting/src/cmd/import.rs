use std::io::{BufReader, IsTerminal as _};
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
    /// Import residents for insurance collection from CSV or XLSX in the
    /// `insurance roster` input format. Committed in batches; a rerun after a
    /// crash resumes, and importing the same file again changes nothing.
    Residents {
        file: PathBuf,
        #[arg(long, env = "SHANTING_DB", default_value = "sqlite://shanting.db")]
        db: String,
        /// Contribution year; default: the latest year with figures in the policy files.
        #[arg(long)]
        year: Option<i32>,
        /// Rows per committed batch.
        #[arg(long, default_value_t = app::insurance::import::DEFAULT_BATCH)]
        batch: usize,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Villages { file, db } => villages(file, db, ctx),
        Command::Residents { file, db, year, batch } => residents(file, db, year, batch, ctx),
    }
}

fn villages(file: PathBuf, db: String, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let f = std::fs::File::open(&file).with_context(|| format!("读取 {}", file.display()))?;
    let rows = match app::reference::parse_village_file(&file.to_string_lossy(), BufReader::new(f), &sheet::Limits::default()) {
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

fn residents(file: PathBuf, db: String, year: Option<i32>, batch: usize, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    use app::insurance::import;
    let rules = match year {
        Some(y) => import::rules_for(&ctx.params, y),
        None => import::current_rules(&ctx.params),
    };
    let rules = match rules {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    // An XLSX streams into a temporary CSV; the CSV is hashed for the job's
    // key with its record lengths checked (nothing is written yet).
    let name = file.to_string_lossy().into_owned();
    let input = match import::prepare_input(&file, &name, &sheet::Limits::default()) {
        Ok(p) => p,
        Err(sheet::SheetError::Io(e)) => anyhow::bail!("{}: {e}", file.display()),
        Err(m) => {
            eprintln!("错误: {}: {m}", file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let source = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let district = district::District::load(&ctx.params)?;
    let tty = std::io::stderr().is_terminal();
    // Multi-threaded: a batch commits on a worker while this thread reads the next.
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = store::Store::connect(&db).await.with_context(|| format!("连接数据库 {db}"))?;
        store.seed_reference(&district).await?;
        let progress = |r: &import::ImportReport| {
            if tty {
                eprint!("\r已提交 {} 行（读取 {} 行）", r.written, r.read);
            }
        };
        let f = input.open().with_context(|| format!("打开 {}", file.display()))?;
        let result = import::import_residents(&store, &rules, &district, "cli", &source, &input.key, f, batch, progress).await;
        if tty {
            eprintln!();
        }
        let rep = match result {
            Ok(r) => r,
            Err(app::Error::Invalid { message: m, .. }) => {
                eprintln!("错误: {}: {m}（未写入任何数据）", file.display());
                return Ok(ExitCode::from(2));
            }
            Err(e) => anyhow::bail!("{e}"),
        };
        for e in rep.errors.iter().take(100) {
            eprintln!("第{}行 {}={:?}: {}", e.line, e.column, e.value, e.message);
        }
        if rep.rejected > 100 {
            eprintln!("……另有 {} 行有误", rep.rejected - 100);
        }
        println!("{}（{}年度，任务 {}）", rep.summary(), rules.year, rep.job_id);
        Ok(if rep.rejected > 0 { ExitCode::from(3) } else { ExitCode::SUCCESS })
    })
}
