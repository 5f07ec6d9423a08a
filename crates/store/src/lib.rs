//! Storage: one data layer over SQLite (the embedded default) and
//! PostgreSQL (production), through sqlx's `Any` driver. SQL is written once
//! with `$N` placeholders, which both backends accept; schema differences
//! live in the two migration folders. Every multi-row write goes through a
//! [`WriteTx`], which also appends to the audit trail in the same transaction.
//!
//! Architecture invariant: no state another server instance would need is
//! kept in process memory: sessions, login attempts and jobs are rows.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub mod audit;
pub mod demo;
pub mod documents;
pub mod emergency;
pub mod insurance;
pub mod login;
pub mod meeting;
pub mod notifications;
pub mod password;
pub mod reference;
pub mod subsidy;
pub mod users;
pub mod workbench;

pub use audit::{AuditEntry, AuditFilter, VerifyReport};
pub use login::{Gate, LoginThrottle};
pub use users::{Role, User};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误: {0}")]
    Db(sqlx::Error),
    #[error("数据库迁移失败: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("不支持的数据库地址 {0}（应为 sqlite://… 或 postgres://…）")]
    BadUrl(String),
    #[error("{0}")]
    Invalid(String),
    #[error("数据已存在: {0}")]
    Conflict(String),
    #[error("未找到: {0}")]
    NotFound(String),
}

/// A unique key or a CHECK constraint refusing a write is the request's
/// fault (the same reference twice, an amount the rules forbid), never a 500:
/// both backends' codes are mapped here, once.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            if d.is_unique_violation() {
                return StoreError::Conflict("已登记过（重复的记录）".into());
            }
            if d.is_check_violation() {
                return StoreError::Invalid(format!("数据不符合约束：{}", d.message()));
            }
        }
        StoreError::Db(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle shared by the web server and the CLI.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where notifications are delivered beyond the app (none by default).
    delivery: std::sync::Arc<Vec<notifications::DeliveryTarget>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// `sqlite://path` gains `mode=rwc` so that the file is created on first run.
fn normalise_url(url: &str) -> Result<(String, Backend)> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let mut u = format!("sqlite:{rest}");
        if !rest.contains("mode=") && !rest.contains(":memory:") {
            u.push(if rest.contains('?') { '&' } else { '?' });
            u.push_str("mode=rwc");
        }
        Ok((u, Backend::Sqlite))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((url.to_string(), Backend::Postgres))
    } else {
        Err(StoreError::BadUrl(url.to_string()))
    }
}

impl Store {
    /// Connect, create the SQLite file if needed, and apply migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let opts = AnyConnectOptions::from_str(&url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // temp_store = MEMORY: an upsert inside a transaction keeps a
                            // statement journal of every page it touches; in a temp file
                            // that cost more system time than the import's real writes.
                            // mmap_size: pages read through the OS cache without a
                            // syscall each, shared by the pool's connections (each has
                            // its own page cache, emptied when another one writes).
                            conn.execute(sqlx::raw_sql(
                                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                                 PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 1073741824;",
                            ))
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(30)).connect_with(opts).await?
            }
        };
        if backend == Backend::Sqlite {
            // WAL is a property of the file: set once, it stays.
            pool.execute(sqlx::raw_sql("PRAGMA journal_mode = WAL;")).await?;
        }
        let store = Store { pool, backend, delivery: std::sync::Arc::default() };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => {
                // Several instances may start at once on one PostgreSQL: the
                // migrator takes an advisory lock itself.
                POSTGRES_MIGRATIONS.run(&self.pool).await?
            }
        }
        Ok(())
    }

    /// Deliver every notification written from now on also to `targets`
    /// (through the outbox; configured per deployment).
    pub fn with_delivery(mut self, targets: Vec<notifications::DeliveryTarget>) -> Store {
        self.delivery = std::sync::Arc::new(targets);
        self
    }

    pub fn delivery(&self) -> &[notifications::DeliveryTarget] {
        &self.delivery
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begin a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so that a read-then-write never fails halfway.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, backend: self.backend, audit_locked: false, delivery: self.delivery.clone() })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A write transaction that can append audit entries.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    audit_locked: bool,
    delivery: std::sync::Arc<Vec<notifications::DeliveryTarget>>,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Commit, writing first the notifications a use case handed over for
    /// this write (`notifications::with`).
    pub async fn commit(mut self) -> Result<()> {
        self.write_pending_notifications().await?;
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Now, as an RFC 3339 timestamp in China Standard Time.
pub fn now_text() -> String {
    let now = jiff::Timestamp::now();
    match jiff::tz::TimeZone::get("Asia/Shanghai") {
        Ok(tz) => now.to_zoned(tz).strftime("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
        Err(_) => now.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
    }
}

/// Seconds since the epoch: for expiries and rate-limit windows.
pub fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Today's date in China Standard Time.
pub fn today() -> kernel::Date {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    jiff::Timestamp::now().to_zoned(tz).date()
}
