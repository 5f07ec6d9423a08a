//! Incidents (突发事件): the routing of their first report, the response level
//! in force and who decided it (1.6), the end of the emergency (4.5.6) and
//! recovery (4.6).

use emergency::{IncidentStatus, ResponseLevel, Severity};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::reports::{Report, Totals, insert_report};
use super::{
    Assignment, Checklist, CommandPost, Group, Measure, Release, code, flag, insert_measures, invalid, json, measures_of, opt_code, raced,
    split_units,
};
use crate::{Result, Store, StoreError, WriteTx};

/// What an incident's first report and the engine's routing fixed (附件,
/// 1.6, 4.4): written once when the incident is recorded, never changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Routing {
    pub title: String,
    pub incident_type: String,
    pub category: Option<String>,
    pub severity: Severity,
    pub town: String,
    /// The village it was reported from, when a village agent reported it.
    pub village: Option<String>,
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
    /// The engine's suggestion and who it says decides it.
    pub suggested_level: ResponseLevel,
    pub suggested_decided_by: String,
    pub report_to_city: bool,
    pub skip_level_report: bool,
    /// The engine's explanation, one line per step.
    pub explanation: String,
    pub drill: bool,
}

impl Routing {
    pub fn leads(&self) -> Vec<String> {
        split_units(&self.lead_departments)
    }
}

/// An incident (突发事件): its routing and what was decided and done since.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Incident {
    pub id: i64,
    #[serde(flatten)]
    pub routing: Routing,
    /// The level in force, once decided.
    pub response_level: Option<ResponseLevel>,
    pub level_decided_by: Option<String>,
    pub level_decided_user: Option<String>,
    pub city_reported_at: Option<String>,
    pub status: IncidentStatus,
    pub emergency_state_request: Option<String>,
    pub emergency_state_requested_at: Option<String>,
    /// The 4.5.6 conditions confirmed when it ended, as the policy words them.
    pub end_conditions: String,
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

/// An incident reads as its routing too (`i.town`, `i.title`).
impl std::ops::Deref for Incident {
    type Target = Routing;
    fn deref(&self) -> &Routing {
        &self.routing
    }
}

impl Incident {
    pub fn is_active(&self) -> bool {
        self.status == IncidentStatus::Active
    }
}

fn decode(e: StoreError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

impl sqlx::FromRow<'_, AnyRow> for Routing {
    fn from_row(r: &AnyRow) -> sqlx::Result<Routing> {
        Ok(Routing {
            title: r.try_get("title")?,
            incident_type: r.try_get("incident_type")?,
            category: r.try_get("category")?,
            severity: code(r, "severity").map_err(decode)?,
            town: r.try_get("town")?,
            village: r.try_get("village")?,
            place: r.try_get("place")?,
            occurred_at: r.try_get("occurred_at")?,
            sensitive: flag(r, "sensitive").map_err(decode)?,
            key_area_or_period: flag(r, "key_area_or_period").map_err(decode)?,
            may_escalate: flag(r, "may_escalate").map_err(decode)?,
            lead_departments: r.try_get("lead_departments")?,
            command_body: r.try_get("command_body")?,
            needs_designation: flag(r, "needs_designation").map_err(decode)?,
            checklist: r.try_get("checklist")?,
            suggested_level: code(r, "suggested_level").map_err(decode)?,
            suggested_decided_by: r.try_get("suggested_decided_by")?,
            report_to_city: flag(r, "report_to_city").map_err(decode)?,
            skip_level_report: flag(r, "skip_level_report").map_err(decode)?,
            explanation: r.try_get("explanation")?,
            drill: flag(r, "drill").map_err(decode)?,
        })
    }
}

