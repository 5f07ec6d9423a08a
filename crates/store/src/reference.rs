//! Reference data in the database: towns, departments, dated group posts
//! (seeded from `district`), and villages (imported).

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Village {
    pub id: i64,
    pub town: String,
    pub name: String,
    pub kind: String,
}

/// The outcome of a village import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub read: usize,
    pub added: usize,
    pub unchanged: usize,
}

impl Store {
    /// Seed the district's towns, departments and group posts. Idempotent:
    /// rows already present are left as they are (posts may have changed hands).
    pub async fn seed_reference(&self, d: &district::District) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let existing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM towns").fetch_one(tx.conn()).await?.try_get("n")?;
        if existing > 0 {
            return Ok(());
        }
        for (i, t) in d.towns.iter().enumerate() {
            sqlx::query("INSERT INTO towns (name, kind, position) VALUES ($1, $2, $3)")
                .bind(&t.name)
                .bind(&t.kind)
                .bind(i as i64)
                .execute(tx.conn())
                .await?;
        }
        for dep in &d.departments {
            sqlx::query("INSERT INTO departments (name, aliases) VALUES ($1, $2)")
                .bind(&dep.name)
                .bind(dep.aliases.join("、"))
                .execute(tx.conn())
                .await?;
        }
        for g in &d.groups {
            for m in &g.members {
                sqlx::query(
                    "INSERT INTO group_posts (group_key, group_name, person, role, unit, post, from_date, to_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&g.key)
                .bind(&g.name)
                .bind(&m.person)
                .bind(&m.role)
                .bind(&m.unit)
                .bind(&m.post)
                .bind(m.from.to_string())
                .bind(m.to.map(|t| t.to_string()))
                .execute(tx.conn())
                .await?;
            }
        }
        let after = serde_json::json!({"towns": d.towns.len(), "departments": d.departments.len(), "groups": d.groups.len()});
        tx.audit("system", "seed", "reference", "district", None, Some(&after)).await?;
        tx.commit().await
    }

    pub async fn towns(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT name, kind FROM towns ORDER BY position").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("kind")?))).collect()
    }

    /// Villages, optionally of one town.
    pub async fn villages(&self, town: Option<&str>) -> Result<Vec<Village>> {
        let rows = match town {
            Some(t) => {
                sqlx::query("SELECT id, town, name, kind FROM villages WHERE town = $1 ORDER BY name").bind(t).fetch_all(&self.pool).await?
            }
            None => {
                sqlx::query(
                    "SELECT v.id, v.town, v.name, v.kind FROM villages v JOIN towns t ON t.name = v.town ORDER BY t.position, v.name",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| Ok(Village { id: r.try_get("id")?, town: r.try_get("town")?, name: r.try_get("name")?, kind: r.try_get("kind")? }))
            .collect()
    }

    /// Import villages (town, name, kind) in one transaction; a row naming an
    /// unknown town fails the whole import with its line number, so nothing is
    /// half-written. Re-importing the same list changes nothing.
    pub async fn import_villages(&self, actor: &str, rows: &[(usize, String, String, String)]) -> Result<ImportSummary> {
        let towns: Vec<String> = self.towns().await?.into_iter().map(|(n, _)| n).collect();
        for (line, town, name, _) in rows {
            if !towns.iter().any(|t| t == town) {
                return Err(StoreError::Invalid(format!("第 {line} 行：镇（街）“{town}”不是本区的镇（街）")));
            }
            if name.trim().is_empty() {
                return Err(StoreError::Invalid(format!("第 {line} 行：村（居）名称为空")));
            }
        }
        let mut tx = self.begin_write().await?;
        let mut s = ImportSummary { read: rows.len(), ..Default::default() };
        for (_, town, name, kind) in rows {
            let kind = if kind.trim().is_empty() { "村" } else { kind.trim() };
            let r = sqlx::query("INSERT INTO villages (town, name, kind) VALUES ($1, $2, $3) ON CONFLICT (town, name) DO NOTHING")
                .bind(town.trim())
                .bind(name.trim())
                .bind(kind)
                .execute(tx.conn())
                .await?;
            if r.rows_affected() > 0 {
                s.added += 1;
            } else {
                s.unchanged += 1;
            }
        }
        if s.added > 0 {
            let after = serde_json::to_value(&s).ok();
            tx.audit(actor, "import", "villages", "batch", None, after.as_ref()).await?;
        }
        tx.commit().await?;
        Ok(s)
    }

    /// Members of a group holding a post on `on` (YYYY-MM-DD).
    pub async fn group_posts(&self, group_key: &str, on: &str) -> Result<Vec<(String, String, String, String)>> {
        let rows = sqlx::query(
            "SELECT person, role, unit, post FROM group_posts WHERE group_key = $1 AND from_date <= $2 AND (to_date IS NULL OR to_date >= $2) ORDER BY id",
        )
        .bind(group_key)
        .bind(on)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("person")?, r.try_get("role")?, r.try_get("unit")?, r.try_get("post")?))).collect()
    }
}
