//! `shanting emergency assess|cap FILE.json` through the real binary, per the
//! CLI contract of issue 5.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

/// The contract's example report, shared with the engine's tests
/// (`crates/emergency/tests/engine.rs`).
fn report() -> Value {
    serde_json::from_str(include_str!("../../emergency/tests/data/report.json")).unwrap()
}

/// What the contract's example assesses to, all but the explanation.
fn assessment() -> Value {
    serde_json::from_str(include_str!("../../emergency/tests/data/assessment.json")).unwrap()
}

fn warning() -> Value {
    json!({"identifier": "SDSHT-2023-0042", "sender": "yjj.shanting.gov.cn", "sent": "2023-07-01T08:00:00+08:00", "msg_type": "Alert",
     "references": [], "level": 2, "incident_type": "气象灾害", "headline": "山亭区发布暴雨橙色预警",
     "description": "预计未来6小时内降雨量将达50毫米以上。", "instruction": "停止户外作业，转移低洼地带人员。",
     "areas": ["水泉镇", "徐庄镇"], "onset": "2023-07-01T09:00:00+08:00", "expires": "2023-07-02T09:00:00+08:00"})
}

/// Run `emergency <sub>` on `input` written to a file: (exit code, stdout, stderr).
fn run(sub: &str, input: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.json");
    std::fs::write(&path, input).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(["emergency", sub]).arg(&path).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn assess_prints_the_contract_example() {
    let (code, out, err) = run("assess", &report().to_string());
    assert_eq!(code, 0, "{err}");
    let mut v: Value = serde_json::from_str(&out).unwrap();
    let explanation = v.as_object_mut().unwrap().remove("explanation").unwrap();
    assert_eq!(v, assessment());
    let lines = explanation.as_array().unwrap();
    assert!(lines.iter().all(Value::is_string) && lines.len() >= 7);
    // Pretty-printed.
    assert!(out.starts_with("{\n  \"category\""), "{out}");
}

#[test]
fn assess_raises_for_a_sensitive_incident_and_says_why() {
    let mut r = report();
    r["sensitive"] = json!(true);
    r["severity"] = json!("重大");
    let (code, out, err) = run("assess", &r.to_string());
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["response_level"], "I");
    assert_eq!(v["decided_by"], "区政府");
    assert_eq!(v["led_by"], json!(["区长"]));
    let text: Vec<&str> = v["explanation"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(text.iter().any(|l| l.contains("由Ⅱ级提高为Ⅰ级")), "{text:?}");
}

#[test]
fn assess_unknown_type_needs_designation_and_lists_missing_fields() {
    let (code, out, err) = run("assess", r#"{"incident_type": "陨石坠落", "severity": "一般", "place": "", "deaths": 0}"#);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["needs_designation"], true);
    assert_eq!(v["lead_departments"], json!([]));
    assert!(v["command_body"].is_null());
    assert_eq!(v["response_level"], "IV");
    assert_eq!(v["decided_by"], "牵头部门");
    assert_eq!(v["report_to_city"], false);
    let missing: Vec<&str> = v["missing_fields"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(missing.first(), Some(&"occurred_at"));
    assert!(missing.contains(&"place") && !missing.contains(&"deaths"), "{missing:?}");
    assert_eq!(missing.len(), 15);
}

#[test]
fn assess_input_errors_exit_2_naming_the_field() {
    for (patch, field) in [
        (json!({"severity": "严重"}), "severity"),
        (json!({"severity": null}), "severity"),
        (json!({"deaths": -1}), "deaths"),
        (json!({"occurred_at": "2023-05-01 10:20"}), "occurred_at"),
        (json!({"occurred_at": "2022-08-01T10:20:00+08:00"}), "occurred_at"),
    ] {
        let mut r = report();
        for (k, val) in patch.as_object().unwrap() {
            r[k] = val.clone();
        }
        let (code, out, err) = run("assess", &r.to_string());
        assert_eq!(code, 2, "{patch}: {err}");
        assert!(out.is_empty(), "{out}");
        assert!(err.contains(field), "{patch}: {err}");
    }
    let (code, _, err) = run("assess", "{not json");
    assert_eq!(code, 2);
    assert!(err.contains("JSON"), "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(["emergency", "assess", "/nonexistent/report.json"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

fn xsd() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../emergency/tests/data/CAP-v1.2.xsd")
}

fn assert_valid(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("alert.xml");
    std::fs::write(&f, xml).unwrap();
    let o = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd())
        .arg(&f)
        .output()
        .expect("xmllint (libxml2-utils) must be installed");
    assert!(o.status.success(), "{}\n{xml}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn cap_prints_a_valid_alert_update_and_cancel() {
    let (code, out, err) = run("cap", &warning().to_string());
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"), "{out}");
    assert!(out.contains("<severity>Severe</severity>") && out.contains("<value>橙色</value>"));
    assert_valid(&out);

    let mut up = warning();
    up["identifier"] = json!("SDSHT-2023-0043");
    up["sent"] = json!("2023-07-01T12:00:00+08:00");
    up["msg_type"] = json!("Update");
    up["level"] = json!(1);
    up["references"] = json!(["yjj.shanting.gov.cn,SDSHT-2023-0042,2023-07-01T08:00:00+08:00"]);
    let (code, out, err) = run("cap", &up.to_string());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("<msgType>Update</msgType>") && out.contains("<severity>Extreme</severity>"));
    assert_valid(&out);

    let mut cancel = up.clone();
    cancel["identifier"] = json!("SDSHT-2023-0044");
    cancel["sent"] = json!("2023-07-02T06:00:00+08:00");
    cancel["msg_type"] = json!("Cancel");
    cancel["references"] = json!(["yjj.shanting.gov.cn,SDSHT-2023-0043,2023-07-01T12:00:00+08:00"]);
    let (code, out, err) = run("cap", &cancel.to_string());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("<responseType>AllClear</responseType>") && out.contains("<urgency>Past</urgency>"));
    assert!(out.contains("<certainty>Unlikely</certainty>") && out.contains("<severity>Extreme</severity>"));
    assert_valid(&out);
}

#[test]
fn cap_input_errors_exit_2_naming_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"msg_type": "Update"}), "references"),
        (json!({"msg_type": "Cancel", "references": ["SDSHT-2023-0042"]}), "references[0]"),
        (json!({"areas": ["水泉镇", "市中区"]}), "areas[1]"),
        (json!({"level": 5}), "level"),
        (json!({"sent": "2023-07-01T08:00:00"}), "sent"),
        (json!({"expires": "2023-07-01T09:00:00+08:00"}), "expires"),
        (json!({"msg_type": "Ack"}), "msg_type"),
        (json!({"incident_type": "暴雨"}), "incident_type"),
        (json!({"sent": "2021-07-01T08:00:00+08:00"}), "sent"),
    ];
    for (patch, field) in cases {
        let mut w = warning();
        for (k, val) in patch.as_object().unwrap() {
            w[k] = val.clone();
        }
        let (code, out, err) = run("cap", &w.to_string());
        assert_eq!(code, 2, "{patch}: {err}");
        assert!(out.is_empty(), "{out}");
        assert!(err.contains(field), "{patch}: {err}");
    }
}

#[test]
fn the_default_level_reading_is_policy_data() {
    // An administrator maps 较大 to Ⅱ until a special plan says otherwise.
    let dir = tempfile::tempdir().unwrap();
    let policy = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policy/emergency/response.toml");
    let text = std::fs::read_to_string(policy).unwrap();
    let needle = "name = \"emergency.response.default_level.较大\"\nunit = \"text\"\nvalue = \"III\"";
    assert!(text.contains(needle));
    let changed = text.replace(needle, "name = \"emergency.response.default_level.较大\"\nunit = \"text\"\nvalue = \"II\"");
    std::fs::create_dir_all(dir.path().join("emergency")).unwrap();
    std::fs::write(dir.path().join("emergency/response.toml"), changed).unwrap();
    let input = dir.path().join("report.json");
    std::fs::write(&input, report().to_string()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_shanting"))
        .arg("--policy-dir")
        .arg(dir.path())
        .args(["emergency", "assess"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["response_level"], "II");
    assert_eq!(v["decided_by"], "区政府");
}
