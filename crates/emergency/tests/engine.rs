//! The engine against the plan: every annex row, every response level, the
//! raise and reporting rules on both sides, report content and input errors.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use district::District;
use emergency::{InformationReport, ResponseLevel, Rules, Severity, assess, level_roles, parse_report, plan_filing_deadline};
use kernel::{Date, ParamSet, WorkCalendar};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn rules() -> Rules {
    Rules::load(&ParamSet::embedded().unwrap(), d("2023-05-01")).unwrap()
}

/// The annex (山政发〔2022〕8号 附件), merged cells read from the row above.
const ANNEX: [(&str, &str, &[&str], &str); 36] = [
    ("自然灾害", "水旱灾害", &["区应急管理局", "区城乡水务局"], "区防汛抗旱指挥部"),
    ("自然灾害", "气象灾害", &["区气象服务中心", "区应急管理局"], "区减灾委员会"),
    ("自然灾害", "地震灾害", &["区应急管理局"], "区抗震救灾指挥部"),
    ("自然灾害", "地质灾害", &["区应急管理局", "区自然资源局"], "区地质灾害事故应急指挥部"),
    ("自然灾害", "森林火灾", &["区应急管理局", "区自然资源局"], "区森林防灭火指挥部"),
    ("自然灾害", "生物灾害", &["区农业农村局", "区自然资源局"], "区生物灾害指挥部"),
    ("事故灾难", "危险化学品（烟花爆竹）事故", &["区应急管理局"], "区危险化学品事故应急指挥部"),
    ("事故灾难", "非煤矿山事故", &["区应急管理局"], "区非煤矿山事故应急指挥部"),
    ("事故灾难", "火灾事故", &["区消防救援大队", "区应急管理局"], "区火灾事故应急指挥部"),
    ("事故灾难", "道路交通事故", &["区公安分局"], "区道路交通事故应急指挥部"),
    ("事故灾难", "特种设备事故", &["区市场监督管理局"], "区特种设备事故应急指挥部"),
    ("事故灾难", "房屋建筑突发事故", &["区住房和城乡建设局"], "区房屋建筑突发事故应急指挥部"),
    ("事故灾难", "燃气事故", &["区住房和城乡建设局"], "区燃气事故应急指挥部"),
    ("事故灾难", "城区供热突发事件", &["区住房和城乡建设局"], "区城区供热事故应急指挥部"),
    ("事故灾难", "城区供水突发事件", &["区城乡水务局"], "区城区供水突发事件应急指挥部"),
    ("事故灾难", "大面积停电事件", &["区发展和改革局"], "区大面积停电事件应急指挥部"),
    ("事故灾难", "油气长输管道突发事件", &["区发展和改革局"], "区油气长输管道突发事件应急指挥部"),
    ("事故灾难", "辐射事故", &["区生态环境分局"], "区生态环境事件应急指挥部"),
    ("事故灾难", "重污染天气事件", &["区生态环境分局"], "区生态环境事件应急指挥部"),
    ("事故灾难", "环境污染事件", &["区生态环境分局"], "区生态环境事件应急指挥部"),
    ("事故灾难", "生态破坏事件", &["区生态环境分局"], "区生态环境事件应急指挥部"),
    ("公共卫生事件", "传染病疫情", &["区卫生健康局"], "区公共卫生事件应急指挥部"),
    ("公共卫生事件", "群体性不明原因疾病", &["区卫生健康局"], "区公共卫生事件应急指挥部"),
    ("公共卫生事件", "急性中毒事件", &["区卫生健康局"], "区公共卫生事件应急指挥部"),
    ("公共卫生事件", "食品安全事件", &["区市场监督管理局"], "区食品安全事件应急指挥部"),
    ("公共卫生事件", "药品（疫苗）安全事件", &["区市场监督管理局"], "区药品（疫苗）安全事件应急指挥部"),
    ("公共卫生事件", "动物疫情事件", &["区畜牧业发展中心"], "区动物疫情事件应急指挥部"),
    ("社会安全事件", "恐怖袭击事件", &["区公安分局"], "区反恐工作领导小组"),
    ("社会安全事件", "刑事案件", &["区公安分局"], "区刑事案件应急指挥部"),
    ("社会安全事件", "群体性事件", &["区公安分局"], "区群体性事件应急指挥部"),
    ("社会安全事件", "网络与信息安全事件", &["区公安分局"], "区网络与信息安全事件应急指挥部"),
    ("社会安全事件", "生活必需品市场供应突发事件", &["区商务和投资促进局"], "区生活必需品市场供应突发事件应急指挥部"),
    ("社会安全事件", "金融突发事件", &["区金融服务中心"], "区金融突发事件应急指挥部"),
    ("社会安全事件", "涉外突发事件", &["区政府办公室"], "区涉外突发事件应急指挥部"),
    ("社会安全事件", "民族宗教事件", &["区委统战部"], "区民族宗教事件应急指挥部"),
    ("社会安全事件", "舆情突发事件", &["区委宣传部"], "区舆情突发事件应急指挥部"),
];

