//! 突发事件应急管理 (山亭区突发事件总体应急预案, 山政发〔2022〕8号): information
//! reports and follow-ups, incidents routed by the annex, response levels
//! decided only by the role the plan names, the on-site command post, warnings
//! published as CAP 1.2 with an Atom feed, resources, plans, a live board.
//!
//! Who may do what:
//! - towns and village agents (grid workers) file reports for their own town and
//!   see the incidents of their town (agents: only those they filed);
//! - bureau users and administrators see every incident;
//! - the response level is decided, raised or lowered by the role 1.6 names for
//!   the new level: 区政府 and 区政府分管负责同志 act through an administrator
//!   account, 牵头部门 through a bureau user of one of the incident's lead
//!   departments;
//! - the command body's work (command post, measures, releases, ending) is done
//!   by administrators, the emergency bureau (区应急管理局, which does the
//!   district committee's daily work) and the lead departments;
//! - warnings are drafted by bureau users, approved by 区政府 (administrator),
//!   and issued, adjusted and lifted by an administrator or the emergency bureau.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use emergency::{MsgType, OffsetTime, ResponseLevel, Rules, Status};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use store::Role;
use store::emergency::{
    Adjustment, CapMessage, Group, Incident, IncidentDetail, IncidentFilter, NewIncident, Plan, PlanDrill, PlanRevision, Publication,
    Report, Resource, Warning, WarningDetail,
};

use crate::AppState;
use crate::auth::{Authed, Session};
use crate::error::{ApiError, AppError};
use crate::render::{Page, Pager, escape, html};

/// The district emergency management bureau (区应急管理局).
pub const BUREAU: &str = "区应急管理局";
/// CAP `<sender>` of the district's warnings.
pub const SENDER: &str = "yjj@shanting.gov.cn";
const FEED_PATH: &str = "/alerts/feed.atom";
const FEED_ID: &str = "tag:shanting.gov.cn,2022:alerts";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/emergency", get(index))
        .route("/emergency/report", get(report_form).post(file_report))
        .route("/emergency/incidents/{id}", get(detail))
        .route("/emergency/incidents/{id}/followup", post(follow_up))
        .route("/emergency/incidents/{id}/level", post(set_level))
        .route("/emergency/incidents/{id}/city", post(city_reported))
        .route("/emergency/incidents/{id}/post", post(open_post))
        .route("/emergency/incidents/{id}/groups/{n}", post(set_group))
        .route("/emergency/incidents/{id}/measures/{n}", post(tick_measure))
        .route("/emergency/incidents/{id}/release", post(release))
        .route("/emergency/incidents/{id}/state", post(request_state))
        .route("/emergency/incidents/{id}/end", post(end))
        .route("/emergency/incidents/{id}/recovery", post(recovery))
        .route("/emergency/incidents/{id}/assign", post(assign))
        .route("/emergency/warnings", get(warnings).post(create_warning))
        .route("/emergency/warnings/{id}", get(warning_detail))
        .route("/emergency/warnings/{id}/{action}", post(warning_action))
        .route("/emergency/warnings/{id}/measures/{n}", post(tick_warning_measure))
        .route("/emergency/resources", get(resources).post(add_resource))
        .route("/emergency/plans", get(plans).post(add_plan))
        .route("/emergency/plans/{id}/{action}", post(plan_action))
        .route("/emergency/board", get(board))
        .route("/emergency/board/events", get(board_events))
        .route("/alerts/feed.atom", get(feed))
        .route("/alerts/{file}", get(cap_file))
        .route("/api/v1/emergency/assess", post(api_assess))
        .route("/api/v1/emergency/cap", post(api_cap))
        .route("/api/v1/emergency/incidents", get(api_incidents))
}

// ------------------------------------------------------------------ helpers

fn rules(state: &AppState) -> Result<Rules, AppError> {
    Rules::load(&state.params, store::today()).map_err(|e| AppError::Internal(e.to_string()))
}

fn is_bureau_of(s: &Session, dept: &str) -> bool {
    s.user.role == Role::Bureau && s.user.department.as_deref() == Some(dept)
}

fn leads_of(i: &Incident) -> Vec<String> {
    i.lead_departments.split('、').filter(|x| !x.is_empty()).map(str::to_string).collect()
}

fn in_lead(s: &Session, i: &Incident) -> bool {
    s.user.role == Role::Bureau && s.user.department.as_deref().is_some_and(|d| leads_of(i).iter().any(|l| l == d))
}

/// The command body's work: administrators, the emergency bureau, the lead departments.
fn can_command(s: &Session, i: &Incident) -> bool {
    s.user.role == Role::Admin || is_bureau_of(s, BUREAU) || in_lead(s, i)
}

fn require_command(s: &Session, i: &Incident) -> Result<(), AppError> {
    if can_command(s, i) {
        Ok(())
    } else {
        Err(AppError::Forbidden("只有指挥机构（区政府、区应急管理局、牵头部门）可以办理".into()))
    }
}

/// Whether the user acts for the role 1.6 names as deciding a level.
fn acts_as(s: &Session, decided_by: &str, i: &Incident) -> bool {
    match decided_by {
        "区政府" | "区政府分管负责同志" => s.user.role == Role::Admin,
        // A type outside the annex has no lead until 区政府 designates one (3.2).
        "牵头部门" => in_lead(s, i) || (leads_of(i).is_empty() && s.user.role == Role::Admin),
        _ => false,
    }
}

fn can_see(s: &Session, i: &Incident) -> bool {
    match s.user.role {
        Role::Admin | Role::Bureau => true,
        Role::Town => s.user.town.as_deref() == Some(i.town.as_str()),
        Role::Village => i.created_by == s.user.username,
        Role::Enterprise => false,
    }
}

fn require_read(s: &Session) -> Result<(), AppError> {
    s.require(&[Role::Admin, Role::Bureau, Role::Town, Role::Village])
}

fn require_warnings(s: &Session) -> Result<(), AppError> {
    if s.user.role == Role::Admin || is_bureau_of(s, BUREAU) {
        Ok(())
    } else {
        Err(AppError::Forbidden("只有区政府或区应急管理局可以发布、调整、解除预警".into()))
    }
}

async fn incident_for(state: &AppState, s: &Session, id: i64) -> Result<Incident, AppError> {
    let i = state.store.emergency_incident(id).await?;
    if !can_see(s, &i) {
        return Err(AppError::Forbidden("无权查看该事件".into()));
    }
    Ok(i)
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/emergency/incidents/{id}")).into_response()
}

fn level_label(code: &str) -> String {
    ResponseLevel::from_code(code).map(|l| format!("{}级", l.numeral())).unwrap_or_else(|| code.to_string())
}

fn now_cap() -> String {
    OffsetTime::from_timestamp(jiff::Timestamp::now()).as_str().to_string()
}

/// A `datetime-local` value (or a full RFC 3339 time) in CAP form at UTC+8.
fn form_time(field: &str, s: &str) -> Result<Option<String>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let full = match s.len() {
        16 => format!("{s}:00+08:00"),
        19 => format!("{s}+08:00"),
        _ => s.to_string(),
    };
    full.parse::<OffsetTime>().map(|t| Some(t.as_str().to_string())).map_err(|e| AppError::BadRequest(format!("{field}：{e}")))
}

fn count(field: &str, s: &Option<String>) -> Result<Option<i64>, AppError> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => {
            t.parse::<u32>().map(|n| Some(i64::from(n))).map_err(|_| AppError::BadRequest(format!("{field}应为非负整数，得到“{t}”")))
        }
    }
}

fn text(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
}

// ------------------------------------------------------------------ index

