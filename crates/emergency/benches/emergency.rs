//! Speed of the per-request work: assessing a report, writing a CAP alert,
//! writing the Atom feed of current warnings.
#![allow(clippy::unwrap_used)] // bench set-up: a panic is the failure report

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use district::District;
use emergency::atom::{FeedEntry, feed};
use emergency::{Rules, assess, parse_report, parse_warning, to_cap_xml};
use kernel::ParamSet;

const REPORT: &str = r#"{"incident_type": "非煤矿山事故", "severity": "较大", "sensitive": true, "key_area_or_period": false, "may_escalate": false,
 "occurred_at": "2023-05-01T10:20:00+08:00", "place": "某采石场", "town": "水泉镇", "source": "企业报告", "nature": "坍塌", "course": "边坡坍塌",
 "impact_scope": "采区", "environmental_impact": "无", "deaths": 0, "injured": 2, "missing": 0,
 "houses_collapsed": 0, "houses_damaged": 1, "infrastructure_damage": "无", "rescue_status": "已救出", "measures_taken": "停产"}"#;

const WARNING: &str = r#"{"identifier": "SDSHT-2023-0042", "sender": "shanting.gov.cn", "sent": "2023-07-01T08:00:00+08:00", "msg_type": "Alert",
 "references": [], "level": 2, "incident_type": "气象灾害", "headline": "山亭区气象服务中心发布暴雨橙色预警",
 "description": "预计未来6小时内水泉镇、徐庄镇降雨量将达50毫米以上。", "instruction": "停止户外作业，转移低洼地带人员。",
 "areas": ["水泉镇", "徐庄镇"], "onset": "2023-07-01T09:00:00+08:00", "expires": "2023-07-02T09:00:00+08:00"}"#;

fn bench(c: &mut Criterion) {
    let params = ParamSet::embedded().unwrap();
    let rules = Rules::load(&params, "2023-07-01".parse().unwrap()).unwrap();
    let district = District::load(&params).unwrap();
    let report = parse_report(REPORT).unwrap();
    let warning = parse_warning(WARNING).unwrap();

    c.bench_function("emergency/parse+assess report", |b| b.iter(|| assess(&rules, &parse_report(black_box(REPORT)).unwrap())));
    c.bench_function("emergency/assess report", |b| b.iter(|| assess(&rules, black_box(&report))));
    c.bench_function("emergency/to_cap_xml", |b| b.iter(|| to_cap_xml(&rules, &district, black_box(&warning)).unwrap()));

    let updated: jiff::Timestamp = "2023-07-01T00:00:00Z".parse().unwrap();
    let entries: Vec<FeedEntry> = (0..20)
        .map(|i| FeedEntry {
            id: format!("https://yjj.shanting.gov.cn/alerts/{i}.xml"),
            title: "山亭区气象服务中心发布暴雨橙色预警".into(),
            summary: "预计未来6小时内降雨量将达50毫米以上。".into(),
            updated,
            cap_url: format!("https://yjj.shanting.gov.cn/alerts/{i}.xml"),
            categories: vec!["橙色".into(), "二级".into()],
            areas: vec!["水泉镇".into(), "徐庄镇".into()],
        })
        .collect();
    c.bench_function("emergency/atom feed, 20 entries", |b| {
        b.iter(|| feed(black_box(&entries), updated, "tag:shanting.gov.cn,2022:alerts", "https://yjj.shanting.gov.cn/alerts/feed.atom"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
