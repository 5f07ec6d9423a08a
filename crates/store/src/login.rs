//! Login throttling: failed attempts slow further attempts, per account and
//! per client address, with a growing delay — they never lock anyone out.
//!
//! A lockout lets anyone shut the real owner out by typing wrong passwords
//! for them; a delay only costs a guesser time. After `n` counted attempts
//! the next one is checked no sooner than [`LoginThrottle::delay_ms`] later:
//! nothing for the first few, then doubling from one second up to a cap.
//!
//! One row per key (`user:NAME`, `addr:IP`) holds the count, the time of the
//! last counted attempt and the earliest time of the next check (milliseconds
//! of the server's clock), so several server instances on one database share
//! it. An attempt is *claimed* before
//! its password is checked: in one transaction the rows are locked, and
//! either the attempt is refused (nothing written: a refused attempt is not
//! checked, not counted and does not push the next check back) or it is
//! counted as a failure and the next check is moved on. A successful login
//! then takes its count back. Counting before checking is what keeps a
//! burst of parallel guesses from all being checked while the first ones
//! are still being hashed.

use sqlx::Row;

use crate::{Backend, Result, Store};

/// The delay schedule; `Default` is the production one, tests shorten it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Failed attempts on one account that cost no wait.
    pub free_per_account: i64,
    /// Failed attempts from one address that cost no wait (higher: an office shares one address).
    pub free_per_address: i64,
    /// The wait after the first failure past the free ones; it doubles with each further failure.
    pub first_delay_ms: i64,
    /// The longest wait between two checked attempts.
    pub max_delay_ms: i64,
    /// A key whose last counted attempt is this old starts again from zero.
    pub forget_after_ms: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle { free_per_account: 3, free_per_address: 10, first_delay_ms: 1_000, max_delay_ms: 30_000, forget_after_ms: 3_600_000 }
    }
}

impl LoginThrottle {
    /// The wait before the next check after `failures` counted attempts, `free` of which cost nothing:
    /// 0 up to `free`, then `first_delay_ms` · 2^(failures − free − 1), at most `max_delay_ms`.
    pub fn delay_ms(&self, failures: i64, free: i64) -> i64 {
        if failures <= free {
            return 0;
        }
        let mut d = self.first_delay_ms.max(0);
        for _ in 0..(failures - free - 1) {
            if d >= self.max_delay_ms || d == 0 {
                break;
            }
            d = d.saturating_mul(2);
        }
        d.min(self.max_delay_ms)
    }
}

/// Whether a login attempt may be checked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Check it (it is already counted as a failure until [`Store::login_succeeded`]).
    Go,
    /// Refused unchecked: try again after this many milliseconds.
    Wait { ms: i64 },
}

/// A key's state: counted attempts, last counted attempt and earliest next check (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRow {
    pub failures: i64,
    pub last_at: i64,
    pub next_at: i64,
}

pub fn account_key(username: &str) -> String {
    format!("user:{username}")
}

pub fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

/// Milliseconds since the epoch: the throttle's clock.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl Store {
    /// Claim one attempt on `username` from `address`: count it and move the next check on,
    /// or refuse it without any change if either key is still waiting.
    pub async fn login_claim(&self, t: &LoginThrottle, username: &str, address: &str) -> Result<Gate> {
        self.claim(t, username, address, None).await
    }

    /// [`Store::login_claim`] at a given time (tests).
    pub async fn login_claim_at(&self, t: &LoginThrottle, username: &str, address: &str, now_ms: i64) -> Result<Gate> {
        self.claim(t, username, address, Some(now_ms)).await
    }

    async fn claim(&self, t: &LoginThrottle, username: &str, address: &str, at: Option<i64>) -> Result<Gate> {
        // Sorted ("addr:" < "user:") so that two transactions always lock in the same order.
        let keys = [(address_key(address), t.free_per_address), (account_key(username), t.free_per_account)];
        let mut tx = self.begin_write().await?;
        for (k, _) in &keys {
            sqlx::query("INSERT INTO login_throttle (key, failures, last_at, next_at) VALUES ($1, 0, 0, 0) ON CONFLICT (key) DO NOTHING")
                .bind(k)
                .execute(tx.conn())
                .await?;
        }
        // SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs the row locks.
        let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT key, failures, last_at, next_at FROM login_throttle WHERE key = $1 OR key = $2 ORDER BY key{lock}"
        )))
        .bind(&keys[0].0)
        .bind(&keys[1].0)
        .fetch_all(tx.conn())
        .await?;
        // Read the clock only now, holding the locks: an attempt that waited for them
        // must not compare an older time against a newer attempt's row.
        let now_ms = at.unwrap_or_else(now_ms);
        let mut state = Vec::with_capacity(2);
        for (k, free) in &keys {
            let row = rows.iter().find(|r| r.try_get::<String, _>("key").is_ok_and(|x| &x == k));
            let mut s = match row {
                Some(r) => ThrottleRow { failures: r.try_get("failures")?, last_at: r.try_get("last_at")?, next_at: r.try_get("next_at")? },
                None => ThrottleRow { failures: 0, last_at: 0, next_at: 0 },
            };
            if now_ms - s.last_at > t.forget_after_ms {
                s = ThrottleRow { failures: 0, last_at: 0, next_at: 0 };
            }
            state.push((k, *free, s));
        }
        let wait = state.iter().map(|(_, _, s)| s.next_at - now_ms).max().unwrap_or(0);
        if wait > 0 {
            // Dropping the transaction rolls back the placeholder rows: a refusal writes nothing.
            return Ok(Gate::Wait { ms: wait });
        }
        for (k, free, s) in &state {
            let failures = s.failures + 1;
            // No wait is 0, not "now": another instance's clock may be a little behind this one's.
            let delay = t.delay_ms(failures, *free);
            let next_at = if delay > 0 { now_ms + delay } else { 0 };
            sqlx::query("UPDATE login_throttle SET failures = $2, last_at = $3, next_at = $4 WHERE key = $1")
                .bind(*k)
                .bind(failures)
                .bind(now_ms)
                .bind(next_at)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        if rand::random::<u8>() < 4 {
            // Now and then, drop keys nobody has tried for a while (unknown names an attacker sprayed).
            sqlx::query("DELETE FROM login_throttle WHERE last_at < $1").bind(now_ms - t.forget_after_ms).execute(&self.pool).await?;
        }
        Ok(Gate::Go)
    }

    /// The claimed attempt was right: the account's count is cleared; the address only
    /// takes this attempt back (its other failures may be someone else's guesses).
    pub async fn login_succeeded(&self, username: &str, address: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(account_key(username)).execute(&self.pool).await?;
        sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
            .bind(address_key(address))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The state of one key (see [`account_key`], [`address_key`]), if it has one.
    pub async fn login_throttle_row(&self, key: &str) -> Result<Option<ThrottleRow>> {
        let row = sqlx::query("SELECT failures, last_at, next_at FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(ThrottleRow { failures: r.try_get("failures")?, last_at: r.try_get("last_at")?, next_at: r.try_get("next_at")? }))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_from_one_second_to_the_cap() {
        let t = LoginThrottle::default();
        let d: Vec<i64> = (0..=12).map(|n| t.delay_ms(n, 3)).collect();
        assert_eq!(d, [0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
        assert_eq!(t.delay_ms(i64::MAX, 3), 30_000, "no overflow");
        assert_eq!(t.delay_ms(10, 10), 0);
    }
}
