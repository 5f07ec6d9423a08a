//! Resident import (CSV/XLSX in the roster input format) and the engine
//! glue that turns a resident into the stored roster figures. Shared by the
//! upload page and `shanting import residents`.
//!
//! The file is streamed; valid rows are committed in batches, each in one
//! transaction together with the job's progress (the last input line done),
//! so that a run killed halfway resumes after its last committed batch, and
//! importing the same file again changes nothing (rows are upserted by ID
//! number). Invalid rows are reported with line, column and message and
//! never written.

use std::collections::HashMap;
use std::io::Read;

use insurance::{Groups, INPUT_COLUMNS, PensionStatus, Resident, Rules, compute, parse_row};
use kernel::{Date, Money, ResidentId};
use serde::Serialize;
use store::Store;
use store::insurance::ResidentRow;

use crate::{Error, Result};

/// Rows per committed batch. Large on purpose: ID numbers arrive in no
/// order, so every commit rewrites most of the unique index's pages (to the
/// WAL and then the file); 200 commits of 5,000 rows cost twice the time of
/// 20 of 50,000 for a million residents. A batch holds about 25 MB in memory.
pub const DEFAULT_BATCH: usize = 50_000;

/// A rejected input row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    pub job_id: i64,
    /// Data rows read (every line after the header that is not blank).
    pub read: u64,
    /// Valid rows (written now, or already by an earlier run of the same job).
    pub valid: u64,
    /// Valid rows written by this run.
    pub written: u64,
    /// Input lines already committed by an interrupted earlier run.
    pub resumed_after_line: i64,
    pub rejected: u64,
    /// The first rejected rows (up to 1000).
    pub errors: Vec<LineError>,
}

impl ImportReport {
    pub fn summary(&self) -> String {
        let resumed = if self.resumed_after_line > 0 {
            format!("（接续上次中断的导入，第{}行之前已提交）", self.resumed_after_line)
        } else {
            String::new()
        };
        format!("读取{}行，有效{}行，本次写入{}行，拒绝{}行{resumed}", self.read, self.valid, self.written, self.rejected)
    }
}

/// The contribution year the module works on: the latest year up to next
/// year whose figures are in the policy files.
pub fn current_rules(params: &kernel::ParamSet) -> Result<Rules> {
    let this = i32::from(store::today().year());
    for y in (this - 15..=this + 1).rev() {
        if let Ok(r) = Rules::load(params, y) {
            return Ok(r);
        }
    }
    Err(Error::internal("没有可用的社保征缴年度参数"))
}

/// Rules of an explicit year.
pub fn rules_for(params: &kernel::ParamSet, year: i32) -> Result<Rules> {
    Rules::load(params, year).map_err(|e| Error::invalid(format!("{year}年度的缴费参数不可用：{e}")))
}

fn union(a: Groups, b: Groups) -> Groups {
    a.iter().chain(b.iter()).collect()
}

/// The stored row of a parsed resident: facts plus the engine's figures on `as_of`.
pub fn row_of(rules: &Rules, as_of: Date, r: &Resident<'_>, list_groups: Groups, source: &str) -> ResidentRow {
    let mut eff = r.clone();
    eff.groups = union(r.groups, list_groups);
    let c = compute(rules, &eff, as_of);
    let band = match c.pension_status {
        PensionStatus::Due => match rules.targets.band(c.age) {
            Some(true) => 2,
            Some(false) => 1,
            None => 0,
        },
        _ => 0,
    };
    ResidentRow {
        id: 0,
        id_number: r.id.to_string(),
        name: r.name.to_string(),
        town: r.town.to_string(),
        village: r.village.to_string(),
        birth_date: r.id.birth_date().to_string(),
        hukou_in_district: r.hukou_in_district,
        residence_permit: r.residence_permit,
        employee_insurance: r.employee_insurance,
        student: r.student,
        receiving_pension: r.receiving_pension,
        groups: r.groups.to_string(),
        list_groups: list_groups.to_string(),
        disability_grade: r.disability_grade.map(i64::from),
        pension_tier_fen: r.pension_tier.map(Money::fen),
        sponsored_fen: r.sponsored.map(Money::fen),
        deceased_on: r.deceased_on.map(|d| d.to_string()),
        source: source.to_string(),
        year: i64::from(rules.year),
        as_of: as_of.to_string(),
        age: i64::from(c.age),
        band,
        status: c.status.as_str().to_string(),
        pension_status: c.pension_status.as_str().to_string(),
        medical_individual_fen: c.medical_individual.fen(),
        medical_on_behalf_fen: c.medical_on_behalf.fen(),
        medical_sponsored_fen: c.medical_sponsored.fen(),
        medical_fiscal_fen: c.medical_fiscal.fen(),
        pension_tier_yuan: c.pension_tier.map(|t| t.fen() / 100),
        pension_individual_fen: c.pension_individual.fen(),
        pension_on_behalf_fen: c.pension_on_behalf.fen(),
        pension_subsidy_fen: c.pension_subsidy.fen(),
        total_due_fen: c.total_due.fen(),
        paid_fen: 0,
        on_behalf_paid_fen: 0,
    }
}

