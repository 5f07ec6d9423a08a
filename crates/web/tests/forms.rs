//! Forms that keep what was typed (issue 12 §3): a rejected form in the
//! subsidy, emergency and meeting pages comes back with the values, the
//! error beside its field (`aria-describedby`) and a summary at the top;
//! safe defaults (nothing preselected) and confirmations spelled out.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::{enc, spawn_app_with};

#[tokio::test]
async fn the_warning_form_preselects_nothing_and_keeps_a_rejected_draft() {
    let app = spawn_app_with(false).await;
    let (em, csrf) = app.login("emergency").await;
    let page = app.get("/emergency/warnings", &em).await.body;
    let form = &page[page.find("id=\"warning-form\"").unwrap()..];
    assert!(!form.contains(" checked") && !form.contains(" selected"), "nothing is preselected: {form}");
    assert!(form.contains("<option value=\"\">请选择预警级别</option>"));

    // No level and no channel: both named at their field, everything typed kept.
    let body = enc(&[
        ("csrf", &csrf),
        ("headline", "测试大风预警"),
        ("incident_type", "气象灾害"),
        ("level", ""),
        ("description", "阵风九级"),
        ("instruction", "加固设施"),
        ("areas", "水泉镇"),
        ("onset", "2026/12/04"),
    ]);
    let r = app.post_form("/emergency/warnings", &em, &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for kept in
        ["value=\"测试大风预警\"", ">阵风九级</textarea>", ">加固设施</textarea>", "value=\"2026/12/04\"", "value=\"水泉镇\" checked"]
    {
        assert!(r.body.contains(kept), "{kept} kept: {}", r.body);
    }
    for field in ["level", "channels", "onset"] {
        assert!(r.body.contains(&format!("aria-describedby=\"e-{field}\"")), "{field} error at the field");
        assert!(r.body.contains(&format!("id=\"e-{field}\"")), "{field} message");
    }
    assert!(r.body.contains("id=\"error-summary\"") && r.body.contains("请选择发布渠道") && r.body.contains("请选择预警级别"));
    assert!(app.store.emergency_warnings(false).await.unwrap().is_empty(), "nothing written");

    // Once complete, issuing asks first, saying what it sends where.
    let ok = body.replace("level=&", "level=2&").replace("onset=2026%2F12%2F04", "channels=%E5%B9%BF%E6%92%AD&channels=%E9%80%9A%E4%BF%A1");
    let r = app.post_form("/emergency/warnings", &em, &ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = r.location.unwrap();
    assert_eq!(app.post_form(&format!("{url}/submit"), &em, &enc(&[("csrf", &csrf)])).await.status, StatusCode::SEE_OTHER);
    let (admin, acsrf) = app.login("admin").await;
    let page = app.get(&url, &admin).await.body;
    assert!(page.contains("id=\"approve-warning\"") && !page.contains("修改草稿"), "{page}");
    assert_eq!(app.post_form(&format!("{url}/approve"), &admin, &enc(&[("csrf", &acsrf)])).await.status, StatusCode::SEE_OTHER);
    let page = app.get(&url, &em).await.body;
    assert!(page.contains("data-confirm=\"将向 2 个渠道发布二级（橙色）预警"), "{page}");
}

#[tokio::test]
async fn a_reduced_amount_without_a_reason_keeps_what_was_typed() {
    let app = spawn_app_with(true).await;
    let (ent, ecsrf) = app.login("enterprise").await;
    let form = "year=2024&registered_in_district=1&statistically_included=1&entered_on=2022-03-01&net_tax_yuan=1200000\
                &online_retail_yuan=62000000&online_retail_prev_yuan=51000000&submit=1";
    let r = app.post_form("/subsidy/declare", &ent, &format!("csrf={ecsrf}&{form}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location.unwrap();
    let (rev, csrf) = app.login("commerce").await;
    let url = format!("{page}/review");
    assert_eq!(app.post_form(&url, &rev, &enc(&[("csrf", &csrf), ("action", "start")])).await.status, StatusCode::SEE_OTHER);
    let fresh = app.get(&page, &rev).await.body;
    assert!(fresh.contains("value=\"360000.00\"") && fresh.contains("360,000.00"), "the assessed amount, grouped to read: {fresh}");
    assert!(fresh.contains("data-confirm=\"将对此申请作出“不予支持”的决定"), "不予支持 asks first");
    let r = app.post_form(&url, &rev, &enc(&[("csrf", &csrf), ("action", "approve"), ("granted:3", "300000"), ("note", "部分核减")])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("value=\"300000\"") && r.body.contains("value=\"部分核减\""), "typed values kept: {}", r.body);
    assert!(r.body.contains("aria-describedby=\"e-reason:3\"") && r.body.contains("id=\"error-summary\""), "{}", r.body);
    assert!(r.body.contains("须写明理由"));
    // 不予支持 without a reason: the note is named.
    let r = app.post_form(&url, &rev, &enc(&[("csrf", &csrf), ("action", "reject")])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("aria-describedby=\"e-note\""), "{}", r.body);
    // A bad date of payment is named at its field too (the finance bureau's form).
    let (fin, fcsrf) = app.login("finance").await;
    let r = app.post_form(&format!("{page}/pay"), &fin, &enc(&[("csrf", &fcsrf), ("paid_on", "2026/12/04")])).await;
    assert!(r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::CONFLICT, "{}", r.status);
}

#[tokio::test]
async fn a_count_with_its_unit_comes_back_to_be_corrected() {
    let app = spawn_app_with(false).await;
    let (town, csrf) = app.login("town").await;
    let body = enc(&[
        ("csrf", &csrf),
        ("title", "测试道路塌陷"),
        ("incident_type", "地质灾害"),
        ("severity", "一般"),
        ("place", "水泉镇某路段"),
        ("injured", "1人"),
        ("may_escalate", "1"),
    ]);
    let r = app.post_form("/emergency/report", &town, &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("value=\"测试道路塌陷\"") && r.body.contains("value=\"水泉镇某路段\"") && r.body.contains("value=\"1人\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("name=\"may_escalate\" value=\"1\" checked"), "ticks kept");
    assert!(r.body.contains("aria-describedby=\"e-injured\"") && r.body.contains("id=\"error-summary\""), "{}", r.body);
    assert!(r.body.contains("inputmode=\"numeric\"") && r.body.contains("type=\"datetime-local\""), "typed inputs");
    assert!(app.store.emergency_incidents(&store::emergency::IncidentFilter::default()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_slashed_meeting_date_comes_back_to_be_corrected() {
    let app = spawn_app_with(true).await;
    let (fund, fcsrf) = app.login("fund").await;
    let page = app.get("/meeting", &fund).await.body;
    let unit = common::between(&page, "<select id=\"f-proposed_by\" name=\"proposed_by\"><option>", "</option>");
    let body = enc(&[
        ("csrf", &fcsrf),
        ("title", "测试会议"),
        ("proposed_by", &unit),
        ("meeting_date", "2026/12/04"),
        ("place", "区政府会议室"),
        ("items", "议题一\n议题二"),
    ]);
    let r = app.post_form("/meeting", &fund, &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("value=\"2026/12/04\"") && r.body.contains("value=\"测试会议\"") && r.body.contains(">议题一\n议题二</textarea>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("aria-describedby=\"e-meeting_date\"") && r.body.contains("应写作 2026-12-04"), "{}", r.body);
    assert!(r.body.contains("type=\"date\""));
}
