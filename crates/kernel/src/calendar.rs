//! Working days (工作日) by the State Council's holiday notices, including
//! the adjusted working weekends (调休). The calendar is data
//! (`policy/calendar/workdays.toml`); a date outside the covered years is an
//! error, never a guess.

use std::collections::HashMap;

use jiff::civil::Weekday;
use serde::Deserialize;

use crate::Date;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("日期 {date} 不在工作日历覆盖范围内（{first} 至 {last}），无法判断是否为工作日")]
    OutOfRange { date: Date, first: Date, last: Date },
    #[error("工作日历数据无效: {0}")]
    BadData(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    Holiday,
    Workday,
}

/// The working-day calendar.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    first: Date,
    last: Date,
    special: HashMap<Date, (Special, u16)>,
    notices: Vec<(i16, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i16,
    notice: String,
    holidays: Vec<String>,
    workdays: Vec<String>,
}

#[derive(Deserialize)]
struct RawCalendar {
    first: toml::value::Datetime,
    last: toml::value::Datetime,
    year: Vec<RawYear>,
}

fn d(s: &str) -> Result<Date, CalendarError> {
    crate::parse_date(s).map_err(CalendarError::BadData)
}

impl WorkCalendar {
    /// The calendar file's path inside `policy/`.
    pub const FILE: &'static str = "calendar/workdays.toml";

    pub fn from_params(p: &crate::ParamSet) -> Result<WorkCalendar, CalendarError> {
        let text = p.file(Self::FILE).ok_or_else(|| CalendarError::BadData(format!("缺少 {}", Self::FILE)))?;
        Self::parse(text)
    }

    pub fn embedded() -> Result<WorkCalendar, CalendarError> {
        let files = crate::ParamSet::embedded_files();
        let text = files
            .iter()
            .find(|(p, _)| p == Self::FILE)
            .map(|(_, t)| t.as_str())
            .ok_or_else(|| CalendarError::BadData(format!("缺少 {}", Self::FILE)))?;
        Self::parse(text)
    }

    pub fn parse(text: &str) -> Result<WorkCalendar, CalendarError> {
        let raw: RawCalendar = toml::from_str(text).map_err(|e| CalendarError::BadData(e.to_string()))?;
        let first = d(&raw.first.to_string())?;
        let last = d(&raw.last.to_string())?;
        let mut special = HashMap::new();
        let mut notices = Vec::new();
        for (idx, y) in raw.year.iter().enumerate() {
            notices.push((y.year, y.notice.clone()));
            for h in &y.holidays {
                let (a, b) = match h.split_once('/') {
                    Some((a, b)) => (d(a)?, d(b)?),
                    None => (d(h)?, d(h)?),
                };
                let mut x = a;
                while x <= b {
                    special.insert(x, (Special::Holiday, idx as u16));
                    x = x.tomorrow().map_err(|e| CalendarError::BadData(e.to_string()))?;
                }
            }
            for w in &y.workdays {
                let x = d(w)?;
                if !matches!(x.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    return Err(CalendarError::BadData(format!("调休上班日 {x} 不是周末")));
                }
                special.insert(x, (Special::Workday, idx as u16));
            }
        }
        Ok(WorkCalendar { first, last, special, notices })
    }

    fn check(&self, date: Date) -> Result<(), CalendarError> {
        if date < self.first || date > self.last {
            return Err(CalendarError::OutOfRange { date, first: self.first, last: self.last });
        }
        Ok(())
    }

    pub fn is_workday(&self, date: Date) -> Result<bool, CalendarError> {
        self.check(date)?;
        Ok(match self.special.get(&date) {
            Some((Special::Holiday, _)) => false,
            Some((Special::Workday, _)) => true,
            None => !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday),
        })
    }

    /// The notice that makes `date` a holiday or an adjusted working day, if any.
    pub fn why(&self, date: Date) -> Option<&str> {
        self.special.get(&date).map(|(_, i)| self.notices[*i as usize].1.as_str())
    }

    /// The date `n` working days after `date` (counting starts the next day).
    /// `n = 0` gives `date` itself. Negative `n` counts backwards.
    pub fn add_workdays(&self, date: Date, n: i64) -> Result<Date, CalendarError> {
        self.check(date)?;
        let mut x = date;
        let mut left = n.abs();
        while left > 0 {
            x = if n > 0 { x.tomorrow() } else { x.yesterday() }.map_err(|_| CalendarError::OutOfRange {
                date: x,
                first: self.first,
                last: self.last,
            })?;
            if self.is_workday(x)? {
                left -= 1;
            }
        }
        Ok(x)
    }

    /// Working days strictly after `a` up to and including `b`.
    pub fn workdays_between(&self, a: Date, b: Date) -> Result<i64, CalendarError> {
        self.check(a)?;
        self.check(b)?;
        let mut n = 0;
        let mut x = a;
        while x < b {
            x = x.tomorrow().map_err(|e| CalendarError::BadData(e.to_string()))?;
            if self.is_workday(x)? {
                n += 1;
            }
        }
        Ok(n)
    }

    pub fn covered(&self) -> (Date, Date) {
        (self.first, self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> WorkCalendar {
        WorkCalendar::embedded().unwrap()
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn issue_example() {
        assert_eq!(cal().add_workdays(day("2023-09-28"), 20).unwrap(), day("2023-11-01"));
    }

    #[test]
    fn adjusted_weekends_and_holidays() {
        let c = cal();
        assert!(c.is_workday(day("2023-10-07")).unwrap(), "adjusted Saturday");
        assert!(!c.is_workday(day("2023-10-02")).unwrap(), "National Day");
        assert!(!c.is_workday(day("2022-12-31")).unwrap());
        assert!(c.is_workday(day("2026-02-28")).unwrap());
        assert!(!c.is_workday(day("2026-02-23")).unwrap(), "Monday in the 2026 Spring Festival");
        assert_eq!(c.add_workdays(day("2023-10-06"), 1).unwrap(), day("2023-10-07"));
        assert_eq!(c.add_workdays(day("2024-02-09"), 1).unwrap(), day("2024-02-18"));
        assert_eq!(c.add_workdays(day("2023-11-01"), -20).unwrap(), day("2023-09-28"));
        assert!(c.why(day("2023-10-07")).unwrap().contains("2023年"));
    }

    #[test]
    fn out_of_range_is_an_error() {
        let c = cal();
        assert!(matches!(c.is_workday(day("2021-12-31")), Err(CalendarError::OutOfRange { .. })));
        assert!(matches!(c.is_workday(day("2027-01-01")), Err(CalendarError::OutOfRange { .. })));
        assert!(c.add_workdays(day("2026-12-30"), 5).is_err());
    }

    /// Every day of 2022–2026 agrees with the chinese_holiday crate's copy of the notices.
    #[test]
    fn agrees_with_chinese_holiday_crate() {
        let c = cal();
        let mut x = day("2022-01-01");
        let last = day("2026-12-25"); // the crate's own last supported day
        while x <= last {
            let theirs =
                chinese_holiday::chinese_holiday(chinese_holiday::Ymd::new(x.year() as u16, x.month() as u8, x.day() as u8)).is_workday();
            assert_eq!(c.is_workday(x).unwrap(), theirs, "{x}");
            x = x.tomorrow().unwrap();
        }
    }
}
