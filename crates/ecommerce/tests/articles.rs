//! Both sides of every threshold of articles 1–12, each encoded with its own
//! word (以上/达到/至少/及以上 include the number, 超过/超/突破 exclude it).
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use serde_json::{Value, json};

fn park(floor: Value, inv: Value, ent: u32) -> Value {
    with(json!({"net_tax_yuan": 1200000, "park": {"floor_area_m2": floor, "annual_investment_yuan": inv, "resident_enterprises": ent}}))
}

// --- article 1: 超过5000平方米, 200万元以上, 20家以上; 15%, ≤ net_tax, ≤ 30万 -----

#[test]
fn art1_floor_area_must_exceed_5000() {
    let x = run(&park(json!(5000), json!(2500000), 25));
    assert_eq!(award(&x, 1), None);
    assert!(reasons(&x, 1).contains("超过5000平方米"), "{}", reasons(&x, 1));
    assert_eq!(award(&run(&park(json!("5000.01"), json!(2500000), 25)), 1), Some((1, 30_000_000)));
}

#[test]
fn art1_investment_200_wan_included() {
    assert_eq!(award(&run(&park(json!(6000), json!("1999999.99"), 25)), 1), None);
    assert_eq!(award(&run(&park(json!(6000), json!(2000000), 25)), 1), Some((1, 30_000_000)));
}

#[test]
fn art1_twenty_enterprises_included() {
    assert_eq!(award(&run(&park(json!(6000), json!(2500000), 19)), 1), None);
    assert_eq!(award(&run(&park(json!(6000), json!(2500000), 20)), 1), Some((1, 30_000_000)));
}

#[test]
fn art1_amount_is_the_least_of_share_net_tax_and_cap() {
    // 15% of 10,000,000 = 1,500,000 → capped at 300,000
    assert_eq!(award(&run(&park(json!(6000), json!(10000000), 25)), 1), Some((1, 30_000_000)));
    // the operator's net_tax 123,456.78 is lower than both
    let mut v = park(json!(6000), json!(2500000), 25);
    v["net_tax_yuan"] = json!("123456.78");
    assert_eq!(award(&run(&v), 1), Some((1, 12_345_678)));
    // no net_tax: nothing
    v["net_tax_yuan"] = json!(0);
    let x = run(&v);
    assert_eq!(award(&x, 1), None);
    assert!(reasons(&x, 1).contains("金额为0"), "{}", reasons(&x, 1));
}

// --- article 2: 累计超过10家, 半年以上 -------------------------------------------

fn park2(q: u32, months: u32) -> Value {
    with(json!({"park": {"qualified_enterprises": q, "tax_data_months": months}}))
}

#[test]
fn art2_more_than_ten_enterprises() {
    assert_eq!(award(&run(&park2(10, 12)), 2), None);
    assert!(reasons(&run(&park2(10, 12)), 2).contains("超过10家"));
    assert_eq!(award(&run(&park2(11, 12)), 2), Some((1, 20_000_000)));
}

#[test]
fn art2_half_a_year_of_tax_data_included() {
    assert_eq!(award(&run(&park2(11, 5)), 2), None);
    assert_eq!(award(&run(&park2(11, 6)), 2), Some((1, 20_000_000)));
}

// --- article 3: 3000万/5000万/1亿元以上 and 同比增长, 入驻3年期内 ----------------------

fn art3(retail: &str, prev: &str) -> Value {
    with(json!({"entered_on": "2022-03-01", "net_tax_yuan": 1000000, "online_retail_yuan": retail, "online_retail_prev_yuan": prev}))
}

#[test]
fn art3_tiers_on_both_sides() {
    let cases = [
        ("29999999.99", None),
        ("30000000", Some((1, 20_000_000))),
        ("49999999.99", Some((1, 20_000_000))),
        ("50000000", Some((2, 30_000_000))),
        ("99999999.99", Some((2, 30_000_000))),
        ("100000000", Some((3, 40_000_000))),
    ];
    for (retail, want) in cases {
        let x = run(&art3(retail, "1000"));
        assert_eq!(award(&x, 3), want, "retail {retail}");
        // tiers exclusive: at most one award for the article
        assert!(x.awards.iter().filter(|w| w.article == 3).count() <= 1);
    }
}

