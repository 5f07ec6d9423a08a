//! The `insurance roster` and `demo residents` CLI contracts through the real
//! binary: columns in order, the worked examples, the errors file with its
//! line numbers, exit codes, `--strict`, XLSX in and out.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::Path;
use std::process::Command;

use kernel::ResidentId;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

const HEADER: &str = "id_number,name,town,village,hukou_in_district,residence_permit,employee_insurance,student,receiving_pension,groups,disability_grade,pension_tier,sponsored_yuan,deceased_on";
const OUT_HEADER: &str = "id_number,name,town,village,age,status,medical_individual_fen,medical_on_behalf_fen,medical_sponsored_fen,medical_fiscal_fen,pension_status,pension_tier_yuan,pension_individual_fen,pension_on_behalf_fen,pension_subsidy_fen,total_due_fen,notes";

/// A valid Shanting ID for a birth date (YYYYMMDD) and sequence.
fn id(birth: &str, seq: u32) -> String {
    let body = format!("370406{birth}{seq:03}");
    format!("{body}{}", ResidentId::check_char(&body).unwrap())
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect()
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

fn str_args<'a>(v: &'a [&'a str]) -> Vec<&'a str> {
    v.to_vec()
}

#[test]
fn worked_examples_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let text = format!(
        "\u{feff}{HEADER}\r\n\
         {},老甲,水泉镇,王庄村,1,0,0,0,1,低保,,,,\r\n\
         {},中乙,水泉镇,王庄村,是,否,否,否,否,低保,,100,,\r\n\
         {},\"刘,丙\",山城街道,东关社区,true,false,false,false,false,,,500,,\r\n\
         {},小丁,店子镇,李家村,1,,,1,,,,,,\r\n",
        id("19500501", 11),
        id("19750709", 12),
        id("19581220", 13),
        id("20100303", 14)
    );
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("roster.csv");
    let (code, stdout, stderr) = run(&str_args(&[
        "insurance",
        "roster",
        input.to_str().unwrap(),
        "--year",
        "2023",
        "--as-of",
        "2022-10-01",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("读取4行") && stdout.contains("纳入4") && stdout.contains("拒绝0"), "{stdout}");
    assert!(!dir.path().join("roster.errors.csv").exists());
    let raw = std::fs::read_to_string(&out).unwrap();
    assert_eq!(raw.lines().next().unwrap(), OUT_HEADER);
    let t = rows(&out);
    let h = &t[0];
    let get = |r: usize, c: &str| t[r][col(h, c)].clone();
    // 72, 低保, drawing the pension: owes nothing.
    assert_eq!(get(1, "age"), "72");
    assert_eq!(get(1, "status"), "included");
    assert_eq!((get(1, "medical_individual_fen"), get(1, "medical_on_behalf_fen")), ("0".into(), "35000".into()));
    assert_eq!(get(1, "pension_status"), "receiving_pension");
    assert_eq!(get(1, "total_due_fen"), "0");
    // 47, 低保, tier 100.
    assert_eq!(get(2, "age"), "47");
    assert_eq!(
        (get(2, "pension_tier_yuan"), get(2, "pension_individual_fen"), get(2, "pension_subsidy_fen")),
        ("100".into(), "10000".into(), "3000".into())
    );
    assert_eq!(get(2, "total_due_fen"), "10000");
    // 63, tier 500: 675元; a name with a comma survives quoting.
    assert_eq!(get(3, "name"), "刘,丙");
    assert_eq!((get(3, "medical_individual_fen"), get(3, "medical_on_behalf_fen")), ("17500".into(), "17500".into()));
    assert_eq!(get(3, "pension_subsidy_fen"), "6000");
    assert_eq!(get(3, "total_due_fen"), "67500");
    assert!(get(3, "notes").contains("五（一）"), "{}", get(3, "notes"));
    // 12, student.
    assert_eq!((get(4, "age"), get(4, "pension_status"), get(4, "total_due_fen")), ("12".into(), "under_16".into(), "35000".into()));
    for r in 1..=4 {
        let sum: i64 = ["medical_individual_fen", "medical_on_behalf_fen", "medical_sponsored_fen", "medical_fiscal_fen"]
            .iter()
            .map(|c| get(r, c).parse::<i64>().unwrap())
            .sum();
        assert_eq!(sum, 96_000);
    }
}

#[test]
fn bad_rows_go_to_the_errors_file_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("list.csv");
    let good = id("19800101", 1);
    let mut bad_check = id("19800102", 2);
    bad_check.replace_range(17.., if bad_check.ends_with('0') { "1" } else { "0" });
    let lines = [
        HEADER.to_string(),
        format!("{good},甲,水泉镇,王庄村,1,0,0,0,0,,,300,,"),                // 2
        format!("{bad_check},乙,水泉镇,王庄村,1,0,0,0,0,,,,,"),              // 3 check digit
        format!("{},丙,水泉镇,王庄村,1,0,0,0,0,,,200,,", id("19800103", 3)), // 4 tier not among twelve
        format!("{},丁,水泉镇,王庄村,1,0,0,0,0,,,100,,", id("19800104", 4)), // 5 tier 100 outside hardship
        format!("{},戊,水泉镇,\"多行\n村\",1,0,0,0,0,贫困户,,,,", id("19800105", 5)), // 6-7 unknown group
        format!("{},己,水泉镇,王庄村,yes,0,0,0,0,,,,,", id("19800106", 6)),  // 8 bad boolean
        format!("{good},甲二,水泉镇,王庄村,1,0,0,0,0,,,,,"),                 // 9 duplicate of line 2
        format!("{},庚,水泉镇,王庄村,1,0,1,0,0,,,100,,", id("19800107", 7)), // 10 excluded, still an error
        String::new(),                                                       // 11 blank line: skipped
        format!("{},辛,水泉镇,王庄村,1,0,0,0,0,,,,,2022-13-01", id("19800108", 8)), // 12 bad date
        format!("{},壬,水泉镇,王庄村,1,0,0,0,0,,,,", id("19800109", 9)),     // 13 too few columns
        format!("{},癸,水泉镇,王庄村,1,0,0,0,0,,3,100,,", id("19800110", 10)), // 14 fine: grade implies 残疾
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("roster.csv");
    let (code, stdout, stderr) =
        run(&str_args(&["insurance", "roster", input.to_str().unwrap(), "--year", "2023", "--out", out.to_str().unwrap()]));
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stdout.contains("拒绝9") && stdout.contains("读取11行"), "{stdout}");
    let errs = rows(&dir.path().join("roster.errors.csv"));
    assert_eq!(errs[0], ["line", "column", "value", "message"]);
    let got: Vec<(&str, &str)> = errs[1..].iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(
        got,
        [
            ("3", "id_number"),
            ("4", "pension_tier"),
            ("5", "pension_tier"),
            ("6", "groups"),
            ("8", "hukou_in_district"),
            ("9", "id_number"),
            ("10", "pension_tier"),
            ("12", "deceased_on"),
            ("13", ""),
        ]
    );
    let dup = &errs[6];
    assert_eq!(dup[2], good);
    assert!(dup[3].contains("第2行"), "{dup:?}");
    assert!(errs[1][3].contains("校验码"), "{:?}", errs[1]);
    let t = rows(&out);
    assert_eq!(t.len(), 3);
    assert_eq!(t[1][1], "甲");
    assert_eq!((t[2][1].as_str(), t[2][11].as_str()), ("癸", "100"));
}

#[test]
fn strict_writes_nothing_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("list.csv");
    std::fs::write(
        &input,
        format!(
            "{HEADER}\n{},甲,水泉镇,王庄村,1,0,0,0,0,,,,,\n{},乙,水泉镇,王庄村,1,0,0,0,0,,,250,,\n",
            id("19800101", 1),
            id("19800102", 2)
        ),
    )
    .unwrap();
    let out = dir.path().join("roster.csv");
    let (code, _, stderr) =
        run(&str_args(&["insurance", "roster", input.to_str().unwrap(), "--year", "2023", "--out", out.to_str().unwrap(), "--strict"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("第3行") && stderr.contains("pension_tier"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, [std::ffi::OsString::from("list.csv")], "nothing but the input may remain");
}

#[test]
fn a_wrong_header_or_year_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("list.csv");
    std::fs::write(&input, "id_number,name,town\n1,2,3\n").unwrap();
    let out = dir.path().join("roster.csv");
    let (code, _, stderr) =
        run(&str_args(&["insurance", "roster", input.to_str().unwrap(), "--year", "2023", "--out", out.to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(stderr.contains("表头"), "{stderr}");
    assert!(!out.exists());
    std::fs::write(&input, format!("{HEADER}\n")).unwrap();
    let (code, _, stderr) =
        run(&str_args(&["insurance", "roster", input.to_str().unwrap(), "--year", "2031", "--out", out.to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(stderr.contains("2031"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_clean_run_removes_a_stale_errors_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("list.csv");
    std::fs::write(&input, format!("{HEADER}\n{},甲,水泉镇,王庄村,1,0,0,0,0,,,,,\n", id("19800101", 1))).unwrap();
    let stale = dir.path().join("roster.errors.csv");
    std::fs::write(&stale, "line,column,value,message\n9,x,y,z\n").unwrap();
    let out = dir.path().join("roster.csv");
    let (code, _, _) = run(&str_args(&["insurance", "roster", input.to_str().unwrap(), "--year", "2023", "--out", out.to_str().unwrap()]));
    assert_eq!(code, 0);
    assert!(!stale.exists());
}

#[test]
fn xlsx_in_and_out() {
    use calamine::{Data, Reader as _};
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("list.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    let a = id("19581220", 1);
    ws.write_string(1, 0, &a).unwrap();
    ws.write_string(1, 1, "张三").unwrap();
    ws.write_string(1, 2, "水泉镇").unwrap();
    ws.write_string(1, 3, "王庄村").unwrap();
    ws.write_number(1, 4, 1.0).unwrap();
    ws.write_boolean(1, 6, false).unwrap();
    ws.write_number(1, 11, 500.0).unwrap();
    ws.write_number(1, 12, 75.5).unwrap();
    // Row 3 left empty; row 4 has a bad grade.
    ws.write_string(3, 0, id("19800101", 2)).unwrap();
    ws.write_string(3, 1, "李四").unwrap();
    ws.write_number(3, 10, 7.0).unwrap();
    wb.save(&input).unwrap();

    let out = dir.path().join("roster.xlsx");
    let (code, stdout, stderr) = run(&str_args(&[
        "insurance",
        "roster",
        input.to_str().unwrap(),
        "--year",
        "2023",
        "--as-of",
        "2022-10-01",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert_eq!(code, 3, "{stdout}{stderr}");
    let errs = rows(&dir.path().join("roster.errors.csv"));
    assert_eq!((errs[1][0].as_str(), errs[1][1].as_str()), ("4", "disability_grade"));

    let mut book = calamine::open_workbook_auto(&out).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header.join(","), OUT_HEADER);
    let row: Vec<Data> = range.rows().nth(1).unwrap().to_vec();
    assert_eq!(row[0], Data::String(a));
    assert_eq!(row[4], Data::Float(63.0));
    // 175 owed, 75.50 sponsored: 99.50 left; plus 500 pension.
    assert_eq!(row[8], Data::Float(7550.0));
    assert_eq!(row[6], Data::Float(9950.0));
    assert_eq!(row[15], Data::Float(59950.0));
}

#[test]
fn demo_residents_are_deterministic_and_valid_across_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    for p in [&a, &b] {
        let (code, _, stderr) = run(&str_args(&["demo", "residents", "--count", "40000", "--seed", "42", "--out", p.to_str().unwrap()]));
        assert_eq!(code, 0, "{stderr}");
    }
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());
    assert!(bytes.len() > 2 << 20, "spans several chunks: {}", bytes.len());
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().next().unwrap(), HEADER);
    assert!(text.contains("山城街道") && text.contains("凫城镇"));
    // Append a copy of line 2 at the end: the only error, with its line number.
    let second = text.lines().nth(1).unwrap().to_string();
    std::fs::write(&a, format!("{text}{second}\n")).unwrap();
    let out = dir.path().join("r.csv");
    let (code, stdout, stderr) =
        run(&str_args(&["insurance", "roster", a.to_str().unwrap(), "--year", "2023", "--out", out.to_str().unwrap()]));
    assert_eq!(code, 3, "{stdout}{stderr}");
    let errs = rows(&dir.path().join("r.errors.csv"));
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[1][0], "40002");
    assert!(errs[1][3].contains("第2行"));
    let roster = rows(&out);
    assert_eq!(roster.len(), 40_001);
    // Order is kept: the roster follows the input.
    let ids: Vec<&str> = text.lines().skip(1).map(|l| &l[..18]).collect();
    assert!(roster[1..].iter().zip(&ids).all(|(r, i)| r[0] == *i));
}
