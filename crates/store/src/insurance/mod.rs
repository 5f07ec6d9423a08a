//! 居民养老、医疗保险征缴 (山政办发〔2022〕4号): residents with the figures
//! the engine computed for them, payments and refunds, public rosters (公示),
//! import jobs, reconciliation (钱表相符) and statistics.
//!
//! The store knows no rules: the web module computes each resident with the
//! `insurance` engine and hands plain rows here. Statistics are GROUP BY
//! queries over those stored figures, so a page stays fast with a million
//! residents.

use std::io::Read;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Result, Store, StoreError};

mod payments;

pub use payments::{NewPayment, Payment, Recorded};

/// The job kind of a resident import in the core `jobs` table.
pub const IMPORT_JOB: &str = "insurance.residents";

/// One resident: registration facts and the computed figures for `year`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct ResidentRow {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    pub town: String,
    pub village: String,
    pub birth_date: String,
    pub hukou_in_district: bool,
    pub residence_permit: bool,
    pub employee_insurance: bool,
    pub student: bool,
    pub receiving_pension: bool,
    /// As imported, `|`-separated.
    pub groups: String,
    /// Added by the departments' lists (民政, 乡村振兴, 残联, 退役军人).
    pub list_groups: String,
    pub disability_grade: Option<i64>,
    pub pension_tier_fen: Option<i64>,
    pub sponsored_fen: Option<i64>,
    pub deceased_on: Option<String>,
    pub source: String,
    pub year: i64,
    pub as_of: String,
    pub age: i64,
    /// Pension target band of a person due: 1 = 16–44, 2 = 45–59, 0 otherwise.
    pub band: i64,
    pub status: String,
    pub pension_status: String,
    pub medical_individual_fen: i64,
    pub medical_on_behalf_fen: i64,
    pub medical_sponsored_fen: i64,
    pub medical_fiscal_fen: i64,
    pub pension_tier_yuan: Option<i64>,
    pub pension_individual_fen: i64,
    pub pension_on_behalf_fen: i64,
    pub pension_subsidy_fen: i64,
    pub total_due_fen: i64,
    /// Net individual payments for the year (refunds subtracted).
    pub paid_fen: i64,
    /// Net payments made on the person's behalf by a bureau.
    pub on_behalf_paid_fen: i64,
}

const WRITE_COLS: [&str; 33] = [
    "id_number",
    "name",
    "town",
    "village",
    "birth_date",
    "hukou_in_district",
    "residence_permit",
    "employee_insurance",
    "student",
    "receiving_pension",
    "groups",
    "list_groups",
    "disability_grade",
    "pension_tier_fen",
    "sponsored_fen",
    "deceased_on",
    "source",
    "year",
    "as_of",
    "age",
    "band",
    "status",
    "pension_status",
    "medical_individual_fen",
    "medical_on_behalf_fen",
    "medical_sponsored_fen",
    "medical_fiscal_fen",
    "pension_tier_yuan",
    "pension_individual_fen",
    "pension_on_behalf_fen",
    "pension_subsidy_fen",
    "total_due_fen",
    "paid_fen",
];

/// The columns an import may overwrite: everything but the list groups, the
/// payments, and a known death (a registration file does not undo a death
/// reported by the police or civil affairs).
const UPSERT_SET: &str = "name = excluded.name, town = excluded.town, village = excluded.village, birth_date = excluded.birth_date, \
    hukou_in_district = excluded.hukou_in_district, residence_permit = excluded.residence_permit, employee_insurance = excluded.employee_insurance, \
    student = excluded.student, receiving_pension = excluded.receiving_pension, groups = excluded.groups, disability_grade = excluded.disability_grade, \
    pension_tier_fen = excluded.pension_tier_fen, sponsored_fen = excluded.sponsored_fen, \
    deceased_on = COALESCE(insurance_residents.deceased_on, excluded.deceased_on), source = excluded.source, year = excluded.year, \
    as_of = excluded.as_of, age = excluded.age, band = excluded.band, status = excluded.status, pension_status = excluded.pension_status, \
    medical_individual_fen = excluded.medical_individual_fen, medical_on_behalf_fen = excluded.medical_on_behalf_fen, \
    medical_sponsored_fen = excluded.medical_sponsored_fen, medical_fiscal_fen = excluded.medical_fiscal_fen, \
    pension_tier_yuan = excluded.pension_tier_yuan, pension_individual_fen = excluded.pension_individual_fen, \
    pension_on_behalf_fen = excluded.pension_on_behalf_fen, pension_subsidy_fen = excluded.pension_subsidy_fen, total_due_fen = excluded.total_due_fen";

const READ_COLS: &str = "id, id_number, name, town, village, birth_date, hukou_in_district, residence_permit, employee_insurance, student, \
    receiving_pension, groups, list_groups, disability_grade, pension_tier_fen, sponsored_fen, deceased_on, source, year, as_of, age, band, status, \
    pension_status, medical_individual_fen, medical_on_behalf_fen, medical_sponsored_fen, medical_fiscal_fen, pension_tier_yuan, \
    pension_individual_fen, pension_on_behalf_fen, pension_subsidy_fen, total_due_fen, paid_fen, on_behalf_paid_fen";

