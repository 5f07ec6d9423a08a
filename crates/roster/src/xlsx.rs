//! XLSX out, streamed: the sheet's XML is formatted row by row straight into
//! the zip's deflate stream, so a roster of 100,000 rows takes a fraction of
//! a second and memory does not grow with the rows (no cell table, no
//! shared-string table: text cells are inline strings).
//!
//! One sheet per workbook, numbers as numbers, amounts in yuan with the
//! built-in `#,##0.00` format, an optional bold frozen header row.

use std::io::{self, Read, Seek, Write};

use kernel::Money;
use zip::ZipWriter;
use zip::write::{SimpleFileOptions, StreamWriter};

/// The most rows an XLSX sheet holds (header included).
pub const MAX_ROWS: u32 = 1_048_576;
/// The most columns an XLSX sheet holds.
pub const MAX_COLUMNS: usize = 16_384;

/// One cell of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Nothing written.
    Empty,
    Text(&'a str),
    Int(i64),
    /// Shown in yuan with two decimals and thousands separators; written as
    /// the exact decimal (no float rounding on the way).
    Money(Money),
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell<'_> {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<Money> for Cell<'_> {
    fn from(m: Money) -> Self {
        Cell::Money(m)
    }
}

/// The sheet's name and header row, and how it looks.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    /// 1–31 characters, none of `[]:*?/\`.
    pub name: &'a str,
    /// The first row; empty for none.
    pub headers: &'a [&'a str],
    /// Every column's width in characters; `None` for the default.
    pub column_width: Option<u16>,
    /// The header row in bold and frozen (it stays in view when scrolling).
    pub styled_header: bool,
}

/// Why an XLSX could not be written.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    // The cause is in the message, not a `source`: said once by `{:#}`.
    #[error("写入 XLSX: {0}")]
    Io(io::Error),
    #[error("写入 XLSX: {0}")]
    Zip(zip::result::ZipError),
    #[error("行数超出 XLSX 上限（{MAX_ROWS} 行），请输出为 CSV")]
    TooManyRows,
    #[error("第{row}行列数超出 XLSX 上限（{MAX_COLUMNS} 列）")]
    TooManyColumns { row: u32 },
    #[error("工作表名称应为 1–31 个字符且不含 []:*?/\\，得到 {0:?}")]
    SheetName(String),
    #[error("读取 CSV 第{line}行: {error}")]
    Csv { line: u64, error: csv::Error },
}

impl From<io::Error> for XlsxError {
    fn from(e: io::Error) -> Self {
        XlsxError::Io(e)
    }
}

impl From<zip::result::ZipError> for XlsxError {
    fn from(e: zip::result::ZipError) -> Self {
        XlsxError::Zip(e)
    }
}

/// Bytes formatted before they go to the deflate stream in one write.
const FLUSH_AT: usize = 64 << 10;

/// An XLSX workbook of one sheet being written: [`XlsxWriter::new`], then
/// [`XlsxWriter::row`] per row, then [`XlsxWriter::finish`].
pub struct XlsxWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    buf: Vec<u8>,
    /// Rows written so far, header included.
    rows: u32,
    /// Column letters (`A`, `B`, … `AA` …) by index, made as needed.
    columns: Vec<Box<[u8]>>,
}

impl<W: Write + Seek> XlsxWriter<W> {
    /// Write the workbook's fixed parts and the header row.
    pub fn new(out: W, sheet: &Sheet<'_>) -> Result<Self, XlsxError> {
        check_sheet_name(sheet.name)?;
        Self::start(ZipWriter::new(out), sheet)
    }

