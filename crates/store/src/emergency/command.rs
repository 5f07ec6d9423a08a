//! The command body's work on an incident (3.5, 4.4(3), 4.5.3–4.5.5): the
//! on-site command post and its working groups, the report to the city,
//! information releases, the request for a state of emergency, and
//! resources sent to it.

use serde::Serialize;
use sqlx::Row;

use super::incidents::{touch, update_active};
use super::{invalid, raced};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct CommandPost {
    pub commander: String,
    pub location: String,
    pub opened_by: String,
    pub opened_at: String,
}

/// A working group of the on-site command post (3.5).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Group {
    pub number: i64,
    pub name: String,
    pub members: String,
    pub leader: String,
    pub tasks: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Release {
    pub body: String,
    pub title: String,
    pub content: String,
    pub released_by: String,
    pub released_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Assignment {
    pub resource_id: i64,
    pub kind: String,
    pub name: String,
    pub quantity: i64,
    pub unit: String,
    pub assigned_by: String,
    pub assigned_at: String,
}

impl Store {
    /// The report to the city government was made (4.4(3)): once.
    pub async fn emergency_mark_city_reported(&self, actor: &str, id: i64) -> Result<()> {
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE emergency_incidents SET city_reported_at = $1 WHERE id = $2 AND city_reported_at IS NULL")
            .bind(&now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() != 1 {
            return Err(StoreError::Conflict("已登记向市政府报告".into()));
        }
        touch(&mut tx, id).await?;
        tx.audit(actor, "report_to_city", "emergency_incident", &id.to_string(), None, Some(&serde_json::json!({"at": now}))).await?;
        tx.commit().await
    }

    /// Open the on-site command post with its working groups (3.5): once,
    /// while the incident is active.
    pub async fn emergency_open_post(&self, actor: &str, id: i64, commander: &str, location: &str, groups: &[Group]) -> Result<()> {
        if commander.trim().is_empty() {
            return Err(invalid("请填写现场指挥官"));
        }
        if groups.is_empty() {
            return Err(invalid("请至少选择一个工作组"));
        }
        let mut tx = self.begin_write().await?;
        // Lock the incident row while it is active (the command post's key is unique too).
        if !update_active(&mut tx, id, "updated_at = $1", &[Some(crate::now_text())], "").await? {
            return Err(raced("现场指挥部"));
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
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("现场指挥部已成立".into()),
            other => other,
        })?;
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
        let before = sqlx::query_as::<_, Group>("SELECT * FROM emergency_groups WHERE incident_id = $1 AND number = $2")
            .bind(id)
            .bind(number)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("工作组 {number}")))?;
        let before = serde_json::json!({"leader": before.leader, "tasks": before.tasks});
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

    /// The district's request to the city to declare a state of emergency
    /// (4.5.5): once, while the incident is active.
    pub async fn emergency_request_state(&self, actor: &str, id: i64, text: &str) -> Result<()> {
        if text.trim().is_empty() {
            return Err(invalid("请填写请求事由"));
        }
        let mut tx = self.begin_write().await?;
        let moved = update_active(
            &mut tx,
            id,
            "emergency_state_request = $1, emergency_state_requested_at = $2",
            &[Some(text.trim().into()), Some(crate::now_text())],
            " AND emergency_state_request IS NULL",
        )
        .await?;
        if !moved {
            return Err(raced("紧急状态请求"));
        }
        touch(&mut tx, id).await?;
        let after = serde_json::json!({"request": text.trim()});
        tx.audit(actor, "request_emergency_state", "emergency_incident", &id.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }

    /// Assign a resource to an active incident; materials leave the reserve
    /// (the stock is decremented only while it covers the quantity).
    pub async fn emergency_assign(&self, actor: &str, incident: i64, resource: i64, quantity: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if !update_active(&mut tx, incident, "updated_at = $1", &[Some(crate::now_text())], "").await? {
            return Err(invalid("事件已结束"));
        }
        let r = sqlx::query("SELECT kind, name, quantity FROM emergency_resources WHERE id = $1")
            .bind(resource)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("资源 {resource}")))?;
        let kind: String = r.try_get("kind")?;
        let stock: i64 = r.try_get("quantity")?;
        let name: String = r.try_get("name")?;
        if kind == "material" {
            if quantity <= 0 {
                return Err(invalid("调用物资数量应大于0"));
            }
            let n = sqlx::query("UPDATE emergency_resources SET quantity = quantity - $1 WHERE id = $2 AND quantity >= $1")
                .bind(quantity)
                .bind(resource)
                .execute(tx.conn())
                .await?;
            if n.rows_affected() != 1 {
                return Err(invalid(format!("库存不足：现有 {stock}，调用 {quantity}")));
            }
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
        let after = serde_json::json!({"resource": resource, "name": name, "quantity": quantity});
        tx.audit(actor, "assign_resource", "emergency_incident", &incident.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }
}