#[derive(Deserialize, Default)]
struct ListQuery {
    drill: Option<String>,
    status: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

const PER_PAGE: i64 = 50;

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "emergency/index.html")]
struct Index {
    page: Page,
    drill: bool,
    incidents: Vec<Incident>,
    counts: store::emergency::Counts,
    drill_counts: store::emergency::Counts,
    q: String,
    status: String,
    reminder: Option<String>,
    current_warnings: usize,
    is_staff: bool,
    pager: Pager,
}

impl Index {
    fn level(&self, i: &Incident) -> String {
        i.response_level.as_deref().map(level_label).unwrap_or_else(|| format!("建议{}", level_label(&i.suggested_level)))
    }
}

fn scope_filter(s: &Session, f: &mut IncidentFilter) {
    match s.user.role {
        Role::Town => f.town = s.user.town.clone(),
        Role::Village => f.created_by = Some(s.user.username.clone()),
        _ => {}
    }
}

async fn index(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    require_read(&s)?;
    let drill = q.drill.as_deref() == Some("1");
    let status = q.status.clone().filter(|x| x == "active" || x == "ended");
    let mut f = IncidentFilter { drill, status: status.clone(), q: q.q.clone(), ..Default::default() };
    scope_filter(&s, &mut f);
    let total = state.store.emergency_incident_count(&f).await?;
    let base = format!(
        "/emergency?drill={}&status={}&q={}&",
        if drill { "1" } else { "0" },
        status.as_deref().unwrap_or(""),
        enc(q.q.as_deref().unwrap_or(""))
    );
    let pager = Pager::new(total, q.page.unwrap_or(1), PER_PAGE, base);
    f.limit = Some(PER_PAGE);
    f.offset = (pager.page - 1) * PER_PAGE;
    let incidents = state.store.emergency_incidents(&f).await?;
    let is_staff = s.is(&[Role::Admin, Role::Bureau]);
    // 4.6: every first quarter the lead departments evaluate last year's incidents.
    let today = store::today();
    let quarter = rules(&state)?.evaluation_quarter;
    let reminder = if is_staff && (i64::from(today.month()) - 1) / 3 + 1 == quarter.value {
        let pending = state.store.emergency_unevaluated(today.year() - 1).await?;
        Some(format!(
            "第{}季度：请各牵头部门对{}年发生的突发事件进行评估，报区政府并抄送区应急管理局（{}）。{}",
            quarter.value,
            today.year() - 1,
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
        status: status.unwrap_or_default(),
        reminder,
        current_warnings: state.store.emergency_warnings(true).await?.len(),
        is_staff,
        pager,
    }))
}

// ------------------------------------------------------------------ reports

#[derive(Template)]
#[template(path = "emergency/report.html")]
struct ReportForm {
    page: Page,
    types: Vec<String>,
    towns: Vec<String>,
    fixed_town: Option<String>,
    fields: Vec<(String, String, String)>,
}

async fn report_form(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    require_read(&s)?;
    let r = rules(&state)?;
    Ok(html(&ReportForm {
        page: Page::new("报送突发事件信息", Some(&s)),
        types: r.incident_types.iter().map(|t| t.name.clone()).collect(),
        towns: state.district.towns.iter().map(|t| t.name.clone()).chain([state.district.development_zone.clone()]).collect(),
        fixed_town: s.user.town.clone(),
        fields: r.report_fields.iter().map(|f| (f.name.clone(), f.label.clone(), f.kind.clone())).collect(),
    }))
}

/// The form of an information report or a follow-up (4.4(2)).
#[derive(Deserialize, Default)]
struct ReportFields {
    occurred_at: Option<String>,
    place: Option<String>,
    town: Option<String>,
    source: Option<String>,
    nature: Option<String>,
    course: Option<String>,
    impact_scope: Option<String>,
    environmental_impact: Option<String>,
    deaths: Option<String>,
    injured: Option<String>,
    missing: Option<String>,
    houses_collapsed: Option<String>,
    houses_damaged: Option<String>,
    infrastructure_damage: Option<String>,
    rescue_status: Option<String>,
    measures_taken: Option<String>,
}

impl ReportFields {
    fn to_report(&self, kind: &str, s: &Session, town: &str) -> Result<Report, AppError> {
        Ok(Report {
            kind: kind.into(),
            reporter: s.user.username.clone(),
            reporter_unit: [&s.user.department, &s.user.town, &s.user.village]
                .iter()
                .filter_map(|x| x.as_deref())
                .collect::<Vec<_>>()
                .join(" ")
                .or_default(&s.user.display_name),
            occurred_at: form_time("发生时间", self.occurred_at.as_deref().unwrap_or(""))?,
            place: text(&self.place),
            town: Some(town.to_string()),
            source: text(&self.source),
            nature: text(&self.nature),
            course: text(&self.course),
            impact_scope: text(&self.impact_scope),
            environmental_impact: text(&self.environmental_impact),
            deaths: count("死亡人数", &self.deaths)?,
            injured: count("受伤人数", &self.injured)?,
            missing: count("失踪人数", &self.missing)?,
            houses_collapsed: count("倒塌房屋", &self.houses_collapsed)?,
            houses_damaged: count("损坏房屋", &self.houses_damaged)?,
            infrastructure_damage: text(&self.infrastructure_damage),
            rescue_status: text(&self.rescue_status),
            measures_taken: text(&self.measures_taken),
            ..Default::default()
        })
    }
}

trait OrDefault {
    fn or_default(self, d: &str) -> String;
}

impl OrDefault for String {
    fn or_default(self, d: &str) -> String {
        if self.is_empty() { d.to_string() } else { self }
    }
}

/// The report in the engine's JSON contract, so the page and the CLI route alike.
fn engine_report(incident_type: &str, severity: &str, flags: [bool; 3], r: &Report) -> Result<emergency::InformationReport, AppError> {
    let v = serde_json::json!({
        "incident_type": incident_type, "severity": severity,
        "sensitive": flags[0], "key_area_or_period": flags[1], "may_escalate": flags[2],
        "occurred_at": r.occurred_at, "place": r.place, "town": r.town, "source": r.source, "nature": r.nature, "course": r.course,
        "impact_scope": r.impact_scope, "environmental_impact": r.environmental_impact,
        "deaths": r.deaths, "injured": r.injured, "missing": r.missing, "houses_collapsed": r.houses_collapsed, "houses_damaged": r.houses_damaged,
        "infrastructure_damage": r.infrastructure_damage, "rescue_status": r.rescue_status, "measures_taken": r.measures_taken,
    });
    emergency::parse_report(&v.to_string()).map_err(|e| AppError::BadRequest(e.to_string()))
}

#[derive(Deserialize)]
struct FileReportForm {
    title: String,
    incident_type: String,
    other_type: Option<String>,
    severity: String,
    sensitive: Option<String>,
    key_area_or_period: Option<String>,
    may_escalate: Option<String>,
    drill: Option<String>,
    #[serde(flatten)]
    fields: ReportFieldsForm,
}

/// `serde(flatten)` over form data sees only strings: keep every field a string.
#[derive(Deserialize, Default)]
struct ReportFieldsForm {
    occurred_at: Option<String>,
    place: Option<String>,
    town: Option<String>,
    source: Option<String>,
    nature: Option<String>,
    course: Option<String>,
    impact_scope: Option<String>,
    environmental_impact: Option<String>,
    deaths: Option<String>,
    injured: Option<String>,
    missing: Option<String>,
    houses_collapsed: Option<String>,
    houses_damaged: Option<String>,
    infrastructure_damage: Option<String>,
    rescue_status: Option<String>,
    measures_taken: Option<String>,
}

impl From<ReportFieldsForm> for ReportFields {
    fn from(f: ReportFieldsForm) -> Self {
        ReportFields {
            occurred_at: f.occurred_at,
            place: f.place,
            town: f.town,
            source: f.source,
            nature: f.nature,
            course: f.course,
            impact_scope: f.impact_scope,
            environmental_impact: f.environmental_impact,
            deaths: f.deaths,
            injured: f.injured,
            missing: f.missing,
            houses_collapsed: f.houses_collapsed,
            houses_damaged: f.houses_damaged,
            infrastructure_damage: f.infrastructure_damage,
            rescue_status: f.rescue_status,
            measures_taken: f.measures_taken,
        }
    }
}

