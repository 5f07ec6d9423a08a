//! Sessions, CSRF and roles.
//!
//! Sessions are rows (see `store::users`); the cookie holds a random token
//! whose hash is the row's key. Every state-changing request must carry the
//! session's CSRF token — in the form field `csrf`, the `X-CSRF-Token`
//! header, or (for uploads) the `csrf` query parameter. The login form, which
//! has no session yet, uses a double-submit cookie instead: a login POST
//! without that cookie and the same token in the form is refused, so that
//! another site cannot log a visitor in to an account of its choosing.
//!
//! Failed logins slow further attempts on the account and from the address
//! (`store::login`): a delay, never a lockout of the owner.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use store::{Gate, User};

use crate::AppState;
use crate::error::AppError;
use crate::render::{self, Page};

pub const SESSION_COOKIE: &str = "shanting_sid";
const LOGIN_CSRF_COOKIE: &str = "shanting_login_csrf";

/// The logged-in user of this request.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    /// The user as the duties table sees them (unit by its full name).
    pub actor: access::Actor,
    /// The duties table, to decide what the page frame offers (navigation).
    pub duties: std::sync::Arc<access::Duties>,
    pub csrf: String,
    pub token: String,
    /// Unread notifications, for the page frame's header.
    pub unread: i64,
}

impl Session {
    /// Route level: the user's broadest grant for `action`, or 403 naming the duty.
    pub fn may(&self, state: &AppState, action: access::Action) -> Result<access::Grant, AppError> {
        Ok(state.duties.may(&self.actor, action)?)
    }

    /// Whether the user may take `action` at all (to show a link or a button).
    pub fn can(&self, state: &AppState, action: access::Action) -> bool {
        state.duties.may(&self.actor, action).is_ok()
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// Look the session up once per request and leave it in the extensions.
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(state.duties.clone());
    if let Some(tok) = cookie(req.headers(), SESSION_COOKIE) {
        match state.store.session(&tok).await {
            Ok(Some((user, csrf))) => {
                let actor = state.actor_of(&user);
                // Only pages show the header: not the assets, not the API.
                let page = !req.uri().path().starts_with("/static/") && !req.uri().path().starts_with("/api/");
                let unread = if req.method() == Method::GET && page {
                    match state.store.unread_notifications(&user.username, &app::workbench::notify::keys_of(&actor)).await {
                        Ok(n) => n,
                        Err(e) => return AppError::Internal(e.to_string()).into_response(),
                    }
                } else {
                    0
                };
                req.extensions_mut().insert(Session { user, actor, duties: state.duties.clone(), csrf, token: tok, unread });
            }
            Ok(None) => {}
            Err(e) => return AppError::Internal(e.to_string()).into_response(),
        }
    }
    // The page frame marks the navigation entry of the page asked for.
    let path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| req.uri().path().to_string());
    crate::render::CURRENT_PATH.scope(path, next.run(req)).await
}

/// Paths whose POSTs change nothing (pure computations) and need no token.
fn csrf_exempt(path: &str) -> bool {
    matches!(path, "/api/v1/subsidy/assess" | "/api/v1/emergency/assess" | "/api/v1/meeting/decide" | "/api/v1/emergency/cap")
}

/// Refuse a state-changing request without the right CSRF token.
pub async fn csrf_guard(req: Request, next: Next) -> Response {
    let m = req.method().clone();
    if m == Method::GET || m == Method::HEAD || m == Method::OPTIONS || csrf_exempt(req.uri().path()) {
        return next.run(req).await;
    }
    let expected = if req.uri().path() == "/login" {
        // The login form carries the login cookie's token, whether or not a session exists.
        match cookie(req.headers(), LOGIN_CSRF_COOKIE).filter(|t| !t.is_empty()) {
            Some(t) => t,
            None => return login_csrf_refused(),
        }
    } else {
        match req.extensions().get::<Session>() {
            Some(s) => s.csrf.clone(),
            // No session: let the handler answer 401 / redirect to login.
            None => return next.run(req).await,
        }
    };
    let from_header = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    let from_query =
        req.uri().query().and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned()));
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let (req, from_body) = if is_form && from_header.is_none() {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
            Ok(b) => b,
            Err(_) => return AppError::BadRequest("请求体过大".into()).into_response(),
        };
        let tok = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        (Request::from_parts(parts, Body::from(bytes)), tok)
    } else {
        (req, None)
    };
    let given = from_header.or(from_body).or(from_query);
    if !given.is_some_and(|g| same(&g, &expected)) || expected.is_empty() {
        tracing::warn!(path = %req.uri().path(), "CSRF token missing or wrong");
        if req.uri().path() == "/login" {
            return login_csrf_refused();
        }
        return AppError::Forbidden("表单已失效或缺少安全令牌（CSRF），请刷新页面后重试".into()).into_response();
    }
    next.run(req).await
}

