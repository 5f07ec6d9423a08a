//! `shanting subsidy …`: the e-commerce support policy (山政发〔2022〕10号 附件4).
//!
//! `subsidy assess FILE.json [--format json|table]`: FILE holds one applicant
//! object or an array of them; the output is always an array, one result per
//! applicant, in input order (issue 3, "CLI contract"). Invalid input exits 2
//! naming the field path and prints nothing on stdout.
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use ecommerce::{AssessError, Assessment, Rules};

use super::{Ctx, invalid, parse_input};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Assess applicants against articles 1–12 and 八、其他 of 附件4.
    ///
    /// FILE.json (`-` for stdin): one applicant object or an array of them
    /// (fields as in issue 3). Output: a JSON array of results in input order,
    /// or a Chinese table with `--format table`. Exit 2 on invalid input,
    /// naming the field path such as `[0].net_tax_yuan` or `[3].year`.
    Assess {
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// 企业政策计算器: what is left out is unknown, not "no". Each result
        /// gains `missing`: the articles that cannot be decided yet, with the
        /// facts still needed (`facts`, `labels`); they are not in `not_eligible`.
        #[arg(long)]
        partial: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Table,
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Assess { file, format, partial: false } => assess(&file, format, ctx),
        Command::Assess { file, format, partial: true } => assess_partial(&file, format, ctx),
    }
}

fn assess(file: &std::path::Path, format: Format, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    // The text is dropped once parsed: a large batch is not held twice.
    let applicants = match parse_input(file, parse) {
        Ok(a) => a,
        Err(e) => return invalid(e),
    };
    let rules = match ecommerce::rules_for(&ctx.params, &applicants) {
        Ok(r) => r,
        Err(AssessError::Input(e)) => return invalid(e),
        // A broken policy file is the installation's failure, not the input's.
        Err(e @ AssessError::Policy(_)) => return Err(e.into()),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    match format {
        Format::Json => write_json(&mut out, &rules, &applicants)?,
        Format::Table => {
            let results: Vec<Assessment> = applicants.iter().map(|a| ecommerce::assess_contract(rules_of(&rules, a), a)).collect();
            write_table(&mut out, &results)?;
        }
    }
    out.flush()?;
    // The process ends here: returning a million small allocations one by one
    // would cost a noticeable part of a 100,000-applicant run, the OS takes them back at once.
    std::mem::forget(applicants);
    Ok(ExitCode::SUCCESS)
}

/// `--partial`: one thread is plenty for what a calculator is given.
fn assess_partial(file: &std::path::Path, format: Format, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let parsed =
        parse_input(file, |t| Ok::<_, ecommerce::InputError>((ecommerce::parse_applicants(t)?, ecommerce::Declared::of_input(t)?)));
    let (applicants, declared) = match parsed {
        Ok(p) => p,
        Err(e) => return invalid(e),
    };
    let rules = match ecommerce::rules_for(&ctx.params, &applicants) {
        Ok(r) => r,
        Err(AssessError::Input(e)) => return invalid(e),
        Err(e @ AssessError::Policy(_)) => return Err(e.into()),
    };
    let results: Vec<Assessment> =
        applicants.iter().zip(&declared).map(|(a, d)| ecommerce::assess_partial(rules_of(&rules, a), a, d)).collect();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            out.write_all(b"[")?;
            for (i, r) in results.iter().enumerate() {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut out, r)?;
            }
            out.write_all(if results.is_empty() { b"]\n" } else { b"\n]\n" })?;
        }
        Format::Table => write_table(&mut out, &results)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Parse the input, an array's elements on the available cores. The error
