//! Incidents: the list, the information report and its follow-ups (4.4(2)),
//! the incident page, response levels (1.6), the end (4.5.6) and recovery (4.6).

use std::collections::BTreeSet;

use app::emergency::incidents as uc;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use emergency::{IncidentStatus, ReportContent, ReportField, ResponseLevel, Rules, Severity};
use serde::Deserialize;
use store::emergency::{IncidentDetail, IncidentFilter, Resource};

use super::{FormPairs, back, rules};
use crate::AppState;
use crate::auth::{Authed, Session};
use crate::display::filters;
use crate::error::AppError;
use crate::form::{FormData, FormErrors};
use crate::query::Lenient;
use crate::render::{Page, Pager, html};

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    drill: Option<String>,
    status: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

const PER_PAGE: i64 = 50;

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// One row of the incident list.
struct IncidentRow {
    i: store::emergency::Incident,
    /// The level in force, or the engine's suggestion.
    level: String,
}

#[derive(Template)]
#[template(path = "emergency/index.html")]
struct Index {
    page: Page,
    drill: bool,
    incidents: Vec<IncidentRow>,
    counts: store::emergency::Counts,
    drill_counts: store::emergency::Counts,
    q: String,
    status: String,
    reminder: Option<String>,
    current_warnings: usize,
    /// Links to the district's pages (board, warnings, resources, plans).
    is_staff: bool,
    pager: Pager,
}

