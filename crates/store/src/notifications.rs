//! 消息中心: in-app notifications, and the outbox of their deliveries beyond
//! the app (signed webhooks, e-mail).
//!
//! A use case that reports an event (a report filed, a level changed …)
//! wraps its store call in [`with`]: the notifications it hands over are
//! written by that call's [`WriteTx`] just before it commits, so the event and
//! its notifications are stored together or not at all. Each notification
//! also queues one outbox row per delivery target the deployment configured
//! ([`Store::with_delivery`]; none by default).

use std::cell::RefCell;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, StoreError, WriteTx};

macro_rules! kinds {
    ($($(#[$doc:meta])* $v:ident = ($code:literal, $label:literal),)*) => {
        /// What a notification is about (消息类别).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kind { $($(#[$doc])* $v,)* }

        impl Kind {
            pub fn as_str(self) -> &'static str {
                match self { $(Kind::$v => $code,)* }
            }
            pub fn label(self) -> &'static str {
                match self { $(Kind::$v => $label,)* }
            }
        }

        impl FromStr for Kind {
            type Err = String;
            fn from_str(s: &str) -> std::result::Result<Kind, String> {
                match s { $($code => Ok(Kind::$v),)* _ => Err(format!("未知消息类别 {:?}", kernel::echo(s))) }
            }
        }
    };
}

kinds! {
    /// 突发事件信息报送
    ReportFiled = ("report_filed", "信息报送"),
    /// 响应级别决定或调整
    LevelChanged = ("level_changed", "响应级别"),
    /// 预警发布
    WarningIssued = ("warning_issued", "预警发布"),
    /// 扶持申请办理结果
    ApplicationDecided = ("application_decided", "申请办理"),
    /// 联席会议召集
    MeetingCalled = ("meeting_called", "会议召集"),
    /// 3个工作日内到期
    Deadline = ("deadline", "到期提醒"),
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A notification to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewNotification {
    pub recipient_user: Option<String>,
    /// A department's full name, `town:<镇>`, `village:<镇>/<村>` or `enterprise:<代码>`.
    pub recipient_unit: Option<String>,
    pub kind: Kind,
    pub text: String,
    pub link: String,
}

impl NewNotification {
    pub fn to_unit(unit: impl Into<String>, kind: Kind, text: impl Into<String>, link: impl Into<String>) -> NewNotification {
        NewNotification { recipient_user: None, recipient_unit: Some(unit.into()), kind, text: text.into(), link: link.into() }
    }

    pub fn to_user(user: impl Into<String>, kind: Kind, text: impl Into<String>, link: impl Into<String>) -> NewNotification {
        NewNotification { recipient_user: Some(user.into()), recipient_unit: None, kind, text: text.into(), link: link.into() }
    }
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub recipient_user: Option<String>,
    pub recipient_unit: Option<String>,
    pub kind: Kind,
    pub text: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// Where a deployment delivers notifications beyond the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// An HTTP POST of the JSON payload, signed with HMAC-SHA256.
    Webhook,
    /// E-mail over SMTP.
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::Webhook => "Webhook",
            Channel::Email => "电子邮件",
        }
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Channel, String> {
        match s {
            "webhook" => Ok(Channel::Webhook),
            "email" => Ok(Channel::Email),
            _ => Err(format!("未知投递渠道 {:?}", kernel::echo(s))),
        }
    }
}

/// One configured delivery target: a channel and its address (URL, mailbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryTarget {
    pub channel: Channel,
    pub target: String,
}

/// The state of one delivery (投递状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Sent,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Pending => "待投递",
            DeliveryState::Sent => "已送达",
            DeliveryState::Failed => "投递失败",
        }
    }
}

impl FromStr for DeliveryState {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<DeliveryState, String> {
        match s {
            "pending" => Ok(DeliveryState::Pending),
            "sent" => Ok(DeliveryState::Sent),
            "failed" => Ok(DeliveryState::Failed),
            _ => Err(format!("未知投递状态 {:?}", kernel::echo(s))),
        }
    }
}

