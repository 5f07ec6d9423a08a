//! Shared by the HTTP test files: `spawn_app()` gives the real router over a
//! fresh SQLite database with the demo accounts (password `shanting-demo`);
//! requests are driven in-process with `tower::ServiceExt::oneshot`.

#![allow(clippy::unwrap_used, dead_code)] // tests: a panic is the failure report

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

pub struct App {
    pub router: axum::Router,
    pub store: store::Store,
    _dir: tempfile::TempDir,
}

/// The router over a fresh database with reference data and demo accounts.
/// `all_demo` also seeds every module's demo data.
pub async fn spawn_app_with(all_demo: bool) -> App {
    spawn_app_full(all_demo, None, |_| {}).await
}

/// As `spawn_app_with`, with settings of the state changed first (the login throttle, the proxy).
pub async fn spawn_app_tuned(all_demo: bool, tune: impl FnOnce(&mut web::AppState)) -> App {
    spawn_app_full(all_demo, None, tune).await
}

/// As [`spawn_app_with`], with the app's clock fixed to `today` when given
/// (the demo is then seeded as of that day).
pub async fn spawn_app_at(all_demo: bool, today: Option<kernel::Date>) -> App {
    spawn_app_full(all_demo, today, |_| {}).await
}

async fn spawn_app_full(all_demo: bool, today: Option<kernel::Date>, tune: impl FnOnce(&mut web::AppState)) -> App {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = store::Store::connect(&url).await.unwrap();
    let params = kernel::ParamSet::embedded().unwrap();
    let calendar = kernel::WorkCalendar::from_params(&params).unwrap();
    let district = district::District::load(&params).unwrap();
    store.seed_reference(&district).await.unwrap();
    if all_demo {
        store::demo::seed_all(&store).await.unwrap();
    } else {
        store::demo::seed_core(&store).await.unwrap();
    }
    let mut app = app::App::new(store.clone(), params, calendar).unwrap();
    if let Some(d) = today {
        app = app.with_clock(app::Clock::Fixed(d));
    }
    let mut state = web::AppState::new(app, false);
    tune(&mut state);
    if all_demo {
        web::modules::seed_demo(&state).await.unwrap();
    }
    App { router: web::router(state), store, _dir: dir }
}

pub async fn spawn_app() -> App {
    spawn_app_with(false).await
}

pub struct Resp {
    pub status: StatusCode,
    pub location: Option<String>,
    pub cookies: Vec<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
    pub body: String,
    pub etag: Option<String>,
    pub headers: axum::http::HeaderMap,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl App {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let r = self.router.clone().oneshot(req).await.unwrap();
        let status = r.status();
        let location = r.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let content_type = r.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string());
        let cookies = r.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
        let etag = r.headers().get(header::ETAG).map(|v| v.to_str().unwrap().to_string());
        let headers = r.headers().clone();
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Resp { status, location, cookies, content_type, bytes, body, etag, headers }
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Resp {
        self.send(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    /// A conditional GET: `If-None-Match` with the given validator.
    pub async fn get_if_none_match(&self, path: &str, etag: &str) -> Resp {
        self.send(Request::get(path).header(header::IF_NONE_MATCH, etag).body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, path: &str, cookie: &str, form: &str) -> Resp {
        self.send(
            Request::post(path)
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.to_string()))
                .unwrap(),
        )
        .await
    }

    /// POST JSON; `csrf` goes in the X-CSRF-Token header when given.
    pub async fn post_json(&self, path: &str, cookie: &str, csrf: Option<&str>, json: &str) -> Resp {
        let mut b = Request::post(path).header(header::COOKIE, cookie).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = csrf {
            b = b.header("x-csrf-token", t);
        }
        self.send(b.body(Body::from(json.to_string())).unwrap()).await
    }

    /// Log in through the form; returns the session cookie and the page CSRF token.
    pub async fn login(&self, user: &str) -> (String, String) {
        let page = self.get("/login", "").await;
        let csrf = between(&page.body, "name=\"csrf\" value=\"", "\"");
        let pre = page.cookies[0].split(';').next().unwrap().to_string();
        let r = self.post_form("/login", &pre, &format!("csrf={csrf}&username={user}&password=shanting-demo&next=/")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login of {user}: {}", r.body);
        let sid = r.cookies.iter().find(|c| c.starts_with("shanting_sid=")).unwrap().split(';').next().unwrap().to_string();
        let home = self.get("/", &sid).await;
        assert_eq!(home.status, StatusCode::OK);
        let token = between(&home.body, "name=\"csrf\" value=\"", "\"");
        (sid, token)
    }
}

/// The text between `a` and the next `b` in `s`.
pub fn between(s: &str, a: &str, b: &str) -> String {
    let i = s.find(a).unwrap_or_else(|| panic!("{a} not in {s}")) + a.len();
    let j = s[i..].find(b).unwrap() + i;
    s[i..j].to_string()
}

/// The same as `spawn_app_tuned` (the name the upload tests use).
pub async fn spawn_app_configured(all_demo: bool, configure: impl FnOnce(&mut web::AppState)) -> App {
    spawn_app_tuned(all_demo, configure).await
}

/// A form body from pairs, encoded as a browser would.
pub fn enc(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}
