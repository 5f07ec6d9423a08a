//! E-commerce support policy (山政发〔2022〕10号): the enterprise registry, the
//! figures each enterprise declares per year (kept in the engine's applicant
//! JSON), supporting documents, applications through review to payment,
//! the awards granted (with any change of amount and its reason, payments,
//! clawbacks), and the actuals recorded against the district's targets.
//!
//! Rows are typed: an application's state is [`ecommerce::Status`] and its
//! assessment an [`ecommerce::Assessment`], read back from the stored JSON;
//! an unknown state or an assessment that does not parse is an error.
//! Which state may follow which is the engine's ([`ecommerce::workflow`]);
//! every state change here is a conditional `UPDATE … WHERE status = $from`
//! in the same transaction as its audit entry, so that of two concurrent
//! requests exactly one takes effect and the other gets a conflict.

use ecommerce::workflow::{AwardDecision, Status};
use ecommerce::{Assessment, AwardReceived};
use serde::Serialize;

use crate::{Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Enterprise {
    pub uscc: String,
    pub name: String,
    pub town: String,
    pub contact: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Application {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub town: String,
    pub year: i64,
    #[sqlx(try_from = "String")]
    pub status: Status,
    /// The engine's assessment at the last submission.
    #[sqlx(try_from = "String", rename = "assessment_json")]
    pub assessment: Assessment,
    pub note: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Award {
    pub id: i64,
    pub application_id: i64,
    pub uscc: String,
    pub year: i64,
    pub article: i64,
    pub tier: i64,
    /// 1 for a one-time (一次性) award (a CHECK keeps it 0 or 1).
    #[sqlx(rename = "one_time")]
    pub one_time_flag: i64,
    pub proposed_fen: i64,
    pub granted_fen: i64,
    pub change_reason: String,
    pub paid_fen: i64,
    pub paid_on: Option<String>,
    pub clawed_back_fen: i64,
    pub clawback_reason: String,
}

impl Award {
    pub fn one_time(&self) -> bool {
        self.one_time_flag != 0
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct BudgetLine {
    pub year: i64,
    pub article: i64,
    pub tier: i64,
    pub awards: i64,
    pub committed_fen: i64,
    pub paid_fen: i64,
    pub clawed_back_fen: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct TargetActual {
    pub target: String,
    pub period: String,
    pub town: String,
    pub value: i64,
    pub note: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub uscc: String,
    pub year: i64,
    pub filename: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A stored document's bytes with what is needed to check access and name it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentFile {
    pub uscc: String,
    pub filename: String,
    pub data: Vec<u8>,
}

/// A document to store.
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    pub uscc: &'a str,
    pub year: i64,
    pub filename: &'a str,
    /// Decided by the server from the file's extension, never the uploader's.
    pub content_type: &'a str,
    pub data: &'a [u8],
}

/// One enterprise's declared figures for a year (the engine's applicant JSON).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Declaration {
    pub uscc: String,
    pub name: String,
    pub town: String,
    pub contact: String,
    pub applicant_json: String,
}

impl Declaration {
    pub fn enterprise(&self) -> Enterprise {
        Enterprise { uscc: self.uscc.clone(), name: self.name.clone(), town: self.town.clone(), contact: self.contact.clone() }
    }
}

#[derive(sqlx::FromRow)]
struct Received {
    article: i64,
    year: i64,
    tier: i64,
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
}

#[derive(sqlx::FromRow)]
struct Id {
    id: i64,
}

#[derive(sqlx::FromRow)]
struct Applicant {
    uscc: String,
    year: i64,
}

const APP_COLS: &str =
    "a.id, a.uscc, e.name, e.town, a.year, a.status, a.assessment_json, a.note, a.submitted_at, a.decided_at, a.decided_by";

const AWARD_COLS: &str = "id, application_id, uscc, year, article, tier, one_time, proposed_fen, granted_fen, change_reason, paid_fen, paid_on, clawed_back_fen, clawback_reason";

/// What a state change found when its condition no longer held.
fn changed_meanwhile(id: i64, from: Option<Status>) -> StoreError {
    let from = from.map(Status::label).unwrap_or("未申请");
    StoreError::Conflict(format!("申请 {id} 已不处于“{from}”状态（已由他人办理或重复提交），未作修改"))
}

/// A conditional state change (`UPDATE … WHERE status = from`) must have
/// found the application in `from`; otherwise someone else acted first.
fn moved_once(rows: u64, id: i64, from: Status) -> Result<()> {
    if rows == 1 { Ok(()) } else { Err(changed_meanwhile(id, Some(from))) }
}

/// The audit entry of an application's state change: before it, the state it left.
async fn audit_move(tx: &mut WriteTx, actor: &str, action: &str, id: i64, from: Status, after: &serde_json::Value) -> Result<()> {
    tx.audit(actor, action, "subsidy_application", &id.to_string(), Some(&serde_json::json!({"status": from})), Some(after)).await?;
    Ok(())
}

fn assessment_json(a: &Assessment) -> Result<String> {
    serde_json::to_string(a).map_err(|e| StoreError::Invalid(format!("测算结果无法保存：{e}")))
}

impl Store {
    pub async fn subsidy_upsert_enterprise(&self, actor: &str, e: &Enterprise) -> Result<()> {
        kernel::CreditCode::parse(&e.uscc).map_err(|err| StoreError::Invalid(format!("统一社会信用代码：{err}")))?;
        if e.name.trim().is_empty() {
            return Err(StoreError::Invalid("企业名称不能为空".into()));
        }
        let before = self.subsidy_enterprise(&e.uscc).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO subsidy_enterprises (uscc, name, town, contact, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, town = excluded.town, contact = excluded.contact",
        )
        .bind(&e.uscc)
        .bind(e.name.trim())
        .bind(&e.town)
        .bind(&e.contact)
        .bind(crate::now_text())
        .execute(tx.conn())
        .await?;
        let b = before.as_ref().and_then(|b| serde_json::to_value(b).ok());
        tx.audit(
            actor,
            if before.is_some() { "update" } else { "create" },
            "enterprise",
            &e.uscc,
            b.as_ref(),
            serde_json::to_value(e).ok().as_ref(),
        )
        .await?;
        tx.commit().await
    }

    pub async fn subsidy_enterprise(&self, uscc: &str) -> Result<Option<Enterprise>> {
        Ok(sqlx::query_as::<_, Enterprise>("SELECT uscc, name, town, contact FROM subsidy_enterprises WHERE uscc = $1")
            .bind(uscc)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Enterprises, filtered by town and a name/code fragment.
    pub async fn subsidy_enterprises(&self, town: Option<&str>, q: Option<&str>) -> Result<Vec<Enterprise>> {
        Ok(sqlx::query_as::<_, Enterprise>(
            "SELECT uscc, name, town, contact FROM subsidy_enterprises WHERE ($1 = '' OR town = $1) AND ($2 = '' OR name LIKE $3 OR uscc LIKE $3) ORDER BY town, name",
        )
        .bind(town.unwrap_or(""))
        .bind(q.unwrap_or(""))
        .bind(format!("%{}%", q.unwrap_or("")))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn subsidy_save_declaration(&self, actor: &str, uscc: &str, year: i64, applicant_json: &str) -> Result<()> {
        let before = self.subsidy_declaration(uscc, year).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO subsidy_declarations (uscc, year, applicant_json, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (uscc, year) DO UPDATE SET applicant_json = excluded.applicant_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(uscc)
        .bind(year)
        .bind(applicant_json)
        .bind(crate::now_text())
        .bind(actor)
        .execute(tx.conn())
        .await?;
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
        tx.audit(
            actor,
            "declare",
            "subsidy_declaration",
            &format!("{uscc}/{year}"),
            before.as_deref().and_then(parse).as_ref(),
            parse(applicant_json).as_ref(),
        )
        .await?;
        tx.commit().await
    }

    /// The declared applicant JSON of an enterprise and year.
    pub async fn subsidy_declaration(&self, uscc: &str, year: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar::<_, String>("SELECT applicant_json FROM subsidy_declarations WHERE uscc = $1 AND year = $2")
            .bind(uscc)
            .bind(year)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The years that have declared figures, newest first.
    pub async fn subsidy_declaration_years(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar::<_, i64>("SELECT DISTINCT year FROM subsidy_declarations ORDER BY year DESC").fetch_all(self.pool()).await?)
    }

    /// Every declaration of a year with its enterprise: for proactive matching.
    pub async fn subsidy_declarations(&self, year: i64) -> Result<Vec<Declaration>> {
        Ok(sqlx::query_as::<_, Declaration>(
            "SELECT e.uscc, e.name, e.town, e.contact, d.applicant_json FROM subsidy_declarations d JOIN subsidy_enterprises e ON e.uscc = d.uscc \
             WHERE d.year = $1 ORDER BY e.town, e.name",
        )
        .bind(year)
        .fetch_all(self.pool())
        .await?)
    }

    /// Store a supporting document, refusing it when the enterprise already
    /// holds `max_per_enterprise` (counted in the same transaction).
    pub async fn subsidy_add_document(&self, actor: &str, d: &NewDocument<'_>, max_per_enterprise: i64) -> Result<i64> {
        let NewDocument { uscc, year, filename, content_type, data } = *d;
        let mut tx = self.begin_write().await?;
        let held = sqlx::query_as::<_, Count>("SELECT COUNT(*) AS n FROM subsidy_documents WHERE uscc = $1")
            .bind(uscc)
            .fetch_one(tx.conn())
            .await?
            .n;
        if held >= max_per_enterprise {
            return Err(StoreError::Invalid(format!("每家企业最多保存 {max_per_enterprise} 份证明材料（已有 {held} 份）")));
        }
        let id = sqlx::query_as::<_, Id>(
            "INSERT INTO subsidy_documents (uscc, year, filename, content_type, size, data, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(uscc)
        .bind(year)
        .bind(filename)
        .bind(content_type)
        .bind(i64::try_from(data.len()).map_err(|_| StoreError::Invalid("文件过大".into()))?)
        .bind(data.to_vec())
        .bind(actor)
        .bind(crate::now_text())
        .fetch_one(tx.conn())
        .await?
        .id;
        tx.audit(
            actor,
            "upload",
            "subsidy_document",
            &id.to_string(),
            None,
            Some(&serde_json::json!({"uscc": uscc, "year": year, "filename": filename, "size": data.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn subsidy_documents(&self, uscc: &str) -> Result<Vec<Document>> {
        Ok(sqlx::query_as::<_, Document>(
            "SELECT id, uscc, year, filename, size, uploaded_by, uploaded_at FROM subsidy_documents WHERE uscc = $1 ORDER BY year DESC, id",
        )
        .bind(uscc)
        .fetch_all(self.pool())
        .await?)
    }

    /// Which enterprise a document belongs to (checked before its bytes are read).
    pub async fn subsidy_document_owner(&self, id: i64) -> Result<String> {
        sqlx::query_scalar::<_, String>("SELECT uscc FROM subsidy_documents WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("材料 {id}")))
    }

    pub async fn subsidy_document(&self, id: i64) -> Result<DocumentFile> {
        sqlx::query_as::<_, DocumentFile>("SELECT uscc, filename, data FROM subsidy_documents WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("材料 {id}")))
    }

    /// Create or update an enterprise's application for a year with the
    /// engine's assessment, moving it from `from` (`None`: there is none yet)
    /// to `to`. The move is conditional: if the application is no longer in
    /// `from` (or one was created meanwhile) nothing is written and the answer
    /// is a conflict. One application per enterprise and year (unique key).
    pub async fn subsidy_save_application(
        &self,
        actor: &str,
        uscc: &str,
        year: i64,
        assessment: &Assessment,
        from: Option<Status>,
        to: Status,
    ) -> Result<i64> {
        let json = assessment_json(assessment)?;
        let submitted_at = (to == Status::Submitted).then(crate::now_text);
        let mut tx = self.begin_write().await?;
        let id = match from {
            None => {
                sqlx::query_as::<_, Id>(
                    "INSERT INTO subsidy_applications (uscc, year, status, assessment_json, submitted_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(uscc)
                .bind(year)
                .bind(to.as_str())
                .bind(&json)
                .bind(&submitted_at)
                .fetch_one(tx.conn())
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => StoreError::Conflict(format!("{year}年度已有申请（同一事项不重复申报），未作修改")),
                    other => other,
                })?
                .id
            }
            Some(from) => sqlx::query_as::<_, Id>(
                "UPDATE subsidy_applications SET status = $1, assessment_json = $2, submitted_at = COALESCE($3, submitted_at) \
                 WHERE uscc = $4 AND year = $5 AND status = $6 RETURNING id",
            )
            .bind(to.as_str())
            .bind(&json)
            .bind(&submitted_at)
            .bind(uscc)
            .bind(year)
            .bind(from.as_str())
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| StoreError::Conflict(format!("{year}年度的申请已不处于“{}”状态，未作修改", from.label())))?
            .id,
        };
        let after = serde_json::json!({"status": to, "assessment": assessment});
        let before = from.map(|f| serde_json::json!({"status": f}));
        tx.audit(actor, to.as_str(), "subsidy_application", &id.to_string(), before.as_ref(), Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn subsidy_applications(&self, status: Option<Status>, year: Option<i64>, uscc: Option<&str>) -> Result<Vec<Application>> {
        let sql = format!(
            "SELECT {APP_COLS} FROM subsidy_applications a JOIN subsidy_enterprises e ON e.uscc = a.uscc \
             WHERE ($1 = '' OR a.status = $1) AND ($2 = 0 OR a.year = $2) AND ($3 = '' OR a.uscc = $3) ORDER BY a.year DESC, a.id DESC"
        );
        Ok(sqlx::query_as::<_, Application>(sqlx::AssertSqlSafe(sql))
            .bind(status.map(Status::as_str).unwrap_or(""))
            .bind(year.unwrap_or(0))
            .bind(uscc.unwrap_or(""))
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn subsidy_application(&self, id: i64) -> Result<(Application, Vec<Award>)> {
        let sql = format!("SELECT {APP_COLS} FROM subsidy_applications a JOIN subsidy_enterprises e ON e.uscc = a.uscc WHERE a.id = $1");
        let app = sqlx::query_as::<_, Application>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("申请 {id}")))?;
        let awards = sqlx::query_as::<_, Award>(sqlx::AssertSqlSafe(format!(
            "SELECT {AWARD_COLS} FROM subsidy_awards WHERE application_id = $1 ORDER BY article"
        )))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok((app, awards))
    }

    /// Move an application from `from` to `to` with a note (受理、退回、不予支持).
    /// `decided` records who decided and when. Conditional: a conflict when
    /// the application is no longer in `from`.
    pub async fn subsidy_transition(&self, actor: &str, id: i64, from: Status, to: Status, note: &str, decided: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE subsidy_applications SET status = $1, note = $2, decided_at = CASE WHEN $3 = 1 THEN $4 ELSE decided_at END, \
             decided_by = CASE WHEN $3 = 1 THEN $5 ELSE decided_by END WHERE id = $6 AND status = $7",
        )
        .bind(to.as_str())
        .bind(note.trim())
        .bind(i64::from(decided))
        .bind(crate::now_text())
        .bind(actor)
        .bind(id)
        .bind(from.as_str())
        .execute(tx.conn())
        .await?
        .rows_affected();
        moved_once(done, id, from)?;
        audit_move(&mut tx, actor, to.as_str(), id, from, &serde_json::json!({"status": to, "note": kernel::echo(note)})).await?;
        tx.commit().await
    }

    /// Approve (`from` → 已批准) with the amounts the engine decided
    /// ([`ecommerce::workflow::decide_awards`]), in one transaction: the
    /// conditional state change first, so a second approval finds nothing to
    /// change and writes no award.
    pub async fn subsidy_approve(&self, actor: &str, id: i64, from: Status, decisions: &[AwardDecision], note: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let Applicant { uscc, year } = sqlx::query_as::<_, Applicant>(
            "UPDATE subsidy_applications SET status = $1, note = $2, decided_at = $3, decided_by = $4 WHERE id = $5 AND status = $6 RETURNING uscc, year",
        )
        .bind(Status::Approved.as_str())
        .bind(note.trim())
        .bind(crate::now_text())
        .bind(actor)
        .bind(id)
        .bind(from.as_str())
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| changed_meanwhile(id, Some(from)))?;
        for d in decisions {
            sqlx::query(
                "INSERT INTO subsidy_awards (application_id, uscc, year, article, tier, one_time, proposed_fen, granted_fen, change_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(&uscc)
            .bind(year)
            .bind(i64::from(d.article))
            .bind(i64::from(d.tier))
            .bind(i64::from(d.one_time))
            .bind(d.assessed.fen())
            .bind(d.granted.fen())
            .bind(d.reason.trim())
            .execute(tx.conn())
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "第{}条：本企业已获得过该项奖励（同一项目不重复享受，一次性奖励只享受一次），未作修改",
                    d.article
                )),
                other => other,
            })?;
        }
        let after = serde_json::json!({"status": Status::Approved, "awards": decisions, "note": kernel::echo(note)});
        audit_move(&mut tx, actor, "approve", id, from, &after).await?;
        tx.commit().await
    }

    /// Record the payment (已批准 → 已拨付) of every award of an application,
    /// in one transaction with the conditional state change: paid once.
    pub async fn subsidy_pay(&self, actor: &str, id: i64, from: Status, to: Status, paid_on: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE subsidy_applications SET status = $1 WHERE id = $2 AND status = $3")
            .bind(to.as_str())
            .bind(id)
            .bind(from.as_str())
            .execute(tx.conn())
            .await?
            .rows_affected();
        moved_once(done, id, from)?;
        sqlx::query("UPDATE subsidy_awards SET paid_fen = granted_fen, paid_on = $1 WHERE application_id = $2 AND paid_fen = 0")
            .bind(paid_on)
            .bind(id)
            .execute(tx.conn())
            .await?;
        audit_move(&mut tx, actor, "pay", id, from, &serde_json::json!({"status": to, "paid_on": paid_on})).await?;
        tx.commit().await
    }

    pub async fn subsidy_award(&self, award_id: i64) -> Result<Award> {
        sqlx::query_as::<_, Award>(sqlx::AssertSqlSafe(format!("SELECT {AWARD_COLS} FROM subsidy_awards WHERE id = $1")))
            .bind(award_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("奖励 {award_id}")))
    }

    /// Set an award's clawed-back total from `before` to `after` (the engine
    /// checked it against what was paid). Conditional on `before`: of two
    /// concurrent clawbacks decided on the same figures, one takes effect.
    pub async fn subsidy_clawback(&self, actor: &str, award_id: i64, before: i64, after: i64, reason: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE subsidy_awards SET clawed_back_fen = $1, clawback_reason = $2 WHERE id = $3 AND clawed_back_fen = $4")
                .bind(after)
                .bind(reason.trim())
                .bind(award_id)
                .bind(before)
                .execute(tx.conn())
                .await?
                .rows_affected();
        if done != 1 {
            return Err(StoreError::Conflict(format!("奖励 {award_id} 的追回金额已变更（已由他人办理），未作修改")));
        }
        tx.audit(
            actor,
            "clawback",
            "subsidy_award",
            &award_id.to_string(),
            Some(&serde_json::json!({"clawed_back_fen": before})),
            Some(&serde_json::json!({"clawed_back_fen": after, "reason": kernel::echo(reason)})),
        )
        .await?;
        tx.commit().await
    }

    /// Awards an enterprise has received (approved or paid, not wholly clawed
    /// back), for the engine's one-time and tier rules.
    pub async fn subsidy_awards_received(&self, uscc: &str) -> Result<Vec<AwardReceived>> {
        let rows = sqlx::query_as::<_, Received>(
            "SELECT w.article, w.year, w.tier FROM subsidy_awards w JOIN subsidy_applications a ON a.id = w.application_id \
             WHERE w.uscc = $1 AND a.status IN ($2, $3) AND w.granted_fen > w.clawed_back_fen ORDER BY w.year, w.article",
        )
        .bind(uscc)
        .bind(Status::Approved.as_str())
        .bind(Status::Paid.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let bad = |what: &str, v: i64| StoreError::Invalid(format!("奖励记录的{what} {v} 无效"));
                Ok(AwardReceived {
                    article: u8::try_from(r.article).map_err(|_| bad("条款", r.article))?,
                    year: i32::try_from(r.year).map_err(|_| bad("年度", r.year))?,
                    tier: u8::try_from(r.tier).map_err(|_| bad("档次", r.tier))?,
                })
            })
            .collect()
    }

    /// Committed and paid per article and tier for a year (0 = every year).
    pub async fn subsidy_budget(&self, year: i64) -> Result<Vec<BudgetLine>> {
        Ok(sqlx::query_as::<_, BudgetLine>(
            "SELECT w.year AS year, w.article AS article, w.tier AS tier, COUNT(*) AS awards, CAST(SUM(w.granted_fen) AS BIGINT) AS committed_fen, \
             CAST(SUM(w.paid_fen) AS BIGINT) AS paid_fen, CAST(SUM(w.clawed_back_fen) AS BIGINT) AS clawed_back_fen \
             FROM subsidy_awards w JOIN subsidy_applications a ON a.id = w.application_id \
             WHERE a.status IN ($2, $3) AND ($1 = 0 OR w.year = $1) GROUP BY w.year, w.article, w.tier ORDER BY w.year, w.article, w.tier",
        )
        .bind(year)
        .bind(Status::Approved.as_str())
        .bind(Status::Paid.as_str())
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn subsidy_record_actual(&self, actor: &str, a: &TargetActual) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO subsidy_target_actuals (target, period, town, value, note, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (target, period, town) DO UPDATE SET value = excluded.value, note = excluded.note, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(&a.target)
        .bind(&a.period)
        .bind(&a.town)
        .bind(a.value)
        .bind(&a.note)
        .bind(actor)
        .bind(crate::now_text())
        .execute(tx.conn())
        .await?;
        tx.audit(
            actor,
            "record_actual",
            "subsidy_target",
            &format!("{}/{}/{}", a.target, a.period, a.town),
            None,
            serde_json::to_value(a).ok().as_ref(),
        )
        .await?;
        tx.commit().await
    }

    pub async fn subsidy_actuals(&self) -> Result<Vec<TargetActual>> {
        Ok(sqlx::query_as::<_, TargetActual>(
            "SELECT target, period, town, value, note, recorded_by FROM subsidy_target_actuals ORDER BY target, period, town",
        )
        .fetch_all(self.pool())
        .await?)
    }
}

/// Demo data is seeded by the web layer, which runs the engine (see `web::modules::subsidy`).
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
