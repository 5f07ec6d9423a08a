//! What an attacker tried, as regression tests: login lockout of the owner,
//! concurrent guesses slipping past the counter, login CSRF, weak passwords,
//! missing security headers and downloads served with the uploader's type.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::{App, Resp, between, spawn_app, spawn_app_tuned};
use store::LoginThrottle;
use store::login::{account_key, address_key};

/// The login page's cookie (`name=value`) and form token.
async fn login_token(app: &App) -> (String, String) {
    let page = app.get("/login", "").await;
    let csrf = between(&page.body, "name=\"csrf\" value=\"", "\"");
    (page.cookies[0].split(';').next().unwrap().to_string(), csrf)
}

/// A login POST from `from` (sent as `X-Real-IP`, which only a trusting server reads).
async fn attempt(app: &App, (cookie, csrf): &(String, String), user: &str, password: &str, from: &str) -> Resp {
    app.send(
        Request::post("/login")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-real-ip", from)
            .body(Body::from(format!("csrf={csrf}&username={user}&password={password}")))
            .unwrap(),
    )
    .await
}

fn session_cookie(r: &Resp) -> Option<String> {
    r.cookies.iter().find(|c| c.starts_with("shanting_sid=")).map(|c| c.split(';').next().unwrap().to_string())
}

async fn behind_proxy() -> App {
    spawn_app_tuned(false, |s| s.trusted_proxy = true).await
}

/// Sleep until the account's next check is allowed.
async fn wait_out(app: &App, user: &str) {
    let row = app.store.login_throttle_row(&account_key(user)).await.unwrap().unwrap();
    let ms = row.next_at - store::login::now_ms() + 50;
    if ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(ms as u64)).await;
    }
}