/// Route a first report with the engine and record the incident.
#[allow(clippy::too_many_arguments)] // the report's routing facts, each its own form field
async fn record_report(
    state: &AppState,
    s: &Session,
    title: &str,
    incident_type: &str,
    severity: &str,
    flags: [bool; 3],
    drill: bool,
    fields: ReportFields,
) -> Result<i64, AppError> {
    let town = match s.user.role {
        Role::Town | Role::Village => s.user.town.clone().unwrap_or_default(),
        _ => fields.town.clone().unwrap_or_default(),
    };
    if !state.district.is_area(&town) {
        return Err(AppError::BadRequest(format!("“{town}”不是本区的镇（街）或{}", state.district.development_zone)));
    }
    let mut report = fields.to_report("initial", s, &town)?;
    let r = rules(state)?;
    let a = emergency::assess(&r, &engine_report(incident_type, severity, flags, &report)?);
    report.missing_fields = missing_labels(&r, &a.missing_fields);
    let measures =
        a.checklist.as_deref().and_then(|k| r.checklists.iter().find(|c| c.key == k)).map(|c| c.items.clone()).unwrap_or_default();
    let n = NewIncident {
        title: title.trim().to_string(),
        incident_type: a.incident_type.clone(),
        category: a.category.clone(),
        severity: severity.to_string(),
        town: town.clone(),
        place: report.place.clone().unwrap_or_default(),
        occurred_at: report.occurred_at.clone(),
        sensitive: flags[0],
        key_area_or_period: flags[1],
        may_escalate: flags[2],
        lead_departments: a.lead_departments.clone(),
        command_body: a.command_body.clone(),
        needs_designation: a.needs_designation,
        checklist: a.checklist.clone(),
        suggested_level: a.response_level.code().to_string(),
        suggested_decided_by: a.decided_by.clone(),
        report_to_city: a.report_to_city,
        skip_level_report: a.skip_level_report,
        explanation: a.explanation.clone(),
        drill,
        measures,
    };
    Ok(state.store.emergency_create_incident(&s.user.username, &n, &report).await?)
}

fn missing_labels(r: &Rules, names: &[String]) -> String {
    names
        .iter()
        .map(|n| r.report_fields.iter().find(|f| &f.name == n).map(|f| f.label.clone()).unwrap_or_else(|| n.clone()))
        .collect::<Vec<_>>()
        .join("、")
}

async fn file_report(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<FileReportForm>,
) -> Result<Response, AppError> {
    require_read(&s)?;
    let kind = match f.incident_type.as_str() {
        "其他" => f.other_type.as_deref().map(str::trim).unwrap_or("").to_string(),
        t => t.to_string(),
    };
    if kind.is_empty() {
        return Err(AppError::BadRequest("请选择或填写事件类别".into()));
    }
    let flags = [f.sensitive.is_some(), f.key_area_or_period.is_some(), f.may_escalate.is_some()];
    let id = record_report(&state, &s, &f.title, &kind, &f.severity, flags, f.drill.is_some(), f.fields.into()).await?;
    Ok(back(id))
}

async fn follow_up(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ReportFieldsForm>,
) -> Result<Response, AppError> {
    require_read(&s)?;
    let i = incident_for(&state, &s, id).await?;
    let fields: ReportFields = f.into();
    let mut report = fields.to_report("followup", &s, &i.town)?;
    let r = rules(&state)?;
    let a =
        emergency::assess(&r, &engine_report(&i.incident_type, &i.severity, [i.sensitive, i.key_area_or_period, i.may_escalate], &report)?);
    report.missing_fields = missing_labels(&r, &a.missing_fields);
    state.store.emergency_add_report(&s.user.username, id, &report).await?;
    Ok(back(id))
}

// ------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "emergency/detail.html")]
struct Detail {
    page: Page,
    d: IncidentDetail,
    /// (code, label, decided_by, led_by, may I decide it)
    levels: Vec<(String, String, String, String, bool)>,
    groups: Vec<(u32, String, String, String)>,
    can_command: bool,
    can_report: bool,
    materials: Vec<Resource>,
    fields: Vec<(String, String, String)>,
}

impl Detail {
    fn level(&self) -> String {
        self.d.incident.response_level.as_deref().map(level_label).unwrap_or_else(|| "未决定".into())
    }
    fn suggested(&self) -> String {
        level_label(&self.d.incident.suggested_level)
    }
    fn lvl(&self, code: &Option<String>) -> String {
        code.as_deref().map(level_label).unwrap_or_else(|| "—".into())
    }
    fn code(&self, code: &str) -> String {
        level_label(code)
    }
    fn explanation(&self) -> Vec<&str> {
        self.d.incident.explanation.lines().collect()
    }
    fn n(&self, v: &Option<i64>) -> String {
        v.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
    }
    fn done_count(&self) -> usize {
        self.d.measures.iter().filter(|m| m.done_by.is_some()).count()
    }
}

async fn detail(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    require_read(&s)?;
    let i = incident_for(&state, &s, id).await?;
    let r = rules(&state)?;
    let levels = ResponseLevel::ALL
        .iter()
        .map(|l| {
            let (by, led) = emergency::level_roles(&r, *l);
            (l.code().to_string(), format!("{}级", l.numeral()), by.to_string(), led.join("、"), acts_as(&s, by, &i))
        })
        .collect();
    let groups = r.working_groups.iter().map(|g| (g.number, g.name.clone(), g.members.join("、"), g.duties.clone())).collect();
    let command = can_command(&s, &i);
    let materials = if command { state.store.emergency_resources(None, None).await? } else { Vec::new() };
    let d = state.store.emergency_incident_detail(id).await?;
    Ok(html(&Detail {
        page: Page::new(&d.incident.title, Some(&s)),
        levels,
        groups,
        can_command: command,
        can_report: s.user.role != Role::Enterprise,
        materials,
        fields: r.report_fields.iter().map(|f| (f.name.clone(), f.label.clone(), f.kind.clone())).collect(),
        d,
    }))
}

#[derive(Deserialize)]
struct LevelForm {
    level: String,
    reason: String,
}

async fn set_level(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<LevelForm>,
) -> Result<Response, AppError> {
    require_read(&s)?;
    let i = incident_for(&state, &s, id).await?;
    let level = ResponseLevel::from_code(&f.level).ok_or_else(|| AppError::BadRequest(format!("响应级别“{}”不正确", f.level)))?;
    let r = rules(&state)?;
    let (by, _) = emergency::level_roles(&r, level);
    if !acts_as(&s, by, &i) {
        return Err(AppError::Forbidden(format!("{}级响应由{}决定（{} 1.6）", level.numeral(), by, r.document)));
    }
    state.store.emergency_set_level(&s.user.username, id, level.code(), by, &f.reason).await?;
    Ok(back(id))
}

async fn city_reported(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    require_command(&s, &i)?;
    state.store.emergency_mark_city_reported(&s.user.username, id).await?;
    Ok(back(id))
}

async fn open_post(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    require_command(&s, &i)?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let r = rules(&state)?;
    let chosen: Vec<u32> = pairs.iter().filter(|(k, _)| k == "group").filter_map(|(_, v)| v.parse().ok()).collect();
    let groups: Vec<Group> = r.working_groups.iter().filter(|g| chosen.contains(&g.number)).map(post_group).collect();
    state.store.emergency_open_post(&s.user.username, id, &get("commander"), &get("location"), &groups).await?;
    Ok(back(id))
}

