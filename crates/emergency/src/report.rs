//! An information report (信息报告, 4.4) and its assessment: routing by the
//! annex, the suggested response level with who decides and leads it (1.6),
//! and the upward reporting duties (4.4(3)(4)).

use kernel::{Explanation, Step};
use serde::{Deserialize, Serialize};

use crate::input::{InputError, from_deserializer, from_json};
use crate::rules::ReportField;
use crate::rules::{ResponseLevel, Rules, Severity};
use crate::time::OffsetTime;

/// The content of an information report (信息报告内容, 4.4(2)): the one
/// definition of its fields. The CLI reads it from JSON, the web form from
/// the policy's `report_field` list ([`ReportContent::from_form`]), the store
/// writes and reads one column per field by the same names
/// ([`ReportContent::field_names`]); `None` means absent or empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportContent {
    /// 发生时间
    #[serde(deserialize_with = "blank_time")]
    pub occurred_at: Option<OffsetTime>,
    /// 地点
    pub place: Option<String>,
    /// 所在镇（街）、开发区
    pub town: Option<String>,
    /// 信息来源
    pub source: Option<String>,
    /// 性质
    pub nature: Option<String>,
    /// 简要经过
    pub course: Option<String>,
    /// 影响范围
    pub impact_scope: Option<String>,
    /// 环境影响
    pub environmental_impact: Option<String>,
    /// 死亡人数
    pub deaths: Option<u32>,
    /// 伤（病）人数
    pub injured: Option<u32>,
    /// 失踪（失联）人数
    pub missing: Option<u32>,
    /// 房屋倒塌
    pub houses_collapsed: Option<u32>,
    /// 房屋损坏
    pub houses_damaged: Option<u32>,
    /// 基础设施损毁
    pub infrastructure_damage: Option<String>,
    /// 救援情况
    pub rescue_status: Option<String>,
    /// 已采取的措施
    pub measures_taken: Option<String>,
}

/// An empty or blank time is an absent one (the report lists it as missing).
fn blank_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<OffsetTime>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// The longest text a report field takes (a clerk's paragraph, not a file).
pub const MAX_TEXT: usize = 2000;

impl ReportContent {
    /// Every field's name, in declaration order (the store's columns).
    pub fn field_names() -> Vec<String> {
        match serde_json::to_value(ReportContent::default()) {
            Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The fields that are filled (a blank text counts as absent).
    pub fn filled(&self) -> std::collections::BTreeSet<String> {
        let Ok(serde_json::Value::Object(m)) = serde_json::to_value(self) else { return Default::default() };
        m.into_iter()
            .filter(|(_, v)| match v {
                serde_json::Value::Null => false,
                serde_json::Value::String(s) => !s.trim().is_empty(),
                _ => true,
            })
            .map(|(k, _)| k)
            .collect()
    }

    /// The content from the fields of a form, as the policy lists them
    /// (`report_field`: name, label, kind). Blank fields are absent; a count
    /// must be a non-negative integer, a time `YYYY-MM-DDThh:mm` (taken as
    /// UTC+8, as a `datetime-local` input gives it) or a full time with its
    /// offset; texts are at most [`MAX_TEXT`] characters. Errors name the
    /// field by its label.
    pub fn from_form<'a>(fields: &[ReportField], value: impl Fn(&str) -> Option<&'a str>) -> Result<ReportContent, InputError> {
        let mut m = serde_json::Map::new();
        for f in fields {
            let Some(v) = value(&f.name).map(str::trim).filter(|v| !v.is_empty()) else { continue };
            let v = match f.kind.as_str() {
                "count" => serde_json::Value::from(
                    v.parse::<u32>()
                        .map_err(|_| InputError::new(&f.name, format!("{}应为非负整数，得到“{}”", f.label, kernel::echo(v))))?,
                ),
                "time" => {
                    let full = match v.len() {
                        16 => format!("{v}:00+08:00"),
                        19 => format!("{v}+08:00"),
                        _ => v.to_string(),
                    };
                    let t: OffsetTime = full.parse().map_err(|e| InputError::new(&f.name, format!("{}：{e}", f.label)))?;
                    serde_json::Value::from(t.as_str())
                }
                _ => {
                    if v.chars().count() > MAX_TEXT {
                        return Err(InputError::new(&f.name, format!("{}不能超过{MAX_TEXT}字", f.label)));
                    }
                    serde_json::Value::from(v)
                }
            };
            m.insert(f.name.clone(), v);
        }
        from_deserializer(serde_json::Value::Object(m))
    }
}

/// One information report as received: the routing facts and the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InformationReport {
    /// 事件类别, one of the annex's 36 types or another type.
    pub incident_type: String,
    /// 初判分级.
    pub severity: Severity,
    /// 事件本身比较敏感.
    pub sensitive: bool,
    /// 发生在重点地区或重大活动举办、重要会议召开等时期.
    pub key_area_or_period: bool,
    /// 可能演化为较大及以上突发事件.
    pub may_escalate: bool,
    #[serde(flatten)]
    pub content: ReportContent,
}

