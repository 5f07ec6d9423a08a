//! `POST /api/v1/subsidy/assess` (no login; changes nothing) and the engine
//! over JSON text for the pages: the speed path. The rules of each year are
//! loaded once per instance and kept in `AppState::derived`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::error::{ApiError, AppError};

/// The rules of `year`, from this instance's cache; a year outside the
/// policy's validity is an input error at `[i].year`, as in the CLI.
fn rules_of(state: &AppState, a: &ecommerce::Applicant, i: usize) -> Result<Arc<ecommerce::Rules>, String> {
    if let Some(r) = state.derived.subsidy_rules.read().ok().and_then(|m| m.get(&a.year).cloned()) {
        return Ok(r);
    }
    let loaded =
        ecommerce::rules_for(&state.params, std::slice::from_ref(a)).map_err(|e| e.to_string().replace("[0].", &format!("[{i}].")))?;
    let r = Arc::new(loaded.into_iter().next().ok_or("没有适用的政策参数")?);
    if let Ok(mut m) = state.derived.subsidy_rules.write() {
        m.insert(a.year, r.clone());
    }
    Ok(r)
}

/// The engine over a JSON text, as the CLI reads it (one object or an array):
/// one assessment per applicant, in input order. `full` keeps every article's
/// explanation steps (pages); the API needs only the contract's.
fn assess_text(state: &AppState, text: &str, full: bool) -> Result<Vec<ecommerce::Assessment>, String> {
    let applicants = ecommerce::parse_applicants(text).map_err(|e| e.to_string())?;
    applicants
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let r = rules_of(state, a, i)?;
            Ok(if full { ecommerce::assess(&r, a) } else { ecommerce::assess_contract(&r, a) })
        })
        .collect()
}

/// `?partial=true` (企业政策计算器): as the CLI's `--partial`, each result
/// gains `missing`, the articles that cannot be decided yet and the facts they need.
fn assess_partial_text(state: &AppState, text: &str) -> Result<Vec<ecommerce::Assessment>, String> {
    let applicants = ecommerce::parse_applicants(text).map_err(|e| e.to_string())?;
    let declared = ecommerce::Declared::of_input(text).map_err(|e| e.to_string())?;
    applicants.iter().zip(&declared).enumerate().map(|(i, (a, d))| Ok(ecommerce::assess_partial(&*rules_of(state, a, i)?, a, d))).collect()
}

/// The `partial` query parameter: absent, `true`/`1` or `false`/`0`; anything else names the parameter.
fn partial_wanted(query: Option<&str>) -> Result<bool, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).map_err(|_| "查询参数无法解析".to_string())?;
    match pairs.iter().find(|(k, _)| k == "partial").map(|(_, v)| v.as_str()) {
        None | Some("false" | "0" | "") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(v) => Err(format!("partial：应为 true 或 false，得到“{}”", kernel::echo(v))),
    }
}

/// As [`assess_text`], as JSON values.
pub fn assess_json(state: &AppState, text: &str) -> Result<Vec<Value>, String> {
    assess_text(state, text, true)?.iter().map(|r| serde_json::to_value(r).map_err(|e| e.to_string())).collect()
}

/// Run the engine on one applicant object.
pub fn assess_value(state: &AppState, applicant: &Value) -> Result<ecommerce::Assessment, String> {
    let text = Value::Array(vec![applicant.clone()]).to_string();
    assess_text(state, &text, false)?.into_iter().next().ok_or_else(|| "没有测算结果".to_string())
}

/// Assess applicants under 附件4 (no login; changes nothing): the same JSON in and
/// out as `shanting subsidy assess` — one applicant object or an array; always an array back.
#[utoipa::path(post, path = "/api/v1/subsidy/assess", operation_id = "subsidy_assess", request_body(content = String, content_type = "application/json", description = "applicant object or array, as for `shanting subsidy assess`"),
    params(("partial" = Option<bool>, Query, description = "企业政策计算器: each result gains `missing` (articles not yet decidable and the facts they need), as `--partial`")),
    responses((status = 200, description = "one assessment per applicant, in input order"), (status = 400, description = "input error naming the field path, e.g. [0].net_tax_yuan")))]
pub(crate) async fn api_assess(State(state): State<AppState>, RawQuery(query): RawQuery, body: String) -> Result<Response, ApiError> {
    let bad = |e: String| ApiError(AppError::BadRequest(e));
    let results =
        if partial_wanted(query.as_deref()).map_err(bad)? { assess_partial_text(&state, &body) } else { assess_text(&state, &body, false) }
            .map_err(bad)?;
    let bytes = serde_json::to_vec(&results).map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}
