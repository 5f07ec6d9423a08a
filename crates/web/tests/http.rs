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
    // A page asked for comes back after the login.
    let r = app.get("/admin/audit?page=2", "").await;
    assert_eq!(r.location.as_deref(), Some("/login?next=%2Fadmin%2Faudit%3Fpage%3D2"));
    let form = app.get(r.location.as_deref().unwrap(), "").await;
    assert!(form.body.contains("value=\"/admin/audit?page=2\""), "the login form keeps where to go: {}", form.body);
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

/// A login with any password; the response.
async fn login_with(app: &common::App, user: &str, password: &str) -> common::Resp {
    let page = app.get("/login", "").await;
    let csrf = common::between(&page.body, "name=\"csrf\" value=\"", "\"");
    let pre = page.cookies[0].split(';').next().unwrap().to_string();
    let pw: String = form_urlencoded::byte_serialize(password.as_bytes()).collect();
    app.post_form("/login", &pre, &format!("csrf={csrf}&username={user}&password={pw}")).await
}

#[tokio::test]
async fn the_user_form_applies_the_password_policy_and_defaults_to_the_least_role() {
    let app = spawn_app().await;
    let (sid, csrf) = app.login("admin").await;
    let page = app.get("/admin/users", &sid).await;
    let role_select = common::between(&page.body, "<select name=\"role\">", "</select>");
    assert!(role_select.starts_with("<option value=\"enterprise\" selected>"), "{role_select}");
    let uscc = "91370406MA3C7K1020";
    for (pw, why) in
        [("12345678", "至少需要10个字符"), ("password", "至少需要10个字符"), ("newcomer01", "不能与用户名相同"), ("1234567890", "常见")]
    {
        let form = format!("username=newcomer01&display_name=新人&role=enterprise&enterprise_uscc={uscc}&password={pw}&csrf={csrf}");
        let r = app.post_form("/admin/users", &sid, &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{pw}");
        assert!(r.body.contains("密码") && r.body.contains(why), "{pw}: {}", r.body);
    }
    let long = "u".repeat(65);
    let r =
        app.post_form("/admin/users", &sid, &format!("username={long}&display_name=x&role=admin&password=fine-and-long&csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("用户名不能超过64个字符"), "{}", r.body);
    let r = app
        .post_form(
            "/admin/users",
            &sid,
            &format!("username=newcomer01&display_name=新人&role=enterprise&enterprise_uscc={uscc}&password=fine-and-long&csrf={csrf}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

#[tokio::test]
async fn users_change_their_own_password_and_their_other_sessions_end() {
    let app = spawn_app().await;
    let (here, csrf) = app.login("town").await;
    let (elsewhere, _) = app.login("town").await;
    assert_eq!(app.get("/account/password", &here).await.status, StatusCode::OK);
    let change = |current: &str, new: &str, repeat: &str| format!("current={current}&new={new}&repeat={repeat}&csrf={csrf}");
    let r = app.post_form("/account/password", &here, &change("shanting-demo", "a-new-passphrase", "a-new-passphrasf")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("两次输入不一致"));
    let r = app.post_form("/account/password", &here, &change("shanting-demo", "town", "town")).await;
    assert!(r.body.contains("新密码至少需要10个字符"), "{}", r.body);
    let r = app.post_form("/account/password", &here, &change("wrong-current", "a-new-passphrase", "a-new-passphrase")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("当前密码不正确"));
    let r = app.post_form("/account/password", &here, &change("shanting-demo", "a-new-passphrase", "a-new-passphrase")).await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/account/password?done=1")));
    assert!(app.get("/account/password?done=1", &here).await.body.contains("密码已修改"), "this session stays");
    assert_eq!(app.get("/", &elsewhere).await.location.as_deref(), Some("/login"), "the other session ended");
    assert_eq!(login_with(&app, "town", "shanting-demo").await.location.as_deref(), Some("/login?error=bad"));
    assert_eq!(login_with(&app, "town", "a-new-passphrase").await.status, StatusCode::SEE_OTHER);
    let (entries, _) = app
        .store
        .audit_entries(&store::AuditFilter { action: Some("change_password".into()), limit: 5, ..Default::default() })
        .await
        .unwrap();
    assert_eq!((entries.len(), entries[0].actor.as_str()), (1, "town"));
    assert!(!entries[0].after_json.as_deref().unwrap().contains("passphrase"));
}

#[tokio::test]
async fn administrators_disable_enable_and_reset_accounts() {
    let app = spawn_app().await;
    let (admin, csrf) = app.login("admin").await;
    let (agent, _) = app.login("agent").await;
    let id = app.store.user_by_name("agent").await.unwrap().unwrap().id;
    let me = app.store.user_by_name("admin").await.unwrap().unwrap().id;
    // Only administrators.
    let (town, town_csrf) = app.login("town").await;
    let r = app.post_form(&format!("/admin/users/{id}/active"), &town, &format!("active=0&csrf={town_csrf}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Disabling ends the sessions and refuses logins.
    let r = app.post_form(&format!("/admin/users/{id}/active"), &admin, &format!("active=0&csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(r.location.as_deref().unwrap(), &admin).await;
    assert!(page.body.contains("已停用账号 agent，结束其 1 个登录会话"), "{}", page.body);
    assert!(common::between(&page.body, "id=\"user-agent\"", "</tr>").contains("已停用"));
    assert_eq!(app.get("/", &agent).await.location.as_deref(), Some("/login"));
    assert_eq!(login_with(&app, "agent", "shanting-demo").await.location.as_deref(), Some("/login?error=bad"));
    let r = app.post_form(&format!("/admin/users/{id}/active"), &admin, &format!("active=1&csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(login_with(&app, "agent", "shanting-demo").await.status, StatusCode::SEE_OTHER);
    // A reset follows the policy and ends every session of that user.
    let (agent, _) = app.login("agent").await;
    let r = app.post_form(&format!("/admin/users/{id}/password"), &admin, &format!("password=agent&csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("账号 agent：密码至少需要10个字符"), "{}", r.body);
    let r = app.post_form(&format!("/admin/users/{id}/password"), &admin, &format!("password=set-by-the-admin&csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", &agent).await.location.as_deref(), Some("/login"));
    assert_eq!(login_with(&app, "agent", "set-by-the-admin").await.status, StatusCode::SEE_OTHER);
    // Not oneself: no disabling the last way in, no reset without the current password.
    let r = app.post_form(&format!("/admin/users/{me}/active"), &admin, &format!("active=0&csrf={csrf}")).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("不能停用自己的账号"));
    let r = app.post_form(&format!("/admin/users/{me}/password"), &admin, &format!("password=set-by-the-admin&csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.post_form("/admin/users/9999/active", &admin, &format!("active=0&csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (entries, _) =
        app.store.audit_entries(&store::AuditFilter { actor: Some("admin".into()), limit: 10, ..Default::default() }).await.unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["disable", "enable", "reset_password"]);
    assert!(entries.iter().all(|e| !format!("{:?}", e.after_json).contains("set-by-the-admin")));
}
