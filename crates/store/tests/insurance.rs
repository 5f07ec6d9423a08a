//! Insurance storage on both backends: batched upserts with job progress,
//! payments idempotent by reference, refunds, reconciliation, publication
//! with the masked public roster, and the statistics' GROUP BY. PostgreSQL
//! runs when `SHANTING_TEST_POSTGRES_URL` is set (the `postgres` tests).

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use insurance::{Channel, PaymentKind};
use store::Store;
use store::insurance::{NewPayment, Recorded, ResidentRow, RosterFilter};

#[macro_use]
mod common;

use common::insurance_payment as pay;

/// A valid ID number born on 1970-01-01 + `n` days' worth of sequence.
fn id_number(n: usize) -> String {
    let body = format!("37040619700101{:03}", n % 1000);
    let body = if n >= 1000 { format!("3704061971{:02}01{:03}", 1 + n / 1000 % 12, n % 1000) } else { body };
    let c = kernel::ResidentId::check_char(&body).unwrap();
    format!("{body}{c}")
}

fn row(n: usize, village: &str, due: i64, band: i64) -> ResidentRow {
    ResidentRow {
        id_number: id_number(n),
        name: format!("张{n}"),
        town: "水泉镇".into(),
        village: village.into(),
        birth_date: "1970-01-01".into(),
        hukou_in_district: true,
        source: "test".into(),
        year: 2023,
        as_of: "2022-10-01".into(),
        age: 52,
        band,
        status: "included".into(),
        pension_status: "due".into(),
        medical_individual_fen: 35_000,
        medical_fiscal_fen: 61_000,
        pension_tier_yuan: Some(300),
        pension_individual_fen: due - 35_000,
        pension_subsidy_fen: 3_000,
        total_due_fen: due,
        ..Default::default()
    }
}

async fn all(store: &Store) -> Vec<ResidentRow> {
    store.insurance_roster(&RosterFilter { year: 2023, limit: 10_000, ..Default::default() }).await.unwrap().0
}

both!(import_batches_resume_and_upsert, |url: String| async move {
    let store = Store::connect(&url).await.unwrap();
    let job = store.insurance_job_start("sha256:abc year:2023", Some(10)).await.unwrap();
    assert_eq!(job.progress, 0);
    let rows: Vec<ResidentRow> = (0..900).map(|n| row(n, "东村", 65_000, 2)).collect();
    store.insurance_import_batch("t", job.id, &rows[..450], 451).await.unwrap();
    // A crash here: the same job resumes after line 451.
    let again = store.insurance_job_start("sha256:abc year:2023", Some(10)).await.unwrap();
    assert_eq!((again.id, again.progress), (job.id, 451));
    store.insurance_import_batch("t", job.id, &rows[450..], 901).await.unwrap();
    store.insurance_job_finish("t", job.id, "done", "ok").await.unwrap();
    assert_eq!(store.insurance_resident_count().await.unwrap(), 900);
    // A finished job starts over; upserting the same rows changes nothing.
    let before = all(&store).await;
    let rerun = store.insurance_job_start("sha256:abc year:2023", Some(10)).await.unwrap();
    assert_eq!((rerun.id, rerun.progress), (job.id, 0));
    store.insurance_import_batch("t", job.id, &rows, 901).await.unwrap();
    assert_eq!(all(&store).await, before);
    // A changed row is updated in place, its payments kept.
    let first = before.iter().find(|r| r.id_number == id_number(0)).unwrap().clone();
    assert_eq!(store.insurance_record_payment("t", &pay("P-0", first.id, 65_000)).await.unwrap(), Recorded::New(1));
    let mut changed = rows[0].clone();
    changed.name = "张改名".into();
    store.insurance_import_batch("t", job.id, &[changed], 2).await.unwrap();
    let after = store.insurance_resident(first.id).await.unwrap();
    assert_eq!((after.name.as_str(), after.paid_fen), ("张改名", 65_000));
    assert_eq!(store.insurance_resident_count().await.unwrap(), 900);
    // Search and filters.
    let f = RosterFilter { year: 2023, q: Some(id_number(5)[..17].into()), limit: 10, ..Default::default() };
    assert_eq!(store.insurance_roster(&f).await.unwrap().1, 1);
    let f = RosterFilter { year: 2023, paid: Some("paid".into()), limit: 10, ..Default::default() };
    assert_eq!(store.insurance_roster(&f).await.unwrap().1, 1);
    let f = RosterFilter { year: 2023, paid: Some("unpaid".into()), limit: 10, ..Default::default() };
    assert_eq!(store.insurance_roster(&f).await.unwrap().1, 899);
    let f = RosterFilter { year: 2023, q: Some("改名".into()), limit: 10, ..Default::default() };
    assert_eq!(store.insurance_roster(&f).await.unwrap().1, 1);
});

