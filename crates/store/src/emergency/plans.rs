//! The plan registry (6.2–6.4): plans with their owners, filing deadlines,
//! drills and revisions.

use serde::Serialize;
use sqlx::Row;

use super::{invalid, json, split_units};
use crate::{Result, Store, StoreError};

/// A plan in the registry (6.2).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Plan {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub issuer: String,
    pub issued_on: String,
    pub filing_body: String,
    pub filing_deadline: String,
    pub filed_on: Option<String>,
    /// The units that keep it, joined with 、 (6.2–6.4).
    pub owners: String,
    /// The town whose plan it is (a town's or a village's plan).
    pub town: Option<String>,
}

impl Plan {
    pub fn owner_units(&self) -> Vec<String> {
        split_units(&self.owners)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanDrill {
    pub plan_id: i64,
    pub held_on: String,
    pub form: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanRevision {
    pub plan_id: i64,
    pub revised_on: String,
    pub trigger_reason: String,
    pub note: String,
}

impl Store {
    /// Register a plan; the caller computed the filing deadline from the calendar.
    pub async fn emergency_add_plan(&self, actor: &str, p: &Plan) -> Result<i64> {
        if p.name.trim().is_empty() || p.issuer.trim().is_empty() {
            return Err(invalid("预案名称和印发单位不能为空"));
        }
        if p.owners.trim().is_empty() && p.town.is_none() {
            return Err(invalid("预案须有编制（保管）单位"));
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO emergency_plans (kind, name, issuer, issued_on, filing_body, filing_deadline, filed_on, owners, town, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&p.kind)
        .bind(p.name.trim())
        .bind(p.issuer.trim())
        .bind(&p.issued_on)
        .bind(&p.filing_body)
        .bind(&p.filing_deadline)
        .bind(&p.filed_on)
        .bind(&p.owners)
        .bind(&p.town)
        .bind(actor)
        .fetch_one(tx.conn())
        .await?
        .try_get("id")?;
        tx.audit(actor, "add_plan", "emergency_plan", &id.to_string(), None, json(p).as_ref()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn emergency_plans(&self) -> Result<Vec<Plan>> {
        Ok(sqlx::query_as::<_, Plan>("SELECT * FROM emergency_plans ORDER BY issued_on DESC, id DESC").fetch_all(self.pool()).await?)
    }

    pub async fn emergency_plan(&self, id: i64) -> Result<Plan> {
        sqlx::query_as::<_, Plan>("SELECT * FROM emergency_plans WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("预案 {id}")))
    }

    /// Record that a plan was filed (备案): once.
    pub async fn emergency_file_plan(&self, actor: &str, id: i64, filed_on: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE emergency_plans SET filed_on = $1 WHERE id = $2 AND filed_on IS NULL")
            .bind(filed_on)
            .bind(id)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() != 1 {
            return Err(StoreError::Conflict("该预案已备案".into()));
        }
        tx.audit(actor, "file_plan", "emergency_plan", &id.to_string(), None, Some(&serde_json::json!({"filed_on": filed_on}))).await?;
        tx.commit().await
    }

    pub async fn emergency_add_drill(&self, actor: &str, d: &PlanDrill) -> Result<()> {
        if d.form.trim().is_empty() {
            return Err(invalid("请选择演练形式"));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO emergency_plan_drills (plan_id, held_on, form, note) VALUES ($1, $2, $3, $4)")
            .bind(d.plan_id)
            .bind(&d.held_on)
            .bind(d.form.trim())
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
        let drills = sqlx::query_as::<_, PlanDrill>("SELECT * FROM emergency_plan_drills ORDER BY held_on").fetch_all(self.pool()).await?;
        let revisions =
            sqlx::query_as::<_, PlanRevision>("SELECT * FROM emergency_plan_revisions ORDER BY revised_on").fetch_all(self.pool()).await?;
        Ok((drills, revisions))
    }
}
