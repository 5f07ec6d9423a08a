//! Warnings as CAP 1.2: the XSD (checked with xmllint), the plan's level →
//! severity/colour readings, lifting as Cancel, and what the schema cannot
//! check (references, offsets, expiry after onset, areas).
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::PathBuf;
use std::process::Command;

use district::District;
use emergency::atom::{FeedEntry, feed};
use emergency::{MsgType, Rules, Warning, parse_warning, to_cap_xml};
use kernel::ParamSet;

fn setup() -> (Rules, District) {
    let p = ParamSet::embedded().unwrap();
    (Rules::load(&p, "2023-07-01".parse().unwrap()).unwrap(), District::load(&p).unwrap())
}

const ALERT: &str = r#"{"identifier": "SDSHT-2023-0042", "sender": "yjj.shanting.gov.cn", "sent": "2023-07-01T08:00:00+08:00", "msg_type": "Alert",
 "references": [], "level": 2, "incident_type": "气象灾害", "headline": "山亭区发布暴雨橙色预警",
 "description": "预计未来6小时内水泉镇、徐庄镇降雨量将达50毫米以上，可能引发山洪 & 地质灾害。", "instruction": "停止户外作业，转移低洼地带人员。",
 "areas": ["水泉镇", "徐庄镇"], "onset": "2023-07-01T09:00:00+08:00", "expires": "2023-07-02T09:00:00+08:00"}"#;

fn alert() -> Warning {
    parse_warning(ALERT).unwrap()
}

fn xsd() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/CAP-v1.2.xsd")
}