#[test]
fn art3_growth_means_strictly_more_than_last_year() {
    let x = run(&art3("60000000", "60000000"));
    assert_eq!(award(&x, 3), None);
    assert!(reasons(&x, 3).contains("同比增长"));
    assert_eq!(award(&run(&art3("60000000", "59999999.99")), 3), Some((2, 30_000_000)));
    let mut v = art3("60000000", "1");
    v.as_object_mut().unwrap().remove("online_retail_prev_yuan");
    assert!(reasons(&run(&v), 3).contains("未申报上年网络零售额"));
}

#[test]
fn art3_entry_window_is_entry_year_and_two_more() {
    let mut v = art3("60000000", "1");
    v["entered_on"] = json!("2021-12-31"); // 2021, 2022, 2023
    assert_eq!(award(&run(&v), 3), Some((2, 30_000_000)));
    v["entered_on"] = json!("2020-12-31"); // 2020–2022: 2023 is outside
    let x = run(&v);
    assert_eq!(award(&x, 3), None);
    assert!(reasons(&x, 3).contains("超出入驻3年期"), "{}", reasons(&x, 3));
    v["entered_on"] = json!("2024-01-01"); // not yet entered
    assert_eq!(award(&run(&v), 3), None);
}

#[test]
fn art3_needs_registration_and_statistics() {
    let mut v = art3("60000000", "1");
    v["registered_in_district"] = json!(false);
    assert!(reasons(&run(&v), 3).contains("注册地不在山亭区"));
    let mut v = art3("60000000", "1");
    v["statistically_included"] = json!(false);
    assert!(reasons(&run(&v), 3).contains("未纳入统计"));
}

// --- article 4: 500万元以上; 50%, 最高5万 ---------------------------------------

fn fees(tx: &str, signed: bool, paid: &str) -> Value {
    with(json!({"platform_fees": {"annual_transactions_yuan": tx, "agreement_signed": signed, "fees_paid_yuan": paid}}))
}

#[test]
fn art4_five_million_included_and_cap() {
    assert_eq!(award(&run(&fees("4999999.99", true, "80000")), 4), None);
    assert_eq!(award(&run(&fees("5000000", true, "80000")), 4), Some((1, 4_000_000)));
    assert_eq!(award(&run(&fees("5000000", true, "99999.98")), 4), Some((1, 4_999_999)));
    assert_eq!(award(&run(&fees("5000000", true, "100000")), 4), Some((1, 5_000_000)));
    assert_eq!(award(&run(&fees("5000000", true, "100000.02")), 4), Some((1, 5_000_000)));
    // half up to the fen: 50% of 0.01 yuan = 0.5 fen → 1 fen
    assert_eq!(award(&run(&fees("5000000", true, "0.01")), 4), Some((1, 1)));
}

#[test]
fn art4_needs_agreement_and_fees() {
    assert!(reasons(&run(&fees("6000000", false, "80000")), 4).contains("未签订服务协议"));
    assert!(reasons(&run(&fees("6000000", true, "0")), 4).contains("未支付"));
}

// --- article 5: 超过1亿元 & 增幅30%以上; 交易额、营业额超过3亿元 & 增幅达到25%以上; 首年 ------

fn platform(tx: &str, rev: &str, prev: Option<&str>, first: bool) -> Value {
    let mut p = json!({"annual_transactions_yuan": tx, "annual_revenue_yuan": rev, "first_year": first});
    if let Some(prev) = prev {
        p["annual_revenue_prev_yuan"] = json!(prev);
    }
    with(json!({"above_scale_service": true, "platform": p}))
}

#[test]
fn art5_tier1_transactions_must_exceed_one_yi() {
    assert_eq!(award(&run(&platform("100000000", "13000000", Some("10000000"), false)), 5), None);
    assert_eq!(award(&run(&platform("100000000.01", "13000000", Some("10000000"), false)), 5), Some((1, 10_000_000)));
}

#[test]
fn art5_tier1_growth_30_percent_included() {
    assert_eq!(award(&run(&platform("200000000", "12999999.99", Some("10000000"), false)), 5), None);
    assert!(reasons(&run(&platform("200000000", "12999999.99", Some("10000000"), false)), 5).contains("30%"));
    assert_eq!(award(&run(&platform("200000000", "13000000", Some("10000000"), false)), 5), Some((1, 10_000_000)));
}

