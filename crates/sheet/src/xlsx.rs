//! XLSX → CSV: inspect the zip, then stream the first worksheet's cells.

use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Reader as _, Xlsx};

use crate::cell::cell_text;
use crate::xml::XmlBounds;
use crate::{ECHO, Limits, SheetError, Summary, cell_name, clip};

/// The longest XML event (a tag, a text, a comment …) and the longest cell
/// element (`<c>…</c>`) of any part calamine may parse. Excel's own longest
/// cell (32,767 characters, escaped) fits with room to spare.
pub(crate) const MAX_XML_EVENT: u64 = 1 << 20;

/// A part that is not XML by its name (an image, a binary) is not scanned
/// for long events unless it is larger than this; no part calamine could be
/// pointed at can therefore hold an event longer than this.
const UNSCANNED_PART: u64 = 32 << 20;

/// Entries this small may compress as well as they like.
const RATIO_EXEMPT: u64 = 1 << 20;

/// Write the first worksheet of an XLSX as CSV: line N is sheet row N
/// (rows without a value become empty lines), fields are the cells' text
/// (see [`crate::excel_date`] for dates), quoted when they hold `,` or `"`.
/// A row with a value is written at least as wide as the first such row
/// (the header), so that trailing blank cells still count as columns;
/// blank cells beyond that are trimmed.
///
/// Before any cell is read the zip is inspected (entry count, declared and
/// actual uncompressed sizes, compression ratio, the longest XML event and
/// cell element) and the sheet's declared `<dimension>` is checked; while
/// streaming, every cell is checked again (a sheet may lie about its
/// dimension). Memory stays bounded by the limits whatever the input.
pub fn xlsx_to_csv<R: Read + Seek, W: Write>(mut input: R, limits: &Limits, out: W) -> Result<Summary, SheetError> {
    inspect(&mut input, limits)?;
    input.seek(SeekFrom::Start(0))?;
    // calamine indexes its shared strings with numbers from the file and
    // panics on one out of range; such a file is refused like any other.
    match catch_unwind(AssertUnwindSafe(|| convert(input, limits, out))) {
        Ok(r) => r,
        Err(_) => Err(SheetError::Xlsx("工作表内容无效（引用了不存在的共享字符串或样式）".into())),
    }
}

fn read_u16(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 2).map(|s| u64::from(u16::from_le_bytes([s[0], s[1]]))).unwrap_or(0)
}

fn read_u64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map(|s| u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])).unwrap_or(0)
}

/// The entry counts the end-of-central-directory records claim (every
/// candidate in the tail, and the zip64 record each points to), checked
/// before the zip library sizes anything by them.
fn check_entry_counts<R: Read + Seek>(input: &mut R, len: u64, limits: &Limits) -> Result<(), SheetError> {
    let tail_len = len.min(65_557 + 20);
    input.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    input.read_exact(&mut tail)?;
    let too_many = |entries: u64| -> Result<(), SheetError> {
        if entries > limits.max_entries as u64 {
            return Err(SheetError::TooManyEntries { entries, max: limits.max_entries });
        }
        Ok(())
    };
    for at in memchr::memmem::find_iter(&tail, b"PK\x05\x06") {
        too_many(read_u16(&tail, at + 10))?;
        // A zip64 locator right before it points to the zip64 record.
        if at >= 20 && tail[at - 20..].starts_with(b"PK\x06\x07") {
            let rec = read_u64(&tail, at - 20 + 8);
            if rec.checked_add(56).is_some_and(|end| end <= len) {
                let mut r = [0u8; 56];
                input.seek(SeekFrom::Start(rec))?;
                input.read_exact(&mut r)?;
                if r.starts_with(b"PK\x06\x06") {
                    too_many(read_u64(&r, 32))?;
                    too_many(read_u64(&r, 24))?;
                }
            }
        }
    }
    Ok(())
}

fn is_xml_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".xml") || n.ends_with(".rels") || n.ends_with(".vml")
}

fn is_worksheet(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("xl/worksheets/") || n.starts_with("xl/chartsheets/") || n.starts_with("xl/dialogsheets/")
}

