//! Plans (6.2–6.4): the registry with filing deadlines and overdue plans;
//! registration, filing, drills and revisions by the unit that keeps a plan.

use app::emergency::plans as uc;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::emergency::{Plan, PlanDrill, PlanRevision};

use super::{FormPairs, rules};
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;
use crate::render::{Page, html};

/// One plan of the registry as the page shows it.
struct PlanRow {
    p: Plan,
    /// Filed late, or not filed and past the deadline (6.2).
    late: bool,
    /// The user keeps it (may file, drill, revise).
    keeps: bool,
}

/// A plan kind as the form offers it.
struct KindChoice {
    key: String,
    name: String,
    filing_bodies: String,
}

#[derive(Template)]
#[template(path = "emergency/plans.html")]
struct Plans {
    page: Page,
    plans: Vec<PlanRow>,
    overdue: Vec<Plan>,
    drills: Vec<PlanDrill>,
    revisions: Vec<PlanRevision>,
    kinds: Vec<KindChoice>,
    triggers: Vec<String>,
    drill_forms: Vec<String>,
    can_register: bool,
    filing_rule: String,
    today: String,
}

impl Plans {
    fn kind_name(&self, k: &str) -> String {
        self.kinds.iter().find(|x| x.key == k).map(|x| x.name.clone()).unwrap_or_else(|| k.to_string())
    }
    fn drills_of(&self, id: &i64) -> Vec<&PlanDrill> {
        self.drills.iter().filter(|d| d.plan_id == *id).collect()
    }
    fn revisions_of(&self, id: &i64) -> Vec<&PlanRevision> {
        self.revisions.iter().filter(|d| d.plan_id == *id).collect()
    }
}

pub(super) async fn list(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let r = rules(&state)?;
    let today = state.today();
    let mut plans = Vec::new();
    let mut overdue = Vec::new();
    for p in state.store.emergency_plans().await? {
        let issued = kernel::parse_date(&p.issued_on).map_err(|e| AppError::Internal(e.to_string()))?;
        let filed = p.filed_on.as_deref().and_then(|d| kernel::parse_date(d).ok());
        let late = r.filing_overdue(&state.calendar, issued, filed, today).map_err(|e| AppError::Internal(e.to_string()))?;
        if late && filed.is_none() {
            overdue.push(p.clone());
        }
        let keeps = uc::keeps(&state.app, &s.actor, &p);
        plans.push(PlanRow { p, late, keeps });
    }
    let (drills, revisions) = state.store.emergency_plan_history().await?;
    Ok(html(&Plans {
        page: Page::new("应急预案", Some(&s)),
        plans,
        overdue,
        drills,
        revisions,
        kinds: r
            .plan_kinds
            .iter()
            .map(|k| KindChoice { key: k.key.clone(), name: k.name.clone(), filing_bodies: k.filing_bodies.join("、") })
            .collect(),
        triggers: r.revision.triggers.clone(),
        drill_forms: r.drills.forms.clone(),
        can_register: s.can(&state, access::Action::PlanMaintain),
        filing_rule: format!("印发后{}个工作日内备案（{}）", r.filing_workdays.value, r.filing_workdays.citation),
        today: today.to_string(),
    }))
}

#[derive(Deserialize)]
pub(super) struct PlanForm {
    kind: String,
    name: String,
    issuer: String,
    issued_on: String,
}

pub(super) async fn add(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<PlanForm>,
) -> Result<Response, AppError> {
    let p = uc::NewPlan { kind: f.kind, name: f.name, issuer: f.issuer, issued_on: f.issued_on, filed_on: None };
    uc::register(&state.app, &s.actor, p).await?;
    Ok(Redirect::to("/emergency/plans").into_response())
}

pub(super) async fn action(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormPairs::parse(&body);
    match action.as_str() {
        "file" => uc::file(&state.app, &s.actor, id, &f.get("filed_on")).await?,
        "drill" => uc::drill(&state.app, &s.actor, id, &f.get("held_on"), &f.get("form"), &f.get("note")).await?,
        "revision" => uc::revise(&state.app, &s.actor, id, &f.get("revised_on"), &f.get("trigger"), &f.get("note")).await?,
        _ => return Err(AppError::NotFound(kernel::echo(&action).into_owned())),
    }
    Ok(Redirect::to("/emergency/plans").into_response())
}
