//! Forms that keep what was typed (issue 12 §3): a rejected form in the
//! subsidy, emergency and meeting pages comes back with the values, the
//! error beside its field (`aria-describedby`) and a summary at the top;
//! safe defaults (nothing preselected) and confirmations spelled out.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::spawn_app_with;

fn enc(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

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
