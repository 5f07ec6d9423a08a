//! Payments and refunds (缴费、退费). What is paid never exceeds what is
//! owed: the check and the write are one conditional `UPDATE … WHERE` whose
//! rows affected say whether it passed, so concurrent payments cannot both
//! pass it; migration 0008's CHECK constraints hold the same line in the
//! database. A payment is refunded at most once (a unique index).

use insurance::{Channel, PaymentKind};
use serde::Serialize;
use sqlx::Row;

use super::refresh_stats;
use crate::{Result, Store, StoreError, WriteTx};

/// A payment or refund.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Payment {
    pub id: i64,
    pub reference: String,
    pub resident_id: i64,
    pub year: i64,
    /// The person's own contribution, or 代缴 by a bureau.
    pub kind: PaymentKind,
    /// Positive for a payment, negative for a refund.
    pub amount_fen: i64,
    pub channel: Channel,
    pub paid_on: String,
    pub town: String,
    pub village: String,
    pub recorded_by: String,
    pub recorded_at: String,
    pub refund_of: Option<i64>,
    pub note: String,
    /// Filled by list queries that join the resident.
    pub name: String,
    pub id_number: String,
}

const PAY_COLS: &str = "p.id, p.reference, p.resident_id, p.year, p.kind, p.amount_fen, p.channel, p.paid_on, p.town, p.village, p.recorded_by, \
    p.recorded_at, p.refund_of, p.note, r.name, r.id_number";

fn code<T: std::str::FromStr<Err = kernel::labelled::UnknownCode>>(r: &sqlx::any::AnyRow, col: &str) -> Result<T> {
    let s: String = r.try_get(col)?;
    s.parse().map_err(|e: kernel::labelled::UnknownCode| StoreError::Invalid(e.to_string()))
}

fn payment_row(r: &sqlx::any::AnyRow) -> Result<Payment> {
    Ok(Payment {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        resident_id: r.try_get("resident_id")?,
        year: r.try_get("year")?,
        kind: code(r, "kind")?,
        amount_fen: r.try_get("amount_fen")?,
        channel: code(r, "channel")?,
        paid_on: r.try_get("paid_on")?,
        town: r.try_get("town")?,
        village: r.try_get("village")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
        refund_of: r.try_get("refund_of")?,
        note: r.try_get("note")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
    })
}

/// A payment to record.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub reference: String,
    pub resident_id: i64,
    pub year: i64,
    pub kind: PaymentKind,
    pub amount_fen: i64,
    pub channel: Channel,
    pub paid_on: String,
    pub note: String,
}

/// What recording a payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    New(i64),
    /// The reference was already recorded with the same content: nothing changed.
    Existing(i64),
}

/// The resident's column that a payment of `kind` adds to, and the
/// expression of what that kind owes.
const fn columns(kind: PaymentKind) -> (&'static str, &'static str) {
    match kind {
        PaymentKind::Individual => ("paid_fen", "total_due_fen"),
        PaymentKind::OnBehalf => ("on_behalf_paid_fen", "medical_on_behalf_fen + pension_on_behalf_fen"),
    }
}

/// Add `amount` to what the resident has paid of `kind`, only if it stays
/// within what is owed. Written as `amount <= owed - paid` so that no sum can
/// overflow whatever the amount. Returns whether it was added.
async fn add_within_owed(tx: &mut WriteTx, kind: PaymentKind, resident_id: i64, amount: i64) -> Result<bool> {
    let (paid, owed) = columns(kind);
    let sql = format!("UPDATE insurance_residents SET {paid} = {paid} + $1 WHERE id = $2 AND $1 > 0 AND $1 <= ({owed}) - {paid}");
    let done = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(amount).bind(resident_id).execute(tx.conn()).await?.rows_affected();
    Ok(done == 1)
}

