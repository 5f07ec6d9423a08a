//! 企业政策计算器: the partial assessment lists what is missing and decides the rest as before.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use ecommerce::{Assessment, Declared, Rules, assess_contract, assess_partial};
use proptest::prelude::*;
use serde_json::{Value, json};

/// The 2023 rules, loaded once: loading the embedded policy is most of a case's cost.
fn rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::load(&params(), 2023).unwrap())
}

fn partial(v: &Value) -> Assessment {
    let text = v.to_string();
    let a = ecommerce::parse_applicants(&text).unwrap().remove(0);
    let declared = Declared::of_input(&text).unwrap().remove(0);
    assess_partial(rules(), &a, &declared)
}

fn missing_of(x: &Assessment, article: u8) -> Option<Vec<String>> {
    x.missing.as_ref().unwrap().iter().find(|m| m.article == article).map(|m| m.facts.clone())
}

#[test]
fn article_3_waits_for_last_years_retail_while_article_12_is_awarded() {
    let mut v = worked();
    v.as_object_mut().unwrap().remove("online_retail_prev_yuan");
    let x = partial(&v);
    assert_eq!(missing_of(&x, 3), Some(vec!["online_retail_prev_yuan".to_string()]));
    let m = x.missing.as_ref().unwrap().iter().find(|m| m.article == 3).unwrap();
    assert_eq!(m.labels, ["上年网络零售额"]);
    assert!(!x.not_eligible.iter().any(|n| n.article == 3), "an article listed as missing is not in not_eligible");
    assert!(award(&x, 12).is_some(), "article 12 is still awarded: {:?}", x.awards);
    // Without --partial the same input says article 3 is not eligible.
    let ordinary = run(&v);
    assert!(reasons(&ordinary, 3).contains("上年网络零售额"));
    assert!(ordinary.missing.is_none());
}

#[test]
fn a_complete_input_has_nothing_missing_and_the_same_result() {
    let x = partial(&worked());
    assert_eq!(x.missing.as_deref(), Some(&[][..]));
    let a = applicant(&worked());
    let plain = assess_contract(rules(), &a);
    let strip = |x: &Assessment| {
        let mut v = serde_json::to_value(x).unwrap();
        v.as_object_mut().unwrap().remove("missing");
        v
    };
    assert_eq!(strip(&x), strip(&plain));
    assert_eq!(serde_json::to_value(&x).unwrap()["missing"], json!([]));
    assert!(serde_json::to_value(&plain).unwrap().get("missing").is_none(), "the ordinary contract has no missing key");
}

#[test]
fn a_section_given_in_part_names_the_rest_and_an_absent_section_is_not_missing() {
    let x = partial(&with(json!({"park": {"floor_area_m2": 6000}})));
    let one = missing_of(&x, 1).unwrap();
    assert!(one.contains(&"park.annual_investment_yuan".to_string()) && one.contains(&"net_tax_yuan".to_string()), "{one:?}");
    assert!(!one.contains(&"park.floor_area_m2".to_string()), "a given fact is not missing");
    assert_eq!(missing_of(&x, 2).unwrap(), ["park.qualified_enterprises", "park.tax_data_months"]);
    // No express section: article 12 is decided (not mine), not missing.
    assert_eq!(missing_of(&x, 12), None);
    assert!(x.not_eligible.iter().any(|n| n.article == 12));
}

#[test]
fn last_years_revenue_is_needed_only_after_the_first_year() {
    let platform = |first: bool| json!({"above_scale_service": true, "platform": {"annual_transactions_yuan": 1, "annual_revenue_yuan": 1, "first_year": first}});
    assert_eq!(missing_of(&partial(&with(platform(false))), 5), Some(vec!["platform.annual_revenue_prev_yuan".to_string()]));
    assert_eq!(missing_of(&partial(&with(platform(true))), 5), None);
}

#[test]
fn null_counts_as_not_given_and_the_top_ranked_decide_everything() {
    let mut v = worked();
    v["online_retail_prev_yuan"] = Value::Null;
    assert_eq!(missing_of(&partial(&v), 3), Some(vec!["online_retail_prev_yuan".to_string()]));
    let mut top = base();
    top["top_ranked"] = json!(true);
    let x = partial(&top);
    assert!(x.one_enterprise_one_policy);
    assert_eq!(x.missing.as_deref(), Some(&[][..]));
}

proptest! {
    /// Whatever is left out: the awards and referrals are those of the
    /// ordinary assessment, and every article 1–12 is in exactly one of
    /// awards / not_eligible / missing, or referred.
    #[test]
    fn partial_changes_only_where_articles_are_filed(drop in proptest::collection::vec(any::<bool>(), 12)) {
        let mut v = worked();
        v["park"] = json!({"floor_area_m2": 6000, "annual_investment_yuan": 1000000, "resident_enterprises": 40});
        let keys: Vec<String> = v.as_object().unwrap().keys().filter(|k| !["uscc", "year"].contains(&k.as_str())).cloned().collect();
        for (k, d) in keys.iter().zip(drop.iter()) {
            if *d {
                v.as_object_mut().unwrap().remove(k);
            }
        }
        let x = partial(&v);
        let plain = assess_contract(rules(), &applicant(&v));
        prop_assert_eq!(&x.awards.iter().map(|w| (w.article, w.amount_fen)).collect::<Vec<_>>(),
            &plain.awards.iter().map(|w| (w.article, w.amount_fen)).collect::<Vec<_>>());
        for article in 1..=12u8 {
            let places = [
                x.awards.iter().any(|w| w.article == article),
                x.not_eligible.iter().any(|n| n.article == article),
                missing_of(&x, article).is_some(),
            ];
            let referred = x.case_by_case.iter().any(|c| c.article == article);
            prop_assert!(places.iter().filter(|p| **p).count() == 1 || referred, "article {} in {:?}", article, places);
        }
    }
}
