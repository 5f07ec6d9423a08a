//! `shanting insurance roster`: the collection roster (清册) for a year from a
//! resident list, CSV or XLSX in, CSV or XLSX out, bad rows to `*.errors.csv`.
//!
//! Glue around the `roster` crate, which streams the list through the
//! engine: here are the arguments, the progress bar, the files (written
//! beside their destination and renamed over it only when complete) and the
//! exit codes.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal as _, Read, Seek as _, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use insurance::Rules;
use kernel::Money;
use roster::{RejectedCsv, Roster, RosterError};

use super::Ctx;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Compute the collection roster (清册) for a contribution year from a resident list.
    Roster(RosterArgs),
}

#[derive(clap::Args)]
pub struct RosterArgs {
    /// Resident list, CSV (UTF-8, with or without BOM) or XLSX, with the contract header.
    pub input: PathBuf,
    /// Contribution year (缴费年度), e.g. 2023.
    #[arg(long)]
    pub year: i32,
    /// Reference date for ages (YYYY-MM-DD); default: the year's roster reference date (10-01).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Output roster, `.csv` or `.xlsx`; rejected rows go to `<stem>.errors.csv` beside it.
    #[arg(long)]
    pub out: PathBuf,
    /// Stop at the first bad row, write nothing, exit 2.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(cmd: Command, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Roster(a) => roster(a, ctx),
    }
}

/// Invalid input: said on stderr, nothing written, exit 2.
fn invalid(msg: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("错误: {msg}");
    Ok(ExitCode::from(2))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OutKind {
    Csv,
    Xlsx,
}

fn extension(p: &Path) -> String {
    p.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default()
}

/// `roster.csv` → `roster.errors.csv`.
pub fn errors_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "roster".into());
    out.with_file_name(format!("{stem}.errors.csv"))
}

