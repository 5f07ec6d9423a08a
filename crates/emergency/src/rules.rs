//! The plan's tables and figures in force on one date, read once from
//! `policy/emergency/*.toml` so that assessing a report needs no look-up.

use std::collections::HashMap;

use kernel::{Date, ParamError, ParamSet};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("缺少政策文件 {0}")]
    MissingFile(&'static str),
    #[error("政策文件 {file} 无效: {message}")]
    BadFile { file: &'static str, message: String },
}

const INCIDENTS: &str = "emergency/incidents.toml";
const RESPONSE: &str = "emergency/response.toml";
const WARNINGS: &str = "emergency/warnings.toml";
const COMMAND: &str = "emergency/command.toml";
const PLANS: &str = "emergency/plans.toml";

/// Severity grade (分级, 1.4.3), high to low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// 特别重大
    Extraordinary,
    /// 重大
    Major,
    /// 较大
    Large,
    /// 一般
    Ordinary,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Extraordinary, Severity::Major, Severity::Large, Severity::Ordinary];

    pub fn chinese(self) -> &'static str {
        match self {
            Severity::Extraordinary => "特别重大",
            Severity::Major => "重大",
            Severity::Large => "较大",
            Severity::Ordinary => "一般",
        }
    }

    pub fn from_chinese(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|g| g.chinese() == s)
    }

    /// 以上 in "较大及以上" includes the grade itself: the derived order puts
    /// higher grades first, so "at least `floor`" is `self <= floor`.
    pub fn at_least(self, floor: Severity) -> bool {
        self <= floor
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.chinese())
    }
}

impl TryFrom<String> for Severity {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Severity::from_chinese(&s).ok_or_else(|| format!("未知的分级 {:?}", kernel::echo(&s)))
    }
}

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.chinese())
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Severity::from_chinese(&s).ok_or_else(|| serde::de::Error::custom(format!("分级应为 特别重大、重大、较大、一般 之一，得到 {s:?}")))
    }
}

/// District response level (响应级别, 1.6), Ⅰ highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResponseLevel {
    I,
    II,
    III,
    IV,
}

impl ResponseLevel {
    pub const ALL: [ResponseLevel; 4] = [ResponseLevel::I, ResponseLevel::II, ResponseLevel::III, ResponseLevel::IV];

    /// The machine form used by interfaces: `"I"` … `"IV"`.
    pub fn code(self) -> &'static str {
        match self {
            ResponseLevel::I => "I",
            ResponseLevel::II => "II",
            ResponseLevel::III => "III",
            ResponseLevel::IV => "IV",
        }
    }

    /// The plan's own numeral: Ⅰ … Ⅳ.
    pub fn numeral(self) -> &'static str {
        match self {
            ResponseLevel::I => "Ⅰ",
            ResponseLevel::II => "Ⅱ",
            ResponseLevel::III => "Ⅲ",
            ResponseLevel::IV => "Ⅳ",
        }
    }

    pub fn from_code(s: &str) -> Option<ResponseLevel> {
        ResponseLevel::ALL.into_iter().find(|l| l.code() == s)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// `steps` levels higher, stopping at Ⅰ.
    pub fn raised(self, steps: u8) -> ResponseLevel {
        ResponseLevel::ALL[self.index().saturating_sub(usize::from(steps))]
    }
}

impl TryFrom<String> for ResponseLevel {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ResponseLevel::from_code(&s).ok_or_else(|| format!("未知的响应级别 {:?}", kernel::echo(&s)))
    }
}

impl std::fmt::Display for ResponseLevel {
    /// `Ⅲ级`, as people read it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}级", self.numeral())
    }
}

impl Serialize for ResponseLevel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ResponseLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ResponseLevel::from_code(&s).ok_or_else(|| serde::de::Error::custom(format!("响应级别应为 I、II、III、IV 之一，得到 {s:?}")))
    }
}

