//! Warnings (4.3): the list and the drafting form, a warning's page with its
//! transitions (approve, issue, adjust, lift) and its 4.3.3 measures.

use app::emergency::warnings as uc;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use emergency::{Rules, WarningAction, WarningState};
use store::emergency::{Adjustment, Measure, Warning, WarningDetail};

use super::{FormPairs, areas, form_time, rules};
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;
use crate::render::{Page, html};

/// A warning level as a form offers it.
struct LevelChoice {
    level: u8,
    label: String,
}

fn level_choices(r: &Rules, long: bool) -> Vec<LevelChoice> {
    r.warning_levels()
        .iter()
        .map(|w| LevelChoice {
            level: w.level,
            label: if long { format!("{}（{}，{}）", w.label, w.name, w.colour) } else { format!("{}（{}）", w.label, w.colour) },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "emergency/warnings.html")]
struct Warnings {
    page: Page,
    warnings: Vec<Warning>,
    types: Vec<String>,
    areas: Vec<String>,
    levels: Vec<LevelChoice>,
    channels: Vec<String>,
    targeted: Vec<String>,
    places: Vec<String>,
    can_draft: bool,
}

pub(super) async fn list(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let r = rules(&state)?;
    let p = &r.publication;
    Ok(html(&Warnings {
        page: Page::new("预警信息", Some(&s)),
        warnings: state.store.emergency_warnings(false).await?,
        types: r.incident_types.iter().map(|t| t.name.clone()).collect(),
        areas: areas(&state),
        levels: level_choices(&r, true),
        channels: p.channels.clone(),
        targeted: vec![format!("{}等特殊人群", p.targeted_groups.join("、"))],
        places: p.targeted_places.clone(),
        can_draft: s.can(&state, emergency::WARNING_DRAFT),
    }))
}

pub(super) async fn create(State(state): State<AppState>, Authed(s): Authed, body: Bytes) -> Result<Response, AppError> {
    let f = FormPairs::parse(&body);
    let level: i64 =
        f.get("level").parse().map_err(|_| AppError::Field { field: "level".into(), message: "请选择预警级别".into() })?;
    let w = Warning {
        incident_type: f.get("incident_type"),
        level,
        headline: f.get("headline"),
        description: f.get("description"),
        duration: f.get("duration"),
        heed: f.get("heed"),
        instruction: f.get("instruction"),
        onset: form_time("onset", "生效时间", &f.get("onset"))?,
        expires: form_time("expires", "失效时间", &f.get("expires"))?,
        areas: f.all("areas").join("、"),
        channels: f.all("channels").join("、"),
        targeted: f.all("targeted").join("、"),
        places: f.all("places").join("、"),
        drill: !f.get("drill").is_empty(),
        ..Default::default()
    };
    let id = uc::draft(&state.app, &s.actor, w).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}

/// A 4.3.3 measure with whether the user may tick it.
struct MeasureRow {
    m: Measure,
    may_tick: bool,
}

#[derive(Template)]
#[template(path = "emergency/warning.html")]
struct WarningPage {
    page: Page,
    d: WarningDetail,
    measures: Vec<MeasureRow>,
    level: String,
    levels: Vec<LevelChoice>,
    can_approve: bool,
    can_publish: bool,
}

impl WarningPage {
    fn is(&self, s: &str) -> bool {
        self.d.warning.state.as_str() == s
    }
    fn live(&self) -> bool {
        self.d.warning.state.is_current()
    }
    fn open(&self) -> bool {
        self.d.warning.state != WarningState::Lifted
    }
}

pub(super) async fn detail(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let r = rules(&state)?;
    let d = state.store.emergency_warning_detail(id).await?;
    let level = u8::try_from(d.warning.level)
        .ok()
        .and_then(|l| r.warning_level(l))
        .map(|w| format!("{}（{}预警）", w.label, w.colour))
        .unwrap_or_else(|| d.warning.level.to_string());
    let measures =
        d.measures.iter().map(|m| MeasureRow { may_tick: uc::may_tick(&state.app, &s.actor, m.assignee_units()), m: m.clone() }).collect();
    Ok(html(&WarningPage {
        page: Page::new(&d.warning.headline, Some(&s)),
        level,
        levels: level_choices(&r, false),
        can_approve: s.can(&state, WarningAction::Approve.action()),
        can_publish: s.can(&state, WarningAction::Issue.action()),
        measures,
        d,
    }))
}

pub(super) async fn action(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let action: WarningAction = action.parse().map_err(|_| AppError::NotFound(kernel::echo(&action).into_owned()))?;
    let adjust = if action == WarningAction::Adjust {
        let f = FormPairs::parse(&body);
        let cur = state.store.emergency_warning(id).await?;
        let or = |k: &str, d: &str| {
            let v = f.get(k);
            if v.is_empty() { d.to_string() } else { v }
        };
        Some(Adjustment {
            level: f.get("level").parse().unwrap_or(cur.level),
            headline: or("headline", &cur.headline),
            description: or("description", &cur.description),
            instruction: or("instruction", &cur.instruction),
            expires: form_time("expires", "失效时间", &f.get("expires"))?.or(cur.expires.clone()),
        })
    } else {
        None
    };
    uc::transition(&state.app, &s.actor, id, action, adjust).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}

pub(super) async fn tick_measure(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, n)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    uc::tick_measure(&state.app, &s.actor, id, n).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}

/// 4.3.3: assign a measure to units (`units` repeated, or one line joined with 、).
pub(super) async fn assign_measure(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, n)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormPairs::parse(&body);
    let units: Vec<String> = f.all("units").iter().flat_map(|u| store::emergency::split_units(u)).collect();
    uc::assign_measure(&state.app, &s.actor, id, n, &units).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}