#[test]
fn art5_tier2_either_figure_must_exceed_three_yi() {
    // 25% growth: too little for tier 1, enough for tier 2 if a figure exceeds 3亿
    assert_eq!(award(&run(&platform("300000000", "12500000", Some("10000000"), false)), 5), None);
    assert_eq!(award(&run(&platform("300000000.01", "12500000", Some("10000000"), false)), 5), Some((2, 20_000_000)));
    // revenue alone over 3亿 (reading: either figure)
    assert_eq!(award(&run(&platform("0", "300000000.01", Some("240000000"), false)), 5), Some((2, 20_000_000)));
    assert_eq!(award(&run(&platform("0", "300000000", Some("240000000"), false)), 5), None);
}

#[test]
fn art5_tier2_growth_25_percent_included() {
    assert_eq!(award(&run(&platform("400000000", "12499999.99", Some("10000000"), false)), 5), None);
    assert_eq!(award(&run(&platform("400000000", "12500000", Some("10000000"), false)), 5), Some((2, 20_000_000)));
    // 30% growth and over 3亿: the higher tier only
    assert_eq!(award(&run(&platform("400000000", "13000000", Some("10000000"), false)), 5), Some((2, 20_000_000)));
}

#[test]
fn art5_first_year_waives_growth_and_unknown_growth_does_not_qualify() {
    assert_eq!(award(&run(&platform("400000000", "1000", None, true)), 5), Some((2, 20_000_000)));
    assert_eq!(award(&run(&platform("200000000", "1000", None, true)), 5), Some((1, 10_000_000)));
    let x = run(&platform("200000000", "1000", None, false));
    assert_eq!(award(&x, 5), None);
    assert!(reasons(&x, 5).contains("无法计算增幅"), "{}", reasons(&x, 5));
    let x = run(&platform("200000000", "1000", Some("0"), false));
    assert_eq!(award(&x, 5), None);
}

#[test]
fn art5_needs_above_scale_services_statistics() {
    let mut v = platform("400000000", "13000000", Some("10000000"), false);
    v["above_scale_service"] = json!(false);
    assert!(reasons(&run(&v), 5).contains("规模以上服务业"));
}

#[test]
fn art5_live_platform_hq_is_case_by_case() {
    let mut v = platform("0", "0", None, false);
    v["platform"]["live_platform_hq"] = json!(true);
    let x = run(&v);
    assert_eq!(case(&x, 5), Some(None));
    assert_eq!(award(&x, 5), None);
    assert!(x.case_by_case[0].reason.contains("一事一议"));
    assert_eq!(x.total_fen.fen(), 0);
}

// --- article 6: 超1000平方米, 超10间, 超20人, 2000万元以上; 一次性10万 ------------------

fn live(area: &str, studios: u32, anchors: u32, retail: &str) -> Value {
    with(
        json!({"live_base": {"platform_licensed": true, "area_m2": area, "studios": studios, "active_anchors": anchors, "online_retail_yuan": retail}}),
    )
}

#[test]
fn art6_each_threshold_on_both_sides() {
    let ok = Some((1, 10_000_000));
    assert_eq!(award(&run(&live("1000.01", 11, 21, "20000000")), 6), ok);
    assert_eq!(award(&run(&live("1000", 11, 21, "20000000")), 6), None);
    assert_eq!(award(&run(&live("1000.01", 10, 21, "20000000")), 6), None);
    assert_eq!(award(&run(&live("1000.01", 11, 20, "20000000")), 6), None);
    assert_eq!(award(&run(&live("1000.01", 11, 21, "19999999.99")), 6), None);
    let x = run(&live("1000", 10, 20, "1"));
    let r = reasons(&x, 6);
    assert!(r.contains("超1000平方米") && r.contains("超10间") && r.contains("超20人") && r.contains("2000万元以上"), "{r}");
    assert!(run(&live("1000.01", 11, 21, "20000000")).awards[0].one_time);
}

#[test]
fn art6_needs_platform_licence() {
    let mut v = live("1000.01", 11, 21, "20000000");
    v["live_base"]["platform_licensed"] = json!(false);
    assert_eq!(award(&run(&v), 6), None);
}

// --- article 7: 100人以上, 至少30人, 不含关联机构; 一次性5万 ------------------------------

fn training(trained: u32, grads: u32, affiliated: bool) -> Value {
    with(json!({"training": {"anchors_trained": trained, "graduates_contracted": grads, "affiliated": affiliated}}))
}

