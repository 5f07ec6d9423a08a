#![allow(clippy::unwrap_used)]

use super::*;

fn duties() -> Duties {
    let params = kernel::ParamSet::embedded().unwrap();
    let district = district::District::load(&params).unwrap();
    Duties::load(&params, &district).unwrap()
}

fn unit(u: &str) -> Actor {
    Actor::new("u", Role::Bureau).with_unit(u)
}

fn town(t: &str) -> Actor {
    Actor::new("t", Role::Town).with_town(t)
}

fn agent(t: &str, v: &str) -> Actor {
    Actor::new("a", Role::Village).with_town(t).with_village(v)
}

fn admin() -> Actor {
    Actor::new("admin", Role::Admin)
}

#[test]
fn docs_access_md_matches_the_code() {
    let want = markdown_table(&duties());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access.md");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "docs/access.md differs from the code; run `UPDATE_EXPECT=1 cargo test -p access` and review the diff");
}

#[test]
fn every_engine_group_is_confirmed_by_exactly_one_unit() {
    let d = duties();
    for g in insurance::Group::ALL {
        assert_eq!(d.group_units(g.name()).len(), 1, "{}", g.name());
    }
    assert_eq!(d.group_units("低保"), vec!["区民政局"]);
    assert_eq!(d.groups_of("区残联"), vec!["残疾"]);
}

#[test]
fn only_the_own_village_agent_records_payments() {
    let d = duties();
    let here = Target::village("水泉镇", "东村");
    let g = d.may_on(&agent("水泉镇", "东村"), Action::InsurancePaymentRecord, &here).unwrap();
    assert!(g.full_ids);
    assert!(d.may_on(&agent("水泉镇", "西村"), Action::InsurancePaymentRecord, &here).is_err());
    assert!(d.may_on(&agent("西集镇", "东村"), Action::InsurancePaymentRecord, &here).is_err());
    for u in ["区税务局", "区商务和投资促进局", "枣庄市住房公积金管理中心山亭管理部", "区审计局"] {
        assert!(d.may(&unit(u), Action::InsurancePaymentRecord).is_err(), "{u}");
    }
    assert!(d.may(&admin(), Action::InsurancePaymentRecord).is_err());
    assert!(d.may(&town("水泉镇"), Action::InsurancePaymentRecord).is_err());
}

#[test]
fn units_without_an_insurance_duty_see_no_personal_data() {
    let d = duties();
    for u in ["区商务和投资促进局", "区应急管理局", "枣庄市住房公积金管理中心山亭管理部", "区财政局"] {
        assert!(d.may(&unit(u), Action::InsuranceRosterRead).is_err(), "{u}");
        assert!(d.may(&unit(u), Action::InsuranceRosterExport).is_err(), "{u}");
    }
    assert!(d.may(&admin(), Action::InsuranceRosterRead).is_err());
    // 区财政局 sees amounts: the statistics.
    assert!(d.may(&unit("区财政局"), Action::InsuranceStatsRead).is_ok());
}

#[test]
fn full_ids_follow_the_duty() {
    let d = duties();
    let tax = d.may(&unit("区税务局"), Action::InsuranceRosterRead).unwrap();
    assert!(tax.full_ids && tax.scope == Scope::District);
    assert_eq!(tax.show_id("370406199001011234"), "370406199001011234");
    let t = d.may(&town("水泉镇"), Action::InsuranceRosterRead).unwrap();
    assert!(!t.full_ids);
    assert_eq!(t.scope, Scope::Town("水泉镇".into()));
    let audit = d.may(&unit("区审计局"), Action::InsuranceRosterRead).unwrap();
    assert!(audit.full_ids);
    assert_eq!(mask_id_number("not an id"), "*********");
}

