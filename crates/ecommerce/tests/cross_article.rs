//! The rules across articles: tiers exclusive, one-time once ever (and
//! blocking lower tiers later), the same project once a year, 就高 against
//! other district policies, case-by-case flags, 八、其他, the validity window.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use ecommerce::{AssessError, Rules, RulesError};
use serde_json::json;

#[test]
fn one_time_award_is_paid_once_ever() {
    let mut v = with(
        json!({"live_base": {"platform_licensed": true, "area_m2": 1200, "studios": 12, "active_anchors": 25, "online_retail_yuan": 25000000}}),
    );
    assert_eq!(award(&run(&v), 6), Some((1, 10_000_000)));
    v["awards_received"] = json!([{"article": 6, "year": 2022}]);
    let x = run(&v);
    assert_eq!(award(&x, 6), None);
    assert!(reasons(&x, 6).contains("一次性"), "{}", reasons(&x, 6));
    // an award of another article does not block it
    v["awards_received"] = json!([{"article": 7, "year": 2022}]);
    assert_eq!(award(&run(&v), 6), Some((1, 10_000_000)));
}

#[test]
fn a_higher_one_time_tier_received_blocks_lower_tiers_later() {
    let tier1 = with(json!({"logistics": {"warehouse_area_m2": 3500, "local_clients": 6}}));
    let mut v = tier1.clone();
    v["awards_received"] = json!([{"article": 11, "year": 2022, "tier": 2}]);
    let x = run(&v);
    assert_eq!(award(&x, 11), None);
    assert!(reasons(&x, 11).contains("低档次不再享受"), "{}", reasons(&x, 11));
    // article 12: the one-time tier 2 blocks the annual tier 1 in later years
    let mut v = with(json!({"express": {"sells_and_ships_local": true, "parcels": 260000, "online_sales_yuan": 1000}}));
    assert_eq!(award(&run(&v), 12), Some((1, 1_800_000)));
    v["awards_received"] = json!([{"article": 12, "year": 2022, "tier": 2}]);
    assert_eq!(award(&run(&v), 12), None);
}

#[test]
fn a_lower_one_time_tier_received_leaves_the_higher_tier_open() {
    let mut v = with(
        json!({"logistics": {"warehouse_area_m2": 6000, "local_clients": 6, "new_smart_public_warehouse": true, "investment_excl_land_yuan": 25000000}}),
    );
    v["awards_received"] = json!([{"article": 11, "year": 2022, "tier": 1}]);
    assert_eq!(award(&run(&v), 11), Some((2, 30_000_000)));
    // but tier 1 itself is not paid again
    let mut v = with(json!({"logistics": {"warehouse_area_m2": 3500, "local_clients": 6}}));
    v["awards_received"] = json!([{"article": 11, "year": 2022, "tier": 1}]);
    assert_eq!(award(&run(&v), 11), None);
}

#[test]
fn annual_tiers_are_assessed_afresh_each_year_but_once_a_year() {
    let mut v = worked();
    v["awards_received"] = json!([{"article": 3, "year": 2022, "tier": 3}, {"article": 12, "year": 2022, "tier": 1}]);
    let x = run(&v);
    assert_eq!(award(&x, 3), Some((2, 36_000_000)), "a higher annual tier last year does not block this year");
    assert_eq!(award(&x, 12), Some((1, 1_800_000)));
    v["awards_received"] = json!([{"article": 3, "year": 2023, "tier": 2}]);
    let x = run(&v);
    assert_eq!(award(&x, 3), None);
    assert!(reasons(&x, 3).contains("同一项目不重复享受"), "{}", reasons(&x, 3));
    assert_eq!(x.total_fen.fen(), 4_000_000 + 1_800_000);
}

#[test]
fn higher_wins_moves_a_beaten_award_to_not_eligible() {
    let mut v = worked();
    v["competing_claims"] = json!([{"article": 3, "amount_yuan": 400000, "policy": "区工业企业奖励办法"}]);
    let x = run(&v);
    assert_eq!(award(&x, 3), None);
    let r = reasons(&x, 3);
    assert!(r.contains("就高原则") && r.contains("区工业企业奖励办法") && r.contains("40万元"), "{r}");
    assert_eq!(x.total_fen.fen(), 5_800_000);
    // equal amounts: the other policy's award stands (reading)
    v["competing_claims"] = json!([{"article": 3, "amount_yuan": 360000}]);
    assert_eq!(award(&run(&v), 3), None);
    // ours strictly higher: granted, and the explanation says the other is dropped
    v["competing_claims"] = json!([{"article": 3, "amount_yuan": "359999.99", "policy": "其他"}]);
    let x = run(&v);
    assert_eq!(award(&x, 3), Some((2, 36_000_000)));
    assert!(x.awards[0].explanation.contains("就高原则"), "{}", x.awards[0].explanation);
    // the highest of several claims counts; a claim on another article does not
    v["competing_claims"] =
        json!([{"article": 3, "amount_yuan": 1}, {"article": 3, "amount_yuan": 500000}, {"article": 4, "amount_yuan": 1}]);
    let x = run(&v);
    assert_eq!(award(&x, 3), None);
    assert_eq!(award(&x, 4), Some((1, 4_000_000)));
}

