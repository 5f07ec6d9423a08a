//! 突发事件应急管理 (山亭区突发事件总体应急预案, 山政发〔2022〕8号): incidents
//! with their information reports and follow-ups (续报), response levels and
//! who decided them, the on-site command post, measures checklists,
//! information releases, the end of the emergency and recovery; warnings with
//! their CAP 1.2 messages and the rendered Atom feed; resources; plans.
//!
//! The rules (routing, levels, CAP, deadlines) are the `emergency` crate's and
//! are applied by the caller; this layer stores what was decided, checks the
//! state transitions, and audits every change. Drills carry `drill = 1` and are
//! listed and counted apart from real incidents.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, WriteTx};

fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

/// An incident (突发事件) as routed by the annex.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub incident_type: String,
    pub category: Option<String>,
    /// 特别重大 / 重大 / 较大 / 一般
    pub severity: String,
    pub town: String,
    pub place: String,
    pub occurred_at: Option<String>,
    pub sensitive: bool,
    pub key_area_or_period: bool,
    pub may_escalate: bool,
    /// 主要牵头部门, joined with 、
    pub lead_departments: String,
    pub command_body: Option<String>,
    pub needs_designation: bool,
    pub checklist: Option<String>,
    /// The engine's suggestion (I–IV) and who it says decides it.
    pub suggested_level: String,
    pub suggested_decided_by: String,
    /// The level in force, once decided.
    pub response_level: Option<String>,
    pub level_decided_by: Option<String>,
    pub level_decided_user: Option<String>,
    pub report_to_city: bool,
    pub skip_level_report: bool,
    pub city_reported_at: Option<String>,
    /// The engine's explanation, one line per step.
    pub explanation: String,
    pub drill: bool,
    /// active | ended
    pub status: String,
    pub emergency_state_request: Option<String>,
    pub emergency_state_requested_at: Option<String>,
    pub end_onsite_done: bool,
    pub end_no_secondary: bool,
    pub end_experts_agree: bool,
    pub end_note: String,
    pub ended_at: Option<String>,
    pub ended_by: Option<String>,
    pub aftermath: String,
    pub evaluation: String,
    pub recovery: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

const INCIDENT_COLS: &str = "id, title, incident_type, category, severity, town, place, occurred_at, sensitive, key_area_or_period, \
    may_escalate, lead_departments, command_body, needs_designation, checklist, suggested_level, suggested_decided_by, response_level, \
    level_decided_by, level_decided_user, report_to_city, skip_level_report, city_reported_at, explanation, drill, status, \
    emergency_state_request, emergency_state_requested_at, end_onsite_done, end_no_secondary, end_experts_agree, end_note, ended_at, \
    ended_by, aftermath, evaluation, recovery, created_by, created_at, updated_at";

fn flag(r: &AnyRow, i: usize) -> Result<bool> {
    Ok(r.try_get::<i64, _>(i)? != 0)
}

fn incident_row(r: &AnyRow) -> Result<Incident> {
    Ok(Incident {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        incident_type: r.try_get(2)?,
        category: r.try_get(3)?,
        severity: r.try_get(4)?,
        town: r.try_get(5)?,
        place: r.try_get(6)?,
        occurred_at: r.try_get(7)?,
        sensitive: flag(r, 8)?,
        key_area_or_period: flag(r, 9)?,
        may_escalate: flag(r, 10)?,
        lead_departments: r.try_get(11)?,
        command_body: r.try_get(12)?,
        needs_designation: flag(r, 13)?,
        checklist: r.try_get(14)?,
        suggested_level: r.try_get(15)?,
        suggested_decided_by: r.try_get(16)?,
        response_level: r.try_get(17)?,
        level_decided_by: r.try_get(18)?,
        level_decided_user: r.try_get(19)?,
        report_to_city: flag(r, 20)?,
        skip_level_report: flag(r, 21)?,
        city_reported_at: r.try_get(22)?,
        explanation: r.try_get(23)?,
        drill: flag(r, 24)?,
        status: r.try_get(25)?,
        emergency_state_request: r.try_get(26)?,
        emergency_state_requested_at: r.try_get(27)?,
        end_onsite_done: flag(r, 28)?,
        end_no_secondary: flag(r, 29)?,
        end_experts_agree: flag(r, 30)?,
        end_note: r.try_get(31)?,
        ended_at: r.try_get(32)?,
        ended_by: r.try_get(33)?,
        aftermath: r.try_get(34)?,
        evaluation: r.try_get(35)?,
        recovery: r.try_get(36)?,
        created_by: r.try_get(37)?,
        created_at: r.try_get(38)?,
        updated_at: r.try_get(39)?,
    })
}

/// A new incident as the engine routed its first report.
#[derive(Debug, Clone, Serialize)]
pub struct NewIncident {
    pub title: String,
    pub incident_type: String,
    pub category: Option<String>,
    pub severity: String,
    pub town: String,
    pub place: String,
    pub occurred_at: Option<String>,
    pub sensitive: bool,
    pub key_area_or_period: bool,
    pub may_escalate: bool,
    pub lead_departments: Vec<String>,
    pub command_body: Option<String>,
    pub needs_designation: bool,
    pub checklist: Option<String>,
    pub suggested_level: String,
    pub suggested_decided_by: String,
    pub report_to_city: bool,
    pub skip_level_report: bool,
    pub explanation: Vec<String>,
    pub drill: bool,
    /// The 4.5.3 measures the response keeps as a checklist.
    pub measures: Vec<String>,
}

/// One information report or follow-up (4.4(2)); counts are for the period.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    /// initial | followup
    pub kind: String,
    pub reporter: String,
    pub reporter_unit: String,
    pub reported_at: String,
    pub occurred_at: Option<String>,
    pub place: Option<String>,
    pub town: Option<String>,
    pub source: Option<String>,
    pub nature: Option<String>,
    pub course: Option<String>,
    pub impact_scope: Option<String>,
    pub environmental_impact: Option<String>,
    pub deaths: Option<i64>,
    pub injured: Option<i64>,
    pub missing: Option<i64>,
    pub houses_collapsed: Option<i64>,
    pub houses_damaged: Option<i64>,
    pub infrastructure_damage: Option<String>,
    pub rescue_status: Option<String>,
    pub measures_taken: Option<String>,
    /// Fields the engine found absent, joined with 、
    pub missing_fields: String,
}

const REPORT_COLS: &str = "id, kind, reporter, reporter_unit, reported_at, occurred_at, place, town, source, nature, course, impact_scope, \
    environmental_impact, deaths, injured, missing, houses_collapsed, houses_damaged, infrastructure_damage, rescue_status, measures_taken, missing_fields";

