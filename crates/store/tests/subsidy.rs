//! E-commerce support storage on both backends: typed rows (a state or an
//! assessment that does not parse is an error), state changes that take
//! effect once under 20 concurrent identical requests, and the CHECK and
//! unique constraints that keep amounts within what was assessed and paid.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use ecommerce::workflow::{AwardDecision, Status};
use ecommerce::{Assessment, Award};
use kernel::Money;
use store::subsidy::Enterprise;
use store::{AuditFilter, Store, StoreError};

#[macro_use]
mod common;

const USCC: &str = "91370406MA3C7K1020";

fn assessment(year: i32, awards: &[(u8, u8, i64, bool)]) -> Assessment {
    Assessment {
        uscc: USCC.into(),
        year,
        awards: awards
            .iter()
            .map(|&(article, tier, fen, one_time)| Award {
                article,
                tier,
                amount_fen: Money::from_fen(fen),
                one_time,
                citation: format!("山政发〔2022〕10号 附件4 第{article}条"),
                explanation: "测算".into(),
            })
            .collect(),
        case_by_case: Vec::new(),
        one_enterprise_one_policy: false,
        not_eligible: Vec::new(),
        total_fen: Money::from_fen(awards.iter().map(|a| a.2).sum()),
        missing: None,
        explanation: Default::default(),
    }
}

fn decisions(a: &Assessment) -> Vec<AwardDecision> {
    a.awards
        .iter()
        .map(|w| AwardDecision {
            article: w.article,
            tier: w.tier,
            one_time: w.one_time,
            assessed: w.amount_fen,
            granted: w.amount_fen,
            reason: String::new(),
        })
        .collect()
}

async fn setup(url: &str) -> Store {
    let s = Store::connect(url).await.unwrap();
    let e =
        Enterprise { uscc: USCC.into(), name: "山亭示范电商有限公司".into(), town: "水泉镇".into(), contact: String::new() };
    s.subsidy_upsert_enterprise("t", &e).await.unwrap();
    s
}

/// An application of `year` moved to 审核中.
async fn under_review(s: &Store, year: i64, a: &Assessment) -> i64 {
    let id = s.subsidy_save_application("enterprise", USCC, year, a, None, Status::Submitted).await.unwrap();
    s.subsidy_transition("commerce", id, Status::Submitted, Status::UnderReview, "", false).await.unwrap();
    id
}

async fn audit_count(s: &Store, action: &str) -> i64 {
    let f = AuditFilter { action: Some(action.into()), entity: Some("subsidy_application".into()), ..AuditFilter::default() };
    s.audit_entries(&f).await.unwrap().1
}

both!(rows_are_typed_and_bad_rows_are_errors, |url: String| async move {
    let s = setup(&url).await;
    let a = assessment(2023, &[(3, 2, 36_000_000, false), (4, 1, 4_000_000, false)]);
    let id = s.subsidy_save_application("enterprise", USCC, 2023, &a, None, Status::Submitted).await.unwrap();
    let (app, awards) = s.subsidy_application(id).await.unwrap();
    assert_eq!(app.status, Status::Submitted);
    assert_eq!(app.assessment.total_fen.fen(), 40_000_000);
    assert_eq!(app.assessment.awards, a.awards);
    assert!(awards.is_empty());
    // A second application for the same enterprise and year: already recorded.
    let e = s.subsidy_save_application("enterprise", USCC, 2023, &a, None, Status::Submitted).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    // An unknown state code cannot be stored …
    let e = sqlx::query("UPDATE subsidy_applications SET status = 'lost' WHERE id = $1").bind(id).execute(s.pool()).await.unwrap_err();
    assert!(matches!(StoreError::from(e), StoreError::Invalid(_)));
    // … and an assessment that does not parse is an error on reading, never zeros.
    sqlx::query("UPDATE subsidy_applications SET assessment_json = '{\"total_fen\": 5}' WHERE id = $1")
        .bind(id)
        .execute(s.pool())
        .await
        .unwrap();
    assert!(matches!(s.subsidy_application(id).await.unwrap_err(), StoreError::Db(_)));
    assert!(s.subsidy_applications(None, None, None).await.is_err());
});

