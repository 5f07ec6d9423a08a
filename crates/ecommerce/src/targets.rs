//! The targets of 山政发〔2022〕10号 (二、任务目标 and 三、工作措施, spec §1), read
//! from `policy/ecommerce/targets.toml` for the platform's progress pages.

use kernel::{Date, ParamSet, Ratio};
use serde::{Deserialize, Serialize};

use crate::rules::Word;

pub const TARGETS_FILE: &str = "ecommerce/targets.toml";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetsError {
    #[error("缺少目标文件 {0}")]
    Missing(&'static str),
    #[error("目标文件 {TARGETS_FILE} 无效: {0}")]
    Bad(String),
}

/// The number a target asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TargetValue {
    /// Yuan, counts or person-times, in `unit`.
    Int(i64),
    /// A share, e.g. 20%.
    #[serde(serialize_with = "ser_ratio")]
    Ratio(Ratio),
}

fn ser_ratio<S: serde::Serializer>(r: &Ratio, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&r.to_string())
}

/// One target (任务目标) with its responsible units (责任单位).
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub id: String,
    pub group: String,
    pub measure: String,
    pub value: TargetValue,
    /// yuan | count | ratio | person_times
    pub unit: String,
    /// The source's threshold word (达到、以上、不少于、不低于: the number itself counts as met).
    pub word: String,
    /// How `word` compares (spec README: 以上/达到 include the number, 超过/过 exclude it).
    #[serde(skip)]
    pub threshold: Word,
    /// Due date; `None` for yearly targets.
    pub deadline: Option<Date>,
    pub yearly: bool,
    pub per_town: bool,
    pub responsible: Vec<String>,
    pub citation: String,
    pub quote: String,
    pub reading: Option<String>,
}

#[derive(Deserialize)]
struct RawFile {
    document: String,
    #[serde(default)]
    target: Vec<RawTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    id: String,
    group: String,
    measure: String,
    value: toml::Value,
    unit: String,
    word: String,
    deadline: Option<toml::value::Datetime>,
    yearly: bool,
    per_town: bool,
    responsible: Vec<String>,
    clause: String,
    quote: String,
    reading: Option<String>,
}

/// Every target, in file order.
pub fn targets(params: &ParamSet) -> Result<Vec<Target>, TargetsError> {
    let text = params.file(TARGETS_FILE).ok_or(TargetsError::Missing(TARGETS_FILE))?;
    let raw: RawFile = toml::from_str(text).map_err(|e| TargetsError::Bad(e.to_string()))?;
    raw.target
        .into_iter()
        .map(|t| {
            let value = match &t.value {
                toml::Value::Integer(i) => TargetValue::Int(*i),
                toml::Value::String(s) => TargetValue::Ratio(Ratio::parse(s).map_err(|e| TargetsError::Bad(format!("{}: {e}", t.id)))?),
                v => return Err(TargetsError::Bad(format!("{}: value {v} 应为整数或比例", t.id))),
            };
            let deadline = t
                .deadline
                .map(|d| kernel::parse_date(&d.to_string()).map_err(|e| TargetsError::Bad(format!("{}: {e}", t.id))))
                .transpose()?;
            if deadline.is_none() && !t.yearly {
                return Err(TargetsError::Bad(format!("{}: 非年度目标须有 deadline", t.id)));
            }
            let threshold = threshold_word(&t.word).ok_or_else(|| TargetsError::Bad(format!("{}: 未知的目标用语 {:?}", t.id, t.word)))?;
            Ok(Target {
                threshold,
                citation: format!("{} {}", raw.document, t.clause),
                id: t.id,
                group: t.group,
                measure: t.measure,
                value,
                unit: t.unit,
                word: t.word,
                deadline,
                yearly: t.yearly,
                per_town: t.per_town,
                responsible: t.responsible,
                quote: t.quote,
                reading: t.reading,
            })
        })
        .collect()
}

/// The words that include the number (以上、达到 …) and those that exclude it
/// (超过、过 …), as the spec's README lists them; a compound such as
/// 达到……以上 includes it. `None` for a word the spec does not list.
pub fn threshold_word(word: &str) -> Option<Word> {
    const INCLUSIVE: &[&str] = &["以上", "及以上", "达到", "达到……以上", "至少", "不低于", "不少于"];
    const EXCLUSIVE: &[&str] = &["超过", "超", "过", "突破", "高于"];
    if let Some(w) = INCLUSIVE.iter().find(|w| **w == word) {
        return Some(Word::Inclusive(w));
    }
    EXCLUSIVE.iter().find(|w| **w == word).map(|w| Word::Exclusive(w))
}