fn report_row(r: &AnyRow) -> Result<Report> {
    Ok(Report {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        reporter: r.try_get(2)?,
        reporter_unit: r.try_get(3)?,
        reported_at: r.try_get(4)?,
        occurred_at: r.try_get(5)?,
        place: r.try_get(6)?,
        town: r.try_get(7)?,
        source: r.try_get(8)?,
        nature: r.try_get(9)?,
        course: r.try_get(10)?,
        impact_scope: r.try_get(11)?,
        environmental_impact: r.try_get(12)?,
        deaths: r.try_get(13)?,
        injured: r.try_get(14)?,
        missing: r.try_get(15)?,
        houses_collapsed: r.try_get(16)?,
        houses_damaged: r.try_get(17)?,
        infrastructure_damage: r.try_get(18)?,
        rescue_status: r.try_get(19)?,
        measures_taken: r.try_get(20)?,
        missing_fields: r.try_get(21)?,
    })
}

/// Casualty and damage figures summed over all reports so far.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub deaths: i64,
    pub injured: i64,
    pub missing: i64,
    pub houses_collapsed: i64,
    pub houses_damaged: i64,
}

impl Totals {
    pub fn add(&mut self, r: &Report) {
        self.deaths += r.deaths.unwrap_or(0);
        self.injured += r.injured.unwrap_or(0);
        self.missing += r.missing.unwrap_or(0);
        self.houses_collapsed += r.houses_collapsed.unwrap_or(0);
        self.houses_damaged += r.houses_damaged.unwrap_or(0);
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LevelChange {
    pub from_level: Option<String>,
    pub to_level: String,
    pub decided_role: String,
    pub actor: String,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CommandPost {
    pub commander: String,
    pub location: String,
    pub opened_by: String,
    pub opened_at: String,
}

/// A working group of the on-site command post (3.5).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Group {
    pub number: i64,
    pub name: String,
    pub members: String,
    pub leader: String,
    pub tasks: String,
}

/// One row of a measures checklist (4.5.3 or 4.3.3).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Measure {
    pub position: i64,
    pub measure: String,
    pub done_by: Option<String>,
    pub done_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Release {
    pub body: String,
    pub title: String,
    pub content: String,
    pub released_by: String,
    pub released_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Assignment {
    pub resource_id: i64,
    pub kind: String,
    pub name: String,
    pub quantity: i64,
    pub unit: String,
    pub assigned_by: String,
    pub assigned_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub reports: Vec<Report>,
    /// Running totals after each report, in report order.
    pub running: Vec<Totals>,
    pub totals: Totals,
    pub levels: Vec<LevelChange>,
    pub post: Option<CommandPost>,
    pub groups: Vec<Group>,
    pub measures: Vec<Measure>,
    pub releases: Vec<Release>,
    pub assignments: Vec<Assignment>,
}

/// Which incidents a list shows. Drills are never mixed with real incidents.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub drill: bool,
    pub status: Option<String>,
    pub town: Option<String>,
    pub created_by: Option<String>,
    pub q: Option<String>,
    /// A page: at most `limit` rows after `offset`.
    pub limit: Option<i64>,
    pub offset: i64,
}

/// The WHERE clause of a filter; `$1` is the drill flag, then the returned binds.
fn incident_where(f: &IncidentFilter) -> (String, Vec<String>) {
    let mut sql = String::from("drill = $1");
    let mut binds: Vec<String> = Vec::new();
    if let Some(s) = &f.status {
        binds.push(s.clone());
        sql.push_str(&format!(" AND status = ${}", binds.len() + 1));
    }
    if let Some(t) = &f.town {
        binds.push(t.clone());
        sql.push_str(&format!(" AND town = ${}", binds.len() + 1));
    }
    if let Some(c) = &f.created_by {
        binds.push(c.clone());
        sql.push_str(&format!(" AND created_by = ${}", binds.len() + 1));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        binds.push(format!("%{q}%"));
        let n = binds.len() + 1;
        sql.push_str(&format!(" AND (title LIKE ${n} OR incident_type LIKE ${n} OR place LIKE ${n})"));
    }
    (sql, binds)
}

/// Counts for the board: (active, ended) real incidents, or drills.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub active: i64,
    pub ended: i64,
}

async fn bump_board(tx: &mut WriteTx) -> Result<()> {
    sqlx::query("UPDATE emergency_board SET version = version + 1 WHERE id = 1").execute(tx.conn()).await?;
    Ok(())
}

async fn touch(tx: &mut WriteTx, id: i64) -> Result<()> {
    sqlx::query("UPDATE emergency_incidents SET updated_at = $1 WHERE id = $2").bind(crate::now_text()).bind(id).execute(tx.conn()).await?;
    bump_board(tx).await
}

async fn insert_report(tx: &mut WriteTx, incident: i64, r: &Report) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO emergency_reports (incident_id, kind, reporter, reporter_unit, reported_at, occurred_at, place, town, source, nature, \
         course, impact_scope, environmental_impact, deaths, injured, missing, houses_collapsed, houses_damaged, infrastructure_damage, \
         rescue_status, measures_taken, missing_fields) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22) RETURNING id",
    )
    .bind(incident)
    .bind(&r.kind)
    .bind(&r.reporter)
    .bind(&r.reporter_unit)
    .bind(crate::now_text())
    .bind(&r.occurred_at)
    .bind(&r.place)
    .bind(&r.town)
    .bind(&r.source)
    .bind(&r.nature)
    .bind(&r.course)
    .bind(&r.impact_scope)
    .bind(&r.environmental_impact)
    .bind(r.deaths)
    .bind(r.injured)
    .bind(r.missing)
    .bind(r.houses_collapsed)
    .bind(r.houses_damaged)
    .bind(&r.infrastructure_damage)
    .bind(&r.rescue_status)
    .bind(&r.measures_taken)
    .bind(&r.missing_fields)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.try_get(0)?)
}

fn check_counts(r: &Report) -> Result<()> {
    for (name, v) in [
        ("死亡人数", r.deaths),
        ("受伤人数", r.injured),
        ("失踪人数", r.missing),
        ("倒塌房屋", r.houses_collapsed),
        ("损坏房屋", r.houses_damaged),
    ] {
        if v.is_some_and(|n| n < 0) {
            return Err(invalid(format!("{name}不能为负数")));
        }
    }
    Ok(())
}

/// A new resource (应急资源).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Resource {
    pub id: i64,
    /// team | material | expert | shelter
    pub kind: String,
    pub name: String,
    pub town: String,
    /// Specialty of a team, field of an expert, category of a material.
    pub field: String,
    pub quantity: i64,
    pub minimum: i64,
    pub unit: String,
    pub capacity: i64,
    pub contact: String,
    pub note: String,
}

