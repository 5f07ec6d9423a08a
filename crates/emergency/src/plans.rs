//! Plan management (6.2): the filing deadline in working days.

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
    /// Whether a plan issued on `issued_on` and not yet filed is overdue on `today`.
    pub fn filing_overdue(&self, calendar: &WorkCalendar, issued_on: Date, filed_on: Option<Date>, today: Date) -> Result<bool, PlanError> {
        let deadline = plan_filing_deadline(self, calendar, issued_on)?;
        Ok(match filed_on {
            Some(f) => f > deadline,
            None => today > deadline,
        })
    }
}
