//! Sessions, CSRF and roles.
//!
//! Sessions are rows (see `store::users`); the cookie holds a random token
//! whose hash is the row's key. Every state-changing request must carry the
//! session's CSRF token — in the form field `csrf`, the `X-CSRF-Token`
//! header, or (for uploads) the `csrf` query parameter. The login form, which
//! has no session yet, uses a double-submit cookie instead.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use store::{Role, User};

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
    pub csrf: String,
    pub token: String,
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

    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.user.role)
    }

    /// Refuse unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if self.is(roles) { Ok(()) } else { Err(AppError::Forbidden(format!("{}不能访问此页面", self.user.role.label()))) }
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
                req.extensions_mut().insert(Session { user, actor, csrf, token: tok });
            }
            Ok(None) => {}
            Err(e) => return AppError::Internal(e.to_string()).into_response(),
        }
    }
    next.run(req).await
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
    let expected = match req.extensions().get::<Session>() {
        Some(s) => Some(s.csrf.clone()),
        None if req.uri().path() == "/login" => cookie(req.headers(), LOGIN_CSRF_COOKIE),
        None => None,
    };
    let Some(expected) = expected else {
        // No session: let the handler answer 401 / redirect to login.
        return next.run(req).await;
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
    if given.as_deref() != Some(expected.as_str()) || expected.is_empty() {
        tracing::warn!(path = %req.uri().path(), "CSRF token missing or wrong");
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

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let token = cookie(&headers, LOGIN_CSRF_COOKIE).filter(|t| t.len() == 64).unwrap_or_else(store::users::new_token);
    let mut page = Page::new("登录", None);
    page.csrf = token.clone();
    let error = q.error.map(|e| match e.as_str() {
        "rate" => "登录尝试过多，请15分钟后再试".to_string(),
        _ => "用户名或密码错误".to_string(),
    });
    let next = q.next.filter(|n| n.starts_with('/') && !n.starts_with("//")).unwrap_or_else(|| "/".into());
    let html = render::login(&page, error.as_deref(), &next);
    ([(header::SET_COOKIE, set_cookie(&state, LOGIN_CSRF_COOKIE, &token, 3600))], html).into_response()
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Failed attempts allowed per account and per address within the window.
const MAX_FAILS_PER_USER: i64 = 5;
const MAX_FAILS_PER_ADDR: i64 = 30;
const FAIL_WINDOW_SECS: i64 = 15 * 60;

pub async fn login(
    State(state): State<AppState>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    axum::Form(f): axum::Form<LoginForm>,
) -> Result<Response, AppError> {
    let user_key = format!("user:{}", f.username.trim());
    let addr_key = format!("addr:{}", connect.map(|c| c.0.0.ip().to_string()).unwrap_or_default());
    if state.store.failed_logins(&user_key, FAIL_WINDOW_SECS).await? >= MAX_FAILS_PER_USER
        || state.store.failed_logins(&addr_key, FAIL_WINDOW_SECS).await? >= MAX_FAILS_PER_ADDR
    {
        return Ok(Redirect::to("/login?error=rate").into_response());
    }
    let Some(user) = state.store.authenticate(f.username.trim(), &f.password).await? else {
        state.store.record_failed_login(&user_key).await?;
        state.store.record_failed_login(&addr_key).await?;
        return Ok(Redirect::to("/login?error=bad").into_response());
    };
    state.store.clear_failed_logins(&user_key).await?;
    let (token, _csrf) = state.store.create_session(user.id).await?;
    let next = f.next.filter(|n| n.starts_with('/') && !n.starts_with("//")).unwrap_or_else(|| "/".into());
    tracing::info!(user = %user.username, "login");
    Ok((
        [(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, &token, store::users::SESSION_SECONDS)), (header::LOCATION, next)],
        axum::http::StatusCode::SEE_OTHER,
    )
        .into_response())
}

pub async fn logout(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    state.store.end_session(&s.token).await?;
    Ok((
        [(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0)), (header::LOCATION, "/login".to_string())],
        axum::http::StatusCode::SEE_OTHER,
    )
        .into_response())
}