    fn start(mut zip: ZipWriter<W>, sheet: &Sheet<'_>) -> Result<Self, XlsxError> {
        // Level 1: the sheet XML is repetitive enough that fast deflate
        // still shrinks it about tenfold; higher levels cost several times
        // the CPU for a few per cent.
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).compression_level(Some(1));
        let mut name = Vec::new();
        push_escaped(&mut name, sheet.name);
        let name = String::from_utf8_lossy(&name);
        for (path, body) in [
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", ROOT_RELS.to_string()),
            ("xl/workbook.xml", WORKBOOK.replace("{name}", &name)),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.to_string()),
            ("xl/styles.xml", STYLES.to_string()),
        ] {
            zip.start_file(path, opts)?;
            zip.write_all(body.as_bytes())?;
        }
        zip.start_file("xl/worksheets/sheet1.xml", opts)?;
        let mut w = XlsxWriter { zip, buf: Vec::with_capacity(FLUSH_AT + 4096), rows: 0, columns: Vec::new() };
        w.buf.extend_from_slice(SHEET_START.as_bytes());
        let frozen = sheet.styled_header && !sheet.headers.is_empty();
        if frozen {
            w.buf.extend_from_slice(
                br#"<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>"#,
            );
        } else {
            w.buf.extend_from_slice(br#"<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>"#);
        }
        w.buf.extend_from_slice(br#"<sheetFormatPr defaultRowHeight="15"/>"#);
        if let Some(width) = sheet.column_width
            && !sheet.headers.is_empty()
        {
            // Excel's stored width for n characters of the default font.
            let stored = f64::from(width) + 0.7109375;
            w.buf.extend_from_slice(
                format!(r#"<cols><col min="1" max="{}" width="{stored}" customWidth="1"/></cols>"#, sheet.headers.len()).as_bytes(),
            );
        }
        w.buf.extend_from_slice(b"<sheetData>");
        if !sheet.headers.is_empty() {
            let cells: Vec<Cell<'_>> = sheet.headers.iter().map(|h| Cell::Text(h)).collect();
            w.styled_row(&cells, if frozen { STYLE_BOLD } else { STYLE_NONE })?;
        }
        Ok(w)
    }

    /// Append one row; trailing [`Cell::Empty`] cells cost nothing.
    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), XlsxError> {
        self.styled_row(cells, STYLE_NONE)
    }

    /// Rows written so far, header included.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    fn styled_row(&mut self, cells: &[Cell<'_>], text_style: &[u8]) -> Result<(), XlsxError> {
        if self.rows >= MAX_ROWS {
            return Err(XlsxError::TooManyRows);
        }
        self.rows += 1;
        if cells.len() > MAX_COLUMNS {
            return Err(XlsxError::TooManyColumns { row: self.rows });
        }
        while self.columns.len() < cells.len() {
            self.columns.push(column_name(self.columns.len()));
        }
        let mut n = itoa::Buffer::new();
        let row = n.format(self.rows).as_bytes();
        let buf = &mut self.buf;
        buf.extend_from_slice(b"<row r=\"");
        buf.extend_from_slice(row);
        buf.extend_from_slice(b"\">");
        for (cell, col) in cells.iter().zip(&self.columns) {
            let start = |buf: &mut Vec<u8>| {
                buf.extend_from_slice(b"<c r=\"");
                buf.extend_from_slice(col);
                buf.extend_from_slice(row);
                buf.push(b'"');
            };
            match *cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    start(buf);
                    buf.extend_from_slice(text_style);
                    let edge_space = s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace);
                    buf.extend_from_slice(if edge_space {
                        &b" t=\"inlineStr\"><is><t xml:space=\"preserve\">"[..]
                    } else {
                        &b" t=\"inlineStr\"><is><t>"[..]
                    });
                    push_escaped(buf, s);
                    buf.extend_from_slice(b"</t></is></c>");
                }
                Cell::Int(v) => {
                    start(buf);
                    buf.extend_from_slice(b"><v>");
                    buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
                    buf.extend_from_slice(b"</v></c>");
                }
                Cell::Money(m) => {
                    start(buf);
                    buf.extend_from_slice(STYLE_MONEY);
                    buf.extend_from_slice(b"><v>");
                    push_yuan(buf, m.fen());
                    buf.extend_from_slice(b"</v></c>");
                }
            }
        }
        buf.extend_from_slice(b"</row>");
        if buf.len() >= FLUSH_AT {
            self.zip.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    }

    /// Close the sheet and the zip; the writer back.
    pub fn finish(mut self) -> Result<W, XlsxError> {
        self.buf.extend_from_slice(SHEET_END.as_bytes());
        self.zip.write_all(&self.buf)?;
        Ok(self.zip.finish()?)
    }
}

impl<W: Write> XlsxWriter<StreamWriter<W>> {
    /// As [`XlsxWriter::new`], into a writer that cannot seek (an HTTP
    /// body, a pipe): each zip entry's sizes follow its data.
    pub fn streamed(out: W, sheet: &Sheet<'_>) -> Result<Self, XlsxError> {
        check_sheet_name(sheet.name)?;
        Self::start(ZipWriter::new_stream(out), sheet)
    }
}