/// Recompute a stored resident after a list changed its groups or death date.
pub fn recompute(rules: &Rules, row: &ResidentRow) -> Result<ResidentRow> {
    let mut r = super::resident_of(row)?;
    let imported = Groups::parse(row.groups.as_bytes()).map_err(Error::internal)?;
    let list = Groups::parse(row.list_groups.as_bytes()).map_err(Error::internal)?;
    r.groups = imported;
    let as_of = kernel::parse_date(&row.as_of).unwrap_or(rules.default_as_of);
    let mut out = row_of(rules, as_of, &r, list, &row.source);
    out.id = row.id;
    out.paid_fen = row.paid_fen;
    out.on_behalf_paid_fen = row.on_behalf_paid_fen;
    Ok(out)
}

/// A resident list ready to import: CSV on disk (the file itself, or the
/// first sheet of an XLSX streamed into a temporary file), and the key of
/// its content.
pub struct PreparedInput {
    pub key: String,
    csv: CsvFile,
}

enum CsvFile {
    Original(std::path::PathBuf),
    Converted(tempfile::TempPath),
}

impl PreparedInput {
    /// The CSV, buffered.
    pub fn open(&self) -> std::io::Result<std::io::BufReader<std::fs::File>> {
        let path: &std::path::Path = match &self.csv {
            CsvFile::Original(p) => p,
            CsvFile::Converted(t) => t,
        };
        Ok(std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path)?))
    }
}

/// Prepare the resident list at `path` (named `name`; CSV or XLSX by its
/// first bytes and name) for [`import_residents`], in bounded memory: an
/// XLSX goes through `sheet::xlsx_to_csv` into a temporary file; the CSV is
/// hashed for the job's key with every record's length checked, so a file
/// with an over-long line is refused (naming the line) before anything is
/// written. Blocking: call it on a blocking thread from async code.
pub fn prepare_input(path: &std::path::Path, name: &str, limits: &sheet::Limits) -> std::result::Result<PreparedInput, sheet::SheetError> {
    use std::io::Read as _;
    let io = sheet::SheetError::from_io;
    let mut first = Vec::with_capacity(8);
    std::fs::File::open(path).map_err(io)?.take(8).read_to_end(&mut first).map_err(io)?;
    let format = sheet::Format::detect(name, &first)?;
    let csv = match format {
        sheet::Format::Csv => CsvFile::Original(path.to_path_buf()),
        sheet::Format::Xlsx => {
            let tmp = tempfile::NamedTempFile::new().map_err(io)?;
            let input = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
            sheet::xlsx_to_csv(input, limits, std::io::BufWriter::new(tmp.as_file()))?;
            CsvFile::Converted(tmp.into_temp_path())
        }
    };
    let mut prepared = PreparedInput { key: String::new(), csv };
    let guard = sheet::LineGuard::new(prepared.open().map_err(io)?, limits.max_line_bytes);
    prepared.key = store::insurance::content_key(guard).map_err(sheet::SheetError::from_io)?;
    Ok(prepared)
}

/// At most `max` characters of `s` (an echo of the input in a message).
fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(s),
        Some((i, _)) => std::borrow::Cow::Owned(format!("{}…", &s[..i])),
    }
}