impl Target {
    /// Whether a recorded actual meets the target (二、任务目标; the
    /// threshold word decides whether the number itself is met). Actuals are
    /// recorded in the target's unit, ratios in basis points (20% = 2000),
    /// compared exactly by cross-multiplying.
    pub fn met_by(&self, actual: i64) -> bool {
        let (lhs, rhs) = match self.value {
            TargetValue::Int(n) => (i128::from(actual), i128::from(n)),
            TargetValue::Ratio(r) => (i128::from(actual) * i128::from(r.den), i128::from(r.num) * 10_000),
        };
        match self.threshold {
            Word::Inclusive(_) => lhs >= rhs,
            Word::Exclusive(_) => lhs > rhs,
        }
    }

    /// Read an actual as a person types it, in the target's unit: a share
    /// (`23.5%` or `23.5`) into basis points, yuan into whole yuan, counts and
    /// person-times as integers (thousands separators allowed).
    pub fn parse_actual(&self, raw: &str) -> Result<i64, String> {
        let raw = raw.trim();
        match self.value {
            TargetValue::Ratio(_) => {
                let text = if raw.ends_with('%') { raw.to_string() } else { format!("{raw}%") };
                let r = Ratio::parse(&text).map_err(|e| e.to_string())?;
                if r.num < 0 || r.den <= 0 {
                    return Err(format!("比例 {raw:?} 无效"));
                }
                r.num.checked_mul(10_000).map(|n| n / r.den).ok_or_else(|| format!("比例 {raw:?} 超出范围"))
            }
            _ if self.unit == "yuan" => kernel::Money::parse_yuan(raw).map(|m| m.fen() / 100).map_err(|e| e.to_string()),
            _ => match raw.replace(',', "").parse::<i64>() {
                Ok(n) if n >= 0 => Ok(n),
                _ => Err(format!("应为非负整数，得到 {:?}", kernel::echo(raw))),
            },
        }
    }

    /// The target's number in the unit actuals are recorded in (ratios in
    /// basis points, rounded down), for progress bars.
    pub fn number(&self) -> i64 {
        match self.value {
            TargetValue::Int(n) => n,
            TargetValue::Ratio(r) => (r.num.saturating_mul(10_000)) / r.den.max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a panic is the failure report

    use super::*;

    fn target(value: TargetValue, word: &str) -> Target {
        Target {
            id: "T".into(),
            group: String::new(),
            measure: String::new(),
            value,
            unit: "count".into(),
            word: word.into(),
            threshold: threshold_word(word).unwrap(),
            deadline: None,
            yearly: true,
            per_town: false,
            responsible: Vec::new(),
            citation: String::new(),
            quote: String::new(),
            reading: None,
        }
    }

    #[test]
    fn inclusive_words_meet_at_the_number_exclusive_words_above_it() {
        for w in ["以上", "达到", "达到……以上", "不少于", "不低于"] {
            let t = target(TargetValue::Int(100), w);
            assert!(t.met_by(100) && t.met_by(101) && !t.met_by(99), "{w}");
        }
        for w in ["超过", "过"] {
            let t = target(TargetValue::Int(100), w);
            assert!(!t.met_by(100) && t.met_by(101), "{w}");
        }
        assert!(threshold_word("左右").is_none());
    }

    #[test]
    fn ratios_compare_exactly_in_basis_points() {
        let third = target(TargetValue::Ratio(Ratio { num: 1, den: 3 }), "以上");
        // 1/3 = 3333.33… basis points: 3333 is below it, 3334 above.
        assert!(!third.met_by(3333) && third.met_by(3334));
        let fifth = target(TargetValue::Ratio(Ratio { num: 1, den: 5 }), "超过");
        assert!(!fifth.met_by(2000) && fifth.met_by(2001));
        assert_eq!(fifth.number(), 2000);
    }

    #[test]
    fn actuals_are_read_in_the_target_s_unit() {
        let share = target(TargetValue::Ratio(Ratio { num: 1, den: 5 }), "以上");
        assert_eq!(share.parse_actual("23.5%"), Ok(2350));
        assert_eq!(share.parse_actual("20"), Ok(2000));
        assert!(share.parse_actual("x").is_err());
        let count = target(TargetValue::Int(100), "以上");
        assert_eq!(count.parse_actual("1,200"), Ok(1200));
        assert!(count.parse_actual("-3").is_err());
        let mut yuan = target(TargetValue::Int(100), "以上");
        yuan.unit = "yuan".into();
        assert_eq!(yuan.parse_actual("1200.50"), Ok(1200));
    }

    #[test]
    fn every_target_of_the_file_has_a_known_word() {
        let params = kernel::ParamSet::embedded().unwrap();
        assert!(!targets(&params).unwrap().is_empty());
    }
}
