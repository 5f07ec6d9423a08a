//! Spreadsheet bombs: a 1.5 KB workbook whose two cells span the whole sheet
//! (A1 and XFD1048576), a zip whose sheet inflates a thousand times, and one
//! that lies about its size. All are refused quickly, and the allocator of
//! this test binary is capped so that "bounded memory" is checked, not hoped.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::alloc::System;
use std::io::{BufWriter, Cursor, Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

use common::start_with;
use sheet::{Format, Limits, SheetError, read_records, xlsx_to_csv};

mod common;

/// Every test in this binary together may hold at most this much at once;
/// past it an allocation fails and the test binary aborts.
#[global_allocator]
static ALLOC: cap::Cap<System> = cap::Cap::new(System, 256 << 20);

fn the_a1_xfd1048576_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id_number").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn the_sheet_that_spans_a1_to_xfd1048576_is_refused_before_any_cell() {
    let bomb = the_a1_xfd1048576_workbook();
    assert!(bomb.len() < 8 << 10, "a small file: {} bytes", bomb.len());
    let t = Instant::now();
    let mut out = Vec::new();
    let e = xlsx_to_csv(Cursor::new(&bomb), &Limits::for_upload(), &mut out).unwrap_err();
    assert_eq!(e.to_string(), "工作表范围 A1:XFD1048576 超过上限（最多 256 列）");
    assert!(out.is_empty());
    let r: Vec<_> = read_records(Cursor::new(bomb), Format::Xlsx, &Limits::default()).collect();
    assert_eq!(r.len(), 1);
    assert!(matches!(&r[0], Err(SheetError::ExtentTooLarge { .. })));
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[test]
fn the_same_sheet_hiding_its_extent_is_caught_while_streaming() {
    // The dimension says A1; the cells say otherwise.
    let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id_number</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
    let bomb = workbook_with_sheet(sheet.as_bytes());
    let mut out = Vec::new();
    let e = xlsx_to_csv(Cursor::new(&bomb), &Limits::default(), &mut out).unwrap_err();
    assert_eq!(e.to_string(), "单元格 XFD1048576 超出上限（最多 256 列）");
    // A sheet with a million empty rows before its last cell writes a
    // million empty lines (1 MB), never a dense range.
    let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData><row r="1048576"><c r="IV1048576"><v>1</v></c></row></sheetData></worksheet>"#;
    let mut out = Vec::new();
    let s = xlsx_to_csv(Cursor::new(workbook_with_sheet(sheet.as_bytes())), &Limits::default(), &mut out).unwrap();
    assert_eq!(s.lines, 1_048_576);
    assert_eq!(out.len(), 1_048_575 + 255 + 2);
}

fn start<W: Write + Seek>(w: &mut zip::ZipWriter<W>) {
    start_with(w, zip::CompressionMethod::Deflated);
}

fn workbook_with_sheet(sheet: &[u8]) -> Vec<u8> {
    common::workbook(sheet, None, zip::CompressionMethod::Deflated)
}

/// A workbook whose sheet is `mib` MiB of one byte between the tags,
/// written streaming into a temporary file (a few hundred KB).
fn ratio_bomb(mib: usize) -> std::fs::File {
    let file = tempfile::tempfile().unwrap();
    let mut w = zip::ZipWriter::new(BufWriter::new(file));
    start(&mut w);
    w.write_all(br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
    let block = vec![b' '; 1 << 20];
    for _ in 0..mib {
        w.write_all(&block).unwrap();
    }
    w.write_all(b"</sheetData></worksheet>").unwrap();
    let mut file = w.finish().unwrap().into_inner().unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    file
}

#[test]
fn a_zip_ratio_bomb_is_refused_without_inflating_it() {
    let mut bomb = ratio_bomb(300);
    let packed = bomb.metadata().unwrap().len();
    assert!(packed < 2 << 20, "{packed} bytes");
    let before = ALLOC.allocated();
    let t = Instant::now();
    let e = xlsx_to_csv(&mut bomb, &Limits::for_upload(), std::io::sink()).unwrap_err();
    let took = t.elapsed();
    assert!(
        matches!(&e, SheetError::CompressionRatio { name, ratio, max: 200 } if name == "xl/worksheets/sheet1.xml" && *ratio > 500),
        "{e:?}"
    );
    assert!(e.to_string().contains("疑似压缩炸弹"));
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(ALLOC.allocated() <= before + (32 << 20), "other tests run alongside: a loose bound");
}

/// Overwrite the uncompressed size the headers declare for the sheet.
fn declare_size(zip_bytes: &mut [u8], size: u32) {
    let name = b"xl/worksheets/sheet1.xml";
    let copy = zip_bytes.to_vec();
    for at in memchr::memmem::find_iter(&copy, b"PK\x03\x04") {
        if copy[at + 30..].starts_with(name) {
            zip_bytes[at + 22..at + 26].copy_from_slice(&size.to_le_bytes());
        }
    }
    for at in memchr::memmem::find_iter(&copy, b"PK\x01\x02") {
        if copy[at + 46..].starts_with(name) {
            zip_bytes[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
        }
    }
}

#[test]
fn a_bomb_that_lies_about_its_size_is_stopped_at_the_size_it_declared() {
    let mut bomb = ratio_bomb(200);
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut bomb, &mut bytes).unwrap();
    // Declare a size too small for the ratio check to apply: it inflates 400 times more.
    declare_size(&mut bytes, 512 << 10);
    let t = Instant::now();
    let e = xlsx_to_csv(Cursor::new(&bytes), &Limits::for_upload(), std::io::sink()).unwrap_err();
    assert!(matches!(&e, SheetError::SizeMismatch { .. }), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // An honest, uncompressed sheet cannot make the XML parser hold a long run either.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    start_with(&mut w, zip::CompressionMethod::Stored);
    w.write_all(format!("<worksheet><sheetData>{}</sheetData></worksheet>", " ".repeat(3 << 20)).as_bytes()).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let e = xlsx_to_csv(Cursor::new(&bytes), &Limits::for_upload(), std::io::sink()).unwrap_err();
    assert!(matches!(&e, SheetError::XmlRunTooLong { .. }), "{e:?}");
}

#[test]
fn a_csv_line_of_a_hundred_megabytes_is_refused_after_64_kib() {
    struct Endless(u64);
    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min((100u64 << 20).saturating_sub(self.0) as usize);
            buf[..n].fill(b'x');
            self.0 += n as u64;
            Ok(n)
        }
    }
    let before = ALLOC.allocated();
    let mut src = Endless(0);
    let r: Vec<_> = sheet::read_csv_records(&mut src, &Limits::for_upload()).collect();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].as_ref().unwrap_err().to_string(), "第 1 行超过上限 64 KiB（文件是否缺少换行，或引号未闭合？）");
    assert!(src.0 < 1 << 20, "read {} bytes", src.0);
    assert!(ALLOC.allocated() <= before + (32 << 20), "other tests run alongside: a loose bound");
}
