//! `shanting demo residents`: a synthetic district population in the
//! insurance roster input format, deterministic for a seed.

use std::fs::File;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use insurance::demo::DemoPopulation;
use insurance::{INPUT_COLUMNS, Rules};

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a synthetic resident list (CSV or XLSX by extension) for `insurance roster`.
    Residents(ResidentsArgs),
}

#[derive(clap::Args)]
pub struct ResidentsArgs {
    /// How many residents.
    #[arg(long)]
    pub count: u64,
    /// Seed: the same seed gives the same population.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file, `.csv` or `.xlsx`.
    #[arg(long)]
    pub out: PathBuf,
    /// Contribution year whose tiers the residents choose from.
    #[arg(long, default_value_t = 2023)]
    pub year: i32,
    /// Reference date the ages are drawn for; default: the year's roster reference date.
    #[arg(long)]
    pub as_of: Option<String>,
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Residents(a) => residents(a, ctx),
    }
}

fn residents(a: ResidentsArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let rules = match Rules::load(&ctx.params, a.year) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误: {}年度的缴费参数不可用: {e}", a.year);
            return Ok(ExitCode::from(2));
        }
    };
    let as_of = match &a.as_of {
        Some(s) => match kernel::parse_date(s) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("错误: --as-of: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => rules.default_as_of,
    };
    let xlsx = match a.out.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).as_deref() {
        Some("csv") => false,
        Some("xlsx") => true,
        _ => {
            eprintln!("错误: --out 的扩展名应为 .csv 或 .xlsx");
            return Ok(ExitCode::from(2));
        }
    };
    let district = district::District::load(&ctx.params)?;
    let towns: Vec<String> = district.towns.iter().map(|t| t.name.clone()).collect();
    let mut pop = DemoPopulation::new(a.seed, as_of, &towns, &rules);

    let name = a.out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = a.out.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut write = || -> anyhow::Result<()> {
        let mut f = File::create(&tmp).with_context(|| format!("创建 {}", tmp.display()))?;
        let mut buf = Vec::with_capacity(1 << 20);
        buf.extend_from_slice(INPUT_COLUMNS.join(",").as_bytes());
        buf.push(b'\n');
        for _ in 0..a.count {
            let r = pop.next_resident();
            pop.write_csv_line(&r, &mut buf);
            if buf.len() >= 1 << 20 {
                f.write_all(&buf)?;
                buf.clear();
            }
        }
        f.write_all(&buf)?;
        f.flush()?;
        Ok(())
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if xlsx {
        let xtmp = a.out.with_file_name(format!(".{name}.{}.xlsx.tmp", std::process::id()));
        let r = super::insurance::csv_to_xlsx(&tmp, &xtmp, "居民");
        let _ = std::fs::remove_file(&tmp);
        if let Err(e) = r.and_then(|()| std::fs::rename(&xtmp, &a.out).context("写入输出文件")) {
            let _ = std::fs::remove_file(&xtmp);
            return Err(e);
        }
    } else {
        std::fs::rename(&tmp, &a.out).with_context(|| format!("写入 {}", a.out.display()))?;
    }
    println!("已生成 {} 名居民（种子 {}，参照日 {as_of}）→ {}", a.count, a.seed, a.out.display());
    Ok(ExitCode::SUCCESS)
}
