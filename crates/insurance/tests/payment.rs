//! The payment rule (五（二）): amount, what is still owed, and the dates
//! between which a payment for the year may be dated. Both sides of each
#![allow(clippy::unwrap_used)] // tests may unwrap
//! threshold.

use insurance::{Channel, PaymentClaim, PaymentKind, PensionStatus, Rules, Status, check_payment, still_owed};
use kernel::{Date, Money, ParamSet};

fn rules() -> Rules {
    Rules::load(&ParamSet::embedded().unwrap(), 2023).unwrap()
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn claim(amount: i64, owed: i64, paid: i64, paid_on: &str) -> PaymentClaim {
    PaymentClaim {
        kind: PaymentKind::Individual,
        amount: Money::from_fen(amount),
        owed: Money::from_fen(owed),
        paid: Money::from_fen(paid),
        paid_on: d(paid_on),
    }
}

const TODAY: &str = "2022-11-15";

#[test]
fn amount_must_be_positive() {
    let r = rules();
    let e = check_payment(&r, &claim(0, 48_000, 0, "2022-11-01"), d(TODAY)).unwrap_err();
    assert_eq!(e.path, "amount");
    assert!(check_payment(&r, &claim(1, 48_000, 0, "2022-11-01"), d(TODAY)).is_ok());
    assert!(check_payment(&r, &claim(-100, 48_000, 0, "2022-11-01"), d(TODAY)).is_err());
}

#[test]
fn amount_at_most_what_is_still_owed_and_the_message_names_it() {
    let r = rules();
    // 480 owed, 100 paid: 380 still owed.
    assert!(check_payment(&r, &claim(38_000, 48_000, 10_000, "2022-11-01"), d(TODAY)).is_ok());
    let e = check_payment(&r, &claim(38_001, 48_000, 10_000, "2022-11-01"), d(TODAY)).unwrap_err();
    assert_eq!(e.path, "amount");
    assert!(e.message.contains("尚欠的380元"), "{e}");
    // The attack amounts of the trust issue: refused, no overflow.
    for fen in [i64::MAX, 100_000_000_000] {
        let e = check_payment(&r, &claim(fen, 27_500, 0, "2022-11-01"), d(TODAY)).unwrap_err();
        assert!(e.message.contains("尚欠的275元"), "{e}");
    }
    // Nothing left to pay.
    let e = check_payment(&r, &claim(1, 48_000, 48_000, "2022-11-01"), d(TODAY)).unwrap_err();
    assert!(e.message.contains("已缴清"), "{e}");
    // Paid above owed in old data: still owed is zero, never negative.
    assert_eq!(still_owed(Money::from_fen(100), Money::from_fen(500)), Money::ZERO);
    assert_eq!(still_owed(Money::from_fen(500), Money::from_fen(100)), Money::from_fen(400));
}

#[test]
fn paid_on_not_before_the_window_opens() {
    let r = rules();
    let opens = r.window.medical_start;
    assert_eq!(opens, d("2022-10-01"));
    assert!(check_payment(&r, &claim(100, 48_000, 0, "2022-10-01"), d(TODAY)).is_ok());
    let e = check_payment(&r, &claim(100, 48_000, 0, "2022-09-30"), d(TODAY)).unwrap_err();
    assert_eq!(e.path, "paid_on");
    assert!(e.message.contains("2022-10-01") && e.message.contains("五（二）"), "{e}");
    let e = check_payment(&r, &claim(100, 48_000, 0, "1900-01-01"), d(TODAY)).unwrap_err();
    assert_eq!(e.path, "paid_on");
}

#[test]
fn paid_on_not_after_today() {
    let r = rules();
    assert!(check_payment(&r, &claim(100, 48_000, 0, TODAY), d(TODAY)).is_ok());
    let e = check_payment(&r, &claim(100, 48_000, 0, "2022-11-16"), d(TODAY)).unwrap_err();
    assert_eq!(e.path, "paid_on");
    assert!(e.message.contains("晚于今天"), "{e}");
    // After the window but not after today: allowed (补缴, the waiting period applies).
    assert!(check_payment(&r, &claim(100, 48_000, 0, "2023-03-01"), d("2023-03-01")).is_ok());
}

#[test]
fn kinds_channels_and_statuses_have_codes_and_labels() {
    assert_eq!("on_behalf".parse::<PaymentKind>().unwrap(), PaymentKind::OnBehalf);
    assert_eq!(PaymentKind::Individual.to_string(), "个人缴费");
    assert!("cash".parse::<PaymentKind>().is_err());
    assert_eq!(Channel::ALL.len(), 8);
    assert_eq!("裕农通".parse::<Channel>().unwrap().as_str(), "裕农通");
    assert!("现金".parse::<Channel>().is_err());
    for s in Status::ALL {
        assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
        assert_eq!(serde_json::from_str::<Status>(&serde_json::to_string(&s).unwrap()).unwrap(), s);
    }
    assert_eq!("excluded:deceased".parse::<Status>().unwrap().to_string(), "不在范围（已死亡）");
    assert!("unknown".parse::<Status>().is_err());
    for s in PensionStatus::ALL {
        assert_eq!(s.as_str().parse::<PensionStatus>().unwrap(), s);
    }
    assert_eq!(PensionStatus::Due.to_string(), "应缴");
    assert!("x".parse::<PensionStatus>().is_err());
}
