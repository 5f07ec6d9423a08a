//! Times with an explicit UTC offset, in the one form CAP 1.2 accepts
//! (`YYYY-MM-DDThh:mm:ss±hh:mm`, no fractions, no `Z`).

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use kernel::Date;

/// A point in time as written with its offset, e.g. `2023-07-01T08:00:00+08:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetTime {
    text: String,
    timestamp: Timestamp,
}

impl OffsetTime {
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The calendar date in China Standard Time, the documents' only zone
    /// (UTC+8 without daylight saving since 1991).
    pub fn china_date(&self) -> Date {
        china_date(self.timestamp)
    }

    /// The CAP form of a timestamp shown at UTC+8.
    pub fn from_timestamp(t: Timestamp) -> OffsetTime {
        let text = t.to_zoned(china()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        OffsetTime { text, timestamp: t }
    }
}

pub(crate) fn china() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

pub(crate) fn china_date(t: Timestamp) -> Date {
    t.to_zoned(china()).date()
}

impl fmt::Display for OffsetTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for OffsetTime {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("时间应为带时区偏移的 YYYY-MM-DDThh:mm:ss+08:00 形式，得到 {s:?}");
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
        let shape = b.len() == 25
            && digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10)
            && b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19)
            && (b[19] == b'+' || b[19] == b'-')
            && digits(20..22)
            && b[22] == b':'
            && digits(23..25);
        if !shape {
            return Err(bad());
        }
        let civil: DateTime = s[..19].parse().map_err(|e| format!("{}（{e}）", bad()))?;
        let num = |r: std::ops::Range<usize>| s[r].parse::<i32>().map_err(|_| bad());
        let (oh, om) = (num(20..22)?, num(23..25)?);
        if oh > 14 || om > 59 {
            return Err(format!("时区偏移超出范围，得到 {s:?}"));
        }
        let secs = (oh * 3600 + om * 60) * if b[19] == b'-' { -1 } else { 1 };
        let offset = Offset::from_seconds(secs).map_err(|_| bad())?;
        let timestamp = civil.to_zoned(TimeZone::fixed(offset)).map_err(|_| bad())?.timestamp();
        Ok(OffsetTime { text: s.to_string(), timestamp })
    }
}

impl serde::Serialize for OffsetTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for OffsetTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_cap_form() {
        let t: OffsetTime = "2023-07-01T08:00:00+08:00".parse().unwrap();
        assert_eq!(t.timestamp().to_string(), "2023-07-01T00:00:00Z");
        assert_eq!(t.china_date().to_string(), "2023-07-01");
        let late: OffsetTime = "2023-06-30T20:00:00-04:00".parse().unwrap();
        assert_eq!(late.china_date().to_string(), "2023-07-01");
        for bad in [
            "2023-07-01T08:00:00Z",
            "2023-07-01T08:00:00",
            "2023-07-01 08:00:00+08:00",
            "2023-07-01T08:00:00.5+08:00",
            "2023-02-30T08:00:00+08:00",
            "2023-07-01T08:00:00+15:00",
            "",
        ] {
            assert!(bad.parse::<OffsetTime>().is_err(), "{bad}");
        }
        assert_eq!(OffsetTime::from_timestamp(t.timestamp()).as_str(), "2023-07-01T08:00:00+08:00");
    }
}
