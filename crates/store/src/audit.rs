//! The tamper-evident audit trail: every write appends who, when, what, and
//! the values before and after, each entry carrying the hash of the one
//! before it. Altering or removing a row breaks the chain at that row;
//! removing the newest rows is caught only against an [`anchor`] of the head
//! kept outside the database.

pub mod anchor;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, Result, Store, WriteTx};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash over every field but the hash itself.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.prev_hash.as_str(),
            &self.seq.to_string(),
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            self.before_json.as_deref().unwrap_or("\u{0}"),
            self.after_json.as_deref().unwrap_or("\u{0}"),
        ] {
            h.update(part.as_bytes());
            h.update([0x1f]);
        }
        hex::encode(h.finalize())
    }
}

impl WriteTx {
    /// Append an audit entry inside this transaction.
    pub async fn audit(
        &mut self,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<i64> {
        if self.backend == Backend::Postgres && !self.audit_locked {
            // Serialise appenders across server instances: the chain is linear.
            sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE").execute(&mut *self.tx).await?;
            self.audit_locked = true;
        }
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *self.tx).await?;
        let (seq, prev_hash) = match last {
            Some(r) => (r.try_get::<i64, _>("seq")? + 1, r.try_get::<String, _>("hash")?),
            None => (1, GENESIS.to_string()),
        };
        let mut e = AuditEntry {
            seq,
            at: crate::now_text(),
            actor: actor.to_string(),
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.to_string(),
            before_json: before.map(|v| v.to_string()),
            after_json: after.map(|v| v.to_string()),
            prev_hash,
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(e.seq)
        .bind(&e.at)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.entity)
        .bind(&e.entity_id)
        .bind(&e.before_json)
        .bind(&e.after_json)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .execute(&mut *self.tx)
        .await?;
        Ok(seq)
    }
}

/// Filters for browsing the trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub action: Option<String>,
    pub text: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyReport {
    Intact { entries: i64 },
    Broken { seq: i64, reason: String },
}

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        before_json: r.try_get("before_json")?,
        after_json: r.try_get("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const COLUMNS: &str = "seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash";

impl Store {
    /// Append one audit entry on its own (no other write): for reads that
    /// must leave a trace, such as viewing or exporting full ID numbers
    /// (查询留痕).
    pub async fn audit_read(&self, actor: &str, action: &str, entity: &str, entity_id: &str, detail: &serde_json::Value) -> Result<()> {
        let mut tx = self.begin_write().await?;
        tx.audit(actor, action, entity, entity_id, None, Some(detail)).await?;
        tx.commit().await
    }

    /// Walk the whole chain; report the first entry that does not fit.
    pub async fn verify_audit(&self) -> Result<VerifyReport> {
        self.verify_audit_anchored(&[]).await
    }

    /// Walk the whole chain and hold it against anchors of earlier heads:
    /// besides the chain's own checks, an anchored entry must still be there
    /// with the hash the anchor recorded. Reports the first problem by
    /// sequence number. Anchors' MACs are checked apart
    /// ([`anchor::check_macs`]): this needs no key.
    pub async fn verify_audit_anchored(&self, anchors: &[(usize, anchor::Anchor)]) -> Result<VerifyReport> {
        let by_seq = anchor::index(anchors);
        let mut expected_prev = GENESIS.to_string();
        let mut expected_seq = 1i64;
        let mut last_seq = 0i64;
        loop {
            let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(last_seq).fetch_all(&self.pool).await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = entry_from_row(r)?;
                if e.seq != expected_seq {
                    return Ok(VerifyReport::Broken {
                        seq: expected_seq,
                        reason: format!("第 {expected_seq} 条记录缺失（下一条为第 {} 条）", e.seq),
                    });
                }
                if e.prev_hash != expected_prev {
                    return Ok(VerifyReport::Broken {
                        seq: e.seq, reason: format!("第 {} 条记录的前序哈希与上一条不符", e.seq)
                    });
                }
                if e.compute_hash() != e.hash {
                    return Ok(VerifyReport::Broken {
                        seq: e.seq, reason: format!("第 {} 条记录内容被改动（哈希不符）", e.seq)
                    });
                }
                // A tail rewritten with fresh hashes is a whole chain again;
                // only the hash recorded outside tells.
                for (line, hash) in by_seq.get(&e.seq).into_iter().flatten() {
                    if *hash != e.hash {
                        return Ok(VerifyReport::Broken {
                            seq: e.seq,
                            reason: format!(
                                "第 {} 条记录与锚点不符：锚点文件第 {line} 行记录的哈希为 {hash}，数据库中为 {}",
                                e.seq, e.hash
                            ),
                        });
                    }
                }
                expected_prev = e.hash.clone();
                expected_seq += 1;
                last_seq = e.seq;
            }
        }
        let entries = expected_seq - 1;
        if let Some(short) = anchor::beyond_end(&by_seq, entries) {
            return Ok(short);
        }
        Ok(VerifyReport::Intact { entries })
    }

    /// The newest entry of the trail, if any: what an anchor records.
    pub async fn audit_head(&self) -> Result<Option<AuditEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(&self.pool).await?;
        row.as_ref().map(entry_from_row).transpose()
    }

    /// Browse the trail, newest first.
    pub async fn audit_entries(&self, f: &AuditFilter) -> Result<(Vec<AuditEntry>, i64)> {
        let mut conds = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        for (col, v) in [("actor", &f.actor), ("entity", &f.entity), ("action", &f.action)] {
            if let Some(v) = v.as_ref().filter(|s| !s.is_empty()) {
                binds.push(v.clone());
                conds.push(format!("{col} = ${}", binds.len()));
            }
        }
        if let Some(t) = f.text.as_ref().filter(|s| !s.is_empty()) {
            binds.push(format!("%{t}%"));
            let n = binds.len();
            conds.push(format!("(entity_id LIKE ${n} OR before_json LIKE ${n} OR after_json LIKE ${n})"));
        }
        let wh = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_log {wh}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        for b in &binds {
            q = q.bind(b);
        }
        let total: i64 = q.fetch_one(&self.pool).await?.try_get("n")?;
        let sql =
            format!("SELECT {COLUMNS} FROM audit_log {wh} ORDER BY seq DESC LIMIT {} OFFSET {}", f.limit.clamp(1, 500), f.offset.max(0));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let entries = rows.iter().map(entry_from_row).collect::<Result<Vec<_>>>()?;
        Ok((entries, total))
    }

    /// The audit entries of one entity, oldest first (an object's history).
    pub async fn audit_history(&self, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(entity).bind(entity_id).fetch_all(&self.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }
}
