//! The departments' lists applied to residents (六（六）、六（八）).

use super::mask_name;
use super::refresh_stats;
use super::residents::ResidentRow;
use crate::{Result, Store};

impl Store {
    /// Residents changed by a department list (groups or deaths), recomputed
    /// by the caller: one transaction, one audit entry per resident with the
    /// values before and after. What is paid never goes above what is owed
    /// (migration 0008): a resident the list would leave owing less than
    /// they paid is held back until the refund (退费) and returned, masked,
    /// so that the rest of the list still applies.
    pub async fn insurance_apply_list(&self, actor: &str, action: &str, changes: &[(ResidentRow, ResidentRow)]) -> Result<Vec<String>> {
        let mut tx = self.begin_write().await?;
        let mut held = Vec::new();
        for (before, after) in changes {
            let sql = "UPDATE insurance_residents SET list_groups = $1, deceased_on = $2, age = $3, band = $4, status = $5, pension_status = $6, \
                medical_individual_fen = $7, medical_on_behalf_fen = $8, medical_sponsored_fen = $9, medical_fiscal_fen = $10, pension_tier_yuan = $11, \
                pension_individual_fen = $12, pension_on_behalf_fen = $13, pension_subsidy_fen = $14, total_due_fen = $15 WHERE id = $16 \
                AND paid_fen <= $15 AND on_behalf_paid_fen <= $8 + $13";
            let done = sqlx::query(sql)
                .bind(&after.list_groups)
                .bind(&after.deceased_on)
                .bind(after.age)
                .bind(after.band)
                .bind(&after.status)
                .bind(&after.pension_status)
                .bind(after.medical_individual_fen)
                .bind(after.medical_on_behalf_fen)
                .bind(after.medical_sponsored_fen)
                .bind(after.medical_fiscal_fen)
                .bind(after.pension_tier_yuan)
                .bind(after.pension_individual_fen)
                .bind(after.pension_on_behalf_fen)
                .bind(after.pension_subsidy_fen)
                .bind(after.total_due_fen)
                .bind(before.id)
                .execute(tx.conn())
                .await?
                .rows_affected();
            // Paid never above owed (migration 0008): a list that lowers what
            // someone owes below what they paid waits for the refund (退费).
            if done != 1 {
                held.push(format!("{}（{}）", mask_name(&before.name), access::mask_id_number(&before.id_number)));
                continue;
            }
            let pick = |r: &ResidentRow| serde_json::json!({"list_groups": r.list_groups, "deceased_on": r.deceased_on, "status": r.status, "total_due_fen": r.total_due_fen});
            tx.audit(actor, action, "insurance_resident", &before.id_number, Some(&pick(before)), Some(&pick(after))).await?;
        }
        let mut places: Vec<(&str, &str)> = changes.iter().map(|(b, _)| (b.town.as_str(), b.village.as_str())).collect();
        places.sort_unstable();
        places.dedup();
        for p in places {
            refresh_stats(&mut tx, Some(p)).await?;
        }
        tx.commit().await?;
        Ok(held)
    }
}