#[test]
fn every_annex_row_routes_to_its_leads_and_command_body() {
    let r = rules();
    assert_eq!(r.incident_types.len(), 36);
    for (category, name, leads, body) in ANNEX {
        let a = assess(&r, &InformationReport::new(name, Severity::Ordinary));
        assert_eq!(a.category.as_deref(), Some(category), "{name}");
        assert_eq!(a.lead_departments, leads, "{name}");
        assert_eq!(a.command_body.as_deref(), Some(body), "{name}");
        assert!(!a.needs_designation, "{name}");
        assert!(a.explanation[0].contains(body), "{name}: {}", a.explanation[0]);
    }
    // The annex numbers each category from 1 with no gaps.
    for c in ["自然灾害", "事故灾难", "公共卫生事件", "社会安全事件"] {
        let nums: Vec<u32> = r.incident_types.iter().filter(|t| t.category == c).map(|t| t.number).collect();
        assert_eq!(nums, (1..=nums.len() as u32).collect::<Vec<_>>(), "{c}");
    }
}

#[test]
fn merged_cells_are_read_from_the_row_above_and_say_so() {
    let r = rules();
    let a = assess(&r, &InformationReport::new("重污染天气事件", Severity::Ordinary));
    assert!(a.explanation[0].contains("原表主要牵头部门、专项指挥机构栏为合并单元格"), "{}", a.explanation[0]);
    let a = assess(&r, &InformationReport::new("非煤矿山事故", Severity::Ordinary));
    assert!(a.explanation[0].contains("原表主要牵头部门栏为合并单元格"), "{}", a.explanation[0]);
    let a = assess(&r, &InformationReport::new("辐射事故", Severity::Ordinary));
    assert!(!a.explanation[0].contains("合并单元格"), "{}", a.explanation[0]);
    // Every merged cell has the value of the row above in the same category.
    for (i, t) in r.incident_types.iter().enumerate() {
        for cell in &t.merged {
            let above = &r.incident_types[i - 1];
            assert_eq!(above.category, t.category, "{}", t.name);
            match cell.as_str() {
                "lead_departments" => assert_eq!(above.lead_departments, t.lead_departments, "{}", t.name),
                "command_body" => assert_eq!(above.command_body, t.command_body, "{}", t.name),
                other => panic!("unknown merged cell {other}"),
            }
        }
    }
}

#[test]
fn lead_departments_are_district_departments() {
    let p = ParamSet::embedded().unwrap();
    let district = District::load(&p).unwrap();
    let r = rules();
    for t in &r.incident_types {
        for dept in &t.lead_departments {
            assert!(district.department(dept).is_some(), "{} → {dept}", t.name);
        }
    }
    for c in &r.categories {
        assert!(district.department(&c.lead).is_some(), "{}", c.lead);
    }
    for g in &r.working_groups {
        for m in &g.members {
            assert!(district.department(m).is_some(), "{} → {m}", g.name);
        }
    }
}

