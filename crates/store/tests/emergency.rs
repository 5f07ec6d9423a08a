//! Emergency storage on both backends: incidents with follow-ups and running
//! totals, drills apart, level changes, ending, warnings with their CAP
//! messages and the feed row rewritten in the same transaction, resources
//! and plans; every state change taking effect once under 20 concurrent
//! identical requests. The engine's decisions are given as plain data here.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use emergency::{IncidentStatus, ReportContent, ReportKind, ResponseLevel, Severity, WarningState};
use store::emergency::{CapMessage, Checklist, Group, IncidentFilter, Plan, Publication, Report, Resource, Routing, Warning};
use store::{Store, StoreError};

#[macro_use]
mod common;

fn incident(drill: bool) -> Routing {
    Routing {
        title: "冒顶".into(),
        incident_type: "非煤矿山事故".into(),
        category: Some("事故灾难".into()),
        severity: Severity::Large,
        town: "水泉镇".into(),
        village: None,
        place: "某矿".into(),
        occurred_at: Some("2026-11-28T10:20:00+08:00".into()),
        sensitive: false,
        key_area_or_period: false,
        may_escalate: false,
        lead_departments: "区应急管理局".into(),
        command_body: Some("区非煤矿山事故应急指挥部".into()),
        needs_designation: false,
        checklist: Some("general".into()),
        suggested_level: ResponseLevel::III,
        suggested_decided_by: "区政府分管负责同志".into(),
        report_to_city: true,
        skip_level_report: false,
        explanation: "附件".into(),
        drill,
    }
}

const MEASURES: &[&str] = &["① 救治", "② 疏散"];

fn measures() -> Vec<String> {
    MEASURES.iter().map(|m| m.to_string()).collect()
}

fn report(kind: ReportKind, injured: u32) -> Report {
    let content = ReportContent {
        occurred_at: "2026-11-28T10:20:00+08:00".parse().ok(),
        place: Some("某矿".into()),
        injured: Some(injured),
        ..Default::default()
    };
    Report::new(kind, "town", "水泉镇", content)
}

both!(incidents_follow_ups_levels_and_end, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    let id = s.emergency_create_incident("town", &incident(false), &measures(), &report(ReportKind::Initial, 2)).await.unwrap();
    s.emergency_create_incident("town", &incident(true), &measures(), &report(ReportKind::Initial, 9)).await.unwrap();
    let mut fu = report(ReportKind::FollowUp, 1);
    fu.content.deaths = Some(1);
    s.emergency_add_report("town", id, &fu).await.unwrap();
    let d = s.emergency_incident_detail(id).await.unwrap();
    assert_eq!((d.totals.injured, d.totals.deaths), (3, 1));
    assert_eq!(d.running.iter().map(|t| t.injured).collect::<Vec<_>>(), [2, 3]);
    // Every content field comes back as written, by name.
    assert_eq!(d.reports[0].content, report(ReportKind::Initial, 2).content);
    assert_eq!(d.reports[1].kind, ReportKind::FollowUp);
    assert_eq!(d.measures.len(), 2);
    assert_eq!(s.emergency_counts(false).await.unwrap().active, 1);
    assert_eq!(s.emergency_counts(true).await.unwrap().active, 1);
    assert_eq!(s.emergency_incidents(&IncidentFilter::default()).await.unwrap().len(), 1);
    let v0 = s.emergency_board_version().await.unwrap();
    s.emergency_set_level("admin", id, None, ResponseLevel::II, "区政府", "扩大").await.unwrap();
    assert!(s.emergency_board_version().await.unwrap() > v0);
    // A change from a level no longer in force writes nothing.
    assert!(matches!(s.emergency_set_level("admin", id, None, ResponseLevel::I, "区政府", "again").await, Err(StoreError::Conflict(_))));
    assert_eq!(s.emergency_incident(id).await.unwrap().response_level, Some(ResponseLevel::II));
    let g =
        Group { number: 1, name: "综合协调组".into(), members: "有关部门".into(), leader: String::new(), tasks: String::new() };
    s.emergency_open_post("emergency", id, "副区长", "矿口", std::slice::from_ref(&g)).await.unwrap();
    assert!(s.emergency_open_post("emergency", id, "副区长", "矿口", &[g]).await.is_err());
    s.emergency_tick("emergency", Checklist::Incident, id, 1).await.unwrap();
    assert!(s.emergency_tick("emergency", Checklist::Incident, id, 1).await.is_err());
    s.emergency_end("emergency", id, &["现场处置结束".into(), "专家组同意".into()], "完毕").await.unwrap();
    let inc = s.emergency_incident(id).await.unwrap();
    assert_eq!(inc.status, IncidentStatus::Ended);
    assert_eq!(inc.end_conditions, "现场处置结束\n专家组同意");
    assert_eq!(s.emergency_counts(false).await.unwrap().ended, 1);
    assert!(s.emergency_add_report("town", id, &report(ReportKind::FollowUp, 1)).await.is_err());
    assert!(s.emergency_set_level("admin", id, Some(ResponseLevel::II), ResponseLevel::I, "区政府", "x").await.is_err());
    let year: i16 = inc.ended_at.unwrap()[..4].parse().unwrap();
    assert_eq!(s.emergency_unevaluated(year).await.unwrap().len(), 1);
    s.emergency_set_recovery("emergency", id, "善后", "评估", "重建").await.unwrap();
    assert!(s.emergency_unevaluated(year).await.unwrap().is_empty());
    assert!(matches!(s.verify_audit().await.unwrap(), store::VerifyReport::Intact { .. }));
});

