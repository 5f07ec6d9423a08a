//! Residents: the registration facts and the figures the engine computed,
//! written in batches of multi-row upserts, and the roster (征收清册) read by page.

use serde::Serialize;
use sqlx::Row;

use super::refresh_stats;
use crate::{Result, Store, StoreError};

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

pub(super) async fn upsert_rows(conn: &mut sqlx::AnyConnection, backend: crate::Backend, rows: &[ResidentRow]) -> Result<()> {
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

pub(super) async fn upsert_rows_tx(tx: &mut crate::WriteTx, rows: &[ResidentRow]) -> Result<()> {
    let backend = tx.backend();
    upsert_rows(tx.conn(), backend, rows).await
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

impl Store {
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
}
