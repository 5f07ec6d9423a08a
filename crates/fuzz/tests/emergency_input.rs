//! `emergency assess` / `emergency cap` and their API routes: the information
//! report and the warning JSON, and the CAP XML written from a warning.

use std::sync::OnceLock;

use fuzz::{assert_bounded, config, json_object, mutated};
use proptest::prelude::*;

const REPORTS: &[&str] = &[
    r#"{"incident_type":"森林火灾","severity":"一般","sensitive":false,"key_area_or_period":false,"may_escalate":true,"occurred_at":"2026-03-01T09:30:00+08:00","place":"徐庄镇东山","town":"徐庄镇","source":"护林员","nature":"林地起火","course":"上午发现山林起火","impact_scope":"过火面积约5公顷","deaths":"0","injured":"1","missing":"0","rescue_status":"扑救中","measures_taken":"组织扑火队伍"}"#,
    r#"{"incident_type":"传染病疫情","severity":"较大"}"#,
];

const WARNINGS: &[&str] = &[
    r#"{"identifier":"SHANTING-2026-0001","sender":"yingji@shanting.gov.cn","sent":"2026-07-01T08:00:00+08:00","status":"Actual","msg_type":"Alert","level":2,"incident_type":"气象灾害","headline":"暴雨橙色预警","description":"预计未来6小时降雨量将达50毫米以上","instruction":"停止户外作业","areas":["山城街道","水泉镇"],"onset":"2026-07-01T09:00:00+08:00","expires":"2026-07-02T09:00:00+08:00"}"#,
    r#"{"identifier":"SHANTING-2026-0002","sender":"yingji@shanting.gov.cn","sent":"2026-07-02T08:00:00+08:00","status":"Actual","msg_type":"Cancel","references":"yingji@shanting.gov.cn,SHANTING-2026-0001,2026-07-01T08:00:00+08:00","level":2,"incident_type":"气象灾害","headline":"解除","description":"解除","areas":["山亭区"]}"#,
];

/// The warning's fields, besides `incident_type`.
const WARNING_KEYS: &[&str] = &[
    "identifier",
    "sender",
    "sent",
    "status",
    "msg_type",
    "references",
    "level",
    "headline",
    "description",
    "instruction",
    "areas",
    "onset",
    "expires",
];

/// The contract's field names: the report's heading fields, every content
/// field the policy lists (`report_field`, so that the fuzzer follows the
/// contract), then the warning's fields.
fn keys() -> &'static [&'static str] {
    static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let content = ctx().rules.report_fields.into_iter().map(|f| &*f.name.leak());
        let heading = ["incident_type", "severity", "sensitive", "key_area_or_period", "may_escalate"];
        heading.into_iter().chain(content).chain(WARNING_KEYS.iter().copied()).collect()
    })
}

struct Ctx {
    rules: emergency::Rules,
    district: district::District,
}

fn ctx() -> Ctx {
    let on = kernel::Date::constant(2026, 7, 1);
    Ctx {
        rules: emergency::Rules::load(fuzz::params(), on).expect("rules"),
        district: district::District::load(fuzz::params()).expect("district"),
    }
}

fn check(c: &Ctx, input: &str) {
    match emergency::parse_report(input) {
        Ok(r) => {
            let _ = emergency::assess(&c.rules, &r);
        }
        Err(e) => assert_bounded(&e),
    }
    match emergency::parse_warning(input) {
        Ok(w) => match emergency::to_cap_xml(&c.rules, &c.district, &w) {
            Ok(xml) => assert!(xml.starts_with("<?xml"), "{xml}"),
            Err(e) => assert_bounded(&e),
        },
        Err(e) => assert_bounded(&e),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_reports(input in mutated(REPORTS)) {
        thread_local!(static C: Ctx = ctx());
        C.with(|c| check(c, &input));
    }

    #[test]
    fn mutated_warnings(input in mutated(WARNINGS)) {
        thread_local!(static C: Ctx = ctx());
        C.with(|c| check(c, &input));
    }

    #[test]
    fn hostile_documents(input in json_object(keys(), 3)) {
        thread_local!(static C: Ctx = ctx());
        C.with(|c| check(c, &input));
    }
}
