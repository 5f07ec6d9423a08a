//! The public worked example of ecommerce.md §3: exactly 41,800,000 fen.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;

#[test]
fn worked_example_is_41_800_000_fen() {
    let x = run(&worked());
    assert_eq!(x.total_fen.fen(), 41_800_000);
    let got: Vec<(u8, u8, i64, bool)> = x.awards.iter().map(|w| (w.article, w.tier, w.amount_fen.fen(), w.one_time)).collect();
    assert_eq!(got, vec![(3, 2, 36_000_000, false), (4, 1, 4_000_000, false), (12, 1, 1_800_000, false)]);
    assert!(x.case_by_case.is_empty());
    assert!(!x.one_enterprise_one_policy);
    let ne: Vec<u8> = x.not_eligible.iter().map(|n| n.article).collect();
    assert_eq!(ne, vec![1, 2, 5, 6, 7, 8, 9, 10, 11]);
    for w in &x.awards {
        assert_eq!(w.citation, format!("山政发〔2022〕10号 附件4 第{}条", w.article));
        assert!(!w.explanation.is_empty());
    }
    assert!(x.awards[0].explanation.contains("第2档"), "{}", x.awards[0].explanation);
    assert!(x.awards[0].explanation.contains("入驻当年及其后两个年度"), "reading shown: {}", x.awards[0].explanation);
}

#[test]
fn contract_json_has_exactly_the_contract_keys() {
    let x = run(&worked());
    let v = serde_json::to_value(&x).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["awards", "case_by_case", "not_eligible", "one_enterprise_one_policy", "total_fen", "uscc", "year"]);
    assert_eq!(v["uscc"], "91370406MA3C7K1020");
    assert_eq!(v["year"], 2023);
    assert_eq!(v["total_fen"], 41_800_000);
    let mut akeys: Vec<&str> = v["awards"][0].as_object().unwrap().keys().map(String::as_str).collect();
    akeys.sort_unstable();
    assert_eq!(akeys, ["amount_fen", "article", "citation", "explanation", "one_time", "tier"]);
    assert_eq!(v["awards"][0]["amount_fen"], 36_000_000);
    assert_eq!(v["not_eligible"][0]["article"], 1);
    assert!(v["not_eligible"][0]["reasons"][0].as_str().unwrap().contains("未申报园区"));
}

#[test]
fn the_explanation_is_exposed_for_the_ui() {
    let x = run(&worked());
    let t = x.text();
    // the three articles claimed have their own steps; the unclaimed ones share one
    assert_eq!(x.explanation.steps.len(), 4, "{t}");
    assert!(t.contains("未申报的扶持事项") && t.contains("第1条（未申报园区情况") && !t.contains("（park）"), "{t}");
    assert!(t.contains("【山政发〔2022〕10号 附件4 第12条】"), "{t}");
    assert!(t.contains("超出部分60000单"), "{t}");
}

#[test]
fn the_contract_json_reads_back_as_the_same_assessment() {
    let x = run(&worked());
    let text = serde_json::to_string(&x).unwrap();
    let back = ecommerce::Assessment::from_json(&text).unwrap();
    assert_eq!(back.total_fen.fen(), 41_800_000, "fen stay fen, not yuan");
    assert_eq!(back.awards, x.awards);
    assert_eq!(back.not_eligible, x.not_eligible);
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    // A text that is not an assessment is an error, never zeros.
    assert!(ecommerce::Assessment::from_json("{}").is_err());
    assert!(ecommerce::Assessment::from_json(&text.replace("\"total_fen\":41800000", "\"total_fen\":\"x\"")).is_err());
}
