//! Emergency storage on both backends: incidents with follow-ups and running
//! totals, drills apart, level changes, ending conditions, warnings with their
//! CAP messages and the feed row rewritten in the same transaction, resources
//! and plans. The engine's decisions are given as plain data here.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use store::Store;
use store::emergency::{CapMessage, Group, IncidentFilter, NewIncident, Plan, Publication, Report, Resource, Warning};

#[macro_use]
mod common;

fn incident(drill: bool) -> NewIncident {
    NewIncident {
        title: "冒顶".into(),
        incident_type: "非煤矿山事故".into(),
        category: Some("事故灾难".into()),
        severity: "较大".into(),
        town: "水泉镇".into(),
        place: "某矿".into(),
        occurred_at: Some("2026-11-28T10:20:00+08:00".into()),
        sensitive: false,
        key_area_or_period: false,
        may_escalate: false,
        lead_departments: vec!["区应急管理局".into()],
        command_body: Some("区非煤矿山事故应急指挥部".into()),
        needs_designation: false,
        checklist: Some("general".into()),
        suggested_level: "III".into(),
        suggested_decided_by: "区政府分管负责同志".into(),
        report_to_city: true,
        skip_level_report: false,
        explanation: vec!["附件".into()],
        drill,
        measures: vec!["① 救治".into(), "② 疏散".into()],
    }
}

fn report(injured: i64) -> Report {
    Report {
        kind: "initial".into(), reporter: "town".into(), reporter_unit: "水泉镇".into(), injured: Some(injured), ..Default::default()
    }
}

both!(incidents_follow_ups_levels_and_end, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    let id = s.emergency_create_incident("town", &incident(false), &report(2)).await.unwrap();
    s.emergency_create_incident("town", &incident(true), &report(9)).await.unwrap();
    s.emergency_add_report("town", id, &Report { kind: "followup".into(), deaths: Some(1), ..report(1) }).await.unwrap();
    let d = s.emergency_incident_detail(id).await.unwrap();
    assert_eq!((d.totals.injured, d.totals.deaths), (3, 1));
    assert_eq!(d.running.iter().map(|t| t.injured).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(d.measures.len(), 2);
    assert_eq!(s.emergency_counts(false).await.unwrap().active, 1);
    assert_eq!(s.emergency_counts(true).await.unwrap().active, 1);
    assert_eq!(s.emergency_incidents(&IncidentFilter::default()).await.unwrap().len(), 1);
    let v0 = s.emergency_board_version().await.unwrap();
    s.emergency_set_level("admin", id, "II", "区政府", "扩大").await.unwrap();
    assert!(s.emergency_board_version().await.unwrap() > v0);
    assert!(s.emergency_set_level("admin", id, "II", "区政府", "again").await.is_err());
    let g =
        Group { number: 1, name: "综合协调组".into(), members: "有关部门".into(), leader: String::new(), tasks: String::new() };
    s.emergency_open_post("emergency", id, "副区长", "矿口", std::slice::from_ref(&g)).await.unwrap();
    assert!(s.emergency_open_post("emergency", id, "副区长", "矿口", &[g]).await.is_err());
    s.emergency_tick_measure("emergency", id, 1).await.unwrap();
    assert!(s.emergency_tick_measure("emergency", id, 1).await.is_err());
    // An unmet condition writes nothing.
    assert!(s.emergency_end("emergency", id, true, true, false, "").await.is_err());
    assert_eq!(s.emergency_incident(id).await.unwrap().status, "active");
    s.emergency_end("emergency", id, true, true, true, "完毕").await.unwrap();
    assert_eq!(s.emergency_counts(false).await.unwrap().ended, 1);
    assert!(s.emergency_add_report("town", id, &report(1)).await.is_err());
    let year: i16 = s.emergency_incident(id).await.unwrap().ended_at.unwrap()[..4].parse().unwrap();
    assert_eq!(s.emergency_unevaluated(year).await.unwrap().len(), 1);
    s.emergency_set_recovery("emergency", id, "善后", "评估", "重建").await.unwrap();
    assert!(s.emergency_unevaluated(year).await.unwrap().is_empty());
    assert!(matches!(s.verify_audit().await.unwrap(), store::VerifyReport::Intact { .. }));
});

