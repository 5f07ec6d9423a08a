//! The one spreadsheet reader: every CSV or XLSX file a user hands the
//! platform (resident lists, village lists, the departments' group and death
//! lists) is read here, by the web pages and the command line alike.
//!
//! *Invariant:* memory stays bounded whatever the input. Nothing is read
//! whole: an XLSX is inspected before any cell is read (zip entry count,
//! declared and actual uncompressed sizes, compression ratio, the sheet's
//! declared extent, the longest XML tag or text), then its first worksheet is
//! streamed cell by cell with calamine's cell reader (never a dense range);
//! CSV is read record by record with the record length capped before it is
//! buffered. Every limit is a field of [`Limits`]; every refusal is a
//! [`SheetError`] whose Chinese message names the line, row, column or cell,
//! and echoes at most 200 characters of the input.
//!
//! Two ways out:
//! - [`xlsx_to_csv`] writes an XLSX sheet as CSV text whose line N is sheet
//!   row N, for the bulk paths (resident import, roster), which then read CSV;
//! - [`read_records`] yields the [`Record`]s of a small list (CSV or XLSX).
//!
//! No async, no HTTP, no database: callers on a runtime run these on a
//! blocking thread.

mod cell;
mod error;
mod guard;
mod records;
mod xlsx;
mod xml;

use std::fmt;

pub use cell::excel_date;
pub use error::SheetError;
pub use guard::LineGuard;
pub use records::{Records, read_csv_records, read_records};
pub use xlsx::xlsx_to_csv;

/// How much of anything a file may contain. [`Limits::default`] is for files
/// the operator hands the command line; [`Limits::for_upload`] for uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file itself, bytes. Default 1 GiB; uploads 256 MiB.
    pub max_bytes: u64,
    /// Sheet rows or CSV records, the header included. Default 1,100,000: a
    /// district of a million residents must still import in one file.
    pub max_rows: u32,
    /// Columns of a row or fields of a record. Default 256.
    pub max_cols: u32,
    /// Text of one cell or field, bytes of UTF-8. Default 4 KiB.
    pub max_cell_bytes: usize,
    /// One CSV record (a line, or the lines of a quoted field), bytes.
    /// Default 64 KiB. Checked before the record is buffered.
    pub max_line_bytes: usize,
    /// XLSX: the uncompressed size of all zip entries together, which also
    /// caps the CSV written from a sheet. Default 2 GiB.
    pub max_uncompressed_bytes: u64,
    /// XLSX: uncompressed ÷ compressed size of any entry over 1 MiB.
    /// Default 200 (real sheets compress 5–20 times; a bomb, thousands).
    pub max_compression_ratio: u32,
    /// XLSX: entries in the zip. Default 10,000.
    pub max_entries: usize,
    /// XLSX: the parts calamine reads whole before the first cell (shared
    /// strings, styles, workbook, relationships), uncompressed bytes
    /// together. Default 512 MiB; uploads 128 MiB (a million residents'
    /// names and ID numbers as shared strings take about 70 MB).
    pub max_loaded_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 1 << 30,
            max_rows: 1_100_000,
            max_cols: 256,
            max_cell_bytes: 4 << 10,
            max_line_bytes: 64 << 10,
            max_uncompressed_bytes: 2 << 30,
            max_compression_ratio: 200,
            max_entries: 10_000,
            max_loaded_bytes: 512 << 20,
        }
    }
}

impl Limits {
    /// The limits for a file uploaded to the server: the defaults with the
    /// file at most 256 MiB and the parts read whole at most 128 MiB.
    pub fn for_upload() -> Self {
        Limits { max_bytes: 256 << 20, max_loaded_bytes: 128 << 20, ..Limits::default() }
    }
}

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text, UTF-8 with or without BOM.
    Csv,
    /// Office Open XML workbook (.xlsx, .xlsm): a zip.
    Xlsx,
}

