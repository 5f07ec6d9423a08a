//! The command body's work on an incident (3.5, 4.4(3), 4.5.3–4.5.5).

use app::emergency::command as uc;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{FormPairs, back, count};
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;

pub(super) async fn city_reported(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    uc::city_reported(&state.app, &s.actor, id).await?;
    Ok(back(id))
}

pub(super) async fn open_post(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormPairs::parse(&body);
    let chosen: Vec<u32> = f.all("group").iter().filter_map(|v| v.parse().ok()).collect();
    uc::open_post(&state.app, &s.actor, id, &f.get("commander"), &f.get("location"), &chosen).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
pub(super) struct GroupForm {
    leader: String,
    tasks: String,
}

pub(super) async fn set_group(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, n)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<GroupForm>,
) -> Result<Response, AppError> {
    uc::set_group(&state.app, &s.actor, id, n, &f.leader, &f.tasks).await?;
    Ok(back(id))
}

pub(super) async fn tick_measure(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, n)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    uc::tick_measure(&state.app, &s.actor, id, n).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
pub(super) struct ReleaseForm {
    title: String,
    content: String,
}

pub(super) async fn release(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ReleaseForm>,
) -> Result<Response, AppError> {
    uc::release(&state.app, &s.actor, id, &f.title, &f.content).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
pub(super) struct StateForm {
    request: String,
}

pub(super) async fn request_state(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<StateForm>,
) -> Result<Response, AppError> {
    uc::request_state(&state.app, &s.actor, id, &f.request).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
pub(super) struct AssignForm {
    resource: i64,
    quantity: Option<String>,
}

pub(super) async fn assign(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AssignForm>,
) -> Result<Response, AppError> {
    let qty = count("quantity", "数量", f.quantity.as_deref().unwrap_or(""))?.unwrap_or(0);
    uc::assign(&state.app, &s.actor, id, f.resource, qty).await?;
    Ok(back(id))
}
