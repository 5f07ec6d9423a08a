//! Exact ratios. Rates in the documents ("15%", "三分之二") are kept as
//! integer fractions so that no decision ever depends on floating point.

use std::fmt;

/// An exact non-negative fraction `num/den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ratio {
    pub num: i64,
    pub den: i64,
}

impl Ratio {
    pub const fn new(num: i64, den: i64) -> Self {
        Ratio { num, den }
    }

    pub const fn percent(p: i64) -> Self {
        Ratio { num: p, den: 100 }
    }

    /// Parse `"15%"`, `"2/3"`, `"0.5%"` or an integer.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            let (int, frac) = match p.split_once('.') {
                Some((i, f)) => (i, f),
                None => (p, ""),
            };
            if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
                return Err(format!("比例格式无效: {s:?}"));
            }
            let scale = 10i64.pow(frac.len() as u32);
            let num: i64 = format!("{int}{frac}").parse().map_err(|_| format!("比例过大: {s:?}"))?;
            return Ok(Ratio::new(num, 100 * scale));
        }
        if let Some((n, d)) = t.split_once('/') {
            let num: i64 = n.trim().parse().map_err(|_| format!("比例分子无效: {s:?}"))?;
            let den: i64 = d.trim().parse().map_err(|_| format!("比例分母无效: {s:?}"))?;
            if den <= 0 || num < 0 {
                return Err(format!("比例须为非负且分母为正: {s:?}"));
            }
            return Ok(Ratio::new(num, den));
        }
        let n: i64 = t.parse().map_err(|_| format!("比例格式无效: {s:?}"))?;
        Ok(Ratio::new(n, 1))
    }

    /// `part / whole >= self`, by cross-multiplication (以上、达到、不低于).
    pub fn reached_by(&self, part: i64, whole: i64) -> bool {
        (part as i128) * (self.den as i128) >= (self.num as i128) * (whole as i128)
    }

    /// `part / whole > self` (超过).
    pub fn exceeded_by(&self, part: i64, whole: i64) -> bool {
        (part as i128) * (self.den as i128) > (self.num as i128) * (whole as i128)
    }

    /// The smallest integer `k` with `k / whole >= self`: the head-count a
    /// fraction of a body requires ("四分之三以上" of 9 is 7).
    pub fn ceil_of(&self, whole: i64) -> i64 {
        let p = (self.num as i128) * (whole as i128);
        let d = self.den as i128;
        ((p + d - 1) / d) as i64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 100 { write!(f, "{}%", self.num) } else { write!(f, "{}/{}", self.num, self.den) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percent_and_fraction() {
        assert_eq!(Ratio::parse("15%").unwrap(), Ratio::new(15, 100));
        assert_eq!(Ratio::parse("2.5%").unwrap(), Ratio::new(25, 1000));
        assert_eq!(Ratio::parse("2/3").unwrap(), Ratio::new(2, 3));
        assert!(Ratio::parse("x%").is_err());
        assert!(Ratio::parse("1/0").is_err());
    }

    #[test]
    fn two_thirds_of_nine_is_six_and_three_quarters_is_seven() {
        let two_thirds = Ratio::new(2, 3);
        assert!(two_thirds.reached_by(6, 9));
        assert!(!two_thirds.reached_by(5, 9));
        assert_eq!(two_thirds.ceil_of(9), 6);
        let q = Ratio::new(3, 4);
        assert_eq!(q.ceil_of(9), 7);
        assert_eq!(q.ceil_of(8), 6);
        assert_eq!(q.ceil_of(10), 8);
        assert!(q.reached_by(7, 9) && !q.reached_by(6, 9));
        assert!(!q.exceeded_by(6, 8) && q.exceeded_by(7, 8));
    }
}
