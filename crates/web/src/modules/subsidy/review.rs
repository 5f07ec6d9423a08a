//! The application list, one application's page, and the workflow's steps:
//! review (受理、退回、不予支持、批准) by 区商务和投资促进局, payment by 区财政局,
//! clawback of article 9 awards. Access and rules are the use cases'.

use access::Action;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ecommerce::workflow::{GrantRequest, Status, Step};
use kernel::Money;
use serde::Deserialize;
use store::subsidy::Document;

use super::views::{AssessView, explanation_lines};
use super::yuan;
use crate::AppState;
use crate::auth::{Authed, Session};
use crate::display::filters;
use crate::error::AppError;
use crate::form::{FormData, FormErrors};
use crate::query::Lenient;
use crate::render::{Page, Pager, html};

/// One row of the application list.
pub struct AppRow {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub town: String,
    pub year: i64,
    pub status: &'static str,
    pub total: Money,
    pub submitted_at: String,
}

/// A filter option (status, town): its code, label and whether chosen.
pub struct Choice {
    pub code: String,
    pub label: String,
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
    statuses: Vec<Choice>,
    towns: Vec<Choice>,
    year: String,
    q: String,
    apps: Vec<AppRow>,
    pager: Pager,
    /// The query of the list without its page, for the export links.
    query: String,
    /// Parameters that did not fit, said in Chinese.
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    pub status: Option<String>,
    pub year: Option<i64>,
    pub town: Option<String>,
    pub q: Option<String>,
    pub page: Option<i64>,
    /// `csv` or `xlsx`: the filtered list as a file.
    pub format: Option<String>,
}

const PER_PAGE: i64 = 50;

/// The labels of the query parameters, for the notice about those dropped.
fn param_label(key: &str) -> &str {
    match key {
        "year" => "年度（应为数字，如 2023）",
        "page" => "页码（应为数字）",
        "status" => "状态",
        _ => "参数",
    }
}

pub(super) async fn index(State(state): State<AppState>, Authed(s): Authed, q: Lenient<ListQuery>) -> Result<Response, AppError> {
    let mut ignored: Vec<&str> = q.ignored.iter().map(|k| param_label(k)).collect();
    let q = q.value;
    let status = q.status.as_deref().filter(|x| !x.is_empty()).and_then(|code| {
        let parsed = code.parse::<Status>().ok();
        if parsed.is_none() {
            ignored.push("状态");
        }
        parsed
    });
    let applications = s.can(&state, Action::SubsidyApplicationsRead);
    let mut all = if applications { app::subsidy::review::list(&state, &s.actor, status, q.year).await? } else { Vec::new() };
    let town = q.town.clone().filter(|t| !t.is_empty());
    let needle = q.q.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string);
    all.retain(|a| {
        town.as_deref().is_none_or(|t| a.town == t)
            && needle.as_deref().is_none_or(|n| a.name.contains(n) || a.uscc.contains(&n.to_uppercase()))
    });
    let rows: Vec<AppRow> = all
        .into_iter()
        .map(|a| AppRow {
            id: a.id,
            name: a.name,
            uscc: a.uscc,
            town: a.town,
            year: a.year,
            status: a.status.label(),
            total: a.assessment.total_fen,
            submitted_at: a.submitted_at.unwrap_or_default(),
        })
        .collect();
    let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let query = format!(
        "status={}&year={}&town={}&q={}",
        status.map(|x| x.as_str()).unwrap_or(""),
        q.year.map(|y| y.to_string()).unwrap_or_default(),
        enc(town.as_deref().unwrap_or("")),
        enc(needle.as_deref().unwrap_or(""))
    );
    if let Some(format) = q.format.as_deref().filter(|_| applications) {
        return Ok(export_list(format, &rows));
    }
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let pager = Pager::new(total, q.page.unwrap_or(1), PER_PAGE, format!("/subsidy?{query}&"));
    let skip = usize::try_from((pager.page - 1) * PER_PAGE).unwrap_or(0);
    let apps = rows.into_iter().skip(skip).take(PER_PAGE as usize).collect();
    let own = s.can(&state, Action::SubsidyDeclare).then(|| app::subsidy::declare::own_enterprise(&state, &s.actor)).transpose()?;
    let (enterprise, documents) = match &own {
        Some(uscc) => (state.store.subsidy_enterprise(uscc).await?, app::subsidy::documents::list(&state, &s.actor, uscc).await?),
        None => (None, Vec::new()),
    };
    let towns = state
        .district
        .towns
        .iter()
        .map(|t| t.name.clone())
        .chain([state.district.development_zone.clone()])
        .map(|t| Choice { selected: town.as_deref() == Some(t.as_str()), label: t.clone(), code: t })
        .collect();
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
            .map(|st| Choice { code: st.as_str().into(), label: st.label().into(), selected: status == Some(*st) })
            .collect(),
        towns,
        year: q.year.map(|y| y.to_string()).unwrap_or_default(),
        q: needle.unwrap_or_default(),
        apps,
        pager,
        query,
        notice: (!ignored.is_empty()).then(|| format!("以下条件无法识别，已忽略：{}", ignored.join("、"))),
    }))
}

