//! Anchors of the audit trail's head, on SQLite always and PostgreSQL when
//! `SHANTING_TEST_POSTGRES_URL` is set: the chain alone cannot tell that its
//! newest entries were deleted, or rewritten with fresh hashes; held against
//! an anchor file it can.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use store::audit::anchor::{self, AnchorError, AnchorKey, Anchorer};
use store::{AuditFilter, Store, VerifyReport};

#[macro_use]
mod common;

use common::admin;

async fn users(s: &Store, names: &[&str]) {
    for n in names {
        s.create_user("test", &admin(n)).await.unwrap();
    }
}

/// 3 entries, anchored; 2 more, anchored again: anchors on lines 2 and 3
/// (line 1 is the header), for seq 3 and 5.
async fn anchored(s: &Store, file: &Path) -> anchor::Anchors {
    let a = Anchorer::new(file, None);
    users(s, &["u1", "u2", "u3"]).await;
    assert_eq!(a.anchor(s).await.unwrap().unwrap().seq, 3);
    users(s, &["u4", "u5"]).await;
    assert_eq!(a.anchor(s).await.unwrap().unwrap().seq, 5);
    let anchors = anchor::read(file).unwrap();
    assert_eq!(anchors.iter().map(|(l, a)| (*l, a.seq)).collect::<Vec<_>>(), vec![(2, 3), (3, 5)]);
    anchors
}

/// Rewrite the newest entry the way a careful forger would: change it and
/// recompute its hash, so that the chain is whole again.
async fn rewrite_head(s: &Store) {
    let f = AuditFilter { limit: 1, ..Default::default() };
    let mut e = s.audit_entries(&f).await.unwrap().0.remove(0);
    e.actor = "mallory".into();
    e.hash = e.compute_hash();
    sqlx::query("UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = $3")
        .bind(&e.actor)
        .bind(&e.hash)
        .bind(e.seq)
        .execute(s.pool())
        .await
        .unwrap();
}

both!(anchored_untouched_chain_passes, |url: String| async move {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anchors.tsv");
    let s = Store::connect(&url).await.unwrap();
    let anchors = anchored(&s, &file).await;
    assert_eq!(s.verify_audit_anchored(&anchors).await.unwrap(), VerifyReport::Intact { entries: 5 });
    // Entries after the last anchor are fine: anchors bound the chain from below.
    users(&s, &["u6"]).await;
    assert_eq!(s.verify_audit_anchored(&anchors).await.unwrap(), VerifyReport::Intact { entries: 6 });
});

both!(anchored_detects_deleted_last_entry, |url: String| async move {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anchors.tsv");
    let s = Store::connect(&url).await.unwrap();
    let anchors = anchored(&s, &file).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").execute(s.pool()).await.unwrap();
    assert_eq!(s.verify_audit().await.unwrap(), VerifyReport::Intact { entries: 4 }, "the chain alone cannot tell");
    let VerifyReport::Broken { seq, reason } = s.verify_audit_anchored(&anchors).await.unwrap() else { panic!("not detected") };
    assert_eq!(seq, 5);
    assert!(reason.contains("第 5 条记录缺失（锚点文件第 3 行记录了它）"), "{reason}");
    assert!(reason.contains("只有 4 条"), "{reason}");
    // Deleting both anchored heads' tail: the first anchor past the end is named.
    sqlx::query("DELETE FROM audit_log WHERE seq >= 3").execute(s.pool()).await.unwrap();
    let VerifyReport::Broken { seq, reason } = s.verify_audit_anchored(&anchors).await.unwrap() else { panic!("not detected") };
    assert_eq!(seq, 3);
    assert!(reason.contains("锚点文件第 2 行") && reason.contains("至少 1 条"), "{reason}");
});

both!(anchored_detects_changed_last_entry, |url: String| async move {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anchors.tsv");
    let s = Store::connect(&url).await.unwrap();
    let anchors = anchored(&s, &file).await;
    // Changed naively: the chain itself catches it.
    sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = (SELECT MAX(seq) FROM audit_log)").execute(s.pool()).await.unwrap();
    assert!(matches!(s.verify_audit_anchored(&anchors).await.unwrap(), VerifyReport::Broken { seq: 5, .. }));
    // Changed with its hash recomputed: only the anchor catches it.
    rewrite_head(&s).await;
    assert_eq!(s.verify_audit().await.unwrap(), VerifyReport::Intact { entries: 5 }, "the chain alone cannot tell");
    let VerifyReport::Broken { seq, reason } = s.verify_audit_anchored(&anchors).await.unwrap() else { panic!("not detected") };
    assert_eq!(seq, 5);
    assert!(reason.contains("与锚点不符") && reason.contains("第 3 行"), "{reason}");
    // And a head that does not match its own hash is not anchored.
    sqlx::query("UPDATE audit_log SET entity_id = 'x' WHERE seq = 5").execute(s.pool()).await.unwrap();
    let e = Anchorer::new(&file, None).anchor(&s).await.unwrap_err();
    assert!(matches!(e, AnchorError::HeadTampered(5)), "{e}");
});

