//! 工作台: read-only counts behind the to-do list. Each query counts one
//! kind of waiting work, restricted to the place the caller passes (the use
//! case decides the place from the actor's duties); nothing here writes.

use sqlx::Row;

use crate::{Result, Store};

/// A count for one place (a village of a town, or a whole town).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceCount {
    pub town: String,
    pub village: String,
    pub count: i64,
}

/// `town = $n` / `village = $n` conditions for an optional place.
fn place_conds(alias: &str, town: Option<&str>, village: Option<&str>, first: usize) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    for (col, v) in [("town", town), ("village", village)] {
        if let Some(v) = v {
            binds.push(v.to_string());
            sql.push_str(&format!(" AND {alias}{col} = ${}", first + binds.len() - 1));
        }
    }
    (sql, binds)
}

impl Store {
    /// Applications per state (one enterprise's when `uscc` is given).
    pub async fn workbench_subsidy_states(&self, uscc: Option<&str>) -> Result<Vec<(String, i64)>> {
        let rows = match uscc {
            Some(u) => {
                sqlx::query("SELECT status, COUNT(*) AS n FROM subsidy_applications WHERE uscc = $1 GROUP BY status ORDER BY status")
                    .bind(u)
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                sqlx::query("SELECT status, COUNT(*) AS n FROM subsidy_applications GROUP BY status ORDER BY status")
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(|r| Ok((r.try_get::<String, _>("status")?, r.try_get::<i64, _>("n")?))).collect()
    }

    /// The newest collection year with residents on record.
    pub async fn workbench_insurance_year(&self) -> Result<Option<i64>> {
        let r = sqlx::query("SELECT MAX(year) AS y FROM insurance_residents").fetch_one(self.pool()).await?;
        Ok(r.try_get::<Option<i64>, _>("y")?)
    }

    /// Included residents owing something who have paid nothing yet, per
    /// village (the roster's “未缴” filter), within the place given.
    pub async fn workbench_owing(&self, year: i64, town: Option<&str>, village: Option<&str>) -> Result<Vec<PlaceCount>> {
        let (cond, binds) = place_conds("", town, village, 2);
        let sql = format!(
            "SELECT town, village, COUNT(*) AS n FROM insurance_residents \
             WHERE year = $1 AND status = 'included' AND total_due_fen > 0 AND paid_fen <= 0{cond} \
             GROUP BY town, village ORDER BY town, village"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(year);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(PlaceCount { town: r.try_get("town")?, village: r.try_get("village")?, count: r.try_get("n")? })).collect()
    }

    /// Villages with residents in `year` whose roster is not yet published (公示), within the town given.
    pub async fn workbench_unpublished(&self, year: i64, town: Option<&str>) -> Result<Vec<PlaceCount>> {
        let (cond, binds) = place_conds("r.", town, None, 2);
        let sql = format!(
            "SELECT r.town, r.village, COUNT(*) AS n FROM insurance_residents r \
             WHERE r.year = $1{cond} AND NOT EXISTS (SELECT 1 FROM insurance_publications p \
             WHERE p.town = r.town AND p.village = r.village AND p.year = r.year) \
             GROUP BY r.town, r.village ORDER BY r.town, r.village"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(year);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(PlaceCount { town: r.try_get("town")?, village: r.try_get("village")?, count: r.try_get("n")? })).collect()
    }

    /// Jobs of `kind` in `state` (`running`, `failed` …).
    pub async fn workbench_jobs(&self, kind: &str, state: &str) -> Result<i64> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE kind = $1 AND state = $2")
            .bind(kind)
            .bind(state)
            .fetch_one(self.pool())
            .await?;
        Ok(r.try_get("n")?)
    }

    /// Active real incidents (not drills) of the town given, or of the district;
    /// `without_level` keeps those whose response level is not decided yet.
    pub async fn workbench_active_incidents(&self, town: Option<&str>, without_level: bool) -> Result<i64> {
        let (cond, binds) = place_conds("", town, None, 1);
        let level = if without_level { " AND response_level IS NULL" } else { "" };
        let sql = format!("SELECT COUNT(*) AS n FROM emergency_incidents WHERE drill = 0 AND status = 'active'{level}{cond}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b);
        }
        Ok(q.fetch_one(self.pool()).await?.try_get("n")?)
    }

    /// Information reports (first and follow-up) on real incidents filed at or after `since` (RFC 3339 text).
    pub async fn workbench_reports_since(&self, since: &str) -> Result<i64> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM emergency_reports r JOIN emergency_incidents i ON i.id = r.incident_id \
             WHERE i.drill = 0 AND r.reported_at >= $1",
        )
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok(r.try_get("n")?)
    }

    /// Real warnings in `state` (`draft`, `approved` …).
    pub async fn workbench_warnings(&self, state: &str) -> Result<i64> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM emergency_warnings WHERE drill = 0 AND state = $1")
            .bind(state)
            .fetch_one(self.pool())
            .await?;
        Ok(r.try_get("n")?)
    }
}