#[test]
fn art7_thresholds_on_both_sides() {
    assert_eq!(award(&run(&training(100, 30, false)), 7), Some((1, 5_000_000)));
    assert_eq!(award(&run(&training(99, 30, false)), 7), None);
    assert_eq!(award(&run(&training(100, 29, false)), 7), None);
    assert!(reasons(&run(&training(100, 29, false)), 7).contains("至少30人"));
}

#[test]
fn art7_affiliates_and_unregistered_institutions_get_nothing() {
    assert!(reasons(&run(&training(120, 35, true)), 7).contains("关联机构"));
    let mut v = training(120, 35, false);
    v["registered_in_district"] = json!(false);
    assert_eq!(award(&run(&v), 7), None);
}

// --- article 8: 达到100万元以上 50%, 300万元以上 60%, 1000万元以上 一事一议 -----------------

fn service(net: &str) -> Value {
    with(json!({"entered_on": "2022-05-01", "net_tax_yuan": net, "service_provider": {"independent_legal_entity": true}}))
}

#[test]
fn art8_tiers_on_both_sides() {
    assert_eq!(award(&run(&service("999999.99")), 8), None);
    assert_eq!(award(&run(&service("1000000")), 8), Some((1, 50_000_000)));
    // 2,999,999.99 × 50% = 1,499,999.995 → half up to the fen
    assert_eq!(award(&run(&service("2999999.99")), 8), Some((1, 150_000_000)));
    assert_eq!(award(&run(&service("3000000")), 8), Some((2, 180_000_000)));
    assert_eq!(award(&run(&service("9999999.99")), 8), Some((2, 599_999_999)));
    let x = run(&service("10000000"));
    assert_eq!(award(&x, 8), None);
    assert_eq!(case(&x, 8), Some(Some(3)));
    assert!(x.not_eligible.iter().all(|n| n.article != 8), "a case-by-case tier is not 'not eligible'");
}

#[test]
fn art8_who_qualifies_and_entry_window() {
    let mut v = service("1000000");
    v["service_provider"] = json!({"independent_legal_entity": false, "serves_local_ecommerce": true});
    assert_eq!(award(&run(&v), 8), Some((1, 50_000_000)));
    v["registered_in_district"] = json!(false);
    assert_eq!(award(&run(&v), 8), None);
    let mut v = service("1000000");
    v["entered_on"] = json!("2020-06-01");
    assert!(reasons(&run(&v), 8).contains("入驻3年期"));
}

// --- article 9: 每完成100美元 5元, 最高200万, 与一般贸易不重复 ------------------------------

fn cross(usd: &str) -> Value {
    with(json!({"cross_border": {"import_export_usd": usd, "data_verified": true}}))
}

#[test]
fn art9_full_hundreds_and_cap() {
    assert_eq!(award(&run(&cross("99.99")), 9), None);
    assert_eq!(award(&run(&cross("100")), 9), Some((1, 500)));
    assert_eq!(award(&run(&cross("199.99")), 9), Some((1, 500)));
    assert_eq!(award(&run(&cross("1000000")), 9), Some((1, 5_000_000)));
    assert_eq!(award(&run(&cross("39999900")), 9), Some((1, 199_999_500)));
    assert_eq!(award(&run(&cross("40000000")), 9), Some((1, 200_000_000)));
    assert_eq!(award(&run(&cross("90000000")), 9), Some((1, 200_000_000)));
}

#[test]
fn art9_general_trade_data_and_registration() {
    let mut v = cross("1000000");
    v["cross_border"]["general_trade_reward"] = json!(true);
    assert!(reasons(&run(&v), 9).contains("一般贸易"));
    let mut v = cross("1000000");
    v["cross_border"]["data_verified"] = json!(false);
    assert!(reasons(&run(&v), 9).contains("上级业务部门"));
    let mut v = cross("1000000");
    v["registered_in_district"] = json!(false);
    assert_eq!(award(&run(&v), 9), None);
}

// --- article 10: 突破500万元 and 限上; 一次性5万 --------------------------------------

