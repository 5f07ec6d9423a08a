//! Dated, cited parameters: every figure the documents fix.
//!
//! Each file under `policy/` may hold `[[param]]` entries:
//!
//! ```toml
//! document = "山政发〔2022〕10号"          # file-wide 文号
//! [[param]]
//! name = "ecommerce.art4.share"
//! unit = "ratio"                          # yuan | fen | ratio | count | m2 | date | text | bool | list | days | months | usd
//! value = "50%"
//! from = 2022-11-01                       # effective period, inclusive
//! to = 2025-10-31                         # optional
//! clause = "附件4 第4条"                    # with `document` gives the citation
//! quote = "按照平台服务费的50%给予补贴，最高不超过5万元"
//! reading = "…"                           # present when the spec chose a reading
//! ```
//!
//! Files may carry other tables (reference rows a domain reads itself through
//! [`ParamSet::file`]). The files are embedded in the binary; an adapter can
//! hand in a directory's files as overrides: a file with the same relative
//! path replaces the embedded one, a new file adds to the set.

use std::collections::{BTreeMap, HashMap};

use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::{Date, Money, Ratio};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../policy");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("未知参数 {name}")]
    Unknown { name: String },
    #[error("参数 {name} 在 {date} 没有生效的取值（已有期间：{periods}）")]
    NoPeriod { name: String, date: Date, periods: String },
    #[error("参数 {name} 的取值 {value} 不是 {expected}")]
    WrongType { name: String, value: String, expected: &'static str },
    #[error("参数文件 {file} 无效: {message}")]
    BadFile { file: String, message: String },
    #[error("参数 {name} 的生效期间重叠：{a} 与 {b}")]
    Overlap { name: String, a: String, b: String },
}

/// One dated value of one parameter.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Param {
    pub name: String,
    pub unit: String,
    #[serde(serialize_with = "ser_toml")]
    pub value: toml::Value,
    pub from: Date,
    pub to: Option<Date>,
    /// 文号 + section/article.
    pub citation: String,
    /// The source text the figure comes from, when given.
    pub quote: Option<String>,
    /// The reading chosen where the source is ambiguous (**Reading** in the spec).
    pub reading: Option<String>,
    /// True where the value is an assumption not found in the source.
    pub assumed: bool,
    /// Relative path of the file it came from.
    pub file: String,
    pub overridden: bool,
}

fn ser_toml<S: serde::Serializer>(v: &toml::Value, s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    v.serialize(s)
}

impl Param {
    pub fn covers(&self, d: Date) -> bool {
        self.from <= d && self.to.is_none_or(|t| d <= t)
    }

    pub fn period(&self) -> String {
        match self.to {
            Some(t) => format!("{}至{}", self.from, t),
            None => format!("{}起", self.from),
        }
    }

