//! Spreadsheet bombs through the real binary: the resident import, the
//! village import and the roster refuse the A1 + XFD1048576 workbook with
//! exit code 2 and the message, writing nothing.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::process::Command;
use std::time::{Duration, Instant};

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

const MESSAGE: &str = "工作表范围 A1:XFD1048576 超过上限（最多 256 列）";

fn bomb(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("bomb.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id_number").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 8 << 10);
    path
}

#[test]
fn the_xlsx_bomb_is_invalid_input_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let b = bomb(dir.path());
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let t = Instant::now();

    let (code, stdout, stderr) = run(&["import", "residents", b.to_str().unwrap(), "--db", &db]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains(MESSAGE), "{stderr}");

    let (code, stdout, stderr) = run(&["import", "villages", b.to_str().unwrap(), "--db", &db]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains(MESSAGE), "{stderr}");

    let out = dir.path().join("roster.csv");
    let (code, stdout, stderr) = run(&["insurance", "roster", b.to_str().unwrap(), "--year", "2023", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains(MESSAGE), "{stderr}");
    assert!(!out.exists());
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
}

#[test]
fn legacy_binary_workbooks_are_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("list.xls");
    std::fs::write(&old, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 not a real workbook").unwrap();
    let out = dir.path().join("roster.csv");
    let (code, _, stderr) = run(&["insurance", "roster", old.to_str().unwrap(), "--year", "2023", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("请另存为 .xlsx 或 CSV"), "{stderr}");
}
