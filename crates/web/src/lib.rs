//! The web adapter: server-rendered Chinese pages and the JSON API.
//!
//! A request flows: tower layers (request id, trace) → `auth::load_session`
//! (session row → `Session` in the request's extensions) → `auth::csrf_guard`
//! (every state-changing request carries the session's token) → a handler,
//! which checks the role, calls a pure rule from a domain crate and/or the
//! store, and renders a template or JSON.
//!
//! Architecture invariant: the server keeps nothing in memory that another
//! instance would need; several can run behind one load balancer.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

mod account;
mod api;
pub mod auth;
pub mod chart;
pub mod delivery;
pub mod display;
mod error;
pub mod export;
pub mod form;
pub mod modules;
mod notifications;
mod pages;
pub mod query;
pub mod render;
pub mod security;
pub mod upload;

pub use error::AppError;

/// Everything a handler may need; cheap to clone. Derefs to the use-case
/// layer's [`app::App`] (store, parameters, calendar, district, duties).
#[derive(Clone)]
pub struct AppState {
    pub app: app::App,
    /// Whether session cookies carry `Secure` (off only on loopback addresses).
    pub secure_cookies: bool,
    /// Rules derived from `params`, built once per instance on first use.
    pub derived: Arc<Derived>,
    /// Take the client's address from `X-Forwarded-For` (last hop) or `X-Real-IP`: only
    /// behind a proxy that sets them, since anyone else can send them (`serve --trusted-proxy`).
    pub trusted_proxy: bool,
    /// The delays between login attempts after failures (tests shorten them).
    pub login_throttle: store::LoginThrottle,
    /// How large an uploaded file may be (streamed to a temporary file up to this).
    pub uploads: upload::UploadLimits,
}

/// Immutable values computed from the policy parameters: a cache each
/// instance builds for itself (nothing another instance would need).
#[derive(Default)]
pub struct Derived {
    /// The e-commerce rules per assessment year (loading them reads every cited figure).
    pub subsidy_rules: std::sync::RwLock<std::collections::HashMap<i32, Arc<ecommerce::Rules>>>,
}

impl AppState {
    pub fn new(app: app::App, secure_cookies: bool) -> Self {
        AppState {
            app,
            secure_cookies,
            derived: Arc::default(),
            trusted_proxy: false,
            login_throttle: store::LoginThrottle::default(),
            uploads: upload::UploadLimits::default(),
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = app::App;
    fn deref(&self) -> &app::App {
        &self.app
    }
}

pub fn router(state: AppState) -> Router {
    use axum::http::{HeaderValue, header};
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    use tower_http::set_header::SetResponseHeaderLayer;
    use tower_http::trace::TraceLayer;

    use access::Action;
    use auth::guard;

    let x_request_id = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/{file}", get(pages::asset))
        .route("/public", get(pages::public_home))
        .route("/policy", get(pages::policy))
        .route("/calendar", get(pages::calendar))
        .route("/reference", get(pages::reference).route_layer(guard(&[Action::ReferenceRead])))
        .route("/reference/villages", get(pages::villages).route_layer(guard(&[Action::ReferenceRead])))
        .route(
            "/reference/villages/import",
            post(pages::import_villages)
                .layer(axum::middleware::from_fn(upload::files_body_limit))
                .route_layer(guard(&[Action::VillagesImport])),
        )
        .route("/account/password", get(account::password_page).post(account::change_password))
        .route("/admin/users", get(pages::users).post(pages::create_user).route_layer(guard(&[Action::AccountsManage])))
        .route("/admin/users/{id}/active", post(account::set_active).route_layer(guard(&[Action::AccountsManage])))
        .route("/admin/users/{id}/password", post(account::reset_password).route_layer(guard(&[Action::AccountsManage])))
        .route("/admin/audit", get(pages::audit).route_layer(guard(&[Action::AuditRead])))
        .route("/notifications", get(notifications::index))
        .route("/notifications/read", post(notifications::mark_read))
        .route("/admin/deliveries", get(notifications::deliveries).route_layer(guard(&[Action::AccountsManage])))
        .merge(api::routes())
        .merge(modules::subsidy::routes())
        .merge(modules::insurance::routes())
        .merge(modules::emergency::routes())
        .merge(modules::meeting::routes())
        // Read by the upload routes' body-limit middleware.
        .layer(axum::Extension(state.uploads))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::load_session))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        // Outermost, so that every response has them: pages, JSON, assets, errors, downloads.
        // The policy only where a handler has not set its own (a printable page's style hashes).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(security::CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .with_state(state)
}

/// Bind and serve until Ctrl-C.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
