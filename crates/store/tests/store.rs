//! One store suite, run against SQLite always and PostgreSQL when
//! `SHANTING_TEST_POSTGRES_URL` is set (CI sets it). Each test gets a fresh
//! database: a temp file, or a new PostgreSQL database.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use store::users::NewUser;
use store::{Role, Store, VerifyReport};

#[macro_use]
mod common;

fn admin(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        password: "correct horse".into(),
        display_name: "管理员".into(),
        role: Role::Admin,
        department: None,
        town: None,
        village: None,
        enterprise_uscc: None,
    }
}

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
