//! Incidents: the first report routed by the engine (附件, 1.6, 4.4), follow-ups,
//! the response level decided by whom the plan names (1.6), the end of the
//! emergency on the policy's conditions (4.5.6) and recovery (4.6).

use std::collections::BTreeSet;

use access::{Action, Actor, Grant, Role, Target};
use emergency::{Decider, IncidentStep, InformationReport, ReportContent, ReportKind, ResponseLevel, Rules, Severity};
use store::emergency::{Incident, IncidentFilter, Report, Routing};

use super::{LONG, SHORT, incident_target, rules, take_step, text};
use crate::workbench::notify;
use crate::{App, Error, Result};

/// A first information report (首报) as entered.
#[derive(Debug, Clone)]
pub struct FirstReport {
    pub title: String,
    /// 事件类别: an annex type, or another named type.
    pub incident_type: String,
    pub severity: Severity,
    pub sensitive: bool,
    pub key_area_or_period: bool,
    pub may_escalate: bool,
    pub drill: bool,
    /// The town named on the form; towns and village agents always report
    /// for their own place whatever it says (4.4(2)).
    pub town: Option<String>,
    /// The report's content (4.4(2)).
    pub content: ReportContent,
}

/// The platform action that lets a [`Decider`] decide a level (1.6).
pub fn decider_action(d: Decider) -> Action {
    match d {
        Decider::DistrictGovernment => Action::EmergencyLevelGovernment,
        Decider::LeadDepartment => Action::EmergencyLevelLead,
    }
}

/// Who reported, as the report records it.
fn reporter_unit(actor: &Actor) -> String {
    let parts: Vec<&str> = [actor.acting_unit(), actor.town.as_deref(), actor.village.as_deref()].into_iter().flatten().collect();
    if parts.is_empty() { actor.username.clone() } else { parts.join(" ") }
}

/// The engine's report for an incident's routing facts and one report's content.
fn engine_report(incident_type: &str, severity: Severity, flags: [bool; 3], content: &ReportContent) -> InformationReport {
    InformationReport {
        sensitive: flags[0],
        key_area_or_period: flags[1],
        may_escalate: flags[2],
        content: content.clone(),
        ..InformationReport::new(incident_type, severity)
    }
}

/// The labels of the fields the engine found missing, joined with 、.
fn missing_labels(r: &Rules, names: &[String]) -> String {
    names
        .iter()
        .map(|n| r.report_fields.iter().find(|f| &f.name == n).map(|f| f.label.clone()).unwrap_or_else(|| n.clone()))
        .collect::<Vec<_>>()
        .join("、")
}

/// 4.4(2): route a first report with the engine and record the incident.
/// A town reports for its own town, a village agent for its own village,
/// a department for any place in the district.
pub async fn file_report(app: &App, actor: &Actor, input: FirstReport) -> Result<i64> {
    if input.title.trim().is_empty() {
        return Err(Error::field("title", "事件名称不能为空"));
    }
    text("incident_type", "事件类别", &input.incident_type, SHORT)?;
    if input.incident_type.trim().is_empty() {
        return Err(Error::field("incident_type", "请选择或填写事件类别"));
    }
    let (town, village) = match actor.role {
        Some(Role::Town | Role::Village) => (actor.town.clone().unwrap_or_default(), actor.village.clone()),
        _ => (input.town.clone().unwrap_or_default().trim().to_string(), None),
    };
    if !app.district.is_area(&town) {
        return Err(Error::field("town", format!("“{}”不是本区的镇（街）或{}", kernel::echo(&town), app.district.development_zone)));
    }
    let target = Target { town: Some(town.clone()), village: village.clone(), ..Target::default() };
    app.may_on(actor, Action::EmergencyReportFile, &target)?;
    let mut report = Report::new(ReportKind::Initial, &actor.username, &reporter_unit(actor), input.content);
    report.content.town = Some(town.clone());
    let r = rules(app)?;
    let flags = [input.sensitive, input.key_area_or_period, input.may_escalate];
    let a = emergency::assess(&r, &engine_report(input.incident_type.trim(), input.severity, flags, &report.content));
    report.missing_fields = missing_labels(&r, &a.missing_fields);
    let measures =
        a.checklist.as_deref().and_then(|k| r.checklists.iter().find(|c| c.key == k)).map(|c| c.items.clone()).unwrap_or_default();
    let n = Routing {
        title: text("title", "事件名称", &input.title, SHORT)?,
        incident_type: a.incident_type.clone(),
        category: a.category.clone(),
        severity: input.severity,
        town,
        village,
        place: report.content.place.clone().unwrap_or_default(),
        occurred_at: report.content.occurred_at.as_ref().map(|t| t.as_str().to_string()),
        sensitive: flags[0],
        key_area_or_period: flags[1],
        may_escalate: flags[2],
        lead_departments: a.lead_departments.join("、"),
        command_body: a.command_body.clone(),
        needs_designation: a.needs_designation,
        checklist: a.checklist.clone(),
        suggested_level: a.response_level,
        suggested_decided_by: a.decided_by.clone(),
        report_to_city: a.report_to_city,
        skip_level_report: a.skip_level_report,
        explanation: a.explanation.join("\n"),
        drill: input.drill,
    };
    Ok(notify::with(
        notify::report_filed(app, &n.town, &n.title, "/emergency", false),
        app.store.emergency_create_incident(&actor.username, &n, &measures, &report),
    )
    .await?)
}