#[test]
fn the_audit_bureau_reads_and_never_writes() {
    let d = duties();
    let auditor = unit("区审计局");
    // Every department reports emergencies and proposes meetings (role-wide
    // duties); in the modules it supervises the audit bureau only reads.
    for &a in Action::ALL.iter().filter(|a| ["insurance.", "subsidy.", "platform."].iter().any(|p| a.key().starts_with(p))) {
        if a.kind() == ActionKind::Write && a != Action::SubsidyTargetsRecord {
            assert!(d.may(&auditor, a).is_err() || d.may_on(&auditor, a, &Target::default()).is_err(), "{}", a.key());
        }
    }
    assert!(d.may(&auditor, Action::AuditRead).is_ok());
}

#[test]
fn each_department_confirms_only_its_own_groups() {
    let d = duties();
    let on = |g: &str| Target::units(d.group_units(g).into_iter().map(String::from).collect::<Vec<_>>());
    assert!(d.may_on(&unit("区民政局"), Action::InsuranceGroupList, &on("低保")).is_ok());
    assert!(d.may_on(&unit("区民政局"), Action::InsuranceGroupList, &on("残疾")).is_err());
    assert!(d.may_on(&unit("区残联"), Action::InsuranceGroupList, &on("残疾")).is_ok());
    assert!(d.may(&unit("区税务局"), Action::InsuranceGroupList).is_err());
    assert!(d.may(&unit("区公安分局"), Action::InsuranceDeathList).is_ok());
    assert!(d.may(&unit("区商务和投资促进局"), Action::InsuranceDeathList).is_err());
}

#[test]
fn refunds_by_tax_and_the_insurance_bureaus_only() {
    let d = duties();
    for u in ["区税务局", "区人力资源和社会保障局", "区医疗保障局"] {
        assert!(d.may(&unit(u), Action::InsuranceRefund).is_ok(), "{u}");
    }
    for u in ["区财政局", "区商务和投资促进局", "区应急管理局", "枣庄市住房公积金管理中心山亭管理部"] {
        assert!(d.may(&unit(u), Action::InsuranceRefund).is_err(), "{u}");
    }
    assert!(d.may(&agent("水泉镇", "东村"), Action::InsuranceRefund).is_err());
}

#[test]
fn towns_publish_only_their_own_villages() {
    let d = duties();
    let t = town("水泉镇");
    assert!(d.may_on(&t, Action::InsurancePublish, &Target::village("水泉镇", "东村")).is_ok());
    let e = d.may_on(&t, Action::InsurancePublish, &Target::village("西集镇", "东村")).unwrap_err();
    assert!(e.to_string().contains("不在您的辖区"), "{e}");
    assert!(d.may(&unit("区税务局"), Action::InsurancePublish).is_err());
}

#[test]
fn enterprise_documents_are_seen_by_the_enterprise_and_the_reviewer() {
    let d = duties();
    let ent = Actor::new("e", Role::Enterprise).with_enterprise("91370406MA3C7K1020");
    let doc = Target::enterprise("91370406MA3C7K1020");
    assert!(d.may_on(&ent, Action::SubsidyDocumentsRead, &doc).is_ok());
    assert!(d.may_on(&ent, Action::SubsidyDocumentsRead, &Target::enterprise("913704060000000000")).is_err());
    assert!(d.may_on(&unit("区商务和投资促进局"), Action::SubsidyDocumentsRead, &doc).is_ok());
    for u in ["区税务局", "枣庄市住房公积金管理中心山亭管理部", "区财政局", "区审计局", "区政府"] {
        assert!(d.may_on(&unit(u), Action::SubsidyDocumentsRead, &doc).is_err(), "{u}");
    }
    assert!(d.may(&unit("区财政局"), Action::SubsidyPay).is_ok());
    assert!(d.may(&unit("区商务和投资促进局"), Action::SubsidyPay).is_err());
}

