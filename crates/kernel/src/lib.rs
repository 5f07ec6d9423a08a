//! The rules kernel: the small vocabulary every domain crate speaks.
//!
//! Architecture invariant: nothing here touches the outside world. Parameter
//! files are either embedded at compile time or handed in as text by an
//! adapter; the clock is always an argument.

pub mod calendar;
pub mod explain;
pub mod ident;
pub mod input;
pub mod labelled;
pub mod money;
pub mod params;
pub mod ratio;
pub mod text;

pub use calendar::{CalendarError, WorkCalendar};
pub use explain::{Explanation, Fact, Outcome, Step};
pub use ident::{CreditCode, CreditCodeError, IdError, ResidentId};
pub use input::InputError;
pub use money::{Money, MoneyError};
pub use params::{Param, ParamError, ParamSet};
pub use ratio::Ratio;
pub use text::{clip, echo};

/// A calendar date in China Standard Time (the only time zone the documents know).
pub type Date = jiff::civil::Date;

/// Parse `YYYY-MM-DD` strictly, naming what was wrong.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let t = s.trim();
    if t.len() != 10 || t.as_bytes()[4] != b'-' || t.as_bytes()[7] != b'-' {
        return Err(format!("日期格式应为 YYYY-MM-DD，得到 {:?}", echo(s)));
    }
    t.parse::<Date>().map_err(|e| format!("日期无效 {:?}: {e}", echo(s)))
}
