//! `shanting meeting decide FILE.json` through the real binary, per the CLI contract of issue 6.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// The contract's example, shared with the engine's tests (`crates/meeting/tests/decide.rs`).
fn contract_example() -> Value {
    serde_json::from_str(include_str!("../../meeting/tests/data/contract_example.json")).unwrap()
}

/// Write `input` to a file and run `meeting decide` on it: (exit code, stdout, stderr).
fn decide(input: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meeting.json");
    std::fs::write(&path, input).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(["meeting", "decide"]).arg(&path).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn prints_the_contract_example() {
    let (code, out, err) = decide(&contract_example().to_string());
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert_eq!(v["quorum_met"], true);
    assert_eq!(v["present_units"], 7);
    assert_eq!(v["quorum_required"], 7);
    assert_eq!(v["notice_ok"], true);
    assert_eq!(
        v["items"],
        json!([{"title": "关于扩大住房公积金缴存覆盖面的意见", "votes_for": 5, "votes_against": 1, "abstentions": 0,
                "votes_required": 6, "passed": false, "invalid_votes": ["区财政局"]}])
    );
    let lines: Vec<&str> = v["explanation"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(lines.iter().any(|l| l.contains("四（三）") && l.contains("计入出席=7")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("四（六）4") && l.contains("未通过")), "{lines:?}");
}

#[test]
fn one_more_vote_for_passes_and_one_less_present_loses_the_quorum() {
    let mut v = contract_example();
    v["items"][0]["votes"]["区税务局"] = json!("for");
    let (code, out, _) = decide(&v.to_string());
    assert_eq!(code, 0);
    let o: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(o["items"][0]["votes_for"], 6);
    assert_eq!(o["items"][0]["passed"], true);

    v["attendance"].as_object_mut().unwrap().remove("区人社局");
    v["items"][0]["votes"].as_object_mut().unwrap().remove("区人社局");
    v["attendance"]["区住房和城乡建设局"] = json!("present");
    v["attendance"]["区教育财务管理结算中心"] = json!("absent");
    v["attendance"]["区政府办公室"] = json!("absent");
    let (code, out, _) = decide(&v.to_string());
    assert_eq!(code, 0);
    let o: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(o["present_units"], 6);
    assert_eq!(o["quorum_met"], false);
    assert_eq!(o["items"][0]["passed"], false);
    assert_eq!(o["items"][0]["invalid_votes"], json!(["区政府办公室", "区财政局"]));
}

#[test]
fn reads_stdin_with_a_dash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shanting"))
        .args(["meeting", "decide", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(contract_example().to_string().as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["items"][0]["invalid_votes"], json!(["区财政局"]));
}

#[test]
fn input_errors_exit_2_naming_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut v = contract_example();
                v["attendance"]["区不存在局"] = json!("present");
                v
            },
            "attendance.区不存在局",
        ),
        (
            {
                let mut v = contract_example();
                v["items"][0]["votes"]["区X"] = json!("for");
                v
            },
            "items[0].votes.区X",
        ),
        (
            {
                let mut v = contract_example();
                v["attendance"]["区政府"] = json!("maybe");
                v
            },
            "attendance.区政府",
        ),
        (
            {
                let mut v = contract_example();
                v["items"][0]["votes"]["区税务局"] = json!("nay");
                v
            },
            "items[0].votes.区税务局",
        ),
        (
            {
                let mut v = contract_example();
                v["meeting_date"] = json!("2023-02-30");
                v
            },
            "meeting_date",
        ),
        (
            {
                let mut v = contract_example();
                v["materials_sent_on"] = json!("5 March");
                v
            },
            "materials_sent_on",
        ),
        // Before the notice of 2022-08-19 there is no joint meeting to decide.
        (
            {
                let mut v = contract_example();
                v["meeting_date"] = json!("2022-08-18");
                v["materials_sent_on"] = json!("2022-08-01");
                v
            },
            "meeting_date",
        ),
    ];
    for (input, name) in cases {
        let (code, out, err) = decide(&input.to_string());
        assert_eq!(code, 2, "{name}: {err}");
        assert!(out.is_empty(), "{name}: printed {out}");
        assert!(err.contains(name), "{name} not named in: {err}");
    }
    let (code, _, err) = decide("{\"member_units\": [");
    assert_eq!(code, 2, "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(["meeting", "decide", "/nonexistent/meeting.json"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/meeting.json"));
}

/// `n` units U1..Un, the first `present` in person, all of them voting for.
fn body(n: usize, present: usize) -> String {
    let units: Vec<String> = (1..=n).map(|i| format!("U{i}")).collect();
    let attendance: serde_json::Map<String, Value> = units[..present].iter().map(|u| (u.clone(), json!("present"))).collect();
    let votes: serde_json::Map<String, Value> = units[..present].iter().map(|u| (u.clone(), json!("for"))).collect();
    json!({"member_units": units, "meeting_date": "2023-03-10", "materials_sent_on": "2023-03-05",
           "attendance": attendance, "items": [{"title": "议题", "votes": votes}]})
    .to_string()
}

#[test]
fn quorum_boundaries_for_8_and_10_members() {
    for (n, q) in [(8, 6), (10, 8)] {
        for (present, met) in [(q - 1, false), (q, true)] {
            let (code, out, err) = decide(&body(n, present));
            assert_eq!(code, 0, "{err}");
            let v: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["quorum_required"], q, "{n}");
            assert_eq!(v["quorum_met"], met, "{n} members, {present} present");
            assert_eq!(v["items"][0]["passed"], met, "{n} members, {present} for");
        }
    }
}

/// A database with the demo meetings, seeded through the use cases.
fn demo_db(dir: &std::path::Path) -> String {
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = store::Store::connect(&url).await.unwrap();
        let params = kernel::ParamSet::embedded().unwrap();
        store.seed_reference(&district::District::load(&params).unwrap()).await.unwrap();
        let calendar = kernel::WorkCalendar::from_params(&params).unwrap();
        let app = app::App::new(store.clone(), params, calendar).unwrap();
        app::meeting::demo::seed(&app).await.unwrap();
        store.close().await;
    });
    url
}

fn shanting(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn minutes_as_the_page_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let (code, out, err) = shanting(&["meeting", "minutes", "--db", &db, "--id", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("政府专题会议纪要\n山亭区住房公积金联席会议纪要〔2022〕1号\n"), "{out}");
    assert!(out.contains("同意两项议题，建议明确督导频次。"), "the proxy's written opinion: {out}");
    assert!(out.contains("依据：山政办字〔2022〕19号 四（七）"), "{out}");
    // HTML into a file: the page's document.
    let file = dir.path().join("minutes.html");
    let (code, out, err) = shanting(&["meeting", "minutes", "--db", &db, "--id", "1", "--html", "--out", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("纪要〔2022〕1号") && html.contains("戴娟"), "{html}");
    // Not issued yet, or no such meeting: invalid input, nothing written.
    let (code, _, err) = shanting(&["meeting", "minutes", "--db", &db, "--id", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--id 2") && err.contains("尚未印发"), "{err}");
    let (code, _, err) = shanting(&["meeting", "minutes", "--db", &db, "--id", "99"]);
    assert_eq!(code, 2);
    assert!(err.contains("99"), "{err}");
}
