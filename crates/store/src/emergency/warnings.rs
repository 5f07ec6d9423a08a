//! Warnings (预警, 4.3): drafts with their 4.3.3 measures and who carries each
//! out, approval, and the CAP 1.2 message of every issue, adjustment and
//! lifting, with the Atom feed rewritten in the same transaction.

use emergency::WarningState;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Checklist, Measure, code, flag, insert_measures, invalid, json, measures_of, raced};
use crate::{Result, Store, StoreError, WriteTx};

/// A warning (预警) with the content fields of 4.3.2.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Warning {
    pub id: i64,
    pub incident_type: String,
    /// 预警级别 1–4 (一级 highest).
    pub level: i64,
    pub headline: String,
    /// 可能影响范围、警示事项
    pub description: String,
    /// 可能持续时间
    pub duration: String,
    /// 提醒事宜
    pub heed: String,
    /// 应采取的措施
    pub instruction: String,
    /// 发布机关
    pub issuer: String,
    pub onset: Option<String>,
    pub expires: Option<String>,
    /// Areas, joined with 、
    pub areas: String,
    pub channels: String,
    /// Targeted groups (老、幼、病、残、孕 …)
    pub targeted: String,
    /// Targeted places (学校、养老院、警报盲区 …)
    pub places: String,
    pub state: WarningState,
    pub drill: bool,
    pub current_identifier: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub approved_by: Option<String>,
    pub issued_at: Option<String>,
    pub lifted_at: Option<String>,
    pub updated_at: String,
}

impl Default for Warning {
    fn default() -> Self {
        Warning {
            id: 0,
            incident_type: String::new(),
            level: 4,
            headline: String::new(),
            description: String::new(),
            duration: String::new(),
            heed: String::new(),
            instruction: String::new(),
            issuer: String::new(),
            onset: None,
            expires: None,
            areas: String::new(),
            channels: String::new(),
            targeted: String::new(),
            places: String::new(),
            state: WarningState::Draft,
            drill: false,
            current_identifier: None,
            created_by: String::new(),
            created_at: String::new(),
            approved_by: None,
            issued_at: None,
            lifted_at: None,
            updated_at: String::new(),
        }
    }
}