    /// Display form of the value with its unit, for explanations.
    pub fn display_value(&self) -> String {
        let v = match &self.value {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match self.unit.as_str() {
            "yuan" => format!("{v}元"),
            "fen" => format!("{v}分"),
            "m2" => format!("{v}平方米"),
            "days" => format!("{v}日"),
            "months" => format!("{v}个月"),
            "usd" => format!("{v}美元"),
            _ => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    name: String,
    unit: String,
    value: toml::Value,
    from: toml::value::Datetime,
    to: Option<toml::value::Datetime>,
    clause: Option<String>,
    citation: Option<String>,
    quote: Option<String>,
    reading: Option<String>,
    #[serde(default)]
    assumed: bool,
}

#[derive(Deserialize)]
struct RawFile {
    document: Option<String>,
    #[serde(default)]
    param: Vec<RawParam>,
}

/// All parameters in force, indexed by name, plus the raw policy files.
#[derive(Debug, Clone, Default)]
pub struct ParamSet {
    by_name: HashMap<String, Vec<Param>>,
    files: BTreeMap<String, (String, bool)>,
}

fn toml_date(file: &str, name: &str, d: &toml::value::Datetime) -> Result<Date, ParamError> {
    let bad = || ParamError::BadFile { file: file.into(), message: format!("参数 {name} 的日期 {d} 应为 YYYY-MM-DD") };
    let date = d.date.as_ref().ok_or_else(bad)?;
    if d.time.is_some() {
        return Err(bad());
    }
    Date::new(date.year as i16, date.month as i8, date.day as i8).map_err(|_| bad())
}

impl ParamSet {
    /// The files compiled into the binary, as (relative path, text).
    pub fn embedded_files() -> Vec<(String, String)> {
        fn walk(d: &Dir<'static>, out: &mut Vec<(String, String)>) {
            for f in d.files() {
                if f.path().extension().is_some_and(|e| e == "toml")
                    && let Some(text) = f.contents_utf8()
                {
                    out.push((f.path().to_string_lossy().replace('\\', "/"), text.to_string()));
                }
            }
            for sub in d.dirs() {
                walk(sub, out);
            }
        }
        let mut out = Vec::new();
        walk(&EMBEDDED, &mut out);
        out.sort();
        out
    }

    /// The embedded set. Its validity is guarded by this crate's tests.
    pub fn embedded() -> Result<ParamSet, ParamError> {
        Self::from_files(Self::embedded_files(), Vec::new())
    }

    /// The embedded set with a directory's files laid over it.
    pub fn with_overrides(overrides: Vec<(String, String)>) -> Result<ParamSet, ParamError> {
        Self::from_files(Self::embedded_files(), overrides)
    }

    pub fn from_files(base: Vec<(String, String)>, overrides: Vec<(String, String)>) -> Result<ParamSet, ParamError> {
        let mut files: BTreeMap<String, (String, bool)> = BTreeMap::new();
        for (p, t) in base {
            files.insert(p, (t, false));
        }
        for (p, t) in overrides {
            files.insert(p, (t, true));
        }
        let mut set = ParamSet { by_name: HashMap::new(), files: BTreeMap::new() };
        for (path, (text, overridden)) in &files {
            let raw: RawFile = toml::from_str(text).map_err(|e| ParamError::BadFile { file: path.clone(), message: e.to_string() })?;
            for p in raw.param {
                let citation = match (&p.citation, &p.clause, &raw.document) {
                    (Some(c), _, _) => c.clone(),
                    (None, Some(cl), Some(doc)) => format!("{doc} {cl}"),
                    (None, None, Some(doc)) => doc.clone(),
                    _ => {
                        return Err(ParamError::BadFile {
                            file: path.clone(),
                            message: format!("参数 {} 缺少出处（citation 或 document + clause）", p.name),
                        });
                    }
                };
                let from = toml_date(path, &p.name, &p.from)?;
                let to = p.to.as_ref().map(|d| toml_date(path, &p.name, d)).transpose()?;
                if let Some(t) = to
                    && t < from
                {
                    return Err(ParamError::BadFile {
                        file: path.clone(), message: format!("参数 {} 的结束日期早于开始日期", p.name)
                    });
                }
                let param = Param {
                    name: p.name.clone(),
                    unit: p.unit,
                    value: p.value,
                    from,
                    to,
                    citation,
                    quote: p.quote,
                    reading: p.reading,
                    assumed: p.assumed,
                    file: path.clone(),
                    overridden: *overridden,
                };
                param.check_type()?;
                set.by_name.entry(p.name).or_default().push(param);
            }
        }
        for (name, list) in set.by_name.iter_mut() {
            list.sort_by_key(|p| p.from);
            for w in list.windows(2) {
                let open_end = w[0].to.is_none_or(|t| t >= w[1].from);
                if open_end {
                    return Err(ParamError::Overlap {
                        name: name.clone(),
                        a: format!("{} ({})", w[0].period(), w[0].file),
                        b: format!("{} ({})", w[1].period(), w[1].file),
                    });
                }
            }
        }
        set.files = files;
        Ok(set)
    }

    /// The raw text of a policy file by relative path (for reference tables).
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|(t, _)| t.as_str())
    }

    /// Every parameter value, sorted by name then date: for the UI's policy page.
    pub fn all(&self) -> Vec<&Param> {
        let mut v: Vec<&Param> = self.by_name.values().flatten().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name).then(a.from.cmp(&b.from)));
        v
    }

    pub fn get(&self, name: &str, on: Date) -> Result<&Param, ParamError> {
        let list = self.by_name.get(name).ok_or_else(|| ParamError::Unknown { name: name.into() })?;
        list.iter().find(|p| p.covers(on)).ok_or_else(|| ParamError::NoPeriod {
            name: name.into(),
            date: on,
            periods: list.iter().map(|p| p.period()).collect::<Vec<_>>().join("、"),
        })
    }

    pub fn money(&self, name: &str, on: Date) -> Result<Money, ParamError> {
        self.get(name, on)?.money()
    }

    pub fn int(&self, name: &str, on: Date) -> Result<i64, ParamError> {
        self.get(name, on)?.int()
    }

    pub fn ratio(&self, name: &str, on: Date) -> Result<Ratio, ParamError> {
        self.get(name, on)?.ratio()
    }

    pub fn text(&self, name: &str, on: Date) -> Result<String, ParamError> {
        self.get(name, on)?.text()
    }

    pub fn date(&self, name: &str, on: Date) -> Result<Date, ParamError> {
        self.get(name, on)?.date()
    }

    pub fn flag(&self, name: &str, on: Date) -> Result<bool, ParamError> {
        self.get(name, on)?.flag()
    }

    pub fn list(&self, name: &str, on: Date) -> Result<Vec<String>, ParamError> {
        self.get(name, on)?.list()
    }
}

