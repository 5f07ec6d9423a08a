//! 公示: published village rosters and the masked public roster.

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store};

/// A published village roster (公示).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Publication {
    pub id: i64,
    pub town: String,
    pub village: String,
    pub year: i64,
    pub published_by: String,
    pub published_at: String,
}

/// Name keeps the surname (the first character) and a `*`.
pub fn mask_name(name: &str) -> String {
    let mut s: String = name.chars().take(1).collect();
    s.push('*');
    s
}

impl Store {
    /// Publish a village's paid roster (公示). Publishing again changes nothing.
    pub async fn insurance_publish(&self, actor: &str, year: i64, town: &str, village: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "INSERT INTO insurance_publications (town, village, year, published_by, published_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (town, village, year) DO NOTHING",
        )
        .bind(town)
        .bind(village)
        .bind(year)
        .bind(actor)
        .bind(crate::now_text())
        .execute(tx.conn())
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        let after = serde_json::json!({"town": town, "village": village, "year": year});
        tx.audit(actor, "publish_roster", "insurance_publication", &format!("{year}/{town}/{village}"), None, Some(&after)).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn insurance_publications(&self) -> Result<Vec<Publication>> {
        let rows = sqlx::query(
            "SELECT id, town, village, year, published_by, published_at FROM insurance_publications ORDER BY year DESC, town, village",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Publication {
                    id: r.try_get("id")?,
                    town: r.try_get("town")?,
                    village: r.try_get("village")?,
                    year: r.try_get("year")?,
                    published_by: r.try_get("published_by")?,
                    published_at: r.try_get("published_at")?,
                })
            })
            .collect()
    }

    /// The public roster of a published village: who has paid, masked (name
    /// keeps the surname, ID keeps the first 6 and last 4 characters).
    /// `None` when the village's roster is not published.
    pub async fn insurance_public_roster(&self, year: i64, town: &str, village: &str) -> Result<Option<Vec<(String, String)>>> {
        let published: i64 = sqlx::query("SELECT COUNT(*) AS n FROM insurance_publications WHERE year = $1 AND town = $2 AND village = $3")
            .bind(year)
            .bind(town)
            .bind(village)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        if published == 0 {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT name, id_number FROM insurance_residents WHERE year = $1 AND town = $2 AND village = $3 AND paid_fen > 0 ORDER BY name, id_number",
        )
        .bind(year)
        .bind(town)
        .bind(village)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let name: String = r.try_get("name")?;
            let idn: String = r.try_get("id_number")?;
            let masked = kernel::ResidentId::parse(&idn).map(|i| i.masked()).unwrap_or_else(|_| "******************".into());
            out.push((mask_name(&name), masked));
        }
        Ok(Some(out))
    }
}