#[test]
fn art10_sales_must_break_five_million_and_above_limit() {
    let v = |s: &str, lim: bool| with(json!({"above_limit": lim, "rural": {"agri_online_sales_yuan": s}}));
    assert_eq!(award(&run(&v("5000000", true)), 10), None);
    assert!(reasons(&run(&v("5000000", true)), 10).contains("突破500万元"));
    assert_eq!(award(&run(&v("5000000.01", true)), 10), Some((1, 5_000_000)));
    assert_eq!(award(&run(&v("5000000.01", false)), 10), None);
}

// --- article 11: 3000平方米及以上 & 5家以上; 新建5000平方米及以上 & 2000万元以上 -------------

fn logistics(area: &str, clients: u32, new: bool, inv: &str) -> Value {
    with(
        json!({"logistics": {"warehouse_area_m2": area, "local_clients": clients, "new_smart_public_warehouse": new, "investment_excl_land_yuan": inv}}),
    )
}

#[test]
fn art11_tier1_on_both_sides() {
    assert_eq!(award(&run(&logistics("3000", 5, false, "0")), 11), Some((1, 20_000_000)));
    assert_eq!(award(&run(&logistics("2999.99", 5, false, "0")), 11), None);
    assert_eq!(award(&run(&logistics("3000", 4, false, "0")), 11), None);
}

#[test]
fn art11_tier2_on_both_sides() {
    assert_eq!(award(&run(&logistics("5000", 0, true, "20000000")), 11), Some((2, 30_000_000)));
    assert_eq!(award(&run(&logistics("4999.99", 0, true, "20000000")), 11), None);
    assert_eq!(award(&run(&logistics("5000", 0, true, "19999999.99")), 11), None);
    assert_eq!(award(&run(&logistics("5000", 0, false, "20000000")), 11), None);
    // both tiers reached: the higher only
    let x = run(&logistics("6000", 8, true, "25000000"));
    assert_eq!(award(&x, 11), Some((2, 30_000_000)));
    assert!(x.awards[0].one_time);
    // tier 2 missed on investment: falls to tier 1 when its conditions hold
    assert_eq!(award(&run(&logistics("6000", 8, true, "1")), 11), Some((1, 20_000_000)));
}

#[test]
fn art11_large_hub_is_case_by_case() {
    let mut v = logistics("0", 0, false, "0");
    v["logistics"]["large_hub"] = json!(true);
    let x = run(&v);
    assert_eq!(case(&x, 11), Some(None));
    assert_eq!(award(&x, 11), None);
}

// --- article 12: 20万单以上 0.3元/单 最高5万; 1亿元以上 一次性30万; 达10亿元以上 一事一议 ---------

fn express(parcels: u64, sales: &str) -> Value {
    with(json!({"express": {"sells_and_ships_local": true, "parcels": parcels, "online_sales_yuan": sales}}))
}

#[test]
fn art12_tier1_parcels_on_both_sides() {
    assert_eq!(award(&run(&express(199_999, "1")), 12), None);
    let x = run(&express(200_000, "1"));
    assert_eq!(award(&x, 12), None, "200,000 parcels reach the tier but 0 above it");
    assert!(reasons(&x, 12).contains("金额为0"));
    assert_eq!(award(&run(&express(200_001, "1")), 12), Some((1, 30)));
    assert_eq!(award(&run(&express(366_666, "1")), 12), Some((1, 4_999_980)));
    assert_eq!(award(&run(&express(366_667, "1")), 12), Some((1, 5_000_000)));
}

#[test]
fn art12_tier2_and_tier3_on_both_sides() {
    assert_eq!(award(&run(&express(260_000, "99999999.99")), 12), Some((1, 1_800_000)));
    let x = run(&express(260_000, "100000000"));
    assert_eq!(award(&x, 12), Some((2, 30_000_000)));
    assert!(x.awards[0].one_time);
    assert_eq!(award(&run(&express(0, "999999999.99")), 12), Some((2, 30_000_000)));
    let x = run(&express(260_000, "1000000000"));
    assert_eq!(award(&x, 12), None);
    assert_eq!(case(&x, 12), Some(Some(3)));
}

#[test]
fn art12_needs_registration_and_local_shipping() {
    let mut v = express(260_000, "1");
    v["express"]["sells_and_ships_local"] = json!(false);
    assert!(reasons(&run(&v), 12).contains("本地发货"));
    let mut v = express(260_000, "1");
    v["registered_in_district"] = json!(false);
    assert_eq!(award(&run(&v), 12), None);
}
