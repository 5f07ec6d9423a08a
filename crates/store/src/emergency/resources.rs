//! Emergency resources (应急资源, 5.x): teams, materials, experts, shelters.

use serde::Serialize;
use sqlx::Row;

use super::{invalid, json};
use crate::{Result, Store};

/// A resource (应急资源).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, sqlx::FromRow)]
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

impl Store {
    pub async fn emergency_add_resource(&self, actor: &str, r: &Resource) -> Result<i64> {
        if !RESOURCE_KINDS.iter().any(|(k, _)| *k == r.kind) {
            return Err(invalid(format!("资源类别“{}”不正确", kernel::echo(&r.kind))));
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
        .try_get("id")?;
        tx.audit(actor, "add_resource", "emergency_resource", &id.to_string(), None, json(r).as_ref()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Resources by kind and free text (name, field, town).
    pub async fn emergency_resources(&self, kind: Option<&str>, q: Option<&str>) -> Result<Vec<Resource>> {
        let q = format!("%{}%", q.unwrap_or("").trim());
        Ok(sqlx::query_as::<_, Resource>(
            "SELECT * FROM emergency_resources WHERE ($1 = '' OR kind = $1) AND (name LIKE $2 OR field LIKE $2 OR town LIKE $2) ORDER BY kind, id",
        )
        .bind(kind.unwrap_or(""))
        .bind(&q)
        .fetch_all(self.pool())
        .await?)
    }
}
