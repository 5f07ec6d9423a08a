//! Properties over random applicants: no award exceeds its cap, the total is
//! the sum of the awards, and a higher figure never lowers an article's award
//! within its tier structure (unless the top tier is case by case, which has no amount).
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use ecommerce::{Applicant, Assessment, Rules};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Yuan with fen, as a decimal string.
fn y(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

prop_compose! {
    fn any_applicant()(
        flags in prop::array::uniform6(any::<bool>()),
        entry_year in 2018i16..2025,
        year in 2022i32..=2025,
        net in 0i64..2_000_000_000,
        retail in 0i64..20_000_000_000, prev in 0i64..20_000_000_000,
        park in (0i64..1_000_000, 0i64..2_000_000_000, 0u32..40, 0u32..20, 0u32..13),
        fees in (0i64..2_000_000_000, any::<bool>(), 0i64..20_000_000),
        plat in (0i64..60_000_000_000, 0i64..60_000_000_000, 0i64..40_000_000_000, any::<bool>()),
        live in (0i64..300_000, 0u32..20, 0u32..40, 0i64..5_000_000_000),
        train in (0u32..200, 0u32..60),
        usd in 0i64..10_000_000_000,
        agri in 0i64..1_000_000_000,
        logi in (0i64..1_000_000, 0u32..10, any::<bool>(), 0i64..5_000_000_000),
        express in (0u64..600_000, 0i64..200_000_000_000),
        claim in prop::option::of((1u8..=12, 0i64..100_000_000)),
    ) -> Value {
        let mut v = json!({
            "uscc": "91370406MA3C7K1020", "year": year,
            "registered_in_district": flags[0], "statistically_included": flags[1], "above_limit": flags[2],
            "above_scale_service": flags[3], "entered_on": format!("{entry_year}-06-30"),
            "net_tax_yuan": y(net), "online_retail_yuan": y(retail), "online_retail_prev_yuan": y(prev),
            "park": {"floor_area_m2": y(park.0), "annual_investment_yuan": y(park.1), "resident_enterprises": park.2,
                     "qualified_enterprises": park.3, "tax_data_months": park.4},
            "platform_fees": {"annual_transactions_yuan": y(fees.0), "agreement_signed": fees.1, "fees_paid_yuan": y(fees.2)},
            "platform": {"annual_transactions_yuan": y(plat.0), "annual_revenue_yuan": y(plat.1),
                         "annual_revenue_prev_yuan": y(plat.2), "first_year": plat.3},
            "live_base": {"platform_licensed": flags[4], "area_m2": y(live.0), "studios": live.1, "active_anchors": live.2,
                          "online_retail_yuan": y(live.3)},
            "training": {"anchors_trained": train.0, "graduates_contracted": train.1},
            "service_provider": {"independent_legal_entity": flags[5], "serves_local_ecommerce": true},
            "cross_border": {"import_export_usd": y(usd), "data_verified": true},
            "rural": {"agri_online_sales_yuan": y(agri)},
            "logistics": {"warehouse_area_m2": y(logi.0), "local_clients": logi.1, "new_smart_public_warehouse": logi.2,
                          "investment_excl_land_yuan": y(logi.3)},
            "express": {"sells_and_ships_local": true, "parcels": express.0, "online_sales_yuan": y(express.1)}
        });
        if let Some((article, amount)) = claim {
            v["competing_claims"] = json!([{"article": article, "amount_yuan": y(amount)}]);
        }
        v
    }
}

fn parse(v: &Value) -> Applicant {
    applicant(v)
}

fn assess(v: &Value) -> Assessment {
    let a = parse(v);
    let r = Rules::load(&params(), a.year).unwrap();
    ecommerce::assess(&r, &a)
}

fn fen_of(x: &Assessment, article: u8) -> i64 {
    award(x, article).map_or(0, |(_, f)| f)
}

/// The cap of each article's award, from the parameters in force.
fn cap(r: &Rules, a: &Applicant, article: u8) -> i64 {
    let net = a.net_tax_yuan.unwrap_or_default();
    match article {
        1 => r.art1_cap.min(net).fen(),
        2 => r.art2_amount.fen(),
        3 => net.mul_ratio(r.art3_tiers[2].1).fen(),
        4 => r.art4_cap.fen(),
        5 => r.art5_t2_amount.fen(),
        6 => r.art6_amount.fen(),
        7 => r.art7_amount.fen(),
        8 => net.mul_ratio(r.art8_tiers[1].1).fen(),
        9 => r.art9_cap.fen(),
        10 => r.art10_amount.fen(),
        11 => r.art11_t2_amount.fen(),
        _ => r.art12_t2_amount.max(r.art12_t1_cap).fen(),
    }
}

/// Raise one figure of `v` by `by` (fen, m²/100, or units).
fn bump(v: &Value, path: &[&str], by: i64) -> Value {
    let mut out = v.clone();
    let mut cur = &mut out;
    for k in &path[..path.len() - 1] {
        cur = &mut cur[*k];
    }
    let last = path[path.len() - 1];
    let old = &cur[last];
    cur[last] = match old {
        Value::String(s) => {
            let fen = kernel::Money::parse_yuan(s).unwrap().fen();
            json!(y(fen + by))
        }
        Value::Number(n) => json!(n.as_i64().unwrap() + by),
        _ => unreachable!("{old}"),
    };
    out
}

/// (article, path of a figure whose rise must never lower that article's award)
const MONOTONE: &[(u8, &[&str])] = &[
    (1, &["park", "floor_area_m2"]),
    (1, &["park", "annual_investment_yuan"]),
    (1, &["park", "resident_enterprises"]),
    (1, &["net_tax_yuan"]),
    (2, &["park", "qualified_enterprises"]),
    (2, &["park", "tax_data_months"]),
    (3, &["online_retail_yuan"]),
    (3, &["net_tax_yuan"]),
    (4, &["platform_fees", "annual_transactions_yuan"]),
    (4, &["platform_fees", "fees_paid_yuan"]),
    (5, &["platform", "annual_transactions_yuan"]),
    (5, &["platform", "annual_revenue_yuan"]),
    (6, &["live_base", "area_m2"]),
    (6, &["live_base", "studios"]),
    (6, &["live_base", "active_anchors"]),
    (6, &["live_base", "online_retail_yuan"]),
    (7, &["training", "anchors_trained"]),
    (7, &["training", "graduates_contracted"]),
    (8, &["net_tax_yuan"]),
    (9, &["cross_border", "import_export_usd"]),
    (10, &["rural", "agri_online_sales_yuan"]),
    (11, &["logistics", "warehouse_area_m2"]),
    (11, &["logistics", "local_clients"]),
    (11, &["logistics", "investment_excl_land_yuan"]),
    (12, &["express", "parcels"]),
    (12, &["express", "online_sales_yuan"]),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_award_exceeds_its_cap_and_total_is_the_sum(v in any_applicant()) {
        let a = parse(&v);
        let r = Rules::load(&params(), a.year).unwrap();
        let x = ecommerce::assess(&r, &a);
        for w in &x.awards {
            prop_assert!(w.amount_fen.fen() > 0, "zero award listed: {:?}", w);
            prop_assert!(w.amount_fen.fen() <= cap(&r, &a, w.article), "article {} {} > cap {}", w.article, w.amount_fen.fen(), cap(&r, &a, w.article));
            prop_assert!(w.tier >= 1 && w.tier <= ecommerce::TIERS[usize::from(w.article) - 1]);
        }
        let sum: i64 = x.awards.iter().map(|w| w.amount_fen.fen()).sum();
        prop_assert_eq!(x.total_fen.fen(), sum);
        // every article is accounted for: awarded, not eligible, or a case-by-case tier
        for art in 1..=12u8 {
            let placed = x.awards.iter().any(|w| w.article == art)
                || x.not_eligible.iter().any(|n| n.article == art)
                || x.case_by_case.iter().any(|c| c.article == art && c.tier.is_some());
            prop_assert!(placed, "article {} missing", art);
        }
        // article awards at most once (tiers exclusive)
        for art in 1..=12u8 {
            prop_assert!(x.awards.iter().filter(|w| w.article == art).count() <= 1);
        }
    }

    #[test]
    fn the_batch_form_gives_the_same_contract_json(v in any_applicant(), history in prop::option::of((1u8..=12, 2021i32..=2025))) {
        let mut v = v;
        if let Some((article, year)) = history {
            v["awards_received"] = json!([{"article": article, "year": year}]);
        }
        let a = parse(&v);
        let r = Rules::load(&params(), a.year).unwrap();
        let full = ecommerce::assess(&r, &a);
        let brief = ecommerce::assess_contract(&r, &a);
        prop_assert_eq!(serde_json::to_string(&full).unwrap(), serde_json::to_string(&brief).unwrap());
        prop_assert!(brief.explanation.steps.len() <= full.explanation.steps.len());
    }

    #[test]
    fn a_higher_figure_never_lowers_an_award(v in any_applicant(), which in 0..MONOTONE.len(), by in 1i64..5_000_000_000) {
        let (art, path) = MONOTONE[which];
        // counts stay counts; small steps matter most near thresholds
        let by = if path.last().is_some_and(|p| !p.ends_with("_yuan") && !p.ends_with("_m2")) { by % 500 + 1 } else { by };
        let before = assess(&v);
        let after = assess(&bump(&v, path, by));
        let referred = after.case_by_case.iter().any(|c| c.article == art && c.tier.is_some());
        if !referred {
            prop_assert!(fen_of(&after, art) >= fen_of(&before, art),
                "article {} fell from {} to {} raising {:?} by {}", art, fen_of(&before, art), fen_of(&after, art), path, by);
        }
    }
}