/// Import a resident list from `input`. `key` identifies the content (the
/// job is found again by it after a crash); `progress` is told each batch.
#[allow(clippy::too_many_arguments)]
pub async fn import_residents(
    store: &Store,
    rules: &Rules,
    district: &district::District,
    actor: &str,
    source: &str,
    key: &str,
    input: impl Read,
    batch: usize,
    mut progress: impl FnMut(&ImportReport),
) -> Result<ImportReport> {
    let as_of = rules.default_as_of;
    let job = store.insurance_job_start(&format!("{key} year:{}", rules.year), None).await?;
    let resume = job.progress;
    let mut rep = ImportReport { job_id: job.id, resumed_after_line: resume, ..Default::default() };
    // Every record's length is capped before the CSV reader buffers it.
    let input = sheet::LineGuard::new(input, sheet::Limits::default().max_line_bytes);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut rec = csv::ByteRecord::new();
    // Header.
    let header_ok = match rdr.read_byte_record(&mut rec) {
        Ok(true) => {
            let cols: Vec<String> = rec
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let c = if i == 0 { c.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(c) } else { c };
                    String::from_utf8_lossy(c).trim().to_string()
                })
                .collect();
            let want: Vec<&str> = INPUT_COLUMNS.to_vec();
            if cols.iter().map(String::as_str).take(want.len()).collect::<Vec<_>>() != want {
                Err(format!("表头应为 {}，实际为 {}", want.join(","), clip(&cols.join(","), 200)))
            } else {
                Ok(())
            }
        }
        Ok(false) => Err("文件为空".to_string()),
        Err(e) if e.is_io_error() => Err(format!("无法读取表头：{}", sheet::SheetError::from(e))),
        Err(e) => Err(format!("无法读取表头：{e}")),
    };
    if let Err(m) = header_ok {
        store.insurance_job_finish(actor, job.id, "failed", &m).await?;
        return Err(Error::invalid(m));
    }
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut rows: Vec<ResidentRow> = Vec::with_capacity(batch);
    // Batches are written while the next is read: the database does most of
    // the work, on connections of its own. They commit in input order (each
    // waits for the one before to commit), so the job's progress after a
    // crash is still the last committed batch. PostgreSQL writes two at once,
    // a server process each; SQLite has one writer, so one.
    let depth = if store.backend() == store::Backend::Postgres { 2 } else { 1 };
    let mut in_flight: std::collections::VecDeque<InFlight> = std::collections::VecDeque::new();
    let mut last_line: u64 = 1;
    let reject = |rep: &mut ImportReport, e: LineError| {
        rep.rejected += 1;
        if rep.errors.len() < 1000 {
            rep.errors.push(e);
        }
    };
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) if e.is_io_error() => {
                // An over-long record or a failing read: nothing after it can be
                // read in step. The batches before it stay committed.
                let m = format!("导入中止：{}（此前已提交 {} 行）", sheet::SheetError::from(e), rep.written);
                while let Some(done) = in_flight.pop_front() {
                    rep.written += done.finish().await?;
                }
                store.insurance_job_finish(actor, job.id, "failed", &m).await?;
                return Err(Error::invalid(m));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(last_line + 1);
                reject(&mut rep, LineError { line, column: String::new(), value: String::new(), message: format!("CSV 格式错误：{e}") });
                rep.read += 1;
                continue;
            }
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(last_line + 1);
        last_line = line;
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        rep.read += 1;
        let fields: Vec<&[u8]> = rec.iter().collect();
        let parsed = parse_row(&fields).and_then(|r| rules.check(&r, as_of).map(|()| r));
        let r = match parsed {
            Ok(r) => r,
            Err(e) => {
                reject(&mut rep, LineError { line, column: e.column.to_string(), value: e.value, message: e.message });
                continue;
            }
        };
        if !district.is_town(&r.town) {
            reject(&mut rep, LineError { line, column: "town".into(), value: r.town.to_string(), message: "不是本区的镇（街）".into() });
            continue;
        }
        if r.village.is_empty() {
            reject(&mut rep, LineError { line, column: "village".into(), value: String::new(), message: "村（居）为空".into() });
            continue;
        }
        if let Some(first) = seen.insert(r.id.body_key(), line) {
            seen.insert(r.id.body_key(), first);
            reject(
                &mut rep,
                LineError {
                    line, column: "id_number".into(), value: r.id.to_string(), message: format!("身份证号码与第{first}行重复")
                },
            );
            continue;
        }
        rep.valid += 1;
        if (line as i64) <= resume {
            continue;
        }
        rows.push(row_of(rules, as_of, &r, Groups::EMPTY, source));
        if rows.len() >= batch {
            if in_flight.len() >= depth
                && let Some(done) = in_flight.pop_front()
            {
                rep.written += done.finish().await?;
                progress(&rep);
            }
            let full = std::mem::replace(&mut rows, Vec::with_capacity(batch));
            let before = in_flight.back_mut().and_then(|b| b.committed.take());
            in_flight.push_back(InFlight::start(store, actor, job.id, full, line as i64, before));
        }
    }
    while let Some(done) = in_flight.pop_front() {
        rep.written += done.finish().await?;
    }
    store.insurance_import_batch(actor, job.id, &rows, last_line as i64).await?;
    rep.written += rows.len() as u64;
    let state = if rep.rejected > 0 { "done_with_errors" } else { "done" };
    store.insurance_job_finish(actor, job.id, state, &rep.summary()).await?;
    progress(&rep);
    Ok(rep)
}

