//! Account management: a user changes their own password; an administrator
//! disables, enables and resets accounts (on `/admin/users`). The store
//! audits each change and ends the sessions a change should end.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::Gate;

use crate::AppState;
use crate::auth::{Authed, Session, client_address, wait_message};
use crate::error::AppError;
use crate::query::Lenient;
use crate::render::{Page, html};

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    page: Page,
    error: Option<String>,
    done: bool,
    min: usize,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn password_page(Authed(s): Authed, Lenient { value: q, .. }: Lenient<DoneQuery>) -> Response {
    html(&PasswordPage { page: Page::new("修改密码", Some(&s)), error: None, done: q.done.is_some(), min: store::password::MIN_CHARS })
}

fn password_error(s: &Session, status: StatusCode, msg: String) -> Response {
    let mut r =
        html(&PasswordPage { page: Page::new("修改密码", Some(s)), error: Some(msg), done: false, min: store::password::MIN_CHARS });
    *r.status_mut() = status;
    r
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

/// Change one's own password: the current one is checked under the login throttle
/// (a stolen session must not become a way to guess it), the other sessions end.
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<PasswordForm>,
) -> Result<Response, AppError> {
    if f.new != f.repeat {
        return Ok(password_error(&s, StatusCode::BAD_REQUEST, "新密码：两次输入不一致".into()));
    }
    if f.new == f.current {
        return Ok(password_error(&s, StatusCode::BAD_REQUEST, "新密码不能与当前密码相同".into()));
    }
    if let Err(e) = store::password::check(&s.user.username, &f.new) {
        return Ok(password_error(&s, StatusCode::BAD_REQUEST, format!("新{e}")));
    }
    let addr = client_address(&state, &headers, connect.map(|c| c.0.0));
    if let Gate::Wait { ms } = state.store.login_claim(&state.login_throttle, &s.user.username, &addr).await? {
        let (secs, msg) = wait_message(ms);
        let mut r = password_error(&s, StatusCode::TOO_MANY_REQUESTS, msg);
        r.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Ok(r);
    }
    if state.store.authenticate(&s.user.username, &f.current).await?.is_none() {
        tracing::warn!(user = %s.user.username, %addr, "password change: wrong current password");
        return Ok(password_error(&s, StatusCode::BAD_REQUEST, "当前密码不正确".into()));
    }
    state.store.login_succeeded(&s.user.username, &addr).await?;
    let ended = state.store.change_own_password(s.user.id, &f.new, &s.token).await?;
    tracing::info!(user = %s.user.username, ended, "password changed");
    Ok(Redirect::to("/account/password?done=1").into_response())
}

fn users_msg(msg: &str) -> Response {
    Redirect::to(&format!("/admin/users?msg={}", form_urlencoded::byte_serialize(msg.as_bytes()).collect::<String>())).into_response()
}

async fn account_name(state: &AppState, id: i64) -> Result<String, AppError> {
    state
        .store
        .accounts()
        .await?
        .into_iter()
        .find(|(u, _)| u.id == id)
        .map(|(u, _)| u.username)
        .ok_or_else(|| AppError::NotFound(format!("用户 {id}")))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

/// Disable (ending the user's sessions) or enable an account.
pub async fn set_active(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ActiveForm>,
) -> Result<Response, AppError> {
    s.may(&state, access::Action::AccountsManage)?;
    let active = match f.active.as_str() {
        "1" => true,
        "0" => false,
        other => return Err(AppError::BadRequest(format!("状态“{other}”无效（应为 0 或 1）"))),
    };
    if id == s.user.id && !active {
        return Err(AppError::BadRequest("不能停用自己的账号".into()));
    }
    let name = account_name(&state, id).await?;
    let ended = state.store.set_active(&s.user.username, id, active).await?;
    Ok(users_msg(&if active {
        format!("已启用账号 {name}")
    } else {
        format!("已停用账号 {name}，结束其 {ended} 个登录会话")
    }))
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
}

/// Set a new password for another account; all its sessions end.
pub async fn reset_password(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ResetForm>,
) -> Result<Response, AppError> {
    s.may(&state, access::Action::AccountsManage)?;
    if id == s.user.id {
        return Err(AppError::BadRequest("请在“修改密码”页面修改自己的密码（需要当前密码）".into()));
    }
    let name = account_name(&state, id).await?;
    match state.store.reset_password(&s.user.username, id, &f.password).await {
        Ok(ended) => Ok(users_msg(&format!("已为账号 {name} 设置新密码，结束其 {ended} 个登录会话"))),
        Err(store::StoreError::Invalid(m)) => crate::pages::users_with_error(&state, &s, format!("账号 {name}：{m}")).await,
        Err(e) => Err(e.into()),
    }
}