both!(twenty_concurrent_approvals_take_effect_once, |url: String| async move {
    let s = setup(&url).await;
    let a = assessment(2023, &[(3, 2, 36_000_000, false), (12, 1, 1_800_000, false)]);
    let id = under_review(&s, 2023, &a).await;
    let d = decisions(&a);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (s, d) = (s.clone(), d.clone());
            tokio::spawn(async move { s.subsidy_approve("commerce", id, Status::UnderReview, &d, "符合").await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict(m)) => assert!(m.contains("审核中"), "{m}"),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(ok, 1);
    let (app, awards) = s.subsidy_application(id).await.unwrap();
    assert_eq!(app.status, Status::Approved);
    assert_eq!(awards.len(), 2, "awards written once");
    assert_eq!(audit_count(&s, "approve").await, 1);
    let budget: i64 = s.subsidy_budget(2023).await.unwrap().iter().map(|l| l.committed_fen).sum();
    assert_eq!(budget, 37_800_000);
});

both!(twenty_concurrent_payments_take_effect_once, |url: String| async move {
    let s = setup(&url).await;
    let a = assessment(2023, &[(3, 2, 36_000_000, false)]);
    let id = under_review(&s, 2023, &a).await;
    s.subsidy_approve("commerce", id, Status::UnderReview, &decisions(&a), "").await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.subsidy_pay("finance", id, Status::Approved, Status::Paid, "2024-03-20").await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(audit_count(&s, "pay").await, 1);
    let (app, awards) = s.subsidy_application(id).await.unwrap();
    assert_eq!(app.status, Status::Paid);
    assert_eq!(awards[0].paid_fen, 36_000_000);
    let lines = s.subsidy_budget(2023).await.unwrap();
    assert_eq!(lines.iter().map(|l| l.paid_fen).sum::<i64>(), 36_000_000);
});

both!(amounts_are_held_by_constraints, |url: String| async move {
    let s = setup(&url).await;
    let a = assessment(2023, &[(9, 1, 1_000_000, false)]);
    let id = under_review(&s, 2023, &a).await;
    // Granted above assessed: refused by the database even if a caller forgot the engine.
    let mut above = decisions(&a);
    above[0].granted = Money::from_fen(1_000_001);
    assert!(matches!(s.subsidy_approve("commerce", id, Status::UnderReview, &above, "").await.unwrap_err(), StoreError::Invalid(_)));
    // Nothing was written by the refused approval: still under review.
    assert_eq!(s.subsidy_application(id).await.unwrap().0.status, Status::UnderReview);
    s.subsidy_approve("commerce", id, Status::UnderReview, &decisions(&a), "").await.unwrap();
    let award = s.subsidy_application(id).await.unwrap().1.remove(0);
    // Clawed back above paid (nothing paid yet): refused.
    assert!(matches!(s.subsidy_clawback("commerce", award.id, 0, 1, "弄虚作假").await.unwrap_err(), StoreError::Invalid(_)));
    s.subsidy_pay("finance", id, Status::Approved, Status::Paid, "2024-03-20").await.unwrap();
    s.subsidy_clawback("commerce", award.id, 0, 400_000, "弄虚作假").await.unwrap();
    // A clawback decided on stale figures: conflict, nothing written.
    assert!(matches!(s.subsidy_clawback("commerce", award.id, 0, 400_000, "弄虚作假").await.unwrap_err(), StoreError::Conflict(_)));
    assert!(matches!(s.subsidy_clawback("commerce", award.id, 400_000, 1_000_001, "弄虚作假").await.unwrap_err(), StoreError::Invalid(_)));
    assert_eq!(s.subsidy_award(award.id).await.unwrap().clawed_back_fen, 400_000);
    for sql in [
        "UPDATE subsidy_awards SET paid_fen = -1 WHERE id = $1",
        "UPDATE subsidy_awards SET granted_fen = proposed_fen + 1 WHERE id = $1",
        "UPDATE subsidy_awards SET paid_fen = granted_fen + 1 WHERE id = $1",
    ] {
        let e = sqlx::query(sql).bind(award.id).execute(s.pool()).await.unwrap_err();
        assert!(matches!(StoreError::from(e), StoreError::Invalid(_)), "{sql}");
    }
});

both!(a_one_time_award_is_granted_once_across_years, |url: String| async move {
    let s = setup(&url).await;
    // Article 10 (农村电商) is one-time: approved for 2023, then (out of order,
    // by a caller that did not re-assess) for 2024 again: the unique key refuses it.
    let a23 = assessment(2023, &[(10, 1, 5_000_000, true)]);
    let id23 = under_review(&s, 2023, &a23).await;
    s.subsidy_approve("commerce", id23, Status::UnderReview, &decisions(&a23), "").await.unwrap();
    assert_eq!(s.subsidy_awards_received(USCC).await.unwrap().len(), 1);
    let a24 = assessment(2024, &[(10, 1, 5_000_000, true), (3, 1, 1_000, false)]);
    let id24 = under_review(&s, 2024, &a24).await;
    let e = s.subsidy_approve("commerce", id24, Status::UnderReview, &decisions(&a24), "").await.unwrap_err();
    assert!(matches!(&e, StoreError::Conflict(m) if m.contains("第10条")), "{e:?}");
    // The whole approval was rolled back: still under review, no award of 2024.
    let (app, awards) = s.subsidy_application(id24).await.unwrap();
    assert_eq!((app.status, awards.len()), (Status::UnderReview, 0));
});

fn doc(filename: &str) -> store::subsidy::NewDocument<'_> {
    store::subsidy::NewDocument { uscc: USCC, year: 2023, filename, content_type: "application/pdf", data: b"%PDF" }
}

both!(documents_are_capped_per_enterprise, |url: String| async move {
    let s = setup(&url).await;
    for i in 0..3 {
        let name = format!("{i}.pdf");
        s.subsidy_add_document("enterprise", &doc(&name), 3).await.unwrap();
    }
    let e = s.subsidy_add_document("enterprise", &doc("x.pdf"), 3).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(m) if m.contains('3')), "{e:?}");
    let docs = s.subsidy_documents(USCC).await.unwrap();
    assert_eq!(docs.len(), 3);
    assert_eq!(s.subsidy_document_owner(docs[0].id).await.unwrap(), USCC);
    assert_eq!(s.subsidy_document(docs[0].id).await.unwrap().data, b"%PDF");
});