pub(super) async fn index(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<ListQuery>,
) -> Result<Response, AppError> {
    let drill = q.drill.as_deref() == Some("1");
    let status: Option<IncidentStatus> = q.status.as_deref().and_then(|x| x.parse().ok());
    let f = IncidentFilter { drill, status, q: q.q.clone(), ..Default::default() };
    let mut f = uc::scoped_filter(&state.app, &s.actor, f)?;
    let total = state.store.emergency_incident_count(&f).await?;
    let base = format!(
        "/emergency?drill={}&status={}&q={}&",
        if drill { "1" } else { "0" },
        status.map(|s| s.as_str()).unwrap_or(""),
        enc(q.q.as_deref().unwrap_or(""))
    );
    let pager = Pager::new(total, q.page.unwrap_or(1), PER_PAGE, base);
    f.limit = Some(PER_PAGE);
    f.offset = (pager.page - 1) * PER_PAGE;
    let incidents = state
        .store
        .emergency_incidents(&f)
        .await?
        .into_iter()
        .map(|i| {
            let level = i.response_level.map(|l| l.to_string()).unwrap_or_else(|| format!("建议{}", i.suggested_level));
            IncidentRow { i, level }
        })
        .collect();
    let is_staff = s.can(&state, access::Action::WarningRead) && f.town.is_none();
    // 4.6.3(2): every first quarter the lead departments evaluate last year's incidents.
    let today = state.today();
    let r = rules(&state)?;
    let (quarter, ev) = (&r.evaluation_quarter, &r.annual_evaluation);
    let reminder = if is_staff && r.evaluation_due(today) {
        let pending = state.store.emergency_unevaluated(today.year() - 1).await?;
        Some(format!(
            "第{}季度：请各牵头部门对{}年发生的突发事件进行评估，报{}并抄送{}（{}）。{}",
            quarter.value,
            today.year() - 1,
            ev.reported_to,
            ev.copied_to,
            quarter.citation,
            if pending.is_empty() {
                "上年已结束的事件均已有评估报告。".to_string()
            } else {
                format!("尚有 {} 起事件未填写评估报告。", pending.len())
            }
        ))
    } else if is_staff {
        Some(format!("年度评估：每年第{}季度对上年突发事件进行评估（{}）。", quarter.value, quarter.citation))
    } else {
        None
    };
    Ok(html(&Index {
        page: Page::new("应急管理", Some(&s)),
        drill,
        counts: state.store.emergency_counts(false).await?,
        drill_counts: state.store.emergency_counts(true).await?,
        incidents,
        q: q.q.unwrap_or_default(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        reminder,
        current_warnings: state.store.emergency_warnings(true).await?.len(),
        is_staff,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "emergency/report.html")]
struct ReportForm {
    page: Page,
    types: Vec<String>,
    towns: Vec<String>,
    fixed_town: Option<String>,
    severities: Vec<&'static str>,
    /// The report's fields as the policy lists them (4.4(2)).
    fields: Vec<ReportField>,
    /// What was typed into a refused report, and what is wrong with it.
    data: FormData,
    errors: FormErrors,
}

impl ReportForm {
    fn v(&self, name: &str) -> &str {
        self.data.get(name)
    }
    fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name)
    }
    fn ticked(&self, name: &str) -> bool {
        self.data.checked(name)
    }
}

async fn report_page(state: &AppState, s: &Session, data: FormData, errors: FormErrors) -> Result<Response, AppError> {
    let r = rules(state)?;
    let rejected = !errors.is_empty();
    let mut resp = html(&ReportForm {
        page: Page::new("报送突发事件信息", Some(s)),
        types: r.incident_types.iter().map(|t| t.name.clone()).collect(),
        towns: state.district.towns.iter().map(|t| t.name.clone()).chain([state.district.development_zone.clone()]).collect(),
        fixed_town: s.actor.town.clone(),
        severities: Severity::ALL.iter().rev().map(|g| g.chinese()).collect(),
        fields: r.report_fields.clone(),
        data,
        errors,
    });
    if rejected {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(resp)
}

pub(super) async fn report_form(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    report_page(&state, &s, FormData::default(), FormErrors::default()).await
}

/// The report's content from a form: the policy's fields, by the engine.
fn content(r: &Rules, f: &FormPairs) -> Result<ReportContent, AppError> {
    Ok(ReportContent::from_form(&r.report_fields, |k| f.value(k)).map_err(app::Error::from)?)
}

async fn first_report(state: &AppState, s: &Session, f: &FormData) -> Result<i64, AppError> {
    let incident_type = match f.get("incident_type") {
        "其他" => f.get("other_type").trim().to_string(),
        t => t.to_string(),
    };
    let severity = Severity::from_chinese(f.get("severity").trim())
        .ok_or_else(|| AppError::Field {
            field: "severity".into(), message: "初判分级应为 特别重大、重大、较大、一般 之一".into()
        })?;
    let r = rules(state)?;
    let content = ReportContent::from_form(&r.report_fields, |k| Some(f.get(k)).filter(|v| !v.is_empty())).map_err(app::Error::from)?;
    let input = uc::FirstReport {
        title: f.get("title").trim().to_string(),
        incident_type,
        severity,
        sensitive: f.checked("sensitive"),
        key_area_or_period: f.checked("key_area_or_period"),
        may_escalate: f.checked("may_escalate"),
        drill: f.checked("drill"),
        town: Some(f.get("town").to_string()).filter(|t| !t.is_empty()),
        content,
    };
    Ok(uc::file_report(&state.app, &s.actor, input).await?)
}

pub(super) async fn file_report(State(state): State<AppState>, Authed(s): Authed, f: FormData) -> Result<Response, AppError> {
    match first_report(&state, &s, &f).await {
        Ok(id) => Ok(back(id)),
        Err(e @ (AppError::Field { .. } | AppError::BadRequest(_))) => report_page(&state, &s, f, FormErrors::from_error(e)?).await,
        Err(e) => Err(e),
    }
}

pub(super) async fn follow_up(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let r = rules(&state)?;
    uc::follow_up(&state.app, &s.actor, id, content(&r, &FormPairs::parse(&body))?).await?;
    Ok(back(id))
}

/// A response level as the incident page offers it.
struct LevelRow {
    code: &'static str,
    /// Ⅲ级
    label: String,
    decided_by: String,
    led_by: String,
    /// Whether the user may decide it for this incident (1.6).
    may_decide: bool,
}

/// A working group of 3.5 offered for the command post.
struct GroupChoice {
    number: u32,
    name: String,
    members: String,
    duties: String,
}

#[derive(Template)]
#[template(path = "emergency/detail.html")]
struct Detail {
    page: Page,
    d: IncidentDetail,
    levels: Vec<LevelRow>,
    groups: Vec<GroupChoice>,
    can_command: bool,
    can_report: bool,
    can_end: bool,
    can_recover: bool,
    materials: Vec<Resource>,
    fields: Vec<ReportField>,
    /// 4.5.6 conditions, as the policy words them.
    end_conditions: Vec<String>,
}

impl Detail {
    fn active(&self) -> bool {
        self.d.incident.is_active()
    }
    fn level(&self) -> String {
        self.d.incident.response_level.map(|l| l.to_string()).unwrap_or_else(|| "未决定".into())
    }
    fn lvl(&self, l: &store::emergency::OptLevel) -> String {
        l.0.map(|l| l.to_string()).unwrap_or_else(|| "—".into())
    }
    fn explanation(&self) -> Vec<&str> {
        self.d.incident.explanation.lines().collect()
    }
    fn n(&self, v: &Option<u32>) -> String {
        v.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
    }
    /// 发生时间 as the first report that gave it states it (a follow-up may correct it).
    fn occurred(&self) -> String {
        self.d
            .reports
            .iter()
            .rev()
            .find_map(|r| r.content.occurred_at.as_ref())
            .map(|t| crate::display::time(t.as_str()))
            .unwrap_or_else(|| "未报".into())
    }
    fn when(&self, t: &Option<emergency::OffsetTime>) -> String {
        t.as_ref().map(|t| crate::display::time(t.as_str())).unwrap_or_default()
    }
    fn done_count(&self) -> usize {
        self.d.measures.iter().filter(|m| m.done_by.is_some()).count()
    }
    fn ended_conditions(&self) -> Vec<&str> {
        self.d.incident.end_conditions.lines().collect()
    }
}

pub(super) async fn detail(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (i, _) = uc::visible(&state.app, &s.actor, id).await?;
    let r = rules(&state)?;
    let levels = ResponseLevel::ALL
        .iter()
        .map(|&l| {
            let roles = r.level_roles(l);
            LevelRow {
                code: l.code(),
                label: l.to_string(),
                decided_by: uc::decider_of(&r, &i, l).1,
                led_by: roles.led_by.join("、"),
                may_decide: uc::may_decide(&state.app, &r, &s.actor, &i, l),
            }
        })
        .collect();
    let groups = r
        .working_groups
        .iter()
        .map(|g| GroupChoice { number: g.number, name: g.name.clone(), members: g.members.join("、"), duties: g.duties.clone() })
        .collect();
    let target = app::emergency::incident_target(&i);
    let can = |a: access::Action| state.app.may_on(&s.actor, a, &target).is_ok();
    let command = app::emergency::command::may_command(&state.app, &s.actor, &i);
    let materials = if command { state.store.emergency_resources(None, None).await? } else { Vec::new() };
    let d = state.store.emergency_incident_detail(id).await?;
    Ok(html(&Detail {
        page: Page::new(&d.incident.title, Some(&s)),
        levels,
        groups,
        can_command: command,
        can_report: can(access::Action::EmergencyReportFile),
        can_end: can(access::Action::EmergencyEnd),
        can_recover: can(access::Action::EmergencyRecovery),
        materials,
        fields: r.report_fields.clone(),
        end_conditions: r.ending.conditions.clone(),
        d,
    }))
}

#[derive(Deserialize)]
pub(super) struct LevelForm {
    level: String,
    reason: String,
}

pub(super) async fn set_level(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<LevelForm>,
) -> Result<Response, AppError> {
    let level = ResponseLevel::from_code(&f.level)
        .ok_or_else(|| AppError::Field {
            field: "level".into(), message: format!("响应级别“{}”不正确", kernel::echo(&f.level))
        })?;
    uc::set_level(&state.app, &s.actor, id, level, &f.reason).await?;
    Ok(back(id))
}

/// 4.5.6: the conditions confirmed are checkboxes `condition` = index in the policy.
pub(super) async fn end(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let f = FormPairs::parse(&body);
    let confirmed: BTreeSet<usize> = f.all("condition").iter().filter_map(|v| v.parse().ok()).collect();
    uc::end(&state.app, &s.actor, id, &confirmed, &f.get("note")).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
pub(super) struct RecoveryForm {
    aftermath: String,
    evaluation: String,
    recovery: String,
}

pub(super) async fn recovery(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<RecoveryForm>,
) -> Result<Response, AppError> {
    uc::recovery(&state.app, &s.actor, id, &f.aftermath, &f.evaluation, &f.recovery).await?;
    Ok(back(id))
}

/// Whether the session's scope is the whole district (the board, the staff links).
pub(super) fn district_wide(state: &AppState, s: &Session) -> bool {
    uc::scoped_filter(&state.app, &s.actor, IncidentFilter::default()).is_ok_and(|f| f.town.is_none() && f.village.is_none())
}