fn resident_row(r: &sqlx::any::AnyRow) -> Result<ResidentRow> {
    let b = |c: &str| -> Result<bool> { Ok(r.try_get::<i64, _>(c)? != 0) };
    Ok(ResidentRow {
        id: r.try_get("id")?,
        id_number: r.try_get("id_number")?,
        name: r.try_get("name")?,
        town: r.try_get("town")?,
        village: r.try_get("village")?,
        birth_date: r.try_get("birth_date")?,
        hukou_in_district: b("hukou_in_district")?,
        residence_permit: b("residence_permit")?,
        employee_insurance: b("employee_insurance")?,
        student: b("student")?,
        receiving_pension: b("receiving_pension")?,
        groups: r.try_get("groups")?,
        list_groups: r.try_get("list_groups")?,
        disability_grade: r.try_get("disability_grade")?,
        pension_tier_fen: r.try_get("pension_tier_fen")?,
        sponsored_fen: r.try_get("sponsored_fen")?,
        deceased_on: r.try_get("deceased_on")?,
        source: r.try_get("source")?,
        year: r.try_get("year")?,
        as_of: r.try_get("as_of")?,
        age: r.try_get("age")?,
        band: r.try_get("band")?,
        status: r.try_get("status")?,
        pension_status: r.try_get("pension_status")?,
        medical_individual_fen: r.try_get("medical_individual_fen")?,
        medical_on_behalf_fen: r.try_get("medical_on_behalf_fen")?,
        medical_sponsored_fen: r.try_get("medical_sponsored_fen")?,
        medical_fiscal_fen: r.try_get("medical_fiscal_fen")?,
        pension_tier_yuan: r.try_get("pension_tier_yuan")?,
        pension_individual_fen: r.try_get("pension_individual_fen")?,
        pension_on_behalf_fen: r.try_get("pension_on_behalf_fen")?,
        pension_subsidy_fen: r.try_get("pension_subsidy_fen")?,
        total_due_fen: r.try_get("total_due_fen")?,
        paid_fen: r.try_get("paid_fen")?,
        on_behalf_paid_fen: r.try_get("on_behalf_paid_fen")?,
    })
}

/// Rows per INSERT statement: 33 columns × 400 stays under SQLite's 32766 parameters.
const ROWS_PER_STATEMENT: usize = 400;

async fn upsert_rows(conn: &mut sqlx::AnyConnection, backend: crate::Backend, rows: &[ResidentRow]) -> Result<()> {
    // In ID order, the unique index's pages are visited one after another
    // instead of at random, each while it is still in the cache.
    let mut sorted: Vec<&ResidentRow> = rows.iter().collect();
    sorted.sort_by(|a, b| a.id_number.cmp(&b.id_number)); // stable: a repeated ID keeps its order
    // SQLite looks numbered parameters (`$N`) up by name, linearly: with
    // thousands of them per statement that lookup dominates, so the SQLite
    // statement uses positional `?` instead.
    let positional = backend == crate::Backend::Sqlite;
    for chunk in sorted.chunks(ROWS_PER_STATEMENT) {
        let n = WRITE_COLS.len();
        let mut sql = String::with_capacity(200 + chunk.len() * n * 5);
        sql.push_str("INSERT INTO insurance_residents (");
        sql.push_str(&WRITE_COLS.join(", "));
        sql.push_str(") VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..n {
                if j > 0 {
                    sql.push(',');
                }
                if positional {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&(i * n + j + 1).to_string());
                }
            }
            sql.push(')');
        }
        sql.push_str(" ON CONFLICT (id_number) DO UPDATE SET ");
        sql.push_str(UPSERT_SET);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(&r.id_number)
                .bind(&r.name)
                .bind(&r.town)
                .bind(&r.village)
                .bind(&r.birth_date)
                .bind(i64::from(r.hukou_in_district))
                .bind(i64::from(r.residence_permit))
                .bind(i64::from(r.employee_insurance))
                .bind(i64::from(r.student))
                .bind(i64::from(r.receiving_pension))
                .bind(&r.groups)
                .bind(&r.list_groups)
                .bind(r.disability_grade)
                .bind(r.pension_tier_fen)
                .bind(r.sponsored_fen)
                .bind(&r.deceased_on)
                .bind(&r.source)
                .bind(r.year)
                .bind(&r.as_of)
                .bind(r.age)
                .bind(r.band)
                .bind(&r.status)
                .bind(&r.pension_status)
                .bind(r.medical_individual_fen)
                .bind(r.medical_on_behalf_fen)
                .bind(r.medical_sponsored_fen)
                .bind(r.medical_fiscal_fen)
                .bind(r.pension_tier_yuan)
                .bind(r.pension_individual_fen)
                .bind(r.pension_on_behalf_fen)
                .bind(r.pension_subsidy_fen)
                .bind(r.total_due_fen)
                .bind(r.paid_fen);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

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

async fn upsert_rows_tx(tx: &mut crate::WriteTx, rows: &[ResidentRow]) -> Result<()> {
    let backend = tx.backend();
    upsert_rows(tx.conn(), backend, rows).await
}

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

