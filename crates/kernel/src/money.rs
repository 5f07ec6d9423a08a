//! Money in integer fen (分). Amounts enter as yuan — JSON numbers or
//! decimal strings with at most two decimals — and are parsed from their
//! text, never through `f64`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};

use crate::Ratio;

/// An amount of money in fen. Signed so that refunds and differences can be
/// expressed; inputs are checked non-negative at the edge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额为空")]
    Empty,
    #[error("金额 {0:?} 不是有效的数字（应为元，如 1200 或 \"1200.50\"）")]
    NotANumber(String),
    #[error("金额 {0:?} 的小数超过两位（最小单位为分）")]
    TooManyDecimals(String),
    #[error("金额 {0:?} 不能为负数")]
    Negative(String),
    #[error("金额 {0:?} 超出可表示范围")]
    Overflow(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Self {
        Money(fen)
    }

    /// Whole yuan to fen; saturates rather than wrapping (callers use small figures).
    pub const fn from_yuan(yuan: i64) -> Self {
        Money(yuan.saturating_mul(100))
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parse a yuan amount, allowing a leading minus sign.
    pub fn parse_yuan_signed(s: &str) -> Result<Money, MoneyError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let int = int.replace(',', "");
        if int.is_empty() && frac.is_empty() {
            return Err(MoneyError::NotANumber(crate::echo(s).into_owned()));
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotANumber(crate::echo(s).into_owned()));
        }
        if frac.len() > 2 {
            // "1.500" is still exact; only reject real sub-fen digits.
            if frac[2..].bytes().any(|b| b != b'0') {
                return Err(MoneyError::TooManyDecimals(crate::echo(s).into_owned()));
            }
        }
        let overflow = || MoneyError::Overflow(crate::echo(s).into_owned());
        let yuan: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| overflow())? };
        let mut cents = 0i64;
        for (i, b) in frac.bytes().take(2).enumerate() {
            cents += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        let fen = yuan.checked_mul(100).and_then(|v| v.checked_add(cents)).ok_or_else(overflow)?;
        Ok(Money(if neg { -fen } else { fen }))
    }

    /// Parse a non-negative yuan amount.
    pub fn parse_yuan(s: &str) -> Result<Money, MoneyError> {
        let m = Self::parse_yuan_signed(s)?;
        if m.0 < 0 {
            return Err(MoneyError::Negative(crate::echo(s).into_owned()));
        }
        Ok(m)
    }

    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }

    pub fn checked_sub(self, o: Money) -> Option<Money> {
        self.0.checked_sub(o.0).map(Money)
    }

    pub fn saturating_add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }

    pub fn saturating_sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }

    /// `self × ratio`, rounded half up to the fen (四舍五入), computed in i128.
    pub fn mul_ratio(self, r: Ratio) -> Money {
        let p = self.0 as i128 * r.num as i128;
        let d = r.den as i128;
        let q = if p >= 0 { (2 * p + d) / (2 * d) } else { -((-2 * p + d) / (2 * d)) };
        Money(q.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    /// `self × n` for counts (parcels, persons), saturating.
    pub fn times(self, n: i64) -> Money {
        Money(self.0.saturating_mul(n))
    }

    pub fn min(self, o: Money) -> Money {
        if self <= o { self } else { o }
    }

    pub fn max(self, o: Money) -> Money {
        if self >= o { self } else { o }
    }

    /// Yuan with two decimals, e.g. `418000.00`.
    pub fn yuan_string(self) -> String {
        self.to_string()
    }

    /// Yuan in the style of the documents: `30万元`, `1.2亿元` when exact, else `1234.56元`.
    pub fn chinese(self) -> String {
        let f = self.0;
        if f != 0 && f % 1_000_000 == 0 {
            let wan = f / 1_000_000;
            if wan % 10_000 == 0 {
                return format!("{}亿元", wan / 10_000);
            }
            return format!("{wan}万元");
        }
        format!("{self}元")
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a.saturating_add(b))
    }
}

/// Serialized as integer fen, the machine form (`*_fen` fields).
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

