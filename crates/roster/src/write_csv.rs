//! The rejected rows as CSV (`*.errors.csv`): line, column, value, message.

use std::io::{self, Write};

use crate::Rejected;

/// The errors file's columns.
pub const REJECTED_COLUMNS: [&str; 4] = ["line", "column", "value", "message"];

/// A CSV writer of rejected rows; the header is written on creation.
pub struct RejectedCsv<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> RejectedCsv<W> {
    pub fn new(out: W) -> io::Result<Self> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(REJECTED_COLUMNS)?;
        Ok(RejectedCsv { w })
    }

    pub fn write(&mut self, e: &Rejected) -> io::Result<()> {
        Ok(self.w.write_record([e.line.to_string().as_str(), e.column, &e.value, &e.message])?)
    }

    /// Flush and hand back the writer.
    pub fn finish(self) -> io::Result<W> {
        self.w.into_inner().map_err(|e| e.into_error())
    }
}
