//! The JSON API under `/api/v1/`, described by an OpenAPI document at
//! `/api/v1/openapi.json`. Authentication is the session cookie; writes
//! also need the `X-CSRF-Token` header. Errors are `{"error", "message"}`.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, AppError};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "山亭区数字政府平台 API",
        version = "1",
        description = "JSON API of the shanting platform. Money is integer fen in `*_fen` fields."
    ),
    paths(
        me,
        params,
        add_workdays,
        is_workday,
        towns,
        villages,
        audit,
        crate::modules::subsidy::api_assess,
        crate::modules::meeting::api_decide,
        crate::modules::emergency::api_assess,
        crate::modules::emergency::api_cap,
        crate::modules::emergency::api_incidents,
        crate::modules::insurance::api_stats
    )
)]
struct ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route("/api/v1/me", get(me))
        .route("/api/v1/policy/params", get(params))
        .route("/api/v1/calendar/add-workdays", get(add_workdays))
        .route("/api/v1/calendar/is-workday", get(is_workday))
        .route("/api/v1/towns", get(towns))
        .route("/api/v1/villages", get(villages).route_layer(crate::auth::guard(&[access::Action::ReferenceRead])))
        .route("/api/v1/audit", get(audit).route_layer(crate::auth::guard(&[access::Action::AuditRead])))
}

#[derive(Serialize, ToSchema)]
struct Me {
    username: String,
    display_name: String,
    role: String,
    department: Option<String>,
    town: Option<String>,
    village: Option<String>,
    enterprise_uscc: Option<String>,
    csrf_token: String,
}

/// The logged-in user, with the CSRF token for API writes.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, description = "not logged in")))]
async fn me(Authed(s): Authed) -> Json<Me> {
    let u = s.user;
    Json(Me {
        username: u.username,
        display_name: u.display_name,
        role: u.role.as_str().into(),
        department: u.department,
        town: u.town,
        village: u.village,
        enterprise_uscc: u.enterprise_uscc,
        csrf_token: s.csrf,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ParamsQuery {
    /// Only parameters whose name starts with this.
    prefix: Option<String>,
}

/// Every policy parameter value with period, citation and reading.
#[utoipa::path(get, path = "/api/v1/policy/params", params(ParamsQuery), responses((status = 200, description = "parameters")))]
async fn params(State(state): State<AppState>, Query(q): Query<ParamsQuery>) -> Json<serde_json::Value> {
    let list: Vec<_> = state.params.all().into_iter().filter(|p| q.prefix.as_deref().is_none_or(|x| p.name.starts_with(x))).collect();
    Json(serde_json::to_value(list).unwrap_or_default())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct WorkdayQuery {
    /// YYYY-MM-DD
    date: String,
    /// Working days to add (may be negative).
    n: Option<i64>,
}

#[derive(Serialize, ToSchema)]
struct DateAnswer {
    date: String,
    result: String,
    notice: Option<String>,
}

/// The date N working days after DATE.
#[utoipa::path(get, path = "/api/v1/calendar/add-workdays", params(WorkdayQuery), responses((status = 200, body = DateAnswer), (status = 400, description = "bad date or outside 2022–2026")))]
async fn add_workdays(State(state): State<AppState>, Query(q): Query<WorkdayQuery>) -> Result<Json<DateAnswer>, ApiError> {
    let d = kernel::parse_date(&q.date).map_err(|e| AppError::BadRequest(format!("date: {e}")))?;
    let r = state.calendar.add_workdays(d, q.n.unwrap_or(0)).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(DateAnswer { date: q.date, result: r.to_string(), notice: state.calendar.why(r).map(str::to_string) }))
}

/// Whether DATE is a working day ("yes"/"no").
#[utoipa::path(get, path = "/api/v1/calendar/is-workday", params(WorkdayQuery), responses((status = 200, body = DateAnswer), (status = 400, description = "bad date or outside 2022–2026")))]
async fn is_workday(State(state): State<AppState>, Query(q): Query<WorkdayQuery>) -> Result<Json<DateAnswer>, ApiError> {
    let d = kernel::parse_date(&q.date).map_err(|e| AppError::BadRequest(format!("date: {e}")))?;
    let w = state.calendar.is_workday(d).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(DateAnswer { date: q.date, result: if w { "yes" } else { "no" }.into(), notice: state.calendar.why(d).map(str::to_string) }))
}

/// The ten towns and streets.
#[utoipa::path(get, path = "/api/v1/towns", responses((status = 200, description = "towns")))]
async fn towns(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::to_value(&state.district.towns).unwrap_or_default())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct VillageQuery {
    town: Option<String>,
}

/// Villages, scoped to the caller's town or village.
#[utoipa::path(get, path = "/api/v1/villages", params(VillageQuery), responses((status = 200, description = "villages")))]
async fn villages(
    State(state): State<AppState>,
    Authed(s): Authed,
    Query(q): Query<VillageQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (rows, _) = crate::pages::scoped_villages(&state, &s, q.town).await?;
    Ok(Json(serde_json::to_value(rows).unwrap_or_default()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    actor: Option<String>,
    entity: Option<String>,
    action: Option<String>,
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The audit trail, newest first (those who may read it: administrators, 区审计局).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery), responses((status = 200, description = "entries and total"), (status = 403, description = "not an administrator")))]
async fn audit(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<AuditQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    s.may(&state, access::Action::AuditRead)?;
    let f = store::AuditFilter {
        actor: q.actor,
        entity: q.entity,
        action: q.action,
        text: q.q,
        limit: q.limit.unwrap_or(50),
        offset: q.offset.unwrap_or(0),
    };
    let (entries, total) = state.store.audit_entries(&f).await?;
    Ok(Json(serde_json::json!({"total": total, "entries": entries})))
}
