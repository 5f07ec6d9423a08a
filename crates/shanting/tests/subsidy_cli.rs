//! `shanting subsidy assess FILE.json [--format json|table]` through the real
//! binary, per the CLI contract of issue 3.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::process::Command;

use serde_json::{Value, json};

/// The worked example of ecommerce.md §3, as applicant input.
fn worked() -> Value {
    json!({"uscc": "91370406MA3C7K1020", "name": "示例电商", "year": 2023,
        "registered_in_district": true, "statistically_included": true, "above_limit": false, "above_scale_service": false,
        "entered_on": "2022-03-01", "net_tax_yuan": 1200000,
        "online_retail_yuan": 62000000, "online_retail_prev_yuan": 51000000,
        "awards_received": [], "competing_claims": [], "top_ranked": false,
        "platform_fees": {"annual_transactions_yuan": 62000000, "agreement_signed": true, "fees_paid_yuan": 80000},
        "express": {"sells_and_ships_local": true, "parcels": 260000, "online_sales_yuan": 62000000}})
}

/// Write `input` to a file and run `subsidy assess` on it: (exit code, stdout, stderr).
fn assess(input: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("applicants.json");
    std::fs::write(&path, input).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(["subsidy", "assess"]).arg(&path).args(extra).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn worked_example_gives_41_800_000_fen() {
    let (code, out, err) = assess(&worked().to_string(), &[]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().expect("always an array, even for one object");
    assert_eq!(arr.len(), 1);
    let r = &arr[0];
    assert_eq!(r["uscc"], "91370406MA3C7K1020");
    assert_eq!(r["year"], 2023);
    assert_eq!(r["total_fen"], 41_800_000);
    let awards: Vec<(i64, i64, i64, bool)> = r["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["article"].as_i64().unwrap(),
                a["tier"].as_i64().unwrap(),
                a["amount_fen"].as_i64().unwrap(),
                a["one_time"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(awards, vec![(3, 2, 36_000_000, false), (4, 1, 4_000_000, false), (12, 1, 1_800_000, false)]);
    assert_eq!(r["awards"][0]["citation"], "山政发〔2022〕10号 附件4 第3条");
    assert!(r["awards"][0]["explanation"].as_str().unwrap().contains("30%"));
    assert_eq!(r["case_by_case"], json!([]));
    assert_eq!(r["one_enterprise_one_policy"], false);
    assert_eq!(r["not_eligible"][0]["article"], 1);
    assert!(!r["not_eligible"][0]["reasons"][0].as_str().unwrap().is_empty());
    let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["awards", "case_by_case", "not_eligible", "one_enterprise_one_policy", "total_fen", "uscc", "year"]);
}

#[test]
fn an_array_keeps_input_order() {
    let mut second = worked();
    second["uscc"] = json!("91370406MA3C7K1020");
    second["top_ranked"] = json!(true);
    let mut third = worked();
    third["year"] = json!(2024);
    third["net_tax_yuan"] = json!("1000000");
    let (code, out, err) = assess(&json!([worked(), second, third]).to_string(), &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["total_fen"], 41_800_000);
    assert_eq!(v[1]["one_enterprise_one_policy"], true);
    assert_eq!(v[1]["awards"], json!([]));
    assert_eq!(v[1]["total_fen"], 0);
    assert_eq!(v[2]["year"], 2024);
    // 30% of 1,000,000 + 40,000 + 18,000
    assert_eq!(v[2]["total_fen"], 30_000_000 + 4_000_000 + 1_800_000);
    let (code, out, _) = assess("[]", &[]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Vec<Value>>(&out).unwrap().len(), 0);
}

#[test]
fn case_by_case_and_competing_claims_show_in_the_output() {
    let mut a = worked();
    a["competing_claims"] = json!([{"article": 3, "amount_yuan": 400000, "policy": "区工业企业奖励办法"}]);
    a["service_provider"] = json!({"independent_legal_entity": true});
    a["net_tax_yuan"] = json!(12000000);
    let (code, out, err) = assess(&json!([a]).to_string(), &[]);
    assert_eq!(code, 0, "{err}");
    let v: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["case_by_case"][0]["article"], 8);
    assert_eq!(v[0]["case_by_case"][0]["tier"], 3);
    assert!(v[0]["case_by_case"][0]["reason"].as_str().unwrap().contains("一事一议"));
    // 30% of 12,000,000 = 3,600,000 beats the competing 400,000: granted
    assert_eq!(v[0]["awards"][0]["article"], 3);
    assert_eq!(v[0]["awards"][0]["amount_fen"], 360_000_000);
    a["competing_claims"] = json!([{"article": 3, "amount_yuan": 4000000, "policy": "区工业企业奖励办法"}]);
    let (_, out, _) = assess(&json!([a]).to_string(), &[]);
    let v: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_ne!(v[0]["awards"][0]["article"], 3);
    let ne3 = v[0]["not_eligible"].as_array().unwrap().iter().find(|n| n["article"] == 3).unwrap();
    assert!(ne3["reasons"][0].as_str().unwrap().contains("就高原则"));
}

#[test]
fn invalid_input_exits_2_naming_the_path_and_prints_nothing() {
    let mut bad = worked();
    bad["net_tax_yuan"] = json!(-5);
    let (code, out, err) = assess(&json!([worked(), bad]).to_string(), &[]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "no partial results: {out}");
    assert!(err.contains("[1].net_tax_yuan"), "{err}");

    let mut late = worked();
    late["year"] = json!(2026);
    let (code, out, err) = assess(&json!([worked(), worked(), worked(), late]).to_string(), &[]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("[3].year") && err.contains("有效期"), "{err}");

    let mut uscc = worked();
    uscc["uscc"] = json!("91370406MA3C7K1021");
    let (code, out, err) = assess(&json!([uscc]).to_string(), &["--format", "table"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("[0].uscc"), "{err}");

    let mut date = worked();
    date["entered_on"] = json!("2022-02-30");
    let (code, _, err) = assess(&json!([date]).to_string(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("[0].entered_on"), "{err}");

    let mut unknown = worked();
    unknown["warehouse"] = json!({"area": 1});
    let (code, _, err) = assess(&json!([unknown]).to_string(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("warehouse"), "{err}");

    let mut wrong = worked();
    wrong["express"]["parcels"] = json!("260000 单");
    let (code, _, err) = assess(&wrong.to_string(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("express.parcels"), "{err}");

    let (code, out, err) = assess("{not json", &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(!err.is_empty());

    let o = Command::new(env!("CARGO_BIN_EXE_shanting")).args(["subsidy", "assess", "/nonexistent/x.json"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
}

#[test]
fn table_format_is_readable_chinese() {
    let (code, out, err) = assess(&json!([worked()]).to_string(), &["--format", "table"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("91370406MA3C7K1020"), "{out}");
    assert!(out.contains("第3条") && out.contains("第2档") && out.contains("360000.00"), "{out}");
    assert!(out.contains("合计：418000.00 元"), "{out}");
    assert!(out.contains("不符合：第1条"), "{out}");
    assert!(out.contains("共 1 家申报单位"), "{out}");
}

#[test]
fn a_large_batch_is_assessed_in_input_order() {
    // More than one block per thread, with years and outcomes varying by position.
    let list: Vec<Value> = (0..9000)
        .map(|i| {
            let mut a = worked();
            a["year"] = json!(2022 + (i % 4));
            a["entered_on"] = json!(format!("{}-01-01", 2022 + (i % 4)));
            a["net_tax_yuan"] = json!(i);
            a
        })
        .collect();
    let (code, out, err) = assess(&Value::Array(list).to_string(), &[]);
    assert_eq!(code, 0, "{err}");
    let v: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(v.len(), 9000);
    for (i, r) in v.iter().enumerate() {
        assert_eq!(r["year"], 2022 + (i as i64 % 4), "{i}");
        // article 3 tier 2 is 30% of net_tax (i yuan): i × 30 fen, half up
        let art3 = r["awards"].as_array().unwrap().iter().find(|a| a["article"] == 3).map_or(0, |a| a["amount_fen"].as_i64().unwrap());
        assert_eq!(art3, i as i64 * 30, "{i}");
    }
}

#[test]
fn in_a_large_batch_the_first_invalid_applicant_in_input_order_is_reported() {
    let mut list: Vec<Value> = (0..9000).map(|_| worked()).collect();
    list[7000]["net_tax_yuan"] = json!("x");
    list[6001]["entered_on"] = json!("2022-13-01");
    let (code, out, err) = assess(&Value::Array(list).to_string(), &[]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("[6001].entered_on"), "{err}");
    assert!(!err.contains("[7000]"), "{err}");
}

/// 企业政策计算器 (`--partial`): article 3 waits for last year's retail, article 12 is still awarded.
#[test]
fn partial_lists_what_is_missing() {
    let mut v = worked();
    v.as_object_mut().unwrap().remove("online_retail_prev_yuan");
    let (code, out, err) = assess(&v.to_string(), &["--partial"]);
    assert_eq!(code, 0, "{err}");
    let r = &serde_json::from_str::<Value>(&out).unwrap()[0];
    assert_eq!(r["missing"], json!([{"article": 3, "facts": ["online_retail_prev_yuan"], "labels": ["上年网络零售额"]}]));
    assert!(!r["not_eligible"].as_array().unwrap().iter().any(|n| n["article"] == 3));
    assert!(r["awards"].as_array().unwrap().iter().any(|a| a["article"] == 12));
    // Without --partial nothing changes: no `missing`, article 3 not eligible.
    let (_, out, _) = assess(&v.to_string(), &[]);
    let plain = &serde_json::from_str::<Value>(&out).unwrap()[0];
    assert!(plain.get("missing").is_none());
    assert!(plain["not_eligible"].as_array().unwrap().iter().any(|n| n["article"] == 3));
    let (code, out, _) = assess(&v.to_string(), &["--partial", "--format", "table"]);
    assert_eq!(code, 0);
    assert!(out.contains("尚缺信息：第3条——请补充上年网络零售额"), "{out}");
}
