//! The application list, one application's page, and the workflow's steps:
//! review (受理、退回、不予支持、批准) by 区商务和投资促进局, payment by 区财政局,
//! clawback of article 9 awards. Access and rules are the use cases'.

use access::Action;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use ecommerce::workflow::{GrantRequest, Status, Step};
use kernel::Money;
use serde::Deserialize;
use store::subsidy::Document;

use super::views::{AssessView, explanation_lines};
use super::{field, yuan};
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;
use crate::render::{Page, html};

/// One row of the application list.
pub struct AppRow {
    pub id: i64,
    pub name: String,
    pub town: String,
    pub year: i64,
    pub status: &'static str,
    pub total: String,
    pub submitted_at: String,
}

/// A status filter option.
pub struct StatusOption {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "subsidy/index.html")]
struct Index {
    page: Page,
    enterprise: Option<store::subsidy::Enterprise>,
    documents: Vec<Document>,
    /// The list of applications is shown (the actor may read some).
    applications: bool,
    /// Links to the reviewer's and the budget's pages.
    matches_link: bool,
    budget_link: bool,
    enterprises_link: bool,
    targets_link: bool,
    filters: bool,
    statuses: Vec<StatusOption>,
    year: i64,
    apps: Vec<AppRow>,
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    pub status: Option<String>,
    pub year: Option<i64>,
}

pub(super) async fn index(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let status = match q.status.as_deref().filter(|x| !x.is_empty()) {
        Some(code) => Some(code.parse::<Status>().map_err(|e| AppError::Field { field: "status".into(), message: e.to_string() })?),
        None => None,
    };
    let applications = s.can(&state, Action::SubsidyApplicationsRead);
    let apps = if applications { app::subsidy::review::list(&state, &s.actor, status, q.year).await? } else { Vec::new() };
    let own = s.can(&state, Action::SubsidyDeclare).then(|| app::subsidy::declare::own_enterprise(&state, &s.actor)).transpose()?;
    let (enterprise, documents) = match &own {
        Some(uscc) => (state.store.subsidy_enterprise(uscc).await?, app::subsidy::documents::list(&state, &s.actor, uscc).await?),
        None => (None, Vec::new()),
    };
    Ok(html(&Index {
        page: Page::new("电子商务扶持政策", Some(&s)),
        enterprise,
        documents,
        applications,
        matches_link: s.can(&state, Action::SubsidyMatches),
        budget_link: s.can(&state, Action::SubsidyBudgetRead),
        enterprises_link: s.can(&state, Action::SubsidyEnterprisesRead),
        targets_link: s.can(&state, Action::SubsidyTargetsRead),
        filters: applications && own.is_none(),
        statuses: Status::ALL
            .iter()
            .map(|st| StatusOption { code: st.as_str(), label: st.label(), selected: status == Some(*st) })
            .collect(),
        year: q.year.unwrap_or(0),
        apps: apps
            .into_iter()
            .map(|a| AppRow {
                id: a.id,
                name: a.name,
                town: a.town,
                year: a.year,
                status: a.status.label(),
                total: a.assessment.total_fen.to_string(),
                submitted_at: a.submitted_at.unwrap_or_default(),
            })
            .collect(),
    }))
}

/// One award as granted, paid and clawed back.
pub struct AwardRow {
    pub id: i64,
    pub article: i64,
    pub tier: i64,
    pub proposed: String,
    pub granted: String,
    pub change_reason: String,
    pub paid: String,
    pub clawed_back: String,
    pub clawback_reason: String,
    /// The reviewer may claw this one back (article 9).
    pub clawback: bool,
}

#[derive(Template)]
#[template(path = "subsidy/application.html")]
struct ApplicationPage {
    page: Page,
    id: i64,
    status: &'static str,
    note: String,
    submitted_at: Option<String>,
    decided_at: Option<String>,
    view: AssessView,
    explanation: Vec<String>,
    awards: Vec<AwardRow>,
    documents: Option<Vec<Document>>,
    can_start: bool,
    can_decide: bool,
    can_pay: bool,
    today: String,
}