/// One row of the annex (附件 突发事件专项指挥机构和主要牵头部门).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentType {
    pub category: String,
    /// 序号 within the category.
    pub number: u32,
    pub name: String,
    /// 主要牵头部门.
    pub lead_departments: Vec<String>,
    /// 专项指挥机构.
    pub command_body: String,
    /// Cells left blank in the source and read from the row above.
    #[serde(default)]
    pub merged: Vec<String>,
    /// OASIS CAP 1.2 `<category>` (a Reading).
    pub cap_category: String,
    pub source_line: u32,
}

/// 突发事件分类 (1.4.2) with its category-level lead (3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    pub lead: String,
    pub lead_note: String,
    /// Key of the 4.5.3 checklist for this category.
    pub measures: String,
}

/// Who decides a response level and who leads it (1.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRoles {
    pub level: ResponseLevel,
    pub numeral: String,
    pub decided_by: String,
    /// Who decides, as the platform acts for them.
    pub decider: crate::workflow::Decider,
    pub led_by: Vec<String>,
    pub quote: String,
}

/// One mandatory field of an information report (4.4(2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportField {
    pub name: String,
    pub label: String,
    /// `time`, `text` or `count`.
    pub kind: String,
}

/// A warning level (预警级别, 4.3.1) with its CAP 1.2 form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningLevel {
    pub level: u8,
    /// 一级 … 四级.
    pub label: String,
    /// 特别严重, 严重, 较重, 一般.
    pub name: String,
    /// 红色, 橙色, 黄色, 蓝色.
    pub colour: String,
    pub colour_en: String,
    pub cap_severity: String,
    pub cap_urgency: String,
    pub cap_certainty: String,
    /// Keys of the 4.3.3 measure sets the level requires.
    pub measures: Vec<String>,
}

/// A list of measures (4.3.3 after a warning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureSet {
    pub key: String,
    pub clause: String,
    pub title: String,
    pub quote: String,
    pub items: Vec<String>,
}

/// A response measures checklist (应急处置措施, 4.5.3(1) ①–⑭ or (2) ①–⑥).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub key: String,
    pub clause: String,
    pub applies_to: Vec<String>,
    pub quote: String,
    pub items: Vec<String>,
}

/// A working group of the on-site command post (现场指挥部工作组, 3.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingGroup {
    pub number: u32,
    pub name: String,
    /// The source's words on who forms the group.
    pub composition: String,
    #[serde(default)]
    pub lead: Option<String>,
    /// Departments of the district reference list.
    pub members: Vec<String>,
    /// Members that are roles rather than one department.
    pub other_members: Vec<String>,
    pub duties: String,
}

/// A kind of plan and where it is filed (6.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanKind {
    pub key: String,
    pub name: String,
    pub issuer: String,
    pub filing_bodies: Vec<String>,
    pub copy_to: Vec<String>,
    /// The units that keep a plan of this kind (6.2–6.4); empty: the unit
    /// or town that registers it.
    #[serde(default)]
    pub owners: Vec<String>,
    pub clause: String,
    pub quote: String,
}

/// Content, channels and targeted notice of a warning (4.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    pub clause: String,
    /// What a warning states.
    pub content: Vec<String>,
    pub channels: Vec<String>,
    pub targeted_groups: Vec<String>,
    pub targeted_places: Vec<String>,
    pub quote: String,
}

/// Who reports an incident to whom (4.4(2)) and what is forbidden (4.4(4)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingChain {
    pub clause: String,
    pub reporters: Vec<String>,
    pub first_recipients: Vec<String>,
    pub then: Vec<String>,
    pub forbidden: Vec<String>,
    pub quote: String,
}

/// Who releases information (4.5.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InformationRelease {
    pub clause: String,
    pub released_by: String,
    pub quote: String,
}

/// State of emergency: proposed, requested, decided by (4.5.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateOfEmergency {
    pub clause: String,
    pub proposed_by: String,
    pub requested_by: String,
    pub decided_by: String,
    pub quote: String,
}

/// Ending the emergency: the conditions to check and who declares it (4.5.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    pub clause: String,
    pub conditions: Vec<String>,
    pub declared_by: String,
    pub quote: String,
}

/// The yearly evaluation of last year's incidents (4.6.3(2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualEvaluation {
    pub clause: String,
    pub reported_to: String,
    pub copied_to: String,
    pub quote: String,
}