/// Everything that can be checked before a cell is read.
fn inspect<R: Read + Seek>(input: &mut R, limits: &Limits) -> Result<(), SheetError> {
    let len = input.seek(SeekFrom::End(0))?;
    if len > limits.max_bytes {
        return Err(SheetError::FileTooLarge { limit: limits.max_bytes });
    }
    let mut magic = [0u8; 4];
    input.seek(SeekFrom::Start(0))?;
    if len < 22 || input.read_exact(&mut magic).is_err() || &magic != b"PK\x03\x04" {
        return Err(SheetError::NotXlsx("文件不是 zip 压缩包".into()));
    }
    check_entry_counts(input, len, limits)?;
    input.seek(SeekFrom::Start(0))?;
    let mut zip = zip::ZipArchive::new(&mut *input).map_err(SheetError::zip)?;
    if zip.len() > limits.max_entries {
        return Err(SheetError::TooManyEntries { entries: zip.len() as u64, max: limits.max_entries });
    }
    // Declared sizes first: cheap, and they stop the honest bombs at once.
    let (mut total, mut loaded) = (0u64, 0u64);
    let mut to_read = Vec::new();
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(SheetError::zip)?;
        if f.is_dir() {
            continue;
        }
        let name = clip(f.name(), ECHO);
        let (size, packed) = (f.size(), f.compressed_size());
        if size > limits.max_uncompressed_bytes {
            return Err(SheetError::EntryTooLarge { name, size, limit: limits.max_uncompressed_bytes });
        }
        total = total.saturating_add(size);
        if total > limits.max_uncompressed_bytes {
            return Err(SheetError::UncompressedTooLarge { limit: limits.max_uncompressed_bytes });
        }
        if size > RATIO_EXEMPT {
            let ratio = size / packed.max(1);
            if ratio > u64::from(limits.max_compression_ratio) {
                return Err(SheetError::CompressionRatio { name, ratio, max: limits.max_compression_ratio });
            }
        }
        let xml = is_xml_name(f.name());
        if xml && !is_worksheet(f.name()) {
            loaded = loaded.saturating_add(size);
            if loaded > limits.max_loaded_bytes {
                return Err(SheetError::LoadedTooLarge { limit: limits.max_loaded_bytes });
            }
        }
        to_read.push((i, name, size, xml || size > UNSCANNED_PART));
    }
    // Then the truth: a zip can declare any size. Each entry is inflated
    // once into a fixed buffer; none may exceed what it declared, and no
    // part calamine parses may hold an over-long event.
    let mut buf = vec![0u8; 64 << 10];
    for (i, name, declared, scan) in to_read {
        let mut f = zip.by_index(i).map_err(SheetError::zip)?;
        let mut bounds = scan.then(|| XmlBounds::new(MAX_XML_EVENT));
        let mut seen = 0u64;
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(SheetError::NotXlsx(clip(&format!("条目 {name}：{e}"), ECHO))),
            };
            seen += n as u64;
            if seen > declared {
                return Err(SheetError::SizeMismatch { name, declared });
            }
            if let Some(b) = bounds.as_mut()
                && let Err(offset) = b.feed(&buf[..n])
            {
                return Err(SheetError::XmlRunTooLong { name, offset, limit: MAX_XML_EVENT });
            }
        }
    }
    Ok(())
}

fn range_name(d: calamine::Dimensions) -> String {
    let (a, b) = (cell_name(d.start.0, d.start.1), cell_name(d.end.0, d.end.1));
    if a == b { a } else { format!("{a}:{b}") }
}