impl fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub notification_id: Option<i64>,
    pub channel: Channel,
    pub target: String,
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: String,
}

tokio::task_local! {
    static PENDING: RefCell<Vec<NewNotification>>;
}

/// Run `fut` (one store call that commits one write transaction) so that
/// `notes` are written in that transaction, just before it commits.
pub async fn with<F: std::future::Future>(notes: Vec<NewNotification>, fut: F) -> F::Output {
    PENDING.scope(RefCell::new(notes), fut).await
}

fn decode<T: FromStr<Err = String>>(s: &str) -> Result<T> {
    s.parse().map_err(|e: String| StoreError::Invalid(e))
}

fn notification_row(r: &sqlx::any::AnyRow) -> Result<Notification> {
    Ok(Notification {
        id: r.try_get("id")?,
        recipient_user: r.try_get("recipient_user")?,
        recipient_unit: r.try_get("recipient_unit")?,
        kind: decode(&r.try_get::<String, _>("kind")?)?,
        text: r.try_get("text")?,
        link: r.try_get("link")?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
    })
}

fn delivery_row(r: &sqlx::any::AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: r.try_get("id")?,
        notification_id: r.try_get("notification_id")?,
        channel: decode(&r.try_get::<String, _>("channel")?)?,
        target: r.try_get("target")?,
        payload: r.try_get("payload")?,
        state: decode(&r.try_get::<String, _>("state")?)?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
    })
}

impl WriteTx {
    /// Write the notifications handed over by [`with`], if any (called by `commit`).
    pub(crate) async fn write_pending_notifications(&mut self) -> Result<()> {
        let notes = PENDING.try_with(|p| std::mem::take(&mut *p.borrow_mut())).unwrap_or_default();
        for n in &notes {
            self.notify(n, None).await?;
        }
        Ok(())
    }

    /// Write one notification (skipped when `dedup_key` was used already) and
    /// queue its deliveries; returns its id when written.
    pub async fn notify(&mut self, n: &NewNotification, dedup_key: Option<&str>) -> Result<Option<i64>> {
        let now = crate::now_text();
        let row = sqlx::query(
            "INSERT INTO notifications (recipient_user, recipient_unit, kind, text, link, dedup_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        )
        .bind(&n.recipient_user)
        .bind(&n.recipient_unit)
        .bind(n.kind.as_str())
        .bind(kernel::clip(&n.text, 500).into_owned())
        .bind(&n.link)
        .bind(dedup_key)
        .bind(&now)
        .fetch_optional(self.conn())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let targets = self.delivery.clone();
        for t in targets.iter() {
            let payload = serde_json::json!({
                "id": id, "kind": n.kind.as_str(), "kind_label": n.kind.label(), "text": n.text, "link": n.link,
                "recipient_user": n.recipient_user, "recipient_unit": n.recipient_unit, "created_at": now,
            });
            sqlx::query(
                "INSERT INTO outbox (notification_id, channel, target, payload, state, attempts, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6)",
            )
            .bind(id)
            .bind(t.channel.as_str())
            .bind(&t.target)
            .bind(payload.to_string())
            .bind(crate::now_secs())
            .bind(&now)
            .execute(self.conn())
            .await?;
        }
        Ok(Some(id))
    }
}

/// `(recipient_user = $1 OR recipient_unit IN ($2, …))` for an account and its units.
fn mine(units: &[String]) -> String {
    if units.is_empty() {
        return "recipient_user = $1".into();
    }
    let list: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 2)).collect();
    format!("(recipient_user = $1 OR recipient_unit IN ({}))", list.join(", "))
}

impl Store {
    /// The account's notifications (its own and its units'), newest first.
    pub async fn notifications(&self, user: &str, units: &[String], limit: i64) -> Result<Vec<Notification>> {
        let sql = format!(
            "SELECT id, recipient_user, recipient_unit, kind, text, link, created_at, read_at FROM notifications \
             WHERE {} ORDER BY id DESC LIMIT {}",
            mine(units),
            limit.clamp(1, 1000)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user);
        for u in units {
            q = q.bind(u);
        }
        q.fetch_all(self.pool()).await?.iter().map(notification_row).collect()
    }

