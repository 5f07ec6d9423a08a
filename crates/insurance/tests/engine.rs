//! The engine against the spec (insurance.md): worked examples, every
//! boundary on both sides, every tier, exclusions, sponsorship, waiting period.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::borrow::Cow;

use insurance::{Exclusion, Group, Groups, PensionStatus, Resident, Rules, Status, compute, explain, parse_row_str, waiting_period};
use kernel::{Date, Money, ParamSet, ResidentId};
use proptest::prelude::*;

fn rules() -> Rules {
    Rules::load(&ParamSet::embedded().unwrap(), 2023).unwrap()
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn yuan(n: i64) -> Money {
    Money::from_yuan(n)
}

/// A valid Shanting ID for a birth date.
fn id(birth: &str) -> ResidentId {
    let body = format!("370406{}123", birth.replace('-', ""));
    let check = ResidentId::check_char(&body).unwrap();
    ResidentId::parse(&format!("{body}{check}")).unwrap()
}

fn person(birth: &str) -> Resident<'static> {
    Resident {
        id: id(birth),
        name: Cow::Borrowed("张三"),
        town: Cow::Borrowed("水泉镇"),
        village: Cow::Borrowed("王庄村"),
        hukou_in_district: true,
        residence_permit: false,
        employee_insurance: false,
        student: false,
        receiving_pension: false,
        groups: Groups::EMPTY,
        disability_grade: None,
        pension_tier: None,
        sponsored: None,
        deceased_on: None,
    }
}

const AS_OF: &str = "2022-10-01";

#[test]
fn worked_example_72_dibao_drawing_pension() {
    let r = rules();
    let mut p = person("1950-05-01");
    p.groups = Groups::EMPTY.with(Group::Dibao);
    p.receiving_pension = true;
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!(c.age, 72);
    assert_eq!(c.status, Status::Included);
    assert_eq!(c.medical_individual, Money::ZERO);
    assert_eq!(c.medical_on_behalf, yuan(350));
    assert_eq!(c.pension_status, PensionStatus::ReceivingPension);
    assert_eq!((c.pension_individual, c.pension_subsidy, c.pension_tier), (Money::ZERO, Money::ZERO, None));
    assert_eq!(c.total_due, Money::ZERO);
}

#[test]
fn worked_example_47_dibao_tier_100() {
    let r = rules();
    let mut p = person("1975-07-09");
    p.groups = Groups::EMPTY.with(Group::Dibao);
    p.pension_tier = Some(yuan(100));
    r.check(&p, d(AS_OF)).unwrap();
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!(c.age, 47);
    assert_eq!((c.medical_individual, c.medical_on_behalf), (Money::ZERO, yuan(350)));
    assert_eq!(c.pension_status, PensionStatus::Due);
    assert_eq!((c.pension_individual, c.pension_subsidy), (yuan(100), yuan(30)));
    assert_eq!(c.total_due, yuan(100));
}

#[test]
fn worked_example_63_tier_500() {
    let r = rules();
    let mut p = person("1958-12-20");
    p.pension_tier = Some(yuan(500));
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!(c.age, 63);
    assert_eq!((c.medical_individual, c.medical_on_behalf), (yuan(175), yuan(175)));
    assert_eq!((c.pension_individual, c.pension_subsidy), (yuan(500), yuan(60)));
    assert_eq!(c.total_due, yuan(675));
}

#[test]
fn worked_example_12_student() {
    let r = rules();
    let mut p = person("2010-03-03");
    p.student = true;
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!(c.age, 12);
    assert_eq!((c.medical_individual, c.medical_on_behalf), (yuan(350), Money::ZERO));
    // Under 16 comes before student in the status order.
    assert_eq!(c.pension_status, PensionStatus::Under16);
    assert_eq!((c.pension_individual, c.pension_tier), (Money::ZERO, None));
    assert_eq!(c.total_due, yuan(350));
}

/// Born on `as_of` minus `years`: has just turned that age; a day later: not yet.
fn turning(years: i32) -> (Resident<'static>, Resident<'static>) {
    let on = d(AS_OF);
    let y = on.year() as i32 - years;
    let just = person(&format!("{y:04}-10-01"));
    let not_yet = person(&format!("{y:04}-10-02"));
    (just, not_yet)
}