/// An incident the actor may see (4.4(2): a town its own town's, a village
/// agent its own village's, departments and 区政府 all), with the grant.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> Result<(Incident, Grant)> {
    let i = app.store.emergency_incident(id).await?;
    let g = app.may_on(actor, Action::EmergencyRead, &incident_target(&i))?;
    Ok((i, g))
}

/// The filter restricting a list to the actor's place (none for the district).
pub fn scoped_filter(app: &App, actor: &Actor, mut f: IncidentFilter) -> Result<IncidentFilter> {
    let g = app.may(actor, Action::EmergencyRead)?;
    let (town, village) = g.scope.place();
    f.town = town.map(str::to_string);
    f.village = village.map(str::to_string);
    Ok(f)
}

/// 续报 (4.4(2)) on an active incident of the actor's place or duty.
pub async fn follow_up(app: &App, actor: &Actor, id: i64, content: ReportContent) -> Result<i64> {
    let i = app.store.emergency_incident(id).await?;
    take_step(app, actor, &i, IncidentStep::FollowUp)?;
    let mut report = Report::new(ReportKind::FollowUp, &actor.username, &reporter_unit(actor), content);
    report.content.town = Some(i.town.clone());
    let r = rules(app)?;
    let flags = [i.sensitive, i.key_area_or_period, i.may_escalate];
    let a = emergency::assess(&r, &engine_report(&i.incident_type, i.severity, flags, &report.content));
    report.missing_fields = missing_labels(&r, &a.missing_fields);
    Ok(notify::with(
        notify::report_filed(app, &i.town, &i.title, &format!("/emergency/incidents/{id}"), true),
        app.store.emergency_add_report(&actor.username, id, &report),
    )
    .await?)
}

/// Who decides `level` for this incident, as the plan words it and as the
/// platform action that permits it.
pub fn decider_of(r: &Rules, i: &Incident, level: ResponseLevel) -> (Decider, String) {
    let d = r.decider(level, !i.leads().is_empty());
    let words = if d == r.level_roles(level).decider { r.level_roles(level).decided_by.clone() } else { r.designation_by.clone() };
    (d, words)
}

/// Whether `actor` may decide `level` for this incident (for the page).
pub fn may_decide(app: &App, r: &Rules, actor: &Actor, i: &Incident, level: ResponseLevel) -> bool {
    let (d, _) = decider_of(r, i, level);
    app.may_on(actor, decider_action(d), &incident_target(i)).is_ok()
}

/// 1.6: decide, raise or lower the response level — only the plan's decider
/// for the new level (Ⅰ/Ⅱ 区政府, Ⅲ 区政府分管负责同志, Ⅳ a lead department).
pub async fn set_level(app: &App, actor: &Actor, id: i64, level: ResponseLevel, reason: &str) -> Result<()> {
    let i = app.store.emergency_incident(id).await?;
    let r = rules(app)?;
    let (d, words) = decider_of(&r, &i, level);
    app.may_on(actor, decider_action(d), &incident_target(&i)).map_err(|e| {
        Error::Denied(access::Denied {
            action: decider_action(d),
            reason: format!("{}响应由{words}决定（{} 1.6）；{e}", level, r.document),
        })
    })?;
    IncidentStep::SetLevel(level).apply(i.status, i.response_level)?;
    if reason.trim().is_empty() {
        return Err(Error::field("reason", "请填写决定或调整响应级别的理由"));
    }
    let reason = text("reason", "理由", reason, SHORT)?;
    Ok(notify::with(
        notify::level_changed(app, &i, &level.to_string()),
        app.store.emergency_set_level(&actor.username, id, i.response_level, level, &words, &reason),
    )
    .await?)
}

/// 4.5.6: declare the emergency ended, every condition of the policy confirmed.
/// `confirmed` are the indexes of the confirmed conditions, in the policy's order.
pub async fn end(app: &App, actor: &Actor, id: i64, confirmed: &BTreeSet<usize>, note: &str) -> Result<()> {
    let i = app.store.emergency_incident(id).await?;
    take_step(app, actor, &i, IncidentStep::End)?;
    let r = rules(app)?;
    r.check_ending(confirmed)?;
    Ok(app.store.emergency_end(&actor.username, id, &r.ending.conditions, &text("note", "说明", note, LONG)?).await?)
}

/// 4.6: aftermath, evaluation report and recovery plan.
pub async fn recovery(app: &App, actor: &Actor, id: i64, aftermath: &str, evaluation: &str, recovery: &str) -> Result<()> {
    let i = app.store.emergency_incident(id).await?;
    take_step(app, actor, &i, IncidentStep::Recovery)?;
    let (a, e, r) = (
        text("aftermath", "善后处置", aftermath, LONG)?,
        text("evaluation", "调查评估报告", evaluation, LONG)?,
        text("recovery", "恢复重建计划", recovery, LONG)?,
    );
    Ok(app.store.emergency_set_recovery(&actor.username, id, &a, &e, &r).await?)
}