#[test]
fn a_type_outside_the_annex_needs_designation() {
    let r = rules();
    let a = assess(&r, &InformationReport::new("陨石坠落", Severity::Large));
    assert!(a.needs_designation);
    assert!(a.lead_departments.is_empty());
    assert_eq!(a.command_body, None);
    assert_eq!(a.category, None);
    assert_eq!(a.checklist, None);
    assert!(a.explanation[0].contains("提交区政府主要领导或区政府常务会议决定"), "{}", a.explanation[0]);
    let j = serde_json::to_value(&a).unwrap();
    assert!(j["command_body"].is_null());
    assert_eq!(j["lead_departments"], serde_json::json!([]));
    // The level and roles still follow the grade.
    assert_eq!(a.response_level, ResponseLevel::III);
}

#[test]
fn each_response_level_has_its_decider_and_leaders() {
    let r = rules();
    let expected: [(ResponseLevel, &str, &[&str]); 4] = [
        (ResponseLevel::I, "区政府", &["区长"]),
        (ResponseLevel::II, "区政府", &["常务副区长", "区政府分管负责同志"]),
        (ResponseLevel::III, "区政府分管负责同志", &["区政府分管负责同志", "牵头部门主要负责人"]),
        (ResponseLevel::IV, "牵头部门", &["牵头部门主要负责人"]),
    ];
    for (level, decided, led) in expected {
        let (d, l) = level_roles(&r, level);
        assert_eq!(d, decided, "{level:?}");
        assert_eq!(l, led, "{level:?}");
    }
    // Through assess, with the default mapping and no raise.
    let grades = [
        (Severity::Extraordinary, ResponseLevel::I),
        (Severity::Major, ResponseLevel::II),
        (Severity::Large, ResponseLevel::III),
        (Severity::Ordinary, ResponseLevel::IV),
    ];
    for ((grade, level), (lv, decided, led)) in grades.into_iter().zip(expected) {
        assert_eq!(level, lv);
        let a = assess(&r, &InformationReport::new("火灾事故", grade));
        assert_eq!(a.response_level, level, "{grade:?}");
        assert_eq!(a.decided_by, decided);
        assert_eq!(a.led_by, led);
        assert!(!a.raised);
        let j = serde_json::to_value(&a).unwrap();
        assert_eq!(j["response_level"], level.code());
    }
}

#[test]
fn sensitive_or_key_area_raises_one_level_never_above_i() {
    let r = rules();
    let cases = [
        (Severity::Ordinary, ResponseLevel::III),
        (Severity::Large, ResponseLevel::II),
        (Severity::Major, ResponseLevel::I),
        (Severity::Extraordinary, ResponseLevel::I),
    ];
    for (grade, raised) in cases {
        for (sensitive, key) in [(true, false), (false, true), (true, true)] {
            let mut rep = InformationReport::new("燃气事故", grade);
            rep.sensitive = sensitive;
            rep.key_area_or_period = key;
            let a = assess(&r, &rep);
            assert_eq!(a.response_level, raised, "{grade:?} {sensitive} {key}");
            let (decided, led) = level_roles(&r, raised);
            assert_eq!(a.decided_by, decided);
            assert_eq!(a.led_by, led);
            let text = a.explanation.join("\n");
            if grade == Severity::Extraordinary {
                assert!(text.contains("Ⅰ级已是最高级别"), "{text}");
                assert!(!a.raised);
            } else {
                assert!(text.contains(&format!("提高为{}级", raised.numeral())), "{text}");
                assert!(a.raised);
            }
        }
        // may_escalate alone changes reporting, not the level.
        let mut rep = InformationReport::new("燃气事故", grade);
        rep.may_escalate = true;
        let a = assess(&r, &rep);
        assert_eq!(a.response_level, a.base_level, "{grade:?}");
        assert!(a.explanation.join("\n").contains("不适用：事件不敏感"));
    }
}

