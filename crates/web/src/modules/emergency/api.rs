//! The JSON API: the CLI contracts `assess` and `cap` (public), and the
//! incidents the user may see.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use emergency::IncidentStatus;
use serde::Deserialize;
use store::emergency::IncidentFilter;

use super::rules;
use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, AppError};

/// `POST /api/v1/emergency/assess`: the CLI contract's `assess`.
#[utoipa::path(post, path = "/api/v1/emergency/assess", operation_id = "emergency_assess", request_body(content = String, content_type = "application/json", description = "one information report, as for `shanting emergency assess`"),
    responses((status = 200, description = "category, lead departments, command body, response level, who decides and leads, reporting"), (status = 400, description = "input error naming the field")))]
pub(crate) async fn api_assess(State(state): State<AppState>, body: String) -> Result<Response, ApiError> {
    let report = emergency::parse_report(&body).map_err(|e| ApiError(app::Error::from(e).into()))?;
    let r = rules(&state).map_err(ApiError)?;
    Ok(Json(emergency::assess(&r, &report)).into_response())
}

/// `POST /api/v1/emergency/cap`: the CLI contract's `cap`.
#[utoipa::path(post, path = "/api/v1/emergency/cap", request_body(content = String, content_type = "application/json", description = "one warning, as for `shanting emergency cap`"),
    responses((status = 200, description = "a CAP 1.2 alert (application/cap+xml)"), (status = 400, description = "input error naming the field")))]
pub(crate) async fn api_cap(State(state): State<AppState>, body: String) -> Result<Response, ApiError> {
    let w = emergency::parse_warning(&body).map_err(|e| ApiError(app::Error::from(e).into()))?;
    let r = rules(&state).map_err(ApiError)?;
    let xml = emergency::to_cap_xml(&r, &state.district, &w).map_err(|e| ApiError(AppError::BadRequest(e.to_string())))?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(emergency::atom::CAP_MIME))], xml).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct ApiQuery {
    drill: Option<String>,
    status: Option<String>,
}

/// `GET /api/v1/emergency/incidents`: the incidents the user may see (drills only with `drill=1`).
#[utoipa::path(get, path = "/api/v1/emergency/incidents", responses((status = 200, description = "the incidents the user may see; drills only with drill=1"), (status = 401, description = "not logged in"), (status = 403, description = "no emergency duty")))]
pub(crate) async fn api_incidents(
    State(state): State<AppState>,
    Authed(s): Authed,
    Query(q): Query<ApiQuery>,
) -> Result<Response, ApiError> {
    let status: Option<IncidentStatus> = q.status.as_deref().and_then(|x| x.parse().ok());
    let f = IncidentFilter { drill: q.drill.as_deref() == Some("1"), status, ..Default::default() };
    let f = app::emergency::incidents::scoped_filter(&state.app, &s.actor, f).map_err(|e| ApiError(e.into()))?;
    let list = state.store.emergency_incidents(&f).await.map_err(|e| ApiError(e.into()))?;
    Ok(Json(list).into_response())
}