/// [`write_rows`] into a writer that cannot seek, e.g. one that hands each
/// chunk to an HTTP response body as it is made; `out` back.
pub fn write_rows_streamed<'c, W, I, R>(out: W, sheet: &Sheet<'_>, rows: I) -> Result<W, XlsxError>
where
    W: Write,
    I: IntoIterator<Item = R>,
    R: AsRef<[Cell<'c>]>,
{
    let mut w = XlsxWriter::streamed(out, sheet)?;
    for r in rows {
        w.row(r.as_ref())?;
    }
    Ok(w.finish()?.into_inner())
}

/// A workbook of one sheet: the header, then `rows`, into `out`; `out` back.
///
/// For the web export (a town's roster): build each row's cells borrowing
/// from the row, e.g. `rows.iter().map(|r| [Cell::Text(&r.id_number), …])`.
pub fn write_rows<'c, W, I, R>(out: W, sheet: &Sheet<'_>, rows: I) -> Result<W, XlsxError>
where
    W: Write + Seek,
    I: IntoIterator<Item = R>,
    R: AsRef<[Cell<'c>]>,
{
    let mut w = XlsxWriter::new(out, sheet)?;
    for r in rows {
        w.row(r.as_ref())?;
    }
    w.finish()
}

/// A CSV file (header first) as a workbook of one sheet, numbers as numbers
/// in the columns whose header says they hold numbers (`*_fen`, `*_yuan`,
/// `age`, `line`); empty fields stay empty cells. Returns the rows written.
pub fn csv_to_xlsx<W: Write + Seek>(input: impl Read, out: W, sheet: &str) -> Result<(W, u32), XlsxError> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut rec = csv::StringRecord::new();
    let at = |rdr: &csv::Reader<_>| rdr.position().line();
    let mut w = XlsxWriter::new(out, &Sheet { name: sheet, headers: &[], column_width: None, styled_header: false })?;
    let mut numeric: Vec<bool> = Vec::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => return Err(XlsxError::Csv { line: at(&rdr), error }),
        }
        let first = w.rows() == 0;
        if first {
            numeric = rec.iter().map(|h| h.ends_with("_fen") || h.ends_with("_yuan") || h == "age" || h == "line").collect();
        }
        let cells: Vec<Cell<'_>> = rec
            .iter()
            .enumerate()
            .map(|(i, v)| match (!first && numeric.get(i).copied().unwrap_or(false), v.parse::<i64>()) {
                (true, Ok(n)) => Cell::Int(n),
                _ if v.is_empty() => Cell::Empty,
                _ => Cell::Text(v),
            })
            .collect();
        w.row(&cells)?;
    }
    let rows = w.rows();
    Ok((w.finish()?, rows))
}

fn check_sheet_name(name: &str) -> Result<(), XlsxError> {
    let n = name.chars().count();
    if n == 0 || n > 31 || name.contains(['[', ']', ':', '*', '?', '/', '\\']) {
        return Err(XlsxError::SheetName(name.chars().take(40).collect()));
    }
    Ok(())
}

/// `A`, …, `Z`, `AA`, … for a 0-based column index.
fn column_name(mut i: usize) -> Box<[u8]> {
    let mut out = Vec::with_capacity(3);
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    out.into_boxed_slice()
}

/// Fen as the exact yuan decimal: `-1234.50`.
fn push_yuan(buf: &mut Vec<u8>, fen: i64) {
    if fen < 0 {
        buf.push(b'-');
    }
    let a = fen.unsigned_abs();
    buf.extend_from_slice(itoa::Buffer::new().format(a / 100).as_bytes());
    let c = (a % 100) as u8;
    buf.extend_from_slice(&[b'.', b'0' + c / 10, b'0' + c % 10]);
}

/// Text as XML character data: markup escaped, and the control characters
/// XML cannot carry written as Excel's `_xHHHH_`.
fn push_escaped(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if !b.iter().any(|&c| matches!(c, b'&' | b'<' | b'>' | b'"') || (c < 0x20 && c != b'\t' && c != b'\n')) {
        buf.extend_from_slice(b);
        return;
    }
    for &c in b {
        match c {
            b'&' => buf.extend_from_slice(b"&amp;"),
            b'<' => buf.extend_from_slice(b"&lt;"),
            b'>' => buf.extend_from_slice(b"&gt;"),
            b'"' => buf.extend_from_slice(b"&quot;"),
            b'\t' | b'\n' => buf.push(c),
            c if c < 0x20 => buf.extend_from_slice(format!("_x{:04X}_", c).as_bytes()),
            c => buf.push(c),
        }
    }
}

const STYLE_NONE: &[u8] = b"";
const STYLE_BOLD: &[u8] = b" s=\"1\"";
const STYLE_MONEY: &[u8] = b" s=\"2\"";

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
    r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    r#"</Types>"#,
);

const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
    r#"</Relationships>"#,
);

const WORKBOOK: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    r#"<bookViews><workbookView/></bookViews><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
);

const WORKBOOK_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    r#"</Relationships>"#,
);

/// Cell styles: 0 plain, 1 bold (the header), 2 `#,##0.00` (built-in number format 4, amounts in yuan).
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>"#,
    r#"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
    r#"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#,
    r#"<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#,
    r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
    r#"</styleSheet>"#,
);

const SHEET_START: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
);

const SHEET_END: &str =
    r#"</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#;

#[cfg(test)]
mod tests;