impl sqlx::FromRow<'_, AnyRow> for Warning {
    fn from_row(r: &AnyRow) -> sqlx::Result<Warning> {
        let e = |e: StoreError| sqlx::Error::Decode(Box::new(e));
        Ok(Warning {
            id: r.try_get("id")?,
            incident_type: r.try_get("incident_type")?,
            level: r.try_get("level")?,
            headline: r.try_get("headline")?,
            description: r.try_get("description")?,
            duration: r.try_get("duration")?,
            heed: r.try_get("heed")?,
            instruction: r.try_get("instruction")?,
            issuer: r.try_get("issuer")?,
            onset: r.try_get("onset")?,
            expires: r.try_get("expires")?,
            areas: r.try_get("areas")?,
            channels: r.try_get("channels")?,
            targeted: r.try_get("targeted")?,
            places: r.try_get("places")?,
            state: code(r, "state").map_err(e)?,
            drill: flag(r, "drill").map_err(e)?,
            current_identifier: r.try_get("current_identifier")?,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
            approved_by: r.try_get("approved_by")?,
            issued_at: r.try_get("issued_at")?,
            lifted_at: r.try_get("lifted_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    }
}

/// One CAP message sent for a warning.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct CapMessage {
    pub identifier: String,
    pub msg_type: String,
    pub sent: String,
    pub refs: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WarningDetail {
    pub warning: Warning,
    pub measures: Vec<Measure>,
    pub messages: Vec<CapMessage>,
}

/// A CAP message to store with a warning's state change.
#[derive(Debug, Clone)]
pub struct Publication {
    pub identifier: String,
    pub msg_type: String,
    pub sent: String,
    pub refs: String,
    pub xml: String,
}

/// What an adjustment changes (4.3.2 调整).
#[derive(Debug, Clone)]
pub struct Adjustment {
    pub level: i64,
    pub headline: String,
    pub description: String,
    pub instruction: String,
    pub expires: Option<String>,
}

/// Renders the feed from the current warnings (issued or adjusted, not
/// drills), each with the CAP message it currently stands on.
pub type FeedRenderer<'a> = &'a (dyn Fn(&[(Warning, CapMessage)]) -> String + Sync);

/// The current warnings with the message each stands on, in feed order.
async fn current_with_messages(tx: &mut WriteTx) -> Result<Vec<(Warning, CapMessage)>> {
    let rows = sqlx::query(
        "SELECT w.*, m.identifier AS m_identifier, m.msg_type AS m_msg_type, m.sent AS m_sent, m.refs AS m_refs \
         FROM emergency_warnings w JOIN emergency_cap_messages m ON m.identifier = w.current_identifier \
         WHERE w.state IN ('issued', 'adjusted') AND w.drill = 0 ORDER BY m.sent DESC, w.id DESC",
    )
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            let w = <Warning as sqlx::FromRow<AnyRow>>::from_row(r)?;
            let m = CapMessage {
                identifier: r.try_get("m_identifier")?,
                msg_type: r.try_get("m_msg_type")?,
                sent: r.try_get("m_sent")?,
                refs: r.try_get("m_refs")?,
            };
            Ok((w, m))
        })
        .collect()
}

async fn rewrite_feed(tx: &mut WriteTx, render: FeedRenderer<'_>) -> Result<()> {
    let current = current_with_messages(tx).await?;
    let body = render(&current);
    sqlx::query(
        "INSERT INTO emergency_feed (id, version, body) VALUES (1, 1, $1) ON CONFLICT (id) DO UPDATE SET version = emergency_feed.version + 1, body = $1",
    )
    .bind(&body)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Move a warning from `from` to `to` in one conditional statement, setting
/// `extra` too: of concurrent identical requests one passes.
async fn move_state(tx: &mut WriteTx, id: i64, from: WarningState, to: WarningState, extra: &str, binds: &[Option<String>]) -> Result<()> {
    let n = binds.len();
    let sql = format!(
        "UPDATE emergency_warnings SET state = ${}, updated_at = ${}{extra} WHERE id = ${} AND state = ${}",
        n + 1,
        n + 2,
        n + 3,
        n + 4
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    let moved = q.bind(to.as_str()).bind(crate::now_text()).bind(id).bind(from.as_str()).execute(tx.conn()).await?;
    if moved.rows_affected() != 1 {
        return Err(raced("预警"));
    }
    Ok(())
}

impl Store {
    /// Draft a warning with its level's measures as a checklist, each with
    /// the units assigned to carry it out.
    pub async fn emergency_create_warning(&self, actor: &str, w: &Warning, measures: &[(String, Vec<String>)]) -> Result<i64> {
        if w.headline.trim().is_empty() || w.description.trim().is_empty() {
            return Err(invalid("预警标题和内容不能为空"));
        }
        if w.areas.trim().is_empty() {
            return Err(invalid("请选择预警区域"));
        }
        let now = crate::now_text();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO emergency_warnings (incident_type, level, headline, description, duration, heed, instruction, issuer, onset, expires, \
             areas, channels, targeted, places, state, drill, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', $15, $16, $17, $17) RETURNING id",
        )
        .bind(&w.incident_type)
        .bind(w.level)
        .bind(w.headline.trim())
        .bind(w.description.trim())
        .bind(w.duration.trim())
        .bind(w.heed.trim())
        .bind(w.instruction.trim())
        .bind(w.issuer.trim())
        .bind(&w.onset)
        .bind(&w.expires)
        .bind(&w.areas)
        .bind(&w.channels)
        .bind(&w.targeted)
        .bind(&w.places)
        .bind(w.drill as i64)
        .bind(actor)
        .bind(&now)
        .fetch_one(tx.conn())
        .await?
        .try_get("id")?;
        insert_measures(&mut tx, Checklist::Warning, id, measures).await?;
        tx.audit(actor, "draft", "emergency_warning", &id.to_string(), None, json(w).as_ref()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn emergency_warning(&self, id: i64) -> Result<Warning> {
        sqlx::query_as::<_, Warning>("SELECT * FROM emergency_warnings WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("预警 {id}")))
    }

    pub async fn emergency_warning_detail(&self, id: i64) -> Result<WarningDetail> {
        let warning = self.emergency_warning(id).await?;
        let measures = measures_of(self, Checklist::Warning, id).await?;
        let messages = sqlx::query_as::<_, CapMessage>(
            "SELECT identifier, msg_type, sent, refs FROM emergency_cap_messages WHERE warning_id = $1 ORDER BY sent, identifier",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok(WarningDetail { warning, measures, messages })
    }

    /// Warnings, newest first; `current` = issued or adjusted, not drills.
    pub async fn emergency_warnings(&self, current: bool) -> Result<Vec<Warning>> {
        let cond = if current { "WHERE state IN ('issued', 'adjusted') AND drill = 0" } else { "" };
        Ok(sqlx::query_as::<_, Warning>(sqlx::AssertSqlSafe(format!("SELECT * FROM emergency_warnings {cond} ORDER BY id DESC")))
            .fetch_all(self.pool())
            .await?)
    }

    /// Submit a draft for approval or approve a submitted one (4.3.2): steps
    /// that send no CAP message, taken only while the warning is still in `from`.
    pub async fn emergency_move_warning(&self, actor: &str, id: i64, (from, to): (WarningState, WarningState)) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (extra, binds) = match to {
            WarningState::Approved => (", approved_by = $1", vec![Some(actor.to_string())]),
            _ => ("", Vec::new()),
        };
        move_state(&mut tx, id, from, to, extra, &binds).await?;
        let verb = if to == WarningState::Approved { "approve" } else { "submit" };
        tx.audit(
            actor,
            verb,
            "emergency_warning",
            &id.to_string(),
            Some(&serde_json::json!({"state": from.as_str()})),
            Some(&serde_json::json!({"state": to.as_str()})),
        )
        .await?;
        tx.commit().await
    }

    /// Edit a draft (拟制中的预警) while it is still a draft: its content and
    /// its level's measures, replaced in the same transaction.
    pub async fn emergency_edit_draft(&self, actor: &str, id: i64, w: &Warning, measures: &[(String, Vec<String>)]) -> Result<()> {
        if w.headline.trim().is_empty() || w.description.trim().is_empty() {
            return Err(invalid("预警标题和内容不能为空"));
        }
        if w.areas.trim().is_empty() {
            return Err(invalid("请选择预警区域"));
        }
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE emergency_warnings SET incident_type = $1, level = $2, headline = $3, description = $4, duration = $5, heed = $6, \
             instruction = $7, onset = $8, expires = $9, areas = $10, channels = $11, targeted = $12, places = $13, drill = $14, \
             updated_at = $15 WHERE id = $16 AND state = 'draft'",
        )
        .bind(&w.incident_type)
        .bind(w.level)
        .bind(w.headline.trim())
        .bind(w.description.trim())
        .bind(w.duration.trim())
        .bind(w.heed.trim())
        .bind(w.instruction.trim())
        .bind(&w.onset)
        .bind(&w.expires)
        .bind(&w.areas)
        .bind(&w.channels)
        .bind(&w.targeted)
        .bind(&w.places)
        .bind(w.drill as i64)
        .bind(crate::now_text())
        .bind(id)
        .execute(tx.conn())
        .await?;
        if changed.rows_affected() != 1 {
            return Err(raced("预警"));
        }
        sqlx::query("DELETE FROM emergency_warning_measures WHERE warning_id = $1").bind(id).execute(tx.conn()).await?;
        insert_measures(&mut tx, Checklist::Warning, id, measures).await?;
        tx.audit(actor, "edit", "emergency_warning", &id.to_string(), None, json(w).as_ref()).await?;
        tx.commit().await
    }

    /// Issue, adjust or lift a warning that is still in `from` (the state
    /// the caller read; `to` is what `emergency::WarningAction::apply`
    /// allowed from it): move the state,
    /// store its CAP message, and rewrite the feed, all in one transaction so
    /// the feed never disagrees with the warnings and of concurrent identical
    /// requests one takes effect.
    pub async fn emergency_publish_warning(
        &self,
        actor: &str,
        id: i64,
        (from, to): (WarningState, WarningState),
        msg: &Publication,
        adjust: Option<&Adjustment>,
        render_feed: FeedRenderer<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = crate::now_text();
        let (extra, binds) = match to {
            WarningState::Issued => (", current_identifier = $1, issued_at = $2", vec![Some(msg.identifier.clone()), Some(now)]),
            WarningState::Lifted => (", current_identifier = $1, lifted_at = $2", vec![Some(msg.identifier.clone()), Some(now)]),
            _ => (", current_identifier = $1", vec![Some(msg.identifier.clone())]),
        };
        move_state(&mut tx, id, from, to, extra, &binds).await?;
        sqlx::query(
            "INSERT INTO emergency_cap_messages (identifier, warning_id, msg_type, sent, refs, xml) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&msg.identifier)
        .bind(id)
        .bind(&msg.msg_type)
        .bind(&msg.sent)
        .bind(&msg.refs)
        .bind(&msg.xml)
        .execute(tx.conn())
        .await?;
        if let Some(a) = adjust {
            sqlx::query(
                "UPDATE emergency_warnings SET level = $1, headline = $2, description = $3, instruction = $4, expires = $5 WHERE id = $6",
            )
            .bind(a.level)
            .bind(a.headline.trim())
            .bind(a.description.trim())
            .bind(a.instruction.trim())
            .bind(&a.expires)
            .bind(id)
            .execute(tx.conn())
            .await?;
        }
        rewrite_feed(&mut tx, render_feed).await?;
        let after = serde_json::json!({"state": to.as_str(), "identifier": msg.identifier, "msg_type": msg.msg_type, "references": msg.refs,
            "level": adjust.map(|a| a.level)});
        tx.audit(
            actor,
            to.as_str(),
            "emergency_warning",
            &id.to_string(),
            Some(&serde_json::json!({"state": from.as_str()})),
            Some(&after),
        )
        .await?;
        tx.commit().await
    }

    /// Re-render the feed (e.g. on first start, before any warning).
    pub async fn emergency_refresh_feed(&self, render_feed: FeedRenderer<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        rewrite_feed(&mut tx, render_feed).await?;
        tx.commit().await
    }

    /// A stored CAP message's XML, by identifier.
    pub async fn emergency_cap_xml(&self, identifier: &str) -> Result<Option<String>> {
        let r = sqlx::query("SELECT xml FROM emergency_cap_messages WHERE identifier = $1")
            .bind(identifier)
            .fetch_optional(self.pool())
            .await?;
        Ok(r.map(|r| r.try_get("xml")).transpose()?)
    }

    /// The rendered feed and its version (one primary-key read).
    pub async fn emergency_feed(&self) -> Result<Option<(i64, String)>> {
        let r = sqlx::query("SELECT version, body FROM emergency_feed WHERE id = 1").fetch_optional(self.pool()).await?;
        r.map(|r| -> Result<(i64, String)> { Ok((r.try_get("version")?, r.try_get("body")?)) }).transpose()
    }

    pub async fn emergency_feed_version(&self) -> Result<i64> {
        let r = sqlx::query("SELECT version FROM emergency_feed WHERE id = 1").fetch_optional(self.pool()).await?;
        Ok(r.map(|r| r.try_get("version")).transpose()?.unwrap_or(0))
    }
}