impl InformationReport {
    /// A report with only the routing facts; every content field absent.
    pub fn new(incident_type: impl Into<String>, severity: Severity) -> Self {
        InformationReport {
            incident_type: incident_type.into(),
            severity,
            sensitive: false,
            key_area_or_period: false,
            may_escalate: false,
            content: ReportContent::default(),
        }
    }

    /// Whether the content field `name` (a [`crate::ReportField`] name) is
    /// filled. An unknown name counts as absent, so a field added to the
    /// policy file before the code shows up as missing, never as filled.
    pub fn has(&self, name: &str) -> bool {
        self.content.filled().contains(name)
    }
}

/// The routing facts; everything else is the content.
#[derive(Deserialize)]
struct RawReport {
    incident_type: String,
    severity: Severity,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    key_area_or_period: bool,
    #[serde(default)]
    may_escalate: bool,
    #[serde(flatten)]
    content: serde_json::Map<String, serde_json::Value>,
}

/// Parse one report in the CLI contract's JSON form. A severity outside the
/// four grades, a count that is not a non-negative integer, or a time without
/// an offset is an input error naming the field; an absent or empty content
/// field is not an error (it is listed in `missing_fields`).
pub fn parse_report(json: &str) -> Result<InformationReport, InputError> {
    let r: RawReport = from_json(json)?;
    if r.incident_type.trim().is_empty() {
        return Err(InputError::new("incident_type", "事件类别为空"));
    }
    let content: ReportContent = from_deserializer(serde_json::Value::Object(r.content))?;
    Ok(InformationReport {
        incident_type: r.incident_type.trim().to_string(),
        severity: r.severity,
        sensitive: r.sensitive,
        key_area_or_period: r.key_area_or_period,
        may_escalate: r.may_escalate,
        content,
    })
}

/// The assessment of one report. Serializes to exactly the CLI contract's
/// output; the fields marked `skip` are for the platform.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    /// `None` for a type outside the annex.
    pub category: Option<String>,
    pub incident_type: String,
    pub lead_departments: Vec<String>,
    /// `None` until one is designated (3.2).
    pub command_body: Option<String>,
    pub needs_designation: bool,
    pub missing_fields: Vec<String>,
    pub response_level: ResponseLevel,
    pub decided_by: String,
    pub led_by: Vec<String>,
    pub report_to_city: bool,
    pub skip_level_report: bool,
    pub explanation: Vec<String>,
    /// The level the grade alone gives, before any raise.
    #[serde(skip)]
    pub base_level: ResponseLevel,
    /// The suggested level is above the grade's own (1.6 可适当提高).
    #[serde(skip)]
    pub raised: bool,
    /// Key of the 4.5.3 checklist the response keeps, when the category is known.
    #[serde(skip)]
    pub checklist: Option<String>,
    /// The city is asked to lead (1.5).
    #[serde(skip)]
    pub city_leads: bool,
    #[serde(skip)]
    pub trace: Explanation,
}

