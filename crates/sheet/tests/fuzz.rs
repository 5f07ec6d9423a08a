//! Property tests: arbitrary bytes and mangled sheets into both readers
//! never panic and never allocate without bound (this binary's allocator is
//! capped), and a generated valid workbook round-trips to the CSV its cells
//! say. Case counts follow `PROPTEST_CASES` (default 256; the byte fuzz
//! below runs at least 100,000).

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::alloc::System;
use std::io::Cursor;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sheet::{Format, Limits, read_records, xlsx_to_csv};

mod common;

/// All tests of this binary together may hold at most this much at once: an
/// allocation sized by a number read from the input fails and aborts.
#[global_allocator]
static ALLOC: cap::Cap<System> = cap::Cap::new(System, 512 << 20);

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Small limits, so that the fuzz reaches them.
fn small() -> Limits {
    Limits { max_rows: 50, max_cols: 10, max_cell_bytes: 64, max_line_bytes: 256, ..Limits::for_upload() }
}

/// Run both readers over `bytes`; they may refuse it, never panic.
fn both_readers(bytes: &[u8], zip_magic: bool) {
    let mut input = Vec::with_capacity(bytes.len() + 4);
    if zip_magic {
        input.extend_from_slice(b"PK\x03\x04");
    }
    input.extend_from_slice(bytes);
    let _ = xlsx_to_csv(Cursor::new(&input), &small(), std::io::sink());
    let format = if zip_magic { Format::Xlsx } else { Format::Csv };
    for rec in read_records(Cursor::new(&input), format, &small()).flatten() {
        assert!(rec.cells.len() <= 10 && rec.cells.iter().all(|c| c.len() <= 64) && rec.line >= 1);
    }
}

proptest! {
    #![proptest_config(Config::with_cases(cases(256)))]

    #[test]
    fn arbitrary_bytes_into_both_readers(zip_magic in any::<bool>(), bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        both_readers(&bytes, zip_magic);
    }

    #[test]
    fn csv_like_bytes_into_the_records_reader(text in "[a-z,\"\r\n\u{feff}山 ]{0,600}") {
        let mut lines = 0;
        for r in read_records(Cursor::new(text.as_bytes()), Format::Csv, &small()) {
            match r {
                Ok(rec) => {
                    prop_assert!(rec.line > lines, "lines go forward: {} after {}", rec.line, lines);
                    lines = rec.line;
                    prop_assert!(rec.line <= text.matches('\n').count() + text.matches('\r').count() + 1);
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }

    #[test]
    fn mangled_sheet_xml_never_panics(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6), cut in any::<prop::sample::Index>()) {
        let mut xml = SHEET.as_bytes().to_vec();
        let mut sst = SST.as_bytes().to_vec();
        for (i, (at, b)) in edits.iter().enumerate() {
            let target = if i % 3 == 2 { &mut sst } else { &mut xml };
            let k = at.index(target.len());
            target[k] = *b;
        }
        xml.truncate(xml.len() - cut.index(xml.len() / 8 + 1));
        let x = common::workbook(&xml, Some(&sst), zip::CompressionMethod::Stored);
        let _ = xlsx_to_csv(Cursor::new(&x), &small(), std::io::sink());
        for r in read_records(Cursor::new(&x), Format::Xlsx, &small()) {
            let _ = r;
        }
    }

    #[test]
    fn a_generated_workbook_round_trips(grid in proptest::collection::vec(proptest::collection::vec(cell(), 0..7), 0..12)) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in grid.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    Cell::Empty => {}
                    Cell::Text(s) => { ws.write_string(r, c, s).unwrap(); }
                    Cell::Number(n) => { ws.write_number(r, c, *n).unwrap(); }
                    Cell::Bool(b) => { ws.write_boolean(r, c, *b).unwrap(); }
                }
            }
        }
        let x = wb.save_to_buffer().unwrap();
        let mut out = Vec::new();
        let s = xlsx_to_csv(Cursor::new(&x), &Limits::for_upload(), &mut out).unwrap();
        let want = expected_csv(&grid);
        prop_assert_eq!(String::from_utf8(out).unwrap(), want.clone());
        prop_assert_eq!(s.bytes as usize, want.len());
        // The records reader gives the same cells, on the same lines.
        let recs: Vec<_> = read_records(Cursor::new(&x), Format::Xlsx, &Limits::for_upload()).map(Result::unwrap).collect();
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(want.as_bytes());
        let from_csv: Vec<Vec<String>> = rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        prop_assert_eq!(recs.iter().map(|r| r.cells.clone()).collect::<Vec<_>>(), from_csv);
        for r in &recs {
            prop_assert!(grid[r.line - 1].iter().any(|c| !c.text().is_empty()));
        }
    }
}

