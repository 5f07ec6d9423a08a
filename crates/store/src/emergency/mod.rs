//! 突发事件应急管理 (山亭区突发事件总体应急预案, 山政发〔2022〕8号): what was
//! reported and decided, by job: incidents with their levels and ending
//! ([`incidents`]), information reports and follow-ups ([`reports`]), the
//! command body's work ([`command`]), warnings with their CAP messages and the
//! rendered Atom feed ([`warnings`]), resources ([`resources`]) and plans
//! ([`plans`]).
//!
//! The rules (routing, levels, transitions, CAP, deadlines) are the
//! `emergency` crate's and are applied by the use cases (`app::emergency`);
//! this layer stores what was decided. Every state change is a conditional
//! `UPDATE … WHERE state = …` inside the write transaction, so of two
//! concurrent identical requests one takes effect and the other is a
//! [`StoreError::Conflict`]. Rows are read by column name into typed structs;
//! a state the code does not know is an error. Drills carry `drill = 1` and
//! are listed and counted apart from real incidents.

mod command;
mod incidents;
mod plans;
mod reports;
mod resources;
mod warnings;

pub use command::{Assignment, CommandPost, Group, Release};
pub use incidents::{Counts, Incident, IncidentDetail, IncidentFilter, LevelChange, OptLevel, Routing};
pub use plans::{Plan, PlanDrill, PlanRevision};
pub use reports::{Report, Totals};
pub use resources::{RESOURCE_KINDS, Resource};
pub use warnings::{Adjustment, CapMessage, FeedRenderer, Publication, Warning, WarningDetail};

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

/// A 0/1 column (both backends store flags as integers).
fn flag(r: &AnyRow, column: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(column)? != 0)
}

/// A text column holding a typed code (a state, a level); an unknown code is
/// an error naming the column, never a default.
fn code<T: TryFrom<String, Error = E>, E: std::fmt::Display>(r: &AnyRow, column: &str) -> Result<T> {
    let s: String = r.try_get(column)?;
    T::try_from(s).map_err(|e| StoreError::Invalid(format!("{column}: {e}")))
}

fn opt_code<T: TryFrom<String, Error = E>, E: std::fmt::Display>(r: &AnyRow, column: &str) -> Result<Option<T>> {
    let s: Option<String> = r.try_get(column)?;
    s.map(|s| T::try_from(s).map_err(|e| StoreError::Invalid(format!("{column}: {e}")))).transpose()
}

/// Units joined with 、 as stored.
pub fn split_units(s: &str) -> Vec<String> {
    s.split('、').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// A state change that found the row in another state: someone else acted
/// first, nothing was written.
fn raced(what: &str) -> StoreError {
    StoreError::Conflict(format!("{what}已被他人办理或状态已变化，请刷新后查看"))
}

/// One row of a measures checklist (4.5.3 for an incident, 4.3.3 for a
/// warning); `assignees` are the units assigned to a warning measure.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Measure {
    pub position: i64,
    pub measure: String,
    pub done_by: Option<String>,
    pub done_at: Option<String>,
    #[sqlx(default)]
    pub assignees: String,
}

impl Measure {
    pub fn assignee_units(&self) -> Vec<String> {
        split_units(&self.assignees)
    }
}

/// Which checklist: an incident's (4.5.3) or a warning's (4.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checklist {
    Incident,
    Warning,
}

impl Checklist {
    fn table(self) -> &'static str {
        match self {
            Checklist::Incident => "emergency_measures",
            Checklist::Warning => "emergency_warning_measures",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Checklist::Incident => "incident_id",
            Checklist::Warning => "warning_id",
        }
    }

    fn entity(self) -> &'static str {
        match self {
            Checklist::Incident => "emergency_incident",
            Checklist::Warning => "emergency_warning",
        }
    }
}

/// Write a checklist's rows (position from 1), each with its assignees.
async fn insert_measures(tx: &mut WriteTx, list: Checklist, owner: i64, measures: &[(String, Vec<String>)]) -> Result<()> {
    // Only a warning's measures are assigned to units (4.3.3); an incident's
    // checklist is the command body's (4.5.3).
    let sql = match list {
        Checklist::Warning => "INSERT INTO emergency_warning_measures (warning_id, position, measure, assignees) VALUES ($1, $2, $3, $4)",
        Checklist::Incident => "INSERT INTO emergency_measures (incident_id, position, measure) VALUES ($1, $2, $3)",
    };
    for (i, (m, units)) in measures.iter().enumerate() {
        let q = sqlx::query(sql).bind(owner).bind(i as i64 + 1).bind(m);
        let q = if list == Checklist::Warning { q.bind(units.join("、")) } else { q };
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

async fn measures_of(store: &Store, list: Checklist, owner: i64) -> Result<Vec<Measure>> {
    let sql = format!(
        "SELECT position, measure, done_by, done_at, {} AS assignees FROM {} WHERE {} = $1 ORDER BY position",
        if list == Checklist::Warning { "assignees" } else { "''" },
        list.table(),
        list.key()
    );
    Ok(sqlx::query_as::<_, Measure>(sqlx::AssertSqlSafe(sql)).bind(owner).fetch_all(store.pool()).await?)
}

impl Store {
    /// One row of a checklist.
    pub async fn emergency_measure(&self, list: Checklist, owner: i64, position: i64) -> Result<Measure> {
        measures_of(self, list, owner)
            .await?
            .into_iter()
            .find(|m| m.position == position)
            .ok_or_else(|| StoreError::NotFound(format!("措施 {position}")))
    }

    /// Tick a measure as carried out, by whom and when: once (a second tick,
    /// concurrent or later, is a conflict).
    pub async fn emergency_tick(&self, actor: &str, list: Checklist, owner: i64, position: i64) -> Result<()> {
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "UPDATE {} SET done_by = $1, done_at = $2 WHERE {} = $3 AND position = $4 AND done_by IS NULL",
            list.table(),
            list.key()
        );
        let n = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(actor).bind(&now).bind(owner).bind(position).execute(tx.conn()).await?;
        if n.rows_affected() != 1 {
            return Err(StoreError::Conflict("该措施已登记落实".into()));
        }
        if list == Checklist::Incident {
            incidents::touch(&mut tx, owner).await?;
        }
        let after = serde_json::json!({"position": position, "done_at": now});
        tx.audit(actor, "tick_measure", list.entity(), &owner.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }

    /// Assign a warning measure to units (4.3.3): the emergency bureau
    /// decides who carries each out.
    pub async fn emergency_assign_measure(&self, actor: &str, warning: i64, position: i64, units: &[String]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n =
            sqlx::query("UPDATE emergency_warning_measures SET assignees = $1 WHERE warning_id = $2 AND position = $3 AND done_by IS NULL")
                .bind(units.join("、"))
                .bind(warning)
                .bind(position)
                .execute(tx.conn())
                .await?;
        if n.rows_affected() != 1 {
            return Err(StoreError::Conflict("该措施不存在或已落实".into()));
        }
        let after = serde_json::json!({"position": position, "assignees": units});
        tx.audit(actor, "assign_measure", "emergency_warning", &warning.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }
}

/// Demo data for `serve --demo` needs the engine; it is seeded by the web
/// module (`web::modules::emergency::demo`).
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
