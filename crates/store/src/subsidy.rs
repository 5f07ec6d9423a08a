//! E-commerce support policy (山政发〔2022〕10号): the enterprise registry, the
//! figures each enterprise declares per year (kept in the engine's applicant
//! JSON), supporting documents, applications through review to payment,
//! the awards granted (with any change of amount and its reason, payments,
//! clawbacks), and the actuals recorded against the district's targets.

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Enterprise {
    pub uscc: String,
    pub name: String,
    pub town: String,
    pub contact: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub town: String,
    pub year: i64,
    /// draft | submitted | under_review | approved | returned | rejected | paid
    pub status: String,
    /// The engine's assessment (contract JSON) at the last submission.
    pub assessment_json: String,
    pub note: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Award {
    pub id: i64,
    pub application_id: i64,
    pub uscc: String,
    pub year: i64,
    pub article: i64,
    pub tier: i64,
    pub one_time: bool,
    pub proposed_fen: i64,
    pub granted_fen: i64,
    pub change_reason: String,
    pub paid_fen: i64,
    pub paid_on: Option<String>,
    pub clawed_back_fen: i64,
    pub clawback_reason: String,
}

/// A reviewer's decision on one article of an application.
#[derive(Debug, Clone, Serialize)]
pub struct AwardDecision {
    pub article: i64,
    pub tier: i64,
    pub one_time: bool,
    pub proposed_fen: i64,
    pub granted_fen: i64,
    pub change_reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BudgetLine {
    pub year: i64,
    pub article: i64,
    pub tier: i64,
    pub awards: i64,
    pub committed_fen: i64,
    pub paid_fen: i64,
    pub clawed_back_fen: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TargetActual {
    pub target: String,
    pub period: String,
    pub town: String,
    pub value: i64,
    pub note: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Document {
    pub id: i64,
    pub year: i64,
    pub filename: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

const APP_COLS: &str =
    "a.id, a.uscc, e.name, e.town, a.year, a.status, a.assessment_json, a.note, a.submitted_at, a.decided_at, a.decided_by";

fn app_row(r: &sqlx::any::AnyRow) -> Result<Application> {
    Ok(Application {
        id: r.try_get(0)?,
        uscc: r.try_get(1)?,
        name: r.try_get(2)?,
        town: r.try_get(3)?,
        year: r.try_get(4)?,
        status: r.try_get(5)?,
        assessment_json: r.try_get(6)?,
        note: r.try_get(7)?,
        submitted_at: r.try_get(8)?,
        decided_at: r.try_get(9)?,
        decided_by: r.try_get(10)?,
    })
}

const AWARD_COLS: &str = "id, application_id, uscc, year, article, tier, one_time, proposed_fen, granted_fen, change_reason, paid_fen, paid_on, clawed_back_fen, clawback_reason";

fn award_row(r: &sqlx::any::AnyRow) -> Result<Award> {
    Ok(Award {
        id: r.try_get(0)?,
        application_id: r.try_get(1)?,
        uscc: r.try_get(2)?,
        year: r.try_get(3)?,
        article: r.try_get(4)?,
        tier: r.try_get(5)?,
        one_time: r.try_get::<i64, _>(6)? != 0,
        proposed_fen: r.try_get(7)?,
        granted_fen: r.try_get(8)?,
        change_reason: r.try_get(9)?,
        paid_fen: r.try_get(10)?,
        paid_on: r.try_get(11)?,
        clawed_back_fen: r.try_get(12)?,
        clawback_reason: r.try_get(13)?,
    })
}

/// Which statuses may move to which: the review workflow.
pub fn transition_allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("draft" | "returned", "submitted")
            | ("submitted", "under_review")
            | ("under_review", "approved" | "returned" | "rejected")
            | ("approved", "paid")
    )
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
        let r = sqlx::query("SELECT uscc, name, town, contact FROM subsidy_enterprises WHERE uscc = $1")
            .bind(uscc)
            .fetch_optional(self.pool())
            .await?;
        r.map(|r| Ok(Enterprise { uscc: r.try_get(0)?, name: r.try_get(1)?, town: r.try_get(2)?, contact: r.try_get(3)? })).transpose()
    }

    /// Enterprises, filtered by town and a name/code fragment.
    pub async fn subsidy_enterprises(&self, town: Option<&str>, q: Option<&str>) -> Result<Vec<Enterprise>> {
        let rows = sqlx::query(
            "SELECT uscc, name, town, contact FROM subsidy_enterprises WHERE ($1 = '' OR town = $1) AND ($2 = '' OR name LIKE $3 OR uscc LIKE $3) ORDER BY town, name",
        )
        .bind(town.unwrap_or(""))
        .bind(q.unwrap_or(""))
        .bind(format!("%{}%", q.unwrap_or("")))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(Enterprise { uscc: r.try_get(0)?, name: r.try_get(1)?, town: r.try_get(2)?, contact: r.try_get(3)? }))
            .collect()
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

    pub async fn subsidy_declaration(&self, uscc: &str, year: i64) -> Result<Option<String>> {
        let r = sqlx::query("SELECT applicant_json FROM subsidy_declarations WHERE uscc = $1 AND year = $2")
            .bind(uscc)
            .bind(year)
            .fetch_optional(self.pool())
            .await?;
        r.map(|r| Ok(r.try_get(0)?)).transpose()
    }

    /// Every declaration of a year with its enterprise: for proactive matching.
    pub async fn subsidy_declarations(&self, year: i64) -> Result<Vec<(Enterprise, String)>> {
        let rows = sqlx::query(
            "SELECT e.uscc, e.name, e.town, e.contact, d.applicant_json FROM subsidy_declarations d JOIN subsidy_enterprises e ON e.uscc = d.uscc \
             WHERE d.year = $1 ORDER BY e.town, e.name",
        )
        .bind(year)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((Enterprise { uscc: r.try_get(0)?, name: r.try_get(1)?, town: r.try_get(2)?, contact: r.try_get(3)? }, r.try_get(4)?))
            })
            .collect()
    }

    pub async fn subsidy_add_document(
        &self,
        actor: &str,
        uscc: &str,
        year: i64,
        filename: &str,
        content_type: &str,
        data: &[u8],
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "INSERT INTO subsidy_documents (uscc, year, filename, content_type, size, data, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(uscc)
        .bind(year)
        .bind(filename)
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(data.to_vec())
        .bind(actor)
        .bind(crate::now_text())
        .fetch_one(tx.conn())
        .await?;
        let id: i64 = r.try_get(0)?;
        tx.audit(
            actor,
            "upload",
            "subsidy_document",
            &id.to_string(),
            None,
            Some(&serde_json::json!({"uscc": uscc, "year": year, "filename": filename})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn subsidy_documents(&self, uscc: &str) -> Result<Vec<Document>> {
        let rows = sqlx::query(
            "SELECT id, year, filename, size, uploaded_by, uploaded_at FROM subsidy_documents WHERE uscc = $1 ORDER BY year DESC, id",
        )
        .bind(uscc)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Document {
                    id: r.try_get(0)?,
                    year: r.try_get(1)?,
                    filename: r.try_get(2)?,
                    size: r.try_get(3)?,
                    uploaded_by: r.try_get(4)?,
                    uploaded_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn subsidy_document(&self, id: i64) -> Result<(String, String, String, Vec<u8>)> {
        let r = sqlx::query("SELECT uscc, filename, content_type, data FROM subsidy_documents WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("材料 {id}")))?;
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
    }

    /// Save an application as a draft or submit it, with the engine's assessment.
    /// Only a draft or a returned application can be changed.
    pub async fn subsidy_save_application(&self, actor: &str, uscc: &str, year: i64, assessment_json: &str, submit: bool) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let cur = sqlx::query("SELECT id, status FROM subsidy_applications WHERE uscc = $1 AND year = $2")
            .bind(uscc)
            .bind(year)
            .fetch_optional(tx.conn())
            .await?;
        let status = if submit { "submitted" } else { "draft" };
        let submitted_at = submit.then(crate::now_text);
        let id = match cur {
            Some(r) => {
                let id: i64 = r.try_get(0)?;
                let st: String = r.try_get(1)?;
                if st != "draft" && st != "returned" {
                    return Err(StoreError::Invalid(format!("{year}年度的申请已处于“{}”状态，不能修改；同一事项不重复申报", status_label(&st))));
                }
                sqlx::query("UPDATE subsidy_applications SET status = $1, assessment_json = $2, submitted_at = COALESCE($3, submitted_at) WHERE id = $4")
                    .bind(status)
                    .bind(assessment_json)
                    .bind(&submitted_at)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                id
            }
            None => sqlx::query("INSERT INTO subsidy_applications (uscc, year, status, assessment_json, submitted_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(uscc)
                .bind(year)
                .bind(status)
                .bind(assessment_json)
                .bind(&submitted_at)
                .fetch_one(tx.conn())
                .await?
                .try_get(0)?,
        };
        let after = serde_json::json!({"status": status, "assessment": serde_json::from_str::<serde_json::Value>(assessment_json).ok()});
        tx.audit(actor, status, "subsidy_application", &id.to_string(), None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn subsidy_applications(&self, status: Option<&str>, year: Option<i64>, uscc: Option<&str>) -> Result<Vec<Application>> {
        let sql = format!(
            "SELECT {APP_COLS} FROM subsidy_applications a JOIN subsidy_enterprises e ON e.uscc = a.uscc \
             WHERE ($1 = '' OR a.status = $1) AND ($2 = 0 OR a.year = $2) AND ($3 = '' OR a.uscc = $3) ORDER BY a.year DESC, a.id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(status.unwrap_or(""))
            .bind(year.unwrap_or(0))
            .bind(uscc.unwrap_or(""))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(app_row).collect()
    }

    pub async fn subsidy_application(&self, id: i64) -> Result<(Application, Vec<Award>)> {
        let sql = format!("SELECT {APP_COLS} FROM subsidy_applications a JOIN subsidy_enterprises e ON e.uscc = a.uscc WHERE a.id = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("申请 {id}")))?;
        let app = app_row(&r)?;
        let awards =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {AWARD_COLS} FROM subsidy_awards WHERE application_id = $1 ORDER BY article")))
                .bind(id)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(award_row)
                .collect::<Result<Vec<_>>>()?;
        Ok((app, awards))
    }

    /// Move an application along the workflow (not approval, which has its own call).
    pub async fn subsidy_set_status(&self, actor: &str, id: i64, to: &str, note: &str) -> Result<()> {
        let (app, _) = self.subsidy_application(id).await?;
        if !transition_allowed(&app.status, to) || to == "approved" || to == "paid" {
            return Err(StoreError::Invalid(format!("申请不能从“{}”变为“{}”", status_label(&app.status), status_label(to))));
        }
        if matches!(to, "returned" | "rejected") && note.trim().is_empty() {
            return Err(StoreError::Invalid("退回或不予支持须写明理由".into()));
        }
        let mut tx = self.begin_write().await?;
        let decided = matches!(to, "returned" | "rejected");
        sqlx::query("UPDATE subsidy_applications SET status = $1, note = $2, decided_at = CASE WHEN $3 = 1 THEN $4 ELSE decided_at END, decided_by = CASE WHEN $3 = 1 THEN $5 ELSE decided_by END WHERE id = $6 AND status = $7")
            .bind(to)
            .bind(note.trim())
            .bind(i64::from(decided))
            .bind(crate::now_text())
            .bind(actor)
            .bind(id)
            .bind(&app.status)
            .execute(tx.conn())
            .await?;
        tx.audit(
            actor,
            to,
            "subsidy_application",
            &id.to_string(),
            Some(&serde_json::json!({"status": app.status})),
            Some(&serde_json::json!({"status": to, "note": note})),
        )
        .await?;
        tx.commit().await
    }

    /// Approve with the amounts granted per article. A granted amount that
    /// differs from the engine's proposal needs a written reason.
    pub async fn subsidy_approve(&self, actor: &str, id: i64, decisions: &[AwardDecision], note: &str) -> Result<()> {
        let (app, _) = self.subsidy_application(id).await?;
        if app.status != "under_review" {
            return Err(StoreError::Invalid(format!("只有审核中的申请可以批准（当前：{}）", status_label(&app.status))));
        }
        for d in decisions {
            if d.granted_fen < 0 || d.granted_fen > d.proposed_fen {
                return Err(StoreError::Invalid(format!("第{}条：核定金额须在 0 至测算金额之间", d.article)));
            }
            if d.granted_fen != d.proposed_fen && d.change_reason.trim().is_empty() {
                return Err(StoreError::Invalid(format!("第{}条：核定金额与测算金额不同，须写明理由", d.article)));
            }
        }
        let mut tx = self.begin_write().await?;
        for d in decisions {
            sqlx::query(
                "INSERT INTO subsidy_awards (application_id, uscc, year, article, tier, one_time, proposed_fen, granted_fen, change_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(&app.uscc)
            .bind(app.year)
            .bind(d.article)
            .bind(d.tier)
            .bind(i64::from(d.one_time))
            .bind(d.proposed_fen)
            .bind(d.granted_fen)
            .bind(d.change_reason.trim())
            .execute(tx.conn())
            .await?;
        }
        sqlx::query("UPDATE subsidy_applications SET status = 'approved', note = $1, decided_at = $2, decided_by = $3 WHERE id = $4")
            .bind(note.trim())
            .bind(crate::now_text())
            .bind(actor)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let after = serde_json::json!({"status": "approved", "awards": decisions, "note": note});
        tx.audit(actor, "approve", "subsidy_application", &id.to_string(), Some(&serde_json::json!({"status": app.status})), Some(&after))
            .await?;
        tx.commit().await
    }

    /// Record the payment of every award of an approved application.
    pub async fn subsidy_pay(&self, actor: &str, id: i64, paid_on: &str) -> Result<()> {
        let (app, _) = self.subsidy_application(id).await?;
        if app.status != "approved" {
            return Err(StoreError::Invalid(format!("只有已批准的申请可以拨付（当前：{}）", status_label(&app.status))));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE subsidy_awards SET paid_fen = granted_fen, paid_on = $1 WHERE application_id = $2")
            .bind(paid_on)
            .bind(id)
            .execute(tx.conn())
            .await?;
        sqlx::query("UPDATE subsidy_applications SET status = 'paid' WHERE id = $1").bind(id).execute(tx.conn()).await?;
        tx.audit(
            actor,
            "pay",
            "subsidy_application",
            &id.to_string(),
            Some(&serde_json::json!({"status": "approved"})),
            Some(&serde_json::json!({"status": "paid", "paid_on": paid_on})),
        )
        .await?;
        tx.commit().await
    }

    /// Claw back an article 9 award on falsified data (弄虚作假的，追回奖励资金).
    pub async fn subsidy_clawback(&self, actor: &str, award_id: i64, amount_fen: i64, reason: &str) -> Result<()> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {AWARD_COLS} FROM subsidy_awards WHERE id = $1")))
            .bind(award_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("奖励 {award_id}")))?;
        let a = award_row(&r)?;
        if a.article != 9 {
            return Err(StoreError::Invalid("追回只适用于第9条跨境电商奖励（数据弄虚作假）".into()));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("追回须写明事实和理由".into()));
        }
        if amount_fen <= 0 || amount_fen + a.clawed_back_fen > a.granted_fen {
            return Err(StoreError::Invalid("追回金额须大于0且累计不超过核定金额".into()));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE subsidy_awards SET clawed_back_fen = clawed_back_fen + $1, clawback_reason = $2 WHERE id = $3")
            .bind(amount_fen)
            .bind(reason.trim())
            .bind(award_id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            actor,
            "clawback",
            "subsidy_award",
            &award_id.to_string(),
            Some(&serde_json::json!({"clawed_back_fen": a.clawed_back_fen})),
            Some(&serde_json::json!({"clawed_back_fen": a.clawed_back_fen + amount_fen, "reason": reason})),
        )
        .await?;
        tx.commit().await
    }

    /// Awards an enterprise has received (approved or paid, not wholly clawed
    /// back), for the engine's one-time and tier rules: (article, year, tier).
    pub async fn subsidy_awards_received(&self, uscc: &str) -> Result<Vec<(i64, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT w.article, w.year, w.tier FROM subsidy_awards w JOIN subsidy_applications a ON a.id = w.application_id \
             WHERE w.uscc = $1 AND a.status IN ('approved', 'paid') AND w.granted_fen > w.clawed_back_fen ORDER BY w.year, w.article",
        )
        .bind(uscc)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
    }

    /// Committed and paid per article and tier for a year (0 = every year).
    pub async fn subsidy_budget(&self, year: i64) -> Result<Vec<BudgetLine>> {
        let rows = sqlx::query(
            "SELECT w.year, w.article, w.tier, COUNT(*), CAST(SUM(w.granted_fen) AS BIGINT), CAST(SUM(w.paid_fen) AS BIGINT), CAST(SUM(w.clawed_back_fen) AS BIGINT) \
             FROM subsidy_awards w JOIN subsidy_applications a ON a.id = w.application_id \
             WHERE a.status IN ('approved', 'paid') AND ($1 = 0 OR w.year = $1) GROUP BY w.year, w.article, w.tier ORDER BY w.year, w.article, w.tier",
        )
        .bind(year)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BudgetLine {
                    year: r.try_get(0)?,
                    article: r.try_get(1)?,
                    tier: r.try_get(2)?,
                    awards: r.try_get(3)?,
                    committed_fen: r.try_get(4)?,
                    paid_fen: r.try_get(5)?,
                    clawed_back_fen: r.try_get(6)?,
                })
            })
            .collect()
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
        let rows =
            sqlx::query("SELECT target, period, town, value, note, recorded_by FROM subsidy_target_actuals ORDER BY target, period, town")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(TargetActual {
                    target: r.try_get(0)?,
                    period: r.try_get(1)?,
                    town: r.try_get(2)?,
                    value: r.try_get(3)?,
                    note: r.try_get(4)?,
                    recorded_by: r.try_get(5)?,
                })
            })
            .collect()
    }
}

/// The Chinese name of an application status.
pub fn status_label(s: &str) -> &'static str {
    match s {
        "draft" => "草稿",
        "submitted" => "已提交",
        "under_review" => "审核中",
        "approved" => "已批准",
        "returned" => "退回修改",
        "rejected" => "不予支持",
        "paid" => "已拨付",
        _ => "未知",
    }
}

/// Demo data is seeded by the web layer, which runs the engine (see `web::modules::subsidy`).
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
