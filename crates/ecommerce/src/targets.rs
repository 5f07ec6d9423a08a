//! The targets of 山政发〔2022〕10号 (二、任务目标 and 三、工作措施, spec §1), read
//! from `policy/ecommerce/targets.toml` for the platform's progress pages.

use kernel::{Date, ParamSet, Ratio};
use serde::{Deserialize, Serialize};

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
            Ok(Target {
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