/// Deserialized from yuan given as a JSON number or a decimal string, read
/// from the literal text (serde_json's `RawValue`), so `0.1` is exactly 10 fen.
/// Negative amounts are refused. Only works with `serde_json`.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: Box<serde_json::value::RawValue> = Deserialize::deserialize(d)?;
        let text = raw.get();
        let literal: std::borrow::Cow<'_, str> =
            if let Some(plain) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).filter(|t| !t.contains('\\')) {
                plain.into() // a string without escapes is its own text
            } else if text.starts_with('"') {
                serde_json::from_str::<String>(text).map_err(de::Error::custom)?.into()
            } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                if text.contains(['e', 'E']) {
                    return Err(de::Error::custom(format!("金额 {text} 请勿使用科学计数法")));
                }
                text.into()
            } else {
                return Err(de::Error::custom(format!("金额应为数字或数字字符串，得到 {text}")));
            };
        Money::parse_yuan(&literal).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_yuan_exactly() {
        assert_eq!(Money::parse_yuan("1200000").unwrap().fen(), 120_000_000);
        assert_eq!(Money::parse_yuan("0.1").unwrap().fen(), 10);
        assert_eq!(Money::parse_yuan("0.29").unwrap().fen(), 29);
        assert_eq!(Money::parse_yuan("1,234.5").unwrap().fen(), 123_450);
        assert_eq!(Money::parse_yuan("1.500").unwrap().fen(), 150);
        assert!(matches!(Money::parse_yuan("1.234"), Err(MoneyError::TooManyDecimals(_))));
        assert!(matches!(Money::parse_yuan("-1"), Err(MoneyError::Negative(_))));
        assert!(matches!(Money::parse_yuan("abc"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse_yuan(""), Err(MoneyError::Empty)));
        assert!(matches!(Money::parse_yuan("99999999999999999999"), Err(MoneyError::Overflow(_))));
        assert_eq!(Money::parse_yuan_signed("-3.5").unwrap().fen(), -350);
    }

    #[test]
    fn json_numbers_and_strings() {
        let m: Money = serde_json::from_str("0.29").unwrap();
        assert_eq!(m.fen(), 29);
        let m: Money = serde_json::from_str("\"62000000\"").unwrap();
        assert_eq!(m.fen(), 6_200_000_000);
        // A string with escapes is unescaped first; one without is read as it stands.
        let m: Money = serde_json::from_str(r#" "\u0031\u0032.5" "#).unwrap();
        assert_eq!(m.fen(), 1250);
        assert!(serde_json::from_str::<Money>(r#" "12\"" "#).is_err());
        assert!(serde_json::from_str::<Money>(r#" "" "#).is_err());
        assert!(serde_json::from_str::<Money>("1.001").is_err());
        assert!(serde_json::from_str::<Money>("-5").is_err());
        assert!(serde_json::from_str::<Money>("1e3").is_err());
        assert!(serde_json::from_str::<Money>("true").is_err());
        assert_eq!(serde_json::to_string(&Money::from_fen(5)).unwrap(), "5");
    }

    #[test]
    fn display_and_rounding() {
        assert_eq!(Money::from_fen(41_800_000).to_string(), "418000.00");
        assert_eq!(Money::from_fen(-5).to_string(), "-0.05");
        assert_eq!(Money::from_fen(30_000_000).chinese(), "30万元");
        assert_eq!(Money::from_fen(10_000_000_000).chinese(), "1亿元");
        // 15% of 0.03 yuan = 0.45 fen -> 0; of 0.05 = 0.75 -> 1 (half up)
        assert_eq!(Money::from_fen(3).mul_ratio(Ratio::percent(15)).fen(), 0);
        assert_eq!(Money::from_fen(5).mul_ratio(Ratio::percent(15)).fen(), 1);
        assert_eq!(Money::from_fen(10).mul_ratio(Ratio::percent(5)).fen(), 1); // 0.5 -> 1
        assert_eq!(Money::from_fen(120_000_000).mul_ratio(Ratio::percent(30)).fen(), 36_000_000);
    }

    proptest! {
        #[test]
        fn display_round_trips(f in 0i64..1_000_000_000_000) {
            let m = Money::from_fen(f);
            prop_assert_eq!(Money::parse_yuan(&m.to_string()).unwrap(), m);
        }
    }
}