#[test]
fn pension_starts_at_16_inclusive() {
    let r = rules();
    let (just, not_yet) = turning(16);
    let a = compute(&r, &just, d(AS_OF));
    let b = compute(&r, &not_yet, d(AS_OF));
    assert_eq!((a.age, a.pension_status), (16, PensionStatus::Due));
    assert_eq!(a.pension_individual, yuan(300), "default tier for non-hardship");
    assert_eq!((b.age, b.pension_status), (15, PensionStatus::Under16));
    assert_eq!(b.pension_individual, Money::ZERO);
}

#[test]
fn medical_half_from_60_inclusive() {
    let r = rules();
    let (just, not_yet) = turning(60);
    let a = compute(&r, &just, d(AS_OF));
    let b = compute(&r, &not_yet, d(AS_OF));
    assert_eq!((a.age, a.medical_on_behalf, a.medical_individual), (60, yuan(175), yuan(175)));
    assert_eq!((b.age, b.medical_on_behalf, b.medical_individual), (59, Money::ZERO, yuan(350)));
}

#[test]
fn medical_in_full_from_70_inclusive_and_half_at_69() {
    let r = rules();
    let (just, not_yet) = turning(70);
    let a = compute(&r, &just, d(AS_OF));
    let b = compute(&r, &not_yet, d(AS_OF));
    assert_eq!((a.age, a.medical_on_behalf, a.medical_individual), (70, yuan(350), Money::ZERO));
    assert_eq!((b.age, b.medical_on_behalf, b.medical_individual), (69, yuan(175), yuan(175)));
}

#[test]
fn the_as_of_date_moves_the_age() {
    let r = rules();
    let p = person("1952-11-15");
    assert_eq!(compute(&r, &p, d("2022-11-14")).medical_on_behalf, yuan(175));
    assert_eq!(compute(&r, &p, d("2022-11-15")).medical_on_behalf, yuan(350));
}

#[test]
fn every_tier_has_its_subsidy() {
    let r = rules();
    let expected = [
        (100, 30),
        (300, 30),
        (500, 60),
        (600, 60),
        (800, 80),
        (1000, 80),
        (1500, 80),
        (2000, 80),
        (2500, 80),
        (3000, 80),
        (4000, 80),
        (5000, 80),
    ];
    assert_eq!(r.tiers.len(), 12);
    for (tier, subsidy) in expected {
        let mut p = person("1980-01-01");
        p.groups = Groups::EMPTY.with(Group::Youfu); // so that 100 is open
        p.pension_tier = Some(yuan(tier));
        r.check(&p, d(AS_OF)).unwrap();
        let c = compute(&r, &p, d(AS_OF));
        assert_eq!((c.pension_individual, c.pension_subsidy), (yuan(tier), yuan(subsidy)), "tier {tier}");
        assert!(c.notes_text(&r).contains(&format!("档次{tier}元补贴{subsidy}元")), "{}", c.notes_text(&r));
    }
}

#[test]
fn a_tier_outside_the_twelve_is_an_error() {
    let r = rules();
    let mut p = person("1980-01-01");
    for bad in [200, 700, 6000] {
        p.pension_tier = Some(yuan(bad));
        let e = r.check(&p, d(AS_OF)).unwrap_err();
        assert_eq!(e.column, "pension_tier");
        assert_eq!(e.value, bad.to_string());
    }
    p.pension_tier = Some(Money::from_fen(30_050));
    assert!(r.check(&p, d(AS_OF)).is_err());
}

#[test]
fn tier_100_only_for_the_hardship_groups() {
    let r = rules();
    let mut p = person("1980-01-01");
    p.pension_tier = Some(yuan(100));
    let e = r.check(&p, d(AS_OF)).unwrap_err();
    assert_eq!(e.column, "pension_tier");
    assert!(e.message.contains("困难群体"), "{}", e.message);
    for g in [Group::Disabled, Group::Wubao, Group::Dibao, Group::Youfu, Group::PovertyRelief] {
        p.groups = Groups::EMPTY.with(g);
        assert!(r.check(&p, d(AS_OF)).is_ok(), "{g:?}");
    }
    // 特困 pays medical on behalf but is not one of the five pension hardship groups.
    for g in [Group::Tekun, Group::RelapsedPoverty, Group::DibaoMarginal, Group::Monitored] {
        p.groups = Groups::EMPTY.with(g);
        assert!(r.check(&p, d(AS_OF)).is_err(), "{g:?}");
    }
    // Reading: a disability grade implies 残疾.
    p.groups = Groups::EMPTY;
    p.disability_grade = Some(4);
    assert!(r.check(&p, d(AS_OF)).is_ok());
}