/// A working group of 3.5 as the command post records it.
fn post_group(g: &emergency::WorkingGroup) -> Group {
    Group {
        number: i64::from(g.number),
        name: g.name.clone(),
        members: g.members.iter().chain(g.other_members.iter()).cloned().collect::<Vec<_>>().join("、"),
        leader: g.lead.clone().unwrap_or_default(),
        tasks: g.duties.clone(),
    }
}

#[derive(Deserialize)]
struct GroupForm {
    leader: String,
    tasks: String,
}

async fn set_group(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, n)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<GroupForm>,
) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    require_command(&s, &i)?;
    state.store.emergency_set_group(&s.user.username, id, n, &f.leader, &f.tasks).await?;
    Ok(back(id))
}

async fn tick_measure(State(state): State<AppState>, Authed(s): Authed, Path((id, n)): Path<(i64, i64)>) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    require_command(&s, &i)?;
    state.store.emergency_tick_measure(&s.user.username, id, n).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct ReleaseForm {
    title: String,
    content: String,
}

async fn release(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ReleaseForm>,
) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    // 4.5.4: only the command body releases information on the incident.
    require_command(&s, &i)?;
    let body = i.command_body.clone().ok_or_else(|| AppError::BadRequest("尚未指定专项指挥机构，不能发布信息（3.2）".into()))?;
    state.store.emergency_release(&s.user.username, id, &body, &f.title, &f.content).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct StateForm {
    request: String,
}

async fn request_state(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<StateForm>,
) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    require_command(&s, &i)?;
    state.store.emergency_request_state(&s.user.username, id, &f.request).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct EndForm {
    onsite_done: Option<String>,
    no_secondary: Option<String>,
    experts_agree: Option<String>,
    note: Option<String>,
}

async fn end(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<EndForm>,
) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    require_command(&s, &i)?;
    state
        .store
        .emergency_end(
            &s.user.username,
            id,
            f.onsite_done.is_some(),
            f.no_secondary.is_some(),
            f.experts_agree.is_some(),
            f.note.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct RecoveryForm {
    aftermath: String,
    evaluation: String,
    recovery: String,
}

async fn recovery(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<RecoveryForm>,
) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    require_command(&s, &i)?;
    state.store.emergency_set_recovery(&s.user.username, id, &f.aftermath, &f.evaluation, &f.recovery).await?;
    Ok(back(id))
}

#[derive(Deserialize)]
struct AssignForm {
    resource: i64,
    quantity: Option<String>,
}

async fn assign(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AssignForm>,
) -> Result<Response, AppError> {
    let i = incident_for(&state, &s, id).await?;
    require_command(&s, &i)?;
    let qty = count("数量", &f.quantity)?.unwrap_or(0);
    state.store.emergency_assign(&s.user.username, id, f.resource, qty).await?;
    Ok(back(id))
}

// ------------------------------------------------------------------ warnings

fn level_name(r: &Rules, level: i64) -> String {
    u8::try_from(level)
        .ok()
        .and_then(|l| r.warning_level(l))
        .map(|w| format!("{}（{}预警）", w.label, w.colour))
        .unwrap_or_else(|| level.to_string())
}

fn state_label(s: &str) -> &'static str {
    match s {
        "draft" => "草稿",
        "approved" => "已审批",
        "issued" => "已发布",
        "adjusted" => "已调整",
        "lifted" => "已解除",
        _ => "",
    }
}

pub const CHANNELS: &[&str] = &["广播", "电视", "报刊", "通信（短信）", "互联网", "警报器", "宣传车", "大喇叭", "组织人员逐户通知"];
pub const TARGETED: &[&str] = &["老、幼、病、残、孕等特殊人群"];
pub const PLACES: &[&str] = &["学校", "养老院", "福利院", "警报盲区"];

#[derive(Template)]
#[template(path = "emergency/warnings.html")]
struct Warnings {
    page: Page,
    warnings: Vec<Warning>,
    types: Vec<String>,
    areas: Vec<String>,
    levels: Vec<(u8, String)>,
    channels: &'static [&'static str],
    targeted: &'static [&'static str],
    places: &'static [&'static str],
    can_draft: bool,
}

impl Warnings {
    fn state(&self, s: &str) -> &'static str {
        state_label(s)
    }
}

async fn warnings(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau])?;
    let r = rules(&state)?;
    Ok(html(&Warnings {
        page: Page::new("预警信息", Some(&s)),
        warnings: state.store.emergency_warnings(false).await?,
        types: r.incident_types.iter().map(|t| t.name.clone()).collect(),
        areas: areas(&state),
        levels: r.warning_levels().iter().map(|w| (w.level, format!("{}（{}，{}）", w.label, w.name, w.colour))).collect(),
        channels: CHANNELS,
        targeted: TARGETED,
        places: PLACES,
        can_draft: true,
    }))
}

fn areas(state: &AppState) -> Vec<String> {
    let d = &state.district;
    [d.district.clone()].into_iter().chain(d.towns.iter().map(|t| t.name.clone())).chain([d.development_zone.clone()]).collect()
}

/// The level's measures (4.3.3) as checklist lines.
fn warning_measures(r: &Rules, level: i64) -> Vec<String> {
    let Ok(l) = u8::try_from(level) else { return Vec::new() };
    r.warning_measures(l).iter().flat_map(|set| set.items.iter().map(move |i| format!("{}：{}", set.clause, i))).collect()
}

/// Create a draft warning; validated through the CAP writer first so a draft can always be issued.
pub async fn draft_warning(state: &AppState, actor: &str, w: &Warning) -> Result<i64, AppError> {
    let r = rules(state)?;
    let probe = cap_warning(w, "probe", &now_cap(), MsgType::Alert, Vec::new());
    emergency::to_cap_xml(&r, &state.district, &probe).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(state.store.emergency_create_warning(actor, w, &warning_measures(&r, w.level)).await?)
}

async fn create_warning(State(state): State<AppState>, Authed(s): Authed, body: Bytes) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau])?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let all = |k: &str| pairs.iter().filter(|(a, _)| a == k).map(|(_, v)| v.clone()).collect::<Vec<_>>().join("、");
    let level: i64 = get("level").parse().map_err(|_| AppError::BadRequest("请选择预警级别".into()))?;
    let w = Warning {
        incident_type: get("incident_type"),
        level,
        headline: get("headline"),
        description: get("description"),
        duration: get("duration"),
        heed: get("heed"),
        instruction: get("instruction"),
        issuer: s.user.department.clone().unwrap_or_else(|| "山亭区人民政府".into()),
        onset: form_time("生效时间", &get("onset"))?,
        expires: form_time("失效时间", &get("expires"))?,
        areas: all("areas"),
        channels: all("channels"),
        targeted: all("targeted"),
        places: all("places"),
        drill: !get("drill").is_empty(),
        ..Default::default()
    };
    let id = draft_warning(&state, &s.user.username, &w).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}

/// The engine's warning for a stored one.
fn cap_warning(w: &Warning, identifier: &str, sent: &str, msg_type: MsgType, references: Vec<String>) -> emergency::Warning {
    let mut description = w.description.clone();
    if !w.duration.is_empty() {
        description.push_str(&format!("\n可能持续时间：{}", w.duration));
    }
    if !w.heed.is_empty() {
        description.push_str(&format!("\n提醒事宜：{}", w.heed));
    }
    emergency::Warning {
        identifier: identifier.to_string(),
        sender: SENDER.to_string(),
        sent: sent.to_string(),
        status: if w.drill { Status::Exercise } else { Status::Actual },
        msg_type,
        references,
        level: u8::try_from(w.level).unwrap_or(0),
        incident_type: w.incident_type.clone(),
        headline: w.headline.clone(),
        description,
        instruction: w.instruction.clone(),
        areas: w.areas.split('、').filter(|a| !a.is_empty()).map(str::to_string).collect(),
        onset: w.onset.clone(),
        expires: w.expires.clone(),
    }
}