pub(super) async fn application(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let d = app::subsidy::review::application(&state, &s.actor, id).await?;
    let a = &d.application;
    let may = |step: Step| {
        app::subsidy::review::may_step(&state, &s.actor, &a.uscc, step) && ecommerce::workflow::next(Some(a.status), step, "-").is_ok()
    };
    let reviewer = app::subsidy::review::may_step(&state, &s.actor, &a.uscc, Step::Approve);
    Ok(html(&ApplicationPage {
        page: Page::new(&format!("{} {}年度扶持资金申请", a.name, a.year), Some(&s)),
        id: a.id,
        status: a.status.label(),
        note: a.note.clone(),
        submitted_at: a.submitted_at.clone(),
        decided_at: a.decided_at.clone(),
        view: AssessView::of(&a.assessment),
        explanation: explanation_lines(&a.assessment),
        awards: d
            .awards
            .iter()
            .map(|w| AwardRow {
                id: w.id,
                article: w.article,
                tier: w.tier,
                proposed: yuan(w.proposed_fen),
                granted: yuan(w.granted_fen),
                change_reason: w.change_reason.clone(),
                paid: yuan(w.paid_fen),
                clawed_back: yuan(w.clawed_back_fen),
                clawback_reason: w.clawback_reason.clone(),
                clawback: reviewer && w.article == i64::from(ecommerce::workflow::CLAWBACK_ARTICLE) && w.paid_fen > w.clawed_back_fen,
            })
            .collect(),
        can_start: may(Step::Start),
        can_decide: may(Step::Approve),
        can_pay: may(Step::Pay),
        today: state.today().to_string(),
        documents: d.documents,
    }))
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/subsidy/applications/{id}")).into_response()
}

/// Review actions: `action` = start | approve | return | reject (| pay, which
/// the use case refuses to the reviewer: payment is 区财政局's duty).
pub(super) async fn review(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let note = field(&form, "note");
    let action = field(&form, "action");
    let step: Step = action
        .parse()
        .map_err(|_| AppError::Field { field: "action".into(), message: format!("未知操作 {}", kernel::echo(&action)) })?;
    match step {
        Step::Approve => {
            let mut requests = Vec::new();
            for (k, v) in &form {
                let Some(article) = k.strip_prefix("granted:") else { continue };
                let article: u8 = article
                    .parse()
                    .map_err(|_| AppError::Field { field: kernel::echo(k).into_owned(), message: "条款应为数字".into() })?;
                let granted = match v.trim() {
                    "" => None,
                    g => Some(
                        Money::parse_yuan(g)
                            .map_err(|e| AppError::Field { field: k.clone(), message: format!("第{article}条核定金额：{e}") })?,
                    ),
                };
                requests.push(GrantRequest { article, granted, reason: field(&form, &format!("reason:{article}")) });
            }
            app::subsidy::review::approve(&state, &s.actor, id, &requests, &note).await?;
        }
        Step::Pay => pay_on(&state, &s, id, &form).await?,
        other => app::subsidy::review::step(&state, &s.actor, id, other, &note).await?,
    }
    Ok(back(id))
}

async fn pay_on(state: &AppState, s: &crate::auth::Session, id: i64, form: &[(String, String)]) -> Result<(), AppError> {
    let raw = field(form, "paid_on");
    let day = if raw.is_empty() {
        state.today()
    } else {
        kernel::parse_date(&raw).map_err(|e| AppError::Field { field: "paid_on".into(), message: format!("拨付日期：{e}") })?
    };
    Ok(app::subsidy::review::pay(state, &s.actor, id, day).await?)
}

/// 拨付 (区财政局).
pub(super) async fn pay(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    pay_on(&state, &s, id, &form).await?;
    Ok(back(id))
}

pub(super) async fn clawback(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let amount = Money::parse_yuan(&field(&form, "amount"))
        .map_err(|e| AppError::Field { field: "amount".into(), message: format!("追回金额：{e}") })?;
    let application = app::subsidy::review::clawback(&state, &s.actor, id, amount, &field(&form, "reason")).await?;
    Ok(back(application))
}