#[test]
fn report_to_city_from_larger_grades_or_flags() {
    let r = rules();
    // 较大及以上: 以上 includes 较大 itself; 一般 is below.
    for (grade, expected) in
        [(Severity::Ordinary, false), (Severity::Large, true), (Severity::Major, true), (Severity::Extraordinary, true)]
    {
        let a = assess(&r, &InformationReport::new("地震灾害", grade));
        assert_eq!(a.report_to_city, expected, "{grade:?}");
    }
    // A 一般 incident is reported regardless of grade when flagged.
    for flag in 0..3 {
        let mut rep = InformationReport::new("地震灾害", Severity::Ordinary);
        match flag {
            0 => rep.sensitive = true,
            1 => rep.key_area_or_period = true,
            _ => rep.may_escalate = true,
        }
        let a = assess(&r, &rep);
        assert!(a.report_to_city, "flag {flag}");
    }
}

#[test]
fn skip_level_only_for_extraordinary() {
    let r = rules();
    for (grade, expected) in
        [(Severity::Extraordinary, true), (Severity::Major, false), (Severity::Large, false), (Severity::Ordinary, false)]
    {
        let mut rep = InformationReport::new("群体性事件", grade);
        rep.sensitive = true;
        let a = assess(&r, &rep);
        assert_eq!(a.skip_level_report, expected, "{grade:?}");
    }
}

#[test]
fn city_leads_from_larger_grades() {
    let r = rules();
    assert!(!assess(&r, &InformationReport::new("火灾事故", Severity::Ordinary)).city_leads);
    assert!(assess(&r, &InformationReport::new("火灾事故", Severity::Large)).city_leads);
}

/// The contract's example, every field filled (also the CLI's:
/// `crates/shanting/tests/emergency_cli.rs`).
const FULL: &str = include_str!("data/report.json");

#[test]
fn the_contract_example_assesses_as_documented() {
    let r = rules();
    let a = assess(&r, &parse_report(FULL).unwrap());
    let mut j = serde_json::to_value(&a).unwrap();
    let explanation = j.as_object_mut().unwrap().remove("explanation").unwrap();
    // Every other field, and no more, as the contract documents them.
    let expected: serde_json::Value = serde_json::from_str(include_str!("data/assessment.json")).unwrap();
    assert_eq!(j, expected);
    assert!(explanation.as_array().unwrap().iter().all(|l| l.as_str().unwrap().starts_with("【山政发〔2022〕8号")));
    assert!(a.trace.steps.len() >= 7);
}