both!(payments_refunds_reconciliation_publication_stats, |url: String| async move {
    let store = Store::connect(&url).await.unwrap();
    let mut rows: Vec<ResidentRow> = (0..4).map(|n| row(n, "东村", 65_000, if n < 2 { 1 } else { 2 })).collect();
    rows.push(ResidentRow { status: "excluded:employee_insurance".into(), total_due_fen: 0, band: 0, ..row(4, "东村", 35_000, 0) });
    rows.push(ResidentRow { medical_on_behalf_fen: 17_500, ..row(5, "西村", 45_000, 2) });
    store.insurance_insert_residents("t", &rows).await.unwrap();
    let stored = all(&store).await;
    let id = |n: usize| stored.iter().find(|r| r.id_number == id_number(n)).unwrap().id;
    // Idempotent by reference.
    let p0 = pay("POS-1", id(0), 65_000);
    let first = store.insurance_record_payment("agent", &p0).await.unwrap();
    assert_eq!(
        store.insurance_record_payment("agent", &p0).await.unwrap(),
        match first {
            Recorded::New(i) => Recorded::Existing(i),
            e => panic!("{e:?}"),
        }
    );
    assert!(store.insurance_record_payment("agent", &pay("POS-1", id(1), 65_000)).await.is_err(), "same reference, other content");
    assert!(store.insurance_record_payment("agent", &pay("X", id(1), 0)).await.is_err());
    // A short payment is listed; an over-payment is refused, naming what is still owed.
    store.insurance_record_payment("agent", &pay("POS-2", id(1), 60_000)).await.unwrap();
    let over = store.insurance_record_payment("other", &pay("POS-3", id(2), 70_000)).await.unwrap_err();
    assert!(matches!(&over, store::StoreError::Invalid(m) if m.contains("尚欠的650.00元")), "{over}");
    store.insurance_record_payment("other", &pay("POS-3", id(2), 65_000)).await.unwrap();
    let wrong = store.insurance_record_payment("other", &pay("POS-4", id(3), 65_000)).await.unwrap();
    let rec = store.insurance_reconcile(2023, "水泉镇", "东村").await.unwrap();
    assert_eq!(rec.money_fen, 65_000 + 60_000 + 65_000 + 65_000);
    assert_eq!(rec.roster_fen, 4 * 65_000);
    assert_eq!(rec.agents.len(), 2);
    assert_eq!((rec.agents[0].recorded_by.as_str(), rec.agents[0].payments, rec.agents[0].amount_fen), ("agent", 2, 125_000));
    let diffs: Vec<(String, i64)> = rec.differences.iter().map(|d| (d.id_number.clone(), d.difference_fen)).collect();
    assert_eq!(diffs, vec![(id_number(1), -5_000)]);
    // Refund: the money leaves, the line disappears from the paid ones.
    let Recorded::New(wrong) = wrong else { panic!() };
    store.insurance_refund("bureau", wrong, "2022-12-01", "错缴").await.unwrap();
    assert!(store.insurance_refund("bureau", wrong, "2022-12-01", "again").await.is_err());
    assert_eq!(store.insurance_resident(id(3)).await.unwrap().paid_fen, 0);
    let rec = store.insurance_reconcile(2023, "水泉镇", "东村").await.unwrap();
    assert_eq!(rec.money_fen, 190_000);
    assert_eq!(rec.paid_persons, 3);
    // Bulk on behalf: references make it idempotent.
    let bulk = vec![NewPayment { kind: PaymentKind::OnBehalf, channel: Channel::Bank, ..pay("代缴-2023-x", id(5), 17_500) }];
    assert_eq!(store.insurance_record_bulk("tax", &bulk).await.unwrap(), (1, 0));
    assert_eq!(store.insurance_record_bulk("tax", &bulk).await.unwrap(), (0, 1));
    assert_eq!(store.insurance_resident(id(5)).await.unwrap().on_behalf_paid_fen, 17_500);
    // Publication and the masked public roster.
    assert!(store.insurance_public_roster(2023, "水泉镇", "东村").await.unwrap().is_none());
    assert!(store.insurance_publish("town", 2023, "水泉镇", "东村").await.unwrap());
    assert!(!store.insurance_publish("town", 2023, "水泉镇", "东村").await.unwrap());
    let public = store.insurance_public_roster(2023, "水泉镇", "东村").await.unwrap().unwrap();
    assert_eq!(public.len(), 3);
    for (name, id) in &public {
        assert_eq!(name, "张*");
        assert!(id.starts_with("370406********") && id.len() == 18, "{id}");
    }
    // Statistics: one GROUP BY.
    let stats = store.insurance_stats(2023, None).await.unwrap();
    assert_eq!(stats.len(), 1);
    let s = &stats[0];
    assert_eq!((s.residents, s.included, s.due_persons, s.paid_persons), (6, 5, 5, 3));
    assert_eq!(s.due_fen, 4 * 65_000 + 45_000);
    assert_eq!(s.paid_fen, 190_000);
    assert_eq!((s.lower_due, s.lower_paid, s.upper_due, s.upper_paid), (2, 2, 3, 1));
    assert_eq!(s.medical_covered, 3);
    // The demo's fast path: multi-row inserts, paid columns recomputed from the payments.
    store.insurance_seed_payments("demo", &[pay("DEMO-1", id(5), 45_000)]).await.unwrap();
    let five = store.insurance_resident(id(5)).await.unwrap();
    assert_eq!((five.paid_fen, five.on_behalf_paid_fen), (45_000, 17_500));
    assert_eq!(store.insurance_resident(id(0)).await.unwrap().paid_fen, 65_000);
    assert_eq!(store.insurance_resident(id(3)).await.unwrap().paid_fen, 0, "refund included in the recomputation");
    assert!(matches!(store.verify_audit().await.unwrap(), store::VerifyReport::Intact { .. }), "every write audited in the chain");
});

