//! Identity numbers: 居民身份证号码 (GB 11643, also used by the Hong Kong /
//! Macau / Taiwan residence permits, areas 81/82/83, and the 18-digit foreign
//! permanent resident ID starting with 9) and 统一社会信用代码 (GB 32100 with
//! the embedded organisation code of GB 11714). Parse, don't validate: a value
//! of these types is always well-formed.

use std::fmt;
use std::str::FromStr;

use crate::Date;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Province-level area codes (first two digits) in use, plus residence
/// permits 81/82/83; the foreign permanent resident ID starts with 9.
const AREA_PREFIXES: [u8; 37] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    83, 91, 93,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("身份证号码应为18位，实际 {0} 位")]
    WrongLength(usize),
    #[error("身份证号码第 {pos} 位字符 {ch:?} 无效（前17位须为数字，末位为数字或X）")]
    BadCharacter { pos: usize, ch: char },
    #[error("身份证号码地区码 {0} 无效")]
    BadArea(String),
    #[error("身份证号码中的出生日期 {0} 不存在")]
    BadBirthDate(String),
    #[error("身份证号码校验码错误：应为 {expected}，实际 {found}")]
    CheckDigit { expected: char, found: char },
}

/// An 18-character resident ID number, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId {
    text: [u8; 18],
    birth: Date,
}

impl ResidentId {
    pub fn parse(s: &str) -> Result<ResidentId, IdError> {
        // Trimming Unicode whitespace is slow next to the rest; most input has none.
        let plain_ends = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
        let t = if plain_ends(s.as_bytes().first()) && plain_ends(s.as_bytes().last()) { s } else { s.trim() };
        // 18 bytes of ASCII is the common case; count characters only to report a wrong length.
        if t.len() != 18 || !t.is_ascii() {
            let chars = t.chars().count();
            if chars != 18 {
                return Err(IdError::WrongLength(chars));
            }
        }
        let b = t.as_bytes();
        let mut text = [0u8; 18];
        let mut sum = 0u32;
        for (i, &c) in b.iter().enumerate() {
            if i < 17 {
                if !c.is_ascii_digit() {
                    return Err(IdError::BadCharacter { pos: i + 1, ch: c as char });
                }
                sum += u32::from(c - b'0') * ID_WEIGHTS[i];
                text[i] = c;
            } else {
                let c = c.to_ascii_uppercase();
                if !(c.is_ascii_digit() || c == b'X') {
                    return Err(IdError::BadCharacter { pos: 18, ch: c as char });
                }
                text[i] = c;
            }
        }
        let area = (b[0] - b'0') * 10 + (b[1] - b'0');
        if b[0] != b'9' && AREA_PREFIXES.binary_search(&area).is_err() {
            return Err(IdError::BadArea(t[..6].to_string()));
        }
        let num = |r: std::ops::Range<usize>| r.fold(0i32, |a, i| a * 10 + i32::from(b[i] - b'0'));
        let (y, m, d) = (num(6..10), num(10..12), num(12..14));
        let birth = Date::new(y as i16, m as i8, d as i8).map_err(|_| IdError::BadBirthDate(t[6..14].to_string()))?;
        if y < 1880 {
            return Err(IdError::BadBirthDate(t[6..14].to_string()));
        }
        let expected = ID_CHECK[(sum % 11) as usize];
        if expected != text[17] {
            return Err(IdError::CheckDigit { expected: expected as char, found: text[17] as char });
        }
        Ok(ResidentId { text, birth })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and 'X' are ever stored.
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// The 17-digit body (area, birth date, sequence) as a number: unique
    /// per person, and a cheap key for duplicate checks over a million rows.
    pub fn body_key(&self) -> u64 {
        self.text[..17].iter().fold(0u64, |a, &b| a * 10 + u64::from(b - b'0'))
    }

    /// The 18 characters as bytes, without the UTF-8 check of [`Self::as_str`].
    pub fn as_bytes(&self) -> &[u8; 18] {
        &self.text
    }

    pub fn birth_date(&self) -> Date {
        self.birth
    }

    /// Whole years of age (周岁) on `on`: the birthday itself counts.
    pub fn age_on(&self, on: Date) -> i32 {
        age_on(self.birth, on)
    }

    /// Odd 17th digit: male.
    pub fn is_male(&self) -> bool {
        (self.text[16] - b'0') % 2 == 1
    }

    /// The 6-digit area code.
    pub fn area(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The check character for a 17-digit body: used by generators.
    pub fn check_char(body17: &str) -> Option<char> {
        let b = body17.as_bytes();
        if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sum: u32 = b.iter().zip(ID_WEIGHTS).map(|(&c, w)| u32::from(c - b'0') * w).sum();
        Some(ID_CHECK[(sum % 11) as usize] as char)
    }

    /// Masked for publication (公示): first 6 and last 4 characters kept.
    pub fn masked(&self) -> String {
        let s = self.as_str();
        format!("{}********{}", &s[..6], &s[14..])
    }
}

/// Whole years between `birth` and `on` (周岁). A person born on 29 February
/// turns a year older on 1 March in common years.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = i32::from(on.year()) - i32::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResidentId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResidentId::parse(s)
    }
}

