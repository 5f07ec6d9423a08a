//! Shared builders for the engine tests.
#![allow(dead_code, clippy::unwrap_used)]

use ecommerce::{Applicant, Assessment, Rules};
use kernel::ParamSet;
use serde_json::{Value, json};

pub fn params() -> ParamSet {
    ParamSet::embedded().unwrap()
}

/// The worked example of ecommerce.md §3.
pub fn worked() -> Value {
    json!({"uscc": "91370406MA3C7K1020", "name": "示例电商", "year": 2023,
        "registered_in_district": true, "statistically_included": true,
        "entered_on": "2022-03-01", "net_tax_yuan": 1200000,
        "online_retail_yuan": 62000000, "online_retail_prev_yuan": 51000000,
        "platform_fees": {"annual_transactions_yuan": 62000000, "agreement_signed": true, "fees_paid_yuan": 80000},
        "express": {"sells_and_ships_local": true, "parcels": 260000, "online_sales_yuan": 62000000}})
}

/// A registered, included enterprise with no section claimed.
pub fn base() -> Value {
    json!({"uscc": "91370406MA3C7K1020", "year": 2023, "registered_in_district": true, "statistically_included": true})
}

pub fn applicant(v: &Value) -> Applicant {
    ecommerce::parse_applicants(&v.to_string()).unwrap().remove(0)
}

pub fn run(v: &Value) -> Assessment {
    let a = applicant(v);
    let r = Rules::load(&params(), a.year).unwrap();
    ecommerce::assess(&r, &a)
}

/// `base()` with `patch` merged in (objects merged one level deep).
pub fn with(patch: Value) -> Value {
    let mut v = base();
    for (k, x) in patch.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// The award of an article: (tier, fen), or None.
pub fn award(x: &Assessment, article: u8) -> Option<(u8, i64)> {
    x.awards.iter().find(|w| w.article == article).map(|w| (w.tier, w.amount_fen.fen()))
}

pub fn reasons(x: &Assessment, article: u8) -> String {
    x.not_eligible.iter().filter(|n| n.article == article).flat_map(|n| n.reasons.clone()).collect::<Vec<_>>().join("；")
}

pub fn case(x: &Assessment, article: u8) -> Option<Option<u8>> {
    x.case_by_case.iter().find(|c| c.article == article).map(|c| c.tier)
}