impl Param {
    fn wrong(&self, expected: &'static str) -> ParamError {
        ParamError::WrongType { name: self.name.clone(), value: self.value.to_string(), expected }
    }

    fn check_type(&self) -> Result<(), ParamError> {
        match self.unit.as_str() {
            "yuan" | "fen" => self.money().map(|_| ()),
            "ratio" => self.ratio().map(|_| ()),
            "count" | "m2" | "days" | "months" | "usd" | "years" | "age" | "workdays" | "parcels" => self.int().map(|_| ()),
            "date" => self.date().map(|_| ()),
            "text" => self.text().map(|_| ()),
            "bool" => self.flag().map(|_| ()),
            "list" => self.list().map(|_| ()),
            _ => Err(ParamError::BadFile {
                file: self.file.clone(), message: format!("参数 {} 的单位 {} 未知", self.name, self.unit)
            }),
        }
    }

    /// Money: unit `yuan` (integer or decimal string) or `fen` (integer).
    pub fn money(&self) -> Result<Money, ParamError> {
        match (self.unit.as_str(), &self.value) {
            ("yuan", toml::Value::Integer(i)) => i.checked_mul(100).map(Money::from_fen).ok_or_else(|| self.wrong("金额")),
            ("yuan", toml::Value::String(s)) => Money::parse_yuan(s).map_err(|_| self.wrong("金额")),
            ("fen", toml::Value::Integer(i)) => Ok(Money::from_fen(*i)),
            _ => Err(self.wrong("金额（元或分）")),
        }
    }

    pub fn int(&self) -> Result<i64, ParamError> {
        match &self.value {
            toml::Value::Integer(i) => Ok(*i),
            _ => Err(self.wrong("整数")),
        }
    }

    pub fn ratio(&self) -> Result<Ratio, ParamError> {
        match &self.value {
            toml::Value::String(s) => Ratio::parse(s).map_err(|_| self.wrong("比例")),
            _ => Err(self.wrong("比例（如 \"15%\" 或 \"2/3\"）")),
        }
    }

    pub fn text(&self) -> Result<String, ParamError> {
        match &self.value {
            toml::Value::String(s) => Ok(s.clone()),
            _ => Err(self.wrong("文本")),
        }
    }