/// Validate with libxml2's xmllint against the OASIS schema. A missing
/// xmllint fails the test: CI installs libxml2-utils.
fn assert_valid(xml: &str, name: &str) {
    let dir = std::env::temp_dir().join(format!("emergency-cap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd())
        .arg(&file)
        .output()
        .expect("xmllint (Debian package libxml2-utils) must be installed to validate CAP output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name} does not validate:\n{stderr}\n{xml}");
    assert!(stderr.contains("validates"), "{stderr}");
    let _ = std::fs::remove_file(&file);
}

fn tag<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    xml.match_indices(&open)
        .map(|(i, _)| {
            let start = i + open.len();
            let end = start + xml[start..].find(&close).unwrap();
            &xml[start..end]
        })
        .collect()
}

#[test]
fn alert_validates_and_carries_level_colour_areas() {
    let (r, d) = setup();
    let xml = to_cap_xml(&r, &d, &alert()).unwrap();
    assert_valid(&xml, "alert");
    assert_eq!(tag(&xml, "msgType"), ["Alert"]);
    assert_eq!(tag(&xml, "status"), ["Actual"]);
    assert_eq!(tag(&xml, "language"), ["zh-CN"]);
    assert_eq!(tag(&xml, "info").len(), 1);
    assert_eq!(tag(&xml, "category"), ["Met"]);
    assert_eq!(tag(&xml, "event"), ["气象灾害"]);
    assert_eq!(tag(&xml, "severity"), ["Severe"]);
    assert_eq!(tag(&xml, "urgency"), ["Expected"]);
    assert_eq!(tag(&xml, "certainty"), ["Likely"]);
    assert_eq!(tag(&xml, "valueName"), ["预警级别", "预警颜色"]);
    assert_eq!(tag(&xml, "value"), ["二级", "橙色"]);
    assert_eq!(tag(&xml, "areaDesc"), ["水泉镇", "徐庄镇"]);
    assert!(tag(&xml, "references").is_empty());
    assert!(tag(&xml, "responseType").is_empty());
    assert!(xml.contains("山洪 &amp; 地质灾害"));
    insta::assert_snapshot!("cap_alert", xml);
}

#[test]
fn the_four_levels_map_to_cap_severity_colour_and_urgency() {
    let (r, d) = setup();
    let expected = [
        (1, "Extreme", "一级", "红色", "Immediate"),
        (2, "Severe", "二级", "橙色", "Expected"),
        (3, "Moderate", "三级", "黄色", "Expected"),
        (4, "Minor", "四级", "蓝色", "Expected"),
    ];
    for (level, severity, label, colour, urgency) in expected {
        let mut w = alert();
        w.level = level;
        let xml = to_cap_xml(&r, &d, &w).unwrap();
        assert_eq!(tag(&xml, "severity"), [severity], "level {level}");
        assert_eq!(tag(&xml, "value"), [label, colour], "level {level}");
        assert_eq!(tag(&xml, "urgency"), [urgency], "level {level}");
        assert_eq!(tag(&xml, "certainty"), ["Likely"], "level {level}");
        assert_valid(&xml, &format!("level{level}"));
    }
}

#[test]
fn update_references_the_earlier_alert_and_validates() {
    let (r, d) = setup();
    let mut w = alert();
    w.identifier = "SDSHT-2023-0043".into();
    w.sent = "2023-07-01T14:00:00+08:00".into();
    w.msg_type = MsgType::Update;
    w.level = 1;
    w.references = vec!["yjj.shanting.gov.cn,SDSHT-2023-0042,2023-07-01T08:00:00+08:00".into()];
    let xml = to_cap_xml(&r, &d, &w).unwrap();
    assert_valid(&xml, "update");
    assert_eq!(tag(&xml, "msgType"), ["Update"]);
    assert_eq!(tag(&xml, "references"), ["yjj.shanting.gov.cn,SDSHT-2023-0042,2023-07-01T08:00:00+08:00"]);
    assert_eq!(tag(&xml, "severity"), ["Extreme"]);
    assert_eq!(tag(&xml, "urgency"), ["Immediate"]);
    // Several references are one space-separated element.
    w.references.push("yjj.shanting.gov.cn,SDSHT-2023-0040,2023-06-30T08:00:00+08:00".into());
    let xml = to_cap_xml(&r, &d, &w).unwrap();
    assert_eq!(tag(&xml, "references").len(), 1);
    assert!(tag(&xml, "references")[0].contains(" yjj.shanting.gov.cn,SDSHT-2023-0040,"));
    assert_valid(&xml, "update2");
}

#[test]
fn lifting_is_a_cancel_with_all_clear_keeping_severity() {
    let (r, d) = setup();
    for level in 1..=4u8 {
        let mut w = alert();
        w.identifier = format!("SDSHT-2023-0050-{level}");
        w.sent = "2023-07-02T06:00:00+08:00".into();
        w.msg_type = MsgType::Cancel;
        w.level = level;
        w.references = vec!["yjj.shanting.gov.cn,SDSHT-2023-0042,2023-07-01T08:00:00+08:00".into()];
        w.headline = "山亭区解除暴雨预警".into();
        w.description = "降雨已结束，风险解除。".into();
        w.instruction = String::new();
        let xml = to_cap_xml(&r, &d, &w).unwrap();
        assert_valid(&xml, &format!("cancel{level}"));
        assert_eq!(tag(&xml, "msgType"), ["Cancel"]);
        assert_eq!(tag(&xml, "responseType"), ["AllClear"]);
        assert_eq!(tag(&xml, "urgency"), ["Past"]);
        assert_eq!(tag(&xml, "certainty"), ["Unlikely"]);
        let sev = r.warning_level(level).unwrap().cap_severity.clone();
        assert_eq!(tag(&xml, "severity"), [sev.as_str()]);
        assert!(tag(&xml, "instruction").is_empty());
    }
}

#[test]
fn exercise_status_and_all_area_kinds_validate() {
    let (r, d) = setup();
    let mut w = alert();
    w.status = emergency::Status::Exercise;
    w.areas = d.towns.iter().map(|t| t.name.clone()).chain(["山亭经济开发区".to_string(), "山亭区".to_string()]).collect();
    w.onset = None;
    w.expires = None;
    let xml = to_cap_xml(&r, &d, &w).unwrap();
    assert_eq!(tag(&xml, "status"), ["Exercise"]);
    assert_eq!(tag(&xml, "areaDesc").len(), 12);
    assert!(tag(&xml, "onset").is_empty() && tag(&xml, "expires").is_empty());
    assert_valid(&xml, "exercise");
}

fn err(w: &Warning) -> (String, String) {
    let (r, d) = setup();
    let e = to_cap_xml(&r, &d, w).unwrap_err();
    (e.path, e.message)
}

#[test]
fn what_the_schema_cannot_check_is_refused() {
    let ok = "yjj.shanting.gov.cn,SDSHT-2023-0042,2023-07-01T08:00:00+08:00".to_string();
    // Update and Cancel need references.
    for t in [MsgType::Update, MsgType::Cancel] {
        let mut w = alert();
        w.msg_type = t;
        w.identifier = "SDSHT-2023-0043".into();
        assert_eq!(err(&w).0, "references", "{t:?}");
        w.references = vec![ok.clone()];
        let (r, d) = setup();
        assert!(to_cap_xml(&r, &d, &w).is_ok());
    }
    // Each reference in sender,identifier,sent form.
    for (bad, path) in [
        ("SDSHT-2023-0042", "references[0]"),
        ("a,b", "references[0]"),
        ("a,b,c,d", "references[0]"),
        ("yjj.shanting.gov.cn,SDSHT 42,2023-07-01T08:00:00+08:00", "references[0].identifier"),
        (",SDSHT-2023-0042,2023-07-01T08:00:00+08:00", "references[0].sender"),
        ("yjj.shanting.gov.cn,SDSHT-2023-0042,2023-07-01T08:00:00", "references[0].sent"),
        ("yjj.shanting.gov.cn,SDSHT-2023-0042,2023-07-01T08:00:00Z", "references[0].sent"),
    ] {
        let mut w = alert();
        w.msg_type = MsgType::Update;
        w.references = vec![bad.into()];
        assert_eq!(err(&w).0, path, "{bad}");
    }
    // A message cannot reference itself.
    let mut w = alert();
    w.msg_type = MsgType::Update;
    w.references = vec![format!("{},{},{}", w.sender, w.identifier, w.sent)];
    assert_eq!(err(&w).0, "references[0]");
    // Times need an offset.
    for field in ["sent", "onset", "expires"] {
        let mut w = alert();
        match field {
            "sent" => w.sent = "2023-07-01T08:00:00".into(),
            "onset" => w.onset = Some("2023-07-01 09:00".into()),
            _ => w.expires = Some("2023-07-02T09:00:00Z".into()),
        }
        assert_eq!(err(&w).0, field);
    }
    // Expires after onset: equal is refused, one second later accepted.
    let mut w = alert();
    w.expires = w.onset.clone();
    let (p, m) = err(&w);
    assert_eq!(p, "expires");
    assert!(m.contains("应晚于"), "{m}");
    w.expires = Some("2023-07-01T09:00:01+08:00".into());
    let (r, d) = setup();
    assert!(to_cap_xml(&r, &d, &w).is_ok());
    // Offsets compare as instants: 01:00:01Z is 09:00:01+08:00.
    w.expires = Some("2023-07-01T01:00:00+00:00".into());
    assert_eq!(err(&w).0, "expires");
    w.expires = Some("2023-07-01T01:00:01+00:00".into());
    assert!(to_cap_xml(&r, &d, &w).is_ok());
    // Areas: only the district's own.
    let mut w = alert();
    w.areas = vec!["水泉镇".into(), "薛城区".into()];
    assert_eq!(err(&w).0, "areas[1]");
    w.areas = vec![];
    assert_eq!(err(&w).0, "areas");
    w.areas = vec!["水泉镇".into(), "水泉镇".into()];
    assert_eq!(err(&w).0, "areas[1]");
    // Level 1–4, a type in the annex, identifiers CAP accepts.
    for level in [0u8, 5] {
        let mut w = alert();
        w.level = level;
        assert_eq!(err(&w).0, "level");
    }
    let mut w = alert();
    w.incident_type = "暴雨".into();
    assert_eq!(err(&w).0, "incident_type");
    for bad in ["a b", "a,b", "a<b", "a&b", ""] {
        let mut w = alert();
        w.identifier = bad.into();
        assert_eq!(err(&w).0, "identifier", "{bad:?}");
        let mut w = alert();
        w.sender = bad.into();
        assert_eq!(err(&w).0, "sender", "{bad:?}");
    }
    // Text XML cannot carry, and empty required text.
    let mut w = alert();
    w.description = "雨\u{1}".into();
    assert_eq!(err(&w).0, "description");
    let mut w = alert();
    w.headline = " ".into();
    assert_eq!(err(&w).0, "headline");
    let mut w = alert();
    w.instruction = String::new();
    assert_eq!(err(&w).0, "instruction");
}

#[test]
fn json_shape_errors_name_the_field() {
    let e = parse_warning(&ALERT.replace(r#""msg_type": "Alert""#, r#""msg_type": "Ack""#)).unwrap_err();
    assert_eq!(e.path, "msg_type");
    let e = parse_warning(&ALERT.replace(r#""level": 2"#, r#""level": "二级""#)).unwrap_err();
    assert_eq!(e.path, "level");
    let e = parse_warning(&ALERT.replace(r#""level": 2,"#, "")).unwrap_err();
    assert_eq!(e.path, "level");
    let e = parse_warning(&ALERT.replace(r#""areas""#, r#""area""#)).unwrap_err();
    assert_eq!(e.path, "area");
    let e = parse_warning(&ALERT.replace(r#""areas": ["水泉镇", "徐庄镇"]"#, r#""areas": ["水泉镇", 3]"#)).unwrap_err();
    assert_eq!(e.path, "areas[1]");
}

#[test]
fn atom_feed_of_current_warnings() {
    let updated: jiff::Timestamp = "2023-07-01T06:00:00Z".parse().unwrap();
    let entries = vec![
        FeedEntry {
            id: "https://yjj.shanting.gov.cn/alerts/SDSHT-2023-0043.xml".into(),
            title: "山亭区发布暴雨红色预警".into(),
            summary: "预计未来3小时内降雨量将达100毫米以上 <请注意>".into(),
            updated,
            cap_url: "https://yjj.shanting.gov.cn/alerts/SDSHT-2023-0043.xml".into(),
            categories: vec!["红色".into(), "一级".into()],
            areas: vec!["水泉镇".into(), "徐庄镇".into()],
        },
        FeedEntry {
            id: "https://yjj.shanting.gov.cn/alerts/SDSHT-2023-0040.xml".into(),
            title: "山亭区发布森林火险黄色预警".into(),
            summary: "森林火险等级较高。".into(),
            updated: "2023-06-30T00:00:00Z".parse().unwrap(),
            cap_url: "https://yjj.shanting.gov.cn/alerts/SDSHT-2023-0040.xml".into(),
            categories: vec!["黄色".into(), "三级".into()],
            areas: vec!["山亭区".into()],
        },
    ];
    let xml = feed(&entries, updated, "https://yjj.shanting.gov.cn/alerts/feed.atom", "https://yjj.shanting.gov.cn/alerts/feed.atom");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_eq!(tag(&xml, "entry").len(), 2);
    assert!(
        xml.contains(r#"<link rel="alternate" type="application/cap+xml" href="https://yjj.shanting.gov.cn/alerts/SDSHT-2023-0043.xml"/>"#)
    );
    assert!(xml.contains("&lt;请注意&gt;"));
    // Well-formed XML.
    let dir = std::env::temp_dir().join(format!("emergency-atom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("feed.atom");
    std::fs::write(&file, &xml).unwrap();
    let out = Command::new("xmllint").arg("--noout").arg(&file).output().expect("xmllint must be installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    insta::assert_snapshot!("atom_feed", xml);
    // An empty feed is still a valid document with its own metadata.
    let empty = feed(&[], updated, "tag:shanting.gov.cn,2022:alerts", "/alerts/feed.atom");
    assert!(tag(&empty, "entry").is_empty());
    assert_eq!(tag(&empty, "updated"), ["2023-07-01T14:00:00+08:00"]);
    // The id is the absolute one given, the self link may be relative.
    assert_eq!(tag(&empty, "id"), ["tag:shanting.gov.cn,2022:alerts"]);
    assert!(empty.contains(r#"href="/alerts/feed.atom""#), "{empty}");
}
