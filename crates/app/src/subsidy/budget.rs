//! The support funds committed, paid and clawed back (资金使用情况): for the
//! reviewer, 区财政局, the lead office and oversight.

use access::{Action, Actor};
use kernel::Money;
use store::subsidy::BudgetLine;

use crate::{App, Error, Result};

pub struct Budget {
    pub lines: Vec<BudgetLine>,
    pub committed: Money,
    pub paid: Money,
    pub clawed_back: Money,
}

/// The budget of `year` (0 or none: every year), with checked totals.
pub async fn budget(app: &App, actor: &Actor, year: Option<i64>) -> Result<Budget> {
    app.may(actor, Action::SubsidyBudgetRead)?;
    let lines = app.store.subsidy_budget(year.unwrap_or(0)).await?;
    let total = |f: fn(&BudgetLine) -> i64| {
        lines.iter().try_fold(Money::ZERO, |acc, l| acc.checked_add(Money::from_fen(f(l)))).ok_or_else(|| Error::internal("预算合计溢出"))
    };
    Ok(Budget { committed: total(|l| l.committed_fen)?, paid: total(|l| l.paid_fen)?, clawed_back: total(|l| l.clawed_back_fen)?, lines })
}