/// The feed from the current warnings (called inside the publishing transaction).
fn render_feed(r: &Rules, current: &[(Warning, CapMessage)]) -> String {
    let entries: Vec<emergency::atom::FeedEntry> = current
        .iter()
        .map(|(w, m)| {
            let lvl = u8::try_from(w.level).ok().and_then(|l| r.warning_level(l));
            emergency::atom::FeedEntry {
                id: format!("{FEED_ID}:warning:{}", w.id),
                title: w.headline.clone(),
                summary: w.description.clone(),
                updated: m.sent.parse::<OffsetTime>().map(|t| t.timestamp()).unwrap_or_else(|_| jiff::Timestamp::now()),
                cap_url: format!("/alerts/{}.xml", m.identifier),
                categories: lvl.map(|l| vec![l.colour.clone(), l.label.clone()]).unwrap_or_default(),
                areas: w.areas.split('、').filter(|a| !a.is_empty()).map(str::to_string).collect(),
            }
        })
        .collect();
    // The feed's id is the permanent tag URI (an Atom id must be absolute);
    // links stay relative to wherever the platform is served.
    emergency::atom::feed(&entries, jiff::Timestamp::now(), FEED_ID, FEED_PATH)
}

/// Issue, adjust or lift: a CAP message referencing the previous one, and the feed.
pub async fn publish(state: &AppState, actor: &str, id: i64, action: &str, adjust: Option<Adjustment>) -> Result<(), AppError> {
    let r = rules(state)?;
    let d = state.store.emergency_warning_detail(id).await?;
    let (to, msg_type) = match action {
        "issue" => ("issued", MsgType::Alert),
        "adjust" => ("adjusted", MsgType::Update),
        "lift" => ("lifted", MsgType::Cancel),
        _ => return Err(AppError::NotFound(action.into())),
    };
    let mut w = d.warning.clone();
    if let Some(a) = &adjust {
        w.level = a.level;
        w.headline = a.headline.clone();
        w.description = a.description.clone();
        w.instruction = a.instruction.clone();
        w.expires = a.expires.clone();
    }
    let identifier = format!("SHANTING-YJ-{}-{}", id, d.messages.len() + 1);
    let sent = now_cap();
    let references: Vec<String> = d.messages.iter().map(|m| format!("{SENDER},{},{}", m.identifier, m.sent)).collect();
    let cw = cap_warning(&w, &identifier, &sent, msg_type, if msg_type == MsgType::Alert { Vec::new() } else { references.clone() });
    let xml = emergency::to_cap_xml(&r, &state.district, &cw).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let msg = Publication { identifier, msg_type: msg_type.as_str().into(), sent, refs: references.join(" "), xml };
    let render = |cur: &[(Warning, CapMessage)]| render_feed(&r, cur);
    state.store.emergency_publish_warning(actor, id, to, &msg, adjust.as_ref(), &render).await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "emergency/warning.html")]
struct WarningPage {
    page: Page,
    d: WarningDetail,
    level: String,
    levels: Vec<(u8, String)>,
    can_approve: bool,
    can_publish: bool,
}

impl WarningPage {
    fn state(&self) -> &'static str {
        state_label(&self.d.warning.state)
    }
    fn live(&self) -> bool {
        self.d.warning.state == "issued" || self.d.warning.state == "adjusted"
    }
}

async fn warning_detail(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau])?;
    let r = rules(&state)?;
    let d = state.store.emergency_warning_detail(id).await?;
    Ok(html(&WarningPage {
        page: Page::new(&d.warning.headline, Some(&s)),
        level: level_name(&r, d.warning.level),
        levels: r.warning_levels().iter().map(|w| (w.level, format!("{}（{}）", w.label, w.colour))).collect(),
        can_approve: s.user.role == Role::Admin,
        can_publish: require_warnings(&s).is_ok(),
        d,
    }))
}

async fn warning_action(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    match action.as_str() {
        "approve" => {
            // 4.3.2: the district government issues warnings; its approval comes first.
            if s.user.role != Role::Admin {
                return Err(AppError::Forbidden("预警须经区政府审批".into()));
            }
            state.store.emergency_approve_warning(&s.user.username, id).await?;
        }
        "issue" | "lift" => {
            require_warnings(&s)?;
            publish(&state, &s.user.username, id, &action, None).await?;
        }
        "adjust" => {
            require_warnings(&s)?;
            let cur = state.store.emergency_warning(id).await?;
            let level: i64 = get("level").parse().unwrap_or(cur.level);
            let or = |k: &str, d: &str| {
                let v = get(k);
                if v.is_empty() { d.to_string() } else { v }
            };
            let a = Adjustment {
                level,
                headline: or("headline", &cur.headline),
                description: or("description", &cur.description),
                instruction: or("instruction", &cur.instruction),
                expires: match form_time("失效时间", &get("expires"))? {
                    Some(t) => Some(t),
                    None => cur.expires.clone(),
                },
            };
            publish(&state, &s.user.username, id, "adjust", Some(a)).await?;
        }
        _ => return Err(AppError::NotFound(action)),
    }
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}

async fn tick_warning_measure(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, n)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau])?;
    state.store.emergency_tick_warning_measure(&s.user.username, id, n).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}

// ------------------------------------------------------------------ feed and CAP

/// The rendered feed, kept for at most [`FEED_TTL`] per server. Every
/// instance re-reads the feed row (one primary-key read) when its copy is
/// older than that, so a warning issued through any instance is served by all
/// of them within the TTL; nothing here is needed by another instance. The
/// entry belongs to the `AppState`'s parameter set (one per server, and one
/// per test app); the weak reference makes sure a reused address is a miss.
type FeedCache = HashMap<usize, (Weak<kernel::ParamSet>, Instant, Bytes, HeaderValue)>;
static FEED_CACHE: RwLock<Option<FeedCache>> = RwLock::new(None);
const FEED_TTL: Duration = Duration::from_millis(250);

fn cached_feed(state: &AppState) -> Option<(Bytes, HeaderValue)> {
    let key = Arc::as_ptr(&state.params) as usize;
    let guard = FEED_CACHE.read().ok()?;
    let (owner, at, bytes, etag) = guard.as_ref()?.get(&key)?;
    let same = owner.upgrade().is_some_and(|p| Arc::ptr_eq(&p, &state.params));
    (same && at.elapsed() < FEED_TTL).then(|| (bytes.clone(), etag.clone()))
}

/// A strong validator from the content: every instance serving the same
/// bytes gives the same tag, so a reader polling through a load balancer
/// gets 304 until a warning changes.
fn content_etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let tag = format!("\"{}\"", hex::encode(&digest[..12]));
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// Whether the request's `If-None-Match` names this tag (or `*`).
fn not_modified(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(want) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    let tag = etag.to_str().unwrap_or_default();
    want.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == tag || t == "*")
}

