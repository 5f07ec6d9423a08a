//! 征收清册: the collection roster for a contribution year, computed from a
//! resident list by the `insurance` engine and written as CSV (and, through
//! [`xlsx`], as XLSX), with the rejected rows said by line.
//!
//! A library: it reads any `impl Read` and writes any `impl Write`; the CLI
//! (`shanting insurance roster`) adds the arguments, files and progress bar,
//! the web export calls [`xlsx::write_rows`].
//!
//! The CSV path is a streaming pipeline sized for a million residents in well
//! under a second: one thread cuts the input into chunks at record
//! boundaries, workers parse, compute and format each chunk into bytes, and
//! the calling thread puts chunks back in order, rejects duplicate ID numbers
//! and hands the bytes to a writer thread. Memory stays bounded by the chunks
//! in flight plus a 12-byte slot per resident for the duplicate check.

use std::io::{self, Read, Write};

use insurance::{Rules, Status};
use kernel::Date;

mod chunk;
mod emit;
mod idset;
mod parse;
mod pipeline;
pub mod write_csv;
pub mod xlsx;

pub use write_csv::RejectedCsv;

use idset::IdSet;
use pipeline::{Item, RowMeta};

/// A rejected input row (错误行): where, which column, what was there, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based input line (the header is line 1; a sheet row's number for XLSX input).
    pub line: u64,
    /// The input column, empty when the row as a whole is wrong.
    pub column: &'static str,
    pub value: String,
    pub message: String,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第{}行 {}={:?}: {}", self.line, self.column, self.value, self.message)
    }
}

/// Why a roster could not be written. Causes are in the message, not a
/// `source`, so that `{:#}` says them once.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("第1行表头应为\n  {expected}\n实际为\n  {got}")]
    Header { expected: String, got: String },
    #[error("第1行过长，不是预期的表头")]
    HeaderTooLong,
    /// The first rejected row, in strict mode.
    #[error("{0}")]
    Rejected(Rejected),
    #[error("读取输入文件: {0}")]
    Read(io::Error),
    #[error("写入清册: {0}")]
    Write(io::Error),
    #[error("写入错误行: {0}")]
    RejectedOutput(io::Error),
    #[error("{0}线程异常退出")]
    Panicked(&'static str),
}

/// What a run read and wrote (the CLI's summary line), amounts in fen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Totals {
    pub read: u64,
    pub included: u64,
    pub excluded: u64,
    pub rejected: u64,
    pub medical_individual: i64,
    pub medical_on_behalf: i64,
    pub medical_sponsored: i64,
    pub medical_fiscal: i64,
    pub pension_individual: i64,
    pub pension_on_behalf: i64,
    pub pension_subsidy: i64,
    pub total_due: i64,
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

/// One roster run's settings.
#[derive(Debug, Clone, Copy)]
pub struct Roster<'a> {
    /// The contribution year's rules.
    pub rules: &'a Rules,
    /// The reference date for ages.
    pub as_of: Date,
    /// Stop at the first rejected row with [`RosterError::Rejected`].
    pub strict: bool,
    /// The input's size in bytes if known (0 if not): sizes the duplicate table up front.
    pub size_hint: u64,
}

impl Roster<'_> {
    /// Read a resident list (CSV with the contract header, UTF-8, with or
    /// without BOM) from `input` and write the roster CSV to `out`, in input
    /// order. Each rejected row (bad field, duplicate ID number) goes to
    /// `rejected` in input order; `progress` is told the input bytes done.
    ///
    /// On an error `out` may hold part of the roster: write it somewhere
    /// temporary and keep it only on success.
    pub fn write<R: Read + Send, W: Write + Send>(
        &self,
        input: R,
        out: W,
        mut rejected: impl FnMut(&Rejected) -> io::Result<()>,
        mut progress: impl FnMut(u64),
    ) -> Result<Totals, RosterError> {
        let mut totals = Totals::default();
        // Made on the first chunk, while the workers are busy with the next ones.
        let mut ids: Option<IdSet> = None;
        let mut done = 0u64;
        let strict = self.strict;
        let mut reject = |totals: &mut Totals, e: Rejected| {
            if strict {
                return Err(RosterError::Rejected(e));
            }
            totals.rejected += 1;
            rejected(&e).map_err(RosterError::RejectedOutput)
        };
        pipeline::run(input, self.rules, self.as_of, out, |p| {
            let mut run_start = 0usize;
            let mut row_start = 0usize;
            let ids = ids.get_or_insert_with(|| IdSet::with_capacity(usize::try_from(self.size_hint / 64).unwrap_or(0)));
            ids.warm(p.items.iter().filter_map(|i| if let Item::Row(m) = i { Some(m.key) } else { None }));
            for item in p.items.drain(..) {
                totals.read += 1;
                match item {
                    Item::Row(m) => {
                        let end = m.end as usize;
                        if let Some(first) = ids.insert(m.key, m.line) {
                            let e = Rejected {
                                line: m.line,
                                column: "id_number",
                                value: String::from_utf8_lossy(&p.out[row_start..row_start + 18]).into_owned(),
                                message: format!("身份证号码与第{first}行重复"),
                            };
                            // The duplicate's line is cut out of what is written.
                            p.ranges.push((run_start, row_start));
                            run_start = end;
                            row_start = end;
                            reject(&mut totals, e)?;
                            continue;
                        }
                        row_start = end;
                        totals.add(&m);
                    }
                    Item::Err(e) => reject(&mut totals, e)?,
                }
            }
            p.ranges.push((run_start, row_start));
            done += p.bytes as u64;
            progress(done);
            Ok(())
        })?;
        Ok(totals)
    }
}

#[cfg(test)]
mod tests;