/// reported is the first in input order, as a sequential parse would report it.
fn parse(text: &str) -> Result<Vec<ecommerce::Applicant>, ecommerce::InputError> {
    // A single object, or text that is not a well-formed array: the sequential parser names the error.
    let Some(parts) = ecommerce::split_array(text) else { return ecommerce::parse_applicants(text) };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = |first: usize, elems: &[&str]| -> Result<Vec<ecommerce::Applicant>, ecommerce::InputError> {
        elems.iter().enumerate().map(|(k, e)| ecommerce::parse_element(text, first + k, e)).collect()
    };
    if threads == 1 || parts.len() < 2 * BLOCK {
        return chunk(0, &parts);
    }
    let size = parts.len().div_ceil(threads);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = parts.chunks(size).enumerate().map(|(k, c)| s.spawn(move || chunk(k * size, c))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    let mut out = Vec::with_capacity(parts.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// The rules of the applicant's year; `rules_for` loaded every year present.
fn rules_of<'r>(rules: &'r [Rules], a: &ecommerce::Applicant) -> &'r Rules {
    rules.iter().find(|r| r.year == a.year).unwrap_or(&rules[0])
}

/// Applicants per block handed to one thread: big enough to amortise the
/// spawn, small enough to keep memory flat for 100,000 applicants.
const BLOCK: usize = 2048;

/// The JSON array, one result per line, in input order. Blocks are assessed
/// and serialised on the available cores (the engine is pure), then written
/// in order; no result outlives its block.
fn write_json(out: &mut impl Write, rules: &[Rules], applicants: &[ecommerce::Applicant]) -> anyhow::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let block = |start: usize, chunk: &[ecommerce::Applicant]| -> Result<Vec<u8>, serde_json::Error> {
        let mut buf = Vec::with_capacity(chunk.len() * 1600);
        for (i, a) in chunk.iter().enumerate() {
            buf.extend_from_slice(if start + i == 0 { b"\n" } else { b",\n" });
            serde_json::to_writer(&mut buf, &ecommerce::assess_contract(rules_of(rules, a), a))?;
        }
        Ok(buf)
    };
    out.write_all(b"[")?;
    let mut start = 0;
    for group in applicants.chunks(BLOCK * threads) {
        let bufs: Vec<Result<Vec<u8>, serde_json::Error>> = if threads == 1 || group.len() <= BLOCK {
            vec![block(start, group)]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = group
                    .chunks(BLOCK)
                    .enumerate()
                    .map(|(k, chunk)| {
                        let first = start + k * BLOCK;
                        s.spawn(move || block(first, chunk))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
            })
        };
        for b in bufs {
            out.write_all(&b?)?;
        }
        start += group.len();
    }
    out.write_all(if applicants.is_empty() { b"]\n" } else { b"\n]\n" })?;
    Ok(())
}

/// Display width in a terminal: CJK and full-width forms take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => {
                2
            }
            _ => 1,
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w { s.to_string() } else { format!("{s}{}", " ".repeat(w - n)) }
}

fn padl(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w { s.to_string() } else { format!("{}{s}", " ".repeat(w - n)) }
}

fn write_table(out: &mut impl Write, results: &[Assessment]) -> anyhow::Result<()> {
    let mut grand = kernel::Money::ZERO;
    for (i, r) in results.iter().enumerate() {
        writeln!(out, "【{}】统一社会信用代码 {}　评估年度 {}", i + 1, r.uscc, r.year)?;
        if r.one_enterprise_one_policy {
            writeln!(out, "  一企一策：是（八、其他，经区政府研究决定，不再享受第1–12条）")?;
        }
        if r.awards.is_empty() {
            writeln!(out, "  无奖补金额")?;
        } else {
            writeln!(out, "  {}{}{}{}依据", pad("条款", 8), pad("档次", 6), padl("金额（元）", 16), pad("　一次性", 10))?;
            for a in &r.awards {
                writeln!(
                    out,
                    "  {}{}{}{}{}",
                    pad(&format!("第{}条", a.article), 8),
                    pad(&format!("第{}档", a.tier), 6),
                    padl(&a.amount_fen.to_string(), 16),
                    pad(if a.one_time { "　是" } else { "　否" }, 10),
                    a.citation
                )?;
            }
        }
        for c in &r.case_by_case {
            let tier = c.tier.map_or_else(String::new, |t| format!("第{t}档 "));
            writeln!(out, "  一事一议：第{}条 {tier}{}——{}", c.article, c.item, c.reason)?;
        }
        for n in &r.not_eligible {
            writeln!(out, "  不符合：第{}条——{}", n.article, n.reasons.join("；"))?;
        }
        for m in r.missing.iter().flatten() {
            writeln!(out, "  尚缺信息：第{}条——请补充{}", m.article, m.labels.join("、"))?;
        }
        writeln!(out, "  合计：{} 元", r.total_fen)?;
        writeln!(out)?;
        grand = grand.saturating_add(r.total_fen);
    }
    writeln!(out, "共 {} 家申报单位，奖补合计 {} 元", results.len(), grand)?;
    Ok(())
}
