//! E-commerce support over HTTP: the assess API's contract, the review
//! workflow's guards, scoping, the proactive list, budget and targets.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::spawn_app_with;

const WORKED: &str = r#"{"uscc": "91370406MA3C7K1020", "name": "示例", "year": 2023, "registered_in_district": true, "statistically_included": true,
  "entered_on": "2022-03-01", "net_tax_yuan": 1200000, "online_retail_yuan": 62000000, "online_retail_prev_yuan": 51000000,
  "platform_fees": {"annual_transactions_yuan": 62000000, "agreement_signed": true, "fees_paid_yuan": 80000},
  "express": {"sells_and_ships_local": true, "parcels": 260000, "online_sales_yuan": 62000000}}"#;

#[tokio::test]
async fn assess_api_gives_the_worked_example_and_names_bad_fields() {
    let app = spawn_app_with(false).await;
    let r = app.post_json("/api/v1/subsidy/assess", "", None, WORKED).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v[0]["total_fen"], 41_800_000);
    assert_eq!(v[0]["awards"].as_array().unwrap().len(), 3);
    let bad = WORKED.replace("\"net_tax_yuan\": 1200000", "\"net_tax_yuan\": -5");
    let r = app.post_json("/api/v1/subsidy/assess", "", None, &format!("[{WORKED}, {bad}]")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("[1].net_tax_yuan"), "{}", r.body);
    let r = app.post_json("/api/v1/subsidy/assess", "", None, &WORKED.replace("2023", "2030")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("year"), "{}", r.body);
}

#[tokio::test]
async fn review_workflow_guards_amounts_and_clawbacks() {
    let app = spawn_app_with(true).await;
    let (ent, ecsrf) = app.login("enterprise").await;
    let form = "uscc=ignored&year=2024&registered_in_district=1&statistically_included=1&entered_on=2022-03-01&net_tax_yuan=1200000\
                &online_retail_yuan=62000000&online_retail_prev_yuan=51000000&submit=1";
    let r = app.post_form("/subsidy/declare", &ent, &format!("csrf={ecsrf}&{form}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location.unwrap().rsplit('/').next().unwrap().parse().unwrap();
    // The enterprise cannot review its own application.
    assert_eq!(
        app.post_form(&format!("/subsidy/applications/{id}/review"), &ent, &format!("csrf={ecsrf}&action=start")).await.status,
        StatusCode::FORBIDDEN
    );
    let (rev, csrf) = app.login("commerce").await;
    let url = format!("/subsidy/applications/{id}/review");
    assert_eq!(app.post_form(&url, &rev, &format!("csrf={csrf}&action=start")).await.status, StatusCode::SEE_OTHER);
    // Less than proposed without a reason is refused; with a reason it is recorded.
    let r = app.post_form(&url, &rev, &format!("csrf={csrf}&action=approve&granted%3A3=300000")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("理由"), "{}", r.body);
    let r = app.post_form(&url, &rev, &format!("csrf={csrf}&action=approve&granted%3A3=300000&reason%3A3=%E9%83%A8%E5%88%86%E7%A8%8E%E6%94%B6%E4%B8%8D%E5%B1%9E%E4%BA%8E%E7%94%B5%E5%95%86")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, awards) = app.store.subsidy_application(id).await.unwrap();
    assert_eq!(awards[0].article, 3);
    assert_eq!((awards[0].proposed_fen, awards[0].granted_fen), (36_000_000, 30_000_000));
    // Article 3 awards cannot be clawed back (only article 9 on falsified data).
    let r = app
        .post_form(&format!("/subsidy/awards/{}/clawback", awards[0].id), &rev, &format!("csrf={csrf}&amount=1&reason=x&application={id}"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The same year cannot be applied for twice.
    let r = app.post_form("/subsidy/declare", &ent, &format!("csrf={ecsrf}&{form}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // The budget counts what was granted, not what was proposed.
    let b = app.store.subsidy_budget(2024).await.unwrap();
    assert_eq!(b.iter().map(|l| l.committed_fen).sum::<i64>(), 30_000_000);
    let x = app.get("/subsidy/budget.xlsx?year=2024", &rev).await;
    assert!(x.content_type.unwrap().contains("spreadsheetml"));
}

#[tokio::test]
async fn scope_matches_and_targets() {
    let app = spawn_app_with(true).await;
    let (rev, _) = app.login("commerce").await;
    let m = app.get("/subsidy/matches?year=2023", &rev).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.body.matches("<tr>").count() > 1, "demo enterprises wait in the proactive list");
    let t = app.get("/subsidy/targets", &rev).await;
    assert!(t.body.contains("T1") && t.body.contains("<svg"), "targets with a chart");
    let (ent, _) = app.login("enterprise").await;
    assert_eq!(app.get("/subsidy/applications/1", &ent).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/subsidy/budget", &ent).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/subsidy/declare?uscc=91370406MA3D10372L", &ent).await.status,
        StatusCode::OK,
        "the uscc parameter is ignored for enterprises"
    );
    let (town, _) = app.login("town").await;
    assert_eq!(app.get("/subsidy/declare", &town).await.status, StatusCode::FORBIDDEN);
}