both!(warnings_feed_resources_plans, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    let w = Warning {
        incident_type: "气象灾害".into(),
        level: 4,
        headline: "暴雨蓝色预警".into(),
        description: "暴雨".into(),
        instruction: "防范".into(),
        issuer: "区应急管理局".into(),
        areas: "水泉镇".into(),
        ..Default::default()
    };
    let id = s.emergency_create_warning("emergency", &w, &["值班".into()]).await.unwrap();
    let render =
        |cur: &[(Warning, CapMessage)]| cur.iter().map(|(w, m)| format!("{}@{}", w.headline, m.identifier)).collect::<Vec<_>>().join(";");
    let msg = |n: u32, t: &str| Publication {
        identifier: format!("W-{id}-{n}"),
        msg_type: t.into(),
        sent: format!("2026-11-28T10:0{n}:00+08:00"),
        refs: String::new(),
        xml: format!("<alert>{n}</alert>"),
    };
    // Not approved yet: cannot issue.
    assert!(s.emergency_publish_warning("emergency", id, "issued", &msg(1, "Alert"), None, &render).await.is_err());
    s.emergency_approve_warning("admin", id).await.unwrap();
    s.emergency_publish_warning("emergency", id, "issued", &msg(1, "Alert"), None, &render).await.unwrap();
    let (v1, body) = s.emergency_feed().await.unwrap().unwrap();
    assert_eq!(body, format!("暴雨蓝色预警@W-{id}-1"));
    let adj = store::emergency::Adjustment {
        level: 3,
        headline: "暴雨黄色预警".into(),
        description: "暴雨".into(),
        instruction: "防范".into(),
        expires: None,
    };
    s.emergency_publish_warning("emergency", id, "adjusted", &msg(2, "Update"), Some(&adj), &render).await.unwrap();
    let (v2, body) = s.emergency_feed().await.unwrap().unwrap();
    assert!(v2 > v1);
    assert_eq!(body, format!("暴雨黄色预警@W-{id}-2"));
    s.emergency_publish_warning("emergency", id, "lifted", &msg(3, "Cancel"), None, &render).await.unwrap();
    assert_eq!(s.emergency_feed().await.unwrap().unwrap().1, "");
    assert_eq!(s.emergency_cap_xml(&format!("W-{id}-1")).await.unwrap().as_deref(), Some("<alert>1</alert>"));
    assert_eq!(s.emergency_warning_detail(id).await.unwrap().messages.len(), 3);
    assert!(s.emergency_publish_warning("emergency", id, "adjusted", &msg(4, "Update"), None, &render).await.is_err());

    let tent =
        Resource { kind: "material".into(), name: "帐篷".into(), quantity: 10, minimum: 20, unit: "顶".into(), ..Default::default() };
    let rid = s.emergency_add_resource("emergency", &tent).await.unwrap();
    assert!(s.emergency_add_resource("emergency", &Resource { kind: "x".into(), ..tent.clone() }).await.is_err());
    let inc = s.emergency_create_incident("town", &incident(false), &report(0)).await.unwrap();
    assert!(s.emergency_assign("emergency", inc, rid, 11).await.is_err());
    s.emergency_assign("emergency", inc, rid, 4).await.unwrap();
    assert_eq!(s.emergency_resources(Some("material"), Some("帐")).await.unwrap()[0].quantity, 6);
    assert!(s.emergency_resources(Some("expert"), None).await.unwrap().is_empty());
    let p = Plan {
        kind: "town".into(),
        name: "水泉镇预案".into(),
        issuer: "水泉镇".into(),
        issued_on: "2026-01-05".into(),
        filing_body: "区政府".into(),
        filing_deadline: "2026-02-02".into(),
        ..Default::default()
    };
    let pid = s.emergency_add_plan("town", &p).await.unwrap();
    s.emergency_file_plan("emergency", pid, "2026-01-20").await.unwrap();
    assert!(s.emergency_file_plan("emergency", pid, "2026-01-21").await.is_err());
    assert_eq!(s.emergency_plans().await.unwrap()[0].filed_on.as_deref(), Some("2026-01-20"));
});