    pub fn flag(&self) -> Result<bool, ParamError> {
        match &self.value {
            toml::Value::Boolean(b) => Ok(*b),
            _ => Err(self.wrong("布尔值")),
        }
    }

    pub fn date(&self) -> Result<Date, ParamError> {
        match &self.value {
            toml::Value::Datetime(d) => toml_date(&self.file, &self.name, d),
            toml::Value::String(s) => crate::parse_date(s).map_err(|_| self.wrong("日期")),
            _ => Err(self.wrong("日期")),
        }
    }

    pub fn list(&self) -> Result<Vec<String>, ParamError> {
        match &self.value {
            toml::Value::Array(a) => a
                .iter()
                .map(|v| match v {
                    toml::Value::String(s) => Ok(s.clone()),
                    toml::Value::Integer(i) => Ok(i.to_string()),
                    _ => Err(self.wrong("文本或整数列表")),
                })
                .collect(),
            _ => Err(self.wrong("列表")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    const SAMPLE: &str = r#"
document = "山政发〔2022〕10号"
[[param]]
name = "x.cap"
unit = "yuan"
value = 300000
from = 2022-11-01
to = 2025-10-31
clause = "附件4 第1条"
[[param]]
name = "x.cap"
unit = "yuan"
value = "350000.50"
from = 2025-11-01
clause = "附件4 第1条"
reading = "assumed successor"
"#;

    #[test]
    fn lookup_by_date_and_citation() {
        let s = ParamSet::from_files(vec![("a.toml".into(), SAMPLE.into())], vec![]).unwrap();
        assert_eq!(s.money("x.cap", d("2023-01-01")).unwrap().fen(), 30_000_000);
        assert_eq!(s.money("x.cap", d("2025-10-31")).unwrap().fen(), 30_000_000);
        assert_eq!(s.money("x.cap", d("2025-11-01")).unwrap().fen(), 35_000_050);
        assert_eq!(s.get("x.cap", d("2023-01-01")).unwrap().citation, "山政发〔2022〕10号 附件4 第1条");
        let e = s.money("x.cap", d("2022-10-31")).unwrap_err();
        assert!(e.to_string().contains("x.cap") && e.to_string().contains("2022-10-31"), "{e}");
        assert!(matches!(s.money("nope", d("2023-01-01")), Err(ParamError::Unknown { .. })));
    }

    #[test]
    fn override_replaces_file_and_overlap_is_refused() {
        let over = SAMPLE.replace("300000", "1");
        let s = ParamSet::from_files(vec![("a.toml".into(), SAMPLE.into())], vec![("a.toml".into(), over)]).unwrap();
        assert_eq!(s.money("x.cap", d("2023-01-01")).unwrap().fen(), 100);
        assert!(s.get("x.cap", d("2023-01-01")).unwrap().overridden);
        let dup = ParamSet::from_files(vec![("a.toml".into(), SAMPLE.into()), ("b.toml".into(), SAMPLE.into())], vec![]);
        assert!(matches!(dup, Err(ParamError::Overlap { .. })));
    }

    #[test]
    fn bad_files_name_the_file() {
        let bad = "[[param]]\nname='a'\nunit='yuan'\nvalue='x'\nfrom=2022-01-01\ncitation='c'\n";
        let e = ParamSet::from_files(vec![("bad.toml".into(), bad.into())], vec![]).unwrap_err();
        assert!(e.to_string().contains('a'), "{e}");
        let nocite = "[[param]]\nname='a'\nunit='count'\nvalue=1\nfrom=2022-01-01\n";
        let e = ParamSet::from_files(vec![("n.toml".into(), nocite.into())], vec![]).unwrap_err();
        assert!(e.to_string().contains("n.toml"), "{e}");
    }

    #[test]
    fn embedded_policy_files_are_valid() {
        let s = ParamSet::embedded().expect("embedded policy files must parse");
        for p in s.all() {
            assert!(!p.citation.trim().is_empty(), "{} has no citation", p.name);
        }
    }
}
