//! The JSON API of the module.

use super::*;

/// Collection statistics per town (征缴统计参照表), scoped to the caller.
#[utoipa::path(get, path = "/api/v1/insurance/stats", responses((status = 200, description = "persons due and paid, amounts, payment rates by age band against the targets"), (status = 401, description = "not logged in")))]
pub(crate) async fn api_stats(State(state): State<AppState>, Authed(s): Authed) -> Result<Json<serde_json::Value>, ApiError> {
    let (rules, data) = stats_data(&state, &s).await?;
    Ok(Json(serde_json::json!({"year": rules.year, "towns": data})))
}