pub const RESOURCE_KINDS: &[(&str, &str)] = &[("team", "应急队伍"), ("material", "应急物资"), ("expert", "专家"), ("shelter", "避难场所")];

/// A plan in the registry (6.2).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Plan {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub issuer: String,
    pub issued_on: String,
    pub filing_body: String,
    pub filing_deadline: String,
    pub filed_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlanDrill {
    pub plan_id: i64,
    pub held_on: String,
    pub form: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlanRevision {
    pub plan_id: i64,
    pub revised_on: String,
    pub trigger_reason: String,
    pub note: String,
}

/// A warning (预警) with the content fields of 4.3.2.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Warning {
    pub id: i64,
    pub incident_type: String,
    pub level: i64,
    pub headline: String,
    /// 可能影响范围、警示事项
    pub description: String,
    /// 可能持续时间
    pub duration: String,
    /// 提醒事宜
    pub heed: String,
    /// 应采取的措施
    pub instruction: String,
    /// 发布机关
    pub issuer: String,
    pub onset: Option<String>,
    pub expires: Option<String>,
    /// Areas, joined with 、
    pub areas: String,
    pub channels: String,
    /// Targeted groups (老、幼、病、残、孕 …)
    pub targeted: String,
    /// Targeted places (学校、养老院、警报盲区 …)
    pub places: String,
    /// draft | approved | issued | adjusted | lifted
    pub state: String,
    pub drill: bool,
    pub current_identifier: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub approved_by: Option<String>,
    pub issued_at: Option<String>,
    pub lifted_at: Option<String>,
    pub updated_at: String,
}

const WARNING_COLS: &str = "id, incident_type, level, headline, description, duration, heed, instruction, issuer, onset, expires, areas, \
    channels, targeted, places, state, drill, current_identifier, created_by, created_at, approved_by, issued_at, lifted_at, updated_at";

fn warning_row(r: &AnyRow) -> Result<Warning> {
    Ok(Warning {
        id: r.try_get(0)?,
        incident_type: r.try_get(1)?,
        level: r.try_get(2)?,
        headline: r.try_get(3)?,
        description: r.try_get(4)?,
        duration: r.try_get(5)?,
        heed: r.try_get(6)?,
        instruction: r.try_get(7)?,
        issuer: r.try_get(8)?,
        onset: r.try_get(9)?,
        expires: r.try_get(10)?,
        areas: r.try_get(11)?,
        channels: r.try_get(12)?,
        targeted: r.try_get(13)?,
        places: r.try_get(14)?,
        state: r.try_get(15)?,
        drill: flag(r, 16)?,
        current_identifier: r.try_get(17)?,
        created_by: r.try_get(18)?,
        created_at: r.try_get(19)?,
        approved_by: r.try_get(20)?,
        issued_at: r.try_get(21)?,
        lifted_at: r.try_get(22)?,
        updated_at: r.try_get(23)?,
    })
}

/// One CAP message sent for a warning.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CapMessage {
    pub identifier: String,
    pub msg_type: String,
    pub sent: String,
    pub refs: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WarningDetail {
    pub warning: Warning,
    pub measures: Vec<Measure>,
    pub messages: Vec<CapMessage>,
}

/// A CAP message to store with a warning's state change.
#[derive(Debug, Clone)]
pub struct Publication {
    pub identifier: String,
    pub msg_type: String,
    pub sent: String,
    pub refs: String,
    pub xml: String,
}

/// What an adjustment changes (4.3.2 调整).
#[derive(Debug, Clone)]
pub struct Adjustment {
    pub level: i64,
    pub headline: String,
    pub description: String,
    pub instruction: String,
    pub expires: Option<String>,
}

/// Renders the feed from the current warnings (issued or adjusted, not
/// drills), each with the CAP message it currently stands on.
pub type FeedRenderer<'a> = &'a (dyn Fn(&[(Warning, CapMessage)]) -> String + Sync);

impl Store {
    // ---------------------------------------------------------------- incidents

