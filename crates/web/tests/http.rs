//! HTTP integration tests: the real router over a fresh SQLite database,
//! driven request by request (no network needed).

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::spawn_app;

#[tokio::test]
async fn strangers_are_sent_to_login_and_the_api_answers_401() {
    let app = spawn_app().await;
    let r = app.get("/", "").await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    let r = app.get("/admin/audit", "").await;
    assert_eq!(r.location.as_deref(), Some("/login"));
    let r = app.get("/api/v1/me", "").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("unauthenticated"));
    let r = app.get("/public", "").await;
    assert_eq!(r.status, StatusCode::OK, "the public page needs no login");
    let r = app.get("/login", "").await;
    assert!(r.body.contains("lang=\"zh-CN\"") && r.body.contains("用户名"));
    assert!(r.cookies[0].contains("HttpOnly") && r.cookies[0].contains("SameSite=Lax"));
}

#[tokio::test]
async fn session_cookie_is_httponly_samesite_and_login_needs_the_form_token() {
    let app = spawn_app().await;
    let page = app.get("/login", "").await;
    let pre = page.cookies[0].split(';').next().unwrap().to_string();
    let r = app.post_form("/login", &pre, "csrf=wrong&username=admin&password=shanting-demo").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "login without the matching token is refused");
    let (sid, _) = app.login("admin").await;
    assert!(sid.starts_with("shanting_sid="));
}

#[tokio::test]
async fn roles_see_only_what_they_may() {
    let app = spawn_app().await;
    let (admin, _) = app.login("admin").await;
    assert_eq!(app.get("/admin/audit", &admin).await.status, StatusCode::OK);
    assert_eq!(app.get("/admin/users", &admin).await.status, StatusCode::OK);
    for who in ["commerce", "town", "agent", "enterprise"] {
        let (sid, _) = app.login(who).await;
        assert_eq!(app.get("/admin/audit", &sid).await.status, StatusCode::FORBIDDEN, "{who} must not read the audit trail");
        assert_eq!(app.get("/admin/users", &sid).await.status, StatusCode::FORBIDDEN, "{who} must not manage users");
        assert_eq!(app.get("/api/v1/audit", &sid).await.status, StatusCode::FORBIDDEN);
    }
    // A town user sees only their town's villages; a village agent only their village.
    let (town, _) = app.login("town").await;
    let body = app.get("/reference/villages?town=西集镇", &town).await.body;
    assert!(body.contains("水泉镇") && !body.contains("西集镇</td>"), "town scope ignores the query");
    let (agent, _) = app.login("agent").await;
    let v: serde_json::Value = serde_json::from_str(&app.get("/api/v1/villages", &agent).await.body).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["name"], "东村");
    let (ent, _) = app.login("enterprise").await;
    assert_eq!(app.get("/reference/villages", &ent).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forms_without_csrf_are_refused_and_writes_are_audited() {
    let app = spawn_app().await;
    let (sid, csrf) = app.login("admin").await;
    let form = "username=newbie&password=longenough&display_name=新人&role=town&town=水泉镇";
    let r = app.post_form("/admin/users", &sid, form).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post_form("/admin/users", &sid, &format!("{form}&csrf=bogus")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post_form("/admin/users", &sid, &format!("{form}&csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (entries, _) =
        app.store.audit_entries(&store::AuditFilter { actor: Some("admin".into()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(entries[0].entity, "user");
    assert!(entries[0].after_json.as_deref().unwrap().contains("newbie"));
    // A bad town names the field.
    let r = app
        .post_form("/admin/users", &sid, &format!("username=x2&password=longenough&display_name=x&role=town&town=火星镇&csrf={csrf}"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("火星镇"));
}

#[tokio::test]
async fn api_calendar_and_openapi() {
    let app = spawn_app().await;
    let (sid, _) = app.login("commerce").await;
    let r = app.get("/api/v1/calendar/add-workdays?date=2023-09-28&n=20", &sid).await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["result"], "2023-11-01");
    let r = app.get("/api/v1/calendar/is-workday?date=2027-01-04", &sid).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "outside the covered years is an error");
    let r = app.get("/api/v1/openapi.json", "").await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(v["paths"]["/api/v1/calendar/add-workdays"].is_object());
    assert!(v["paths"]["/api/v1/subsidy/assess"]["post"].is_object());
    assert!(v["paths"]["/api/v1/meeting/decide"]["post"].is_object());
    assert!(v["paths"]["/api/v1/emergency/cap"]["post"].is_object());
    assert!(v["paths"]["/api/v1/insurance/stats"]["get"].is_object());
    assert_eq!(app.get("/healthz", "").await.body, "ok");
}