both!(a_batch_after_a_failed_one_rolls_back, |url: String| async move {
    let store = Store::connect(&url).await.unwrap();
    let job = store.insurance_job_start("sha256:after year:2023", Some(10)).await.unwrap();
    let rows: Vec<ResidentRow> = (0..20).map(|n| row(n, "西村", 65_000, 2)).collect();
    store.insurance_import_batch_after("t", job.id, &rows[..10], 11, std::future::ready(true)).await.unwrap();
    // The batch before did not commit: this one's rows and progress are not kept.
    let err = store.insurance_import_batch_after("t", job.id, &rows[10..], 21, std::future::ready(false)).await.unwrap_err();
    assert!(err.to_string().contains("前一批次未能提交"), "{err}");
    assert_eq!(store.insurance_resident_count().await.unwrap(), 10);
    assert_eq!(store.insurance_job(job.id).await.unwrap().progress, 11);
    if store.backend() != store::Backend::Postgres {
        return; // SQLite has one writer: the import keeps one batch in flight there
    }
    // Two batches in flight at once: the second waits for the first to commit.
    let (tell, told) = tokio::sync::oneshot::channel::<bool>();
    let (s2, later) = (store.clone(), rows[15..].to_vec());
    let second =
        tokio::spawn(
            async move { s2.insurance_import_batch_after("t", job.id, &later, 21, async move { told.await.unwrap_or(false) }).await },
        );
    store.insurance_import_batch_after("t", job.id, &rows[10..15], 16, std::future::ready(true)).await.unwrap();
    tell.send(true).unwrap();
    second.await.unwrap().unwrap();
    assert_eq!(store.insurance_resident_count().await.unwrap(), 20);
    assert_eq!(store.insurance_job(job.id).await.unwrap().progress, 21);
});
