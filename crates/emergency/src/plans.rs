//! Plan management (6.2): the filing deadline in working days; the yearly
//! evaluation's quarter (4.6.3(2)).

use kernel::{CalendarError, Date, WorkCalendar};

use crate::rules::Rules;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("无法计算备案期限: {0}")]
    Calendar(#[from] CalendarError),
}

/// The last day to file a plan issued on `issued_on`: the 20th working day
/// after it (6.2 “印发后的20个工作日内”; 内 includes the day itself).
pub fn plan_filing_deadline(rules: &Rules, calendar: &WorkCalendar, issued_on: Date) -> Result<Date, PlanError> {
    Ok(calendar.add_workdays(issued_on, rules.filing_workdays.value)?)
}

impl Rules {
    /// 4.6.3(2): whether `today` falls in the quarter in which last year's
    /// incidents are evaluated.
    pub fn evaluation_due(&self, today: Date) -> bool {
        (i64::from(today.month()) - 1) / 3 + 1 == self.evaluation_quarter.value
    }

    /// Whether a plan issued on `issued_on` and not yet filed is overdue on `today`.
    pub fn filing_overdue(&self, calendar: &WorkCalendar, issued_on: Date, filed_on: Option<Date>, today: Date) -> Result<bool, PlanError> {
        let deadline = plan_filing_deadline(self, calendar, issued_on)?;
        Ok(match filed_on {
            Some(f) => f > deadline,
            None => today > deadline,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is the failure report
mod tests {
    use super::*;

    #[test]
    fn the_evaluation_falls_in_the_first_quarter() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let r = Rules::load(&kernel::ParamSet::embedded().unwrap(), d("2023-05-01")).unwrap();
        assert!(r.evaluation_due(d("2024-01-01")) && r.evaluation_due(d("2024-03-31")));
        assert!(!r.evaluation_due(d("2024-04-01")) && !r.evaluation_due(d("2024-12-31")));
    }
}
