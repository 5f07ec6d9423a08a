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
use std::io::{IsTerminal as _, Read, Seek as _, Write};
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
    let mut err_tmp: Option<(TempOut, csv::Writer<File>)> = None;
    let progress = progress_bar(size);

    let mut header_line = Vec::with_capacity(OUTPUT_COLUMNS.join(",").len() + 1);
    header_line.extend_from_slice(OUTPUT_COLUMNS.join(",").as_bytes());
    header_line.push(b'\n');
    out_tmp.file.write_all(&header_line)?;

    let mut totals = Totals::default();
    // Made on the first chunk, while the workers are busy with the next ones.
    let mut ids: Option<IdSet> = None;
    let mut strict_stop: Option<ErrRow> = None;
    let writer = out_tmp.file.try_clone()?;
    let result = pipeline(input, &rules, as_of, writer, |p: &mut Processed| {
        let mut run_start = 0usize;
        let mut row_start = 0usize;
        let ids = ids.get_or_insert_with(|| IdSet::with_capacity((size / 64) as usize));
        ids.warm(p.items.iter().filter_map(|i| if let Item::Row(m) = i { Some(m.key) } else { None }));
        for item in p.items.drain(..) {
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

/// Input bytes per chunk: small enough that the chunks in flight stay a few
/// MiB, large enough that handing one over costs nothing next to its work.
const CHUNK: usize = 256 << 10;

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
    // Buffers go round instead of being freed and allocated again: fresh
    // memory costs a page fault and a zeroed page per 4 KiB, a large share
    // of the whole run otherwise.
    let inputs: Pool<Vec<u8>> = Pool::default();
    let outputs: Pool<Vec<u8>> = Pool::default();
    let item_lists: Pool<Vec<Item>> = Pool::default();
    let stop = AtomicBool::new(false);

    std::thread::scope(|s| -> Result<(), PipelineError> {
        let reader = {
            let (inputs, stop) = (&inputs, &stop);
            s.spawn(move || chunker(input, rest, work_tx, inputs, stop))
        };
        for _ in 0..workers {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let (inputs, outputs, item_lists) = (&inputs, &outputs, &item_lists);
            s.spawn(move || {
                loop {
                    let next = rx.lock().ok().and_then(|r| r.recv().ok());
                    let Some(chunk) = next else { break };
                    let mut out = outputs.take();
                    out.reserve(chunk.data.len() * 5 / 2);
                    let mut items = item_lists.take();
                    process_chunk(rules, as_of, &chunk, &mut out, &mut items);
                    let bytes = chunk.data.len();
                    inputs.give(chunk.data);
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
            let outputs = &outputs;
            s.spawn(move || -> anyhow::Result<()> {
                for (buf, ranges) in write_rx {
                    for (a, b) in ranges {
                        output.write_all(&buf[a..b]).context("写入清册")?;
                    }
                    outputs.give(buf);
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
                item_lists.give(std::mem::take(&mut p.items));
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

/// Emptied vectors kept for reuse, at most as many as can be in flight.
struct Pool<T>(Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(Mutex::new(Vec::new()))
    }
}

impl<T> Pool<Vec<T>> {
    fn take(&self) -> Vec<T> {
        self.0.lock().ok().and_then(|mut p| p.pop()).unwrap_or_default()
    }

    fn give(&self, mut v: Vec<T>) {
        v.clear();
        if let Ok(mut p) = self.0.lock()
            && p.len() < 16
        {
            p.push(v);
        }
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
    pool: &Pool<Vec<u8>>,
    stop: &AtomicBool,
) -> anyhow::Result<()> {
    let mut line = 2u64;
    let mut seq = 0usize;
    let mut eof = false;
    while !eof || !carry.is_empty() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let mut buf = pool.take();
        buf.reserve(CHUNK + carry.len());
        buf.extend_from_slice(&carry);
        carry.clear();
        let cut = loop {
            while !eof && buf.len() < CHUNK {
                let want = (CHUNK - buf.len()) as u64;
                if read_more(&mut input, &mut buf, want)? == 0 {
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
                    if read_more(&mut input, &mut buf, CHUNK as u64)? == 0 {
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
        let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        let first_line = line;
        line += lines;
        if tx.send(Chunk { seq, first_line, data: buf }).is_err() {
            break;
        }
        seq += 1;
    }
    Ok(())
}

/// Append up to `max` bytes from `input` to `buf`, into its spare capacity
/// (no zero-filling first); the number of bytes read, 0 at the end.
fn read_more(input: &mut dyn Read, buf: &mut Vec<u8>, max: u64) -> anyhow::Result<usize> {
    buf.reserve(max as usize);
    loop {
        match input.take(max).read_to_end(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("读取输入文件"),
        }
    }
}

/// Just past the last newline that is outside quotes.
fn last_record_end(buf: &[u8]) -> Option<usize> {
    // Fast path: the last newline with an even number of quotes before it.
    let nl = memchr::memrchr(b'\n', buf)?;
    if memchr::memchr_iter(b'"', &buf[..nl]).count().is_multiple_of(2) {
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
fn process_chunk(rules: &Rules, as_of: Date, chunk: &Chunk, out: &mut Vec<u8>, items: &mut Vec<Item>) {
    items.reserve(chunk.data.len() / 48 + 16);
    let mut em = Emitter { rules, as_of, out, items, tails: TailCache::new() };
    let data = &chunk.data[..];
    if memchr::memchr(b'"', data).is_none()
        && let Ok(text) = simdutf8::basic::from_utf8(data)
    {
        return process_plain(&mut em, chunk.first_line, text);
    }
    process_general(&mut em, chunk);
}

/// Any chunk: quoted fields through the csv reader, text columns checked per field.
fn process_general(em: &mut Emitter<'_>, chunk: &Chunk) {
    let data = &chunk.data[..];
    let mut rec = csv::ByteRecord::new();
    let mut pos = 0usize;
    let mut next_line = chunk.first_line;
    let newline = |from: usize| memchr::memchr(b'\n', &data[from..]).map_or(data.len(), |i| from + i);
    let quotes = |s: &[u8]| memchr::memchr_iter(b'"', s).count();
    while pos < data.len() {
        let start = pos;
        let line = next_line;
        // Fast path: a record without quotes, split on commas without copying.
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let mut fields: [&[u8]; 14] = [b""; 14];
        let quoted = memchr::memchr(b'"', &data[start..end]).is_some();
        let parsed = if !quoted {
            pos = end + 1;
            next_line += 1;
            let mut raw = &data[start..end];
            if let [rest @ .., b'\r'] = raw {
                raw = rest;
            }
            if raw.is_empty() {
                continue; // blank lines are skipped but counted
            }
            let mut n = 0usize;
            let mut field_start = 0usize;
            for comma in memchr::memchr_iter(b',', raw) {
                if n < fields.len() {
                    fields[n] = &raw[field_start..comma];
                }
                n += 1;
                field_start = comma + 1;
            }
            if n < fields.len() {
                fields[n] = &raw[field_start..];
            }
            n += 1;
            if n == fields.len() { parse_row(&fields) } else { parse_row(&raw.split(|&b| b == b',').collect::<Vec<_>>()) }
        } else {
            // A quoted field may hold commas, quotes and line breaks: find the
            // newline outside quotes and let the csv reader unquote.
            let mut end = end;
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
        em.emit(line, parsed);
    }
}

/// A chunk without quotes that is valid UTF-8 as a whole (every chunk of a
/// well-formed export): split on commas and newlines in one pass, with the
/// text columns already checked.
fn process_plain<'t>(em: &mut Emitter<'_>, first_line: u64, text: &'t str) {
    let bytes = text.as_bytes();
    let mut fields: [&'t str; 14] = [""; 14];
    let (mut n, mut field_start, mut record_start, mut line) = (0usize, 0usize, 0usize, first_line);
    let mut at = |p: usize, fields: &mut [&'t str; 14]| {
        if bytes[p] == b',' {
            if n < fields.len() {
                fields[n] = &text[field_start..p];
            }
            n += 1;
        } else {
            let rec = PlainRecord { text: &text[record_start..p], fields: n, last: &text[field_start..p], line };
            plain_record(em, rec, fields);
            line += 1;
            n = 0;
            record_start = p + 1;
        }
        field_start = p + 1;
    };
    // Eight bytes at a time: the commas and newlines of a word as a bit mask.
    let (words, rest) = bytes.as_chunks::<8>();
    for (w, word) in words.iter().enumerate() {
        let x = u64::from_le_bytes(*word);
        let mut mask = bytes_equal(x, b',') | bytes_equal(x, b'\n');
        while mask != 0 {
            at(w * 8 + (mask.trailing_zeros() / 8) as usize, &mut fields);
            mask &= mask - 1;
        }
    }
    let tail = words.len() * 8;
    for (i, &b) in rest.iter().enumerate() {
        if b == b',' || b == b'\n' {
            at(tail + i, &mut fields);
        }
    }
    if record_start < bytes.len() {
        let rec = PlainRecord { text: &text[record_start..], fields: n, last: &text[field_start..], line };
        plain_record(em, rec, &mut fields);
    }
}

/// 0x80 in each byte of `word` that equals `b`, 0 in the others. Exact per
/// byte (no borrow crosses bytes), unlike the shorter "has a zero byte" test.
fn bytes_equal(word: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(b));
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// One record of a plain chunk: its text, the fields before its last comma
/// (already in the caller's array), and the text after it.
struct PlainRecord<'t> {
    text: &'t str,
    fields: usize,
    last: &'t str,
    line: u64,
}

fn plain_record<'t>(em: &mut Emitter<'_>, r: PlainRecord<'t>, fields: &mut [&'t str; 14]) {
    let last = r.last.strip_suffix('\r').unwrap_or(r.last);
    if r.fields == 0 && last.is_empty() {
        return; // blank lines are skipped but counted
    }
    let parsed = if r.fields + 1 == fields.len() {
        fields[r.fields] = last;
        insurance::parse_row_str(fields)
    } else {
        let text = r.text.strip_suffix('\r').unwrap_or(r.text);
        insurance::parse_row_str(&text.split(',').collect::<Vec<_>>())
    };
    em.emit(r.line, parsed);
}

/// Where a chunk's records go: roster lines into `out`, and per record its
/// metadata or its error into `items`.
struct Emitter<'a> {
    rules: &'a Rules,
    as_of: Date,
    out: &'a mut Vec<u8>,
    items: &'a mut Vec<Item>,
    tails: TailCache,
}

impl Emitter<'_> {
    /// Check, compute and format one parsed record.
    fn emit(&mut self, line: u64, parsed: Result<insurance::Resident<'_>, insurance::RowError>) {
        let (rules, as_of) = (self.rules, self.as_of);
        let r = match parsed.and_then(|r| rules.check(&r, as_of).map(|()| r)) {
            Ok(r) => r,
            Err(e) => {
                self.items.push(Item::Err(ErrRow { line, column: e.column, value: e.value, message: e.message }));
                return;
            }
        };
        let c = compute(rules, &r, as_of);
        let key = r.id.body_key();
        write_line(self.out, &mut self.tails, rules, &r, &c);
        self.items.push(Item::Row(RowMeta {
            line,
            key,
            end: u32::try_from(self.out.len()).unwrap_or(u32::MAX),
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
}

/// One roster line in the contract's column order: the person's own
/// columns, then the figures and notes, which few distinct residents'
/// situations share and `tails` remembers ready formatted.
fn write_line(out: &mut Vec<u8>, tails: &mut TailCache, rules: &Rules, r: &insurance::Resident<'_>, c: &Contribution) {
    out.extend_from_slice(r.id.as_bytes());
    out.push(b',');
    push_field(out, r.name.as_bytes());
    out.push(b',');
    push_field(out, r.town.as_bytes());
    out.push(b',');
    push_field(out, r.village.as_bytes());
    out.push(b',');
    push_int(out, i64::from(c.age));
    tails.write(out, rules, c);
}

/// Formatted line tails (from `status` to the end of the line) by the
/// contribution they format, age aside: a small direct-mapped cache.
struct TailCache {
    entries: Vec<Option<(Contribution, Vec<u8>)>>,
}

impl TailCache {
    const SLOTS: usize = 64;

    fn new() -> TailCache {
        TailCache { entries: vec![None; Self::SLOTS] }
    }

    fn write(&mut self, out: &mut Vec<u8>, rules: &Rules, c: &Contribution) {
        let key = Contribution { age: 0, ..*c };
        let h = [c.total_due, c.medical_on_behalf, c.medical_sponsored, c.pension_on_behalf, c.pension_subsidy]
            .iter()
            .fold(u64::from(c.tier_index.unwrap_or(u8::MAX)), |h, m| (h ^ m.fen() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let slot = (h >> 58) as usize % Self::SLOTS;
        if let Some((k, tail)) = &self.entries[slot]
            && *k == key
        {
            out.extend_from_slice(tail);
            return;
        }
        let start = out.len();
        write_tail(out, rules, c);
        self.entries[slot] = Some((key, out[start..].to_vec()));
    }
}

/// From `status` to the line's end, with the comma before it.
fn write_tail(out: &mut Vec<u8>, rules: &Rules, c: &Contribution) {
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
    if rules.notes_need_csv_quoting() && needs_quotes(&out[start..]) {
        let notes = out.split_off(start);
        push_field(out, &notes);
    }
    out.push(b'\n');
    debug_assert!(c.pension_status != PensionStatus::NotCovered || c.status != Status::Included);
}

/// A CSV field that holds a comma, quote or line break must be quoted.
/// Fields here are a few characters: a branch-free pass beats a search.
fn needs_quotes(f: &[u8]) -> bool {
    f.iter().fold(false, |any, &b| any | matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

fn push_field(out: &mut Vec<u8>, f: &[u8]) {
    if needs_quotes(f) {
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
        out.push(b'0'); // most amounts of most rows
        return;
    }
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Duplicate check: open addressing over the 17-digit ID body (it fits in a
/// u64), remembering the line of the first occurrence.
struct IdSet {
    /// (key + 1 as two halves, line): 12 bytes, so a million residents take
    /// about 18 MiB at the 0.7 load factor. Key 0 marks an empty slot. Lines
    /// past u32::MAX (no district's list) would be reported as u32::MAX.
    slots: Vec<[u32; 3]>,
    len: usize,
}

impl IdSet {
    fn with_capacity(n: usize) -> IdSet {
        IdSet { slots: Self::empty(n.max(1024) * 10 / 7 + 1), len: 0 }
    }

    /// Written, not `vec![..]`'s zeroed allocation: pages first read as the
    /// shared zero page would each be copied on the first insert, with a TLB
    /// shootdown across the workers' cores every time.
    fn empty(cap: usize) -> Vec<[u32; 3]> {
        let mut slots = Vec::with_capacity(cap);
        slots.resize(cap, [0, 0, 0]);
        slots
    }

    /// The first slot to probe: the hash scaled onto the table (any size, no power of two needed).
    fn slot(&self, k: u64) -> usize {
        let h = k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((u128::from(h) * self.slots.len() as u128) >> 64) as usize
    }

    /// Load the slots these keys start probing at, all at once: the loads do
    /// not depend on each other, so their cache misses overlap instead of
    /// being paid one by one by the in-order inserts that follow.
    fn warm(&self, keys: impl Iterator<Item = u64>) {
        let mut acc = 0u32;
        for k in keys {
            acc ^= self.slots[self.slot(k + 1)][0];
        }
        std::hint::black_box(acc);
    }

    /// Insert; on a duplicate, the first line it was seen on.
    fn insert(&mut self, key: u64, line: u64) -> Option<u64> {
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let k = key + 1;
        let (lo, hi) = (k as u32, (k >> 32) as u32);
        let mut i = self.slot(k);
        loop {
            match self.slots[i] {
                [0, 0, _] => {
                    self.slots[i] = [lo, hi, u32::try_from(line).unwrap_or(u32::MAX)];
                    self.len += 1;
                    return None;
                }
                [l, h, first] if l == lo && h == hi => return Some(u64::from(first)),
                _ => i = if i + 1 == self.slots.len() { 0 } else { i + 1 },
            }
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = Self::empty(old.len() * 2);
        self.len = 0;
        for [lo, hi, line] in old {
            let k = u64::from(lo) | u64::from(hi) << 32;
            if k != 0 {
                self.insert(k - 1, u64::from(line));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// XLSX in and out

/// The first worksheet as CSV in an anonymous temporary file (and its
/// size), one line per sheet row, so that a line number is the sheet's row
/// number; `sheet` checks every limit and never builds a dense range.
fn sheet_as_csv(path: &Path) -> Result<(File, u64), sheet::SheetError> {
    let input = std::io::BufReader::new(File::open(path)?);
    let mut tmp = tempfile::tempfile()?;
    let summary = sheet::xlsx_to_csv(input, &sheet::Limits::default(), std::io::BufWriter::new(&mut tmp))?;
    tmp.seek(std::io::SeekFrom::Start(0))?;
    Ok((tmp, summary.bytes))
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
        // The largest 17-digit bodies (both key halves used) and keys that
        // differ only in their high half.
        let big = 99_999_999_999_999_999u64;
        assert_eq!(s.insert(big, 7), None);
        assert_eq!(s.insert(big - (1 << 32), 8), None);
        assert_eq!(s.insert(big, 9), Some(7));
        assert_eq!(s.insert(big - (1 << 32), 10), Some(8));
        assert_eq!(s.len, 5002);
    }

    /// The plain fast path and the general path agree on every chunk the
    /// fast path takes: same roster bytes, same rows and errors.
    /// The roster bytes and a line per item.
    type Run = (Vec<u8>, Vec<String>);

    fn both_paths(data: &str) -> (Run, Run) {
        let params = kernel::ParamSet::embedded().unwrap();
        let rules = Rules::load(&params, 2023).unwrap();
        let as_of = Date::new(2022, 10, 1).unwrap();
        let chunk = Chunk { seq: 0, first_line: 2, data: data.as_bytes().to_vec() };
        let run = |plain: bool| {
            let (mut out, mut items) = (Vec::new(), Vec::new());
            let mut em = Emitter { rules: &rules, as_of, out: &mut out, items: &mut items, tails: TailCache::new() };
            if plain {
                process_plain(&mut em, chunk.first_line, data);
            } else {
                process_general(&mut em, &chunk);
            }
            let items = items
                .iter()
                .map(|i| match i {
                    Item::Row(m) => format!("row {} {} {}", m.line, m.key, m.end),
                    Item::Err(e) => format!("err {} {} {:?} {}", e.line, e.column, e.value, e.message),
                })
                .collect();
            (out, items)
        };
        (run(true), run(false))
    }

    #[test]
    fn plain_path_matches_general_path_on_edge_cases() {
        let ok = "370406195511100174,何杰文,城头镇,黄胡山村,1,0,0,0,1,,,,,";
        let cases = [
            format!("{ok}\n"),
            ok.to_string(),                                            // no newline at the end
            format!("{ok}\r\n{ok}\r\n"),                               // CRLF
            format!("\n\n{ok}\n\r\n"),                                 // blank lines are counted, not rows
            format!("{ok},extra\n{ok}\n"),                             // too many fields
            "370406195511100174,何杰文,城头镇\n".to_string(),          // too few
            format!("{}\n", ok.replace("0174", "0175")),               // bad check digit
            format!("{}\n", ok.replace(",1,0,0,0,1,", ",是,否,,,x,")), // bad boolean
            format!("{}\n", ok.replace("何杰文", " 何杰文 ")),         // trimmed
            format!("{}\n", ok.replace("何杰文", "")),                 // empty name
            format!("{}\n", ok.replace("黄胡山村", "a\rb")),           // CR inside a field is quoted out
            format!("{ok}\n{ok}\n"),                                   // the duplicate is the sink's business
        ];
        for data in &cases {
            let (plain, general) = both_paths(data);
            assert_eq!(plain, general, "input {data:?}");
            assert!(!plain.1.is_empty() || data.trim().is_empty(), "input {data:?} produced nothing");
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_path_matches_general_path(rows in proptest::collection::vec(
            (0usize..4, "[0-9X]{0,3}", "[a-z何杰文 ]{0,4}", proptest::sample::select(vec!["\n", "\r\n", ",\n", "\n\n"])),
            0..20,
        )) {
            let ids = ["37040619740422017X", "370406201103270172", "370406195511100174", "370406202208190173"];
            let mut data = String::new();
            for (i, junk, name, end) in &rows {
                data.push_str(&format!("{}{junk},{name},城头镇,苏岭村,1,0,0,0,0,,,,,{end}", ids[*i]));
            }
            let (plain, general) = both_paths(&data);
            proptest::prop_assert_eq!(plain, general);
        }
    }

    #[test]
    fn bytes_equal_marks_exactly_the_matching_bytes() {
        let w = u64::from_le_bytes(*b",a\n,\x80\xff,\x2b");
        assert_eq!(bytes_equal(w, b','), 0x0080_0000_8000_0080);
        assert_eq!(bytes_equal(w, b'\n'), 0x0000_0000_0080_0000);
        assert_eq!(bytes_equal(0, b','), 0);
    }
}