/// The filtered list as CSV or XLSX (every page).
fn export_list(format: &str, rows: &[AppRow]) -> Response {
    use crate::export::Cell;
    let headers = ["企业", "统一社会信用代码", "镇（街）", "年度", "状态", "测算金额（元）", "提交时间"];
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|a| {
            vec![
                Cell::Text(a.name.clone()),
                Cell::Text(a.uscc.clone()),
                Cell::Text(a.town.clone()),
                Cell::Int(a.year),
                Cell::Text(a.status.to_string()),
                Cell::Money(a.total),
                Cell::Text(crate::display::time(&a.submitted_at)),
            ]
        })
        .collect();
    if format == "xlsx" {
        crate::export::xlsx_response("扶持资金申请.xlsx", "扶持资金申请", &headers, &cells)
    } else {
        crate::export::csv_response("扶持资金申请.csv", &headers, &cells)
    }
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
    /// What was typed into a rejected form, and what is wrong with it.
    data: FormData,
    errors: FormErrors,
}

impl ApplicationPage {
    /// The typed value of `name`, or `default` when the form is fresh.
    fn typed<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        if self.errors.is_empty() { default } else { self.data.get(name) }
    }
    fn granted_name(&self, article: &u8) -> String {
        format!("granted:{article}")
    }
    fn reason_name(&self, article: &u8) -> String {
        format!("reason:{article}")
    }
    fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name)
    }
}

async fn application_page(state: &AppState, s: &Session, id: i64, data: FormData, errors: FormErrors) -> Result<Response, AppError> {
    let d = app::subsidy::review::application(state, &s.actor, id).await?;
    let a = &d.application;
    let may = |step: Step| {
        app::subsidy::review::may_step(state, &s.actor, &a.uscc, step) && ecommerce::workflow::next(Some(a.status), step, "-").is_ok()
    };
    let reviewer = app::subsidy::review::may_step(state, &s.actor, &a.uscc, Step::Approve);
    let rejected = !errors.is_empty();
    let mut r = html(&ApplicationPage {
        page: Page::new(&format!("{} {}年度扶持资金申请", a.name, a.year), Some(s)),
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
        data,
        errors,
    });
    if rejected {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

pub(super) async fn application(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    application_page(&state, &s, id, FormData::default(), FormErrors::default()).await
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/subsidy/applications/{id}")).into_response()
}

/// The page after a step: back to the application, or the page again with
/// what was typed and the error at its field when the step was refused.
async fn after(state: &AppState, s: &Session, id: i64, data: FormData, outcome: Result<(), AppError>) -> Result<Response, AppError> {
    match outcome {
        Ok(()) => Ok(back(id)),
        // Taken meanwhile or already done: a conflict, not a form to correct.
        Err(e @ (AppError::Field { .. } | AppError::BadRequest(_))) => {
            application_page(state, s, id, data, FormErrors::from_error(e)?).await
        }
        Err(e) => Err(e),
    }
}

/// Review actions: `action` = start | approve | return | reject (| pay, which
/// the use case refuses to the reviewer: payment is 区财政局's duty).
pub(super) async fn review(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let outcome = review_step(&state, &s, id, &f).await;
    after(&state, &s, id, f, outcome).await
}

async fn review_step(state: &AppState, s: &Session, id: i64, f: &FormData) -> Result<(), AppError> {
    let note = f.get("note").trim().to_string();
    let action = f.get("action");
    let step: Step = action
        .parse()
        .map_err(|_| AppError::Field { field: "action".into(), message: format!("未知操作 {}", kernel::echo(action)) })?;
    match step {
        Step::Approve => {
            let mut requests = Vec::new();
            let mut errors = Vec::new();
            for article in f.names().iter().filter_map(|k| k.strip_prefix("granted:")) {
                let Ok(article) = article.parse::<u8>() else { continue };
                let name = format!("granted:{article}");
                let granted = match f.get(&name).trim() {
                    "" => None,
                    g => match Money::parse_yuan(g) {
                        Ok(m) => Some(m),
                        Err(e) => {
                            errors.push((name, format!("第{article}条核定金额：{e}")));
                            continue;
                        }
                    },
                };
                requests.push(GrantRequest { article, granted, reason: f.get(&format!("reason:{article}")).trim().to_string() });
            }
            if let Some((field, message)) = errors.into_iter().next() {
                return Err(AppError::Field { field, message });
            }
            app::subsidy::review::approve(state, &s.actor, id, &requests, &note).await?;
        }
        Step::Pay => pay_on(state, s, id, f).await?,
        other => app::subsidy::review::step(state, &s.actor, id, other, &note).await?,
    }
    Ok(())
}

async fn pay_on(state: &AppState, s: &Session, id: i64, f: &FormData) -> Result<(), AppError> {
    let raw = f.get("paid_on").trim();
    let day = if raw.is_empty() {
        state.today()
    } else {
        kernel::parse_date(raw).map_err(|e| AppError::Field { field: "paid_on".into(), message: format!("拨付日期：{e}") })?
    };
    Ok(app::subsidy::review::pay(state, &s.actor, id, day).await?)
}

/// 拨付 (区财政局).
pub(super) async fn pay(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>, f: FormData) -> Result<Response, AppError> {
    let outcome = pay_on(&state, &s, id, &f).await;
    after(&state, &s, id, f, outcome).await
}

pub(super) async fn clawback(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let outcome = async {
        let amount = Money::parse_yuan(f.get("amount").trim())
            .map_err(|e| AppError::Field { field: "amount".into(), message: format!("追回金额：{e}") })?;
        Ok::<_, AppError>(app::subsidy::review::clawback(&state, &s.actor, id, amount, f.get("reason").trim()).await?)
    }
    .await;
    match outcome {
        Ok(application) => Ok(back(application)),
        Err(e @ (AppError::Field { .. } | AppError::BadRequest(_))) => {
            let errors = FormErrors::from_error(e)?;
            let application = state.store.subsidy_award(id).await?.application_id;
            application_page(&state, &s, application, f, errors).await
        }
        Err(e) => Err(e),
    }
}
