//! One store suite, run against SQLite always and PostgreSQL when
//! `SHANTING_TEST_POSTGRES_URL` is set (CI sets it). Each test gets a fresh
//! database: a temp file, or a new PostgreSQL database.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use store::{Role, Store, VerifyReport};

#[macro_use]
mod common;

use common::admin;

both!(accounts_and_sessions, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    let u = s.create_user("test", &admin("root")).await.unwrap();
    assert_eq!(u.role, Role::Admin);
    assert!(s.create_user("test", &admin("root")).await.is_err(), "duplicate username refused");
    assert!(s.authenticate("root", "wrong password").await.unwrap().is_none());
    assert_eq!(s.authenticate("root", "correct horse").await.unwrap().unwrap().id, u.id);
    let (tok, csrf) = s.create_session(u.id).await.unwrap();
    let (who, c) = s.session(&tok).await.unwrap().unwrap();
    assert_eq!((who.id, c), (u.id, csrf));
    s.end_session(&tok).await.unwrap();
    assert!(s.session(&tok).await.unwrap().is_none());
    let mut town = admin("t1");
    town.role = Role::Town;
    assert!(s.create_user("test", &town).await.is_err(), "a town account needs its town");
});

both!(audit_chain_detects_tampering, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    for i in 0..5 {
        s.create_user("test", &admin(&format!("u{i}"))).await.unwrap();
    }
    assert_eq!(s.verify_audit().await.unwrap(), VerifyReport::Intact { entries: 5 });
    sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").execute(s.pool()).await.unwrap();
    assert!(matches!(s.verify_audit().await.unwrap(), VerifyReport::Broken { seq: 3, .. }));
});

both!(audit_chain_detects_removal, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    for i in 0..4 {
        s.create_user("test", &admin(&format!("u{i}"))).await.unwrap();
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(s.pool()).await.unwrap();
    assert!(matches!(s.verify_audit().await.unwrap(), VerifyReport::Broken { seq: 2, .. }));
});

