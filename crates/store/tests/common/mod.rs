//! Shared by the store test files: a fresh database per test (a temp SQLite
//! file, or a new PostgreSQL database when `SHANTING_TEST_POSTGRES_URL` is
//! set) and `both!`, which runs a test body against every configured backend;
//! and the accounts and records the tests create.

#![allow(clippy::unwrap_used, dead_code)] // tests: a panic is the failure report

/// An administrator account to create (password `correct horse`).
pub fn admin(name: &str) -> store::users::NewUser {
    store::users::NewUser {
        username: name.into(),
        password: "correct horse".into(),
        display_name: "管理员".into(),
        role: store::Role::Admin,
        department: None,
        town: None,
        village: None,
        enterprise_uscc: None,
    }
}

/// A level-4 (blue) rainstorm warning for 水泉镇 by 区应急管理局, not yet stored.
pub fn rainstorm_warning() -> store::emergency::Warning {
    store::emergency::Warning {
        incident_type: "气象灾害".into(),
        level: 4,
        headline: "暴雨蓝色预警".into(),
        description: "暴雨".into(),
        instruction: "防范".into(),
        issuer: "区应急管理局".into(),
        areas: "水泉镇".into(),
        channels: "广播".into(),
        ..Default::default()
    }
}

pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    TestDb { url, _dir: Some(dir) }
}

/// A fresh PostgreSQL database, or None (and a note) when no server is configured.
pub async fn postgres() -> Option<TestDb> {
    let Ok(base) = std::env::var("SHANTING_TEST_POSTGRES_URL") else {
        eprintln!("PostgreSQL half skipped: SHANTING_TEST_POSTGRES_URL is not set");
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("shanting_t_{}", rand_suffix());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some(TestDb { url: format!("{prefix}/{name}"), _dir: None })
}

pub fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{}_{}", std::process::id(), n % 1_000_000_000)
}

/// Run a test body against every configured backend.
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite_backend() {
                let db = crate::common::sqlite().await;
                ($body)(db.url.clone()).await;
            }
            #[tokio::test]
            async fn postgres_backend() {
                if let Some(db) = crate::common::postgres().await {
                    ($body)(db.url.clone()).await;
                }
            }
        }
    };
}

/// An agent's POS payment of `amount` fen for the 2023 year, paid 2022-11-01.
pub fn insurance_payment(reference: &str, resident_id: i64, amount: i64) -> store::insurance::NewPayment {
    store::insurance::NewPayment {
        reference: reference.into(),
        resident_id,
        year: 2023,
        kind: insurance::PaymentKind::Individual,
        amount_fen: amount,
        channel: insurance::Channel::Pos,
        paid_on: "2022-11-01".into(),
        note: String::new(),
    }
}