impl sqlx::FromRow<'_, AnyRow> for Incident {
    fn from_row(r: &AnyRow) -> sqlx::Result<Incident> {
        Ok(Incident {
            id: r.try_get("id")?,
            routing: Routing::from_row(r)?,
            response_level: opt_code(r, "response_level").map_err(decode)?,
            level_decided_by: r.try_get("level_decided_by")?,
            level_decided_user: r.try_get("level_decided_user")?,
            city_reported_at: r.try_get("city_reported_at")?,
            status: code(r, "status").map_err(decode)?,
            emergency_state_request: r.try_get("emergency_state_request")?,
            emergency_state_requested_at: r.try_get("emergency_state_requested_at")?,
            end_conditions: r.try_get("end_conditions")?,
            end_note: r.try_get("end_note")?,
            ended_at: r.try_get("ended_at")?,
            ended_by: r.try_get("ended_by")?,
            aftermath: r.try_get("aftermath")?,
            evaluation: r.try_get("evaluation")?,
            recovery: r.try_get("recovery")?,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct LevelChange {
    #[sqlx(try_from = "Option<String>")]
    pub from_level: OptLevel,
    #[sqlx(try_from = "String")]
    pub to_level: ResponseLevel,
    pub decided_role: String,
    pub actor: String,
    pub reason: String,
    pub at: String,
}

/// A level that may be absent (before the first decision).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct OptLevel(pub Option<ResponseLevel>);

impl TryFrom<Option<String>> for OptLevel {
    type Error = String;
    fn try_from(s: Option<String>) -> Result<Self, String> {
        s.map(ResponseLevel::try_from).transpose().map(OptLevel)
    }
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
    pub status: Option<IncidentStatus>,
    pub town: Option<String>,
    pub village: Option<String>,
    pub q: Option<String>,
    /// A page: at most `limit` rows after `offset`.
    pub limit: Option<i64>,
    pub offset: i64,
}

/// The WHERE clause of a filter; `$1` is the drill flag, then the returned binds.
fn incident_where(f: &IncidentFilter) -> (String, Vec<String>) {
    let mut sql = String::from("drill = $1");
    let mut binds: Vec<String> = Vec::new();
    let mut add = |col: &str, v: String, sql: &mut String| {
        binds.push(v);
        sql.push_str(&format!(" AND {col} = ${}", binds.len() + 1));
    };
    if let Some(s) = f.status {
        add("status", s.as_str().to_string(), &mut sql);
    }
    if let Some(t) = &f.town {
        add("town", t.clone(), &mut sql);
    }
    if let Some(v) = &f.village {
        add("village", v.clone(), &mut sql);
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

/// Mark the incident changed (the live board follows).
pub(super) async fn touch(tx: &mut WriteTx, id: i64) -> Result<()> {
    sqlx::query("UPDATE emergency_incidents SET updated_at = $1 WHERE id = $2").bind(crate::now_text()).bind(id).execute(tx.conn()).await?;
    bump_board(tx).await
}

/// Change an active incident's columns in one conditional statement: only
/// while it is still active (and, with `extra`, still as the caller read it).
/// Of concurrent identical changes one passes; the others write nothing.
pub(super) async fn update_active(tx: &mut WriteTx, id: i64, set: &str, binds: &[Option<String>], extra: &str) -> Result<bool> {
    let n = binds.len();
    let sql = format!("UPDATE emergency_incidents SET {set} WHERE id = ${} AND status = 'active'{extra}", n + 1);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    Ok(q.bind(id).execute(tx.conn()).await?.rows_affected() == 1)
}

impl Store {
    /// Record a new incident as routed, with its first information report
    /// and its 4.5.3 measures checklist, in one transaction.
    pub async fn emergency_create_incident(&self, actor: &str, n: &Routing, measures: &[String], first: &Report) -> Result<i64> {
        if n.title.trim().is_empty() {
            return Err(invalid("事件名称不能为空"));
        }
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO emergency_incidents (title, incident_type, category, severity, town, village, place, occurred_at, sensitive, \
             key_area_or_period, may_escalate, lead_departments, command_body, needs_designation, checklist, suggested_level, \
             suggested_decided_by, report_to_city, skip_level_report, explanation, drill, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 'active', $22, $23, $23) \
             RETURNING id",
        )
        .bind(n.title.trim())
        .bind(&n.incident_type)
        .bind(&n.category)
        .bind(n.severity.chinese())
        .bind(&n.town)
        .bind(&n.village)
        .bind(&n.place)
        .bind(&n.occurred_at)
        .bind(n.sensitive as i64)
        .bind(n.key_area_or_period as i64)
        .bind(n.may_escalate as i64)
        .bind(&n.lead_departments)
        .bind(&n.command_body)
        .bind(n.needs_designation as i64)
        .bind(&n.checklist)
        .bind(n.suggested_level.code())
        .bind(&n.suggested_decided_by)
        .bind(n.report_to_city as i64)
        .bind(n.skip_level_report as i64)
        .bind(&n.explanation)
        .bind(n.drill as i64)
        .bind(actor)
        .bind(&now)
        .fetch_one(tx.conn())
        .await?
        .try_get("id")?;
        insert_report(&mut tx, id, first).await?;
        let measures: Vec<(String, Vec<String>)> = measures.iter().map(|m| (m.clone(), Vec::new())).collect();
        insert_measures(&mut tx, Checklist::Incident, id, &measures).await?;
        bump_board(&mut tx).await?;
        tx.audit(actor, "report", "emergency_incident", &id.to_string(), None, json(&(n, measures, first)).as_ref()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn emergency_incident(&self, id: i64) -> Result<Incident> {
        sqlx::query_as::<_, Incident>("SELECT * FROM emergency_incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("事件 {id}")))
    }

    /// Incidents, newest first; drills only when `f.drill`, real ones otherwise.
    pub async fn emergency_incidents(&self, f: &IncidentFilter) -> Result<Vec<Incident>> {
        let (cond, binds) = incident_where(f);
        let mut sql = format!("SELECT * FROM emergency_incidents WHERE {cond} ORDER BY id DESC");
        if let Some(n) = f.limit {
            sql.push_str(&format!(" LIMIT {} OFFSET {}", n.max(0), f.offset.max(0)));
        }
        let mut query = sqlx::query_as::<_, Incident>(sqlx::AssertSqlSafe(sql)).bind(f.drill as i64);
        for b in &binds {
            query = query.bind(b);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// How many incidents the filter matches (ignoring its page).
    pub async fn emergency_incident_count(&self, f: &IncidentFilter) -> Result<i64> {
        let (cond, binds) = incident_where(f);
        let mut query =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM emergency_incidents WHERE {cond}"))).bind(f.drill as i64);
        for b in &binds {
            query = query.bind(b);
        }
        Ok(query.fetch_one(self.pool()).await?.try_get("n")?)
    }

    /// Active and ended incidents, real or drills, never mixed.
    pub async fn emergency_counts(&self, drill: bool) -> Result<Counts> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM emergency_incidents WHERE drill = $1 GROUP BY status")
            .bind(drill as i64)
            .fetch_all(self.pool())
            .await?;
        let mut c = Counts::default();
        for r in rows {
            let n: i64 = r.try_get("n")?;
            match code::<IncidentStatus, _>(&r, "status")? {
                IncidentStatus::Active => c.active = n,
                IncidentStatus::Ended => c.ended = n,
            }
        }
        Ok(c)
    }

    pub async fn emergency_incident_detail(&self, id: i64) -> Result<IncidentDetail> {
        let incident = self.emergency_incident(id).await?;
        let p = self.pool();
        let reports =
            sqlx::query_as::<_, Report>("SELECT * FROM emergency_reports WHERE incident_id = $1 ORDER BY id").bind(id).fetch_all(p).await?;
        let mut totals = Totals::default();
        let running = reports
            .iter()
            .map(|r| {
                totals.add(r);
                totals
            })
            .collect();
        let levels = sqlx::query_as::<_, LevelChange>("SELECT * FROM emergency_level_changes WHERE incident_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(p)
            .await?;
        let post = sqlx::query_as::<_, CommandPost>("SELECT * FROM emergency_command_posts WHERE incident_id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?;
        let groups = sqlx::query_as::<_, Group>("SELECT * FROM emergency_groups WHERE incident_id = $1 ORDER BY number")
            .bind(id)
            .fetch_all(p)
            .await?;
        let measures = measures_of(self, Checklist::Incident, id).await?;
        let releases = sqlx::query_as::<_, Release>("SELECT * FROM emergency_releases WHERE incident_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(p)
            .await?;
        let assignments = sqlx::query_as::<_, Assignment>(
            "SELECT a.resource_id, r.kind, r.name, a.quantity, r.unit, a.assigned_by, a.assigned_at FROM emergency_assignments a \
             JOIN emergency_resources r ON r.id = a.resource_id WHERE a.incident_id = $1 ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(p)
        .await?;
        Ok(IncidentDetail { incident, reports, running, totals, levels, post, groups, measures, releases, assignments })
    }

    /// Decide, raise or lower the response level: `from` is the level the
    /// caller read and checked (`emergency::IncidentStep::SetLevel`), `role`
    /// who decided it as the plan words it (1.6). Written only if the
    /// incident is still active at `from`: of concurrent identical requests
    /// one takes effect.
    pub async fn emergency_set_level(
        &self,
        actor: &str,
        id: i64,
        from: Option<ResponseLevel>,
        to: ResponseLevel,
        role: &str,
        reason: &str,
    ) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(invalid("请填写决定或调整响应级别的理由"));
        }
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        let from_code = from.map(|l| l.code().to_string());
        let moved = update_active(
            &mut tx,
            id,
            "response_level = $1, level_decided_by = $2, level_decided_user = $3",
            &[Some(to.code().into()), Some(role.into()), Some(actor.into()), Some(from_code.clone().unwrap_or_default())],
            " AND COALESCE(response_level, '') = $4",
        )
        .await?;
        if !moved {
            return Err(raced("响应级别"));
        }
        sqlx::query(
            "INSERT INTO emergency_level_changes (incident_id, from_level, to_level, decided_role, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&from_code)
        .bind(to.code())
        .bind(role)
        .bind(actor)
        .bind(reason.trim())
        .bind(&now)
        .execute(tx.conn())
        .await?;
        touch(&mut tx, id).await?;
        let before = serde_json::json!({"response_level": from_code});
        let after = serde_json::json!({"response_level": to.code(), "decided_by": role, "reason": reason.trim()});
        tx.audit(actor, "set_level", "emergency_incident", &id.to_string(), Some(&before), Some(&after)).await?;
        tx.commit().await
    }

    /// End the emergency (4.5.6). The caller has checked the policy's
    /// conditions (`emergency::Rules::check_ending`); `conditions` are their
    /// words as confirmed. Written only while the incident is active: of
    /// concurrent identical requests one takes effect.
    pub async fn emergency_end(&self, actor: &str, id: i64, conditions: &[String], note: &str) -> Result<()> {
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        let moved = update_active(
            &mut tx,
            id,
            "status = 'ended', end_conditions = $1, end_note = $2, ended_at = $3, ended_by = $4",
            &[Some(conditions.join("\n")), Some(note.trim().into()), Some(now.clone()), Some(actor.into())],
            "",
        )
        .await?;
        if !moved {
            return Err(raced("应急结束"));
        }
        touch(&mut tx, id).await?;
        let after = serde_json::json!({"status": "ended", "conditions": conditions, "note": note.trim(), "at": now});
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
        Ok(sqlx::query("SELECT version FROM emergency_board WHERE id = 1").fetch_one(self.pool()).await?.try_get("version")?)
    }

    /// Real incidents ended in `year` that have no evaluation report yet (4.6.3(2)).
    pub async fn emergency_unevaluated(&self, year: i16) -> Result<Vec<Incident>> {
        Ok(sqlx::query_as::<_, Incident>(
            "SELECT * FROM emergency_incidents WHERE drill = 0 AND status = 'ended' AND ended_at LIKE $1 AND evaluation = '' ORDER BY id",
        )
        .bind(format!("{year}-%"))
        .fetch_all(self.pool())
        .await?)
    }
}