/// Who decides a response level and who leads it (1.6), as the exact strings
/// machine interfaces use.
pub fn level_roles(rules: &Rules, level: ResponseLevel) -> (&str, &[String]) {
    let r = rules.level_roles(level);
    (r.decided_by.as_str(), r.led_by.as_slice())
}

fn join(v: &[String]) -> String {
    v.join("、")
}

pub fn assess(rules: &Rules, report: &InformationReport) -> Assessment {
    let doc = &rules.document;
    let mut trace = Explanation::new();
    let grade = report.severity;

    // Routing by the annex, or designation by the district's leaders (3.2).
    let row = rules.incident_type(&report.incident_type);
    let (category, lead_departments, command_body, checklist) = match row {
        Some(t) => {
            let mut step = Step::new(format!("{doc} 附件"), "突发事件专项指挥机构和主要牵头部门").fact("事件类别", &t.name).applied(
                format!("{}类第{}项：主要牵头部门 {}；专项指挥机构 {}", t.category, t.number, join(&t.lead_departments), t.command_body),
            );
            if !t.merged.is_empty() {
                let cells: Vec<&str> = t
                    .merged
                    .iter()
                    .map(|m| match m.as_str() {
                        "lead_departments" => "主要牵头部门",
                        "command_body" => "专项指挥机构",
                        other => other,
                    })
                    .collect();
                step = step.reading(format!("原表{}栏为合并单元格，取上一行的值", cells.join("、")));
            }
            trace.push(step);
            let checklist = rules.category(&t.category).map(|c| c.measures.clone());
            (Some(t.category.clone()), t.lead_departments.clone(), Some(t.command_body.clone()), checklist)
        }
        None => {
            trace.push(
                Step::new(&rules.designation_citation, "专项应急指挥部职责尚未涵盖的突发事件")
                    .fact("事件类别", &report.incident_type)
                    .referred(&rules.designation_by, "附件未列该类事件，须指定应急指挥机构负责人和牵头部门，组成相应专项指挥机构"),
            );
            (None, Vec::new(), None, None)
        }
    };

    // Content of the report (4.4(2)).
    let filled = report.content.filled();
    let missing: Vec<&crate::ReportField> = rules.report_fields.iter().filter(|f| !filled.contains(&f.name)).collect();
    let missing_fields: Vec<String> = missing.iter().map(|f| f.name.clone()).collect();
    let content = Step::new(&rules.report_citation, "信息报告内容").reading(&rules.report_reading);
    trace.push(if missing.is_empty() {
        content.applied("报告要素齐全")
    } else {
        // People read the labels; the field names stay in `missing_fields`.
        let names: Vec<String> = missing.iter().map(|f| f.label.clone()).collect();
        content.applied(format!("缺少{}项，须补报：{}", missing.len(), names.join("、")))
    });

    // The grade's own level (a Reading), then the raise (1.6).
    let base = rules.default_level(grade);
    let mut step =
        Step::new(&base.citation, "响应分级").fact("初判分级", grade.chinese()).applied(format!("建议{}级响应", base.value.numeral()));
    if let Some(r) = &base.reading {
        step = step.reading(r);
    }
    trace.push(step);

    let mut reasons = Vec::new();
    if report.sensitive {
        reasons.push("事件本身比较敏感");
    }
    if report.key_area_or_period {
        reasons.push("发生在重点地区或重大活动、重要会议等时期");
    }
    let raise = &rules.raise_levels;
    let level = if reasons.is_empty() { base.value } else { base.value.raised(raise.value) };
    let mut step = Step::new(&raise.citation, "提高响应级别")
        .fact("事件敏感", if report.sensitive { "是" } else { "否" })
        .fact("重点地区或时期", if report.key_area_or_period { "是" } else { "否" });
    step = if reasons.is_empty() {
        step.not_applied("事件不敏感，且不在重点地区或重要时期")
    } else if level == base.value {
        step.applied(format!(
            "{}，可适当提高响应级别；但{}级已是最高级别，维持{}级",
            reasons.join("、"),
            base.value.numeral(),
            level.numeral()
        ))
    } else {
        step.applied(format!("{}，可适当提高响应级别：由{}级提高为{}级", reasons.join("、"), base.value.numeral(), level.numeral()))
    };
    if let Some(r) = &raise.reading {
        step = step.reading(r);
    }
    trace.push(step);

    let roles = rules.level_roles(level);
    trace.push(
        Step::new(&rules.level_citation, "响应的决定与组织指导协调").fact("响应级别", format!("{}级", level.numeral())).applied(format!(
            "由{}决定启动，由{}组织指导协调",
            roles.decided_by,
            join(&roles.led_by)
        )),
    );

    // Handling (1.5).
    let city = &rules.city_leads_from;
    let city_leads = grade.at_least(city.value);
    let step = Step::new(&city.citation, "分级应对").fact("初判分级", grade.chinese());
    trace.push(if city_leads {
        step.applied(format!(
            "{}及以上：请求上一级政府或相关部门负责应对；区政府立即启动相应专项应急预案，在上级统一指导协调下开展应对工作",
            city.value.chinese()
        ))
    } else {
        step.applied(format!("{}突发事件由区政府负责应对（涉及跨区或超出本区应对能力的，请求上级负责）", grade.chinese()))
    });

    // Upward reporting (4.4(3)).
    let to_city = &rules.report_city_from;
    let by_grade = grade.at_least(to_city.value);
    let mut why = Vec::new();
    if by_grade {
        why.push(format!("分级为{}（{}及以上）", grade.chinese(), to_city.value.chinese()));
    }
    if report.sensitive {
        why.push("事件本身比较敏感".into());
    }
    if report.key_area_or_period {
        why.push("发生在重点地区、重要时期".into());
    }
    if report.may_escalate {
        why.push(format!("可能演化为{}及以上", to_city.value.chinese()));
    }
    let report_to_city = !why.is_empty();
    let step = Step::new(&to_city.citation, "向市政府报送")
        .fact("初判分级", grade.chinese())
        .fact("可能演化为较大及以上", if report.may_escalate { "是" } else { "否" });
    trace.push(if report_to_city {
        step.applied(format!("须及时报送市政府：{}", why.join("；")))
    } else {
        step.not_applied(format!(
            "分级为{}（低于{}），不敏感、不在重点地区或重要时期，且不会演化为{}及以上",
            grade.chinese(),
            to_city.value.chinese(),
            to_city.value.chinese()
        ))
    });

    // Skip-level report (4.4(4)).
    let skip = &rules.skip_level_from;
    let skip_level_report = grade.at_least(skip.value);
    let step = Step::new(&skip.citation, "越级上报").fact("初判分级", grade.chinese());
    trace.push(if skip_level_report {
        step.applied(format!("{}突发事件：可越级上报省级，并同时报告市政府及其有关部门", skip.value.chinese()))
    } else {
        step.not_applied(format!("非{}突发事件；特殊情况下是否越级上报由区政府研判", skip.value.chinese()))
    });

    Assessment {
        category,
        incident_type: report.incident_type.clone(),
        lead_departments,
        needs_designation: command_body.is_none(),
        command_body,
        missing_fields,
        response_level: level,
        decided_by: roles.decided_by.clone(),
        led_by: roles.led_by.clone(),
        report_to_city,
        skip_level_report,
        explanation: trace.lines(),
        base_level: base.value,
        raised: level != base.value,
        checklist,
        city_leads,
        trace,
    }
}
