//! The roster pipeline end to end, in memory.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use insurance::{INPUT_COLUMNS, OUTPUT_COLUMNS};
use kernel::{ParamSet, ResidentId};

use super::*;

fn rules() -> Rules {
    Rules::load(&ParamSet::embedded().unwrap(), 2023).unwrap()
}

/// A valid Shanting ID for a birth date (YYYYMMDD) and sequence.
fn id(birth: &str, seq: u32) -> String {
    let body = format!("370406{birth}{seq:03}");
    format!("{body}{}", ResidentId::check_char(&body).unwrap())
}

fn row(id: &str) -> String {
    format!("{id},何杰文,城头镇,黄胡山村,1,0,0,0,0,,,,,\n")
}

struct Run {
    result: Result<Totals, RosterError>,
    out: String,
    rejected: Vec<Rejected>,
    progress: Vec<u64>,
}

fn run(input: &str, strict: bool) -> Run {
    let rules = rules();
    let r = Roster { rules: &rules, as_of: Date::new(2022, 10, 1).unwrap(), strict, size_hint: input.len() as u64 };
    let (mut out, mut rejected, mut progress) = (Vec::new(), Vec::new(), Vec::new());
    let result = r.write(
        input.as_bytes(),
        &mut out,
        |e| {
            rejected.push(e.clone());
            Ok(())
        },
        |n| progress.push(n),
    );
    Run { result, out: String::from_utf8(out).unwrap(), rejected, progress }
}

fn header() -> String {
    format!("{}\n", INPUT_COLUMNS.join(","))
}

#[test]
fn duplicates_and_bad_rows_are_rejected_by_line_and_left_out() {
    let (a, b) = (id("19550501", 11), id("19750709", 12));
    let bad = a.replace(&a[17..], if &a[17..] == "0" { "1" } else { "0" });
    let input = format!("\u{feff}{}{}{}{}{}", header(), row(&a), row(&bad), row(&b), row(&a));
    let r = run(&input, false);
    let t = r.result.unwrap();
    assert_eq!((t.read, t.included + t.excluded, t.rejected), (4, 2, 2));
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], OUTPUT_COLUMNS.join(","));
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with(&a) && lines[2].starts_with(&b), "{lines:?}");
    assert_eq!(r.rejected[0].line, 3);
    assert_eq!((r.rejected[1].line, r.rejected[1].column, r.rejected[1].value.as_str()), (5, "id_number", a.as_str()));
    assert_eq!(r.rejected[1].message, "身份证号码与第2行重复");
    assert_eq!(r.rejected[1].to_string(), format!("第5行 id_number=\"{a}\": 身份证号码与第2行重复"));
    // Every input byte after the header is counted once.
    assert_eq!(r.progress.last().copied(), Some((input.len() - header().len() - 3) as u64));
}

#[test]
fn strict_stops_at_the_first_rejected_row() {
    let a = id("19550501", 11);
    let r = run(&format!("{}{}{}", header(), row(&a), row(&a)), true);
    match r.result {
        Err(RosterError::Rejected(e)) => assert_eq!((e.line, e.column), (3, "id_number")),
        other => panic!("{other:?}"),
    }
    assert!(r.rejected.is_empty());
    // Below the threshold: a clean list passes strict mode.
    let r = run(&format!("{}{}", header(), row(&a)), true);
    assert_eq!(r.result.unwrap().read, 1);
}

#[test]
fn a_wrong_header_writes_nothing() {
    let r = run("id,name\n1,2\n", false);
    assert!(matches!(r.result, Err(RosterError::Header { .. })), "{:?}", r.result);
    assert!(r.out.is_empty());
    let r = run("", false);
    assert!(matches!(r.result, Err(RosterError::Header { .. })));
}

#[test]
fn order_is_kept_across_many_chunks() {
    // Over 256 KiB of input: several chunks through several workers.
    let ids: Vec<String> = (0..12_000u32).map(|i| id(&format!("19{:02}0101", 30 + i / 1000), i % 1000)).collect();
    let mut input = header();
    for i in &ids {
        input.push_str(&row(i));
    }
    assert!(input.len() > 2 * chunk::CHUNK);
    let r = run(&input, false);
    let t = r.result.unwrap();
    assert_eq!((t.read, t.rejected), (12_000, 0));
    assert!(r.out.lines().skip(1).zip(&ids).all(|(l, i)| l.starts_with(i.as_str())));
    assert_eq!(r.out.lines().count(), 12_001);
    assert!(r.progress.len() > 1 && r.progress.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn a_failing_errors_file_stops_the_run() {
    let a = id("19550501", 11);
    let rules = rules();
    let r = Roster { rules: &rules, as_of: Date::new(2022, 10, 1).unwrap(), strict: false, size_hint: 0 };
    let input = format!("{}{}{}", header(), row(&a), row(&a));
    let e = r.write(input.as_bytes(), Vec::new(), |_| Err(io::Error::other("disk full")), |_| {}).unwrap_err();
    assert!(matches!(e, RosterError::RejectedOutput(_)));
    assert!(e.to_string().contains("disk full"));
}

#[test]
fn rejected_rows_as_csv() {
    let mut w = RejectedCsv::new(Vec::new()).unwrap();
    w.write(&Rejected { line: 7, column: "name", value: "a,b".into(), message: "姓名不能为空".into() }).unwrap();
    let text = String::from_utf8(w.finish().unwrap()).unwrap();
    assert_eq!(text, "line,column,value,message\n7,name,\"a,b\",姓名不能为空\n");
}
