//! Money that cannot be bent (trust issue §3), on both backends: what is
//! paid never exceeds what is owed, whatever the amount and however many
//! requests race; a reference recorded meanwhile answers 已登记; a payment is
//! refunded once; the database's CHECK constraints hold the same line.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use insurance::{Channel, PaymentKind};
use store::insurance::{NewPayment, Recorded, ResidentRow, RosterFilter};
use store::{Store, StoreError};

#[macro_use]
mod common;

use common::insurance_payment as pay;

fn id_number(n: usize) -> String {
    let body = format!("37040619800101{:03}", n % 1000);
    let c = kernel::ResidentId::check_char(&body).unwrap();
    format!("{body}{c}")
}

fn row(n: usize, due: i64) -> ResidentRow {
    ResidentRow {
        id_number: id_number(n),
        name: format!("李{n}"),
        town: "水泉镇".into(),
        village: "东村".into(),
        birth_date: "1980-01-01".into(),
        hukou_in_district: true,
        source: "test".into(),
        year: 2023,
        as_of: "2022-10-01".into(),
        age: 42,
        band: 2,
        status: "included".into(),
        pension_status: "due".into(),
        medical_individual_fen: 35_000,
        medical_on_behalf_fen: 10_000,
        medical_fiscal_fen: 61_000,
        pension_tier_yuan: Some(300),
        pension_individual_fen: due - 35_000,
        total_due_fen: due,
        ..Default::default()
    }
}

async fn setup(url: &str) -> (Store, i64) {
    let store = Store::connect(url).await.unwrap();
    store.insurance_insert_residents("t", &[row(1, 50_000)]).await.unwrap();
    let id = store.insurance_roster(&RosterFilter { year: 2023, limit: 10, ..Default::default() }).await.unwrap().0[0].id;
    (store, id)
}

both!(twenty_concurrent_payments_never_exceed_owed, |url: String| async move {
    let (store, id) = setup(&url).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let s = store.clone();
            tokio::spawn(async move { s.insurance_record_payment("agent", &pay(&format!("C-{i}"), id, 10_000)).await })
        })
        .collect();
    let (mut ok, mut over) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(Recorded::New(_)) => ok += 1,
            Err(StoreError::Invalid(m)) => {
                assert!(m.contains("尚欠的0.00元"), "{m}");
                over += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((ok, over), (5, 15));
    assert_eq!(store.insurance_resident(id).await.unwrap().paid_fen, 50_000);
    assert_eq!(store.insurance_payments_of(id).await.unwrap().len(), 5);
});

both!(amounts_beyond_what_is_owed_are_refused_without_overflow, |url: String| async move {
    let (store, id) = setup(&url).await;
    // 92233720368547758.07 yuan is i64::MAX fen; 1,000,000,000 yuan.
    for fen in [i64::MAX, 100_000_000_000, 50_001] {
        let e = store.insurance_record_payment("agent", &pay(&format!("BIG-{fen}"), id, fen)).await.unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(m) if m.contains("尚欠的500.00元")), "{e}");
    }
    // On the edge: exactly what is owed.
    store.insurance_record_payment("agent", &pay("EDGE", id, 50_000)).await.unwrap();
    assert!(store.insurance_payments_of(id).await.unwrap().iter().all(|p| p.reference == "EDGE"));
    // The rosters still answer (no REAL in an integer column).
    let (rows, n) = store.insurance_roster(&RosterFilter { year: 2023, limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!((n, rows[0].paid_fen), (1, 50_000));
    assert_eq!(store.insurance_stats(2023, None).await.unwrap()[0].paid_fen, 50_000);
    // Zero and negative amounts are not payments.
    for fen in [0, -1] {
        assert!(matches!(store.insurance_record_payment("agent", &pay("Z", id, fen)).await, Err(StoreError::Invalid(_))));
    }
});

