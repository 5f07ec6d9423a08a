//! 居民养老、医疗保险征缴 (山政办发〔2022〕4号): residents with the figures
//! the engine computed for them, payments and refunds, public rosters (公示),
//! import jobs, reconciliation (钱表相符) and statistics.
//!
//! The store knows no rules: the web module computes each resident with the
//! `insurance` engine and hands plain rows here. Statistics are GROUP BY
//! queries over those stored figures, so a page stays fast with a million
//! residents.

use crate::{Result, Store};

mod jobs;
mod lists;
mod payments;
mod publish;
mod residents;
mod stats;

pub use jobs::{Job, content_key};
pub use payments::{NewPayment, Payment, Recorded};
pub use publish::{Publication, mask_name};
pub use residents::{ResidentRow, RosterFilter};
pub use stats::{AgentTotal, ReconLine, Reconciliation, TownStats};

/// The job kind of a resident import in the core `jobs` table.
pub const IMPORT_JOB: &str = "insurance.residents";

/// Recompute the per-village statistics from the residents: of one village, or of all.
async fn refresh_stats(tx: &mut crate::WriteTx, place: Option<(&str, &str)>) -> Result<()> {
    let wh = if place.is_some() { "WHERE town = $1 AND village = $2" } else { "" };
    let del = format!("DELETE FROM insurance_village_stats {wh}");
    let ins = format!(
        "INSERT INTO insurance_village_stats (year, town, village, residents, included, due_persons, due_fen, paid_persons, paid_fen, \
         medical_covered, lower_due, lower_paid, upper_due, upper_paid) \
         SELECT year, town, village, COUNT(*), \
         SUM(CASE WHEN status = 'included' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN status = 'included' AND total_due_fen > 0 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN status = 'included' THEN total_due_fen ELSE 0 END), \
         SUM(CASE WHEN paid_fen > 0 THEN 1 ELSE 0 END), \
         SUM(paid_fen), \
         SUM(CASE WHEN status = 'included' AND (medical_individual_fen = 0 OR paid_fen > 0) THEN 1 ELSE 0 END), \
         SUM(CASE WHEN band = 1 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN band = 1 AND paid_fen > 0 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN band = 2 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN band = 2 AND paid_fen > 0 THEN 1 ELSE 0 END) \
         FROM insurance_residents {wh} GROUP BY year, town, village"
    );
    let (mut d, mut i) = (sqlx::query(sqlx::AssertSqlSafe(del)), sqlx::query(sqlx::AssertSqlSafe(ins)));
    if let Some((t, v)) = place {
        d = d.bind(t.to_string()).bind(v.to_string());
        i = i.bind(t.to_string()).bind(v.to_string());
    }
    d.execute(tx.conn()).await?;
    i.execute(tx.conn()).await?;
    Ok(())
}

/// Demo data that needs only the store: none (the population needs the engine; see the web module's seed).
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