both!(unknown_states_and_levels_are_refused_by_the_database, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    let id = s.emergency_create_incident("town", &incident(false), &measures(), &report(ReportKind::Initial, 0)).await.unwrap();
    for sql in [
        "UPDATE emergency_incidents SET status = 'closed' WHERE id = $1",
        "UPDATE emergency_incidents SET response_level = 'V' WHERE id = $1",
    ] {
        assert!(sqlx::query(sql).bind(id).execute(s.pool()).await.is_err(), "{sql}");
    }
    s.emergency_end("admin", id, &[], "").await.unwrap();
    let reopen = sqlx::query("UPDATE emergency_incidents SET status = 'active' WHERE id = $1").bind(id).execute(s.pool()).await;
    if s.backend() == store::Backend::Sqlite {
        assert!(reopen.is_err(), "an ended incident stays ended");
    }
    assert_eq!(
        s.emergency_incident(id).await.unwrap().status,
        if reopen.is_err() { IncidentStatus::Ended } else { IncidentStatus::Active }
    );
});

/// Run `n` copies of `f` at once; how many succeeded.
async fn at_once<F, Fut>(n: usize, f: F) -> usize
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = store::Result<()>> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        set.spawn(f());
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict(_) | StoreError::Invalid(_)) => {}
            Err(e) => panic!("a concurrent request failed otherwise: {e}"),
        }
    }
    ok
}

both!(twenty_concurrent_state_changes_take_effect_once, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    let id = s.emergency_create_incident("town", &incident(false), &measures(), &report(ReportKind::Initial, 0)).await.unwrap();
    // Level: 20 identical "from none to Ⅱ" decisions.
    let ok = at_once(20, || {
        let s = s.clone();
        async move { s.emergency_set_level("admin", id, None, ResponseLevel::II, "区政府", "扩大").await }
    })
    .await;
    assert_eq!(ok, 1);
    assert_eq!(s.emergency_incident_detail(id).await.unwrap().levels.len(), 1);
    // End: 20 identical declarations.
    let ok = at_once(20, || {
        let s = s.clone();
        async move { s.emergency_end("admin", id, &["条件".into()], "结束").await }
    })
    .await;
    assert_eq!(ok, 1);
    let audit = s.audit_history("emergency_incident", &id.to_string()).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "end").count(), 1);
    assert_eq!(audit.iter().filter(|e| e.action == "set_level").count(), 1);

    // A warning: 20 approvals, 20 issues, 20 lifts.
    let w = Warning {
        incident_type: "气象灾害".into(),
        level: 4,
        headline: "暴雨".into(),
        description: "暴雨".into(),
        areas: "水泉镇".into(),
        ..Default::default()
    };
    let wid = s.emergency_create_warning("emergency", &w, &[]).await.unwrap();
    s.emergency_move_warning("emergency", wid, (WarningState::Draft, WarningState::Submitted)).await.unwrap();
    let ok = at_once(20, || {
        let s = s.clone();
        async move { s.emergency_move_warning("admin", wid, (WarningState::Submitted, WarningState::Approved)).await }
    })
    .await;
    assert_eq!(ok, 1);
    for (n, (from, to)) in [(1, (WarningState::Approved, WarningState::Issued)), (2, (WarningState::Issued, WarningState::Lifted))] {
        let ok = at_once(20, || {
            let s = s.clone();
            async move {
                let msg = Publication {
                    identifier: format!("W-{wid}-{n}"),
                    msg_type: "Alert".into(),
                    sent: "2026-11-28T10:00:00+08:00".into(),
                    refs: String::new(),
                    xml: "<alert/>".into(),
                };
                s.emergency_publish_warning("emergency", wid, (from, to), &msg, None, &|c: &[(Warning, CapMessage)]| c.len().to_string())
                    .await
            }
        })
        .await;
        assert_eq!(ok, 1, "{to:?}");
        assert_eq!(s.emergency_warning(wid).await.unwrap().state, to);
    }
    let d = s.emergency_warning_detail(wid).await.unwrap();
    assert_eq!(d.messages.len(), 2);
    let audit = s.audit_history("emergency_warning", &wid.to_string()).await.unwrap();
    for a in ["approve", "issued", "lifted"] {
        assert_eq!(audit.iter().filter(|e| e.action == a).count(), 1, "{a}");
    }
    assert!(matches!(s.verify_audit().await.unwrap(), store::VerifyReport::Intact { .. }));
});

