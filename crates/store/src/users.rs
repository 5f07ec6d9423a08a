//! Accounts, sessions and login rate limits — all rows, none in memory.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// The roles live with the duties that give them rights (`access`).
pub use access::Role;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    pub enterprise_uscc: Option<String>,
}

/// The longest username and display name accepted.
pub const MAX_NAME_CHARS: usize = 64;
/// The longest department, town or village name accepted.
pub const MAX_SCOPE_CHARS: usize = 64;

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    pub enterprise_uscc: Option<String>,
}

impl NewUser {
    /// The scope a role needs must be present: a town user needs a town, etc.
    pub fn check(&self) -> Result<()> {
        let need = |v: &Option<String>, what: &str| {
            if v.as_deref().is_none_or(|s| s.trim().is_empty()) {
                Err(StoreError::Invalid(format!("{}账号必须指定{what}", self.role.label())))
            } else {
                Ok(())
            }
        };
        if self.username.trim().is_empty() {
            return Err(StoreError::Invalid("用户名不能为空".into()));
        }
        if self.username.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(StoreError::Invalid("用户名不能包含空格或控制字符".into()));
        }
        if self.display_name.trim().is_empty() {
            return Err(StoreError::Invalid("姓名不能为空".into()));
        }
        let fields = [
            ("用户名", Some(&self.username), MAX_NAME_CHARS),
            ("姓名", Some(&self.display_name), MAX_NAME_CHARS),
            ("所属部门", self.department.as_ref(), MAX_SCOPE_CHARS),
            ("所属镇（街）", self.town.as_ref(), MAX_SCOPE_CHARS),
            ("所属村（居）", self.village.as_ref(), MAX_SCOPE_CHARS),
            ("企业统一社会信用代码", self.enterprise_uscc.as_ref(), 18),
        ];
        for (field, value, max) in fields {
            if value.is_some_and(|v| v.chars().count() > max) {
                return Err(StoreError::Invalid(format!("{field}不能超过{max}个字符")));
            }
        }
        crate::password::check(&self.username, &self.password).map_err(StoreError::Invalid)?;
        match self.role {
            Role::Admin => Ok(()),
            Role::Bureau => need(&self.department, "所属部门"),
            Role::Town => need(&self.town, "所属镇（街）"),
            Role::Village => need(&self.town, "所属镇（街）").and(need(&self.village, "所属村（居）")),
            Role::Enterprise => need(&self.enterprise_uscc, "企业统一社会信用代码"),
        }
    }
}

pub fn hash_password(pw: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Argon2::default().hash_password(pw.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

const USER_COLS: &str = "id, username, display_name, role, department, town, village, enterprise_uscc";

fn user_from_row(r: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Invalid(format!("未知角色 {role}")))?,
        department: r.try_get("department")?,
        town: r.try_get("town")?,
        village: r.try_get("village")?,
        enterprise_uscc: r.try_get("enterprise_uscc")?,
    })
}

/// A session lives this long without use.
pub const SESSION_SECONDS: i64 = 12 * 3600;

