//! A cell's value as the text its CSV field gets.

use calamine::DataRef;
use jiff::civil::Date;

/// An Excel serial day number (1900 date system: day 0 is 1899-12-30, so
/// that 1900-03-01 onwards is right despite Excel's 1900-02-29) as a date.
/// The time of day is dropped; serials before day 1 or after 9999-12-31 are
/// not dates.
pub fn excel_date(serial: f64) -> Option<Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = Date::new(1899, 12, 30).ok()?;
    base.checked_add(jiff::Span::new().days(serial.floor() as i64)).ok()
}

/// The text of a cell: strings with CR and LF as spaces (so that a CSV line
/// is a sheet row), integral numbers below 10^15 without ".0", dates as
/// `YYYY-MM-DD`, ISO date-times cut to the date, booleans `true`/`false`,
/// errors as Excel shows them (`#DIV/0!`).
pub(crate) fn cell_text(v: &DataRef<'_>, out: &mut String) {
    use std::fmt::Write as _;
    out.clear();
    match v {
        DataRef::Empty => {}
        DataRef::String(s) => push_line(out, s),
        DataRef::SharedString(s) => push_line(out, s),
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
        }
        DataRef::Float(f) => push_number(out, *f),
        DataRef::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        DataRef::DateTime(dt) => match excel_date(dt.as_f64()) {
            Some(d) => {
                let _ = write!(out, "{d}");
            }
            None => push_number(out, dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => out.extend(s.chars().take(10)),
        DataRef::DurationIso(s) => push_line(out, s),
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
}

fn push_line(out: &mut String, s: &str) {
    out.extend(s.chars().map(|c| if c == '\r' || c == '\n' { ' ' } else { c }));
}

fn push_number(out: &mut String, f: f64) {
    use std::fmt::Write as _;
    if f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
    } else {
        let _ = write!(out, "{f}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn text(v: DataRef<'_>) -> String {
        let mut s = String::from("leftover");
        cell_text(&v, &mut s);
        s
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_date(44835.0), Some(Date::new(2022, 10, 1).unwrap()));
        assert_eq!(excel_date(44835.75), Some(Date::new(2022, 10, 1).unwrap()));
        assert_eq!(excel_date(1.0), Some(Date::new(1899, 12, 31).unwrap()));
        assert_eq!(excel_date(2_958_465.0), Some(Date::new(9999, 12, 31).unwrap()));
        // Both sides of the range.
        assert_eq!(excel_date(0.99), None);
        assert_eq!(excel_date(2_958_466.0), None);
        assert_eq!(excel_date(f64::NAN), None);
        assert_eq!(excel_date(-5.0), None);
    }

    #[test]
    fn cell_texts() {
        assert_eq!(text(DataRef::Empty), "");
        assert_eq!(text(DataRef::String("刘\r\n丙\n".into())), "刘  丙 ");
        assert_eq!(text(DataRef::SharedString("a,b")), "a,b");
        assert_eq!(text(DataRef::Int(-3)), "-3");
        assert_eq!(text(DataRef::Float(500.0)), "500");
        assert_eq!(text(DataRef::Float(75.5)), "75.5");
        assert_eq!(text(DataRef::Float(370406195812200013.0)), "370406195812200000");
        assert_eq!(text(DataRef::Float(999_999_999_999_999.0)), "999999999999999");
        assert_eq!(text(DataRef::Float(-0.0)), "0");
        assert_eq!(text(DataRef::Bool(true)), "true");
        assert_eq!(text(DataRef::Bool(false)), "false");
        assert_eq!(text(DataRef::DateTimeIso("2022-10-01T08:00:00".into())), "2022-10-01");
        assert_eq!(text(DataRef::DurationIso("PT1H".into())), "PT1H");
        assert_eq!(text(DataRef::Error(calamine::CellErrorType::Div0)), "#DIV/0!");
    }
}