#[test]
fn default_tier_is_the_lowest_open_and_is_noted() {
    let r = rules();
    let mut p = person("1980-01-01");
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!(c.pension_tier, Some(yuan(300)));
    assert!(c.notes_text(&r).contains("未选档次按300元补贴30元"), "{}", c.notes_text(&r));
    p.disability_grade = Some(3);
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!((c.pension_tier, c.pension_subsidy), (Some(yuan(100)), yuan(30)));
}

#[test]
fn severe_disability_is_paid_on_behalf_at_100() {
    let r = rules();
    for grade in [1, 2] {
        let mut p = person("1980-01-01");
        p.disability_grade = Some(grade);
        let c = compute(&r, &p, d(AS_OF));
        assert_eq!(c.pension_status, PensionStatus::PaidOnBehalf, "grade {grade}");
        assert_eq!(
            (c.pension_tier, c.pension_on_behalf, c.pension_subsidy, c.pension_individual),
            (Some(yuan(100)), yuan(100), yuan(30), Money::ZERO)
        );
        // Disability alone does not pay the medical share.
        assert_eq!(c.medical_individual, yuan(350));
        assert_eq!(c.total_due, yuan(350));
    }
    let mut p = person("1980-01-01");
    p.disability_grade = Some(3);
    p.pension_tier = Some(yuan(500));
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!((c.pension_status, c.pension_individual), (PensionStatus::Due, yuan(500)));
    // A chosen tier does not override the on-behalf standard, and says so.
    p.disability_grade = Some(1);
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!((c.pension_status, c.pension_individual, c.pension_tier), (PensionStatus::PaidOnBehalf, Money::ZERO, Some(yuan(100))));
    assert!(c.notes_text(&r).contains("所选档次不适用"));
}

#[test]
fn pension_status_takes_the_first_that_applies() {
    let r = rules();
    // Everything at once, aged 15: under_16.
    let mut p = person("2007-06-01");
    p.student = true;
    p.receiving_pension = true;
    p.disability_grade = Some(1);
    assert_eq!(compute(&r, &p, d(AS_OF)).pension_status, PensionStatus::Under16);
    // Aged 20: student before receiving and on behalf.
    let mut p = person("2002-06-01");
    p.student = true;
    p.receiving_pension = true;
    p.disability_grade = Some(1);
    assert_eq!(compute(&r, &p, d(AS_OF)).pension_status, PensionStatus::Student);
    p.student = false;
    assert_eq!(compute(&r, &p, d(AS_OF)).pension_status, PensionStatus::ReceivingPension);
    p.receiving_pension = false;
    assert_eq!(compute(&r, &p, d(AS_OF)).pension_status, PensionStatus::PaidOnBehalf);
    p.disability_grade = None;
    assert_eq!(compute(&r, &p, d(AS_OF)).pension_status, PensionStatus::Due);
}

#[test]
fn exclusions_in_order_deceased_not_resident_employee() {
    let r = rules();
    let mut p = person("1960-01-01");
    p.hukou_in_district = false;
    p.employee_insurance = true;
    p.deceased_on = Some(d("2022-10-01"));
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!(c.status, Status::Excluded(Exclusion::Deceased));
    assert_eq!(c.status.as_str(), "excluded:deceased");
    assert_eq!(c.pension_status, PensionStatus::NotCovered);
    assert_eq!(
        (c.medical_individual, c.medical_on_behalf, c.medical_fiscal, c.total_due),
        (Money::ZERO, Money::ZERO, Money::ZERO, Money::ZERO)
    );
    // Died the day after the reference date: still on the roster.
    p.deceased_on = Some(d("2022-10-02"));
    assert_eq!(compute(&r, &p, d(AS_OF)).status.as_str(), "excluded:not_resident");
    p.residence_permit = true;
    assert_eq!(compute(&r, &p, d(AS_OF)).status.as_str(), "excluded:employee_insurance");
    p.employee_insurance = false;
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!(c.status, Status::Included);
    assert!(c.notes_text(&r).contains("居住证参保"));
}

