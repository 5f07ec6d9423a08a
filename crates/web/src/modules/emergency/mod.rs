//! 突发事件应急管理 (山亭区突发事件总体应急预案, 山政发〔2022〕8号): the pages,
//! the feed and the API, by job — incidents and reports ([`incidents`]), the
//! command body's work ([`command`]), warnings ([`warnings`]), the Atom feed
//! and CAP files ([`feed`]), resources, plans, the live board, the JSON API
//! and the demo data.
//!
//! Every route carries `auth::guard` with the actions it serves (who holds
//! them: `policy/access/duties.toml`, `docs/access.md`); the use cases in
//! `app::emergency` then check the object (an incident's place and lead
//! departments, a plan's owners, a measure's assignees). The Atom feed, the
//! CAP files and the `assess`/`cap` API are public.

mod api;
mod board;
mod command;
mod demo;
mod feed;
mod incidents;
mod plans;
mod resources;
mod warnings;

use access::Action::*;
use axum::Router;
use axum::body::Bytes;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use emergency::Rules;

pub(crate) use api::{__path_api_assess, __path_api_cap, __path_api_incidents, api_assess, api_cap, api_incidents};
pub use demo::seed_demo;
pub use feed::public_fragment;

use crate::AppState;
use crate::auth::guard;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/emergency", get(incidents::index).route_layer(guard(&[EmergencyRead])))
        .route("/emergency/report", get(incidents::report_form).post(incidents::file_report).route_layer(guard(&[EmergencyReportFile])))
        .route("/emergency/incidents/{id}", get(incidents::detail).route_layer(guard(&[EmergencyRead])))
        .route("/emergency/incidents/{id}/followup", post(incidents::follow_up).route_layer(guard(&[EmergencyReportFile])))
        .route(
            "/emergency/incidents/{id}/level",
            post(incidents::set_level).route_layer(guard(&[EmergencyLevelGovernment, EmergencyLevelLead])),
        )
        .route("/emergency/incidents/{id}/end", post(incidents::end).route_layer(guard(&[EmergencyEnd])))
        .route("/emergency/incidents/{id}/recovery", post(incidents::recovery).route_layer(guard(&[EmergencyRecovery])))
        .route("/emergency/incidents/{id}/city", post(command::city_reported).route_layer(guard(&[EmergencyCommand])))
        .route("/emergency/incidents/{id}/post", post(command::open_post).route_layer(guard(&[EmergencyCommand])))
        .route("/emergency/incidents/{id}/groups/{n}", post(command::set_group).route_layer(guard(&[EmergencyCommand])))
        .route("/emergency/incidents/{id}/measures/{n}", post(command::tick_measure).route_layer(guard(&[EmergencyCommand])))
        .route("/emergency/incidents/{id}/release", post(command::release).route_layer(guard(&[EmergencyCommand])))
        .route("/emergency/incidents/{id}/state", post(command::request_state).route_layer(guard(&[EmergencyCommand])))
        .route("/emergency/incidents/{id}/assign", post(command::assign).route_layer(guard(&[EmergencyCommand])))
        .route(
            "/emergency/warnings",
            get(warnings::list).route_layer(guard(&[WarningRead])).merge(post(warnings::create).route_layer(guard(&[WarningDraft]))),
        )
        .route("/emergency/warnings/{id}", get(warnings::detail).route_layer(guard(&[WarningRead])))
        .route("/emergency/warnings/{id}/edit", post(warnings::edit).route_layer(guard(&[WarningDraft])))
        .route(
            "/emergency/warnings/{id}/{action}",
            post(warnings::action).route_layer(guard(&[WarningDraft, WarningApprove, WarningPublish])),
        )
        .route("/emergency/warnings/{id}/measures/{n}", post(warnings::tick_measure).route_layer(guard(&[WarningMeasure])))
        .route("/emergency/warnings/{id}/measures/{n}/assign", post(warnings::assign_measure).route_layer(guard(&[WarningPublish])))
        .route(
            "/emergency/resources",
            get(resources::list).route_layer(guard(&[ResourcesRead])).merge(post(resources::add).route_layer(guard(&[ResourcesEdit]))),
        )
        .route(
            "/emergency/plans",
            get(plans::list).route_layer(guard(&[PlansRead])).merge(post(plans::add).route_layer(guard(&[PlanMaintain]))),
        )
        .route("/emergency/plans/{id}/{action}", post(plans::action).route_layer(guard(&[PlanMaintain])))
        .route("/emergency/board", get(board::board).route_layer(guard(&[EmergencyRead])))
        .route("/emergency/board/events", get(board::events).route_layer(guard(&[EmergencyRead])))
        .route("/alerts/feed.atom", get(feed::feed))
        .route("/alerts/{file}", get(feed::cap_file))
        .route("/api/v1/emergency/assess", post(api_assess))
        .route("/api/v1/emergency/cap", post(api_cap))
        .route("/api/v1/emergency/incidents", get(api_incidents).route_layer(guard(&[EmergencyRead])))
}

// ------------------------------------------------------------------ helpers

fn rules(state: &AppState) -> Result<Rules, AppError> {
    Ok(app::emergency::rules(&state.app)?)
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/emergency/incidents/{id}")).into_response()
}

/// A form body as (name, value) pairs, for forms with repeated names.
struct FormPairs(Vec<(String, String)>);

impl FormPairs {
    fn parse(body: &Bytes) -> FormPairs {
        FormPairs(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `k`, trimmed ("" when absent).
    fn get(&self, k: &str) -> String {
        self.value(k).map(str::trim).unwrap_or_default().to_string()
    }

    fn value(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }

    /// Every value of `k`.
    fn all(&self, k: &str) -> Vec<String> {
        self.0.iter().filter(|(a, _)| a == k).map(|(_, v)| v.clone()).collect()
    }
}

/// A `datetime-local` value (or a full RFC 3339 time) in CAP form at UTC+8.
fn form_time(field: &'static str, label: &str, s: &str) -> Result<Option<String>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let full = match s.len() {
        16 => format!("{s}:00+08:00"),
        19 => format!("{s}+08:00"),
        _ => s.to_string(),
    };
    full.parse::<emergency::OffsetTime>()
        .map(|t| Some(t.as_str().to_string()))
        .map_err(|e| AppError::Field { field: field.into(), message: format!("{label}：{e}") })
}

fn count(field: &'static str, label: &str, s: &str) -> Result<Option<i64>, AppError> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse::<u32>()
            .map(|n| Some(i64::from(n)))
            .map_err(|_| AppError::Field {
                field: field.into(), message: format!("{label}应为非负整数，得到“{}”", kernel::echo(t))
            }),
    }
}

/// The district's areas a warning can cover: the district, its towns, the zone.
fn areas(state: &AppState) -> Vec<String> {
    let d = &state.district;
    [d.district.clone()].into_iter().chain(d.towns.iter().map(|t| t.name.clone())).chain([d.development_zone.clone()]).collect()
}