/// Why a payment did not fit: what the resident still owes, in yuan.
async fn over_owed(tx: &mut WriteTx, kind: PaymentKind, resident_id: i64, amount: i64) -> Result<StoreError> {
    let (paid, owed) = columns(kind);
    let sql = format!("SELECT ({owed}) AS owed, {paid} AS paid FROM insurance_residents WHERE id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(resident_id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("居民 {resident_id}")))?;
    let (owed, paid): (i64, i64) = (r.try_get("owed")?, r.try_get("paid")?);
    let left = kernel::Money::from_fen(owed.saturating_sub(paid).max(0));
    Ok(StoreError::Invalid(format!(
        "缴费金额{}元超过尚欠的{left}元（{kind}应缴{}元，已缴{}元）",
        kernel::Money::from_fen(amount),
        kernel::Money::from_fen(owed),
        kernel::Money::from_fen(paid)
    )))
}

impl Store {
    /// Record a payment. Idempotent by reference: the same reference with the
    /// same content returns the first record; with other content, or when
    /// another request recorded it meanwhile, it is a conflict (已登记). An
    /// amount above what is still owed is refused, naming what is still owed.
    /// The caller has checked the rules ([`insurance::check_payment`]: dates,
    /// not excluded, not after death).
    pub async fn insurance_record_payment(&self, actor: &str, p: &NewPayment) -> Result<Recorded> {
        let reference = p.reference.trim();
        if reference.is_empty() {
            return Err(StoreError::Invalid("请填写缴费凭证号（流水号）".into()));
        }
        if p.amount_fen <= 0 {
            return Err(StoreError::Invalid("缴费金额应大于0".into()));
        }
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query("SELECT id, resident_id, amount_fen, kind FROM insurance_payments WHERE reference = $1")
            .bind(reference)
            .fetch_optional(tx.conn())
            .await?;
        if let Some(r) = existing {
            let (id, rid, amt, kind): (i64, i64, i64, String) =
                (r.try_get("id")?, r.try_get("resident_id")?, r.try_get("amount_fen")?, r.try_get("kind")?);
            if rid == p.resident_id && amt == p.amount_fen && kind == p.kind.as_str() {
                return Ok(Recorded::Existing(id));
            }
            return Err(StoreError::Conflict(format!("凭证号 {} 已登记为另一笔缴费", kernel::echo(reference))));
        }
        let res = sqlx::query("SELECT town, village, id_number FROM insurance_residents WHERE id = $1")
            .bind(p.resident_id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("居民 {}", p.resident_id)))?;
        let (town, village, id_number): (String, String, String) =
            (res.try_get("town")?, res.try_get("village")?, res.try_get("id_number")?);
        // The check and the write in one statement: on PostgreSQL the row
        // lock makes a concurrent payment wait and then see this one.
        if !add_within_owed(&mut tx, p.kind, p.resident_id, p.amount_fen).await? {
            return Err(over_owed(&mut tx, p.kind, p.resident_id, p.amount_fen).await?);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO insurance_payments (reference, resident_id, year, kind, amount_fen, channel, paid_on, town, village, recorded_by, recorded_at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(reference)
        .bind(p.resident_id)
        .bind(p.year)
        .bind(p.kind.as_str())
        .bind(p.amount_fen)
        .bind(p.channel.as_str())
        .bind(&p.paid_on)
        .bind(&town)
        .bind(&village)
        .bind(actor)
        .bind(crate::now_text())
        .bind(&p.note)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| recorded_meanwhile(e, reference))?
        .try_get("id")?;
        let after = serde_json::json!({"reference": reference, "id_number": id_number, "kind": p.kind,
            "amount_fen": p.amount_fen, "channel": p.channel, "paid_on": p.paid_on, "year": p.year});
        tx.audit(actor, "record_payment", "insurance_payment", &id.to_string(), None, Some(&after)).await?;
        refresh_stats(&mut tx, Some((&town, &village))).await?;
        tx.commit().await?;
        Ok(Recorded::New(id))
    }

    /// Bulk payments on behalf (代缴) by a bureau, in one transaction;
    /// references already recorded, and residents whose on-behalf share is
    /// already paid, are skipped. Returns (added, skipped).
    pub async fn insurance_record_bulk(&self, actor: &str, payments: &[NewPayment]) -> Result<(i64, i64)> {
        let mut tx = self.begin_write().await?;
        let (mut added, mut skipped, mut total) = (0i64, 0i64, 0i64);
        let mut places: Vec<(String, String)> = Vec::new();
        for p in payments {
            if p.amount_fen <= 0 || p.reference.trim().is_empty() {
                return Err(StoreError::Invalid(format!("代缴记录 {} 无效：金额应大于0、凭证号不能为空", kernel::echo(&p.reference))));
            }
            let known = sqlx::query("SELECT id FROM insurance_payments WHERE reference = $1")
                .bind(p.reference.trim())
                .fetch_optional(tx.conn())
                .await?
                .is_some();
            if known || !add_within_owed(&mut tx, p.kind, p.resident_id, p.amount_fen).await? {
                skipped += 1;
                continue;
            }
            let r = sqlx::query(
                "INSERT INTO insurance_payments (reference, resident_id, year, kind, amount_fen, channel, paid_on, town, village, recorded_by, recorded_at, note) \
                 SELECT $1, id, $2, $3, $4, $5, $6, town, village, $7, $8, $9 FROM insurance_residents WHERE id = $10 RETURNING town, village",
            )
            .bind(p.reference.trim())
            .bind(p.year)
            .bind(p.kind.as_str())
            .bind(p.amount_fen)
            .bind(p.channel.as_str())
            .bind(&p.paid_on)
            .bind(actor)
            .bind(crate::now_text())
            .bind(&p.note)
            .bind(p.resident_id)
            .fetch_one(tx.conn())
            .await
            .map_err(|e| recorded_meanwhile(e, &p.reference))?;
            places.push((r.try_get("town")?, r.try_get("village")?));
            added += 1;
            total = total.saturating_add(p.amount_fen);
        }
        if added > 0 {
            let after = serde_json::json!({"payments": added, "skipped": skipped, "amount_fen": total});
            tx.audit(actor, "record_bulk_payments", "insurance_payment", "bulk", None, Some(&after)).await?;
            places.sort_unstable();
            places.dedup();
            for (t, v) in &places {
                refresh_stats(&mut tx, Some((t, v))).await?;
            }
        }
        tx.commit().await?;
        Ok((added, skipped))
    }

    /// Refund a payment in full (退费): a negative payment pointing at it.
    /// At most once: the refund's row is unique per payment, and what is paid
    /// goes down only while it covers the amount.
    pub async fn insurance_refund(&self, actor: &str, payment_id: i64, paid_on: &str, reason: &str) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let r =
            sqlx::query("SELECT reference, resident_id, year, kind, amount_fen, channel, refund_of FROM insurance_payments WHERE id = $1")
                .bind(payment_id)
                .fetch_optional(tx.conn())
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("缴费记录 {payment_id}")))?;
        let reference: String = r.try_get("reference")?;
        let rid: i64 = r.try_get("resident_id")?;
        let year: i64 = r.try_get("year")?;
        let kind: PaymentKind = code(&r, "kind")?;
        let amount: i64 = r.try_get("amount_fen")?;
        let channel: String = r.try_get("channel")?;
        let refund_of: Option<i64> = r.try_get("refund_of")?;
        if refund_of.is_some() || amount <= 0 {
            return Err(StoreError::Invalid("退费记录不能再退费".into()));
        }
        let refunded = || StoreError::Conflict(format!("缴费 {reference} 已退费"));
        let id: i64 = match sqlx::query(
            "INSERT INTO insurance_payments (reference, resident_id, year, kind, amount_fen, channel, paid_on, town, village, recorded_by, recorded_at, refund_of, note) \
             SELECT $1, resident_id, year, kind, $2, channel, $3, town, village, $4, $5, id, $6 FROM insurance_payments WHERE id = $7 RETURNING id",
        )
        .bind(format!("{reference}-退费"))
        .bind(-amount)
        .bind(paid_on)
        .bind(actor)
        .bind(crate::now_text())
        .bind(reason)
        .bind(payment_id)
        .fetch_one(tx.conn())
        .await
        {
            Ok(row) => row.try_get("id")?,
            Err(e) => {
                return Err(match StoreError::from(e) {
                    StoreError::Conflict(_) => refunded(),
                    other => other,
                });
            }
        };
        let (paid, _) = columns(kind);
        let sql = format!("UPDATE insurance_residents SET {paid} = {paid} - $1 WHERE id = $2 AND {paid} >= $1");
        let done = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(amount).bind(rid).execute(tx.conn()).await?.rows_affected();
        if done != 1 {
            return Err(StoreError::Conflict(format!("缴费 {reference} 的金额已不在已缴金额中，不能退费")));
        }
        let before = serde_json::json!({"reference": reference, "amount_fen": amount, "channel": channel, "year": year});
        let after = serde_json::json!({"refund_id": id, "amount_fen": -amount, "paid_on": paid_on, "reason": kernel::echo(reason)});
        tx.audit(actor, "refund_payment", "insurance_payment", &payment_id.to_string(), Some(&before), Some(&after)).await?;
        let r = sqlx::query("SELECT town, village FROM insurance_residents WHERE id = $1").bind(rid).fetch_one(tx.conn()).await?;
        let (town, village): (String, String) = (r.try_get("town")?, r.try_get("village")?);
        refresh_stats(&mut tx, Some((&town, &village))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn insurance_payments_of(&self, resident_id: i64) -> Result<Vec<Payment>> {
        let sql = format!(
            "SELECT {PAY_COLS} FROM insurance_payments p JOIN insurance_residents r ON r.id = p.resident_id WHERE p.resident_id = $1 ORDER BY p.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(resident_id).fetch_all(self.pool()).await?;
        rows.iter().map(payment_row).collect()
    }

    /// The payment recorded under `reference`, if any (references are unique).
    pub async fn insurance_payment_by_reference(&self, reference: &str) -> Result<Option<Payment>> {
        let sql = format!(
            "SELECT {PAY_COLS} FROM insurance_payments p JOIN insurance_residents r ON r.id = p.resident_id WHERE p.reference = $1"
        );
        let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reference.trim()).fetch_optional(self.pool()).await?;
        r.as_ref().map(payment_row).transpose()
    }

    pub async fn insurance_payment(&self, id: i64) -> Result<Payment> {
        let sql = format!("SELECT {PAY_COLS} FROM insurance_payments p JOIN insurance_residents r ON r.id = p.resident_id WHERE p.id = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("缴费记录 {id}")))?;
        payment_row(&r)
    }
    /// Payments in bulk without the per-payment checks (demo seeding): multi-row
    /// inserts, the paid columns recomputed once, one transaction, one audit entry.
    pub async fn insurance_seed_payments(&self, actor: &str, payments: &[NewPayment]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let positional = tx.backend() == crate::Backend::Sqlite;
        let at = crate::now_text();
        for chunk in payments.chunks(500) {
            let mut sql = String::from(
                "INSERT INTO insurance_payments (reference, resident_id, year, kind, amount_fen, channel, paid_on, town, village, recorded_by, recorded_at, note) \
                 SELECT v.reference, v.resident_id, v.year, v.kind, v.amount_fen, v.channel, v.paid_on, r.town, r.village, v.recorded_by, v.recorded_at, v.note FROM (",
            );
            let mut k = 0;
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(" UNION ALL ");
                }
                sql.push_str("SELECT ");
                for (j, col) in
                    ["reference", "resident_id", "year", "kind", "amount_fen", "channel", "paid_on", "recorded_by", "recorded_at", "note"]
                        .iter()
                        .enumerate()
                {
                    k += 1;
                    if j > 0 {
                        sql.push_str(", ");
                    }
                    let cast = matches!(*col, "resident_id" | "year" | "amount_fen") && !positional;
                    let ph = if positional { "?".to_string() } else { format!("${k}") };
                    if cast {
                        sql.push_str(&format!("CAST({ph} AS BIGINT)"));
                    } else if !positional {
                        sql.push_str(&format!("CAST({ph} AS TEXT)"));
                    } else {
                        sql.push_str(&ph);
                    }
                    if i == 0 {
                        sql.push_str(" AS ");
                        sql.push_str(col);
                    }
                }
            }
            sql.push_str(") v JOIN insurance_residents r ON r.id = v.resident_id");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                q = q
                    .bind(&p.reference)
                    .bind(p.resident_id)
                    .bind(p.year)
                    .bind(p.kind.as_str())
                    .bind(p.amount_fen)
                    .bind(p.channel.as_str())
                    .bind(&p.paid_on)
                    .bind(actor)
                    .bind(&at)
                    .bind(&p.note);
            }
            q.execute(tx.conn()).await?;
        }
        sqlx::query(
            "UPDATE insurance_residents SET \
             paid_fen = COALESCE((SELECT SUM(p.amount_fen) FROM insurance_payments p WHERE p.resident_id = insurance_residents.id AND p.kind = 'individual'), 0), \
             on_behalf_paid_fen = COALESCE((SELECT SUM(p.amount_fen) FROM insurance_payments p WHERE p.resident_id = insurance_residents.id AND p.kind = 'on_behalf'), 0) \
             WHERE id IN (SELECT resident_id FROM insurance_payments)",
        )
        .execute(tx.conn())
        .await?;
        let total: i64 = payments.iter().map(|p| p.amount_fen).sum();
        let after = serde_json::json!({"payments": payments.len(), "amount_fen": total});
        tx.audit(actor, "seed_payments", "insurance_payment", "bulk", None, Some(&after)).await?;
        refresh_stats(&mut tx, None).await?;
        tx.commit().await
    }
}
/// A unique key refusing the insert: another request recorded this reference
/// meanwhile (已登记), never a 500.
fn recorded_meanwhile(e: sqlx::Error, reference: &str) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!("凭证号 {} 已登记", kernel::echo(reference.trim()))),
        other => other,
    }
}