#[test]
fn case_by_case_items_get_no_amount_but_a_flag_with_the_reason() {
    let v = with(json!({"entered_on": "2023-01-01", "net_tax_yuan": 12000000,
        "service_provider": {"independent_legal_entity": true},
        "express": {"sells_and_ships_local": true, "parcels": 5000000, "online_sales_yuan": 2000000000},
        "platform": {"live_platform_hq": true},
        "logistics": {"large_hub": true}}));
    let x = run(&v);
    let mut flagged: Vec<(u8, Option<u8>)> = x.case_by_case.iter().map(|c| (c.article, c.tier)).collect();
    flagged.sort_unstable();
    assert_eq!(flagged, vec![(5, None), (8, Some(3)), (11, None), (12, Some(3))]);
    for c in &x.case_by_case {
        assert!(c.reason.contains("一事一议"), "{c:?}");
        assert!(c.citation.ends_with(&format!("第{}条", c.article)));
    }
    // the highest tier being case by case, the lower tiers of 8 and 12 are not paid
    assert_eq!(award(&x, 8), None);
    assert_eq!(award(&x, 12), None);
    let j = serde_json::to_value(&x).unwrap();
    assert_eq!(j["case_by_case"][0]["article"], 5);
    assert!(j["case_by_case"][0]["tier"].is_null());
}

#[test]
fn one_enterprise_one_policy_gets_none_of_articles_1_to_12() {
    let mut v = worked();
    v["top_ranked"] = json!(true);
    let x = run(&v);
    assert!(x.one_enterprise_one_policy);
    assert!(x.awards.is_empty());
    assert_eq!(x.total_fen.fen(), 0);
    assert_eq!(x.not_eligible.iter().map(|n| n.article).collect::<Vec<_>>(), (1..=12).collect::<Vec<u8>>());
    assert!(reasons(&x, 3).contains("一企一策"));
    assert!(x.text().contains("八、其他"));
}

#[test]
fn validity_window_accepts_2022_to_2025_and_refuses_others() {
    let p = params();
    for y in [2022, 2023, 2024, 2025] {
        assert!(Rules::load(&p, y).is_ok(), "{y}");
    }
    for y in [2021, 2026, 0, i32::MAX] {
        let e = Rules::load(&p, y).unwrap_err();
        assert!(matches!(e, RulesError::OutsideValidity { .. }), "{y}");
        let m = e.to_string();
        assert!(m.contains("有效期") && m.contains("2022-11-01至2025-10-31"), "{m}");
    }
    assert_eq!(Rules::load(&p, 2022).unwrap().on.to_string(), "2022-11-01");
    assert_eq!(Rules::load(&p, 2025).unwrap().on.to_string(), "2025-01-01");
}

#[test]
fn the_window_follows_the_publication_date_parameter() {
    let text = kernel::ParamSet::embedded_files().into_iter().find(|(p, _)| p == "ecommerce/support-policy.toml").unwrap().1;
    let moved = text.replace("value = 2022-11-01\nfrom = 2022-11-01", "value = 2023-02-01\nfrom = 2022-11-01");
    assert_ne!(moved, text);
    let p = kernel::ParamSet::with_overrides(vec![("ecommerce/support-policy.toml".into(), moved)]).unwrap();
    assert!(Rules::load(&p, 2022).is_err());
    assert!(Rules::load(&p, 2026).is_ok());
}

#[test]
fn assess_many_keeps_input_order_and_reports_the_year_path() {
    let mut later = worked();
    later["year"] = json!(2024);
    later["entered_on"] = json!("2023-05-05");
    let list = ecommerce::parse_applicants(&json!([worked(), later, base()]).to_string()).unwrap();
    let out = ecommerce::assess_many(&params(), &list).unwrap();
    assert_eq!(out.iter().map(|x| x.year).collect::<Vec<_>>(), vec![2023, 2024, 2023]);
    assert_eq!(out[0].total_fen.fen(), 41_800_000);
    assert_eq!(out[1].total_fen.fen(), 41_800_000);
    assert_eq!(out[2].total_fen.fen(), 0);
    let mut bad = base();
    bad["year"] = json!(2026);
    let list = ecommerce::parse_applicants(&json!([base(), base(), base(), bad]).to_string()).unwrap();
    match ecommerce::assess_many(&params(), &list) {
        Err(AssessError::Input(e)) => {
            assert_eq!(e.path, "[3].year");
            assert!(e.message.contains("有效期"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}
