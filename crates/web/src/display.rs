//! The display layer: how every page shows times, dates, money and counts to
//! people. Machine forms (RFC 3339 timestamps, fen, codes) stay in data and
//! the API; templates show them through these functions, as askama filters
//! (`{{ t|time }}`, `{{ fen|yuan }}`) or called from handlers.
//!
//! One home, so that no page shows `2026-12-02T13:27:26.890+08:00` or
//! `1080000.00` (the crawl test in `tests/display.rs` checks every page).

use kernel::Money;

/// `2026-12-02T13:27:26.890+08:00` → `2026-12-02 13:27`. Text that is not a
/// timestamp is shown as it is (a date stays a date).
pub fn time(ts: &str) -> String {
    let b = ts.as_bytes();
    let looks = b.len() >= 16 && b[4] == b'-' && b[7] == b'-' && (b[10] == b'T' || b[10] == b' ') && b[13] == b':';
    if looks { format!("{} {}", &ts[..10], &ts[11..16]) } else { ts.to_string() }
}

/// `2026-12-02` (or a timestamp) → `2026年12月2日`, for prose.
pub fn date_cn(d: &str) -> String {
    let day = d.get(..10).unwrap_or(d);
    match kernel::parse_date(day) {
        Ok(x) => format!("{}年{}月{}日", x.year(), x.month(), x.day()),
        Err(_) => d.to_string(),
    }
}

/// An integer with thousands separators: `1080000` → `1,080,000`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Fen as yuan with thousands separators and two decimals: `108000000` →
/// `1,080,000.00`.
pub fn yuan(fen: i64) -> String {
    let m = Money::from_fen(fen);
    let whole = m.fen() / 100;
    let cents = (m.fen() % 100).unsigned_abs();
    let sign = if fen < 0 && whole == 0 { "-" } else { "" };
    format!("{sign}{}.{cents:02}", grouped(whole))
}

/// What the filters accept as money: fen as `i64` or a [`Money`].
pub trait Fen {
    fn fen(&self) -> i64;
}

impl Fen for i64 {
    fn fen(&self) -> i64 {
        *self
    }
}

impl Fen for Money {
    fn fen(&self) -> i64 {
        Money::fen(*self)
    }
}

impl<T: Fen> Fen for &T {
    fn fen(&self) -> i64 {
        (**self).fen()
    }
}

/// Askama filters: bring them into a template's module with
/// `use crate::display::filters;`.
pub mod filters {
    use super::Fen;

    /// `{{ ts|time }}`: `2026-12-02 13:27`.
    pub fn time<T: AsRef<str>>(ts: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::time(ts.as_ref()))
    }

    /// `{{ d|date_cn }}`: `2026年12月2日`.
    pub fn date_cn<T: AsRef<str>>(d: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::date_cn(d.as_ref()))
    }

    /// `{{ fen|yuan }}`: `1,080,000.00`.
    pub fn yuan<T: Fen>(fen: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::yuan(fen.fen()))
    }

    /// `{{ n|grouped }}`: `1,080,000`.
    pub fn grouped<T: Into<i64> + Copy>(n: &T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::grouped((*n).into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_dates_and_amounts_as_people_read_them() {
        assert_eq!(time("2026-12-02T13:27:26.890+08:00"), "2026-12-02 13:27");
        assert_eq!(time("2026-12-02"), "2026-12-02");
        assert_eq!(time(""), "");
        assert_eq!(date_cn("2026-12-02"), "2026年12月2日");
        assert_eq!(date_cn("2026-12-02T13:27:26+08:00"), "2026年12月2日");
        assert_eq!(date_cn("不详"), "不详");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(-1234567), "-1,234,567");
        assert_eq!(yuan(108_000_000), "1,080,000.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(-123_456), "-1,234.56");
        assert_eq!(yuan(i64::MAX), "92,233,720,368,547,758.07");
    }
}
