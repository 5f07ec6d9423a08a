//! Joint meeting over HTTP: the decide API's contract, roles, the demo
//! meeting's minutes, the procedure's guards, and representatives over time.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::spawn_app_with;

const NINE: &str = r#"["区政府","区政府办公室","枣庄市住房公积金管理中心山亭管理部","区财政局","区税务局","区行政审批服务局","区人社局","区住房和城乡建设局","区教育财务管理结算中心"]"#;

#[tokio::test]
async fn decide_api_matches_the_cli_contract() {
    let app = spawn_app_with(false).await;
    let body = format!(
        r#"{{"member_units": {NINE}, "meeting_date": "2023-03-10", "materials_sent_on": "2023-03-05",
        "attendance": {{"区政府": "present", "区政府办公室": "present", "枣庄市住房公积金管理中心山亭管理部": "present", "区财政局": "proxy",
                        "区税务局": "present", "区行政审批服务局": "present", "区人社局": "present"}},
        "items": [{{"title": "议题一", "votes": {{"区政府": "for", "区政府办公室": "for", "枣庄市住房公积金管理中心山亭管理部": "for",
                    "区税务局": "for", "区行政审批服务局": "for", "区人社局": "against", "区财政局": "for"}}}}]}}"#
    );
    let r = app.post_json("/api/v1/meeting/decide", "", None, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["quorum_met"], true);
    assert_eq!(v["present_units"], 7);
    assert_eq!(v["quorum_required"], 7);
    assert_eq!(v["notice_ok"], true);
    assert_eq!(v["items"][0]["votes_for"], 5);
    assert_eq!(v["items"][0]["votes_against"], 1);
    assert_eq!(v["items"][0]["votes_required"], 6);
    assert_eq!(v["items"][0]["passed"], false);
    assert_eq!(v["items"][0]["invalid_votes"], serde_json::json!(["区财政局"]));
    let bad = body.replace("\"区人社局\": \"against\"", "\"区不存在局\": \"against\"");
    let r = app.post_json("/api/v1/meeting/decide", "", None, &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("区不存在局"), "{}", r.body);
}

#[tokio::test]
async fn demo_meeting_has_minutes_and_roles_are_enforced() {
    let app = spawn_app_with(true).await;
    let (fund, csrf) = app.login("fund").await;
    let list = app.get("/meeting", &fund).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("2022年第一次住房公积金联席会议"));
    let minutes = app.get("/meeting/1/minutes", &fund).await;
    assert_eq!(minutes.status, StatusCode::OK);
    assert!(minutes.body.contains("山亭区住房公积金联席会议纪要〔2022〕1号"));
    assert!(minutes.body.contains("同意两项议题"), "the proxy's written opinion is in the minutes");
    // A bureau that is not the office may read but not run meetings.
    let (commerce, ccsrf) = app.login("commerce").await;
    assert_eq!(app.get("/meeting/2", &commerce).await.status, StatusCode::OK);
    assert_eq!(app.post_form("/meeting/2/advance", &commerce, &format!("csrf={ccsrf}")).await.status, StatusCode::FORBIDDEN);
    // Town staff and enterprises have nothing to do here.
    for who in ["town", "enterprise", "agent"] {
        let (sid, _) = app.login(who).await;
        assert_eq!(app.get("/meeting", &sid).await.status, StatusCode::FORBIDDEN, "{who}");
    }
    // The upcoming meeting (materials sent) cannot open before attendance is recorded.
    let r = app.post_form("/meeting/2/advance", &fund, &format!("csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("出席情况"));
    // A proxy without the head's written opinion is refused, and nothing is written.
    let r =
        app.post_form("/meeting/2/attendance", &fund, &format!("csrf={csrf}&status%3A%E5%8C%BA%E8%B4%A2%E6%94%BF%E5%B1%80=proxy")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(app.store.meeting_detail(2).await.unwrap().attendance.is_empty());
}

#[tokio::test]
async fn representatives_follow_the_post() {
    let app = spawn_app_with(true).await;
    let (fund, csrf) = app.login("fund").await;
    let r = app.post_form("/meeting/representatives", &fund, &format!("csrf={csrf}&unit=%E5%8C%BA%E7%A8%8E%E5%8A%A1%E5%B1%80&person=%E6%96%B0%E4%BB%A3%E8%A1%A8&post=%E5%89%AF%E5%B1%80%E9%95%BF&from=2024-01-01")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reps = app.store.meeting_representatives().await.unwrap();
    let tax: Vec<_> = reps.iter().filter(|r| r.unit == "区税务局").collect();
    assert_eq!(tax.len(), 2);
    assert_eq!(tax[0].person, "贾广彦");
    assert_eq!(tax[0].to_date.as_deref(), Some("2023-12-31"));
    assert_eq!(tax[1].person, "新代表");
    // The 2022 minutes still name who represented the unit then.
    let minutes = app.get("/meeting/1/minutes", &fund).await;
    assert!(minutes.body.contains("贾广彦") && !minutes.body.contains("新代表"));
}
