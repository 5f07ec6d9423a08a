//! Information reports and follow-ups (信息报告、续报, 4.4(2)); counts are for
//! the period each report covers, totals are summed over them.

use emergency::{IncidentStep, ReportKind};
use serde::Serialize;
use sqlx::Row;

use super::{code, invalid, json, raced};
use crate::{Result, Store, WriteTx};

/// One information report or follow-up (4.4(2)).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Report {
    #[sqlx(default)]
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: ReportKind,
    pub reporter: String,
    pub reporter_unit: String,
    #[sqlx(default)]
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
    /// Fields the engine found absent, by their labels, joined with 、
    pub missing_fields: String,
}

impl Report {
    /// An empty report of `kind` by `reporter` of `unit`.
    pub fn new(kind: ReportKind, reporter: &str, unit: &str) -> Report {
        Report {
            id: 0,
            kind,
            reporter: reporter.into(),
            reporter_unit: unit.into(),
            reported_at: String::new(),
            occurred_at: None,
            place: None,
            town: None,
            source: None,
            nature: None,
            course: None,
            impact_scope: None,
            environmental_impact: None,
            deaths: None,
            injured: None,
            missing: None,
            houses_collapsed: None,
            houses_damaged: None,
            infrastructure_damage: None,
            rescue_status: None,
            measures_taken: None,
            missing_fields: String::new(),
        }
    }
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
        let add = |t: &mut i64, v: Option<i64>| *t = t.saturating_add(v.unwrap_or(0));
        add(&mut self.deaths, r.deaths);
        add(&mut self.injured, r.injured);
        add(&mut self.missing, r.missing);
        add(&mut self.houses_collapsed, r.houses_collapsed);
        add(&mut self.houses_damaged, r.houses_damaged);
    }
}

pub(super) fn check_counts(r: &Report) -> Result<()> {
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

pub(super) async fn insert_report(tx: &mut WriteTx, incident: i64, r: &Report) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO emergency_reports (incident_id, kind, reporter, reporter_unit, reported_at, occurred_at, place, town, source, nature, \
         course, impact_scope, environmental_impact, deaths, injured, missing, houses_collapsed, houses_damaged, infrastructure_damage, \
         rescue_status, measures_taken, missing_fields) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22) RETURNING id",
    )
    .bind(incident)
    .bind(r.kind.as_str())
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
    Ok(row.try_get("id")?)
}

impl Store {
    /// A follow-up report (续报) on an incident still active when it is written.
    pub async fn emergency_add_report(&self, actor: &str, id: i64, r: &Report) -> Result<i64> {
        check_counts(r)?;
        let mut tx = self.begin_write().await?;
        let status = sqlx::query("SELECT status FROM emergency_incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("事件 {id}")))?;
        if IncidentStep::FollowUp.apply(code(&status, "status")?, None).is_err() {
            return Err(raced("续报"));
        }
        let rid = insert_report(&mut tx, id, r).await?;
        super::incidents::touch(&mut tx, id).await?;
        tx.audit(actor, "follow_up", "emergency_incident", &id.to_string(), None, json(r).as_ref()).await?;
        tx.commit().await?;
        Ok(rid)
    }
}
