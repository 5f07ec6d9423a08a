//! 电子商务扶持 (山政发〔2022〕10号 附件4): enterprises declare their yearly
//! figures and apply; the commerce bureau reviews and approves (changing an
//! amount only with a written reason) and claws back article 9 awards on
//! falsified data; 区财政局 pays; a proactive list shows who qualifies without
//! having applied (免申即享); the budget sums what is committed and paid.
//!
//! The pages parse forms, call the use cases in `app::subsidy` (access by
//! duty, the engine's rules and workflow, one store transaction) and render
//! named view structs. The assess API (`api.rs`) is the speed path: it calls
//! the engine directly over a per-instance rules cache, with the same JSON
//! contract as `shanting subsidy assess`.
//!
//! - `declare.rs`: the declaration form and applying;
//! - `review.rs`: the application list and page, review, payment, clawback;
//! - `directory.rs`: the enterprise directory and 免申即享;
//! - `budget.rs`, `targets.rs`: funds and targets, with their XLSX exports;
//! - `documents.rs`: supporting documents (upload, download);
//! - `views.rs`: the assessment as the pages show it;
//! - `api.rs`, `demo.rs`.

use access::Action;
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::auth::guard;

mod api;
mod budget;
mod declare;
mod demo;
mod directory;
mod documents;
mod review;
mod targets;
mod views;

pub(crate) use api::{__path_api_assess, api_assess};
pub use api::{assess_json, assess_value};
pub use declare::{FIELDS, Field, SECTIONS, applicant_from_form};
pub use demo::seed_demo;

pub fn routes() -> Router<AppState> {
    use Action::*;
    Router::new()
        .route("/subsidy", get(review::index).route_layer(guard(&[SubsidyApplicationsRead, SubsidyTargetsRead])))
        .route("/subsidy/declare", get(declare::form).route_layer(guard(&[SubsidyDeclare, SubsidyMatches])))
        .route("/subsidy/declare", post(declare::declare).route_layer(guard(&[SubsidyDeclare])))
        .route("/subsidy/enterprises", get(directory::enterprises).route_layer(guard(&[SubsidyEnterprisesRead])))
        .route("/subsidy/enterprises", post(directory::add_enterprise).route_layer(guard(&[SubsidyEnterprisesEdit])))
        .route("/subsidy/applications/{id}", get(review::application).route_layer(guard(&[SubsidyApplicationsRead])))
        .route("/subsidy/applications/{id}/review", post(review::review).route_layer(guard(&[SubsidyReview])))
        .route("/subsidy/applications/{id}/pay", post(review::pay).route_layer(guard(&[SubsidyPay])))
        .route("/subsidy/awards/{id}/clawback", post(review::clawback).route_layer(guard(&[SubsidyClawback])))
        .route("/subsidy/matches", get(directory::matches).route_layer(guard(&[SubsidyMatches])))
        .route("/subsidy/budget", get(budget::budget).route_layer(guard(&[SubsidyBudgetRead])))
        .route("/subsidy/budget.xlsx", get(budget::budget_xlsx).route_layer(guard(&[SubsidyBudgetRead])))
        .route(
            "/subsidy/documents",
            post(documents::upload)
                .layer(axum::extract::DefaultBodyLimit::max(documents::BODY_LIMIT))
                .route_layer(guard(&[SubsidyDeclare])),
        )
        .route("/subsidy/documents/{id}", get(documents::download).route_layer(guard(&[SubsidyDocumentsRead])))
        .route("/subsidy/targets", get(targets::targets).route_layer(guard(&[SubsidyTargetsRead])))
        .route("/subsidy/targets", post(targets::record_actual).route_layer(guard(&[SubsidyTargetsRecord])))
        .route("/subsidy/targets.xlsx", get(targets::targets_xlsx).route_layer(guard(&[SubsidyTargetsRead])))
        .route("/api/v1/subsidy/assess", post(api_assess))
}

pub async fn public_fragment(_state: &AppState) -> Option<String> {
    None
}

/// The year a declaration defaults to: the last full year.
fn default_year(state: &AppState) -> i64 {
    i64::from(state.today().year()) - 1
}

/// Yuan with thousands separators and two decimals, for the pages.
fn yuan(fen: i64) -> String {
    crate::display::yuan(fen)
}

/// A form's value by name, trimmed (empty when absent).
fn field(form: &[(String, String)], name: &str) -> String {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
}