both!(warnings_feed_resources_plans, |url: String| async move {
    let s = Store::connect(&url).await.unwrap();
    let w = common::rainstorm_warning();
    let id = s.emergency_create_warning("emergency", &w, &[("值班".into(), vec!["区气象服务中心".into()])]).await.unwrap();
    let render =
        |cur: &[(Warning, CapMessage)]| cur.iter().map(|(w, m)| format!("{}@{}", w.headline, m.identifier)).collect::<Vec<_>>().join(";");
    let msg = |n: u32, t: &str| Publication {
        identifier: format!("W-{id}-{n}"),
        msg_type: t.into(),
        sent: format!("2026-11-28T10:0{n}:00+08:00"),
        refs: String::new(),
        xml: format!("<alert>{n}</alert>"),
    };
    // Not approved yet: still a draft, so an issue from "approved" writes nothing.
    let issue = (WarningState::Approved, WarningState::Issued);
    assert!(s.emergency_publish_warning("emergency", id, issue, &msg(1, "Alert"), None, &render).await.is_err());
    // A draft is submitted before it is approved; neither step twice.
    s.emergency_move_warning("emergency", id, (WarningState::Draft, WarningState::Submitted)).await.unwrap();
    assert!(s.emergency_move_warning("emergency", id, (WarningState::Draft, WarningState::Submitted)).await.is_err());
    s.emergency_move_warning("admin", id, (WarningState::Submitted, WarningState::Approved)).await.unwrap();
    s.emergency_publish_warning("emergency", id, issue, &msg(1, "Alert"), None, &render).await.unwrap();
    let (v1, body) = s.emergency_feed().await.unwrap().unwrap();
    assert_eq!(body, format!("暴雨蓝色预警@W-{id}-1"));
    let adj = store::emergency::Adjustment {
        level: 3,
        headline: "暴雨黄色预警".into(),
        description: "暴雨".into(),
        instruction: "防范".into(),
        expires: None,
    };
    s.emergency_publish_warning("emergency", id, (WarningState::Issued, WarningState::Adjusted), &msg(2, "Update"), Some(&adj), &render)
        .await
        .unwrap();
    let (v2, body) = s.emergency_feed().await.unwrap().unwrap();
    assert!(v2 > v1);
    assert_eq!(body, format!("暴雨黄色预警@W-{id}-2"));
    s.emergency_publish_warning("emergency", id, (WarningState::Adjusted, WarningState::Lifted), &msg(3, "Cancel"), None, &render)
        .await
        .unwrap();
    assert_eq!(s.emergency_feed().await.unwrap().unwrap().1, "");
    assert_eq!(s.emergency_cap_xml(&format!("W-{id}-1")).await.unwrap().as_deref(), Some("<alert>1</alert>"));
    assert_eq!(s.emergency_warning_detail(id).await.unwrap().messages.len(), 3);
    assert!(
        s.emergency_publish_warning("emergency", id, (WarningState::Issued, WarningState::Adjusted), &msg(4, "Update"), None, &render)
            .await
            .is_err()
    );
    let m = s.emergency_measure(Checklist::Warning, id, 1).await.unwrap();
    assert_eq!(m.assignee_units(), ["区气象服务中心"]);

    let tent =
        Resource { kind: "material".into(), name: "帐篷".into(), quantity: 10, minimum: 20, unit: "顶".into(), ..Default::default() };
    let rid = s.emergency_add_resource("emergency", &tent).await.unwrap();
    assert!(s.emergency_add_resource("emergency", &Resource { kind: "x".into(), ..tent.clone() }).await.is_err());
    let inc = s.emergency_create_incident("town", &incident(false), &measures(), &report(ReportKind::Initial, 0)).await.unwrap();
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
        town: Some("水泉镇".into()),
        ..Default::default()
    };
    let pid = s.emergency_add_plan("town", &p).await.unwrap();
    s.emergency_file_plan("emergency", pid, "2026-01-20").await.unwrap();
    assert!(s.emergency_file_plan("emergency", pid, "2026-01-21").await.is_err());
    assert_eq!(s.emergency_plans().await.unwrap()[0].filed_on.as_deref(), Some("2026-01-20"));
    assert!(s.emergency_add_plan("town", &Plan { town: None, ..p.clone() }).await.is_err(), "a plan has a keeper");
});