/// Drills (6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drills {
    pub clause: String,
    pub forms: Vec<String>,
    pub after_major_revision: bool,
    pub quote: String,
}

#[derive(Deserialize)]
struct Sourced {
    clause: String,
    quote: String,
}

#[derive(Deserialize)]
struct IncidentsFile {
    document: String,
    cap_reading: String,
    severity_source: Sourced,
    category: Vec<Category>,
    designation: Designation,
    incident_type: Vec<IncidentType>,
}

#[derive(Deserialize)]
struct Designation {
    clause: String,
    decided_by: String,
    quote: String,
}

#[derive(Deserialize)]
struct ResponseFile {
    response_level: Vec<LevelRoles>,
    reporting_chain: ReportingChain,
    report_source: ReportSource,
    report_field: Vec<ReportField>,
}

#[derive(Deserialize)]
struct ReportSource {
    clause: String,
    quote: String,
    reading: String,
}

#[derive(Deserialize)]
struct WarningsFile {
    cap_source: CapSource,
    warning_level: Vec<WarningLevel>,
    lifted: Lifted,
    cap_parameters: CapParameters,
    measure_set: Vec<MeasureSet>,
    publication: Publication,
}

#[derive(Deserialize)]
struct CapSource {
    reading: String,
}

/// A lifted warning as CAP (4.3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifted {
    pub clause: String,
    pub quote: String,
    pub cap_response_type: String,
    pub cap_urgency: String,
    pub cap_certainty: String,
}

/// CAP `<parameter>` names for the level and the colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapParameters {
    pub level: String,
    pub colour: String,
}

#[derive(Deserialize)]
struct CommandFile {
    working_group: Vec<WorkingGroup>,
    checklist: Vec<Checklist>,
    information_release: InformationRelease,
    state_of_emergency: StateOfEmergency,
    ending: Ending,
    annual_evaluation: AnnualEvaluation,
}

#[derive(Deserialize)]
struct PlansFile {
    plan_kind: Vec<PlanKind>,
    drills: Drills,
    revision: Revision,
}

/// When a plan must be revised (6.4(2)) and when a revision needs the full
/// approval procedure (6.4(3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub clause: String,
    pub quote: String,
    pub triggers: Vec<String>,
    pub full_approval_clause: String,
    pub full_approval_when: Vec<String>,
    pub full_approval_quote: String,
}

/// A cited figure: value, citation and the reading it relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cited<T> {
    pub value: T,
    pub citation: String,
    pub reading: Option<String>,
}

/// Everything the plan fixes, as in force on `on`.
#[derive(Debug, Clone)]
pub struct Rules {
    pub on: Date,
    /// 文号.
    pub document: String,
    pub categories: Vec<Category>,
    pub incident_types: Vec<IncidentType>,
    by_name: HashMap<String, usize>,
    pub severity_citation: String,
    pub severity_quote: String,
    /// 3.2: who designates a lead for a type the annex does not cover.
    pub designation_by: String,
    pub designation_citation: String,
    pub designation_quote: String,
    pub cap_category_reading: String,
    levels: Vec<LevelRoles>,
    pub level_citation: String,
    /// Default severity → level, indexed by [`Severity`] (a Reading).
    default_level: Vec<Cited<ResponseLevel>>,
    pub raise_levels: Cited<u8>,
    pub raise_quote: String,
    pub city_leads_from: Cited<Severity>,
    pub report_city_from: Cited<Severity>,
    pub skip_level_from: Cited<Severity>,
    pub report_fields: Vec<ReportField>,
    pub report_citation: String,
    pub report_quote: String,
    pub report_reading: String,
    pub reporting_chain: ReportingChain,
    warning_levels: Vec<WarningLevel>,
    pub warning_reading: String,
    pub lifted: Lifted,
    pub cap_parameters: CapParameters,
    pub measure_sets: Vec<MeasureSet>,
    pub publication: Publication,
    pub working_groups: Vec<WorkingGroup>,
    pub checklists: Vec<Checklist>,
    pub information_release: InformationRelease,
    pub state_of_emergency: StateOfEmergency,
    pub ending: Ending,
    pub annual_evaluation: AnnualEvaluation,
    pub plan_kinds: Vec<PlanKind>,
    pub filing_workdays: Cited<i64>,
    pub drills: Drills,
    pub revision: Revision,
    pub evaluation_quarter: Cited<i64>,
}

