//! 电商扶持 (山政发〔2022〕10号): applications waiting for review or payment,
//! the funds still to pay, and an enterprise's own applications.

use access::{Action, Actor, Duty, Scope};
use ecommerce::workflow::{Status, Step};
use kernel::Money;

use super::{Todo, holders, holds};
use crate::{App, Error, Result};

pub(super) async fn todos(app: &App, actor: &Actor, overview: bool, out: &mut Vec<Todo>) -> Result<()> {
    let review = overview || holds(app, actor, Action::SubsidyReview, Duty::SubsidyReview).is_some();
    let pay = overview || holds(app, actor, Action::SubsidyPay, Duty::SubsidyPay).is_some();
    if review || pay {
        let states = app.store.workbench_subsidy_states(None).await?;
        let n = |s: Status| states.iter().find(|(code, _)| code == s.as_str()).map(|(_, n)| *n).unwrap_or(0);
        if review {
            let unit = overview.then(|| holders(app, Duty::SubsidyReview));
            for (status, what) in [(Status::Submitted, "待受理的扶持申请"), (Status::UnderReview, "审核中待决定的扶持申请")]
            {
                out.push(Todo {
                    what: what.into(),
                    count: n(status),
                    due: None,
                    clause: Step::Start.transition().clause.into(),
                    link: format!("/subsidy?status={}", status.as_str()),
                    unit: unit.clone(),
                });
            }
        }
        if pay || review {
            // 预算余额: what was granted and is not yet paid out.
            let lines = app.store.subsidy_budget(0).await?;
            let sum = |f: fn(&store::subsidy::BudgetLine) -> i64| {
                lines
                    .iter()
                    .try_fold(Money::ZERO, |a, l| a.checked_add(Money::from_fen(f(l))))
                    .ok_or_else(|| Error::internal("预算合计溢出"))
            };
            let left = sum(|l| l.committed_fen)?.checked_sub(sum(|l| l.paid_fen)?).ok_or_else(|| Error::internal("预算余额溢出"))?;
            out.push(Todo {
                what: format!("已批准待拨付的扶持申请（待拨付资金 {} 元）", yuan(left)),
                count: n(Status::Approved),
                due: None,
                clause: Step::Pay.transition().clause.into(),
                link: "/subsidy?status=approved".into(),
                unit: overview.then(|| holders(app, Duty::SubsidyPay)),
            });
        }
    }
    if let Some(Scope::Enterprise(uscc)) = holds(app, actor, Action::SubsidyDeclare, Duty::SubsidyDeclare) {
        for a in app.store.subsidy_applications(None, None, Some(&uscc)).await? {
            if matches!(a.status, Status::Paid | Status::Rejected) {
                continue;
            }
            let next = match a.status {
                Status::Draft | Status::Returned => "待提交",
                Status::Submitted | Status::UnderReview => "等待审核",
                Status::Approved => "等待拨付",
                Status::Paid | Status::Rejected => "",
            };
            out.push(Todo {
                what: format!("我的申请（{}年度）：{}，{next}", a.year, a.status.label()),
                count: 1,
                due: None,
                clause: Step::Submit.transition().clause.into(),
                link: format!("/subsidy/applications/{}", a.id),
                unit: None,
            });
        }
    }
    Ok(())
}

/// Yuan with thousands separators, as pages show amounts: `1,080,000.00`.
fn yuan(m: Money) -> String {
    let fen = m.fen();
    let whole = (fen / 100).unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}.{:02}", if fen < 0 { "-" } else { "" }, (fen % 100).unsigned_abs())
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_are_grouped() {
        use kernel::Money;
        assert_eq!(super::yuan(Money::from_fen(108_000_000)), "1,080,000.00");
        assert_eq!(super::yuan(Money::from_fen(99_999)), "999.99");
        assert_eq!(super::yuan(Money::from_fen(-100_050)), "-1,000.50");
    }
}