/// A village's roster query.
#[derive(Debug, Clone, Default)]
pub struct RosterFilter {
    pub year: i64,
    pub town: Option<String>,
    pub village: Option<String>,
    /// Name or ID number (prefix of the ID, part of the name).
    pub q: Option<String>,
    /// `included`, `excluded`, or a full status value.
    pub status: Option<String>,
    /// `paid` | `unpaid`.
    pub paid: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

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

/// Name keeps the surname (the first character) and a `*`.
pub fn mask_name(name: &str) -> String {
    let mut s: String = name.chars().take(1).collect();
    s.push('*');
    s
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

    /// Rows written without the job machinery (demo seeding): one transaction, one audit entry.
    pub async fn insurance_insert_residents(&self, actor: &str, rows: &[ResidentRow]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        upsert_rows_tx(&mut tx, rows).await?;
        refresh_stats(&mut tx, None).await?;
        let after = serde_json::json!({"rows": rows.len()});
        tx.audit(actor, "import", "insurance_residents", "batch", None, Some(&after)).await?;
        tx.commit().await
    }

    pub async fn insurance_resident_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM insurance_residents").fetch_one(self.pool()).await?.try_get("n")?)
    }

    /// (id, town, village, total due) of every included resident owing something: for seeding payments.
    pub async fn insurance_dues(&self, year: i64) -> Result<Vec<(i64, String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT id, town, village, total_due_fen FROM insurance_residents WHERE year = $1 AND status = 'included' AND total_due_fen > 0 ORDER BY id",
        )
        .bind(year)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("town")?, r.try_get("village")?, r.try_get("total_due_fen")?))).collect()
    }

    pub async fn insurance_resident(&self, id: i64) -> Result<ResidentRow> {
        let sql = format!("SELECT {READ_COLS} FROM insurance_residents WHERE id = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("居民 {id}")))?;
        resident_row(&r)
    }

    pub async fn insurance_residents_by_id_numbers(&self, ids: &[String]) -> Result<Vec<ResidentRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT {READ_COLS} FROM insurance_residents WHERE id_number IN ({})", ph.join(","));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(self.pool()).await? {
                out.push(resident_row(&r)?);
            }
        }
        Ok(out)
    }

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

    /// The roster (清册) page: filtered, paged, ordered by village and name.
    pub async fn insurance_roster(&self, f: &RosterFilter) -> Result<(Vec<ResidentRow>, i64)> {
        let mut conds = vec!["year = $1".to_string()];
        let mut binds: Vec<String> = Vec::new();
        let mut push = |conds: &mut Vec<String>, cond: &str, v: String| {
            binds.push(v);
            conds.push(cond.replace('?', &format!("${}", binds.len() + 1)));
        };
        if let Some(t) = f.town.as_ref().filter(|s| !s.is_empty()) {
            push(&mut conds, "town = ?", t.clone());
        }
        if let Some(v) = f.village.as_ref().filter(|s| !s.is_empty()) {
            push(&mut conds, "village = ?", v.clone());
        }
        if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            if q.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                push(&mut conds, "id_number LIKE ?", format!("{}%", q.to_ascii_uppercase()));
            } else {
                push(&mut conds, "name LIKE ?", format!("%{q}%"));
            }
        }
        match f.status.as_deref() {
            Some("included") => conds.push("status = 'included'".into()),
            Some("excluded") => conds.push("status <> 'included'".into()),
            Some(s) if !s.is_empty() => push(&mut conds, "status = ?", s.to_string()),
            _ => {}
        }
        match f.paid.as_deref() {
            Some("paid") => conds.push("paid_fen > 0".into()),
            Some("unpaid") => conds.push("status = 'included' AND total_due_fen > 0 AND paid_fen <= 0".into()),
            _ => {}
        }
        let wh = conds.join(" AND ");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM insurance_residents WHERE {wh}"))).bind(f.year);
        for b in &binds {
            q = q.bind(b);
        }
        let total: i64 = q.fetch_one(self.pool()).await?.try_get("n")?;
        let sql = format!(
            "SELECT {READ_COLS} FROM insurance_residents WHERE {wh} ORDER BY town, village, name, id_number LIMIT {} OFFSET {}",
            f.limit.clamp(1, 100_000),
            f.offset.max(0)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(f.year);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?;
        Ok((rows.iter().map(resident_row).collect::<Result<_>>()?, total))
    }

    /// Distinct (town, village) pairs with residents, optionally of one town.
    pub async fn insurance_villages(&self, town: Option<&str>) -> Result<Vec<(String, String)>> {
        let rows = match town {
            Some(t) => {
                sqlx::query("SELECT DISTINCT town, village FROM insurance_residents WHERE town = $1 ORDER BY town, village")
                    .bind(t)
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                sqlx::query("SELECT DISTINCT town, village FROM insurance_residents ORDER BY town, village").fetch_all(self.pool()).await?
            }
        };
        rows.iter().map(|r| Ok((r.try_get("town")?, r.try_get("village")?))).collect()
    }

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

/// Demo data that needs only the store: none (the population needs the engine; see the web module's seed).
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
