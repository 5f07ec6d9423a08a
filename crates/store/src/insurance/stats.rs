//! 钱表相符 (reconciliation) and 征缴统计参照表 (statistics).

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store};

/// One line of the reconciliation (钱表相符).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReconLine {
    pub resident_id: i64,
    pub name: String,
    pub id_number: String,
    pub status: String,
    pub due_fen: i64,
    pub paid_fen: i64,
    pub difference_fen: i64,
    pub problem: String,
}

/// Money recorded by one agent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AgentTotal {
    pub recorded_by: String,
    pub payments: i64,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reconciliation {
    pub town: String,
    pub village: String,
    pub year: i64,
    pub agents: Vec<AgentTotal>,
    /// Net money recorded for the village (individual payments).
    pub money_fen: i64,
    /// What the paid persons owed by the roster.
    pub roster_fen: i64,
    pub paid_persons: i64,
    pub differences: Vec<ReconLine>,
}

/// A town's collection figures (征缴统计参照表).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct TownStats {
    pub town: String,
    pub residents: i64,
    /// Included in the collection (应参保).
    pub included: i64,
    /// Included persons owing something themselves (应缴人数).
    pub due_persons: i64,
    pub due_fen: i64,
    pub paid_persons: i64,
    pub paid_fen: i64,
    /// Medical covered: owes nothing of the share or has paid.
    pub medical_covered: i64,
    pub lower_due: i64,
    pub lower_paid: i64,
    pub upper_due: i64,
    pub upper_paid: i64,
}

impl Store {
    /// Money recorded against roster lines for one village (钱表相符): per
    /// agent totals, and every person whose net payment differs from what the
    /// roster says they owe (or who paid while owing nothing or excluded).
    pub async fn insurance_reconcile(&self, year: i64, town: &str, village: &str) -> Result<Reconciliation> {
        let agents = sqlx::query(
            "SELECT recorded_by, COUNT(*) AS payments, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen FROM insurance_payments \
             WHERE year = $1 AND town = $2 AND village = $3 AND kind = 'individual' GROUP BY recorded_by ORDER BY recorded_by",
        )
        .bind(year)
        .bind(town)
        .bind(village)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AgentTotal {
                recorded_by: r.try_get("recorded_by")?,
                payments: r.try_get("payments")?,
                amount_fen: r.try_get::<Option<i64>, _>("amount_fen")?.unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        // Per person: the payments table's net sum, against the roster line.
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.id_number, r.status, r.total_due_fen, CAST(SUM(p.amount_fen) AS BIGINT) AS paid \
             FROM insurance_payments p JOIN insurance_residents r ON r.id = p.resident_id \
             WHERE p.year = $1 AND p.town = $2 AND p.village = $3 AND p.kind = 'individual' \
             GROUP BY r.id, r.name, r.id_number, r.status, r.total_due_fen ORDER BY r.name, r.id_number",
        )
        .bind(year)
        .bind(town)
        .bind(village)
        .fetch_all(self.pool())
        .await?;
        let (mut money, mut roster, mut persons) = (0i64, 0i64, 0i64);
        let mut differences = Vec::new();
        for r in &rows {
            let (id, name, idn, status, due): (i64, String, String, String, i64) =
                (r.try_get("id")?, r.try_get("name")?, r.try_get("id_number")?, r.try_get("status")?, r.try_get("total_due_fen")?);
            let paid: i64 = r.try_get::<Option<i64>, _>("paid")?.unwrap_or(0);
            money += paid;
            if paid > 0 {
                persons += 1;
                roster += due;
            }
            let problem = if paid == 0 {
                None // paid and refunded in full: nothing outstanding either way.
            } else if status != "included" {
                Some("不在参保范围却有缴费".to_string())
            } else if paid < due {
                Some("少于清册应缴金额".to_string())
            } else if paid > due {
                Some(if due == 0 { "清册应缴为0却有缴费".to_string() } else { "多于清册应缴金额".to_string() })
            } else {
                None
            };
            if let Some(problem) = problem {
                differences.push(ReconLine {
                    resident_id: id,
                    name,
                    id_number: idn,
                    status,
                    due_fen: due,
                    paid_fen: paid,
                    difference_fen: paid - due,
                    problem,
                });
            }
        }
        Ok(Reconciliation {
            town: town.into(),
            village: village.into(),
            year,
            agents,
            money_fen: money,
            roster_fen: roster,
            paid_persons: persons,
            differences,
        })
    }

    /// The 征缴统计参照表 per town: the per-village figures kept by every write, summed.
    pub async fn insurance_stats(&self, year: i64, town: Option<&str>) -> Result<Vec<TownStats>> {
        let sql = format!(
            "SELECT town, CAST(SUM(residents) AS BIGINT) AS residents, CAST(SUM(included) AS BIGINT) AS included, \
             CAST(SUM(due_persons) AS BIGINT) AS due_persons, CAST(SUM(due_fen) AS BIGINT) AS due_fen, \
             CAST(SUM(paid_persons) AS BIGINT) AS paid_persons, CAST(SUM(paid_fen) AS BIGINT) AS paid_fen, \
             CAST(SUM(medical_covered) AS BIGINT) AS medical_covered, CAST(SUM(lower_due) AS BIGINT) AS lower_due, \
             CAST(SUM(lower_paid) AS BIGINT) AS lower_paid, CAST(SUM(upper_due) AS BIGINT) AS upper_due, \
             CAST(SUM(upper_paid) AS BIGINT) AS upper_paid \
             FROM insurance_village_stats WHERE year = $1 {} GROUP BY town ORDER BY town",
            if town.is_some() { "AND town = $2" } else { "" }
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(year);
        if let Some(t) = town {
            q = q.bind(t);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let n = |r: &sqlx::any::AnyRow, c: &str| -> Result<i64> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
        rows.iter()
            .map(|r| {
                Ok(TownStats {
                    town: r.try_get("town")?,
                    residents: n(r, "residents")?,
                    included: n(r, "included")?,
                    due_persons: n(r, "due_persons")?,
                    due_fen: n(r, "due_fen")?,
                    paid_persons: n(r, "paid_persons")?,
                    paid_fen: n(r, "paid_fen")?,
                    medical_covered: n(r, "medical_covered")?,
                    lower_due: n(r, "lower_due")?,
                    lower_paid: n(r, "lower_paid")?,
                    upper_due: n(r, "upper_due")?,
                    upper_paid: n(r, "upper_paid")?,
                })
            })
            .collect()
    }
}
