//! A town's roster (~100,000 rows) as XLSX, as the web export writes it, and
//! 100,000 residents through the CSV pipeline.
//!
//!     cargo bench -p roster --bench roster -- --warm-up-time 1 --measurement-time 5

#![allow(clippy::unwrap_used)] // benches: a panic is the failure report

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, criterion_group, criterion_main};
use insurance::{INPUT_COLUMNS, Rules};
use kernel::{Date, Money, ParamSet, ResidentId};
use roster::xlsx::{Cell, Sheet, write_rows};

const ROWS: u32 = 100_000;

/// The web export's columns (`EXPORT_HEADERS` in web's insurance module).
const HEADERS: [&str; 17] = [
    "身份证号码",
    "姓名",
    "镇（街）",
    "村（居）",
    "年龄",
    "参保状态",
    "医疗个人缴费",
    "医疗代缴",
    "医疗资助",
    "医疗财政补助",
    "养老状态",
    "养老档次（元）",
    "养老个人缴费",
    "养老代缴",
    "养老政府补贴",
    "本人应缴合计",
    "已缴",
];

struct Row {
    id: String,
    name: String,
    village: String,
    age: i64,
    due: i64,
}

fn id(i: u32) -> String {
    // Unique for i below 1,200,000: a birth month per thousand residents.
    let body = format!("370406{}{:02}01{:03}", 1920 + i / 12_000, 1 + i / 1000 % 12, i % 1000);
    format!("{body}{}", ResidentId::check_char(&body).unwrap())
}

fn rows() -> Vec<Row> {
    (0..ROWS)
        .map(|i| Row {
            id: id(i),
            name: format!("居民{i}"),
            village: format!("第{}村", i % 40),
            age: i64::from(i % 90),
            due: i64::from(i % 7) * 17_500,
        })
        .collect()
}

fn cells(r: &Row) -> [Cell<'_>; 17] {
    let m = |f: i64| Cell::Money(Money::from_fen(f));
    [
        Cell::Text(&r.id),
        Cell::Text(&r.name),
        Cell::Text("水泉镇"),
        Cell::Text(&r.village),
        Cell::Int(r.age),
        Cell::Text("纳入"),
        m(r.due),
        m(0),
        m(0),
        m(63_000),
        Cell::Text("参保"),
        Cell::Int(300),
        m(30_000),
        m(0),
        m(6_000),
        m(r.due + 30_000),
        m(0),
    ]
}

fn xlsx(c: &mut Criterion) {
    let rows = rows();
    let sheet = Sheet { name: "清册", headers: &HEADERS, column_width: Some(14), styled_header: true };
    let mut g = c.benchmark_group("xlsx");
    g.sample_size(10);
    g.bench_function("write_rows 100k x 17", |b| {
        b.iter(|| {
            let out = write_rows(Cursor::new(Vec::with_capacity(8 << 20)), &sheet, rows.iter().map(cells)).unwrap();
            black_box(out.into_inner().len())
        })
    });
    // The web export before: rust_xlsxwriter with the whole sheet in memory
    // (web's `export::xlsx_bytes`), for the comparison.
    g.bench_function("rust_xlsxwriter 100k x 17 (before)", |b| {
        b.iter(|| {
            use rust_xlsxwriter::{Format, Workbook};
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name("清册").unwrap();
            let bold = Format::new().set_bold();
            let money = Format::new().set_num_format("#,##0.00");
            for (c, h) in HEADERS.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &bold).unwrap();
                ws.set_column_width(c as u16, 14).unwrap();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in cells(row).iter().enumerate() {
                    let (r, c) = (r as u32 + 1, c as u16);
                    match *cell {
                        Cell::Text(s) => ws.write_string(r, c, s).unwrap(),
                        Cell::Int(n) => ws.write_number(r, c, n as f64).unwrap(),
                        Cell::Money(m) => ws.write_number_with_format(r, c, m.fen() as f64 / 100.0, &money).unwrap(),
                        Cell::Empty => ws,
                    };
                }
            }
            ws.set_freeze_panes(1, 0).unwrap();
            black_box(wb.save_to_buffer().unwrap().len())
        })
    });
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let rules = Rules::load(&ParamSet::embedded().unwrap(), 2023).unwrap();
    let mut input = format!("{}\n", INPUT_COLUMNS.join(","));
    for i in 0..ROWS {
        input.push_str(&format!("{},居民{i},城头镇,黄胡山村,1,0,0,0,0,,,,,\n", id(i)));
    }
    let job = roster::Roster { rules: &rules, as_of: Date::new(2022, 10, 1).unwrap(), strict: false, size_hint: input.len() as u64 };
    let mut g = c.benchmark_group("csv");
    g.sample_size(10);
    g.bench_function("roster 100k", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(16 << 20);
            let t = job.write(input.as_bytes(), &mut out, |_| Ok(()), |_| {}).unwrap();
            black_box((t.read, out.len()))
        })
    });
    g.finish();
}

criterion_group!(benches, xlsx, pipeline);
criterion_main!(benches);
