//! The platform core through the real binary: calendar, audit verify, and
//! two `serve` processes sharing one database (a session made on one is
//! honoured by the other).

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shanting"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn calendar_commands() {
    assert_eq!(run(&["calendar", "add-workdays", "2023-09-28", "20"]).1.trim(), "2023-11-01");
    assert_eq!(run(&["calendar", "is-workday", "2023-10-07"]).1.trim(), "yes");
    assert_eq!(run(&["calendar", "is-workday", "2023-10-02"]).1.trim(), "no");
    let (code, _, err) = run(&["calendar", "is-workday", "2030-01-01"]);
    assert_eq!(code, 2);
    assert!(err.contains("2030-01-01"), "{err}");
    let (code, _, err) = run(&["calendar", "add-workdays", "2023-02-30", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("DATE"), "{err}");
}

#[test]
fn help_lists_the_subcommands() {
    let (_, out, _) = run(&["--help"]);
    for c in ["serve", "calendar", "subsidy", "insurance", "emergency", "meeting", "audit", "admin"] {
        assert!(out.contains(c), "--help lacks {c}");
    }
}

#[test]
fn audit_verify_detects_an_altered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("a.db").display());
    for u in ["alice", "bob", "carol"] {
        let (code, _, err) = run(&["admin", "create-user", "--db", &db, "--username", u, "--password", "long enough pw"]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, _) = run(&["audit", "verify", "--db", &db]);
    assert_eq!(code, 0);
    assert!(out.contains("3 条"), "{out}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = store::Store::connect(&db).await.unwrap();
        sqlx::query("UPDATE audit_log SET after_json = '{\"username\":\"mallory\"}' WHERE seq = 2").execute(s.pool()).await.unwrap();
        s.close().await;
    });
    let (code, _, err) = run(&["audit", "verify", "--db", &db]);
    assert_eq!(code, 1);
    assert!(err.contains("第 2 条"), "{err}");
}

#[test]
fn admin_commands_apply_the_password_policy_reset_and_disable() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("u.db").display());
    for weak in ["12345678", "password", "dora", "1234567890"] {
        let (code, _, err) = run(&["admin", "create-user", "--db", &db, "--username", "dora", "--password", weak]);
        assert_eq!(code, 2, "{weak}: {err}");
        assert!(err.contains("密码"), "{err}");
    }
    let (code, _, err) = run(&["admin", "create-user", "--db", &db, "--username", "dora", "--password", "first passphrase"]);
    assert_eq!(code, 0, "{err}");
    let reset = |pw: Option<&str>| {
        let mut c = bin();
        c.args(["admin", "reset-password", "--db", &db, "--username", "dora"]).env_remove("SHANTING_PASSWORD");
        if let Some(p) = pw {
            c.env("SHANTING_PASSWORD", p);
        }
        let o = c.output().unwrap();
        (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    assert_eq!(reset(None).0, 2, "the new password comes from SHANTING_PASSWORD");
    assert_eq!(reset(Some("short")).0, 2);
    assert_eq!(reset(Some("second passphrase")), (0, String::new()));
    assert_eq!(run(&["admin", "disable", "--db", &db, "--username", "dora"]).0, 0);
    assert_eq!(run(&["admin", "disable", "--db", &db, "--username", "nobody"]).0, 1);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let can_log_in = |pw: &str| {
        rt.block_on(async {
            let s = store::Store::connect(&db).await.unwrap();
            let ok = s.authenticate("dora", pw).await.unwrap().is_some();
            s.close().await;
            ok
        })
    };
    assert!(!can_log_in("second passphrase"), "disabled");
    assert_eq!(run(&["admin", "enable", "--db", &db, "--username", "dora"]).0, 0);
    assert!(can_log_in("second passphrase") && !can_log_in("first passphrase"));
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(db: &str, demo: bool) -> (Server, u16) {
    let port = free_port();
    let mut args = vec!["serve".to_string(), "--db".into(), db.into(), "--addr".into(), format!("127.0.0.1:{port}")];
    if demo {
        args.push("--demo".into());
    }
    let child = bin().args(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if http(port, "GET", "/healthz", "", "").0 == 200 {
            return (server, port);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server on {port} did not start");
}

/// A minimal HTTP/1.1 exchange over loopback: (status, head, body).
fn http(port: u16, method: &str, path: &str, cookie: &str, form: &str) -> (u16, String, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return (0, String::new(), String::new()) };
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    if s.write_all(req.as_bytes()).is_err() {
        return (0, String::new(), String::new());
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn header_cookie(head: &str, name: &str) -> String {
    head.lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").filter(|v| v.starts_with(name)))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {name} cookie in {head}"))
}

fn two_instances(db: &str) {
    let (_a, pa) = start(db, true);
    let (_b, pb) = start(db, false);
    let (_, head, body) = http(pa, "GET", "/login", "", "");
    let pre = header_cookie(&head, "shanting_login_csrf");
    let i = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &body[i..i + 64];
    let (status, head, _) = http(pa, "POST", "/login", &pre, &format!("csrf={csrf}&username=admin&password=shanting-demo"));
    assert_eq!(status, 303);
    let sid = header_cookie(&head, "shanting_sid");
    let (status, _, body) = http(pb, "GET", "/api/v1/me", &sid, "");
    assert_eq!(status, 200, "the second instance honours the first one's session: {body}");
    assert!(body.contains("\"username\":\"admin\""));
    let (status, _, _) = http(pb, "GET", "/api/v1/me", "shanting_sid=forged", "");
    assert_eq!(status, 401);
}

#[test]
fn two_servers_share_sessions_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    two_instances(&format!("sqlite://{}", dir.path().join("s.db").display()));
}

#[test]
fn two_servers_share_sessions_on_postgres() {
    let Ok(base) = std::env::var("SHANTING_TEST_POSTGRES_URL") else {
        eprintln!("PostgreSQL half skipped: SHANTING_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!("shanting_cli_{}", std::process::id());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut c).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut c).await.unwrap();
    });
    let (prefix, _) = base.rsplit_once('/').unwrap();
    two_instances(&format!("{prefix}/{name}"));
}

#[test]
fn policy_dir_overrides_the_embedded_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("calendar")).unwrap();
    let embedded = include_str!("../../../policy/calendar/workdays.toml");
    // Next year's notice as a data change: make 2026-12-31 a holiday.
    let changed = embedded.replace("\"2026-10-01/2026-10-07\"]", "\"2026-10-01/2026-10-07\", \"2026-12-31\"]");
    assert_ne!(changed, embedded);
    std::fs::write(dir.path().join("calendar/workdays.toml"), changed).unwrap();
    assert_eq!(run(&["calendar", "is-workday", "2026-12-31"]).1.trim(), "yes");
    let p = dir.path().to_str().unwrap();
    assert_eq!(run(&["--policy-dir", p, "calendar", "is-workday", "2026-12-31"]).1.trim(), "no");
    // A broken override is refused with the file named.
    std::fs::write(dir.path().join("calendar/workdays.toml"), "first = nonsense").unwrap();
    let (code, _, err) = run(&["--policy-dir", p, "calendar", "is-workday", "2026-12-31"]);
    assert_eq!(code, 2);
    assert!(err.contains("workdays"), "{err}");
}