/// A batch being committed by a task of its own.
struct InFlight {
    rows: u64,
    task: tokio::task::JoinHandle<Result<(), store::StoreError>>,
    /// Told whether this batch committed, for the batch after it (taken by that batch).
    committed: Option<tokio::sync::oneshot::Receiver<bool>>,
}

impl InFlight {
    /// `before`: whether the batch before this one committed, when it is still in flight.
    fn start(
        store: &Store,
        actor: &str,
        job_id: i64,
        rows: Vec<ResidentRow>,
        through_line: i64,
        before: Option<tokio::sync::oneshot::Receiver<bool>>,
    ) -> InFlight {
        let (store, actor) = (store.clone(), actor.to_string());
        let n = rows.len() as u64;
        let (tell, committed) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let before = async move {
                match before {
                    // A batch that failed or vanished never says yes.
                    Some(rx) => rx.await.unwrap_or(false),
                    None => true,
                }
            };
            let r = store.insurance_import_batch_after(&actor, job_id, &rows, through_line, before).await;
            let _ = tell.send(r.is_ok()); // nobody listens after the last batch
            r
        });
        InFlight { rows: n, task, committed: Some(committed) }
    }

    /// Wait for the commit; the rows it wrote.
    async fn finish(self) -> Result<u64> {
        match self.task.await {
            Ok(r) => r.map(|()| self.rows).map_err(Error::from),
            Err(e) => Err(Error::internal(format!("导入批次任务异常结束: {e}"))),
        }
    }
}

/// A department list row: an ID number and either a group or a date of death.
#[derive(Debug, Clone)]
pub enum ListChange {
    /// 特殊群体名单 (民政, 乡村振兴, 残联, 退役军人).
    Group(insurance::Group),
    /// 死亡名单 (公安, 民政).
    Deceased(Date),
}

/// A department list's rows: (line, ID number, change).
pub type ListRows = Vec<(u64, String, ListChange)>;

/// Parse a department list (CSV or XLSX through `sheet`, every limit
/// checked) with header `id_number,group` or `id_number,deceased_on`.
pub fn parse_list<R: Read + std::io::Seek + Send>(
    input: R,
    format: sheet::Format,
    limits: &sheet::Limits,
) -> Result<(ListRows, Vec<LineError>), String> {
    let mut records = sheet::read_records(input, format, limits);
    let kind = match records.next() {
        Some(Ok(rec)) => match (rec.cell(0), rec.cell(1)) {
            ("id_number", "group") => "group",
            ("id_number", "deceased_on") => "deceased_on",
            _ => return Err("表头应为 id_number,group 或 id_number,deceased_on".into()),
        },
        Some(Err(e)) => return Err(e.to_string()),
        None => return Err("文件为空".into()),
    };
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    for rec in records {
        let rec = rec.map_err(|e| e.to_string())?;
        let line = rec.line as u64;
        let (id, v) = (rec.cell(0), rec.cell(1));
        if id.is_empty() && v.is_empty() {
            continue;
        }
        let err = |column: &str, value: &str, message: String| LineError { line, column: column.into(), value: value.into(), message };
        let Ok(rid) = ResidentId::parse(id) else {
            errors.push(err("id_number", id, "身份证号码无效".into()));
            continue;
        };
        let change = if kind == "group" {
            match insurance::Group::from_name(v) {
                Some(g) => ListChange::Group(g),
                None => {
                    errors.push(err(
                        "group",
                        v,
                        "未知群体（可用：残疾、五保、低保、优抚、扶贫、特困、返贫致贫、低保边缘、监测帮扶）".into(),
                    ));
                    continue;
                }
            }
        } else {
            match kernel::parse_date(v) {
                Ok(d) => ListChange::Deceased(d),
                Err(e) => {
                    errors.push(err("deceased_on", v, e.to_string()));
                    continue;
                }
            }
        };
        out.push((line, rid.to_string(), change));
    }
    Ok((out, errors))
}