/// A route layer refusing, before the body is read, a request whose user
/// holds none of the duties that permit any of `actions`:
/// `.route("/x", post(h).route_layer(guard(&[Action::X])))`. The handler
/// still checks the object (`may_on`); this keeps a no-duty request from
/// learning anything from form validation.
pub fn guard(
    actions: &'static [access::Action],
) -> axum::middleware::FromFnLayer<impl Fn(Request, Next) -> Pending + Clone, (), (Request,)> {
    axum::middleware::from_fn(move |req: Request, next: Next| -> Pending {
        Box::pin(async move {
            let api = req.uri().path().starts_with("/api/");
            let Some(s) = req.extensions().get::<Session>() else {
                return error_for(api, AppError::Unauthenticated { api });
            };
            let Some(duties) = req.extensions().get::<std::sync::Arc<access::Duties>>() else {
                return error_for(api, AppError::Internal("duties table missing from the request".into()));
            };
            let mut first = None;
            for a in actions {
                match duties.may(&s.actor, *a) {
                    Ok(_) => return next.run(req).await,
                    Err(d) => {
                        first.get_or_insert(d);
                    }
                }
            }
            let e = first.map(AppError::from).unwrap_or_else(|| AppError::Forbidden("没有此项职责".into()));
            error_for(api, e)
        })
    })
}

/// The future a route layer returns.
pub type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>;

fn error_for(api: bool, e: AppError) -> Response {
    if api { crate::error::ApiError(e).into_response() } else { e.into_response() }
}

fn login_csrf_refused() -> Response {
    AppError::Forbidden("登录表单已失效或缺少安全令牌（CSRF）：请重新打开登录页面后再登录".into()).into_response()
}

/// Compare tokens in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address: the socket's peer, or — only when `AppState::trusted_proxy`
/// says a proxy in front sets them — the last hop of `X-Forwarded-For` (what that
/// proxy saw; earlier hops are whatever the client claimed) or `X-Real-IP`.
pub fn client_address(state: &AppState, headers: &HeaderMap, socket: Option<SocketAddr>) -> String {
    fn parse(v: &str) -> Option<IpAddr> {
        let v = v.trim();
        v.parse::<IpAddr>().ok().or_else(|| v.parse::<SocketAddr>().ok().map(|s| s.ip()))
    }
    if state.trusted_proxy {
        // Only the last line and its last entry: anything before it came from the client.
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(parse);
        let real = headers.get("x-real-ip").and_then(|v| v.to_str().ok()).and_then(parse);
        if let Some(ip) = forwarded.or(real) {
            return ip.to_string();
        }
    }
    socket.map(|s| s.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Extractor: the session, or a redirect to /login (pages) / 401 (API).
pub struct Authed(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .map(Authed)
            .ok_or(AppError::Unauthenticated { api: parts.uri.path().starts_with("/api/") })
    }
}

/// Extractor: the session if there is one (public pages).
pub struct Viewer(pub Option<Session>);

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Viewer(parts.extensions.get::<Session>().cloned()))
    }
}

#[derive(serde::Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    error: Option<String>,
}

/// Where to go after logging in: a path on this site only. Browsers read `\` as `/` and drop
/// tabs and newlines, so `/\evil.example` or `/\t/evil.example` would leave the site.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace()))
        .unwrap_or_else(|| "/".into())
}

/// The login form with a double-submit token: the one in the visitor's cookie if it has one.
fn login_form(state: &AppState, headers: &HeaderMap, error: Option<&str>, next: &str) -> Response {
    let token = cookie(headers, LOGIN_CSRF_COOKIE).filter(|t| t.len() == 64).unwrap_or_else(store::users::new_token);
    let mut page = Page::new("登录", None);
    page.csrf = token.clone();
    let html = render::login(&page, error, next);
    ([(header::SET_COOKIE, set_cookie(state, LOGIN_CSRF_COOKIE, &token, 3600))], html).into_response()
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let error = q.error.map(|_| "用户名或密码错误");
    login_form(&state, &headers, error, &safe_next(q.next))
}

/// "Try again in N seconds" in Chinese, with `Retry-After`.
pub fn wait_message(ms: i64) -> (u64, String) {
    let secs = u64::try_from((ms.max(1) + 999) / 1000).unwrap_or(1);
    (secs, format!("登录尝试过于频繁：为防止密码被猜测，请{secs}秒后再试"))
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    axum::Form(f): axum::Form<LoginForm>,
) -> Result<Response, AppError> {
    let username = f.username.trim();
    let next = safe_next(f.next);
    if username.is_empty() || username.chars().count() > store::users::MAX_NAME_CHARS {
        // No such account can exist: nothing to count.
        return Ok(Redirect::to("/login?error=bad").into_response());
    }
    let addr = client_address(&state, &headers, connect.map(|c| c.0.0));
    if let Gate::Wait { ms } = state.store.login_claim(&state.login_throttle, username, &addr).await? {
        tracing::warn!(username, %addr, wait_ms = ms, "login refused unchecked: too soon after failures");
        let (secs, msg) = wait_message(ms);
        let mut r = login_form(&state, &headers, Some(&msg), &next);
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        r.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Ok(r);
    }
    let Some(user) = state.store.authenticate(username, &f.password).await? else {
        tracing::warn!(username, %addr, "login failed");
        return Ok(Redirect::to("/login?error=bad").into_response());
    };
    state.store.login_succeeded(username, &addr).await?;
    let (token, _csrf) = state.store.create_session(user.id).await?;
    tracing::info!(user = %user.username, "login");
    Ok((
        [(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, &token, store::users::SESSION_SECONDS)), (header::LOCATION, next)],
        StatusCode::SEE_OTHER,
    )
        .into_response())
}

pub async fn logout(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    state.store.end_session(&s.token).await?;
    Ok(([(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0)), (header::LOCATION, "/login".to_string())], StatusCode::SEE_OTHER)
        .into_response())
}