    /// Record a new incident with its first information report and its
    /// measures checklist, in one transaction.
    pub async fn emergency_create_incident(&self, actor: &str, n: &NewIncident, first: &Report) -> Result<i64> {
        if n.title.trim().is_empty() {
            return Err(invalid("事件名称不能为空"));
        }
        check_counts(first)?;
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO emergency_incidents (title, incident_type, category, severity, town, place, occurred_at, sensitive, \
             key_area_or_period, may_escalate, lead_departments, command_body, needs_designation, checklist, suggested_level, \
             suggested_decided_by, report_to_city, skip_level_report, explanation, drill, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 'active', $21, $22, $22) RETURNING id",
        )
        .bind(n.title.trim())
        .bind(&n.incident_type)
        .bind(&n.category)
        .bind(&n.severity)
        .bind(&n.town)
        .bind(&n.place)
        .bind(&n.occurred_at)
        .bind(n.sensitive as i64)
        .bind(n.key_area_or_period as i64)
        .bind(n.may_escalate as i64)
        .bind(n.lead_departments.join("、"))
        .bind(&n.command_body)
        .bind(n.needs_designation as i64)
        .bind(&n.checklist)
        .bind(&n.suggested_level)
        .bind(&n.suggested_decided_by)
        .bind(n.report_to_city as i64)
        .bind(n.skip_level_report as i64)
        .bind(n.explanation.join("\n"))
        .bind(n.drill as i64)
        .bind(actor)
        .bind(&now)
        .fetch_one(tx.conn())
        .await?;
        let id: i64 = row.try_get(0)?;
        insert_report(&mut tx, id, first).await?;
        for (i, m) in n.measures.iter().enumerate() {
            sqlx::query("INSERT INTO emergency_measures (incident_id, position, measure) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(i as i64 + 1)
                .bind(m)
                .execute(tx.conn())
                .await?;
        }
        bump_board(&mut tx).await?;
        tx.audit(actor, "report", "emergency_incident", &id.to_string(), None, json(&(n, first)).as_ref()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A follow-up report (续报) on an active incident.
    pub async fn emergency_add_report(&self, actor: &str, id: i64, r: &Report) -> Result<i64> {
        check_counts(r)?;
        let inc = self.emergency_incident(id).await?;
        if inc.status != "active" {
            return Err(invalid("事件已结束，不能再续报"));
        }
        let mut tx = self.begin_write().await?;
        let rid = insert_report(&mut tx, id, r).await?;
        touch(&mut tx, id).await?;
        tx.audit(actor, "follow_up", "emergency_incident", &id.to_string(), None, json(r).as_ref()).await?;
        tx.commit().await?;
        Ok(rid)
    }

    pub async fn emergency_incident(&self, id: i64) -> Result<Incident> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {INCIDENT_COLS} FROM emergency_incidents WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("事件 {id}")))?;
        incident_row(&r)
    }

    /// Incidents, newest first; drills only when `f.drill`, real ones otherwise.
    pub async fn emergency_incidents(&self, f: &IncidentFilter) -> Result<Vec<Incident>> {
        let (cond, binds) = incident_where(f);
        let mut sql = format!("SELECT {INCIDENT_COLS} FROM emergency_incidents WHERE {cond} ORDER BY id DESC");
        if let Some(n) = f.limit {
            sql.push_str(&format!(" LIMIT {} OFFSET {}", n.max(0), f.offset.max(0)));
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(f.drill as i64);
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(incident_row).collect()
    }

    /// How many incidents the filter matches (ignoring its page).
    pub async fn emergency_incident_count(&self, f: &IncidentFilter) -> Result<i64> {
        let (cond, binds) = incident_where(f);
        let mut query =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM emergency_incidents WHERE {cond}"))).bind(f.drill as i64);
        for b in &binds {
            query = query.bind(b);
        }
        Ok(query.fetch_one(self.pool()).await?.try_get(0)?)
    }

    /// Active and ended incidents, real or drills, never mixed.
    pub async fn emergency_counts(&self, drill: bool) -> Result<Counts> {
        let rows = sqlx::query("SELECT status, COUNT(*) FROM emergency_incidents WHERE drill = $1 GROUP BY status")
            .bind(drill as i64)
            .fetch_all(self.pool())
            .await?;
        let mut c = Counts::default();
        for r in rows {
            let s: String = r.try_get(0)?;
            let n: i64 = r.try_get(1)?;
            if s == "active" {
                c.active = n;
            } else {
                c.ended += n;
            }
        }
        Ok(c)
    }

    pub async fn emergency_incident_detail(&self, id: i64) -> Result<IncidentDetail> {
        let incident = self.emergency_incident(id).await?;
        let p = self.pool();
        let reports: Vec<Report> =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {REPORT_COLS} FROM emergency_reports WHERE incident_id = $1 ORDER BY id")))
                .bind(id)
                .fetch_all(p)
                .await?
                .iter()
                .map(report_row)
                .collect::<Result<_>>()?;
        let mut totals = Totals::default();
        let running = reports
            .iter()
            .map(|r| {
                totals.add(r);
                totals
            })
            .collect();
        let levels = sqlx::query(
            "SELECT from_level, to_level, decided_role, actor, reason, at FROM emergency_level_changes WHERE incident_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            Ok(LevelChange {
                from_level: r.try_get(0)?,
                to_level: r.try_get(1)?,
                decided_role: r.try_get(2)?,
                actor: r.try_get(3)?,
                reason: r.try_get(4)?,
                at: r.try_get(5)?,
            })
        })
        .collect::<Result<_>>()?;
        let post = sqlx::query("SELECT commander, location, opened_by, opened_at FROM emergency_command_posts WHERE incident_id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?
            .map(|r| -> Result<CommandPost> {
                Ok(CommandPost { commander: r.try_get(0)?, location: r.try_get(1)?, opened_by: r.try_get(2)?, opened_at: r.try_get(3)? })
            })
            .transpose()?;
        let groups =
            sqlx::query("SELECT number, name, members, leader, tasks FROM emergency_groups WHERE incident_id = $1 ORDER BY number")
                .bind(id)
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| {
                    Ok(Group {
                        number: r.try_get(0)?,
                        name: r.try_get(1)?,
                        members: r.try_get(2)?,
                        leader: r.try_get(3)?,
                        tasks: r.try_get(4)?,
                    })
                })
                .collect::<Result<_>>()?;
        let measures = measures_of(self, "emergency_measures", "incident_id", id).await?;
        let releases =
            sqlx::query("SELECT body, title, content, released_by, released_at FROM emergency_releases WHERE incident_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| {
                    Ok(Release {
                        body: r.try_get(0)?,
                        title: r.try_get(1)?,
                        content: r.try_get(2)?,
                        released_by: r.try_get(3)?,
                        released_at: r.try_get(4)?,
                    })
                })
                .collect::<Result<_>>()?;
        let assignments = sqlx::query(
            "SELECT a.resource_id, r.kind, r.name, a.quantity, r.unit, a.assigned_by, a.assigned_at FROM emergency_assignments a \
             JOIN emergency_resources r ON r.id = a.resource_id WHERE a.incident_id = $1 ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(p)
        .await?
        .iter()
        .map(|r| {
            Ok(Assignment {
                resource_id: r.try_get(0)?,
                kind: r.try_get(1)?,
                name: r.try_get(2)?,
                quantity: r.try_get(3)?,
                unit: r.try_get(4)?,
                assigned_by: r.try_get(5)?,
                assigned_at: r.try_get(6)?,
            })
        })
        .collect::<Result<_>>()?;
        Ok(IncidentDetail { incident, reports, running, totals, levels, post, groups, measures, releases, assignments })
    }

    /// Decide, raise or lower the response level. The caller has checked that
    /// `role` is the one the plan names for `to`.
    pub async fn emergency_set_level(&self, actor: &str, id: i64, to: &str, role: &str, reason: &str) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(invalid("请填写决定或调整响应级别的理由"));
        }
        let inc = self.emergency_incident(id).await?;
        if inc.status != "active" {
            return Err(invalid("事件已结束，不能调整响应级别"));
        }
        if inc.response_level.as_deref() == Some(to) {
            return Err(invalid(format!("响应级别已是 {to}")));
        }
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE emergency_incidents SET response_level = $1, level_decided_by = $2, level_decided_user = $3 WHERE id = $4")
            .bind(to)
            .bind(role)
            .bind(actor)
            .bind(id)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO emergency_level_changes (incident_id, from_level, to_level, decided_role, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&inc.response_level)
        .bind(to)
        .bind(role)
        .bind(actor)
        .bind(reason.trim())
        .bind(&now)
        .execute(tx.conn())
        .await?;
        touch(&mut tx, id).await?;
        let before = serde_json::json!({"response_level": inc.response_level, "decided_by": inc.level_decided_by});
        let after = serde_json::json!({"response_level": to, "decided_by": role, "reason": reason.trim()});
        tx.audit(actor, "set_level", "emergency_incident", &id.to_string(), Some(&before), Some(&after)).await?;
        tx.commit().await
    }

    /// The report to the city government was made (4.4(3)).
    pub async fn emergency_mark_city_reported(&self, actor: &str, id: i64) -> Result<()> {
        let inc = self.emergency_incident(id).await?;
        if inc.city_reported_at.is_some() {
            return Err(invalid("已登记向市政府报告"));
        }
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE emergency_incidents SET city_reported_at = $1 WHERE id = $2").bind(&now).bind(id).execute(tx.conn()).await?;
        touch(&mut tx, id).await?;
        tx.audit(actor, "report_to_city", "emergency_incident", &id.to_string(), None, Some(&serde_json::json!({"at": now}))).await?;
        tx.commit().await
    }

    /// Open the on-site command post with its working groups (3.5).
    pub async fn emergency_open_post(&self, actor: &str, id: i64, commander: &str, location: &str, groups: &[Group]) -> Result<()> {
        if commander.trim().is_empty() {
            return Err(invalid("请填写现场指挥官"));
        }
        if groups.is_empty() {
            return Err(invalid("请至少选择一个工作组"));
        }
        let inc = self.emergency_incident(id).await?;
        if inc.status != "active" {
            return Err(invalid("事件已结束"));
        }
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query("SELECT 1 FROM emergency_command_posts WHERE incident_id = $1").bind(id).fetch_optional(tx.conn()).await?;
        if exists.is_some() {
            return Err(StoreError::Conflict("现场指挥部已成立".into()));
        }
        sqlx::query(
            "INSERT INTO emergency_command_posts (incident_id, commander, location, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(commander.trim())
        .bind(location.trim())
        .bind(actor)
        .bind(crate::now_text())
        .execute(tx.conn())
        .await?;
        for g in groups {
            sqlx::query("INSERT INTO emergency_groups (incident_id, number, name, members, leader, tasks) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id)
                .bind(g.number)
                .bind(&g.name)
                .bind(&g.members)
                .bind(&g.leader)
                .bind(&g.tasks)
                .execute(tx.conn())
                .await?;
        }
        touch(&mut tx, id).await?;
        let after = serde_json::json!({"commander": commander.trim(), "location": location.trim(), "groups": groups});
        tx.audit(actor, "open_command_post", "emergency_incident", &id.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }

    /// Set a working group's leader and tasks.
    pub async fn emergency_set_group(&self, actor: &str, id: i64, number: i64, leader: &str, tasks: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = sqlx::query("SELECT leader, tasks FROM emergency_groups WHERE incident_id = $1 AND number = $2")
            .bind(id)
            .bind(number)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("工作组 {number}")))?;
        let before = serde_json::json!({"leader": before.try_get::<String, _>(0)?, "tasks": before.try_get::<String, _>(1)?});
        sqlx::query("UPDATE emergency_groups SET leader = $1, tasks = $2 WHERE incident_id = $3 AND number = $4")
            .bind(leader.trim())
            .bind(tasks.trim())
            .bind(id)
            .bind(number)
            .execute(tx.conn())
            .await?;
        touch(&mut tx, id).await?;
        let after = serde_json::json!({"group": number, "leader": leader.trim(), "tasks": tasks.trim()});
        tx.audit(actor, "set_group", "emergency_incident", &id.to_string(), Some(&before), Some(&after)).await?;
        tx.commit().await
    }

    /// Tick a response measure as taken, by whom and when.
    pub async fn emergency_tick_measure(&self, actor: &str, id: i64, position: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("SELECT measure, done_by FROM emergency_measures WHERE incident_id = $1 AND position = $2")
            .bind(id)
            .bind(position)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("措施 {position}")))?;
        if r.try_get::<Option<String>, _>(1)?.is_some() {
            return Err(invalid("该措施已登记落实"));
        }
        let measure: String = r.try_get(0)?;
        let now = crate::now_text();
        sqlx::query("UPDATE emergency_measures SET done_by = $1, done_at = $2 WHERE incident_id = $3 AND position = $4")
            .bind(actor)
            .bind(&now)
            .bind(id)
            .bind(position)
            .execute(tx.conn())
            .await?;
        touch(&mut tx, id).await?;
        let after = serde_json::json!({"position": position, "measure": measure, "done_at": now});
        tx.audit(actor, "tick_measure", "emergency_incident", &id.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }

    /// An information release (4.5.4) in the name of the command body.
    pub async fn emergency_release(&self, actor: &str, id: i64, body: &str, title: &str, content: &str) -> Result<()> {
        if title.trim().is_empty() || content.trim().is_empty() {
            return Err(invalid("发布标题和内容不能为空"));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO emergency_releases (incident_id, body, title, content, released_by, released_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(body)
        .bind(title.trim())
        .bind(content.trim())
        .bind(actor)
        .bind(crate::now_text())
        .execute(tx.conn())
        .await?;
        touch(&mut tx, id).await?;
        let after = serde_json::json!({"body": body, "title": title.trim(), "content": content.trim()});
        tx.audit(actor, "release", "emergency_incident", &id.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }

    /// The district's request to the city to declare a state of emergency (4.5.5).
    pub async fn emergency_request_state(&self, actor: &str, id: i64, text: &str) -> Result<()> {
        if text.trim().is_empty() {
            return Err(invalid("请填写请求事由"));
        }
        let inc = self.emergency_incident(id).await?;
        if inc.status != "active" {
            return Err(invalid("事件已结束"));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE emergency_incidents SET emergency_state_request = $1, emergency_state_requested_at = $2 WHERE id = $3")
            .bind(text.trim())
            .bind(crate::now_text())
            .bind(id)
            .execute(tx.conn())
            .await?;
        touch(&mut tx, id).await?;
        let after = serde_json::json!({"request": text.trim()});
        tx.audit(actor, "request_emergency_state", "emergency_incident", &id.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }

    /// End the emergency (4.5.6): only with all three conditions checked.
    pub async fn emergency_end(&self, actor: &str, id: i64, onsite: bool, no_secondary: bool, experts: bool, note: &str) -> Result<()> {
        let mut missing = Vec::new();
        if !onsite {
            missing.push("现场应急处置工作已经完成或者相关威胁和危害得到控制");
        }
        if !no_secondary {
            missing.push("次生、衍生事件危害基本消除");
        }
        if !experts {
            missing.push("专家组评估同意");
        }
        if !missing.is_empty() {
            return Err(invalid(format!("结束应急响应的条件未满足：{}（山政发〔2022〕8号 4.5.6）", missing.join("；"))));
        }
        let inc = self.emergency_incident(id).await?;
        if inc.status != "active" {
            return Err(invalid("事件已结束"));
        }
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE emergency_incidents SET status = 'ended', end_onsite_done = 1, end_no_secondary = 1, end_experts_agree = 1, end_note = $1, \
             ended_at = $2, ended_by = $3 WHERE id = $4",
        )
        .bind(note.trim())
        .bind(&now)
        .bind(actor)
        .bind(id)
        .execute(tx.conn())
        .await?;
        touch(&mut tx, id).await?;
        let after = serde_json::json!({"status": "ended", "note": note.trim(), "at": now});
        tx.audit(actor, "end", "emergency_incident", &id.to_string(), Some(&serde_json::json!({"status": "active"})), Some(&after)).await?;
        tx.commit().await
    }

    /// Aftermath, evaluation report and recovery plan (4.6).
    pub async fn emergency_set_recovery(&self, actor: &str, id: i64, aftermath: &str, evaluation: &str, recovery: &str) -> Result<()> {
        let inc = self.emergency_incident(id).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE emergency_incidents SET aftermath = $1, evaluation = $2, recovery = $3 WHERE id = $4")
            .bind(aftermath.trim())
            .bind(evaluation.trim())
            .bind(recovery.trim())
            .bind(id)
            .execute(tx.conn())
            .await?;
        touch(&mut tx, id).await?;
        let before = serde_json::json!({"aftermath": inc.aftermath, "evaluation": inc.evaluation, "recovery": inc.recovery});
        let after = serde_json::json!({"aftermath": aftermath.trim(), "evaluation": evaluation.trim(), "recovery": recovery.trim()});
        tx.audit(actor, "recovery", "emergency_incident", &id.to_string(), Some(&before), Some(&after)).await?;
        tx.commit().await
    }

    /// Bumped by every incident change; the live board polls it.
    pub async fn emergency_board_version(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT version FROM emergency_board WHERE id = 1").fetch_one(self.pool()).await?.try_get(0)?)
    }

    /// Real incidents ended in `year` that have no evaluation report yet (4.6, Q1 evaluation).
    pub async fn emergency_unevaluated(&self, year: i16) -> Result<Vec<Incident>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INCIDENT_COLS} FROM emergency_incidents WHERE drill = 0 AND status = 'ended' AND ended_at LIKE $1 AND evaluation = '' ORDER BY id"
        )))
        .bind(format!("{year}-%"))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(incident_row).collect()
    }

    // ---------------------------------------------------------------- resources

    pub async fn emergency_add_resource(&self, actor: &str, r: &Resource) -> Result<i64> {
        if !RESOURCE_KINDS.iter().any(|(k, _)| *k == r.kind) {
            return Err(invalid(format!("资源类别“{}”不正确", r.kind)));
        }
        if r.name.trim().is_empty() {
            return Err(invalid("资源名称不能为空"));
        }
        if r.quantity < 0 || r.minimum < 0 || r.capacity < 0 {
            return Err(invalid("数量、最低储备和容量不能为负数"));
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO emergency_resources (kind, name, town, field, quantity, minimum, unit, capacity, contact, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&r.kind)
        .bind(r.name.trim())
        .bind(r.town.trim())
        .bind(r.field.trim())
        .bind(r.quantity)
        .bind(r.minimum)
        .bind(r.unit.trim())
        .bind(r.capacity)
        .bind(r.contact.trim())
        .bind(r.note.trim())
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        tx.audit(actor, "add_resource", "emergency_resource", &id.to_string(), None, json(r).as_ref()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Resources by kind and free text (name, field, town).
    pub async fn emergency_resources(&self, kind: Option<&str>, q: Option<&str>) -> Result<Vec<Resource>> {
        let q = format!("%{}%", q.unwrap_or("").trim());
        let rows = sqlx::query(
            "SELECT id, kind, name, town, field, quantity, minimum, unit, capacity, contact, note FROM emergency_resources \
             WHERE ($1 = '' OR kind = $1) AND (name LIKE $2 OR field LIKE $2 OR town LIKE $2) ORDER BY kind, id",
        )
        .bind(kind.unwrap_or(""))
        .bind(&q)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Resource {
                    id: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    name: r.try_get(2)?,
                    town: r.try_get(3)?,
                    field: r.try_get(4)?,
                    quantity: r.try_get(5)?,
                    minimum: r.try_get(6)?,
                    unit: r.try_get(7)?,
                    capacity: r.try_get(8)?,
                    contact: r.try_get(9)?,
                    note: r.try_get(10)?,
                })
            })
            .collect()
    }

    /// Assign a resource to an incident; materials leave the reserve.
    pub async fn emergency_assign(&self, actor: &str, incident: i64, resource: i64, quantity: i64) -> Result<()> {
        let inc = self.emergency_incident(incident).await?;
        if inc.status != "active" {
            return Err(invalid("事件已结束"));
        }
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("SELECT kind, name, quantity FROM emergency_resources WHERE id = $1")
            .bind(resource)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("资源 {resource}")))?;
        let kind: String = r.try_get(0)?;
        let stock: i64 = r.try_get(2)?;
        if kind == "material" {
            if quantity <= 0 {
                return Err(invalid("调用物资数量应大于0"));
            }
            if quantity > stock {
                return Err(invalid(format!("库存不足：现有 {stock}，调用 {quantity}")));
            }
            sqlx::query("UPDATE emergency_resources SET quantity = quantity - $1 WHERE id = $2")
                .bind(quantity)
                .bind(resource)
                .execute(tx.conn())
                .await?;
        }
        sqlx::query(
            "INSERT INTO emergency_assignments (incident_id, resource_id, quantity, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(incident)
        .bind(resource)
        .bind(quantity.max(0))
        .bind(actor)
        .bind(crate::now_text())
        .execute(tx.conn())
        .await?;
        touch(&mut tx, incident).await?;
        let after = serde_json::json!({"resource": resource, "name": r.try_get::<String, _>(1)?, "quantity": quantity});
        tx.audit(actor, "assign_resource", "emergency_incident", &incident.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }

    // ---------------------------------------------------------------- plans

    /// Register a plan; the caller computed the filing deadline from the calendar.
    pub async fn emergency_add_plan(&self, actor: &str, p: &Plan) -> Result<i64> {
        if p.name.trim().is_empty() || p.issuer.trim().is_empty() {
            return Err(invalid("预案名称和印发单位不能为空"));
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO emergency_plans (kind, name, issuer, issued_on, filing_body, filing_deadline, filed_on, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&p.kind)
        .bind(p.name.trim())
        .bind(p.issuer.trim())
        .bind(&p.issued_on)
        .bind(&p.filing_body)
        .bind(&p.filing_deadline)
        .bind(&p.filed_on)
        .bind(actor)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        tx.audit(actor, "add_plan", "emergency_plan", &id.to_string(), None, json(p).as_ref()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn emergency_plans(&self) -> Result<Vec<Plan>> {
        let rows = sqlx::query(
            "SELECT id, kind, name, issuer, issued_on, filing_body, filing_deadline, filed_on FROM emergency_plans ORDER BY issued_on DESC, id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Plan {
                    id: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    name: r.try_get(2)?,
                    issuer: r.try_get(3)?,
                    issued_on: r.try_get(4)?,
                    filing_body: r.try_get(5)?,
                    filing_deadline: r.try_get(6)?,
                    filed_on: r.try_get(7)?,
                })
            })
            .collect()
    }

    pub async fn emergency_file_plan(&self, actor: &str, id: i64, filed_on: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let cur: Option<String> = sqlx::query("SELECT filed_on FROM emergency_plans WHERE id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("预案 {id}")))?
            .try_get(0)?;
        if cur.is_some() {
            return Err(invalid("该预案已备案"));
        }
        sqlx::query("UPDATE emergency_plans SET filed_on = $1 WHERE id = $2").bind(filed_on).bind(id).execute(tx.conn()).await?;
        tx.audit(actor, "file_plan", "emergency_plan", &id.to_string(), None, Some(&serde_json::json!({"filed_on": filed_on}))).await?;
        tx.commit().await
    }

    pub async fn emergency_add_drill(&self, actor: &str, d: &PlanDrill) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO emergency_plan_drills (plan_id, held_on, form, note) VALUES ($1, $2, $3, $4)")
            .bind(d.plan_id)
            .bind(&d.held_on)
            .bind(&d.form)
            .bind(d.note.trim())
            .execute(tx.conn())
            .await?;
        tx.audit(actor, "plan_drill", "emergency_plan", &d.plan_id.to_string(), None, json(d).as_ref()).await?;
        tx.commit().await
    }

    pub async fn emergency_add_revision(&self, actor: &str, r: &PlanRevision) -> Result<()> {
        if r.trigger_reason.trim().is_empty() {
            return Err(invalid("请选择修订原因"));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO emergency_plan_revisions (plan_id, revised_on, trigger_reason, note) VALUES ($1, $2, $3, $4)")
            .bind(r.plan_id)
            .bind(&r.revised_on)
            .bind(&r.trigger_reason)
            .bind(r.note.trim())
            .execute(tx.conn())
            .await?;
        tx.audit(actor, "plan_revision", "emergency_plan", &r.plan_id.to_string(), None, json(r).as_ref()).await?;
        tx.commit().await
    }

    pub async fn emergency_plan_history(&self) -> Result<(Vec<PlanDrill>, Vec<PlanRevision>)> {
        let drills = sqlx::query("SELECT plan_id, held_on, form, note FROM emergency_plan_drills ORDER BY held_on")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(PlanDrill { plan_id: r.try_get(0)?, held_on: r.try_get(1)?, form: r.try_get(2)?, note: r.try_get(3)? }))
            .collect::<Result<_>>()?;
        let revisions = sqlx::query("SELECT plan_id, revised_on, trigger_reason, note FROM emergency_plan_revisions ORDER BY revised_on")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(PlanRevision { plan_id: r.try_get(0)?, revised_on: r.try_get(1)?, trigger_reason: r.try_get(2)?, note: r.try_get(3)? })
            })
            .collect::<Result<_>>()?;
        Ok((drills, revisions))
    }

    // ---------------------------------------------------------------- warnings

    /// Draft a warning with its level's measures as a checklist.
    pub async fn emergency_create_warning(&self, actor: &str, w: &Warning, measures: &[String]) -> Result<i64> {
        if w.headline.trim().is_empty() || w.description.trim().is_empty() {
            return Err(invalid("预警标题和内容不能为空"));
        }
        if w.areas.trim().is_empty() {
            return Err(invalid("请选择预警区域"));
        }
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO emergency_warnings (incident_type, level, headline, description, duration, heed, instruction, issuer, onset, expires, \
             areas, channels, targeted, places, state, drill, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', $15, $16, $17, $17) RETURNING id",
        )
        .bind(&w.incident_type)
        .bind(w.level)
        .bind(w.headline.trim())
        .bind(w.description.trim())
        .bind(w.duration.trim())
        .bind(w.heed.trim())
        .bind(w.instruction.trim())
        .bind(w.issuer.trim())
        .bind(&w.onset)
        .bind(&w.expires)
        .bind(&w.areas)
        .bind(&w.channels)
        .bind(&w.targeted)
        .bind(&w.places)
        .bind(w.drill as i64)
        .bind(actor)
        .bind(&now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        for (i, m) in measures.iter().enumerate() {
            sqlx::query("INSERT INTO emergency_warning_measures (warning_id, position, measure) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(i as i64 + 1)
                .bind(m)
                .execute(tx.conn())
                .await?;
        }
        tx.audit(actor, "draft", "emergency_warning", &id.to_string(), None, json(w).as_ref()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn emergency_warning(&self, id: i64) -> Result<Warning> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {WARNING_COLS} FROM emergency_warnings WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("预警 {id}")))?;
        warning_row(&r)
    }

    pub async fn emergency_warning_detail(&self, id: i64) -> Result<WarningDetail> {
        let warning = self.emergency_warning(id).await?;
        let measures = measures_of(self, "emergency_warning_measures", "warning_id", id).await?;
        let messages =
            sqlx::query("SELECT identifier, msg_type, sent, refs FROM emergency_cap_messages WHERE warning_id = $1 ORDER BY sent")
                .bind(id)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| Ok(CapMessage { identifier: r.try_get(0)?, msg_type: r.try_get(1)?, sent: r.try_get(2)?, refs: r.try_get(3)? }))
                .collect::<Result<_>>()?;
        Ok(WarningDetail { warning, measures, messages })
    }

    /// Warnings, newest first; `current` = issued or adjusted, not drills.
    pub async fn emergency_warnings(&self, current: bool) -> Result<Vec<Warning>> {
        let cond = if current { "WHERE state IN ('issued', 'adjusted') AND drill = 0" } else { "" };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {WARNING_COLS} FROM emergency_warnings {cond} ORDER BY id DESC")))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(warning_row).collect()
    }

    pub async fn emergency_approve_warning(&self, actor: &str, id: i64) -> Result<()> {
        let w = self.emergency_warning(id).await?;
        if w.state != "draft" {
            return Err(invalid("只有草稿状态的预警可以审批"));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE emergency_warnings SET state = 'approved', approved_by = $1, updated_at = $2 WHERE id = $3 AND state = 'draft'",
        )
        .bind(actor)
        .bind(crate::now_text())
        .bind(id)
        .execute(tx.conn())
        .await?;
        tx.audit(
            actor,
            "approve",
            "emergency_warning",
            &id.to_string(),
            Some(&serde_json::json!({"state": "draft"})),
            Some(&serde_json::json!({"state": "approved"})),
        )
        .await?;
        tx.commit().await
    }

    /// Issue (from approved), adjust (from issued/adjusted) or lift a warning:
    /// store its CAP message, move the state, and rewrite the feed, all in
    /// one transaction so the feed never disagrees with the warnings.
    pub async fn emergency_publish_warning(
        &self,
        actor: &str,
        id: i64,
        to_state: &str,
        msg: &Publication,
        adjust: Option<&Adjustment>,
        render_feed: FeedRenderer<'_>,
    ) -> Result<()> {
        let w = self.emergency_warning(id).await?;
        let allowed = match to_state {
            "issued" => w.state == "approved",
            "adjusted" | "lifted" => w.state == "issued" || w.state == "adjusted",
            _ => false,
        };
        if !allowed {
            return Err(invalid(format!("预警当前状态为 {}，不能{}", w.state, to_state)));
        }
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO emergency_cap_messages (identifier, warning_id, msg_type, sent, refs, xml) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&msg.identifier)
        .bind(id)
        .bind(&msg.msg_type)
        .bind(&msg.sent)
        .bind(&msg.refs)
        .bind(&msg.xml)
        .execute(tx.conn())
        .await?;
        let moved = sqlx::query(
            "UPDATE emergency_warnings SET state = $1, current_identifier = $2, updated_at = $3, \
             issued_at = CASE WHEN $1 = 'issued' THEN $3 ELSE issued_at END, lifted_at = CASE WHEN $1 = 'lifted' THEN $3 ELSE lifted_at END \
             WHERE id = $4 AND state = $5",
        )
        .bind(to_state)
        .bind(&msg.identifier)
        .bind(&now)
        .bind(id)
        .bind(&w.state)
        .execute(tx.conn())
        .await?;
        if moved.rows_affected() != 1 {
            return Err(StoreError::Conflict("预警状态已被他人更改，请刷新后重试".into()));
        }
        if let Some(a) = adjust {
            sqlx::query(
                "UPDATE emergency_warnings SET level = $1, headline = $2, description = $3, instruction = $4, expires = $5 WHERE id = $6",
            )
            .bind(a.level)
            .bind(a.headline.trim())
            .bind(a.description.trim())
            .bind(a.instruction.trim())
            .bind(&a.expires)
            .bind(id)
            .execute(tx.conn())
            .await?;
        }
        rewrite_feed(&mut tx, render_feed).await?;
        let after = serde_json::json!({"state": to_state, "identifier": msg.identifier, "msg_type": msg.msg_type, "references": msg.refs,
            "level": adjust.map(|a| a.level)});
        tx.audit(actor, to_state, "emergency_warning", &id.to_string(), Some(&serde_json::json!({"state": w.state})), Some(&after)).await?;
        tx.commit().await
    }

    /// Re-render the feed (e.g. on first start, before any warning).
    pub async fn emergency_refresh_feed(&self, render_feed: FeedRenderer<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        rewrite_feed(&mut tx, render_feed).await?;
        tx.commit().await
    }

    pub async fn emergency_tick_warning_measure(&self, actor: &str, id: i64, position: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("SELECT measure, done_by FROM emergency_warning_measures WHERE warning_id = $1 AND position = $2")
            .bind(id)
            .bind(position)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("措施 {position}")))?;
        if r.try_get::<Option<String>, _>(1)?.is_some() {
            return Err(invalid("该措施已登记落实"));
        }
        let now = crate::now_text();
        sqlx::query("UPDATE emergency_warning_measures SET done_by = $1, done_at = $2 WHERE warning_id = $3 AND position = $4")
            .bind(actor)
            .bind(&now)
            .bind(id)
            .bind(position)
            .execute(tx.conn())
            .await?;
        let after = serde_json::json!({"position": position, "measure": r.try_get::<String, _>(0)?, "done_at": now});
        tx.audit(actor, "tick_measure", "emergency_warning", &id.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }

    /// A stored CAP message's XML, by identifier.
    pub async fn emergency_cap_xml(&self, identifier: &str) -> Result<Option<String>> {
        let r = sqlx::query("SELECT xml FROM emergency_cap_messages WHERE identifier = $1")
            .bind(identifier)
            .fetch_optional(self.pool())
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }

    /// The rendered feed and its version (one primary-key read).
    pub async fn emergency_feed(&self) -> Result<Option<(i64, String)>> {
        let r = sqlx::query("SELECT version, body FROM emergency_feed WHERE id = 1").fetch_optional(self.pool()).await?;
        r.map(|r| -> Result<(i64, String)> { Ok((r.try_get(0)?, r.try_get(1)?)) }).transpose()
    }

    pub async fn emergency_feed_version(&self) -> Result<i64> {
        let r = sqlx::query("SELECT version FROM emergency_feed WHERE id = 1").fetch_optional(self.pool()).await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
    }
}