/// The body with its validator, or 304 when the client already has it.
fn validated(headers: &HeaderMap, content_type: HeaderValue, cache: &'static str, body: Bytes, etag: HeaderValue) -> Response {
    let common = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, HeaderValue::from_static(cache))];
    if not_modified(headers, &etag) {
        return (axum::http::StatusCode::NOT_MODIFIED, common).into_response();
    }
    (common, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn feed(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let (bytes, etag) = match cached_feed(&state) {
        Some(hit) => hit,
        None => {
            let b = match state.store.emergency_feed().await? {
                Some((_, body)) => Bytes::from(body),
                None => Bytes::from(render_feed(&rules(&state)?, &[])),
            };
            let etag = content_etag(&b);
            if let Ok(mut c) = FEED_CACHE.write() {
                let map = c.get_or_insert_with(HashMap::new);
                map.retain(|_, (owner, _, _, _)| owner.strong_count() > 0);
                let entry = (Arc::downgrade(&state.params), Instant::now(), b.clone(), etag.clone());
                map.insert(Arc::as_ptr(&state.params) as usize, entry);
            }
            (b, etag)
        }
    };
    let atom = HeaderValue::from_static("application/atom+xml; charset=utf-8");
    Ok(validated(&headers, atom, "public, max-age=1", bytes, etag))
}

async fn cap_file(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let Some(identifier) = file.strip_suffix(".xml") else { return Err(AppError::NotFound(file)) };
    match state.store.emergency_cap_xml(identifier).await? {
        Some(xml) => {
            let body = Bytes::from(xml);
            let etag = content_etag(&body);
            // A CAP message never changes once stored: an update or a cancel is a message of its own.
            Ok(validated(&headers, HeaderValue::from_static(emergency::atom::CAP_MIME), "public, max-age=60", body, etag))
        }
        None => Err(AppError::NotFound(format!("预警 {identifier}"))),
    }
}

/// Current warnings for the public page: headline, level and colour, areas, CAP link.
pub async fn public_fragment(state: &AppState) -> Option<String> {
    let list = state.store.emergency_warnings(true).await.ok()?;
    if list.is_empty() {
        return None;
    }
    let r = rules(state).ok()?;
    let mut out = String::from("<ul class=\"warnings\" id=\"current-warnings\">");
    for w in &list {
        let lvl = u8::try_from(w.level).ok().and_then(|l| r.warning_level(l));
        let (colour, en) = lvl.map(|l| (l.colour.as_str(), l.colour_en.as_str())).unwrap_or(("", ""));
        // A class per colour, not a style attribute: the CSP admits no inline styles.
        let class = match en {
            "red" | "orange" | "yellow" | "blue" => en,
            _ => "none",
        };
        out.push_str(&format!(
            "<li class=\"warning\"><span class=\"badge level-{class}\">{}{}预警</span> <strong>{}</strong>（{}；{}）<br>{} \
             <a href=\"/alerts/{}.xml\">CAP</a></li>",
            escape(colour),
            escape(&w.incident_type),
            escape(&w.headline),
            escape(&w.areas),
            escape(w.issued_at.as_deref().unwrap_or("")),
            escape(&w.instruction),
            escape(w.current_identifier.as_deref().unwrap_or("")),
        ));
    }
    out.push_str("</ul><p><a href=\"/alerts/feed.atom\">Atom 订阅</a></p>");
    Some(out)
}

// ------------------------------------------------------------------ resources

#[derive(Deserialize, Default)]
struct ResourceQuery {
    kind: Option<String>,
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "emergency/resources.html")]
struct Resources {
    page: Page,
    list: Vec<Resource>,
    kinds: &'static [(&'static str, &'static str)],
    kind: String,
    q: String,
    can_add: bool,
    towns: Vec<String>,
}

impl Resources {
    fn kind_label(&self, k: &str) -> &'static str {
        store::emergency::RESOURCE_KINDS.iter().find(|(a, _)| *a == k).map(|(_, l)| *l).unwrap_or("")
    }
}

async fn resources(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<ResourceQuery>) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau, Role::Town])?;
    let kind = q.kind.clone().filter(|k| !k.is_empty());
    Ok(html(&Resources {
        page: Page::new("应急资源", Some(&s)),
        list: state.store.emergency_resources(kind.as_deref(), q.q.as_deref()).await?,
        kinds: store::emergency::RESOURCE_KINDS,
        kind: kind.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        can_add: require_warnings(&s).is_ok(),
        towns: areas(&state),
    }))
}

#[derive(Deserialize)]
struct ResourceForm {
    kind: String,
    name: String,
    town: Option<String>,
    field: Option<String>,
    quantity: Option<String>,
    minimum: Option<String>,
    unit: Option<String>,
    capacity: Option<String>,
    contact: Option<String>,
}

async fn add_resource(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<ResourceForm>,
) -> Result<Response, AppError> {
    require_warnings(&s)?;
    let r = Resource {
        kind: f.kind,
        name: f.name,
        town: f.town.unwrap_or_default(),
        field: f.field.unwrap_or_default(),
        quantity: count("数量", &f.quantity)?.unwrap_or(0),
        minimum: count("最低储备", &f.minimum)?.unwrap_or(0),
        unit: f.unit.unwrap_or_default(),
        capacity: count("容量", &f.capacity)?.unwrap_or(0),
        contact: f.contact.unwrap_or_default(),
        ..Default::default()
    };
    state.store.emergency_add_resource(&s.user.username, &r).await?;
    Ok(Redirect::to("/emergency/resources").into_response())
}

// ------------------------------------------------------------------ plans

#[derive(Template)]
#[template(path = "emergency/plans.html")]
struct Plans {
    page: Page,
    plans: Vec<(Plan, bool)>,
    overdue: Vec<Plan>,
    drills: Vec<PlanDrill>,
    revisions: Vec<PlanRevision>,
    kinds: Vec<(String, String, String)>,
    triggers: Vec<String>,
    can_file: bool,
    filing_rule: String,
    today: String,
}

impl Plans {
    fn kind_name(&self, k: &str) -> String {
        self.kinds.iter().find(|x| x.0 == k).map(|x| x.1.clone()).unwrap_or_else(|| k.to_string())
    }
    fn drills_of(&self, id: &i64) -> Vec<&PlanDrill> {
        self.drills.iter().filter(|d| d.plan_id == *id).collect()
    }
    fn revisions_of(&self, id: &i64) -> Vec<&PlanRevision> {
        self.revisions.iter().filter(|d| d.plan_id == *id).collect()
    }
}

async fn plans(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau, Role::Town])?;
    let r = rules(&state)?;
    let today = store::today();
    let list = state.store.emergency_plans().await?;
    let mut plans = Vec::new();
    let mut overdue = Vec::new();
    for p in list {
        let issued = kernel::parse_date(&p.issued_on).map_err(|e| AppError::Internal(e.to_string()))?;
        let filed = p.filed_on.as_deref().and_then(|d| kernel::parse_date(d).ok());
        let late = r.filing_overdue(&state.calendar, issued, filed, today).map_err(|e| AppError::Internal(e.to_string()))?;
        if late && filed.is_none() {
            overdue.push(p.clone());
        }
        plans.push((p, late));
    }
    let (drills, revisions) = state.store.emergency_plan_history().await?;
    Ok(html(&Plans {
        page: Page::new("应急预案", Some(&s)),
        plans,
        overdue,
        drills,
        revisions,
        kinds: r.plan_kinds.iter().map(|k| (k.key.clone(), k.name.clone(), k.filing_bodies.join("、"))).collect(),
        triggers: r.revision.triggers.clone(),
        can_file: require_warnings(&s).is_ok(),
        filing_rule: format!("印发后{}个工作日内备案（{}）", r.filing_workdays.value, r.filing_workdays.citation),
        today: today.to_string(),
    }))
}

#[derive(Deserialize)]
struct PlanForm {
    kind: String,
    name: String,
    issuer: String,
    issued_on: String,
}

/// Register a plan: the filing body from its kind, the deadline from the calendar (6.2).
pub async fn register_plan(
    state: &AppState,
    actor: &str,
    kind: &str,
    name: &str,
    issuer: &str,
    issued_on: &str,
    filed_on: Option<String>,
) -> Result<i64, AppError> {
    let r = rules(state)?;
    let k = r.plan_kind(kind).ok_or_else(|| AppError::BadRequest(format!("预案类别“{kind}”不正确")))?;
    let issued = kernel::parse_date(issued_on).map_err(|e| AppError::BadRequest(format!("印发日期：{e}")))?;
    let deadline = emergency::plan_filing_deadline(&r, &state.calendar, issued).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let p = Plan {
        kind: kind.into(),
        name: name.into(),
        issuer: issuer.into(),
        issued_on: issued.to_string(),
        filing_body: k.filing_bodies.join("、"),
        filing_deadline: deadline.to_string(),
        filed_on,
        ..Default::default()
    };
    Ok(state.store.emergency_add_plan(actor, &p).await?)
}