impl serde::Serialize for ResidentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ResidentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ResidentId::parse(&s).map_err(serde::de::Error::custom)
    }
}

const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为18位，实际 {0} 位")]
    WrongLength(usize),
    #[error("统一社会信用代码第 {pos} 位字符 {ch:?} 不允许（不使用 I、O、S、V、Z）")]
    ForbiddenCharacter { pos: usize, ch: char },
    #[error("统一社会信用代码第3–8位行政区划码 {0} 应为6位数字")]
    BadAreaCode(String),
    #[error("统一社会信用代码中的组织机构代码 {code} 校验码错误：应为 {expected}，实际 {found}（GB 11714）")]
    OrgCodeCheck { code: String, expected: char, found: char },
    #[error("统一社会信用代码校验码错误：应为 {expected}，实际 {found}（GB 32100）")]
    CheckCharacter { expected: char, found: char },
}

/// A unified social credit code (统一社会信用代码), upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode([u8; 18]);

fn org_value(c: u8) -> u32 {
    // GB 11714: digits are themselves, letters A=10 … Z=35.
    if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 }
}

impl CreditCode {
    pub fn parse(s: &str) -> Result<CreditCode, CreditCodeError> {
        let t = s.trim();
        let n = t.chars().count();
        if n != 18 {
            return Err(CreditCodeError::WrongLength(n));
        }
        let mut code = [0u8; 18];
        let mut vals = [0u32; 18];
        for (i, c) in t.bytes().enumerate() {
            let c = c.to_ascii_uppercase();
            let Some(v) = USCC_ALPHABET.iter().position(|&a| a == c) else {
                return Err(CreditCodeError::ForbiddenCharacter { pos: i + 1, ch: c as char });
            };
            code[i] = c;
            vals[i] = v as u32;
        }
        if !code[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::BadAreaCode(String::from_utf8_lossy(&code[2..8]).into_owned()));
        }
        let org = &code[8..17];
        let sum: u32 = org[..8].iter().zip(ORG_WEIGHTS).map(|(&c, w)| org_value(c) * w).sum();
        let expected = match 11 - sum % 11 {
            10 => b'X',
            11 => b'0',
            d => b'0' + d as u8,
        };
        if expected != org[8] {
            return Err(CreditCodeError::OrgCodeCheck {
                code: String::from_utf8_lossy(org).into_owned(),
                expected: expected as char,
                found: org[8] as char,
            });
        }
        let sum: u32 = vals[..17].iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
        let check = USCC_ALPHABET[((31 - sum % 31) % 31) as usize];
        if check != code[17] {
            return Err(CreditCodeError::CheckCharacter { expected: check as char, found: code[17] as char });
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Complete a 16-character prefix (authority, type, area, 8-char org body)
    /// with both check characters: used by demo-data generators.
    pub fn complete(prefix16: &str) -> Option<CreditCode> {
        let p = prefix16.as_bytes();
        if p.len() != 16 {
            return None;
        }
        let sum: u32 = p[8..16].iter().zip(ORG_WEIGHTS).map(|(&c, w)| org_value(c) * w).sum();
        let oc = match 11 - sum % 11 {
            10 => b'X',
            11 => b'0',
            d => b'0' + d as u8,
        };
        let mut s17 = prefix16.to_string();
        s17.push(oc as char);
        let mut sum = 0u32;
        for (i, c) in s17.bytes().enumerate() {
            sum += USCC_ALPHABET.iter().position(|&a| a == c)? as u32 * USCC_WEIGHTS[i];
        }
        s17.push(USCC_ALPHABET[((31 - sum % 31) % 31) as usize] as char);
        CreditCode::parse(&s17).ok()
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

impl serde::Serialize for CreditCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CreditCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CreditCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(body: &str) -> String {
        format!("{body}{}", ResidentId::check_char(body).unwrap())
    }

    #[test]
    fn valid_resident_ids() {
        // The GB 11643 standard's own example.
        let r = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(r.birth_date().to_string(), "1949-12-31");
        assert!(!r.is_male());
        assert!(ResidentId::parse("11010519491231002x").is_ok(), "lower-case x accepted");
        assert_eq!(ResidentId::parse("11010519491231002x").unwrap().as_str(), "11010519491231002X");
        let shanting = ResidentId::parse(&id("37040619581220001")).unwrap();
        assert_eq!(shanting.area(), "370406");
        assert_eq!(shanting.body_key(), 37_040_619_581_220_001);
        assert_eq!(r.body_key(), 11_010_519_491_231_002, "the check character is not part of the key");
        assert!(ResidentId::parse(&id("81000019900101001")).is_ok(), "Hong Kong residence permit");
        assert!(ResidentId::parse(&id("83000019900101001")).is_ok(), "Taiwan residence permit");
        assert!(ResidentId::parse(&id("93115619900101001")).is_ok(), "foreign permanent resident");
    }

    #[test]
    fn invalid_resident_ids_say_why() {
        assert_eq!(ResidentId::parse("110105194912310021"), Err(IdError::CheckDigit { expected: 'X', found: '1' }));
        assert_eq!(ResidentId::parse("1101051949123100"), Err(IdError::WrongLength(16)));
        assert!(matches!(ResidentId::parse("11010519491231A02X"), Err(IdError::BadCharacter { pos: 15, .. })));
        assert!(matches!(ResidentId::parse(&id("37040619990229001")), Err(IdError::BadBirthDate(_))), "1999 has no Feb 29");
        assert!(matches!(ResidentId::parse(&id("37040619991301001")), Err(IdError::BadBirthDate(_))));
        assert!(ResidentId::parse(&id("37040620000229001")).is_ok(), "2000 is a leap year");
        assert!(ResidentId::parse(&id("99040619900101001")).is_ok(), "9x is the foreign permanent resident form");
        assert!(matches!(ResidentId::parse(&id("00040619900101001")), Err(IdError::BadArea(_))));
    }

    #[test]
    fn age_in_whole_years() {
        let r = ResidentId::parse(&id("37040619580101001")).unwrap();
        assert_eq!(r.age_on("2018-01-01".parse().unwrap()), 60);
        assert_eq!(r.age_on("2017-12-31".parse().unwrap()), 59);
        let leap: Date = "2000-02-29".parse().unwrap();
        assert_eq!(age_on(leap, "2001-02-28".parse().unwrap()), 0);
        assert_eq!(age_on(leap, "2001-03-01".parse().unwrap()), 1);
        assert_eq!(r.masked(), format!("370406********{}", &r.as_str()[14..]));
    }

    #[test]
    fn credit_codes() {
        let c = CreditCode::parse("91370406MA3C7K1020").unwrap();
        assert_eq!(c.as_str(), "91370406MA3C7K1020");
        assert!(CreditCode::parse("91370406ma3c7k1020").is_ok());
        assert!(matches!(CreditCode::parse("91370406MA3C7K1021"), Err(CreditCodeError::CheckCharacter { expected: '0', .. })));
        assert!(matches!(CreditCode::parse("91370406MA3C7K1030"), Err(CreditCodeError::OrgCodeCheck { expected: '2', .. })));
        assert!(matches!(CreditCode::parse("91370406MA3C7K102"), Err(CreditCodeError::WrongLength(17))));
        assert!(matches!(CreditCode::parse("91370406MA3C7I1020"), Err(CreditCodeError::ForbiddenCharacter { pos: 14, ch: 'I' })));
        assert!(matches!(CreditCode::parse("9137O406MA3C7K1020"), Err(CreditCodeError::ForbiddenCharacter { ch: 'O', .. })));
        assert!(matches!(CreditCode::parse("9137A406MA3C7K1020"), Err(CreditCodeError::BadAreaCode(_))));
        let g = CreditCode::complete("91370406MA3C7K10").unwrap();
        assert_eq!(g.as_str(), "91370406MA3C7K1020");
    }
}