#[test]
fn sponsorship_reduces_what_is_owed_up_to_the_share() {
    let r = rules();
    let mut p = person("1980-01-01");
    p.sponsored = Some(yuan(100));
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!((c.medical_sponsored, c.medical_individual), (yuan(100), yuan(250)));
    // 60–69: half on behalf, sponsorship covers at most the other half.
    let mut p = person("1958-01-01");
    p.sponsored = Some(yuan(350));
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!((c.medical_on_behalf, c.medical_sponsored, c.medical_individual), (yuan(175), yuan(175), Money::ZERO));
    assert!(c.notes_text(&r).contains("资助以应缴为限"));
    // Fully on behalf: nothing left to sponsor.
    p.groups = Groups::EMPTY.with(Group::Tekun);
    let c = compute(&r, &p, d(AS_OF));
    assert_eq!((c.medical_sponsored, c.medical_individual), (Money::ZERO, Money::ZERO));
}

#[test]
fn each_medical_group_is_paid_on_behalf() {
    let r = rules();
    for g in [Group::Tekun, Group::Dibao, Group::RelapsedPoverty, Group::DibaoMarginal, Group::Monitored] {
        let mut p = person("1990-01-01");
        p.groups = Groups::EMPTY.with(g);
        assert_eq!(compute(&r, &p, d(AS_OF)).medical_individual, Money::ZERO, "{g:?}");
    }
    for g in [Group::Disabled, Group::Wubao, Group::Youfu, Group::PovertyRelief] {
        let mut p = person("1990-01-01");
        p.groups = Groups::EMPTY.with(g);
        assert_eq!(compute(&r, &p, d(AS_OF)).medical_individual, yuan(350), "{g:?}");
    }
}

#[test]
fn waiting_period_three_months_after_the_month_of_payment() {
    let r = rules();
    assert_eq!(waiting_period(&r, d("2022-10-01")), None);
    assert_eq!(waiting_period(&r, d("2022-12-31")), None);
    let w = waiting_period(&r, d("2023-01-01")).unwrap();
    assert_eq!((w.first_waiting_month, w.last_waiting_month, w.benefits_from), (d("2023-02-01"), d("2023-04-01"), d("2023-05-01")));
    // The spec's example: paid in March → waiting April, May, June → from 1 July.
    let w = waiting_period(&r, d("2023-03-31")).unwrap();
    assert_eq!((w.first_waiting_month, w.last_waiting_month, w.benefits_from), (d("2023-04-01"), d("2023-06-01"), d("2023-07-01")));
    let w = waiting_period(&r, d("2023-11-15")).unwrap();
    assert_eq!(w.benefits_from, d("2024-03-01"));
    let s = insurance::explain_waiting(&r, d("2023-03-10")).text();
    assert!(s.contains("2023-07-01") && s.contains("五（二）"), "{s}");
}

#[test]
fn explanation_cites_and_reasons() {
    let r = rules();
    let mut p = person("1958-12-20");
    p.pension_tier = Some(yuan(500));
    let t = explain(&r, &p, d(AS_OF)).text();
    assert!(t.contains("【山政办发〔2022〕4号 五（一）】60-69岁医疗个人缴费政府承担50%"), "{t}");
    assert!(t.contains("结果：675元"), "{t}");
    assert!(t.contains("不适用：未满70岁"), "{t}");
    let mut p = person("1960-01-01");
    p.employee_insurance = true;
    let t = explain(&r, &p, d(AS_OF)).text();
    assert!(t.contains("excluded:employee_insurance") && t.contains("采用解读"), "{t}");
}

#[test]
fn rows_parse_and_name_the_bad_column() {
    let ok = [
        "370406195812200015",
        "李四",
        "山城街道",
        "东关社区",
        "是",
        "",
        "0",
        "false",
        "TRUE",
        "低保|残疾",
        "2",
        "500",
        "12.5",
        "2022-09-30",
    ];
    // Fix the check digit of the sample ID.
    let body = &ok[0][..17];
    let idn = format!("{body}{}", ResidentId::check_char(body).unwrap());
    let mut f: Vec<&str> = ok.to_vec();
    f[0] = &idn;
    let p = parse_row_str(&f).unwrap();
    assert!(p.hukou_in_district && !p.residence_permit && p.receiving_pension && !p.student);
    assert!(p.groups.contains(Group::Dibao) && p.groups.contains(Group::Disabled));
    assert_eq!((p.disability_grade, p.pension_tier, p.sponsored), (Some(2), Some(yuan(500)), Some(Money::from_fen(1250))));
    assert_eq!(p.deceased_on, Some(d("2022-09-30")));
    let cases: [(usize, &str, &str); 8] = [
        (0, "370406195812200010", "id_number"),
        (4, "yes", "hukou_in_district"),
        (9, "低保|贫困户", "groups"),
        (10, "5", "disability_grade"),
        (11, "abc", "pension_tier"),
        (12, "-5", "sponsored_yuan"),
        (13, "2022-02-30", "deceased_on"),
        (1, "", "name"),
    ];
    for (i, v, col) in cases {
        let mut g = f.clone();
        g[i] = v;
        let e = parse_row_str(&g).unwrap_err();
        assert_eq!((e.column, e.value.as_str()), (col, v), "{e}");
    }
    assert_eq!(parse_row_str(&f[..13]).unwrap_err().column, "");
}