fn file<'a>(params: &'a ParamSet, path: &'static str) -> Result<&'a str, RulesError> {
    params.file(path).ok_or(RulesError::MissingFile(path))
}

fn parse<T: serde::de::DeserializeOwned>(params: &ParamSet, path: &'static str) -> Result<T, RulesError> {
    toml::from_str(file(params, path)?).map_err(|e| RulesError::BadFile { file: path, message: e.to_string() })
}

fn bad(file: &'static str, message: impl Into<String>) -> RulesError {
    RulesError::BadFile { file, message: message.into() }
}

fn severity_param(params: &ParamSet, name: &str, on: Date) -> Result<Cited<Severity>, RulesError> {
    let p = params.get(name, on)?;
    let text = p.text()?;
    let value = Severity::from_chinese(&text).ok_or_else(|| bad(RESPONSE, format!("参数 {name} 的取值 {text} 不是分级")))?;
    Ok(Cited { value, citation: p.citation.clone(), reading: p.reading.clone() })
}

impl Rules {
    /// The plan as in force on `on`; a date before the plan took effect is an
    /// error naming the parameter and the date.
    pub fn load(params: &ParamSet, on: Date) -> Result<Rules, RulesError> {
        params.get("emergency.plan.in_force", on)?;
        let inc: IncidentsFile = parse(params, INCIDENTS)?;
        let resp: ResponseFile = parse(params, RESPONSE)?;
        let warn: WarningsFile = parse(params, WARNINGS)?;
        let cmd: CommandFile = parse(params, COMMAND)?;
        let plans: PlansFile = parse(params, PLANS)?;

        let mut by_name = HashMap::new();
        for (i, t) in inc.incident_type.iter().enumerate() {
            if !inc.category.iter().any(|c| c.name == t.category) {
                return Err(bad(INCIDENTS, format!("事件类别 {} 的分类 {} 未定义", t.name, t.category)));
            }
            if t.lead_departments.is_empty() || t.command_body.trim().is_empty() {
                return Err(bad(INCIDENTS, format!("事件类别 {} 缺少牵头部门或指挥机构", t.name)));
            }
            if by_name.insert(t.name.clone(), i).is_some() {
                return Err(bad(INCIDENTS, format!("事件类别 {} 重复", t.name)));
            }
        }
        for c in &inc.category {
            if !cmd.checklist.iter().any(|k| k.key == c.measures) {
                return Err(bad(INCIDENTS, format!("分类 {} 的处置措施清单 {} 未定义", c.name, c.measures)));
            }
        }

        let mut levels = resp.response_level;
        levels.sort_by_key(|l| l.level);
        if levels.iter().map(|l| l.level).collect::<Vec<_>>() != ResponseLevel::ALL {
            return Err(bad(RESPONSE, "响应级别表应恰有 I、II、III、IV 各一行"));
        }

        let mut default_level = Vec::with_capacity(4);
        for g in Severity::ALL {
            let name = format!("emergency.response.default_level.{}", g.chinese());
            let p = params.get(&name, on)?;
            let text = p.text()?;
            let value = ResponseLevel::from_code(&text).ok_or_else(|| bad(RESPONSE, format!("参数 {name} 的取值 {text} 不是响应级别")))?;
            default_level.push(Cited { value, citation: p.citation.clone(), reading: p.reading.clone() });
        }
        let raise = params.get("emergency.response.raise_levels", on)?;
        let raise_value = u8::try_from(raise.int()?).map_err(|_| bad(RESPONSE, "提高级数应为 0–3"))?;

        let mut warning_levels = warn.warning_level;
        warning_levels.sort_by_key(|w| w.level);
        if warning_levels.iter().map(|w| w.level).collect::<Vec<_>>() != [1, 2, 3, 4] {
            return Err(bad(WARNINGS, "预警级别表应恰有一级至四级各一行"));
        }
        for w in &warning_levels {
            for m in &w.measures {
                if !warn.measure_set.iter().any(|s| &s.key == m) {
                    return Err(bad(WARNINGS, format!("{} 的措施 {m} 未定义", w.label)));
                }
            }
        }

        let filing = params.get("emergency.plan.filing_workdays", on)?;
        let quarter = params.get("emergency.evaluation.quarter", on)?;
        Ok(Rules {
            on,
            document: inc.document.clone(),
            categories: inc.category,
            incident_types: inc.incident_type,
            by_name,
            severity_citation: format!("{} {}", inc.document, inc.severity_source.clause),
            severity_quote: inc.severity_source.quote,
            designation_by: inc.designation.decided_by,
            designation_citation: format!("{} {}", inc.document, inc.designation.clause),
            designation_quote: inc.designation.quote,
            cap_category_reading: inc.cap_reading,
            level_citation: format!("{} 1.6", inc.document),
            levels,
            default_level,
            raise_levels: Cited { value: raise_value, citation: raise.citation.clone(), reading: raise.reading.clone() },
            raise_quote: raise.quote.clone().unwrap_or_default(),
            city_leads_from: severity_param(params, "emergency.handling.city_leads_from", on)?,
            report_city_from: severity_param(params, "emergency.report.city_from", on)?,
            skip_level_from: severity_param(params, "emergency.report.skip_level_from", on)?,
            report_fields: resp.report_field,
            report_citation: format!("{} {}", inc.document, resp.report_source.clause),
            report_quote: resp.report_source.quote,
            report_reading: resp.report_source.reading,
            reporting_chain: resp.reporting_chain,
            warning_levels,
            warning_reading: warn.cap_source.reading,
            lifted: warn.lifted,
            cap_parameters: warn.cap_parameters,
            measure_sets: warn.measure_set,
            publication: warn.publication,
            working_groups: cmd.working_group,
            checklists: cmd.checklist,
            information_release: cmd.information_release,
            state_of_emergency: cmd.state_of_emergency,
            ending: cmd.ending,
            annual_evaluation: cmd.annual_evaluation,
            plan_kinds: plans.plan_kind,
            drills: plans.drills,
            filing_workdays: Cited { value: filing.int()?, citation: filing.citation.clone(), reading: filing.reading.clone() },
            revision: plans.revision,
            evaluation_quarter: Cited { value: quarter.int()?, citation: quarter.citation.clone(), reading: quarter.reading.clone() },
        })
    }