impl Format {
    /// The format named by a file name's extension, if it names one.
    pub fn from_extension(file_name: &str) -> Option<Format> {
        let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        match ext.as_str() {
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "csv" | "txt" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The format of a file from its name and its first bytes: XLSX when it
    /// starts with the zip magic `PK\x03\x04` or is named `.xlsx`/`.xlsm`
    /// (a misnamed file then fails as an invalid XLSX, not as odd CSV),
    /// otherwise CSV. Legacy binary workbooks (.xls, .xlsb, .ods, or the
    /// OLE2 magic) are refused with a message saying what to do.
    pub fn detect(file_name: &str, first_bytes: &[u8]) -> Result<Format, SheetError> {
        if first_bytes.starts_with(b"PK\x03\x04") {
            return Ok(Format::Xlsx);
        }
        let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        if matches!(ext.as_str(), "xls" | "xlsb" | "ods" | "et") || first_bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
            return Err(SheetError::Unsupported { what: if ext.is_empty() { "xls".into() } else { clip(&ext, 20) } });
        }
        Ok(Format::from_extension(file_name).unwrap_or(Format::Csv))
    }
}

/// One record of a list: its line (1-based, the header is line 1; for XLSX
/// the sheet row) and its cells as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Record {
    /// Cell `i`, trimmed; empty when the record is shorter.
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(|c| c.trim()).unwrap_or("")
    }

    /// Whether every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// What [`xlsx_to_csv`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// CSV lines written (the last sheet row with a value).
    pub lines: u32,
    /// Cells with a value.
    pub cells: u64,
    /// CSV bytes written.
    pub bytes: u64,
}

/// At most `max` characters of `s`, with "…" when cut: what an error
/// message may echo of the input.
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// How much input an error message echoes, characters.
pub(crate) const ECHO: usize = 200;

/// A byte count for a message: "64 KiB", "256 MiB", "2 GiB", "4097 字节".
pub(crate) struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
            if b >= 1 << shift && b.is_multiple_of(1 << shift) {
                return write!(f, "{} {unit}", b >> shift);
            }
        }
        write!(f, "{b} 字节")
    }
}

/// A cell's A1 name from 0-based row and column: (0, 0) → "A1", (1048575, 16383) → "XFD1048576".
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        let r = ((c - 1) % 26) as u8;
        letters.push(b'A' + r);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), u64::from(row) + 1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_of_cells() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(0, 255), "IV1");
    }

    #[test]
    fn clipping_counts_characters() {
        assert_eq!(clip("山亭区", 2), "山亭…");
        assert_eq!(clip("山亭区", 3), "山亭区");
        assert_eq!(clip(&"x".repeat(500), ECHO).chars().count(), ECHO + 1);
    }

    #[test]
    fn byte_counts_read_well() {
        assert_eq!(Bytes(64 << 10).to_string(), "64 KiB");
        assert_eq!(Bytes(256 << 20).to_string(), "256 MiB");
        assert_eq!(Bytes(2 << 30).to_string(), "2 GiB");
        assert_eq!(Bytes(4097).to_string(), "4097 字节");
    }

    #[test]
    fn formats_are_detected_by_magic_then_name() {
        assert_eq!(Format::detect("a.csv", b"PK\x03\x04rest").unwrap(), Format::Xlsx);
        assert_eq!(Format::detect("upload", b"PK\x03\x04").unwrap(), Format::Xlsx);
        assert_eq!(Format::detect("a.XLSX", b"id_number,").unwrap(), Format::Xlsx);
        assert_eq!(Format::detect("a.csv", b"id_number,").unwrap(), Format::Csv);
        assert_eq!(Format::detect("noext", b"").unwrap(), Format::Csv);
        assert!(matches!(Format::detect("old.xls", b"x"), Err(SheetError::Unsupported { .. })));
        assert!(Format::detect("renamed.csv", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").is_err());
        assert_eq!(Format::from_extension("a.xlsm"), Some(Format::Xlsx));
        assert_eq!(Format::from_extension("a"), None);
    }

    #[test]
    fn upload_limits_are_tighter() {
        let (d, u) = (Limits::default(), Limits::for_upload());
        assert!(u.max_bytes < d.max_bytes && u.max_loaded_bytes < d.max_loaded_bytes);
        assert_eq!(u.max_rows, 1_100_000);
    }
}