async fn measures_of(store: &Store, table: &str, key: &str, id: i64) -> Result<Vec<Measure>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT position, measure, done_by, done_at FROM {table} WHERE {key} = $1 ORDER BY position"
    )))
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok(Measure { position: r.try_get(0)?, measure: r.try_get(1)?, done_by: r.try_get(2)?, done_at: r.try_get(3)? }))
        .collect()
}

async fn rewrite_feed(tx: &mut WriteTx, render: FeedRenderer<'_>) -> Result<()> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, m.identifier, m.msg_type, m.sent, m.refs FROM emergency_warnings w JOIN emergency_cap_messages m ON m.identifier = w.current_identifier \
         WHERE w.state IN ('issued', 'adjusted') AND w.drill = 0 ORDER BY m.sent DESC, w.id DESC",
        WARNING_COLS.split(", ").map(|c| format!("w.{c}")).collect::<Vec<_>>().join(", ")
    )))
    .fetch_all(tx.conn())
    .await?;
    let current = rows
        .iter()
        .map(|r| {
            let w = warning_row(r)?;
            let m = CapMessage { identifier: r.try_get(24)?, msg_type: r.try_get(25)?, sent: r.try_get(26)?, refs: r.try_get(27)? };
            Ok((w, m))
        })
        .collect::<Result<Vec<_>>>()?;
    let body = render(&current);
    sqlx::query(
        "INSERT INTO emergency_feed (id, version, body) VALUES (1, 1, $1) ON CONFLICT (id) DO UPDATE SET version = emergency_feed.version + 1, body = $1",
    )
    .bind(&body)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Demo data for `serve --demo` needs the engine; it is seeded by the web
/// module (`web::modules::emergency::seed_demo`).
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
