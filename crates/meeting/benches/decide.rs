//! One meeting of the nine member units in-process: parse, decide, minutes.
//!
//! `cargo bench -p meeting --bench decide`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kernel::{Date, ParamSet};
use meeting::{Minutes, MinutesDetails, Rules, decide, parse_request};

const INPUT: &str = r#"{"member_units": ["区政府", "区政府办公室", "枣庄市住房公积金管理中心山亭管理部", "区财政局", "区税务局",
  "区行政审批服务局", "区人社局", "区住房和城乡建设局", "区教育财务管理结算中心"],
 "meeting_date": "2023-03-10", "materials_sent_on": "2023-03-05",
 "attendance": {"区政府": "present", "区政府办公室": "present", "枣庄市住房公积金管理中心山亭管理部": "present",
   "区财政局": "proxy", "区税务局": "present", "区行政审批服务局": "present", "区人社局": "present"},
 "items": [{"title": "关于扩大住房公积金缴存覆盖面的意见", "votes": {"区政府": "for", "区政府办公室": "for",
   "枣庄市住房公积金管理中心山亭管理部": "for", "区财政局": "for", "区税务局": "against", "区行政审批服务局": "for", "区人社局": "for"}}]}"#;

fn bench(c: &mut Criterion) {
    let Ok(params) = ParamSet::embedded() else { return };
    let Ok(on) = "2023-03-10".parse::<Date>() else { return };
    let Ok(rules) = Rules::load(&params, on) else { return };
    let Ok(req) = parse_request(INPUT) else { return };

    c.bench_function("load rules", |b| b.iter(|| Rules::load(black_box(&params), on).is_ok()));
    c.bench_function("parse request", |b| b.iter(|| parse_request(black_box(INPUT)).is_ok()));
    c.bench_function("decide (with explanation)", |b| b.iter(|| decide(black_box(&rules), black_box(&req))));
    let decision = decide(&rules, &req);
    c.bench_function("decide + serialise contract JSON", |b| {
        b.iter(|| serde_json::to_string(&decide(black_box(&rules), black_box(&req))).map(|s| s.len()).unwrap_or(0))
    });
    let details = MinutesDetails { title: "2023年第一次山亭区住房公积金联席会议".into(), ..MinutesDetails::default() };
    c.bench_function("minutes html", |b| {
        b.iter(|| Minutes::build(&rules, &req, black_box(&decision), &details).map(|m| m.html().len()).unwrap_or(0))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