#[tokio::test]
async fn login_needs_the_login_pages_cookie_and_token() {
    let app = spawn_app().await;
    let (cookie, csrf) = login_token(&app).await;
    let form = |token: &str| format!("csrf={token}&username=admin&password=shanting-demo");
    for (why, cookie, body) in [
        ("no cookie", "", form(&csrf)),
        ("no token", cookie.as_str(), "username=admin&password=shanting-demo".to_string()),
        ("wrong token", cookie.as_str(), form(&"0".repeat(64))),
        ("empty cookie", "shanting_login_csrf=", form("")),
    ] {
        let r = app.post_form("/login", cookie, &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{why}");
        assert!(r.body.contains("登录表单已失效") && r.body.contains("CSRF"), "{why}: {}", r.body);
        assert!(session_cookie(&r).is_none(), "{why}: no session");
    }
    // A session's own token is no login token either.
    let (sid, session_csrf) = app.login("commerce").await;
    let r = app.post_form("/login", &sid, &form(&session_csrf)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Cookie and token together: in.
    let r = app.post_form("/login", &cookie, &form(&csrf)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(session_cookie(&r).is_some());
}

#[tokio::test]
async fn wrong_passwords_cannot_lock_the_owner_out() {
    let app = behind_proxy().await;
    let attacker = login_token(&app).await;
    let mut refused = 0;
    for i in 0..10 {
        let r = attempt(&app, &attacker, "admin", &format!("guess-number-{i}"), "198.51.100.66").await;
        if i < 4 {
            // Three free failures, and the fourth, which starts a one-second wait.
            assert_eq!(r.location.as_deref(), Some("/login?error=bad"), "attempt {i}");
        } else {
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "attempt {i}");
            assert!(r.body.contains("请1秒后再试"), "{}", r.body);
            refused += 1;
        }
    }
    assert_eq!(refused, 6);
    // The owner, elsewhere, waits out the same delay — not 15 minutes — and gets in.
    let owner = login_token(&app).await;
    let r = attempt(&app, &owner, "admin", "shanting-demo", "203.0.113.5").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "during the wait even the right password is not checked");
    wait_out(&app, "admin").await;
    let r = attempt(&app, &owner, "admin", "shanting-demo", "203.0.113.5").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(session_cookie(&r).is_some());
    assert!(app.store.login_throttle_row(&account_key("admin")).await.unwrap().is_none(), "a success clears the account");
    // The attacker's address keeps its own count.
    assert_eq!(app.store.login_throttle_row(&address_key("198.51.100.66")).await.unwrap().unwrap().failures, 4);
}

#[tokio::test]
async fn a_refused_attempt_is_not_checked_counted_or_extending_the_wait() {
    let app = behind_proxy().await;
    let t = login_token(&app).await;
    for _ in 0..4 {
        attempt(&app, &t, "town", "not-the-password", "192.0.2.10").await;
    }
    let before = app.store.login_throttle_row(&account_key("town")).await.unwrap().unwrap();
    assert_eq!((before.failures, before.next_at - before.last_at), (4, 1_000));
    let r = attempt(&app, &t, "town", "shanting-demo", "192.0.2.10").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.content_type.as_deref(), Some("text/html; charset=utf-8"));
    assert!(r.body.contains("秒后再试") && r.body.contains("name=\"csrf\""), "the form is shown again with the wait");
    assert!(session_cookie(&r).is_none(), "not checked");
    let after = app.store.login_throttle_row(&account_key("town")).await.unwrap().unwrap();
    assert_eq!(after, before, "not counted, the wait not extended");
    wait_out(&app, "town").await;
    let r = attempt(&app, &t, "town", "shanting-demo", "192.0.2.10").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

async fn burst(app: &App, user: &str, from: &str) -> Vec<StatusCode> {
    let t = login_token(app).await;
    let mut handles = Vec::new();
    for i in 0..20 {
        let router = app.router.clone();
        let req = Request::post("/login")
            .header(header::COOKIE, &t.0)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", format!("10.0.0.{i}, {from}"))
            .body(Body::from(format!("csrf={}&username={user}&password=wrong-{i}", t.1)))
            .unwrap();
        handles.push(tokio::spawn(async move { tower::ServiceExt::oneshot(router, req).await.unwrap().status() }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn twenty_concurrent_wrong_attempts_are_all_counted() {
    // A schedule under which 20 failures are needed before any wait: all 20 are checked,
    // and all 20 are counted — the wait that follows is the one 20 failures give.
    // The wait after the 20th is long enough (a minute) that a loaded machine cannot outlast it.
    let lenient = LoginThrottle {
        free_per_account: 19,
        free_per_address: 19,
        first_delay_ms: 60_000,
        max_delay_ms: 60_000,
        ..LoginThrottle::default()
    };
    let app = spawn_app_tuned(false, |s| {
        s.trusted_proxy = true;
        s.login_throttle = lenient;
    })
    .await;
    let statuses = burst(&app, "admin", "198.51.100.20").await;
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER), "{statuses:?}");
    let row = app.store.login_throttle_row(&account_key("admin")).await.unwrap().unwrap();
    assert_eq!(row.failures, 20);
    assert_eq!(row.next_at - row.last_at, lenient.delay_ms(20, 19));
    assert_eq!(app.store.login_throttle_row(&address_key("198.51.100.20")).await.unwrap().unwrap().failures, 20);
    let r = attempt(&app, &login_token(&app).await, "admin", "shanting-demo", "198.51.100.21").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

    // With the real schedule's free attempts a burst gets no more checks than one guesser in a
    // row: the three free ones and the fourth; the other 16 are refused unchecked and uncounted.
    // (The first wait is a minute here, not a second, so a loaded machine cannot outlast it mid-burst.)
    let slow = LoginThrottle { first_delay_ms: 60_000, max_delay_ms: 60_000, ..LoginThrottle::default() };
    let app = spawn_app_tuned(false, |s| {
        s.trusted_proxy = true;
        s.login_throttle = slow;
    })
    .await;
    let statuses = burst(&app, "admin", "198.51.100.30").await;
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(), 4, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 16, "{statuses:?}");
    let row = app.store.login_throttle_row(&account_key("admin")).await.unwrap().unwrap();
    assert_eq!((row.failures, row.next_at - row.last_at), (4, 60_000));
}

#[tokio::test]
async fn the_client_address_comes_from_proxy_headers_only_when_configured() {
    async fn failed_from(app: &App, headers: &[(&str, &str)]) {
        let (cookie, csrf) = login_token(app).await;
        let mut b =
            Request::post("/login").header(header::COOKIE, cookie).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let mut req = b.body(Body::from(format!("csrf={csrf}&username=nobody&password=whatever-it-is"))).unwrap();
        req.extensions_mut().insert(ConnectInfo("192.0.2.1:40000".parse::<SocketAddr>().unwrap()));
        assert_eq!(app.send(req).await.location.as_deref(), Some("/login?error=bad"));
    }
    let has = |app: &App, ip: &'static str| {
        let store = app.store.clone();
        async move { store.login_throttle_row(&address_key(ip)).await.unwrap().is_some() }
    };
    let direct = spawn_app().await;
    failed_from(&direct, &[("x-forwarded-for", "203.0.113.9"), ("x-real-ip", "203.0.113.10")]).await;
    assert!(has(&direct, "192.0.2.1").await, "without --trusted-proxy the socket's address counts");
    assert!(!has(&direct, "203.0.113.9").await && !has(&direct, "203.0.113.10").await);

    let proxied = behind_proxy().await;
    failed_from(&proxied, &[("x-forwarded-for", "6.6.6.6, 203.0.113.9")]).await;
    assert!(has(&proxied, "203.0.113.9").await, "the last hop: the one the proxy saw");
    assert!(!has(&proxied, "6.6.6.6").await, "earlier hops are the client's claim");
    failed_from(&proxied, &[("x-real-ip", "203.0.113.10")]).await;
    assert!(has(&proxied, "203.0.113.10").await);
    failed_from(&proxied, &[("x-forwarded-for", "not an address")]).await;
    assert!(has(&proxied, "192.0.2.1").await, "garbage falls back to the socket");
}

const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
                      base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

fn assert_protective_headers(what: &str, r: &Resp) {
    let h = |name: &str| r.headers.get(name).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(h("x-frame-options").as_deref(), Some("DENY"), "{what}");
    assert_eq!(h("x-content-type-options").as_deref(), Some("nosniff"), "{what}");
    assert_eq!(h("referrer-policy").as_deref(), Some("same-origin"), "{what}");
    let csp = h("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(
        csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
        "{what}: {csp}"
    );
}

async fn upload(app: &App, path: &str, cookie: &str, name: &str, claimed_type: &str, body: &str) -> Resp {
    let boundary = "XBOUNDARYX";
    let data = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {claimed_type}\r\n\r\n{body}\r\n--{boundary}--\r\n"
    );
    app.send(
        Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(data))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn every_kind_of_response_carries_the_protective_headers() {
    let app = common::spawn_app_with(true).await;
    let (admin, _) = app.login("admin").await;
    // The roster is the tax bureau's (征收清册, 六（四）), not the administrator's.
    let (tax, _) = app.login("tax").await;
    let page = app.get("/login", "").await;
    assert_eq!(page.headers["content-security-policy"], POLICY, "the policy, exactly");
    for (what, path, cookie, status) in [
        ("page", "/login", "", StatusCode::OK),
        ("logged-in page", "/admin/users", admin.as_str(), StatusCode::OK),
        ("public page", "/public", "", StatusCode::OK),
        ("redirect", "/", "", StatusCode::SEE_OTHER),
        ("JSON", "/api/v1/openapi.json", "", StatusCode::OK),
        ("JSON error", "/api/v1/me", "", StatusCode::UNAUTHORIZED),
        ("stylesheet", "/static/app.css", "", StatusCode::OK),
        ("script", "/static/app.js", "", StatusCode::OK),
        ("missing asset", "/static/nope.js", "", StatusCode::NOT_FOUND),
        ("unrouted", "/no/such/page", "", StatusCode::NOT_FOUND),
        ("forbidden page", "/admin/users", "", StatusCode::SEE_OTHER),
        ("Atom feed", "/alerts/feed.atom", "", StatusCode::OK),
        ("export", "/insurance/roster.xlsx?year=2023&town=水泉镇", tax.as_str(), StatusCode::OK),
        ("printable page", "/insurance/roster/print?year=2023&town=水泉镇", tax.as_str(), StatusCode::OK),
        ("health", "/healthz", "", StatusCode::OK),
    ] {
        let uri: String = path.split('?').next().unwrap().to_string()
            + &path.split_once('?').map(|(_, q)| format!("?{}", q.replace("水泉镇", "%E6%B0%B4%E6%B3%89%E9%95%87"))).unwrap_or_default();
        let r = app.get(&uri, cookie).await;
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert_protective_headers(what, &r);
    }
    let (town, town_csrf) = app.login("town").await;
    let r = app.get("/admin/users", &town).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_protective_headers("403 page", &r);
    let r = app.post_form("/admin/users", &town, "username=x").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_protective_headers("CSRF refusal", &r);
    let r = app.post_form("/account/password", &town, &format!("current=a&new=b&repeat=c&csrf={town_csrf}")).await;
    assert_protective_headers("form error", &r);
    let js = app.get("/static/app.js", "").await;
    assert_eq!(js.content_type.as_deref(), Some("text/javascript; charset=utf-8"));
    assert!(js.headers.contains_key("cache-control") && js.body.contains("addEventListener"));
}

#[tokio::test]
async fn pages_carry_no_inline_script_handler_or_style() {
    let app = common::spawn_app_with(true).await;
    let (admin, _) = app.login("admin").await;
    let (tax, _) = app.login("tax").await;
    let (em, _) = app.login("emergency").await;
    let meeting = format!("/meeting/{}", app.store.meetings().await.unwrap()[0].id);
    let incidents = app.store.emergency_incidents(&Default::default()).await.unwrap();
    let incident = format!("/emergency/incidents/{}", incidents[0].id);
    for (path, cookie) in [
        ("/public", ""),
        ("/login", ""),
        ("/", admin.as_str()),
        ("/admin/users", admin.as_str()),
        ("/account/password", admin.as_str()),
        ("/emergency/board", em.as_str()),
        (incident.as_str(), em.as_str()),
        ("/meeting", admin.as_str()),
        (meeting.as_str(), admin.as_str()),
        ("/subsidy", admin.as_str()),
        ("/insurance", tax.as_str()),
        ("/public/insurance?year=2023&town=%E6%B0%B4%E6%B3%89%E9%95%87&village=%E4%B8%9C%E6%9D%91", ""),
    ] {
        let r = app.get(path, cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let lower = r.body.to_lowercase();
        assert!(!lower.contains("<script>") && !lower.contains("<style"), "{path}: inline script or style");
        assert!(!lower.contains(" style=\"") && !lower.contains("onclick=") && !lower.contains("javascript:"), "{path}");
    }
    let public = app.get("/public", "").await;
    assert!(public.body.contains("class=\"badge level-yellow\""), "the warning's colour is a class");
}

#[tokio::test]
async fn a_printable_page_admits_exactly_its_own_stylesheet() {
    let app = common::spawn_app_with(true).await;
    let (tax, _) = app.login("tax").await;
    let r = app.get("/insurance/roster/print?year=2023&town=%E6%B0%B4%E6%B3%89%E9%95%87", &tax).await;
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    let style = between(&r.body, "<style>", "</style>");
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()));
    assert_eq!(csp, POLICY.replace("style-src 'self'", &format!("style-src 'self' 'sha256-{hash}'")));
    assert!(r.body.contains("data-print") && !r.body.contains("onclick"));
    // The minutes, printed from the meeting crate's own self-contained page.
    let with_minutes = app.store.meetings().await.unwrap().into_iter().find(|m| m.minutes_number.is_some()).unwrap();
    let (fund, _) = app.login("fund").await;
    let r = app.get(&format!("/meeting/{}/minutes", with_minutes.id), &fund).await;
    assert_eq!(r.status, StatusCode::OK);
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    let style = between(&r.body, "<style>", "</style>");
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()));
    assert!(csp.contains(&format!("style-src 'self' 'sha256-{hash}';")) && csp.contains("script-src 'self';"), "{csp}");
    assert_eq!(r.body.matches("<style").count(), 1, "no other inline style");
    assert!(!r.body.contains(" style=\"") && !r.body.contains("onclick"));
}

