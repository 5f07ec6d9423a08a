//! An information report (信息报告, 4.4) and its assessment: routing by the
//! annex, the suggested response level with who decides and leads it (1.6),
//! and the upward reporting duties (4.4(3)(4)).

use kernel::{Explanation, Step};
use serde::{Deserialize, Serialize};

use crate::input::{InputError, from_json};
use crate::rules::{ResponseLevel, Rules, Severity};
use crate::time::OffsetTime;

/// One information report as received. The fields from `occurred_at` on are
/// the content 4.4(2) requires; `None` means absent or empty.
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
    pub occurred_at: Option<OffsetTime>,
    pub place: Option<String>,
    pub town: Option<String>,
    pub source: Option<String>,
    pub nature: Option<String>,
    pub course: Option<String>,
    pub impact_scope: Option<String>,
    pub environmental_impact: Option<String>,
    pub deaths: Option<u32>,
    pub injured: Option<u32>,
    pub missing: Option<u32>,
    pub houses_collapsed: Option<u32>,
    pub houses_damaged: Option<u32>,
    pub infrastructure_damage: Option<String>,
    pub rescue_status: Option<String>,
    pub measures_taken: Option<String>,
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
            occurred_at: None,
            place: None,
            town: None,
            source: None,
            nature: None,
            course: None,
            impact_scope: None,
            environmental_impact: None,
            deaths: None,
            injured: None,
            missing: None,
            houses_collapsed: None,
            houses_damaged: None,
            infrastructure_damage: None,
            rescue_status: None,
            measures_taken: None,
        }
    }

    /// Whether the content field `name` (a [`crate::ReportField`] name) is
    /// filled. An unknown name counts as absent, so a field added to the
    /// policy file before the code shows up as missing, never as filled.
    pub fn has(&self, name: &str) -> bool {
        let text = |s: &Option<String>| s.as_deref().is_some_and(|t| !t.trim().is_empty());
        match name {
            "occurred_at" => self.occurred_at.is_some(),
            "place" => text(&self.place),
            "town" => text(&self.town),
            "source" => text(&self.source),
            "nature" => text(&self.nature),
            "course" => text(&self.course),
            "impact_scope" => text(&self.impact_scope),
            "environmental_impact" => text(&self.environmental_impact),
            "deaths" => self.deaths.is_some(),
            "injured" => self.injured.is_some(),
            "missing" => self.missing.is_some(),
            "houses_collapsed" => self.houses_collapsed.is_some(),
            "houses_damaged" => self.houses_damaged.is_some(),
            "infrastructure_damage" => text(&self.infrastructure_damage),
            "rescue_status" => text(&self.rescue_status),
            "measures_taken" => text(&self.measures_taken),
            _ => false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    incident_type: String,
    severity: Severity,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    key_area_or_period: bool,
    #[serde(default)]
    may_escalate: bool,
    #[serde(default)]
    occurred_at: Option<String>,
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    town: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    nature: Option<String>,
    #[serde(default)]
    course: Option<String>,
    #[serde(default)]
    impact_scope: Option<String>,
    #[serde(default)]
    environmental_impact: Option<String>,
    #[serde(default)]
    deaths: Option<u32>,
    #[serde(default)]
    injured: Option<u32>,
    #[serde(default)]
    missing: Option<u32>,
    #[serde(default)]
    houses_collapsed: Option<u32>,
    #[serde(default)]
    houses_damaged: Option<u32>,
    #[serde(default)]
    infrastructure_damage: Option<String>,
    #[serde(default)]
    rescue_status: Option<String>,
    #[serde(default)]
    measures_taken: Option<String>,
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
    let occurred_at = match r.occurred_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<OffsetTime>().map_err(|m| InputError::new("occurred_at", m))?),
    };
    Ok(InformationReport {
        incident_type: r.incident_type.trim().to_string(),
        severity: r.severity,
        sensitive: r.sensitive,
        key_area_or_period: r.key_area_or_period,
        may_escalate: r.may_escalate,
        occurred_at,
        place: r.place,
        town: r.town,
        source: r.source,
        nature: r.nature,
        course: r.course,
        impact_scope: r.impact_scope,
        environmental_impact: r.environmental_impact,
        deaths: r.deaths,
        injured: r.injured,
        missing: r.missing,
        houses_collapsed: r.houses_collapsed,
        houses_damaged: r.houses_damaged,
        infrastructure_damage: r.infrastructure_damage,
        rescue_status: r.rescue_status,
        measures_taken: r.measures_taken,
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
    let missing: Vec<&crate::ReportField> = rules.report_fields.iter().filter(|f| !report.has(&f.name)).collect();
    let missing_fields: Vec<String> = missing.iter().map(|f| f.name.clone()).collect();
    let content = Step::new(&rules.report_citation, "信息报告内容").reading(&rules.report_reading);
    trace.push(if missing.is_empty() {
        content.applied("报告要素齐全")
    } else {
        let names: Vec<String> = missing.iter().map(|f| format!("{}（{}）", f.label, f.name)).collect();
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