both!(two_instances_share_sessions_and_one_chain, |url: String| async move {
    let a = Store::connect(&url).await.unwrap();
    let b = Store::connect(&url).await.unwrap();
    let u = a.create_user("test", &admin("shared")).await.unwrap();
    let (tok, _) = a.create_session(u.id).await.unwrap();
    assert_eq!(b.session(&tok).await.unwrap().unwrap().0.username, "shared");
    // Interleaved writers on two pools still make one linear chain.
    let mut handles = Vec::new();
    for i in 0..6 {
        let st = if i % 2 == 0 { a.clone() } else { b.clone() };
        handles.push(tokio::spawn(async move { st.create_user("test", &admin(&format!("c{i}"))).await.unwrap() }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(b.verify_audit().await.unwrap(), VerifyReport::Intact { entries: 7 });
});

both!(reference_and_villages, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    let d = district::District::load(&kernel::ParamSet::embedded().unwrap()).unwrap();
    s.seed_reference(&d).await.unwrap();
    s.seed_reference(&d).await.unwrap();
    assert_eq!(s.towns().await.unwrap().len(), 10);
    let rows = vec![(2, "水泉镇".to_string(), "东村".to_string(), "".to_string()), (3, "水泉镇".into(), "西村".into(), "村".into())];
    let r = s.import_villages("test", &rows).await.unwrap();
    assert_eq!((r.added, r.unchanged), (2, 0));
    let r = s.import_villages("test", &rows).await.unwrap();
    assert_eq!((r.added, r.unchanged), (0, 2), "importing twice changes nothing");
    let bad = vec![(2, "水泉镇".to_string(), "南村".to_string(), "".to_string()), (3, "不存在镇".into(), "北村".into(), "".into())];
    let e = s.import_villages("test", &bad).await.unwrap_err().to_string();
    assert!(e.contains("第 3 行") && e.contains("不存在镇"), "{e}");
    assert_eq!(s.villages(Some("水泉镇")).await.unwrap().len(), 2, "nothing half-written");
    let posts = s.group_posts("housing_fund_joint_meeting", "2023-01-01").await.unwrap();
    assert!(posts.iter().any(|p| p.0 == "戴娟" && p.1 == "召集人"));
    assert_eq!(s.verify_audit().await.unwrap(), VerifyReport::Intact { entries: 2 }, "seed + one import that added rows");
});

both!(login_throttle_slows_guessing_without_locking_out, |url: String| async move {
    use store::login::{ThrottleRow, account_key, address_key};
    use store::{Gate, LoginThrottle};
    let s = Store::connect(&url).await.unwrap();
    let t = LoginThrottle::default();
    let now = 1_700_000_000_000;
    for n in 1..=3 {
        assert_eq!(s.login_claim_at(&t, "root", "10.0.0.1", now).await.unwrap(), Gate::Go, "free attempt {n}");
    }
    // The fourth is checked too, and costs the next one a second.
    assert_eq!(s.login_claim_at(&t, "root", "10.0.0.1", now).await.unwrap(), Gate::Go);
    let row = s.login_throttle_row(&account_key("root")).await.unwrap().unwrap();
    assert_eq!(row, ThrottleRow { failures: 4, last_at: now, next_at: now + 1_000 });
    // Refused while waiting — from any address — and the refusal changes nothing.
    for addr in ["10.0.0.1", "10.0.0.2"] {
        assert_eq!(s.login_claim_at(&t, "root", addr, now + 400).await.unwrap(), Gate::Wait { ms: 600 });
    }
    assert_eq!(s.login_throttle_row(&account_key("root")).await.unwrap().unwrap(), row, "a refused attempt is not counted");
    assert!(s.login_throttle_row(&address_key("10.0.0.2")).await.unwrap().is_none(), "nor written for its address");
    // Once the wait is over the attempt is checked; the next wait doubles.
    assert_eq!(s.login_claim_at(&t, "root", "10.0.0.2", now + 1_000).await.unwrap(), Gate::Go);
    assert_eq!(s.login_throttle_row(&account_key("root")).await.unwrap().unwrap().next_at, now + 1_000 + 2_000);
    // A success clears the account and takes back only its own attempt from the address.
    s.login_succeeded("root", "10.0.0.2").await.unwrap();
    assert!(s.login_throttle_row(&account_key("root")).await.unwrap().is_none());
    assert_eq!(s.login_throttle_row(&address_key("10.0.0.2")).await.unwrap().unwrap().failures, 0);
    assert_eq!(s.login_throttle_row(&address_key("10.0.0.1")).await.unwrap().unwrap().failures, 4);
    // The wait never exceeds the cap, however many failures.
    let mut at = now + 10_000;
    for _ in 0..12 {
        assert_eq!(s.login_claim_at(&t, "other", "10.0.0.3", at).await.unwrap(), Gate::Go);
        at = at.max(s.login_throttle_row(&account_key("other")).await.unwrap().unwrap().next_at);
    }
    let row = s.login_throttle_row(&account_key("other")).await.unwrap().unwrap();
    assert_eq!(row.next_at - row.last_at, 30_000);
    // An hour without attempts and the count starts again.
    let later = row.last_at + t.forget_after_ms + 1;
    assert_eq!(s.login_claim_at(&t, "other", "10.0.0.3", later).await.unwrap(), Gate::Go);
    assert_eq!(s.login_throttle_row(&account_key("other")).await.unwrap().unwrap().failures, 1);
});

both!(concurrent_login_attempts_are_all_counted, |url: String| async move {
    use store::login::{account_key, address_key};
    use store::{Gate, LoginThrottle};
    let a = Store::connect(&url).await.unwrap();
    let b = Store::connect(&url).await.unwrap();
    let now = 1_700_000_000_000;
    async fn burst(a: &Store, b: &Store, t: LoginThrottle, user: &str, addr: &str, now: i64) -> Vec<Gate> {
        let mut handles = Vec::new();
        for i in 0..20 {
            let st = if i % 2 == 0 { a.clone() } else { b.clone() };
            let (user, addr) = (user.to_string(), addr.to_string());
            handles.push(tokio::spawn(async move { st.login_claim_at(&t, &user, &addr, now).await.unwrap() }));
        }
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    }
    // Nothing lost between two instances: 20 simultaneous attempts, 20 counted.
    let lenient = LoginThrottle { free_per_account: 100, free_per_address: 100, ..LoginThrottle::default() };
    let gates = burst(&a, &b, lenient, "alice", "192.0.2.7", now).await;
    assert!(gates.iter().all(|g| *g == Gate::Go));
    assert_eq!(a.login_throttle_row(&account_key("alice")).await.unwrap().unwrap().failures, 20);
    assert_eq!(b.login_throttle_row(&address_key("192.0.2.7")).await.unwrap().unwrap().failures, 20);
    // With the real schedule a burst gets no more checks than one guesser in a row would:
    // the three free ones and the fourth, which starts the wait; the rest are refused, uncounted.
    let gates = burst(&a, &b, LoginThrottle::default(), "bob", "192.0.2.8", now).await;
    assert_eq!(gates.iter().filter(|g| **g == Gate::Go).count(), 4, "{gates:?}");
    assert!(gates.iter().all(|g| matches!(g, Gate::Go | Gate::Wait { ms: 1_000 })), "{gates:?}");
    let row = a.login_throttle_row(&account_key("bob")).await.unwrap().unwrap();
    assert_eq!((row.failures, row.next_at), (4, now + 1_000));
});

both!(password_policy_and_account_management, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    for (pw, why) in [("12345678", "10"), ("password", "10"), ("root-admin", "用户名"), ("ROOT-ADMIN", "用户名"), ("1234567890", "常见")]
    {
        let mut u = admin("root-admin");
        u.password = pw.into();
        let e = s.create_user("test", &u).await.unwrap_err().to_string();
        assert!(e.contains("密码") && e.contains(why), "{pw}: {e}");
    }
    let mut long = admin(&"u".repeat(65));
    let e = s.create_user("test", &long).await.unwrap_err().to_string();
    assert!(e.contains("用户名") && e.contains("64"), "{e}");
    long = admin("ok");
    long.display_name = "名".repeat(65);
    assert!(s.create_user("test", &long).await.unwrap_err().to_string().contains("姓名"));
    assert!(s.create_user("test", &admin("two words")).await.unwrap_err().to_string().contains("用户名"));

    let u = s.create_user("test", &admin("root")).await.unwrap();
    let (here, _) = s.create_session(u.id).await.unwrap();
    let (elsewhere, _) = s.create_session(u.id).await.unwrap();
    // The user's own change: the policy applies, the other session ends, this one stays.
    assert!(s.change_own_password(u.id, "short", &here).await.unwrap_err().to_string().contains("密码"));
    assert_eq!(s.change_own_password(u.id, "a much better passphrase", &here).await.unwrap(), 1);
    assert!(s.session(&here).await.unwrap().is_some() && s.session(&elsewhere).await.unwrap().is_none());
    assert!(s.authenticate("root", "correct horse").await.unwrap().is_none());
    assert!(s.authenticate("root", "a much better passphrase").await.unwrap().is_some());
    // An administrator's reset ends every session.
    assert_eq!(s.reset_password("boss", u.id, "reset by the administrator").await.unwrap(), 1);
    assert!(s.session(&here).await.unwrap().is_none());
    // Disabling ends sessions and refuses logins; enabling lets the user in again.
    let (tok, _) = s.create_session(u.id).await.unwrap();
    assert_eq!(s.set_active("boss", u.id, false).await.unwrap(), 1);
    assert!(s.session(&tok).await.unwrap().is_none());
    assert!(s.authenticate("root", "reset by the administrator").await.unwrap().is_none());
    assert_eq!(s.accounts().await.unwrap(), vec![(u.clone(), false)]);
    s.set_active("boss", u.id, true).await.unwrap();
    assert!(s.authenticate("root", "reset by the administrator").await.unwrap().is_some());
    assert!(s.reset_password("boss", 999, "whatever it is long").await.is_err(), "unknown user");
    // Every change is in the trail; no password and no hash is.
    let (entries, _) = s.audit_entries(&store::AuditFilter { entity: Some("user".into()), limit: 50, ..Default::default() }).await.unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "change_password", "reset_password", "disable", "enable"]);
    for e in &entries {
        let text = format!("{:?}{:?}", e.before_json, e.after_json);
        assert!(!text.contains("argon2") && !text.contains("passphrase") && !text.contains("reset by"), "{text}");
    }
    assert_eq!(s.verify_audit().await.unwrap(), VerifyReport::Intact { entries: 5 });
});
