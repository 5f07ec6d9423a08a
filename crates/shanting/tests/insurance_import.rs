//! `shanting import residents`: killed with SIGKILL halfway, run again, it
//! loses nothing and duplicates nothing; a third run changes nothing.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::Row;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shanting"))
}

async fn scalar(url: &str, sql: &str) -> Option<i64> {
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.ok()?;
    let r = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_optional(&mut c).await.ok()??;
    r.try_get::<i64, _>("n").ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_halfway_then_rerun_loses_and_duplicates_nothing() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("residents.csv");
    let n = 150_000u64;
    let out = bin().args(["demo", "residents", "--count", &n.to_string(), "--seed", "11", "--out"]).arg(&csv).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Two rows the import must reject: a repeated ID number and a bad one.
    let text = std::fs::read_to_string(&csv).unwrap();
    let first_row = text.lines().nth(1).unwrap().to_string();
    let bad = first_row.replacen("370406", "370406X", 1);
    std::fs::write(&csv, format!("{text}{first_row}\n{bad}\n")).unwrap();
    let valid = n as i64;

    let db = dir.path().join("t.db");
    let url = format!("sqlite://{}", db.display());
    let ro = format!("sqlite://{}?mode=ro", db.display());
    let mut child = bin().args(["import", "residents"]).arg(&csv).args(["--db", &url, "--batch", "5000"]).spawn().unwrap();
    // Kill it as soon as a batch is committed.
    let started = Instant::now();
    let mut progress = 0;
    while started.elapsed() < Duration::from_secs(120) {
        if let Some(p) = scalar(&ro, "SELECT progress AS n FROM jobs WHERE kind = 'insurance.residents'").await
            && p > 0
        {
            progress = p;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(progress > 0, "the import never showed progress");
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed before it finished");
    let state = scalar(&ro, "SELECT COUNT(*) AS n FROM jobs WHERE state = 'running'").await.unwrap();
    assert_eq!(state, 1, "the job was interrupted");
    let partial = scalar(&ro, "SELECT COUNT(*) AS n FROM insurance_residents").await.unwrap();
    assert!(partial > 0 && partial < valid, "killed halfway: {partial} of {valid}");
    assert_eq!(partial % 5000, 0, "only whole batches are committed: {partial}");

    // Run again: it resumes and completes.
    let out = bin().args(["import", "residents"]).arg(&csv).args(["--db", &url, "--batch", "5000"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "two rows rejected: {stdout} {stderr}");
    assert!(stdout.contains("接续上次中断的导入"), "{stdout}");
    assert!(stdout.contains(&format!("有效{valid}行")), "{stdout}");
    assert!(stderr.contains(&format!("第{}行 id_number", n + 2)) && stderr.contains("重复"), "{stderr}");
    assert!(stderr.contains(&format!("第{}行 id_number", n + 3)), "{stderr}");
    let count = scalar(&ro, "SELECT COUNT(*) AS n FROM insurance_residents").await.unwrap();
    let distinct = scalar(&ro, "SELECT COUNT(DISTINCT id_number) AS n FROM insurance_residents").await.unwrap();
    assert_eq!(count, valid, "nothing lost");
    assert_eq!(distinct, count, "nothing duplicated");
    let written: i64 = stdout.split("本次写入").nth(1).and_then(|s| s.split('行').next()).and_then(|s| s.parse().ok()).unwrap();
    assert_eq!(written, valid - partial, "the rerun wrote only what the killed run had not committed");

    // A third run of the same file changes nothing.
    let sum = "SELECT CAST(SUM(total_due_fen) AS BIGINT) AS n FROM insurance_residents";
    let before = scalar(&ro, sum).await.unwrap();
    let out = bin().args(["import", "residents"]).arg(&csv).args(["--db", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(scalar(&ro, "SELECT COUNT(*) AS n FROM insurance_residents").await.unwrap(), valid);
    assert_eq!(scalar(&ro, sum).await.unwrap(), before);
}

#[test]
fn wrong_header_writes_nothing_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.csv");
    std::fs::write(&csv, "name,town\n张三,水泉镇\n").unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let out = bin().args(["import", "residents"]).arg(&csv).args(["--db", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("表头应为"));
}
