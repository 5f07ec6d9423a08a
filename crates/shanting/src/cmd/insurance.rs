//! `shanting insurance roster`: the collection roster (清册) for a year from a
//! resident list, CSV or XLSX in, CSV or XLSX out, bad rows to `*.errors.csv`.
//!
//! The CSV path is a streaming pipeline sized for a million residents in well
//! under a second: one thread cuts the input into chunks at record
//! boundaries, workers parse, compute and format each chunk into bytes, and
//! the calling thread puts chunks back in order, rejects duplicate ID numbers
//! and writes. Memory stays bounded by the chunks in flight plus an 8-byte key
//! per resident for the duplicate check.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{IsTerminal as _, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use anyhow::{Context as _, bail};
use insurance::{Contribution, INPUT_COLUMNS, OUTPUT_COLUMNS, PensionStatus, Rules, Status, compute, parse_row};
use kernel::{Date, Money};

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
    let in_ext = extension(&a.input);
    let (input, size): (Box<dyn Read + Send>, u64) = if matches!(in_ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
        let csv = match sheet_as_csv(&a.input) {
            Ok(b) => b,
            Err(e) => return invalid(format_args!("{e:#}")),
        };
        let n = csv.len() as u64;
        (Box::new(std::io::Cursor::new(csv)), n)
    } else {
        let f = File::open(&a.input).with_context(|| format!("打开 {}", a.input.display()))?;
        let n = f.metadata().map(|m| m.len()).unwrap_or(0);
        (Box::new(f), n)
    };

    let errors_path = errors_path(&a.out);
    let mut out_tmp = TempOut::create(&a.out, if out_kind == OutKind::Xlsx { "csv" } else { "part" })?;
    let mut err_tmp: Option<(TempOut, csv::Writer<File>)> = None;
    let progress = progress_bar(size);

    let mut header_line = Vec::with_capacity(OUTPUT_COLUMNS.join(",").len() + 1);
    header_line.extend_from_slice(OUTPUT_COLUMNS.join(",").as_bytes());
    header_line.push(b'\n');
    out_tmp.file.write_all(&header_line)?;

    let mut totals = Totals::default();
    let mut ids = IdSet::with_capacity((size / 64) as usize);
    let mut strict_stop: Option<ErrRow> = None;
    let writer = out_tmp.file.try_clone()?;
    let result = pipeline(input, &rules, as_of, writer, |p: &mut Processed| {
        let mut run_start = 0usize;
        let mut row_start = 0usize;
        for item in std::mem::take(&mut p.items) {
            match item {
                Item::Row(m) => {
                    totals.read += 1;
                    let end = m.end as usize;
                    if let Some(first) = ids.insert(m.key, m.line) {
                        let err = ErrRow {
                            line: m.line,
                            column: "id_number",
                            value: String::from_utf8_lossy(&p.out[row_start..row_start + 18]).into_owned(),
                            message: format!("身份证号码与第{first}行重复"),
                        };
                        p.ranges.push((run_start, row_start));
                        run_start = end;
                        row_start = end;
                        if a.strict {
                            strict_stop = Some(err);
                            return Ok(false);
                        }
                        totals.rejected += 1;
                        write_error(&mut err_tmp, &errors_path, &err)?;
                        continue;
                    }
                    row_start = end;
                    totals.add(&m);
                }
                Item::Err(e) => {
                    totals.read += 1;
                    if a.strict {
                        strict_stop = Some(e);
                        return Ok(false);
                    }
                    totals.rejected += 1;
                    write_error(&mut err_tmp, &errors_path, &e)?;
                }
            }
        }
        p.ranges.push((run_start, row_start));
        if let Some(pb) = &progress {
            pb.inc(p.bytes as u64);
        }
        Ok(true)
    });
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }
    match result {
        Ok(()) => {}
        Err(PipelineError::Header(msg)) => return invalid(msg),
        Err(PipelineError::Other(e)) => return Err(e),
    }
    if let Some(e) = strict_stop {
        // Nothing is kept: the temp files are removed when dropped.
        return invalid(format_args!("第{}行 {}={:?}: {}（--strict：未写入任何文件）", e.line, e.column, e.value, e.message));
    }

    match out_kind {
        OutKind::Csv => out_tmp.commit(&a.out)?,
        OutKind::Xlsx => {
            out_tmp.file.flush()?;
            let mut xlsx_tmp = TempOut::create(&a.out, "xlsx")?;
            csv_to_xlsx(&out_tmp.path, &xlsx_tmp.path, "清册")?;
            xlsx_tmp.file.flush()?;
            xlsx_tmp.commit(&a.out)?;
        }
    }
    match err_tmp {
        Some((t, mut w)) => {
            w.flush()?;
            drop(w);
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

fn write_error(slot: &mut Option<(TempOut, csv::Writer<File>)>, path: &Path, e: &ErrRow) -> anyhow::Result<()> {
    if slot.is_none() {
        let t = TempOut::create(path, "part")?;
        let mut w = csv::Writer::from_writer(t.file.try_clone()?);
        w.write_record(["line", "column", "value", "message"])?;
        *slot = Some((t, w));
    }
    if let Some((_, w)) = slot {
        w.write_record([e.line.to_string().as_str(), e.column, &e.value, &e.message])?;
    }
    Ok(())
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
    fn create(dest: &Path, tag: &str) -> anyhow::Result<TempOut> {
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let path = dest.with_file_name(format!(".{name}.{}.{tag}.tmp", std::process::id()));
        let file = File::create(&path).with_context(|| format!("创建 {}", path.display()))?;
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

// ---------------------------------------------------------------------------
// The pipeline

const CHUNK: usize = 1 << 20;

struct Chunk {
    seq: usize,
    /// 1-based input line of the chunk's first byte.
    first_line: u64,
    data: Vec<u8>,
}

/// One processed chunk: its roster lines as CSV bytes, and per input record
/// either a row (with its end offset in `out`) or an error, in input order.
struct Processed {
    seq: usize,
    bytes: usize,
    out: Vec<u8>,
    items: Vec<Item>,
    /// The parts of `out` to write (all of it unless duplicates were cut out).
    ranges: Vec<(usize, usize)>,
}

enum Item {
    Row(RowMeta),
    Err(ErrRow),
}

struct RowMeta {
    line: u64,
    /// The 17-digit body of the ID number: unique per person.
    key: u64,
    end: u32,
    status: Status,
    amounts: [i64; 8],
}

struct ErrRow {
    line: u64,
    column: &'static str,
    value: String,
    message: String,
}

enum PipelineError {
    Header(String),
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for PipelineError {
    fn from(e: E) -> Self {
        PipelineError::Other(e.into())
    }
}

#[derive(Default)]
struct Totals {
    read: u64,
    included: u64,
    excluded: u64,
    rejected: u64,
    medical_individual: i64,
    medical_on_behalf: i64,
    medical_sponsored: i64,
    medical_fiscal: i64,
    pension_individual: i64,
    pension_on_behalf: i64,
    pension_subsidy: i64,
    total_due: i64,
}

impl Totals {
    fn add(&mut self, m: &RowMeta) {
        if m.status == Status::Included {
            self.included += 1;
        } else {
            self.excluded += 1;
        }
        let [a, b, c, d, e, f, g, h] = m.amounts;
        self.medical_individual += a;
        self.medical_on_behalf += b;
        self.medical_sponsored += c;
        self.medical_fiscal += d;
        self.pension_individual += e;
        self.pension_on_behalf += f;
        self.pension_subsidy += g;
        self.total_due += h;
    }
}

/// Read the header, then stream the records through the workers; `sink`
/// receives processed chunks in input order and returns false to stop.
fn pipeline(
    mut input: Box<dyn Read + Send>,
    rules: &Rules,
    as_of: Date,
    mut output: File,
    mut sink: impl FnMut(&mut Processed) -> anyhow::Result<bool>,
) -> Result<(), PipelineError> {
    let (header, rest) = read_header(&mut input)?;
    check_header(&header).map_err(PipelineError::Header)?;

    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
    let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(workers + 1);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::sync_channel::<Processed>(workers + 1);
    let pool: Arc<Mutex<Vec<Vec<u8>>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = AtomicBool::new(false);

    std::thread::scope(|s| -> Result<(), PipelineError> {
        let reader = {
            let pool = Arc::clone(&pool);
            let stop = &stop;
            s.spawn(move || chunker(input, rest, work_tx, &pool, stop))
        };
        for _ in 0..workers {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let pool = Arc::clone(&pool);
            s.spawn(move || {
                loop {
                    let next = rx.lock().ok().and_then(|r| r.recv().ok());
                    let Some(chunk) = next else { break };
                    let mut out = take_buf(&pool, chunk.data.len() * 5 / 2);
                    let items = process_chunk(rules, as_of, &chunk, &mut out);
                    let bytes = chunk.data.len();
                    give_buf(&pool, chunk.data);
                    if tx.send(Processed { seq: chunk.seq, bytes, out, items, ranges: Vec::new() }).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        drop(work_rx);
        // Writing has its own thread: copying into the page cache is a large
        // share of the cost and overlaps with parsing this way.
        let (write_tx, write_rx) = mpsc::sync_channel::<(Vec<u8>, Vec<(usize, usize)>)>(2);
        let writer = {
            let pool = Arc::clone(&pool);
            s.spawn(move || -> anyhow::Result<()> {
                for (buf, ranges) in write_rx {
                    for (a, b) in ranges {
                        output.write_all(&buf[a..b]).context("写入清册")?;
                    }
                    give_buf(&pool, buf);
                }
                Ok(())
            })
        };

        let mut pending: BTreeMap<usize, Processed> = BTreeMap::new();
        let mut next = 0usize;
        let mut outcome: Result<(), PipelineError> = Ok(());
        'recv: for p in done_rx.iter() {
            pending.insert(p.seq, p);
            while let Some(mut p) = pending.remove(&next) {
                next += 1;
                let r = sink(&mut p);
                if write_tx.send((std::mem::take(&mut p.out), std::mem::take(&mut p.ranges))).is_err() {
                    // The writer failed; its error is reported below.
                    break 'recv;
                }
                let keep_going = match r {
                    Ok(k) => k,
                    Err(e) => {
                        outcome = Err(PipelineError::Other(e));
                        false
                    }
                };
                if !keep_going {
                    stop.store(true, Ordering::Relaxed);
                    break 'recv;
                }
            }
        }
        // Dropping the receiver makes the workers and then the reader stop.
        drop(done_rx);
        drop(write_tx);
        match writer.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                if outcome.is_ok() {
                    outcome = Err(PipelineError::Other(e));
                }
            }
            Err(_) => {
                if outcome.is_ok() {
                    outcome = Err(PipelineError::Other(anyhow::anyhow!("写入线程异常退出")));
                }
            }
        }
        match reader.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) if outcome.is_ok() && !stop.load(Ordering::Relaxed) => outcome = Err(PipelineError::Other(e)),
            Ok(Err(_)) => {}
            Err(_) => {
                if outcome.is_ok() {
                    outcome = Err(PipelineError::Other(anyhow::anyhow!("读取线程异常退出")));
                }
            }
        }
        outcome
    })
}

fn take_buf(pool: &Mutex<Vec<Vec<u8>>>, cap: usize) -> Vec<u8> {
    let mut b = pool.lock().ok().and_then(|mut p| p.pop()).unwrap_or_default();
    b.clear();
    b.reserve(cap);
    b
}

fn give_buf(pool: &Mutex<Vec<Vec<u8>>>, b: Vec<u8>) {
    if let Ok(mut p) = pool.lock()
        && p.len() < 8
    {
        p.push(b);
    }
}

/// The header line (without BOM and line ending) and whatever was read past it.
fn read_header(input: &mut dyn Read) -> Result<(Vec<u8>, Vec<u8>), PipelineError> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut tmp = vec![0u8; 64 * 1024];
    loop {
        if let Some(nl) = buf.iter().position(|&b| b == b'\n') {
            let rest = buf[nl + 1..].to_vec();
            buf.truncate(nl);
            break finish_header(buf, rest);
        }
        let n = input.read(&mut tmp)?;
        if n == 0 {
            break finish_header(buf, Vec::new());
        }
        buf.extend_from_slice(&tmp[..n]);
        if buf.len() > 1 << 20 {
            return Err(PipelineError::Header("第1行过长，不是预期的表头".into()));
        }
    }
}

fn finish_header(mut line: Vec<u8>, rest: Vec<u8>) -> Result<(Vec<u8>, Vec<u8>), PipelineError> {
    if line.starts_with(b"\xEF\xBB\xBF") {
        line.drain(..3);
    }
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok((line, rest))
}

fn check_header(line: &[u8]) -> Result<(), String> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(line);
    let mut rec = csv::ByteRecord::new();
    let ok = rdr.read_byte_record(&mut rec).unwrap_or(false);
    let got: Vec<String> = if ok { rec.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect() } else { Vec::new() };
    if got.iter().map(String::as_str).eq(INPUT_COLUMNS) {
        return Ok(());
    }
    Err(format!("第1行表头应为\n  {}\n实际为\n  {}", INPUT_COLUMNS.join(","), got.join(",")))
}

/// Cut the stream into chunks that end on a record boundary (a newline
/// outside quotes), numbering lines as it goes.
fn chunker(
    mut input: Box<dyn Read + Send>,
    mut carry: Vec<u8>,
    tx: mpsc::SyncSender<Chunk>,
    pool: &Mutex<Vec<Vec<u8>>>,
    stop: &AtomicBool,
) -> anyhow::Result<()> {
    let mut line = 2u64;
    let mut seq = 0usize;
    let mut eof = false;
    while !eof || !carry.is_empty() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let mut buf = take_buf(pool, CHUNK + carry.len());
        buf.extend_from_slice(&carry);
        carry.clear();
        let cut = loop {
            while !eof && buf.len() < CHUNK {
                let len = buf.len();
                buf.resize(len.max(CHUNK), 0);
                let n = input.read(&mut buf[len..]).context("读取输入文件")?;
                buf.truncate(len + n);
                if n == 0 {
                    eof = true;
                }
            }
            if eof {
                break buf.len();
            }
            match last_record_end(&buf) {
                Some(c) => break c,
                // One record longer than a chunk: read on.
                None => {
                    let len = buf.len();
                    buf.resize(len + CHUNK, 0);
                    let n = input.read(&mut buf[len..]).context("读取输入文件")?;
                    buf.truncate(len + n);
                    if n == 0 {
                        eof = true;
                    }
                }
            }
        };
        carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        if buf.is_empty() {
            continue;
        }
        let lines = buf.iter().filter(|&&b| b == b'\n').count() as u64;
        let first_line = line;
        line += lines;
        if tx.send(Chunk { seq, first_line, data: buf }).is_err() {
            break;
        }
        seq += 1;
    }
    Ok(())
}

/// Just past the last newline that is outside quotes.
fn last_record_end(buf: &[u8]) -> Option<usize> {
    // Fast path: the last newline with an even number of quotes before it.
    let nl = buf.iter().rposition(|&b| b == b'\n')?;
    if buf[..nl].iter().filter(|&&b| b == b'"').count() % 2 == 0 {
        return Some(nl + 1);
    }
    let mut in_quote = false;
    let mut last = None;
    for (i, &b) in buf.iter().enumerate() {
        if b == b'"' {
            in_quote = !in_quote;
        } else if b == b'\n' && !in_quote {
            last = Some(i + 1);
        }
    }
    last
}

/// Parse, check, compute and format every record of a chunk.
fn process_chunk(rules: &Rules, as_of: Date, chunk: &Chunk, out: &mut Vec<u8>) -> Vec<Item> {
    let mut items = Vec::with_capacity(chunk.data.len() / 48 + 16);
    let data = &chunk.data[..];
    let mut rec = csv::ByteRecord::new();
    let mut pos = 0usize;
    let mut next_line = chunk.first_line;
    let newline = |from: usize| data[from..].iter().position(|&b| b == b'\n').map_or(data.len(), |i| from + i);
    let quotes = |s: &[u8]| s.iter().filter(|&&b| b == b'"').count();
    while pos < data.len() {
        let start = pos;
        let line = next_line;
        // Fast path, one pass: a record without quotes, split on commas
        // without copying.
        let mut fields: [&[u8]; 14] = [b""; 14];
        let (mut n, mut field_start, mut i, mut quoted) = (0usize, start, start, false);
        while i < data.len() {
            match data[i] {
                b'\n' => break,
                b',' => {
                    if n < fields.len() {
                        fields[n] = &data[field_start..i];
                    }
                    n += 1;
                    field_start = i + 1;
                }
                b'"' => {
                    quoted = true;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let parsed = if !quoted {
            pos = i + 1;
            next_line += 1;
            let mut last = &data[field_start..i];
            if let [rest @ .., b'\r'] = last {
                last = rest;
            }
            if n == 0 && last.is_empty() {
                continue; // blank lines are skipped but counted
            }
            if n < fields.len() {
                fields[n] = last;
            }
            n += 1;
            if n == fields.len() {
                parse_row(&fields)
            } else {
                let mut raw = &data[start..i];
                if let [rest @ .., b'\r'] = raw {
                    raw = rest;
                }
                parse_row(&raw.split(|&b| b == b',').collect::<Vec<_>>())
            }
        } else {
            // A quoted field may hold commas, quotes and line breaks: find the
            // newline outside quotes and let the csv reader unquote.
            let mut end = newline(start);
            let mut q = quotes(&data[start..end]);
            let mut lines = 1u64;
            while q % 2 == 1 && end < data.len() {
                let e = newline(end + 1);
                q += quotes(&data[end + 1..e]);
                end = e;
                lines += 1;
            }
            pos = end + 1;
            next_line += lines;
            let mut raw = &data[start..end.min(data.len())];
            if let [rest @ .., b'\r'] = raw {
                raw = rest;
            }
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(raw);
            match rdr.read_byte_record(&mut rec) {
                Ok(true) if rec.len() == fields.len() => {
                    for (dst, src) in fields.iter_mut().zip(rec.iter()) {
                        *dst = src;
                    }
                    parse_row(&fields)
                }
                Ok(true) => parse_row(&rec.iter().collect::<Vec<_>>()),
                Ok(false) => continue,
                Err(e) => Err(insurance::RowError { column: "", value: String::new(), message: format!("CSV 格式错误: {e}") }),
            }
        };
        let r = match parsed.and_then(|r| rules.check(&r, as_of).map(|()| r)) {
            Ok(r) => r,
            Err(e) => {
                items.push(Item::Err(ErrRow { line, column: e.column, value: e.value, message: e.message }));
                continue;
            }
        };
        let c = compute(rules, &r, as_of);
        let id = r.id.as_str().as_bytes();
        let key = id[..17].iter().fold(0u64, |a, &b| a * 10 + u64::from(b - b'0'));
        write_line(out, rules, id, r.name.as_bytes(), r.town.as_bytes(), r.village.as_bytes(), &c);
        items.push(Item::Row(RowMeta {
            line,
            key,
            end: u32::try_from(out.len()).unwrap_or(u32::MAX),
            status: c.status,
            amounts: [
                c.medical_individual.fen(),
                c.medical_on_behalf.fen(),
                c.medical_sponsored.fen(),
                c.medical_fiscal.fen(),
                c.pension_individual.fen(),
                c.pension_on_behalf.fen(),
                c.pension_subsidy.fen(),
                c.total_due.fen(),
            ],
        }));
    }
    items
}

/// One roster line in the contract's column order.
fn write_line(out: &mut Vec<u8>, rules: &Rules, id: &[u8], name: &[u8], town: &[u8], village: &[u8], c: &Contribution) {
    out.extend_from_slice(id);
    out.push(b',');
    push_field(out, name);
    out.push(b',');
    push_field(out, town);
    out.push(b',');
    push_field(out, village);
    out.push(b',');
    push_int(out, i64::from(c.age));
    out.push(b',');
    out.extend_from_slice(c.status.as_str().as_bytes());
    for m in [c.medical_individual, c.medical_on_behalf, c.medical_sponsored, c.medical_fiscal] {
        out.push(b',');
        push_int(out, m.fen());
    }
    out.push(b',');
    out.extend_from_slice(c.pension_status.as_str().as_bytes());
    out.push(b',');
    if let Some(t) = c.pension_tier {
        if t.fen() % 100 == 0 {
            push_int(out, t.fen() / 100);
        } else {
            out.extend_from_slice(t.to_string().as_bytes());
        }
    }
    for m in [c.pension_individual, c.pension_on_behalf, c.pension_subsidy, c.total_due] {
        out.push(b',');
        push_int(out, m.fen());
    }
    out.push(b',');
    let start = out.len();
    for (i, n) in c.notes(rules).enumerate() {
        if i > 0 {
            out.extend_from_slice("；".as_bytes());
        }
        out.extend_from_slice(n.as_bytes());
    }
    if out[start..].iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        let notes = out.split_off(start);
        push_field(out, &notes);
    }
    out.push(b'\n');
    debug_assert!(c.pension_status != PensionStatus::NotCovered || c.status != Status::Included);
}

fn push_field(out: &mut Vec<u8>, f: &[u8]) {
    if f.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for &b in f {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(f);
    }
}

fn push_int(out: &mut Vec<u8>, v: i64) {
    if v == 0 {
        out.push(b'0');
        return;
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

/// Duplicate check: open addressing over the 17-digit ID body (it fits in a
/// u64), remembering the line of the first occurrence.
struct IdSet {
    /// (key + 1, line); key 0 marks an empty slot. Key and line share a
    /// cache line, so an insert costs one miss.
    slots: Vec<[u64; 2]>,
    len: usize,
}

impl IdSet {
    fn with_capacity(n: usize) -> IdSet {
        let cap = (n.max(1024) * 10 / 7 + 1).next_power_of_two();
        IdSet { slots: vec![[0, 0]; cap], len: 0 }
    }

    fn slot(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20) as usize & (self.slots.len() - 1)
    }

    /// Insert; on a duplicate, the first line it was seen on.
    fn insert(&mut self, key: u64, line: u64) -> Option<u64> {
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let k = key + 1;
        let mask = self.slots.len() - 1;
        let mut i = self.slot(k);
        loop {
            match self.slots[i] {
                [0, _] => {
                    self.slots[i] = [k, line];
                    self.len += 1;
                    return None;
                }
                [x, first] if x == k => return Some(first),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![[0, 0]; old.len() * 2];
        self.len = 0;
        for [k, l] in old {
            if k != 0 {
                self.insert(k - 1, l);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// XLSX in and out

/// The first worksheet as CSV text, one line per sheet row, so that a line
/// number is the sheet's row number. Line breaks inside cells become spaces.
fn sheet_as_csv(path: &Path) -> anyhow::Result<Vec<u8>> {
    use calamine::{Data, Reader as _};
    let mut wb = calamine::open_workbook_auto(path).with_context(|| format!("打开 {}", path.display()))?;
    let Some(range) = wb.worksheet_range_at(0) else { bail!("{} 中没有工作表", path.display()) };
    let range = range.with_context(|| format!("读取 {}", path.display()))?;
    let mut out = Vec::new();
    let (start_row, start_col) = range.start().unwrap_or((0, 0));
    out.extend(std::iter::repeat_n(b'\n', start_row as usize));
    let mut cells: Vec<String> = Vec::new();
    for row in range.rows() {
        cells.clear();
        for _ in 0..start_col {
            cells.push(String::new());
        }
        for cell in row {
            let s = match cell {
                Data::Empty => String::new(),
                Data::String(s) => s.replace(['\r', '\n'], " "),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(dt) => excel_date(dt.as_f64()).map(|d| d.to_string()).unwrap_or_else(|| dt.as_f64().to_string()),
                Data::DateTimeIso(s) => s.chars().take(10).collect(),
                Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            };
            cells.push(s);
        }
        while cells.last().is_some_and(String::is_empty) && cells.len() > INPUT_COLUMNS.len() {
            cells.pop();
        }
        if cells.iter().all(String::is_empty) {
            out.push(b'\n');
            continue;
        }
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_field(&mut out, c.as_bytes());
        }
        out.push(b'\n');
    }
    Ok(out)
}

/// An Excel serial day number (1900 date system) as a date.
fn excel_date(serial: f64) -> Option<Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = Date::new(1899, 12, 30).ok()?;
    base.checked_add(jiff::Span::new().days(serial.floor() as i64)).ok()
}

/// Convert a written CSV roster into XLSX, numbers as numbers.
pub fn csv_to_xlsx(csv_path: &Path, xlsx_path: &Path, sheet: &str) -> anyhow::Result<()> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    // Whole sheet in memory: the `constant_memory` feature is not enabled in this build.
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_path(csv_path)?;
    let mut rec = csv::StringRecord::new();
    let mut row: u32 = 0;
    let mut numeric: Vec<bool> = Vec::new();
    while rdr.read_record(&mut rec)? {
        if row == 0 {
            numeric = rec.iter().map(|h| h.ends_with("_fen") || h.ends_with("_yuan") || h == "age" || h == "line").collect();
        }
        for (col, v) in rec.iter().enumerate() {
            let c = u16::try_from(col)?;
            match (row > 0 && numeric.get(col).copied().unwrap_or(false), v.parse::<i64>()) {
                (true, Ok(n)) => {
                    ws.write_number(row, c, n as f64)?;
                }
                _ if v.is_empty() => {}
                _ => {
                    ws.write_string(row, c, v)?;
                }
            }
        }
        row = row.checked_add(1).context("行数超出 XLSX 上限")?;
        if row > 1_048_576 {
            bail!("行数超出 XLSX 上限（1048576 行），请输出为 CSV");
        }
    }
    wb.save(xlsx_path).with_context(|| format!("写入 {}", xlsx_path.display()))?;
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

    #[test]
    fn record_ends_respect_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,\"d\ne\"\nf"), Some(12));
        assert_eq!(last_record_end(b"a,\"b\nc"), None);
    }

    #[test]
    fn id_set_finds_the_first_line() {
        let mut s = IdSet::with_capacity(0);
        for i in 0..5000u64 {
            assert_eq!(s.insert(i * 7919, i + 2), None);
        }
        assert_eq!(s.insert(7919 * 3, 99), Some(5));
        assert_eq!(s.insert(0, 100), Some(2));
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_date(44835.0), Some(Date::new(2022, 10, 1).unwrap_or_default()));
    }
}
