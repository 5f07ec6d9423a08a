#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use super::*;
use crate::assess::{Award, CaseByCase};

#[test]
fn every_step_has_one_row_and_every_state_is_reached() {
    for s in Step::ALL {
        assert_eq!(TRANSITIONS.iter().filter(|t| t.step == *s).count(), 1, "{s:?}");
        assert_eq!(s.transition().step, *s);
    }
    for st in Status::ALL {
        assert!(TRANSITIONS.iter().any(|t| t.to == *st), "{st:?} is reached by some step");
    }
}

#[test]
fn the_happy_path_and_the_duties() {
    let submit = next(None, Step::Submit, "").unwrap();
    assert_eq!((submit.to, submit.duty), (Status::Submitted, Duty::Declare));
    let start = next(Some(Status::Submitted), Step::Start, "").unwrap();
    assert_eq!((start.to, start.duty), (Status::UnderReview, Duty::Review));
    let approve = next(Some(Status::UnderReview), Step::Approve, "").unwrap();
    assert_eq!((approve.to, approve.duty), (Status::Approved, Duty::Review));
    let pay = next(Some(Status::Approved), Step::Pay, "").unwrap();
    assert_eq!((pay.to, pay.duty), (Status::Paid, Duty::Pay));
    assert!(pay.clause.contains("区财政局"), "{}", pay.clause);
    assert_eq!(Duty::Pay.key(), "subsidy.pay");
}

#[test]
fn refused_steps_name_the_state_and_the_clause() {
    // Paid twice, approved twice, paid before approval, submitted while under review.
    for (from, step) in [
        (Some(Status::Paid), Step::Pay),
        (Some(Status::Approved), Step::Approve),
        (Some(Status::UnderReview), Step::Pay),
        (Some(Status::Submitted), Step::Approve),
        (Some(Status::UnderReview), Step::Submit),
        (Some(Status::Rejected), Step::Submit),
        (None, Step::Start),
        (Some(Status::Returned), Step::Save),
    ] {
        let e = next(from, step, "理由").unwrap_err();
        assert_eq!(e, WorkflowError::NotFrom { from, step });
        assert!(e.to_string().contains("依据"), "{e}");
    }
    // A returned application may be submitted again.
    assert_eq!(next(Some(Status::Returned), Step::Submit, "").unwrap().to, Status::Submitted);
}

#[test]
fn return_and_reject_need_a_reason() {
    assert_eq!(next(Some(Status::UnderReview), Step::Return, "  ").unwrap_err(), WorkflowError::ReasonRequired(Step::Return));
    assert_eq!(next(Some(Status::UnderReview), Step::Reject, "").unwrap_err(), WorkflowError::ReasonRequired(Step::Reject));
    assert_eq!(next(Some(Status::UnderReview), Step::Reject, "数据不实").unwrap().to, Status::Rejected);
}

#[test]
fn states_are_codes_with_labels_and_unknown_codes_are_errors() {
    assert_eq!("under_review".parse::<Status>().unwrap(), Status::UnderReview);
    assert_eq!(Status::Paid.to_string(), "已拨付");
    assert!("unknown".parse::<Status>().is_err());
    assert!(Status::Returned.editable() && Status::Draft.editable() && !Status::Submitted.editable());
    assert!(Status::Paid.awarded() && !Status::Rejected.awarded());
}

fn assessment() -> Assessment {
    let award = |article, fen| Award {
        article,
        tier: 1,
        amount_fen: Money::from_fen(fen),
        one_time: false,
        citation: String::new(),
        explanation: String::new(),
    };
    Assessment {
        uscc: "91370406MA3C7K1020".into(),
        year: 2023,
        awards: vec![award(3, 36_000_000), award(4, 4_000_000)],
        case_by_case: vec![CaseByCase {
            article: 11,
            tier: None,
            item: "大型物流枢纽".into(),
            reason: String::new(),
            citation: String::new(),
        }],
        one_enterprise_one_policy: false,
        not_eligible: Vec::new(),
        total_fen: Money::from_fen(40_000_000),
        missing: None,
        explanation: Default::default(),
    }
}

#[test]
fn granted_amounts_stay_within_the_assessment() {
    let a = assessment();
    let ok = decide_awards(&a, &[]).unwrap();
    assert_eq!(ok.iter().map(|d| d.granted.fen()).collect::<Vec<_>>(), [36_000_000, 4_000_000]);
    let req = |article, fen: i64, reason: &str| GrantRequest { article, granted: Some(Money::from_fen(fen)), reason: reason.into() };
    // The assessed amount exactly: no reason needed; one fen above: refused.
    assert!(decide_awards(&a, &[req(3, 36_000_000, "")]).is_ok());
    assert_eq!(
        decide_awards(&a, &[req(3, 36_000_001, "多给")]).unwrap_err(),
        WorkflowError::AboveAssessed { article: 3, assessed: Money::from_fen(36_000_000) }
    );
    // Less needs a reason.
    assert_eq!(decide_awards(&a, &[req(3, 30_000_000, " ")]).unwrap_err(), WorkflowError::ReasonForChange { article: 3 });
    let d = decide_awards(&a, &[req(3, 30_000_000, "部分税收不属于电商")]).unwrap();
    assert_eq!((d[0].assessed.fen(), d[0].granted.fen()), (36_000_000, 30_000_000));
    assert_eq!(decide_awards(&a, &[req(4, -1, "x")]).unwrap_err(), WorkflowError::Negative { article: 4 });
    // Nothing for a 一事一议 item or an article not assessed.
    assert_eq!(decide_awards(&a, &[req(11, 100, "x")]).unwrap_err(), WorkflowError::CaseByCase { article: 11 });
    assert_eq!(decide_awards(&a, &[req(9, 100, "x")]).unwrap_err(), WorkflowError::NotAssessed { article: 9 });
}

#[test]
fn clawback_only_article_nine_only_what_was_paid() {
    let m = Money::from_fen;
    assert_eq!(clawback(9, m(1000), m(0), m(1000), "弄虚作假").unwrap(), m(1000));
    assert_eq!(clawback(9, m(1000), m(400), m(600), "弄虚作假").unwrap(), m(1000));
    assert_eq!(clawback(9, m(1000), m(400), m(601), "弄虚作假").unwrap_err(), WorkflowError::ClawbackAmount { left: m(600) });
    assert_eq!(clawback(9, m(0), m(0), m(1), "弄虚作假").unwrap_err(), WorkflowError::ClawbackAmount { left: m(0) });
    assert_eq!(clawback(9, m(1000), m(0), m(0), "弄虚作假").unwrap_err(), WorkflowError::ClawbackAmount { left: m(1000) });
    assert_eq!(clawback(3, m(1000), m(0), m(1), "弄虚作假").unwrap_err(), WorkflowError::ClawbackArticle);
    assert_eq!(clawback(9, m(1000), m(0), m(1), " ").unwrap_err(), WorkflowError::ClawbackReason);
    assert_eq!(clawback(9, m(i64::MAX), m(-1), m(1), "x").unwrap_err(), WorkflowError::Overflow);
}