#[test]
fn plans_are_kept_by_their_owners() {
    let d = duties();
    let general = Target::units([GOVERNMENT_UNIT, "区应急管理局"]);
    assert!(d.may_on(&admin(), Action::PlanMaintain, &general).is_ok());
    assert!(d.may_on(&unit("区应急管理局"), Action::PlanMaintain, &general).is_ok());
    assert!(d.may_on(&town("水泉镇"), Action::PlanMaintain, &general).is_err());
    assert!(d.may_on(&town("水泉镇"), Action::PlanMaintain, &Target::town("水泉镇")).is_ok());
    assert!(d.may_on(&unit("区税务局"), Action::PlanMaintain, &general).is_err());
}

#[test]
fn warning_measures_by_the_assigned_units_and_the_emergency_bureau() {
    let d = duties();
    let m = Target::units(["区城乡水务局"]);
    assert!(d.may_on(&unit("区城乡水务局"), Action::WarningMeasure, &m).is_ok());
    assert!(d.may_on(&unit("区应急管理局"), Action::WarningMeasure, &m).is_ok());
    assert!(d.may_on(&unit("区税务局"), Action::WarningMeasure, &m).is_err());
    assert!(d.may_on(&unit("枣庄市住房公积金管理中心山亭管理部"), Action::WarningMeasure, &m).is_err());
}

#[test]
fn response_levels_by_their_deciders() {
    let d = duties();
    let incident = Target::town("水泉镇").and_units(["区应急管理局", "区自然资源局"]);
    assert!(d.may_on(&unit("区自然资源局"), Action::EmergencyLevelLead, &incident).is_ok());
    assert!(d.may_on(&unit("区税务局"), Action::EmergencyLevelLead, &incident).is_err());
    assert!(d.may_on(&admin(), Action::EmergencyLevelGovernment, &incident).is_ok());
    assert!(d.may(&unit("区应急管理局"), Action::EmergencyLevelGovernment).is_err());
    assert!(d.may(&town("水泉镇"), Action::EmergencyLevelLead).is_err());
}

#[test]
fn the_fund_office_runs_meetings_and_members_see_theirs() {
    let d = duties();
    let office = unit("枣庄市住房公积金管理中心山亭管理部");
    assert!(d.may(&office, Action::MeetingRun).is_ok());
    assert!(d.may(&unit("区财政局"), Action::MeetingRun).is_err());
    let meeting = Target::units(["区财政局", "区税务局"]);
    assert!(d.may_on(&unit("区财政局"), Action::MeetingRead, &meeting).is_ok());
    assert!(d.may_on(&unit("区应急管理局"), Action::MeetingRead, &meeting).is_err());
    assert!(d.may_on(&office, Action::MeetingRead, &meeting).is_ok());
}

#[test]
fn accounts_without_their_scope_get_nothing_own() {
    let d = duties();
    // A town account with no town, an enterprise account with no code.
    assert!(d.may(&Actor::new("x", Role::Town), Action::InsuranceRosterRead).is_err());
    assert!(d.may(&Actor::new("x", Role::Enterprise), Action::SubsidyDeclare).is_err());
    // The system actor (CLI) holds no duty at all.
    assert!(d.may(&Actor::system("cli"), Action::AccountsManage).is_err());
}

#[test]
fn a_refusal_names_the_clause_and_who_does_it() {
    let d = duties();
    let e = d.may(&unit("区商务和投资促进局"), Action::InsuranceRefund).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("无权办理退费") && m.contains("六（四）2") && m.contains("区税务局"), "{m}");
}

#[test]
fn a_table_naming_an_unknown_unit_or_lacking_a_duty_is_refused() {
    let params = kernel::ParamSet::embedded().unwrap();
    let district = district::District::load(&params).unwrap();
    let text = params.file(Duties::FILE).unwrap();
    let bad = text.replacen("holders = [{ unit = \"区税务局\" }]", "holders = [{ unit = \"区不存在局\" }]", 1);
    assert!(Duties::parse(&bad, &district).unwrap_err().to_string().contains("区不存在局"));
    let cut = text.replacen("key = \"meeting.convener\"", "key = \"meeting.unknown\"", 1);
    assert!(Duties::parse(&cut, &district).is_err());
}