#[tokio::test]
async fn downloads_are_attachments_of_the_type_the_server_decides() {
    let app = common::spawn_app_with(true).await;
    let (ent, csrf) = app.login("enterprise").await;
    let uscc = "91370406MA3C7K1020";
    let path = format!("/subsidy/documents?csrf={csrf}");
    for (name, claimed) in [("evil.html", "text/html"), ("执照.pdf", "text/html"), ("photo.PNG", "image/svg+xml")] {
        let r = upload(&app, &path, &ent, name, claimed, "<script>alert(document.cookie)</script>").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.body);
    }
    let docs = app.store.subsidy_documents(uscc).await.unwrap();
    for (name, served) in [("evil.html", "application/octet-stream"), ("执照.pdf", "application/pdf"), ("photo.PNG", "image/png")] {
        let d = docs.iter().find(|d| d.filename == name).unwrap();
        let r = app.get(&format!("/subsidy/documents/{}", d.id), &ent).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.content_type.as_deref(), Some(served), "{name}: never the uploader's type");
        assert!(r.headers["content-disposition"].to_str().unwrap().starts_with("attachment;"), "{name}");
        assert_protective_headers("download", &r);
    }
    // Meeting materials likewise.
    let meeting = app.store.meetings().await.unwrap()[0].id;
    let mid = app.store.meeting_add_material("fund", meeting, meeting::Stage::ALL, "议程.htm", b"<script>1</script>").await.unwrap();
    let (fund, _) = app.login("fund").await;
    let r = app.get(&format!("/meeting/{meeting}/materials/{mid}"), &fund).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.content_type.as_deref(), Some("application/octet-stream"));
    assert!(r.headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_protective_headers("material", &r);
}

#[tokio::test]
async fn after_login_the_redirect_stays_on_the_site() {
    let app = spawn_app().await;
    for (next, to) in [
        ("%2Fsubsidy", "/subsidy"),
        ("%2F%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%2F%09%2Fevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
    ] {
        let (cookie, csrf) = login_token(&app).await;
        let r = app.post_form("/login", &cookie, &format!("csrf={csrf}&username=admin&password=shanting-demo&next={next}")).await;
        assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some(to)), "{next}");
    }
}