fn convert<R: Read + Seek, W: Write>(input: R, limits: &Limits, out: W) -> Result<Summary, SheetError> {
    let mut wb: Xlsx<R> = Xlsx::new(input).map_err(SheetError::xlsx)?;
    let first = wb.sheet_names().into_iter().next().ok_or(SheetError::NoSheet)?;
    let mut cells = wb.worksheet_cells_reader(&first).map_err(SheetError::xlsx)?;
    let d = cells.dimensions();
    if d.end.1 >= limits.max_cols {
        return Err(SheetError::ExtentTooLarge { range: range_name(d), what: "列", max: limits.max_cols });
    }
    if d.end.0 >= limits.max_rows {
        return Err(SheetError::ExtentTooLarge { range: range_name(d), what: "行", max: limits.max_rows });
    }
    let mut w = RowWriter::new(out, limits);
    let mut text = String::new();
    while let Some(c) = cells.next_cell().map_err(SheetError::xlsx)? {
        let (row, col) = c.get_position();
        cell_text(c.get_value(), &mut text);
        if text.is_empty() {
            continue;
        }
        if row >= limits.max_rows {
            return Err(SheetError::CellOutOfRange { cell: cell_name(row, col), what: "行", max: limits.max_rows });
        }
        if col >= limits.max_cols {
            return Err(SheetError::CellOutOfRange { cell: cell_name(row, col), what: "列", max: limits.max_cols });
        }
        if text.len() > limits.max_cell_bytes {
            return Err(SheetError::CellTooLong { cell: cell_name(row, col), limit: limits.max_cell_bytes });
        }
        w.put(row, col, &text)?;
    }
    w.finish()
}

/// Collects one sheet row's cells and writes rows as CSV lines.
struct RowWriter<W: Write> {
    out: BufWriter<W>,
    max_bytes: u64,
    /// The row being collected, and its cells (index = column).
    row: Option<u32>,
    cells: Vec<String>,
    width: usize,
    /// Lines written so far (= the next row to write).
    lines: u32,
    header_width: Option<usize>,
    summary: Summary,
}

impl<W: Write> RowWriter<W> {
    fn new(out: W, limits: &Limits) -> Self {
        RowWriter {
            out: BufWriter::with_capacity(64 << 10, out),
            max_bytes: limits.max_uncompressed_bytes,
            row: None,
            cells: Vec::new(),
            width: 0,
            lines: 0,
            header_width: None,
            summary: Summary::default(),
        }
    }

    fn put(&mut self, row: u32, col: u32, text: &str) -> Result<(), SheetError> {
        match self.row {
            Some(r) if row < r => return Err(SheetError::RowOrder { cell: cell_name(row, col), after: r + 1 }),
            Some(r) if row > r => self.flush_row()?,
            _ => {}
        }
        self.row = Some(row);
        let col = col as usize;
        if self.cells.len() <= col {
            self.cells.resize_with(col + 1, String::new);
        }
        self.cells[col].clear();
        self.cells[col].push_str(text);
        self.width = self.width.max(col + 1);
        self.summary.cells += 1;
        Ok(())
    }

    fn write(&mut self, b: &[u8]) -> Result<(), SheetError> {
        self.summary.bytes += b.len() as u64;
        if self.summary.bytes > self.max_bytes {
            return Err(SheetError::OutputTooLarge { limit: self.max_bytes });
        }
        self.out.write_all(b)?;
        Ok(())
    }

    fn flush_row(&mut self) -> Result<(), SheetError> {
        let Some(row) = self.row.take() else { return Ok(()) };
        while self.lines < row {
            self.write(b"\n")?;
            self.lines += 1;
        }
        let width = self.width.max(*self.header_width.get_or_insert(self.width));
        let cells = std::mem::take(&mut self.cells);
        let mut line = Vec::with_capacity(cells.iter().take(width).map(|c| c.len() + 1).sum::<usize>() + 1);
        for i in 0..width {
            if i > 0 {
                line.push(b',');
            }
            push_field(&mut line, cells.get(i).map(String::as_bytes).unwrap_or(b""));
        }
        line.push(b'\n');
        self.write(&line)?;
        self.lines = row + 1;
        self.summary.lines = self.lines;
        self.cells = cells;
        for c in &mut self.cells {
            c.clear();
        }
        self.width = 0;
        Ok(())
    }

    fn finish(mut self) -> Result<Summary, SheetError> {
        self.flush_row()?;
        self.out.flush()?;
        Ok(self.summary)
    }
}