async fn add_plan(State(state): State<AppState>, Authed(s): Authed, axum::Form(f): axum::Form<PlanForm>) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau, Role::Town])?;
    register_plan(&state, &s.user.username, &f.kind, &f.name, &f.issuer, &f.issued_on, None).await?;
    Ok(Redirect::to("/emergency/plans").into_response())
}

async fn plan_action(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau, Role::Town])?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let date = |k: &str| kernel::parse_date(&get(k)).map(|d| d.to_string()).map_err(|e| AppError::BadRequest(format!("日期：{e}")));
    match action.as_str() {
        "file" => {
            require_warnings(&s)?;
            state.store.emergency_file_plan(&s.user.username, id, &date("filed_on")?).await?;
        }
        "drill" => {
            state
                .store
                .emergency_add_drill(
                    &s.user.username,
                    &PlanDrill { plan_id: id, held_on: date("held_on")?, form: get("form"), note: get("note") },
                )
                .await?
        }
        "revision" => {
            state
                .store
                .emergency_add_revision(
                    &s.user.username,
                    &PlanRevision { plan_id: id, revised_on: date("revised_on")?, trigger_reason: get("trigger"), note: get("note") },
                )
                .await?
        }
        _ => return Err(AppError::NotFound(action)),
    }
    Ok(Redirect::to("/emergency/plans").into_response())
}

// ------------------------------------------------------------------ live board

#[derive(Template)]
#[template(path = "emergency/board.html")]
struct Board {
    page: Page,
}

async fn board(Authed(s): Authed) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau])?;
    Ok(html(&Board { page: Page::new("应急值守看板", Some(&s)) }))
}

/// The board's body: active real incidents, then drills apart.
async fn board_html(state: &AppState) -> Result<String, AppError> {
    let real = state.store.emergency_incidents(&IncidentFilter { status: Some("active".into()), ..Default::default() }).await?;
    let drills = state.store.emergency_counts(true).await?;
    let mut out =
        format!("<p id=\"board-count\">进行中的突发事件：<strong>{}</strong> 起（演练另计：{} 起进行中）</p>", real.len(), drills.active);
    out.push_str("<table id=\"board-table\"><thead><tr><th>事件</th><th>类别</th><th>镇（街）</th><th>响应级别</th><th>死亡</th><th>受伤</th><th>失踪</th><th>措施落实</th><th>更新</th></tr></thead><tbody>");
    for i in &real {
        let d = state.store.emergency_incident_detail(i.id).await?;
        let done = d.measures.iter().filter(|m| m.done_by.is_some()).count();
        out.push_str(&format!(
            "<tr><td><a href=\"/emergency/incidents/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>",
            i.id,
            escape(&i.title),
            escape(&i.incident_type),
            escape(&i.town),
            escape(&i.response_level.as_deref().map(level_label).unwrap_or_else(|| "未决定".into())),
            d.totals.deaths,
            d.totals.injured,
            d.totals.missing,
            done,
            d.measures.len(),
            escape(&i.updated_at),
        ));
    }
    out.push_str("</tbody></table>");
    Ok(out)
}

/// Server-Sent Events: the board's body whenever the board version in the
/// database changes, polled every second (a change made through any
/// instance shows on every board).
async fn board_events(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau])?;
    let stream = futures::stream::unfold((state, i64::MIN), |(state, last)| async move {
        loop {
            let v = state.store.emergency_board_version().await.unwrap_or(last);
            if v != last {
                let body = board_html(&state).await.unwrap_or_else(|e| format!("<p class=\"error\">{}</p>", escape(&e.to_string())));
                return Some((Ok::<Event, Infallible>(Event::default().event("board").data(body)), (state, v)));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

// ------------------------------------------------------------------ API

/// `POST /api/v1/emergency/assess`: the CLI contract's `assess`.
#[utoipa::path(post, path = "/api/v1/emergency/assess", request_body(content = String, content_type = "application/json", description = "one information report, as for `shanting emergency assess`"),
    responses((status = 200, description = "category, lead departments, command body, response level, who decides and leads, reporting"), (status = 400, description = "input error naming the field")))]
pub(crate) async fn api_assess(State(state): State<AppState>, body: String) -> Result<Response, ApiError> {
    let report = emergency::parse_report(&body).map_err(|e| ApiError(AppError::BadRequest(e.to_string())))?;
    let r = rules(&state).map_err(ApiError)?;
    Ok(Json(emergency::assess(&r, &report)).into_response())
}

/// `POST /api/v1/emergency/cap`: the CLI contract's `cap`.
#[utoipa::path(post, path = "/api/v1/emergency/cap", request_body(content = String, content_type = "application/json", description = "one warning, as for `shanting emergency cap`"),
    responses((status = 200, description = "a CAP 1.2 alert (application/cap+xml)"), (status = 400, description = "input error naming the field")))]
pub(crate) async fn api_cap(State(state): State<AppState>, body: String) -> Result<Response, ApiError> {
    let w = emergency::parse_warning(&body).map_err(|e| ApiError(AppError::BadRequest(e.to_string())))?;
    let r = rules(&state).map_err(ApiError)?;
    let xml = emergency::to_cap_xml(&r, &state.district, &w).map_err(|e| ApiError(AppError::BadRequest(e.to_string())))?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(emergency::atom::CAP_MIME))], xml).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct ApiQuery {
    drill: Option<String>,
    status: Option<String>,
}

/// `GET /api/v1/emergency/incidents`: the incidents the user may see (drills only with `drill=1`).
#[utoipa::path(get, path = "/api/v1/emergency/incidents", responses((status = 200, description = "the incidents the user may see; drills only with drill=1"), (status = 401, description = "not logged in")))]
pub(crate) async fn api_incidents(
    State(state): State<AppState>,
    Authed(s): Authed,
    Query(q): Query<ApiQuery>,
) -> Result<Response, ApiError> {
    require_read(&s).map_err(ApiError)?;
    let mut f = IncidentFilter { drill: q.drill.as_deref() == Some("1"), status: q.status, ..Default::default() };
    scope_filter(&s, &mut f);
    let list = state.store.emergency_incidents(&f).await.map_err(|e| ApiError(e.into()))?;
    Ok(Json(list).into_response())
}

// ------------------------------------------------------------------ demo

fn demo_session(state: &AppState, user: store::User) -> Session {
    let actor = state.actor_of(&user);
    Session { user, actor, csrf: String::new(), token: String::new() }
}

