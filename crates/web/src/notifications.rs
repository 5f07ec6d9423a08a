//! 消息中心: the account's notifications (its own and its unit's or place's),
//! read and unread, each linking to its object; 全部标为已读; and, for
//! administrators, the state of every delivery beyond the app (the outbox).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::notifications::{Delivery, Notification};

use crate::AppState;
use crate::auth::Authed;
use crate::display::filters;
use crate::error::AppError;
use crate::render::{Page, html};

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    page: Page,
    items: Vec<Notification>,
    unread: usize,
}

/// Newest first, at most this many.
const SHOWN: i64 = 200;

pub async fn index(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let keys = app::workbench::notify::keys_of(&s.actor);
    let items = state.store.notifications(&s.user.username, &keys, SHOWN).await?;
    let unread = items.iter().filter(|n| n.read_at.is_none()).count();
    Ok(html(&NotificationsPage { page: Page::new("消息", Some(&s)), items, unread }))
}

#[derive(Deserialize)]
pub struct ReadForm {
    /// One notification; none: all of them.
    id: Option<i64>,
}

/// 标为已读 (one) or 全部标为已读.
pub async fn mark_read(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<ReadForm>,
) -> Result<Response, AppError> {
    let keys = app::workbench::notify::keys_of(&s.actor);
    state.store.mark_notifications_read(&s.user.username, &keys, f.id).await?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage {
    page: Page,
    deliveries: Vec<Delivery>,
    configured: Vec<String>,
}

/// 投递记录: each delivery's channel, target, state, attempts and last error.
pub async fn deliveries(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let deliveries = state.store.deliveries(SHOWN).await?;
    let configured = state.store.delivery().iter().map(|t| format!("{}：{}", t.channel.label(), t.target)).collect();
    Ok(html(&DeliveriesPage { page: Page::new("消息投递记录", Some(&s)), deliveries, configured }))
}