/// A CSV field, quoted (with `"` doubled) when it holds `,`, `"`, CR or LF.
pub(crate) fn push_field(out: &mut Vec<u8>, f: &[u8]) {
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

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Cursor;

    use rust_xlsxwriter::{Format as XFormat, Workbook, Worksheet};
    use zip::write::SimpleFileOptions;

    use super::*;

    pub(crate) fn book(f: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
        let mut wb = Workbook::new();
        f(wb.add_worksheet());
        wb.save_to_buffer().unwrap()
    }

    /// A zip of the given parts.
    pub(crate) fn zip_of(parts: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in parts {
            w.start_file(*name, SimpleFileOptions::default().compression_method(method)).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    pub(crate) const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    pub(crate) const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

    /// A workbook written by hand: one sheet whose `<sheetData>` content is `rows`.
    pub(crate) fn handmade(dimension: &str, rows: &str, sst: Option<&str>, method: zip::CompressionMethod) -> Vec<u8> {
        let sheet = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
        );
        let mut parts: Vec<(&str, &[u8])> = vec![
            ("xl/workbook.xml", WORKBOOK.as_bytes()),
            ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ];
        if let Some(s) = sst {
            parts.push(("xl/sharedStrings.xml", s.as_bytes()));
        }
        zip_of(&parts, method)
    }

    fn stored(dimension: &str, rows: &str) -> Vec<u8> {
        handmade(dimension, rows, None, zip::CompressionMethod::Stored)
    }

    fn to_csv(bytes: &[u8], limits: &Limits) -> Result<String, SheetError> {
        let mut out = Vec::new();
        xlsx_to_csv(Cursor::new(bytes), limits, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_sheet_becomes_csv_with_line_n_for_row_n() {
        let date = XFormat::new().set_num_format("yyyy-mm-dd");
        let x = book(|ws| {
            for (c, h) in ["id", "name", "note", "when", "flag"].iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            ws.write_string(1, 0, "37040619581220001X").unwrap();
            ws.write_string(1, 1, "刘,\"丙\"").unwrap();
            ws.write_string(1, 2, "两\n行").unwrap();
            ws.write_number_with_format(1, 3, 44835.0, &date).unwrap();
            ws.write_boolean(1, 4, true).unwrap();
            // Row 3 empty; row 4 short (padded to the header's width); row 5 wider.
            ws.write_number(3, 0, 500.0).unwrap();
            ws.write_number(3, 1, 75.5).unwrap();
            ws.write_string(4, 6, "extra").unwrap();
        });
        let csv = to_csv(&x, &Limits::default()).unwrap();
        assert_eq!(csv, "id,name,note,when,flag\n37040619581220001X,\"刘,\"\"丙\"\"\",两 行,2022-10-01,true\n\n500,75.5,,,\n,,,,,,extra\n");
    }

    #[test]
    fn a_sheet_not_starting_at_a1_keeps_its_rows_and_columns() {
        let x = book(|ws| {
            ws.write_string(2, 1, "b3").unwrap();
        });
        let mut out = Vec::new();
        let s = xlsx_to_csv(Cursor::new(&x), &Limits::default(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\n\n,b3\n");
        assert_eq!(s, Summary { lines: 3, cells: 1, bytes: 6 });
    }

    #[test]
    fn both_sides_of_the_declared_extent() {
        let l = Limits { max_cols: 3, max_rows: 4, ..Limits::default() };
        assert!(to_csv(&stored("A1:C4", r#"<row r="4"><c r="C4"><v>1</v></c></row>"#), &l).is_ok());
        let e = to_csv(&stored("A1:D1", ""), &l).unwrap_err();
        assert_eq!(e.to_string(), "工作表范围 A1:D1 超过上限（最多 3 列）");
        let e = to_csv(&stored("A1:C5", ""), &l).unwrap_err();
        assert_eq!(e.to_string(), "工作表范围 A1:C5 超过上限（最多 4 行）");
    }

    #[test]
    fn a_sheet_that_lies_about_its_dimension_is_still_caught() {
        let l = Limits { max_cols: 3, max_rows: 4, ..Limits::default() };
        let e = to_csv(&stored("A1", r#"<row r="1"><c r="D1"><v>1</v></c></row>"#), &l).unwrap_err();
        assert_eq!(e.to_string(), "单元格 D1 超出上限（最多 3 列）");
        let e = to_csv(&stored("A1", r#"<row r="5"><c r="A5"><v>1</v></c></row>"#), &l).unwrap_err();
        assert_eq!(e.to_string(), "单元格 A5 超出上限（最多 4 行）");
        // Empty cells out there are ignored.
        assert_eq!(to_csv(&stored("A1", r#"<row r="1"><c r="A1"><v>1</v></c><c r="Z1"/></row>"#), &l).unwrap(), "1\n");
    }

    #[test]
    fn both_sides_of_the_cell_limit() {
        let l = Limits { max_cell_bytes: 6, ..Limits::default() };
        let row = |s: &str| format!(r#"<row r="1"><c r="B1" t="inlineStr"><is><t>{s}</t></is></c></row>"#);
        assert_eq!(to_csv(&stored("B1", &row("山亭")), &l).unwrap(), ",山亭\n");
        assert_eq!(to_csv(&stored("B1", &row("山亭区")), &l).unwrap_err().to_string(), "单元格 B1 的内容超过上限 6 字节");
    }

    #[test]
    fn rows_out_of_order_are_refused() {
        let rows = r#"<row r="3"><c r="A3"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>"#;
        assert!(matches!(to_csv(&stored("A1:A3", rows), &Limits::default()), Err(SheetError::RowOrder { after: 3, .. })));
    }

    #[test]
    fn a_shared_string_index_out_of_range_is_an_error_not_a_panic() {
        let sst = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si></sst>"#;
        let x = handmade("A1", r#"<row r="1"><c r="A1" t="s"><v>7</v></c></row>"#, Some(sst), zip::CompressionMethod::Deflated);
        let e = to_csv(&x, &Limits::default()).unwrap_err();
        assert!(matches!(e, SheetError::Xlsx(_)), "{e:?}");
        let ok = handmade("A1", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#, Some(sst), zip::CompressionMethod::Deflated);
        assert_eq!(to_csv(&ok, &Limits::default()).unwrap(), "a\n");
    }

    #[test]
    fn not_a_zip_and_no_workbook() {
        assert!(matches!(to_csv(b"id,name\n", &Limits::default()), Err(SheetError::NotXlsx(_))));
        let x = zip_of(&[("hello.txt", b"hi")], zip::CompressionMethod::Deflated);
        assert!(to_csv(&x, &Limits::default()).is_err());
    }

    #[test]
    fn both_sides_of_the_file_and_entry_limits() {
        let x = stored("A1", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
        let len = x.len() as u64;
        assert!(to_csv(&x, &Limits { max_bytes: len, ..Limits::default() }).is_ok());
        assert!(matches!(to_csv(&x, &Limits { max_bytes: len - 1, ..Limits::default() }), Err(SheetError::FileTooLarge { .. })));
        assert!(to_csv(&x, &Limits { max_entries: 3, ..Limits::default() }).is_ok());
        let e = to_csv(&x, &Limits { max_entries: 2, ..Limits::default() }).unwrap_err();
        assert_eq!(e.to_string(), "XLSX 压缩包有 3 个条目，超过上限 2 个");
    }

    #[test]
    fn a_claimed_entry_count_is_refused_before_the_zip_is_parsed() {
        let mut x = stored("A1", "");
        let at = memchr::memmem::rfind(&x, b"PK\x05\x06").unwrap();
        x[at + 8..at + 12].copy_from_slice(&[0xFF; 4]);
        let e = to_csv(&x, &Limits::default()).unwrap_err();
        assert!(matches!(e, SheetError::TooManyEntries { entries: 65535, .. }), "{e:?}");
    }

    #[test]
    fn both_sides_of_the_uncompressed_and_loaded_limits() {
        let x = stored("A1", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
        let mut zip = zip::ZipArchive::new(Cursor::new(&x)).unwrap();
        let sizes: Vec<(String, u64)> =
            (0..zip.len()).map(|i| zip.by_index(i).map(|f| (f.name().to_string(), f.size())).unwrap()).collect();
        let total: u64 = sizes.iter().map(|s| s.1).sum();
        let loaded: u64 = sizes.iter().filter(|s| !s.0.contains("worksheets")).map(|s| s.1).sum();
        assert!(to_csv(&x, &Limits { max_uncompressed_bytes: total, ..Limits::default() }).is_ok());
        assert!(matches!(
            to_csv(&x, &Limits { max_uncompressed_bytes: total - 1, ..Limits::default() }),
            Err(SheetError::UncompressedTooLarge { .. })
        ));
        assert!(to_csv(&x, &Limits { max_loaded_bytes: loaded, ..Limits::default() }).is_ok());
        assert!(matches!(
            to_csv(&x, &Limits { max_loaded_bytes: loaded - 1, ..Limits::default() }),
            Err(SheetError::LoadedTooLarge { .. })
        ));
    }

    #[test]
    fn both_sides_of_the_compression_ratio() {
        // 2 MiB of one repeated row compresses very well.
        let rows = r#"<row><c><v>1</v></c></row>"#.repeat(80_000);
        let x = handmade("A1", &rows, None, zip::CompressionMethod::Deflated);
        let mut zip = zip::ZipArchive::new(Cursor::new(&x)).unwrap();
        let f = zip.by_name("xl/worksheets/sheet1.xml").unwrap();
        let ratio = (f.size() / f.compressed_size()) as u32;
        drop(f);
        assert!(ratio > 50, "ratio {ratio}");
        let l = Limits { max_rows: 2_000_000, ..Limits::default() };
        assert!(to_csv(&x, &Limits { max_compression_ratio: ratio, ..l }).is_ok());
        let e = to_csv(&x, &Limits { max_compression_ratio: ratio - 1, ..l }).unwrap_err();
        assert!(e.to_string().contains("xl/worksheets/sheet1.xml 的压缩比") && e.to_string().contains("疑似压缩炸弹"), "{e}");
    }

    /// Rewrite every declared uncompressed size of `name` (stored, so the
    /// data is still read whole) to `size`.
    fn lie_about_size(x: &mut [u8], name: &str, size: u32) {
        let n = name.as_bytes();
        let locals: Vec<usize> = memchr::memmem::find_iter(x, b"PK\x03\x04").collect();
        for at in locals {
            if x[at + 30..].starts_with(n) {
                x[at + 22..at + 26].copy_from_slice(&size.to_le_bytes());
            }
        }
        let centrals: Vec<usize> = memchr::memmem::find_iter(x, b"PK\x01\x02").collect();
        for at in centrals {
            if x[at + 46..].starts_with(n) {
                x[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
            }
        }
    }

    #[test]
    fn an_entry_larger_than_it_declares_is_refused() {
        let mut x = stored("A1", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
        assert!(to_csv(&x, &Limits::default()).is_ok());
        lie_about_size(&mut x, "xl/worksheets/sheet1.xml", 10);
        let e = to_csv(&x, &Limits::default()).unwrap_err();
        assert!(matches!(&e, SheetError::SizeMismatch { name, declared: 10 } if name == "xl/worksheets/sheet1.xml"), "{e:?}");
    }

    #[test]
    fn both_sides_of_the_xml_event_limit() {
        let sheet = |n: usize| {
            let xml = format!(
                r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetPr><x>{}</x></sheetPr><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#,
                "y".repeat(n)
            );
            let parts: [(&str, &[u8]); 3] = [
                ("xl/workbook.xml", WORKBOOK.as_bytes()),
                ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
                ("xl/worksheets/sheet1.xml", xml.as_bytes()),
            ];
            zip_of(&parts, zip::CompressionMethod::Stored)
        };
        assert_eq!(to_csv(&sheet(MAX_XML_EVENT as usize), &Limits::default()).unwrap(), "1\n");
        let e = to_csv(&sheet(MAX_XML_EVENT as usize + 1), &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("长于 1 MiB"), "{e}");
    }
}