/// Demo data for `serve --demo`: resources, plans (one filing overdue), a
/// closed past incident with its full record, an active one with a command
/// post, one current warning. Idempotent: does nothing once any plan exists.
pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    if !state.store.emergency_plans().await?.is_empty() {
        return Ok(());
    }
    let users = state.store.users().await?;
    let find = |name: &str| {
        users.iter().find(|u| u.username == name).cloned().ok_or_else(|| AppError::Internal(format!("演示账户 {name} 不存在")))
    };
    let admin = demo_session(state, find("admin")?);
    let bureau = demo_session(state, find("emergency")?);
    let town = demo_session(state, find("town")?);
    let (a, b) = (admin.user.username.as_str(), bureau.user.username.as_str());
    // Resources.
    let res = |kind: &str, name: &str, town: &str, field: &str, q: i64, min: i64, unit: &str, cap: i64, contact: &str| Resource {
        kind: kind.into(),
        name: name.into(),
        town: town.into(),
        field: field.into(),
        quantity: q,
        minimum: min,
        unit: unit.into(),
        capacity: cap,
        contact: contact.into(),
        ..Default::default()
    };
    for r in [
        res("team", "山亭区综合性消防救援大队", "山亭区", "综合救援", 60, 0, "人", 0, "0632-8811119"),
        res("team", "水泉镇基层应急救援队", "水泉镇", "森林防灭火", 25, 0, "人", 0, "0632-8811201"),
        res("team", "山亭区蓝天救援队", "山亭区", "社会救援力量", 30, 0, "人", 0, "0632-8811302"),
        res("material", "折叠床", "山亭区", "生活类", 500, 300, "张", 0, ""),
        res("material", "帐篷", "山亭区", "生活类", 80, 100, "顶", 0, ""),
        res("material", "风力灭火机", "水泉镇", "森林防灭火", 40, 20, "台", 0, ""),
        res("expert", "王建国", "", "非煤矿山", 0, 0, "", 0, "13800000001"),
        res("expert", "李秀英", "", "森林防灭火", 0, 0, "", 0, "13800000002"),
        res("expert", "赵明", "", "危险化学品", 0, 0, "", 0, "13800000003"),
        res("shelter", "山亭区人民广场应急避难场所", "山亭区", "广场", 0, 0, "", 3000, ""),
        res("shelter", "水泉镇中心小学操场", "水泉镇", "学校操场", 0, 0, "", 800, ""),
    ] {
        state.store.emergency_add_resource(b, &r).await?;
    }
    // Plans: the general plan filed on time; a town plan filed; one overdue.
    register_plan(state, b, "general", "山亭区突发事件总体应急预案", "山亭区人民政府", "2022-05-20", Some("2022-06-10".into())).await?;
    let special =
        register_plan(state, b, "special", "山亭区森林火灾应急预案", "山亭区人民政府办公室", "2023-03-01", Some("2023-03-20".into()))
            .await?;
    state
        .store
        .emergency_add_drill(
            b,
            &PlanDrill { plan_id: special, held_on: "2023-04-12".into(), form: "实战演练".into(), note: "水泉镇林区".into() },
        )
        .await?;
    state
        .store
        .emergency_add_revision(
            b,
            &PlanRevision {
                plan_id: special,
                revised_on: "2024-03-15".into(),
                trigger_reason: "应急指挥机构及其职责发生重大调整的".into(),
                note: "指挥部成员调整".into(),
            },
        )
        .await?;
    let issued = store::today().checked_sub(jiff::Span::new().days(60)).unwrap_or_else(|_| store::today());
    register_plan(state, b, "town", "水泉镇突发事件总体应急预案", "水泉镇人民政府", &issued.to_string(), None).await?;
    // A past incident with its full record.
    let full = |place: &str, deaths: &str, injured: &str| ReportFields {
        occurred_at: Some("2023-05-01T10:20".into()),
        place: Some(place.into()),
        town: Some("水泉镇".into()),
        source: Some("企业报告".into()),
        nature: Some("顶板冒落".into()),
        course: Some("井下作业面局部冒顶，2名作业人员受伤".into()),
        impact_scope: Some("井下一个作业面".into()),
        environmental_impact: Some("无".into()),
        deaths: Some(deaths.into()),
        injured: Some(injured.into()),
        missing: Some("0".into()),
        houses_collapsed: Some("0".into()),
        houses_damaged: Some("0".into()),
        infrastructure_damage: Some("无".into()),
        rescue_status: Some("伤员已送医".into()),
        measures_taken: Some("停产撤人，封闭现场".into()),
    };
    let past = record_report(
        state,
        &town,
        "水泉镇某石料厂冒顶事故",
        "非煤矿山事故",
        "较大",
        [false, false, false],
        false,
        full("水泉镇石料厂", "0", "2"),
    )
    .await?;
    let r = rules(state)?;
    let (by3, _) = emergency::level_roles(&r, ResponseLevel::III);
    state.store.emergency_set_level(a, past, "III", by3, "初判较大事故，启动Ⅲ级响应").await?;
    state.store.emergency_mark_city_reported(b, past).await?;
    let groups: Vec<Group> = r.working_groups.iter().take(4).map(post_group).collect();
    state.store.emergency_open_post(b, past, "区政府分管副区长", "石料厂门口", &groups).await?;
    let more = ReportFields {
        injured: Some("1".into()), course: Some("续报：又发现1名轻伤人员".into()), ..full("水泉镇石料厂", "0", "1")
    };
    let mut fu = more.to_report("followup", &town, "水泉镇")?;
    fu.missing_fields = String::new();
    state.store.emergency_add_report(&town.user.username, past, &fu).await?;
    let d = state.store.emergency_incident_detail(past).await?;
    for m in &d.measures {
        state.store.emergency_tick_measure(b, past, m.position).await?;
    }
    let body = d.incident.command_body.clone().unwrap_or_default();
    state
        .store
        .emergency_release(
            b,
            past,
            &body,
            "关于水泉镇石料厂冒顶事故的情况通报",
            "5月1日10时许，水泉镇一石料厂发生冒顶，3人受伤，均无生命危险。",
        )
        .await?;
    state.store.emergency_end(b, past, true, true, true, "现场处置完毕，专家组评估同意结束响应").await?;
    state
        .store
        .emergency_set_recovery(
            b,
            past,
            "伤员医疗费用由企业承担，已赔付。",
            "事故原因为顶板管理不到位，责任单位已依法处理。",
            "企业停产整顿30日，整改验收后复产。",
        )
        .await?;
    // An active incident with a command post.
    let live = ReportFields {
        occurred_at: Some(format!("{}T09:30", store::today())),
        place: Some("徐庄镇东山林场".into()),
        town: Some("徐庄镇".into()),
        source: Some("护林员报告".into()),
        nature: Some("林地起火".into()),
        course: Some("上午9时30分发现山林起火，火势向东蔓延".into()),
        impact_scope: Some("过火面积约5公顷".into()),
        deaths: Some("0".into()),
        injured: Some("0".into()),
        missing: Some("0".into()),
        rescue_status: Some("扑救中".into()),
        measures_taken: Some("组织扑火队伍上山扑救".into()),
        ..Default::default()
    };
    let admin_as_town = demo_session(state, store::User { town: Some("徐庄镇".into()), ..admin.user.clone() });
    let active = record_report(state, &admin_as_town, "徐庄镇东山森林火灾", "森林火灾", "一般", [false, false, false], false, live).await?;
    let (by4, _) = emergency::level_roles(&r, ResponseLevel::IV);
    // 区应急管理局 is a lead department of 森林火灾, so it decides level Ⅳ.
    state.store.emergency_set_level(b, active, "IV", by4, "一般森林火灾，启动Ⅳ级响应").await?;
    let groups: Vec<Group> = r.working_groups.iter().filter(|g| [1, 3, 4, 6].contains(&g.number)).map(post_group).collect();
    state.store.emergency_open_post(b, active, "徐庄镇镇长", "东山林场护林站", &groups).await?;
    state.store.emergency_tick_measure(b, active, 1).await?;
    // One current warning.
    let w = Warning {
        incident_type: "森林火灾".into(),
        level: 3,
        headline: "山亭区森林火险黄色预警".into(),
        description: "近期气温高、湿度低、风力大，全区森林火险等级较高。".into(),
        duration: "未来3天".into(),
        heed: "严禁野外用火".into(),
        instruction: "加强巡山护林，严管野外火源，做好扑火准备。".into(),
        issuer: BUREAU.into(),
        areas: "山亭区".into(),
        channels: "广播、通信（短信）、大喇叭".into(),
        targeted: TARGETED.join("、"),
        places: "学校、警报盲区".into(),
        ..Default::default()
    };
    let wid = draft_warning(state, b, &w).await?;
    state.store.emergency_approve_warning(a, wid).await?;
    publish(state, b, wid, "issue", None).await?;
    Ok(())
}
