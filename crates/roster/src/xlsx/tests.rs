use std::io::Cursor;

use calamine::{Data, Reader as _};

use super::*;

fn read_back(bytes: Vec<u8>, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).expect("a workbook calamine opens");
    let range = wb.worksheet_range(sheet).expect("the sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

#[test]
fn rows_come_back_as_written() {
    let sheet =
        Sheet { name: "清册", headers: &["身份证号码", "姓名", "年龄", "应缴"], column_width: Some(14), styled_header: true };
    let rows = vec![
        [Cell::Text("370406195511100174"), Cell::Text("何杰文"), Cell::Int(67), Cell::Money(Money::from_fen(59950))],
        [Cell::Text(" a<b>&\"c\" "), Cell::Empty, Cell::Int(-3), Cell::Money(Money::from_fen(-5))],
        [Cell::Text("tab\tline\nbell\u{7}"), Cell::Text(""), Cell::Int(i64::MAX), Cell::Money(Money::from_fen(12_345_678_901))],
    ];
    let out = write_rows(Cursor::new(Vec::new()), &sheet, &rows).unwrap().into_inner();
    let got = read_back(out, "清册");
    assert_eq!(got.len(), 4);
    assert_eq!(got[0][0], Data::String("身份证号码".into()));
    assert_eq!(
        got[1],
        vec![Data::String("370406195511100174".into()), Data::String("何杰文".into()), Data::Float(67.0), Data::Float(599.5)]
    );
    assert_eq!(got[2][0], Data::String(" a<b>&\"c\" ".into()));
    assert_eq!(got[2][1], Data::Empty);
    assert_eq!(got[2][3], Data::Float(-0.05));
    // A control character XML cannot carry is written as Excel's escape,
    // which Excel reads back as the character (calamine leaves it as is).
    assert_eq!(got[3][0], Data::String("tab\tline\nbell_x0007_".into()));
    assert_eq!(got[3][3], Data::Float(123_456_789.01));
}

#[test]
fn a_streamed_workbook_reads_the_same() {
    let sheet = Sheet { name: "清册", headers: &["a", "b"], column_width: None, styled_header: true };
    let rows = (0..5000).map(|i| [Cell::Int(i), Cell::Money(Money::from_fen(i * 3))]);
    let mut out = Vec::new();
    // A plain `Vec` through `&mut`: a writer with no `Seek`.
    write_rows_streamed(&mut out, &sheet, rows).unwrap();
    let got = read_back(out, "清册");
    assert_eq!(got.len(), 5001);
    assert_eq!(got[5000], vec![Data::Float(4999.0), Data::Float(149.97)]);
}

#[test]
fn sheet_names_are_checked() {
    for bad in ["", "a/b", "[x]", &"长".repeat(32)] {
        let sheet = Sheet { name: bad, headers: &[], column_width: None, styled_header: false };
        assert!(matches!(XlsxWriter::new(Cursor::new(Vec::new()), &sheet), Err(XlsxError::SheetName(_))), "{bad:?}");
    }
    let sheet = Sheet { name: &"长".repeat(31), headers: &[], column_width: None, styled_header: false };
    assert!(XlsxWriter::new(Cursor::new(Vec::new()), &sheet).is_ok());
}

#[test]
fn the_row_limit_is_the_format_s() {
    let sheet = Sheet { name: "s", headers: &["a"], column_width: None, styled_header: false };
    let mut w = XlsxWriter::new(Cursor::new(Vec::new()), &sheet).unwrap();
    // Up to the last row the format allows, and not one more.
    w.rows = MAX_ROWS - 1;
    assert!(w.row(&[Cell::Int(1)]).is_ok());
    assert!(matches!(w.row(&[Cell::Int(1)]), Err(XlsxError::TooManyRows)));
    let too_wide = vec![Cell::Empty; MAX_COLUMNS + 1];
    let mut w = XlsxWriter::new(Cursor::new(Vec::new()), &sheet).unwrap();
    assert!(matches!(w.row(&too_wide), Err(XlsxError::TooManyColumns { row: 2 })));
    assert!(w.row(&too_wide[..MAX_COLUMNS]).is_ok());
}

#[test]
fn column_names_and_yuan() {
    let names: Vec<String> =
        [0, 25, 26, 51, 52, 701, 702, 16_383].iter().map(|&i| String::from_utf8(column_name(i).to_vec()).unwrap()).collect();
    assert_eq!(names, ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]);
    let yuan = |f: i64| {
        let mut b = Vec::new();
        push_yuan(&mut b, f);
        String::from_utf8(b).unwrap()
    };
    assert_eq!(
        [yuan(0), yuan(5), yuan(-5), yuan(100), yuan(-123_456), yuan(i64::MIN)],
        ["0.00", "0.05", "-0.05", "1.00", "-1234.56", "-92233720368547758.08"]
    );
}

#[test]
fn csv_becomes_a_sheet_with_numbers_in_number_columns() {
    let csv = "id_number,name,age,total_due_fen,notes\n370406195511100174,\"何,杰文\",63,59950,\n370406201103270172,x,12,abc,注\n";
    let (out, rows) = csv_to_xlsx(csv.as_bytes(), Cursor::new(Vec::new()), "清册").unwrap();
    assert_eq!(rows, 3);
    let got = read_back(out.into_inner(), "清册");
    assert_eq!(got[0][2], Data::String("age".into()));
    assert_eq!(got[1][0], Data::String("370406195511100174".into()));
    assert_eq!(got[1][1], Data::String("何,杰文".into()));
    assert_eq!((&got[1][2], &got[1][3], &got[1][4]), (&Data::Float(63.0), &Data::Float(59950.0), &Data::Empty));
    // Not a number where one is expected: kept as text.
    assert_eq!(got[2][3], Data::String("abc".into()));
}

/// `insurance roster` reads its own XLSX output back: what `sheet` (the one
/// spreadsheet reader, with its zip-bomb checks) makes of it is the CSV it
/// came from.
#[test]
fn the_sheet_reader_reads_it_back_as_the_same_csv() {
    let mut csv = String::from("id_number,name,age,total_due_fen,notes\n");
    for i in 0..3000 {
        csv.push_str(&format!("3704061955111{i:05},\"何,杰文\"\"{i}\",{},{},注 {i}\n", i % 90, i * 50));
    }
    csv.push_str("370406195511100174,,7,,\n");
    let (out, _) = csv_to_xlsx(csv.as_bytes(), Cursor::new(Vec::new()), "清册").unwrap();
    let mut back = Vec::new();
    let summary = sheet::xlsx_to_csv(Cursor::new(out.into_inner()), &sheet::Limits::default(), &mut back).unwrap();
    assert_eq!(summary.lines, 3002);
    assert_eq!(String::from_utf8(back).unwrap(), csv);
}
