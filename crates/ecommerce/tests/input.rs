//! Invalid input names the field path; amounts, areas and dates are exact.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use serde_json::json;

fn path_of(text: &str) -> String {
    ecommerce::parse_applicants(text).unwrap_err().path
}

#[test]
fn errors_name_the_field_path() {
    let mut v = worked();
    v["net_tax_yuan"] = json!(-1);
    assert_eq!(path_of(&json!([base(), v]).to_string()), "[1].net_tax_yuan");
    let mut v = worked();
    v["uscc"] = json!("91370406MA3C7K1021");
    let e = ecommerce::parse_applicants(&json!([v]).to_string()).unwrap_err();
    assert_eq!(e.path, "[0].uscc");
    assert!(e.message.contains("校验码"), "{e}");
    let mut v = worked();
    v["entered_on"] = json!("2022-3-1");
    assert_eq!(path_of(&json!([v]).to_string()), "[0].entered_on");
    let mut v = worked();
    v["express"]["parcels"] = json!("many");
    assert_eq!(path_of(&json!([v]).to_string()), "[0].express.parcels");
    let mut v = worked();
    v["express"]["parcels"] = json!(-3);
    assert_eq!(path_of(&json!([v]).to_string()), "[0].express.parcels");
    let mut v = worked();
    v["year"] = json!("2023");
    assert_eq!(path_of(&json!([v]).to_string()), "[0].year");
}

#[test]
fn unknown_sections_and_fields_are_refused() {
    let mut v = worked();
    v["subsidy_wish"] = json!({});
    let e = ecommerce::parse_applicants(&json!([v]).to_string()).unwrap_err();
    assert!(e.path.starts_with("[0]"), "{e}");
    assert!(e.message.contains("subsidy_wish"), "{e}");
    let mut v = worked();
    v["park"] = json!({"floor_area": 6000});
    let e = ecommerce::parse_applicants(&json!([v]).to_string()).unwrap_err();
    assert!(e.path.starts_with("[0].park"), "{e}");
}

#[test]
fn a_single_object_is_an_array_of_one() {
    let one = ecommerce::parse_applicants(&worked().to_string()).unwrap();
    assert_eq!(one.len(), 1);
    let mut v = worked();
    v["net_tax_yuan"] = json!("1.001");
    assert_eq!(path_of(&v.to_string()), "[0].net_tax_yuan");
    assert!(ecommerce::parse_applicants("[]").unwrap().is_empty());
    assert!(ecommerce::parse_applicants("[] x").is_err());
    assert!(ecommerce::parse_applicants("").is_err());
}

#[test]
fn award_history_and_claims_are_checked() {
    let mut v = worked();
    v["awards_received"] = json!([{"article": 12, "year": 2022, "tier": 4}]);
    assert_eq!(path_of(&json!([v]).to_string()), "[0].awards_received[0].tier");
    v["awards_received"] = json!([{"article": 13, "year": 2022}]);
    assert_eq!(path_of(&json!([v]).to_string()), "[0].awards_received[0].article");
    let mut v = worked();
    v["competing_claims"] = json!([{"article": 0, "amount_yuan": 1}]);
    assert_eq!(path_of(&json!([v]).to_string()), "[0].competing_claims[0].article");
    let mut v = worked();
    v["competing_claims"] = json!([{"article": 3, "amount_yuan": -1}]);
    assert_eq!(path_of(&json!([v]).to_string()), "[0].competing_claims[0].amount_yuan");
}

#[test]
fn amounts_areas_and_dollars_are_exact_decimals() {
    let mut v = worked();
    v["net_tax_yuan"] = json!("1200000.10");
    v["park"] = json!({"floor_area_m2": "5000.5"});
    v["cross_border"] = json!({"import_export_usd": 1234.56});
    let a = applicant(&v);
    assert_eq!(a.net_tax_yuan.unwrap().fen(), 120_000_010);
    assert_eq!(a.park.unwrap().floor_area_m2.0, 500_050);
    assert_eq!(a.cross_border.unwrap().import_export_usd.0, 123_456);
    let mut v = worked();
    v["park"] = json!({"floor_area_m2": "5000.001"});
    assert_eq!(path_of(&json!([v]).to_string()), "[0].park.floor_area_m2");
    let text = r#"[{"uscc": "91370406MA3C7K1020", "year": 2023, "park": {"floor_area_m2": 5e3}}]"#;
    assert_eq!(path_of(text), "[0].park.floor_area_m2");
}