both!(a_reference_recorded_meanwhile_is_a_conflict_never_a_500, |url: String| async move {
    let (store, id) = setup(&url).await;
    store.insurance_record_payment("agent", &pay("SAME", id, 10_000)).await.unwrap();
    // The same reference for another amount: 已登记, nothing changed.
    let e = store.insurance_record_payment("agent", &pay("SAME", id, 20_000)).await.unwrap_err();
    assert!(matches!(&e, StoreError::Conflict(m) if m.contains("已登记")), "{e}");
    // Twenty identical requests at once: one payment, whatever the answers.
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { s.insurance_record_payment("agent", &pay("RACE", id, 10_000)).await })
        })
        .collect();
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(store.insurance_resident(id).await.unwrap().paid_fen, 20_000);
});

both!(a_payment_is_refunded_once, |url: String| async move {
    let (store, id) = setup(&url).await;
    let Recorded::New(p) = store.insurance_record_payment("agent", &pay("R-1", id, 30_000)).await.unwrap() else { panic!() };
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { s.insurance_refund("hrss", p, "2022-11-02", "错缴").await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(m)) => assert!(m.contains("已退费"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(store.insurance_resident(id).await.unwrap().paid_fen, 0);
    // A refund is not refunded.
    let refund = store.insurance_payments_of(id).await.unwrap().into_iter().find(|x| x.refund_of == Some(p)).unwrap();
    assert!(matches!(store.insurance_refund("hrss", refund.id, "2022-11-02", "x").await, Err(StoreError::Invalid(_))));
});

both!(bulk_on_behalf_stays_within_what_is_owed_on_behalf, |url: String| async move {
    let (store, id) = setup(&url).await;
    let on_behalf = |r: &str, fen| NewPayment { kind: PaymentKind::OnBehalf, channel: Channel::Bank, ..pay(r, id, fen) };
    // Owed on behalf: 100 yuan. The second goes past it and is skipped.
    assert_eq!(store.insurance_record_bulk("tax", &[on_behalf("B-1", 10_000), on_behalf("B-2", 1)]).await.unwrap(), (1, 1));
    assert_eq!(store.insurance_record_bulk("tax", &[on_behalf("B-3", i64::MAX)]).await.unwrap(), (0, 1));
    assert_eq!(store.insurance_resident(id).await.unwrap().on_behalf_paid_fen, 10_000);
});

both!(the_database_refuses_what_the_store_would_refuse, |url: String| async move {
    let (store, id) = setup(&url).await;
    store.insurance_record_payment("agent", &pay("D-1", id, 50_000)).await.unwrap();
    // paid <= owed and paid >= 0, whatever writes it: a CHECK violation, mapped to Invalid.
    for sql in [
        "UPDATE insurance_residents SET paid_fen = paid_fen + 1",
        "UPDATE insurance_residents SET paid_fen = -1",
        "UPDATE insurance_residents SET on_behalf_paid_fen = 10001",
        "UPDATE insurance_payments SET amount_fen = 0",
    ] {
        let e = StoreError::from(sqlx::query(sql).execute(store.pool()).await.unwrap_err());
        assert!(matches!(e, StoreError::Invalid(_)), "{sql}: {e}");
    }
    // A second refund row for one payment: the unique index (已登记, never a 500).
    let first = store.insurance_payments_of(id).await.unwrap()[0].id;
    store.insurance_refund("hrss", first, "2022-11-02", "错缴").await.unwrap();
    let again = "INSERT INTO insurance_payments (reference, resident_id, year, kind, amount_fen, channel, paid_on, town, village, recorded_by, \
        recorded_at, refund_of) SELECT 'D-1-again', resident_id, year, kind, -amount_fen, channel, paid_on, town, village, 'x', 'x', id \
        FROM insurance_payments WHERE reference = 'D-1'";
    let e = StoreError::from(sqlx::query(again).execute(store.pool()).await.unwrap_err());
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    store.insurance_record_payment("agent", &pay("D-2", id, 50_000)).await.unwrap();
    // A list that lowers what is owed below what is paid waits for the refund.
    let before = store.insurance_resident(id).await.unwrap();
    let after = ResidentRow { total_due_fen: 0, pension_individual_fen: 0, medical_individual_fen: 0, ..before.clone() };
    let held = store.insurance_apply_list("civil", "apply_group_list", &[(before, after)]).await.unwrap();
    assert_eq!(held, vec![format!("李*（{}）", access::mask_id_number(&id_number(1)))]);
    assert_eq!(store.insurance_resident(id).await.unwrap().total_due_fen, 50_000);
});