    /// How many of the account's notifications are unread.
    pub async fn unread_notifications(&self, user: &str, units: &[String]) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) AS n FROM notifications WHERE {} AND read_at IS NULL", mine(units));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user);
        for u in units {
            q = q.bind(u);
        }
        Ok(q.fetch_one(self.pool()).await?.try_get("n")?)
    }

    /// Mark one (or, with `None`, every) unread notification of the account read.
    pub async fn mark_notifications_read(&self, user: &str, units: &[String], id: Option<i64>) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let one = match id {
            Some(_) => format!(" AND id = ${}", units.len() + 3),
            None => String::new(),
        };
        let sql = format!("UPDATE notifications SET read_at = ${} WHERE {} AND read_at IS NULL{one}", units.len() + 2, mine(units));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user);
        for u in units {
            q = q.bind(u);
        }
        q = q.bind(crate::now_text());
        if let Some(id) = id {
            q = q.bind(id);
        }
        let n = q.execute(tx.conn()).await?.rows_affected();
        if n > 0 {
            let what = serde_json::json!({"id": id, "count": n});
            tx.audit(user, "read", "notifications", &id.map(|i| i.to_string()).unwrap_or_default(), None, Some(&what)).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Write generated notices (deadline reminders), each once per key.
    /// Returns how many were new.
    pub async fn notify_once(&self, actor: &str, notes: &[(NewNotification, String)]) -> Result<usize> {
        if notes.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut new = Vec::new();
        for (n, key) in notes {
            if let Some(id) = tx.notify(n, Some(key)).await? {
                new.push(id);
            }
        }
        if new.is_empty() {
            // Nothing new: nothing to record either.
            tx.rollback().await?;
            return Ok(0);
        }
        tx.audit(actor, "notify", "notifications", "", None, Some(&serde_json::json!({"ids": new}))).await?;
        tx.commit().await?;
        Ok(new.len())
    }

    /// Deliveries, newest first (the admins' page).
    pub async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>> {
        let rows = sqlx::query("SELECT * FROM outbox ORDER BY id DESC LIMIT $1").bind(limit.clamp(1, 1000)).fetch_all(self.pool()).await?;
        rows.iter().map(delivery_row).collect()
    }

    /// Pending deliveries whose time has come (`now` in epoch seconds), oldest first.
    pub async fn deliveries_due(&self, now: i64, limit: i64) -> Result<Vec<Delivery>> {
        let rows = sqlx::query("SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2")
            .bind(now)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery_row).collect()
    }

    /// Claim a due delivery for `lease` seconds, so that another instance does
    /// not send it meanwhile: only if nobody attempted it since it was read.
    pub async fn claim_delivery(&self, d: &Delivery, now: i64, lease: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND state = 'pending' AND attempts = $3 AND next_attempt_at = $4",
        )
        .bind(now.saturating_add(lease))
        .bind(d.id)
        .bind(d.attempts)
        .bind(d.next_attempt_at)
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Record an attempt: sent, or failed with the error and the next try
    /// (`next` None: given up).
    pub async fn delivery_attempted(&self, id: i64, result: std::result::Result<(), &str>, next: Option<i64>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (state, err) = match (result, next) {
            (Ok(()), _) => (DeliveryState::Sent, None),
            (Err(e), Some(_)) => (DeliveryState::Pending, Some(kernel::echo(e).into_owned())),
            (Err(e), None) => (DeliveryState::Failed, Some(kernel::echo(e).into_owned())),
        };
        sqlx::query(
            "UPDATE outbox SET state = $1, attempts = attempts + 1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at) \
             WHERE id = $4 AND state = 'pending'",
        )
        .bind(state.as_str())
        .bind(&err)
        .bind(next)
        .bind(id)
        .execute(tx.conn())
        .await?;
        tx.audit("系统", "deliver", "outbox", &id.to_string(), None, Some(&serde_json::json!({"state": state.as_str(), "error": err})))
            .await?;
        tx.commit().await
    }
}
