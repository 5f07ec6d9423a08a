//! Import jobs (导入任务) in the core `jobs` table: found again by the content
//! of the file after a crash, with the last input line whose batch is committed.

use std::io::Read;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::IMPORT_JOB;
use super::refresh_stats;
use super::residents::{ResidentRow, upsert_rows_tx};
use crate::{Result, Store, StoreError};

/// A content key for a file: the import job of the same bytes is the same job.
pub fn content_key(mut r: impl Read) -> std::io::Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// An import job's state in the core `jobs` table.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub source: String,
    pub state: String,
    /// The last input line whose batch is committed.
    pub progress: i64,
    pub total: Option<i64>,
    pub message: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
}

fn job_row(r: &sqlx::any::AnyRow) -> Result<Job> {
    Ok(Job {
        id: r.try_get("id")?,
        source: r.try_get("source")?,
        state: r.try_get("state")?,
        progress: r.try_get("progress")?,
        total: r.try_get("total")?,
        message: r.try_get("message")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

impl Store {
    /// Find or create the import job of `source`. A job left `running` by a
    /// crash resumes after its last committed line; a finished one starts
    /// over (re-importing changes nothing, rows are upserted by ID number).
    pub async fn insurance_job_start(&self, source: &str, total: Option<i64>) -> Result<Job> {
        let mut tx = self.begin_write().await?;
        let cur = sqlx::query(
            "SELECT id, source, state, progress, total, message, started_at, finished_at FROM jobs WHERE kind = $1 AND source = $2",
        )
        .bind(IMPORT_JOB)
        .bind(source)
        .fetch_optional(tx.conn())
        .await?;
        let job = match cur {
            Some(r) => {
                let j = job_row(&r)?;
                if j.state == "running" {
                    j
                } else {
                    sqlx::query("UPDATE jobs SET state = 'running', progress = 0, message = NULL, started_at = $1, finished_at = NULL WHERE id = $2")
                        .bind(crate::now_text())
                        .bind(j.id)
                        .execute(tx.conn())
                        .await?;
                    Job { state: "running".into(), progress: 0, message: None, finished_at: None, ..j }
                }
            }
            None => {
                let at = crate::now_text();
                let r = sqlx::query("INSERT INTO jobs (kind, source, state, progress, total, started_at) VALUES ($1, $2, 'running', 0, $3, $4) RETURNING id")
                    .bind(IMPORT_JOB)
                    .bind(source)
                    .bind(total)
                    .bind(&at)
                    .fetch_one(tx.conn())
                    .await?;
                Job {
                    id: r.try_get("id")?,
                    source: source.into(),
                    state: "running".into(),
                    progress: 0,
                    total,
                    message: None,
                    started_at: at,
                    finished_at: None,
                }
            }
        };
        tx.commit().await?;
        Ok(job)
    }

    pub async fn insurance_job(&self, id: i64) -> Result<Job> {
        let r = sqlx::query("SELECT id, source, state, progress, total, message, started_at, finished_at FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("导入任务 {id}")))?;
        job_row(&r)
    }

    /// The latest import jobs, newest first.
    pub async fn insurance_jobs(&self, limit: i64) -> Result<Vec<Job>> {
        let rows = sqlx::query(
            "SELECT id, source, state, progress, total, message, started_at, finished_at FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(IMPORT_JOB)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(job_row).collect()
    }

    /// One batch of an import: upsert the rows and move the job's progress to
    /// `through_line` in the same transaction, so that a crash leaves either
    /// the whole batch and its progress, or neither.
    pub async fn insurance_import_batch(&self, actor: &str, job_id: i64, rows: &[ResidentRow], through_line: i64) -> Result<()> {
        self.insurance_import_batch_after(actor, job_id, rows, through_line, std::future::ready(true)).await
    }

    /// [`Self::insurance_import_batch`], with the rows written while the
    /// batch before is still committing: `before` resolves to whether it
    /// committed, and only then are this batch's progress and audit entry
    /// written and committed, so batches commit in order and the job's
    /// progress never passes a batch that is not in. On PostgreSQL two
    /// batches then keep two server processes busy; on SQLite a write
    /// transaction waits for the one before anyway.
    pub async fn insurance_import_batch_after(
        &self,
        actor: &str,
        job_id: i64,
        rows: &[ResidentRow],
        through_line: i64,
        before: impl std::future::Future<Output = bool>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if tx.backend() == crate::Backend::Sqlite {
            // ID numbers arrive in no order: with SQLite's default 2 MB page
            // cache the unique index's pages are read again for every batch.
            sqlx::query("PRAGMA cache_size = -131072").execute(tx.conn()).await?;
        }
        upsert_rows_tx(&mut tx, rows).await?;
        if !before.await {
            // Dropping the transaction rolls this batch back.
            return Err(StoreError::Invalid(format!("导入任务 {job_id}：前一批次未能提交，本批次（至第{through_line}行）已回滚")));
        }
        sqlx::query("UPDATE jobs SET progress = $1 WHERE id = $2").bind(through_line).bind(job_id).execute(tx.conn()).await?;
        if !rows.is_empty() {
            let after = serde_json::json!({"rows": rows.len(), "through_line": through_line,
                "first": rows.first().map(|r| &r.id_number), "last": rows.last().map(|r| &r.id_number)});
            tx.audit(actor, "import_batch", "insurance_job", &job_id.to_string(), None, Some(&after)).await?;
        }
        tx.commit().await
    }

    pub async fn insurance_job_finish(&self, actor: &str, job_id: i64, state: &str, message: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        refresh_stats(&mut tx, None).await?;
        sqlx::query("UPDATE jobs SET state = $1, message = $2, finished_at = $3 WHERE id = $4")
            .bind(state)
            .bind(message)
            .bind(crate::now_text())
            .bind(job_id)
            .execute(tx.conn())
            .await?;
        let after = serde_json::json!({"state": state, "message": message});
        tx.audit(actor, "import_finish", "insurance_job", &job_id.to_string(), None, Some(&after)).await?;
        tx.commit().await
    }
}
