//! 居民养老、医疗保险征缴 (山政办发〔2022〕4号): rosters (清册) per town and
//! village, payments by village agents and bulk payments on behalf by a
//! bureau, refunds, reconciliation (钱表相符), the public roster (公示),
//! statistics (征缴统计参照表), and the import of residents and of the
//! departments' lists.
//!
//! Thin by design: each handler parses the request, calls a use case of
//! `app::insurance` (which asks the duties: a village agent their village,
//! a town its villages with masked IDs, the district's units by their duty,
//! full IDs recorded) and renders. Routes are guarded by the actions of
//! `access`; the files are by job: roster, residents, payments, reconcile,
//! publish, public, stats, import, lists, api, demo.

mod api;
mod demo;
mod import;
mod lists;
mod payments;
mod public;
mod publish;
mod reconcile;
mod residents;
mod roster;
mod stats;

pub(crate) use api::{__path_api_stats, api_stats};
pub use demo::{DEMO_RESIDENTS, seed_demo};
use import::*;
use lists::*;
use payments::*;
use public::*;
use publish::*;
use reconcile::*;
use residents::*;
use roster::*;
use stats::*;

use app::insurance::{import as imports, lists as applied_lists, places, roster as rosters};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use insurance::{Channel, PaymentKind};
use insurance::{Rules, waiting_period};
use kernel::Money;
use serde::Deserialize;
use store::insurance::{NewPayment, Payment, Reconciliation, ResidentRow, RosterFilter, TownStats};

use access::Action;

use crate::auth::{Authed, Session, Viewer, guard};
use crate::error::{ApiError, AppError};
use crate::export::{self, Cell};
use crate::render::{Page, Pager, escape, html};
use crate::{AppState, upload};

pub fn routes() -> Router<AppState> {
    use Action::*;
    Router::new()
        .route("/insurance", get(roster).route_layer(guard(&[InsuranceRosterRead])))
        .route("/insurance/roster.xlsx", get(roster_xlsx).route_layer(guard(&[InsuranceRosterExport])))
        .route("/insurance/roster/print", get(roster_print).route_layer(guard(&[InsuranceRosterExport])))
        .route("/insurance/roster.pdf", get(roster_pdf).route_layer(guard(&[InsuranceRosterExport])))
        .route("/insurance/residents/{id}", get(resident).route_layer(guard(&[InsuranceRosterRead])))
        .route("/insurance/residents/{id}/pay", post(pay).route_layer(guard(&[InsurancePaymentRecord])))
        .route("/insurance/payments/{id}/refund", post(refund).route_layer(guard(&[InsuranceRefund])))
        .route("/insurance/reconcile", get(reconcile).route_layer(guard(&[InsuranceReconcile])))
        .route("/insurance/publish", post(publish).route_layer(guard(&[InsurancePublish])))
        .route("/insurance/stats", get(stats).route_layer(guard(&[InsuranceStatsRead])))
        .route("/insurance/stats.xlsx", get(stats_xlsx).route_layer(guard(&[InsuranceStatsRead])))
        // A district's resident list is far above axum's default 2 MB body limit:
        // the upload limits on `AppState` (larger lists go through `shanting import residents`).
        .route(
            "/insurance/import",
            get(import_page)
                .route_layer(guard(IMPORT_ACTIONS))
                .merge(post(import_upload).route_layer(guard(&[InsuranceResidentsImport])))
                .layer(from_fn(upload::residents_body_limit)),
        )
        .route(
            "/insurance/lists",
            post(list_upload).route_layer(guard(&[InsuranceGroupList, InsuranceDeathList])).layer(from_fn(upload::files_body_limit)),
        )
        .route("/insurance/bulk", post(bulk).route_layer(guard(&[InsuranceBulkOnBehalf])))
        .route("/public/insurance", get(public_roster))
        .route("/api/v1/insurance/stats", get(api_stats).route_layer(guard(&[InsuranceStatsRead])))
}

/// The published village rosters, linked, for `/public`.
pub async fn public_fragment(state: &AppState) -> Option<String> {
    let pubs = state.store.insurance_publications().await.ok()?;
    if pubs.is_empty() {
        return None;
    }
    let mut s = String::from("<ul id=\"insurance-publications\">");
    for p in pubs {
        let q = format!("year={}&town={}&village={}", p.year, enc(&p.town), enc(&p.village));
        s.push_str(&format!(
            "<li><a href=\"/public/insurance?{q}\">{}年度 {} {} 参保缴费公示</a> <span class=\"muted\">（{} 发布）</span></li>",
            p.year,
            escape(&p.town),
            escape(&p.village),
            escape(p.published_at.get(..10).unwrap_or(&p.published_at))
        ));
    }
    s.push_str("</ul>");
    Some(s)
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn yuan_of(fen: i64) -> String {
    Money::from_fen(fen).to_string()
}

/// A stored status code by the engine's label (`insurance::Status`: one home
/// for the labels); a code the engine does not know is shown as invalid.
fn status_label(s: &str) -> &'static str {
    s.parse::<insurance::Status>().map_or("（状态代码无效）", insurance::Status::label)
}

/// A stored pension status code by the engine's label (`insurance::PensionStatus`).
fn pension_label(s: &str) -> &'static str {
    s.parse::<insurance::PensionStatus>().map_or("（状态代码无效）", insurance::PensionStatus::label)
}

/// What the insurance templates call on their page: amounts and statuses as people read them.
trait Labels {
    fn yuan(&self, f: &i64) -> String {
        yuan_of(*f)
    }
    fn status(&self, s: &str) -> &'static str {
        status_label(s)
    }
    fn pension(&self, s: &str) -> &'static str {
        pension_label(s)
    }
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct PlaceQuery {
    town: Option<String>,
    village: Option<String>,
    year: Option<i64>,
}
