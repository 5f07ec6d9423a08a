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
    let lenient = LoginThrottle { free_per_account: 19, free_per_address: 19, ..LoginThrottle::default() };
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

    // With the real schedule a burst gets no more checks than one guesser in a row:
    // the three free ones and the fourth; the other 16 are refused unchecked and uncounted.
    let app = behind_proxy().await;
    let statuses = burst(&app, "admin", "198.51.100.30").await;
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(), 4, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 16, "{statuses:?}");
    let row = app.store.login_throttle_row(&account_key("admin")).await.unwrap().unwrap();
    assert_eq!((row.failures, row.next_at - row.last_at), (4, 1_000));
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
