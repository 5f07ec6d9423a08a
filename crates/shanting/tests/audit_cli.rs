//! `audit anchor` and `audit verify --anchor` through the real binary,
//! against a temp SQLite file: exit codes and what they say.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::Path;
use std::process::Command;

/// Run the binary with SHANTING_AUDIT_KEY set to `key` (or unset).
fn run(args: &[&str], key: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shanting"));
    c.args(args).env_remove("SHANTING_AUDIT_KEY").env_remove("SHANTING_DB");
    if let Some(k) = key {
        c.env("SHANTING_AUDIT_KEY", k);
    }
    let o = c.output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn user(db: &str, name: &str) {
    let (code, _, err) = run(&["admin", "create-user", "--db", db, "--username", name, "--password", "long enough pw"], None);
    assert_eq!(code, 0, "{err}");
}

fn sql(db: &str, statement: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = store::Store::connect(db).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(statement.to_string())).execute(s.pool()).await.unwrap();
        s.close().await;
    });
}

/// A database of 4 entries with anchors at 3 (file line 2) and 4 (line 3).
fn anchored(dir: &Path, key: Option<&str>) -> (String, String) {
    let db = format!("sqlite://{}", dir.join("a.db").display());
    let file = dir.join("anchors").join("audit.tsv");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let file = file.to_str().unwrap().to_string();
    for u in ["alice", "bob", "carol"] {
        user(&db, u);
    }
    let (code, out, err) = run(&["audit", "anchor", "--db", &db, "--out", &file], key);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("第 3 条"), "{out}");
    user(&db, "dave");
    assert_eq!(run(&["audit", "anchor", "--db", &db, "--out", &file], key).0, 0);
    (db, file)
}

#[test]
fn verify_with_anchors_passes_on_an_untouched_database() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = anchored(dir.path(), None);
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header and two anchors: {text}");
    assert!(lines[0].starts_with('#') && lines[1].starts_with("3\t") && lines[2].starts_with("4\t") && lines[2].ends_with("\t-"), "{text}");
    let (code, out, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("4 条记录") && out.contains("锚点 2 个"), "{out}");
    assert!(err.contains("MAC 未校验"), "{err}");
}

#[test]
fn verify_with_anchors_fails_after_the_last_entry_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = anchored(dir.path(), None);
    sql(&db, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)");
    let (code, out, _) = run(&["audit", "verify", "--db", &db], None);
    assert_eq!(code, 0, "without anchors the shorter chain looks whole: {out}");
    let (code, _, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("第 4 条记录缺失（锚点文件第 3 行记录了它）"), "{err}");
}

#[test]
fn verify_with_anchors_fails_after_the_last_entry_is_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = anchored(dir.path(), None);
    sql(&db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = (SELECT MAX(seq) FROM audit_log)");
    let (code, _, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], None);
    assert_eq!(code, 1);
    assert!(err.contains("第 4 条"), "{err}");
    // The same change with the hash recomputed: only the anchor tells.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = store::Store::connect(&db).await.unwrap();
        let mut e = s.audit_head().await.unwrap().unwrap();
        e.hash = e.compute_hash();
        sqlx::query("UPDATE audit_log SET hash = $1 WHERE seq = $2").bind(&e.hash).bind(e.seq).execute(s.pool()).await.unwrap();
        s.close().await;
    });
    assert_eq!(run(&["audit", "verify", "--db", &db], None).0, 0);
    let (code, _, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], None);
    assert_eq!(code, 1);
    assert!(err.contains("第 4 条记录与锚点不符") && err.contains("第 3 行"), "{err}");
}

#[test]
fn a_malformed_or_missing_anchor_file_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = anchored(dir.path(), None);
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("5\tnot-a-hash\t2024-01-01T00:00:00+08:00\t-\n");
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], None);
    assert_eq!(code, 2);
    assert!(err.contains("第 4 行"), "{err}");
    let missing = dir.path().join("nowhere.tsv");
    let (code, _, err) = run(&["audit", "verify", "--db", &db, "--anchor", missing.to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(err.contains("nowhere.tsv"), "{err}");
    let (code, _, err) = run(&["audit", "anchor", "--db", &db, "--out", &file], Some(""));
    assert_eq!(code, 2, "an empty key is refused: {err}");
}

#[test]
fn anchors_carry_a_mac_when_a_key_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = anchored(dir.path(), Some("s3cret"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.lines().skip(1).all(|l| !l.ends_with("\t-")), "{text}");
    let (code, out, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], Some("s3cret"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("MAC 已校验"), "{out}");
    let (code, _, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], Some("wrong"));
    assert_eq!(code, 1);
    assert!(err.contains("第 2 行") && err.contains("MAC"), "{err}");
    let (code, _, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], None);
    assert_eq!(code, 0);
    assert!(err.contains("MAC 未校验"), "{err}");
    // A line appended without the key is refused once the key is checked.
    assert_eq!(run(&["audit", "anchor", "--db", &db, "--out", &file], None).0, 0);
    let (code, _, err) = run(&["audit", "verify", "--db", &db, "--anchor", &file], Some("s3cret"));
    assert_eq!(code, 1);
    assert!(err.contains("第 4 行没有 MAC"), "{err}");
}

#[test]
fn serve_anchors_the_head_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    user(&db, "alice");
    let file = dir.path().join("serve-anchors.tsv");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shanting"))
        .args(["serve", "--db", &db, "--addr", &format!("127.0.0.1:{port}"), "--audit-anchor", file.to_str().unwrap()])
        .env_remove("SHANTING_AUDIT_KEY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let anchors = loop {
        let a = std::fs::read_to_string(&file).ok().and_then(|t| store::audit::anchor::parse(&t).ok()).unwrap_or_default();
        if !a.is_empty() || std::time::Instant::now() > deadline {
            break a;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(anchors.len(), 1, "one anchor at start");
    let (code, out, err) = run(&["audit", "verify", "--db", &db, "--anchor", file.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("锚点 1 个"), "{out}");
}