impl Store {
    pub async fn create_user(&self, actor: &str, u: &NewUser) -> Result<User> {
        u.check()?;
        let hash = hash_password(&u.password)?;
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query("SELECT id FROM users WHERE username = $1").bind(&u.username).fetch_optional(tx.conn()).await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("用户名 {}", u.username)));
        }
        sqlx::query(
            "INSERT INTO users (username, password_hash, display_name, role, department, town, village, enterprise_uscc, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
        )
        .bind(&u.username)
        .bind(&hash)
        .bind(&u.display_name)
        .bind(u.role.as_str())
        .bind(&u.department)
        .bind(&u.town)
        .bind(&u.village)
        .bind(&u.enterprise_uscc)
        .bind(crate::now_text())
        .execute(tx.conn())
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE username = $1")))
            .bind(&u.username)
            .fetch_one(tx.conn())
            .await?;
        let user = user_from_row(&row)?;
        let after = serde_json::to_value(&user).ok();
        tx.audit(actor, "create", "user", &user.id.to_string(), None, after.as_ref()).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.pool).await?.try_get("n")?)
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users ORDER BY id"))).fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Check a password; `None` for an unknown user, a wrong password or a disabled account.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS}, password_hash FROM users WHERE username = $1 AND active = 1")))
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else {
            // Spend the same time as a real check so that names cannot be probed.
            let _ = verify_password(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W6NfvsP0bH3CJDR/CkUqOAHtC0xkDVAiCIj4JqkfhKQ",
            );
            return Ok(None);
        };
        let hash: String = row.try_get("password_hash")?;
        if !verify_password(password, &hash) {
            return Ok(None);
        }
        Ok(Some(user_from_row(&row)?))
    }

    /// Start a session; returns (cookie token, CSRF token). Only the token's hash is stored.
    pub async fn create_session(&self, user_id: i64) -> Result<(String, String)> {
        let t = new_token();
        let csrf = new_token();
        let now = crate::now_secs();
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(sha(&t))
            .bind(user_id)
            .bind(&csrf)
            .bind(now)
            .bind(now + SESSION_SECONDS)
            .execute(&self.pool)
            .await?;
        Ok((t, csrf))
    }

    /// The user and CSRF token of a live session.
    pub async fn session(&self, token: &str) -> Result<Option<(User, String)>> {
        let sql = "SELECT u.id, u.username, u.display_name, u.role, u.department, u.town, u.village, u.enterprise_uscc, s.csrf_token \
                   FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1";
        let row = sqlx::query(sql).bind(sha(token)).bind(crate::now_secs()).fetch_optional(&self.pool).await?;
        match row {
            Some(r) => Ok(Some((user_from_row(&r)?, r.try_get("csrf_token")?))),
            None => Ok(None),
        }
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(sha(token)).execute(&self.pool).await?;
        Ok(())
    }

    /// Every account with whether it is active (the administrators' list).
    pub async fn accounts(&self) -> Result<Vec<(User, bool)>> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS}, active FROM users ORDER BY id"))).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((user_from_row(r)?, r.try_get::<i64, _>("active")? != 0))).collect()
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE username = $1")))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// A user changes their own password (the caller has checked the current one): their
    /// other sessions end, the one given stays. Returns how many sessions ended.
    pub async fn change_own_password(&self, user_id: i64, new_password: &str, keep_session: &str) -> Result<u64> {
        self.set_password(None, user_id, new_password, Some(keep_session)).await
    }

    /// An administrator sets a new password: every session of that user ends.
    pub async fn reset_password(&self, actor: &str, user_id: i64, new_password: &str) -> Result<u64> {
        self.set_password(Some(actor), user_id, new_password, None).await
    }

    async fn set_password(&self, actor: Option<&str>, user_id: i64, pw: &str, keep_session: Option<&str>) -> Result<u64> {
        let user = self.user_by_id(user_id).await?;
        crate::password::check(&user.username, pw).map_err(StoreError::Invalid)?;
        let hash = hash_password(pw)?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1").bind(user_id).bind(&hash).execute(tx.conn()).await?;
        let ended = end_sessions(&mut tx, user_id, keep_session).await?;
        // Neither the password nor its hash goes into the trail: only that it changed and what that ended.
        let after = serde_json::json!({ "sessions_ended": ended });
        let (actor, action) = match actor {
            Some(a) => (a, "reset_password"),
            None => (user.username.as_str(), "change_password"),
        };
        tx.audit(actor, action, "user", &user_id.to_string(), None, Some(&after)).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Disable or enable an account; disabling ends its sessions. Returns how many ended.
    pub async fn set_active(&self, actor: &str, user_id: i64, active: bool) -> Result<u64> {
        self.user_by_id(user_id).await?;
        let mut tx = self.begin_write().await?;
        let was: i64 = sqlx::query("SELECT active FROM users WHERE id = $1").bind(user_id).fetch_one(tx.conn()).await?.try_get("active")?;
        sqlx::query("UPDATE users SET active = $2 WHERE id = $1").bind(user_id).bind(i64::from(active)).execute(tx.conn()).await?;
        let ended = if active { 0 } else { end_sessions(&mut tx, user_id, None).await? };
        let before = serde_json::json!({ "active": was != 0 });
        let after = serde_json::json!({ "active": active, "sessions_ended": ended });
        tx.audit(actor, if active { "enable" } else { "disable" }, "user", &user_id.to_string(), Some(&before), Some(&after)).await?;
        tx.commit().await?;
        Ok(ended)
    }

    async fn user_by_id(&self, user_id: i64) -> Result<User> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE id = $1")))
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => user_from_row(&r),
            None => Err(StoreError::NotFound(format!("用户 {user_id}"))),
        }
    }
}

/// End a user's sessions, but the one whose cookie token is `keep`.
async fn end_sessions(tx: &mut crate::WriteTx, user_id: i64, keep: Option<&str>) -> Result<u64> {
    let r = match keep {
        Some(t) => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(sha(t))
                .execute(tx.conn())
                .await?
        }
        None => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?,
    };
    Ok(r.rows_affected())
}