#[test]
fn missing_fields_in_contract_order() {
    let r = rules();
    let mut v: serde_json::Value = serde_json::from_str(FULL).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("place");
    o.insert("nature".into(), serde_json::json!("   "));
    o.insert("deaths".into(), serde_json::Value::Null);
    o.remove("measures_taken");
    o.insert("occurred_at".into(), serde_json::json!(""));
    let a = assess(&r, &parse_report(&v.to_string()).unwrap());
    assert_eq!(a.missing_fields, ["occurred_at", "place", "nature", "deaths", "measures_taken"]);
    assert!(a.explanation.join("\n").contains("缺少5项"));
    // Zero is a filled count.
    let full = assess(&r, &parse_report(FULL).unwrap());
    assert!(full.missing_fields.is_empty());
    // A bare report misses all sixteen, in the policy file's order.
    let bare = assess(&r, &parse_report(r#"{"incident_type":"火灾事故","severity":"一般"}"#).unwrap());
    let names: Vec<&str> = r.report_fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(bare.missing_fields, names);
    assert_eq!(
        names,
        [
            "occurred_at",
            "place",
            "town",
            "source",
            "nature",
            "course",
            "impact_scope",
            "environmental_impact",
            "deaths",
            "injured",
            "missing",
            "houses_collapsed",
            "houses_damaged",
            "infrastructure_damage",
            "rescue_status",
            "measures_taken"
        ]
    );
}

fn error_path(json: &str) -> (String, String) {
    let e = parse_report(json).unwrap_err();
    (e.path, e.message)
}

#[test]
fn input_errors_name_the_field() {
    let (p, m) = error_path(r#"{"incident_type":"火灾事故","severity":"严重"}"#);
    assert_eq!(p, "severity");
    assert!(m.contains("特别重大、重大、较大、一般"), "{m}");
    assert_eq!(error_path(r#"{"incident_type":"火灾事故"}"#).0, "severity");
    assert_eq!(error_path(r#"{"incident_type":"火灾事故","severity":null}"#).0, "severity");
    assert_eq!(error_path(r#"{"incident_type":"火灾事故","severity":3}"#).0, "severity");
    assert_eq!(error_path(r#"{"severity":"一般"}"#).0, "incident_type");
    assert_eq!(error_path(r#"{"incident_type":" ","severity":"一般"}"#).0, "incident_type");
    assert_eq!(error_path(r#"{"incident_type":"火灾事故","severity":"一般","deaths":-1}"#).0, "deaths");
    assert_eq!(error_path(r#"{"incident_type":"火灾事故","severity":"一般","injured":"2"}"#).0, "injured");
    assert_eq!(error_path(r#"{"incident_type":"火灾事故","severity":"一般","occurred_at":"2023-05-01 10:20"}"#).0, "occurred_at");
    assert_eq!(error_path(r#"{"incident_type":"火灾事故","severity":"一般","sensitive":"yes"}"#).0, "sensitive");
    let (p, m) = error_path(r#"{"incident_type":"火灾事故","severity":"一般","deaht":1}"#);
    assert_eq!(p, "deaht");
    assert!(m.contains("未知字段"), "{m}");
    assert!(error_path("{not json").1.contains("JSON"));
    // The four grades all parse.
    for g in ["特别重大", "重大", "较大", "一般"] {
        let r = parse_report(&format!(r#"{{"incident_type":"火灾事故","severity":"{g}"}}"#)).unwrap();
        assert_eq!(r.severity.chinese(), g);
    }
}

#[test]
fn rules_are_not_in_force_before_the_plan() {
    let p = ParamSet::embedded().unwrap();
    let e = Rules::load(&p, d("2022-08-30")).unwrap_err();
    assert!(e.to_string().contains("emergency.plan.in_force") && e.to_string().contains("2022-08-30"), "{e}");
    assert!(Rules::load(&p, d("2022-08-31")).is_ok());
}

#[test]
fn warning_levels_and_their_measures() {
    let r = rules();
    let expected = [(1, "一级", "特别严重", "红色"), (2, "二级", "严重", "橙色"), (3, "三级", "较重", "黄色"), (4, "四级", "一般", "蓝色")];
    for (n, label, name, colour) in expected {
        let w = r.warning_level(n).unwrap();
        assert_eq!((w.label.as_str(), w.name.as_str(), w.colour.as_str()), (label, name, colour));
        let counts: Vec<usize> = r.warning_measures(n).iter().map(|s| s.items.len()).collect();
        // Blue and yellow: the three measures; red and orange add seven more.
        assert_eq!(counts, if n <= 2 { vec![3, 7] } else { vec![3] }, "{label}");
    }
    assert!(r.warning_level(0).is_none() && r.warning_level(5).is_none());
}

#[test]
fn command_post_groups_checklists_plans() {
    let r = rules();
    let names: Vec<&str> = r.working_groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "综合协调组",
            "灾害监测组",
            "应急救援（处置）组",
            "交通保障组",
            "医疗卫生组",
            "后勤保障组",
            "治安维护组",
            "善后处置组",
            "宣传舆情组",
            "人员疏散安置组",
            "技术专家组"
        ]
    );
    for g in &r.working_groups {
        assert!(!g.duties.is_empty(), "{}", g.name);
        assert!(!g.members.is_empty() || !g.other_members.is_empty(), "{}", g.name);
    }
    for c in ["自然灾害", "事故灾难", "公共卫生事件"] {
        assert_eq!(r.checklist_for(c).unwrap().items.len(), 14, "{c}");
    }
    let social = r.checklist_for("社会安全事件").unwrap();
    assert_eq!(social.items.len(), 6);
    assert!(social.items[0].starts_with("尽快了解和分析事件起因"));
    let a = assess(&r, &InformationReport::new("群体性事件", Severity::Ordinary));
    assert_eq!(a.checklist.as_deref(), Some("social_security"));
    let a = assess(&r, &InformationReport::new("食品安全事件", Severity::Ordinary));
    assert_eq!(a.checklist.as_deref(), Some("general"));
    let kinds: Vec<&str> = r.plan_kinds.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(kinds, ["general", "special", "department", "town", "village", "company"]);
    assert_eq!(r.plan_kind("general").unwrap().filing_bodies, ["市政府"]);
    assert_eq!(r.plan_kind("town").unwrap().filing_bodies, ["区政府"]);
    assert_eq!(r.revision.triggers.len(), 7);
    assert_eq!(r.evaluation_quarter.value, 1);
    assert_eq!(r.ending.conditions.len(), 3);
    assert_eq!(r.state_of_emergency.decided_by, "市政府");
    assert_eq!(r.information_release.released_by, "专项应急指挥部");
    assert_eq!(r.publication.channels.len(), 9);
    assert!(r.publication.targeted_places.iter().any(|p| p == "警报盲区"));
    assert_eq!(r.reporting_chain.forbidden, ["迟报", "漏报", "谎报", "瞒报"]);
    assert_eq!(r.drills.forms, ["实战演练", "桌面推演"]);
}

#[test]
fn plan_filing_deadline_is_twenty_working_days() {
    let r = rules();
    let cal = WorkCalendar::embedded().unwrap();
    assert_eq!(r.filing_workdays.value, 20);
    // Issued the Wednesday before the 2023 National Day break (9-29 to 10-6,
    // with 10-7 and 10-8 worked): 9-28, 10-7, 10-8 … the 20th is 10-31.
    let deadline = plan_filing_deadline(&r, &cal, d("2023-09-27")).unwrap();
    assert_eq!(deadline, d("2023-10-31"));
    assert_eq!(cal.workdays_between(d("2023-09-27"), deadline).unwrap(), 20);
    // 内 includes the deadline itself: filing on it is on time, the next day late.
    assert!(!r.filing_overdue(&cal, d("2023-09-27"), Some(d("2023-10-31")), d("2023-12-01")).unwrap());
    assert!(r.filing_overdue(&cal, d("2023-09-27"), Some(d("2023-11-01")), d("2023-12-01")).unwrap());
    assert!(!r.filing_overdue(&cal, d("2023-09-27"), None, d("2023-10-31")).unwrap());
    assert!(r.filing_overdue(&cal, d("2023-09-27"), None, d("2023-11-01")).unwrap());
    // Outside the calendar: an error, not a guess.
    assert!(plan_filing_deadline(&r, &cal, d("2030-01-01")).is_err());
}

#[test]
fn every_grade_and_flag_combination_obeys_the_raise_and_reporting_rules() {
    let r = rules();
    for grade in Severity::ALL {
        for bits in 0..8u8 {
            let mut rep = InformationReport::new("道路交通事故", grade);
            rep.sensitive = bits & 1 != 0;
            rep.key_area_or_period = bits & 2 != 0;
            rep.may_escalate = bits & 4 != 0;
            let a = assess(&r, &rep);
            let base = r.default_level(grade).value;
            assert_eq!(a.base_level, base);
            let raise = rep.sensitive || rep.key_area_or_period;
            let expected = if raise && base != ResponseLevel::I { ResponseLevel::ALL[base as usize - 1] } else { base };
            assert_eq!(a.response_level, expected, "{grade:?} {bits}");
            assert!(a.response_level <= base, "never lowered");
            let grade_reports = matches!(grade, Severity::Extraordinary | Severity::Major | Severity::Large);
            assert_eq!(a.report_to_city, grade_reports || bits != 0, "{grade:?} {bits}");
            assert_eq!(a.skip_level_report, grade == Severity::Extraordinary);
            let (decided, led) = level_roles(&r, a.response_level);
            assert_eq!((a.decided_by.as_str(), a.led_by.as_slice()), (decided, led));
        }
    }
}

/// 4.5.6: the ending conditions are the policy's, not a copy in code: a
/// changed `[ending]` in `command.toml` changes what must be confirmed.
#[test]
fn ending_conditions_come_from_the_policy() {
    use std::collections::BTreeSet;
    let r = rules();
    assert_eq!(r.ending.conditions.len(), 3);
    let all: BTreeSet<usize> = (0..3).collect();
    assert!(r.check_ending(&all).is_ok());
    let e = r.check_ending(&[0, 1].into_iter().collect()).unwrap_err();
    assert!(e.to_string().contains("专家组") && e.to_string().contains("4.5.6"), "{e}");
    assert!(!e.to_string().contains("现场应急处置"), "only the unmet condition is named: {e}");

    let base = ParamSet::embedded_files();
    let text = base.iter().find(|(p, _)| p == "emergency/command.toml").map(|(_, t)| t.clone()).unwrap();
    let needle = "\"经专家组会商研判，确定符合应急结束条件\"]";
    assert!(text.contains(needle));
    let changed = text.replace(needle, "\"经专家组会商研判，确定符合应急结束条件\", \"已向市政府报告处置情况\"]");
    let p = ParamSet::from_files(base, vec![("emergency/command.toml".into(), changed)]).unwrap();
    let r = Rules::load(&p, d("2023-05-01")).unwrap();
    assert_eq!(r.ending.conditions.len(), 4);
    let e = r.check_ending(&all).unwrap_err();
    assert!(e.to_string().contains("已向市政府报告处置情况"), "{e}");
    assert!(r.check_ending(&(0..4).collect()).is_ok());
}

/// 1.6: Ⅰ–Ⅲ are decided by 区政府 (or its leader in charge), Ⅳ by the lead
/// department; a type the annex does not cover has no lead until 区政府
/// designates one (3.2), so 区政府 decides Ⅳ too.
#[test]
fn the_decider_of_each_level() {
    use emergency::Decider;
    let r = rules();
    for l in [ResponseLevel::I, ResponseLevel::II, ResponseLevel::III] {
        assert_eq!(r.decider(l, true), Decider::DistrictGovernment, "{l:?}");
    }
    assert_eq!(r.decider(ResponseLevel::IV, true), Decider::LeadDepartment);
    assert_eq!(r.decider(ResponseLevel::IV, false), Decider::DistrictGovernment);
}

/// The web form's fields are the policy's `report_field` list, read into
/// the one content type: blanks absent, counts and times checked by label.
#[test]
fn report_content_from_a_form() {
    use emergency::ReportContent;
    let r = rules();
    let form = [("occurred_at", "2026-11-28T10:20"), ("place", " 某矿 "), ("deaths", "0"), ("injured", ""), ("course", "冒顶")];
    let get = |k: &str| form.iter().find(|(a, _)| *a == k).map(|(_, v)| *v);
    let c = ReportContent::from_form(&r.report_fields, get).unwrap();
    assert_eq!(c.occurred_at.as_ref().map(|t| t.as_str()), Some("2026-11-28T10:20:00+08:00"));
    assert_eq!((c.place.as_deref(), c.deaths, c.injured), (Some("某矿"), Some(0), None));
    assert!(c.filled().contains("course") && !c.filled().contains("injured"));
    let bad = |k: &'static str, v: &'static str| ReportContent::from_form(&r.report_fields, move |f| (f == k).then_some(v)).unwrap_err();
    let e = bad("injured", "-1");
    assert_eq!(e.path, "injured");
    assert!(e.message.contains("伤") && e.message.contains("非负整数"), "{e}");
    assert_eq!(bad("occurred_at", "昨天").path, "occurred_at");
    let long = "长".repeat(emergency::MAX_TEXT + 1);
    assert!(ReportContent::from_form(&r.report_fields, |f| (f == "course").then_some(long.as_str())).is_err());
    // A field the policy lists but the code lacks is an error, not dropped.
    let mut fields = r.report_fields.clone();
    fields.push(emergency::ReportField { name: "weather".into(), label: "天气".into(), kind: "text".into() });
    let e = ReportContent::from_form(&fields, |f| (f == "weather").then_some("雨")).unwrap_err();
    assert_eq!(e.path, "weather");
    // Every policy field is a field of the content type, and the other way round.
    let mut names: Vec<String> = r.report_fields.iter().map(|f| f.name.clone()).collect();
    names.sort();
    let mut code = ReportContent::field_names();
    code.sort();
    assert_eq!(names, code);
}