both!(background_task_anchors_only_when_the_head_moves, |url: String| async move {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anchors.tsv");
    let s = Store::connect(&url).await.unwrap();
    users(&s, &["u1"]).await;
    let a = Arc::new(Anchorer::new(&file, Some(AnchorKey::new("k").unwrap())));
    a.anchor(&s).await.unwrap();
    let task = tokio::spawn(a.clone().run(s.clone(), Duration::from_millis(20)));
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(anchor::read(&file).unwrap().len(), 1, "no writes, no new anchor");
    users(&s, &["u2", "u3"]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while anchor::read(&file).unwrap().last().unwrap().1.seq != 3 {
        assert!(tokio::time::Instant::now() < deadline, "head not anchored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    task.abort();
    let anchors = anchor::read(&file).unwrap();
    // The task may have seen the head at 2 between the two writes; what it
    // must not do is anchor a head it already anchored.
    let seqs: Vec<i64> = anchors.iter().map(|(_, a)| a.seq).collect();
    assert!(seqs == [1, 3] || seqs == [1, 2, 3], "one anchor per move of the head: {seqs:?}");
    anchor::check_macs(&anchors, &AnchorKey::new("k").unwrap()).unwrap();
    assert!(a.anchor_if_moved(&s).await.unwrap().is_none());
    assert_eq!(s.verify_audit_anchored(&anchors).await.unwrap(), VerifyReport::Intact { entries: 3 });
});

const H: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const AT: &str = "2024-05-01T10:00:00.000+08:00";

#[test]
fn macs_are_checked_with_the_key() {
    let k = AnchorKey::new("secret").unwrap();
    let a = anchor::Anchor::new(7, H, AT, Some(&k));
    let line = a.to_line();
    assert_eq!(line.split('\t').count(), 4);
    let parsed = anchor::parse(&format!("{}\n{line}\n", anchor::HEADER)).unwrap();
    assert_eq!(parsed, vec![(2, a.clone())]);
    anchor::check_macs(&parsed, &k).unwrap();
    let e = anchor::check_macs(&parsed, &AnchorKey::new("other").unwrap()).unwrap_err();
    assert!(matches!(e, AnchorError::BadMac { line: 2 }), "{e}");
    // A forged line (seq raised, MAC kept) fails.
    let forged = anchor::parse(&line.replacen('7', "8", 1)).unwrap();
    assert!(matches!(anchor::check_macs(&forged, &k), Err(AnchorError::BadMac { line: 1 })));
    // With a key set, a line without MAC is refused.
    let bare = anchor::parse(&anchor::Anchor::new(7, H, AT, None).to_line()).unwrap();
    assert!(matches!(anchor::check_macs(&bare, &k), Err(AnchorError::MissingMac { line: 1 })));
    assert!(matches!(AnchorKey::new(""), Err(AnchorError::EmptyKey)));
}

#[test]
fn malformed_lines_are_named() {
    let good = anchor::Anchor::new(1, H, AT, None).to_line();
    for (bad, what) in [
        ("garbage", "4 个"),
        (&format!("0\t{H}\t{AT}\t-"), "正整数"),
        (&format!("+1\t{H}\t{AT}\t-"), "正整数"),
        (&format!("1\t{}\t{AT}\t-", &H[1..]), "哈希"),
        (&format!("1\t{}\t{AT}\t-", H.to_uppercase()), "哈希"),
        (&format!("1\t{H}\tyesterday\t-"), "RFC 3339"),
        (&format!("1\t{H}\t{AT}\tx"), "MAC"),
    ] {
        let text = format!("{}\n{good}\n\n{bad}\n{good}\n", anchor::HEADER);
        let e = anchor::parse(&text).unwrap_err();
        assert!(matches!(e, AnchorError::Malformed { line: 4, .. }), "{bad}: {e}");
        assert!(e.to_string().contains("第 4 行") && e.to_string().contains(what), "{e}");
    }
}

#[test]
fn append_keeps_earlier_lines_and_mends_a_torn_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.tsv");
    anchor::append(&file, &anchor::Anchor::new(1, H, AT, None)).unwrap();
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(first.starts_with(anchor::HEADER) && first.ends_with("\t-\n"), "{first}");
    anchor::append(&file, &anchor::Anchor::new(2, H, AT, None)).unwrap();
    let second = std::fs::read_to_string(&file).unwrap();
    assert!(second.starts_with(&first));
    // A line torn by a crash stays (verify names it) but does not swallow the next.
    std::fs::write(&file, format!("{second}3\t{H}")).unwrap();
    anchor::append(&file, &anchor::Anchor::new(4, H, AT, None)).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.ends_with(&format!("\n3\t{H}\n{}\n", anchor::Anchor::new(4, H, AT, None).to_line())), "{text}");
    assert!(matches!(anchor::parse(&text), Err(AnchorError::Malformed { line: 4, .. })));
}