#[test]
fn next_years_figures_are_missing_not_guessed() {
    let e = Rules::load(&ParamSet::embedded().unwrap(), 2024).unwrap_err();
    assert!(e.to_string().contains("insurance.") && e.to_string().contains("2024-01-01"), "{e}");
}

#[test]
fn targets_bands_share_45_in_the_upper() {
    let t = rules().targets;
    assert_eq!(t.band(44), Some(false));
    assert_eq!(t.band(45), Some(true));
    assert_eq!(t.band(59), Some(true));
    assert_eq!(t.band(60), None);
    assert_eq!(t.band(16), Some(false));
    assert_eq!(t.band(15), None);
    assert!(t.pension_upper.reached_by(95, 100) && !t.pension_upper.reached_by(94, 100));
    assert!(t.pension_lower.reached_by(60, 100) && !t.pension_lower.reached_by(59, 100));
}

fn any_groups() -> impl Strategy<Value = Groups> {
    (0u16..512).prop_map(|bits| Group::ALL.into_iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, g)| g).collect())
}

proptest! {
    #[test]
    fn medical_columns_add_up_to_the_total(
        days in 0i32..(100 * 365),
        groups in any_groups(),
        grade in proptest::option::of(1u8..=4),
        sponsored in proptest::option::of(0i64..100_000),
        flags in 0u8..32,
        tier in proptest::option::of(0usize..12),
    ) {
        let r = rules();
        let birth = d("1922-10-02").checked_add(jiff::Span::new().days(days)).unwrap();
        let mut p = person(&birth.to_string());
        p.groups = groups;
        p.disability_grade = grade;
        p.sponsored = sponsored.map(Money::from_fen);
        p.hukou_in_district = flags & 1 != 0;
        p.residence_permit = flags & 2 != 0;
        p.employee_insurance = flags & 4 != 0;
        p.student = flags & 8 != 0;
        p.receiving_pension = flags & 16 != 0;
        p.pension_tier = tier.map(|i| r.tiers[i]);
        let c = compute(&r, &p, d(AS_OF));
        let sum = c.medical_individual.fen() + c.medical_on_behalf.fen() + c.medical_sponsored.fen() + c.medical_fiscal.fen();
        if c.is_included() {
            prop_assert_eq!(sum, 96_000);
            prop_assert!(c.medical_individual.fen() >= 0 && c.medical_sponsored.fen() >= 0);
        } else {
            prop_assert_eq!(sum, 0);
            prop_assert_eq!(c.pension_status, PensionStatus::NotCovered);
        }
        prop_assert_eq!(c.total_due, c.medical_individual.saturating_add(c.pension_individual));
    }
}

#[test]
fn next_years_figures_are_a_new_data_file() {
    // A 2024 file: same names, periods starting 2024-01-01, new medical figures.
    let y2023 = include_str!("../../../policy/insurance/2023.toml");
    let y2024 = y2023
        .replace("from = 2022-10-01", "from = 2024-01-01")
        .replace("to = 2023-12-31", "to = 2024-12-31")
        .replace("value = 960", "value = 1020")
        .replace("value = 350", "value = 380")
        .replace("value = 610", "value = 640");
    let params = ParamSet::with_overrides(vec![("insurance/2024.toml".into(), y2024)]).unwrap();
    let r23 = Rules::load(&params, 2023).unwrap();
    let r24 = Rules::load(&params, 2024).unwrap();
    assert_eq!(r23.medical_individual, yuan(350));
    assert_eq!((r24.medical_total, r24.medical_individual, r24.medical_fiscal), (yuan(1020), yuan(380), yuan(640)));
    assert_eq!(r24.medical_half_amount, yuan(190));
    let p = person("1958-12-20");
    assert_eq!(compute(&r24, &p, d("2023-10-01")).medical_individual, yuan(190));
}