    /// The annex row for an incident type, if the annex covers it.
    pub fn incident_type(&self, name: &str) -> Option<&IncidentType> {
        self.by_name.get(name).map(|&i| &self.incident_types[i])
    }

    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// Who decides and who leads a response level.
    pub fn level_roles(&self, level: ResponseLevel) -> &LevelRoles {
        &self.levels[level as usize]
    }

    /// The suggested level for a grade before any raise (a Reading).
    pub fn default_level(&self, severity: Severity) -> &Cited<ResponseLevel> {
        &self.default_level[severity as usize]
    }

    /// A warning level 1–4.
    pub fn warning_level(&self, level: u8) -> Option<&WarningLevel> {
        self.warning_levels.iter().find(|w| w.level == level)
    }

    pub fn warning_levels(&self) -> &[WarningLevel] {
        &self.warning_levels
    }

    /// The measures a warning level requires (4.3.3), in order.
    pub fn warning_measures(&self, level: u8) -> Vec<&MeasureSet> {
        self.warning_level(level)
            .map(|w| w.measures.iter().filter_map(|k| self.measure_sets.iter().find(|s| &s.key == k)).collect())
            .unwrap_or_default()
    }

    /// The 4.5.3 checklist for a category (①–⑭ or ①–⑥).
    pub fn checklist_for(&self, category: &str) -> Option<&Checklist> {
        let key = &self.category(category)?.measures;
        self.checklists.iter().find(|c| &c.key == key)
    }

    pub fn plan_kind(&self, key: &str) -> Option<&PlanKind> {
        self.plan_kinds.iter().find(|k| k.key == key)
    }
}