#[test]
fn targets_are_cited_data() {
    let t = ecommerce::targets(&params()).unwrap();
    let ids: Vec<&str> = t.iter().map(|t| t.group.as_str()).collect();
    for g in ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12"] {
        assert!(ids.contains(&g), "{g} missing");
    }
    let t1 = t.iter().find(|t| t.id == "T1").unwrap();
    assert_eq!(t1.value, ecommerce::TargetValue::Int(2_000_000_000));
    assert_eq!(t1.deadline.unwrap().to_string(), "2025-12-31");
    let t6 = t.iter().find(|t| t.id == "T6").unwrap();
    assert!(t6.per_town && t6.yearly && t6.deadline.is_none());
    let t7 = t.iter().find(|t| t.id == "T7").unwrap();
    assert_eq!(t7.value, ecommerce::TargetValue::Ratio(kernel::Ratio::percent(20)));
    let t12 = t.iter().find(|t| t.id == "T12").unwrap();
    assert!(t12.responsible.iter().any(|u| u == "区人力资源和社会保障局"));
    assert!(t.iter().all(|t| t.citation.starts_with("山政发〔2022〕10号") && !t.responsible.is_empty() && !t.quote.is_empty()));
}

#[test]
fn every_figure_is_a_cited_parameter_with_its_quote() {
    let p = params();
    let ours: Vec<_> = p.all().into_iter().filter(|x| x.name.starts_with("ecommerce.")).collect();
    assert!(ours.len() >= 60, "{}", ours.len());
    for x in ours {
        assert!(x.citation.starts_with("山政发〔2022〕10号 附件4"), "{}", x.name);
        assert!(x.quote.as_deref().is_some_and(|q| !q.is_empty()), "{} has no quote", x.name);
    }
    assert!(p.get("ecommerce.published_on", "2023-01-01".parse().unwrap()).unwrap().assumed);
}

#[test]
fn split_array_finds_the_elements_for_parallel_parsing() {
    let mut tricky = worked();
    tricky["name"] = json!("含 [括号], {花括号} 与 \"引号\" \\ 的名称");
    let text = format!(" [ {} ,\n{}, {} ] \n", worked(), tricky, base());
    let parts = ecommerce::split_array(&text).unwrap();
    assert_eq!(parts.len(), 3);
    let each: Vec<_> = parts.iter().enumerate().map(|(i, t)| ecommerce::parse_applicant(i, t).unwrap()).collect();
    let whole = ecommerce::parse_applicants(&text).unwrap();
    assert_eq!(each.len(), whole.len());
    assert_eq!(each[1].name, whole[1].name);
    assert_eq!(each[1].name.as_deref(), Some("含 [括号], {花括号} 与 \"引号\" \\ 的名称"));
    assert_eq!(ecommerce::split_array("[]").unwrap().len(), 0);
    for bad in ["", "{}", "[1,]", "[,1]", "[1", "[1] x", "[\"a]"] {
        assert!(ecommerce::split_array(bad).is_none(), "{bad}");
    }
    // an element's error names its index in the whole input
    let mut neg = worked();
    neg["net_tax_yuan"] = json!(-1);
    let text = json!([base(), base(), neg]).to_string();
    let parts = ecommerce::split_array(&text).unwrap();
    let e = ecommerce::parse_applicant(2, parts[2]).unwrap_err();
    assert_eq!(e.path, "[2].net_tax_yuan");
    // positions are given in the whole input, as the sequential parse gives them
    assert_eq!(ecommerce::parse_element(&text, 2, parts[2]).unwrap_err(), ecommerce::parse_applicants(&text).unwrap_err());
    let pretty = serde_json::to_string_pretty(&json!([base(), neg])).unwrap();
    let parts = ecommerce::split_array(&pretty).unwrap();
    assert_eq!(ecommerce::parse_element(&pretty, 1, parts[1]).unwrap_err(), ecommerce::parse_applicants(&pretty).unwrap_err());
    let mut tier = worked();
    tier["awards_received"] = json!([{"article": 3, "year": 2022, "tier": 9}]);
    assert_eq!(ecommerce::parse_applicant(7, &tier.to_string()).unwrap_err().path, "[7].awards_received[0].tier");
}