fn roster(a: RosterArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let rules = match Rules::load(&ctx.params, a.year) {
        Ok(r) => r,
        Err(e) => return invalid(format_args!("{}年度的缴费参数不可用: {e}", a.year)),
    };
    let (as_of, defaulted) = match &a.as_of {
        Some(s) => match kernel::parse_date(s) {
            Ok(d) => (d, false),
            Err(e) => return invalid(format_args!("--as-of: {e}")),
        },
        None => (rules.default_as_of, true),
    };
    let out_kind = match extension(&a.out).as_str() {
        "csv" => OutKind::Csv,
        "xlsx" => OutKind::Xlsx,
        other => return invalid(format_args!("--out 的扩展名应为 .csv 或 .xlsx，得到 {other:?}")),
    };
    let mut first = Vec::with_capacity(8);
    File::open(&a.input).and_then(|f| f.take(8).read_to_end(&mut first)).with_context(|| format!("打开 {}", a.input.display()))?;
    let format = match sheet::Format::detect(&a.input.to_string_lossy(), &first) {
        Ok(f) => f,
        Err(e) => return invalid(format_args!("{}: {e}", a.input.display())),
    };
    let (input, size): (Box<dyn Read + Send>, u64) = if format == sheet::Format::Xlsx {
        match sheet_as_csv(&a.input) {
            Ok((csv, n)) => (Box::new(csv), n),
            Err(e) => return invalid(format_args!("{}: {e}", a.input.display())),
        }
    } else {
        let f = File::open(&a.input).with_context(|| format!("打开 {}", a.input.display()))?;
        let n = f.metadata().map(|m| m.len()).unwrap_or(0);
        (Box::new(f), n)
    };

    let errors_path = errors_path(&a.out);
    let mut out_tmp = TempOut::create(&a.out, if out_kind == OutKind::Xlsx { "csv" } else { "part" })?;
    let mut errors: Option<(TempOut, RejectedCsv<File>)> = None;
    let progress = progress_bar(size);
    let job = Roster { rules: &rules, as_of, strict: a.strict, size_hint: size };
    let result = job.write(
        input,
        &mut out_tmp.file,
        |e| {
            if errors.is_none() {
                let t = TempOut::create(&errors_path, "part")?;
                let w = RejectedCsv::new(t.file.try_clone()?)?;
                errors = Some((t, w));
            }
            errors.as_mut().map_or(Ok(()), |(_, w)| w.write(e))
        },
        |done| {
            if let Some(pb) = &progress {
                pb.set_position(done);
            }
        },
    );
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }
    // On any error nothing is kept: the temp files are removed when dropped.
    let totals = match result {
        Ok(t) => t,
        Err(e @ (RosterError::Header { .. } | RosterError::HeaderTooLong)) => return invalid(e),
        Err(RosterError::Rejected(e)) => return invalid(format_args!("{e}（--strict：未写入任何文件）")),
        Err(e) => return Err(e.into()),
    };

    match out_kind {
        OutKind::Csv => out_tmp.commit(&a.out)?,
        OutKind::Xlsx => {
            out_tmp.file.flush()?;
            let csv = File::open(&out_tmp.path).with_context(|| format!("打开 {}", out_tmp.path.display()))?;
            let xlsx_tmp = TempOut::create(&a.out, "xlsx")?;
            let (w, _) = roster::xlsx::csv_to_xlsx(BufReader::new(csv), BufWriter::new(&xlsx_tmp.file), "清册")?;
            w.into_inner().map_err(|e| e.into_error()).with_context(|| format!("写入 {}", a.out.display()))?;
            xlsx_tmp.commit(&a.out)?;
        }
    }
    match errors {
        Some((t, w)) => {
            w.finish()?;
            t.commit(&errors_path)?;
        }
        None => {
            // A clean run leaves no stale errors file from an earlier run.
            if errors_path.exists() {
                std::fs::remove_file(&errors_path).with_context(|| format!("删除旧的 {}", errors_path.display()))?;
            }
        }
    }

    let y = |f: i64| Money::from_fen(f);
    println!(
        "读取{}行，纳入{}，排除{}，拒绝{}；本人应缴{}元（医疗{}元，养老{}元），医疗代缴{}元，资助{}元，财政补助{}元，养老代缴{}元，政府补贴{}元 → {}{}",
        totals.read,
        totals.included,
        totals.excluded,
        totals.rejected,
        y(totals.total_due),
        y(totals.medical_individual),
        y(totals.pension_individual),
        y(totals.medical_on_behalf),
        y(totals.medical_sponsored),
        y(totals.medical_fiscal),
        y(totals.pension_on_behalf),
        y(totals.pension_subsidy),
        a.out.display(),
        if totals.rejected > 0 { format!("，错误行见 {}", errors_path.display()) } else { String::new() },
    );
    if defaulted {
        eprintln!("参照日 {as_of}：{}", rules.default_as_of_reading().unwrap_or("默认参照日"));
    }
    Ok(if totals.rejected > 0 { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

fn progress_bar(size: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(size);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {elapsed}") {
        pb.set_style(style);
    }
    Some(pb)
}

/// A file written beside its destination and renamed over it only when
/// complete; removed if dropped uncommitted, so a failure leaves nothing
/// half-written.
struct TempOut {
    path: PathBuf,
    file: File,
    committed: bool,
}

impl TempOut {
    fn create(dest: &Path, tag: &str) -> std::io::Result<TempOut> {
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let path = dest.with_file_name(format!(".{name}.{}.{tag}.tmp", std::process::id()));
        let file = File::create(&path).map_err(|e| std::io::Error::new(e.kind(), format!("创建 {}: {e}", path.display())))?;
        Ok(TempOut { path, file, committed: false })
    }

    fn commit(mut self, dest: &Path) -> anyhow::Result<()> {
        self.file.flush()?;
        std::fs::rename(&self.path, dest).with_context(|| format!("写入 {}", dest.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempOut {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The first worksheet as CSV in an anonymous temporary file (and its
/// size), one line per sheet row, so that a line number is the sheet's row
/// number; `sheet` checks every limit and never builds a dense range.
fn sheet_as_csv(path: &Path) -> Result<(File, u64), sheet::SheetError> {
    let input = BufReader::new(File::open(path)?);
    let mut tmp = tempfile::tempfile()?;
    let summary = sheet::xlsx_to_csv(input, &sheet::Limits::default(), BufWriter::new(&mut tmp))?;
    tmp.seek(SeekFrom::Start(0))?;
    Ok((tmp, summary.bytes))
}

/// Convert a written CSV file into XLSX, numbers as numbers (`roster::xlsx::csv_to_xlsx`).
pub fn csv_to_xlsx(csv_path: &Path, xlsx_path: &Path, sheet: &str) -> anyhow::Result<()> {
    let input = BufReader::new(File::open(csv_path).with_context(|| format!("打开 {}", csv_path.display()))?);
    let out = BufWriter::new(File::create(xlsx_path).with_context(|| format!("创建 {}", xlsx_path.display()))?);
    let (w, _) = roster::xlsx::csv_to_xlsx(input, out, sheet)?;
    w.into_inner().map_err(|e| e.into_error()).with_context(|| format!("写入 {}", xlsx_path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_file_sits_next_to_out() {
        assert_eq!(errors_path(Path::new("/x/roster.csv")), PathBuf::from("/x/roster.errors.csv"));
        assert_eq!(errors_path(Path::new("r.xlsx")), PathBuf::from("r.errors.csv"));
    }
}