#[derive(Debug, Clone)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Cell {
    /// What the CSV field should say.
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.replace(['\r', '\n'], " "),
            Cell::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Cell::Number(f) => format!("{f}"),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Empty),
        "[a-z山亭,\"\n ]{0,8}".prop_map(Cell::Text),
        (-1_000_000i64..1_000_000).prop_map(|n| Cell::Number(n as f64)),
        (-1e9f64..1e9).prop_map(Cell::Number),
        any::<bool>().prop_map(Cell::Bool),
    ]
}

fn quote(f: &str) -> String {
    if f.contains([',', '"']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.to_string() }
}

/// The CSV of a grid by the documented rules: line N is row N, a row with a
/// value is as wide as its last value and at least as wide as the first row
/// with a value; trailing empty rows are not written.
fn expected_csv(grid: &[Vec<Cell>]) -> String {
    let texts: Vec<Vec<String>> = grid.iter().map(|r| r.iter().map(Cell::text).collect()).collect();
    let widths: Vec<usize> = texts.iter().map(|r| r.iter().rposition(|t| !t.is_empty()).map_or(0, |i| i + 1)).collect();
    let Some(last) = widths.iter().rposition(|w| *w > 0) else { return String::new() };
    let header = widths.iter().copied().find(|w| *w > 0).unwrap_or(0);
    let mut out = String::new();
    for (row, w) in texts.iter().zip(&widths).take(last + 1) {
        if *w > 0 {
            let width = (*w).max(header);
            let fields: Vec<String> = (0..width).map(|i| quote(row.get(i).map(String::as_str).unwrap_or(""))).collect();
            out.push_str(&fields.join(","));
        }
        out.push('\n');
    }
    out
}

const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:E3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>name</t></is></c><c r="C1" t="b"><v>1</v></c></row><row r="3"><c r="A3"><v>370406</v></c><c r="B3" t="e"><v>#DIV/0!</v></c><c r="C3" t="str"><v>x,y</v></c><c r="E3" t="d"><v>2022-10-01T00:00:00</v></c></row></sheetData></worksheet>"#;
const SST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>id_number</t></si></sst>"#;

#[test]
fn the_mangling_base_reads_as_expected() {
    let x = common::workbook(SHEET.as_bytes(), Some(SST.as_bytes()), zip::CompressionMethod::Stored);
    let mut out = Vec::new();
    xlsx_to_csv(Cursor::new(&x), &small(), &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "id_number,name,true\n\n370406,#DIV/0!,\"x,y\",,2022-10-01\n");
}

/// The cheap byte-fuzz target at 100,000 cases (more with `PROPTEST_CASES`),
/// timed: it must stay well under a minute in a debug build.
#[test]
fn a_hundred_thousand_byte_fuzz_cases() {
    let n = cases(100_000).max(100_000);
    let mut runner = TestRunner::new(Config { cases: n, failure_persistence: None, ..Config::default() });
    let t = Instant::now();
    runner
        // Bytes drawn eight at a time: generating them costs more than reading them.
        .run(&(any::<bool>(), proptest::collection::vec(any::<u64>(), 0..64)), |(zip_magic, words)| {
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            both_readers(&bytes, zip_magic);
            Ok(())
        })
        .unwrap();
    let took = t.elapsed();
    eprintln!("{n} byte-fuzz cases in {took:.2?}; peak heap of this test binary {} KiB", ALLOC.max_allocated() >> 10);
    assert!(took.as_secs() < 60, "{took:?}");
    assert!(ALLOC.max_allocated() < 256 << 20);
}
