//! Emergency management over HTTP: the assess/cap API contract, reports routed
//! by the engine, response levels only by the role the plan names, drills kept
//! apart, the command post and ending conditions, warnings through their life
//! with CAP at a stable URL (validated against the OASIS XSD) and the Atom feed.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::path::PathBuf;
use std::process::Command;

use axum::http::StatusCode;
use common::{App, between, enc, spawn_app_with};

fn assert_valid_cap(xml: &str, name: &str) {
    let xsd = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../emergency/tests/data/CAP-v1.2.xsd");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.xml"));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .expect("xmllint (Debian package libxml2-utils) must be installed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.contains("validates"), "{name} does not validate:\n{stderr}\n{xml}");
}

const MINE_REPORT: &[(&str, &str)] = &[
    ("title", "测试冒顶事故"),
    ("incident_type", "非煤矿山事故"),
    ("severity", "较大"),
    ("occurred_at", "2026-11-28T10:20"),
    ("place", "水泉镇某矿"),
    ("source", "企业报告"),
    ("nature", "冒顶"),
    ("course", "作业面冒顶"),
    ("impact_scope", "一个作业面"),
    ("deaths", "0"),
    ("injured", "2"),
    ("missing", "0"),
];

/// File a report as `who`; returns the new incident's id.
async fn file(app: &App, who: &str, extra: &[(&str, &str)]) -> i64 {
    let (sid, csrf) = app.login(who).await;
    let mut pairs = vec![("csrf", csrf.as_str())];
    pairs.extend(MINE_REPORT.iter().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k)));
    pairs.extend_from_slice(extra);
    let r = app.post_form("/emergency/report", &sid, &enc(&pairs)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location.unwrap().rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn assess_api_matches_the_cli_contract() {
    let app = spawn_app_with(false).await;
    let body = r#"{"incident_type": "非煤矿山事故", "severity": "较大", "occurred_at": "2023-05-01T10:20:00+08:00", "town": "水泉镇"}"#;
    let r = app.post_json("/api/v1/emergency/assess", "", None, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["category"], "事故灾难");
    assert_eq!(v["lead_departments"], serde_json::json!(["区应急管理局"]));
    assert_eq!(v["command_body"], "区非煤矿山事故应急指挥部");
    assert_eq!(v["response_level"], "III");
    assert_eq!(v["decided_by"], "区政府分管负责同志");
    assert_eq!(v["report_to_city"], true);
    assert!(v["missing_fields"].as_array().unwrap().iter().any(|f| f == "place"));
    let r = app.post_json("/api/v1/emergency/assess", "", None, &body.replace("较大", "很大")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("severity"), "{}", r.body);
}

#[tokio::test]
async fn a_town_report_is_routed_and_scoped_to_the_town() {
    let app = spawn_app_with(false).await;
    let id = file(&app, "town", &[("town", "徐庄镇")]).await;
    let inc = app.store.emergency_incident(id).await.unwrap();
    // A town always reports for itself, whatever the form says.
    assert_eq!(inc.town, "水泉镇");
    assert_eq!(inc.lead_departments, "区应急管理局");
    assert_eq!(inc.command_body.as_deref(), Some("区非煤矿山事故应急指挥部"));
    assert_eq!(inc.suggested_level, emergency::ResponseLevel::III);
    assert!(inc.report_to_city);
    assert_eq!(inc.checklist.as_deref(), Some("general"), "{inc:?}");
    let d = app.store.emergency_incident_detail(id).await.unwrap();
    assert_eq!(d.measures.len(), 14, "4.5.3(1) ①–⑭");
    assert!(d.reports[0].missing_fields.contains("环境"), "missing fields flagged: {}", d.reports[0].missing_fields);
    let (town, tcsrf) = app.login("town").await;
    let page = app.get(&format!("/emergency/incidents/{id}"), &town).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("须及时报告市政府"));
    // A follow-up adds to the running totals.
    let r = app
        .post_form(&format!("/emergency/incidents/{id}/followup"), &town, &enc(&[("csrf", &tcsrf), ("injured", "1"), ("deaths", "1")]))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = app.store.emergency_incident_detail(id).await.unwrap();
    assert_eq!((d.totals.deaths, d.totals.injured), (1, 3));
    assert_eq!(d.running[0].injured, 2);
    // The village agent did not file it and may not see it; enterprises see nothing.
    let (agent, _) = app.login("agent").await;
    assert_eq!(app.get(&format!("/emergency/incidents/{id}"), &agent).await.status, StatusCode::FORBIDDEN);
    let (ent, _) = app.login("enterprise").await;
    assert_eq!(app.get("/emergency", &ent).await.status, StatusCode::FORBIDDEN);
    // A negative count is refused.
    let r = app.post_form(&format!("/emergency/incidents/{id}/followup"), &town, &enc(&[("csrf", &tcsrf), ("injured", "-1")])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn response_levels_only_by_the_role_the_plan_names() {
    let app = spawn_app_with(false).await;
    let id = file(&app, "town", &[]).await;
    let url = format!("/emergency/incidents/{id}/level");
    let set = |who: &'static str, level: &'static str| {
        let app = &app;
        let url = url.clone();
        async move {
            let (sid, csrf) = app.login(who).await;
            app.post_form(&url, &sid, &enc(&[("csrf", &csrf), ("level", level), ("reason", "测试")])).await.status
        }
    };
    // Ⅳ: 牵头部门 — the emergency bureau leads 非煤矿山事故; commerce does not.
    assert_eq!(set("commerce", "IV").await, StatusCode::FORBIDDEN);
    assert_eq!(set("town", "IV").await, StatusCode::FORBIDDEN);
    assert_eq!(set("emergency", "IV").await, StatusCode::SEE_OTHER);
    // Ⅱ: 区政府 — the lead department may not raise to it; the administrator may.
    assert_eq!(set("emergency", "II").await, StatusCode::FORBIDDEN);
    assert_eq!(set("admin", "II").await, StatusCode::SEE_OTHER);
    // Lowering to Ⅲ: 区政府分管负责同志, also through the administrator.
    assert_eq!(set("emergency", "III").await, StatusCode::FORBIDDEN);
    assert_eq!(set("admin", "III").await, StatusCode::SEE_OTHER);
    let d = app.store.emergency_incident_detail(id).await.unwrap();
    let trail: Vec<_> = d.levels.iter().map(|c| (c.to_level.code(), c.decided_role.as_str())).collect();
    assert_eq!(trail, [("IV", "牵头部门"), ("II", "区政府"), ("III", "区政府分管负责同志")]);
    let audit = app.store.audit_history("emergency_incident", &id.to_string()).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "set_level").count(), 3);
    // No reason, no change.
    let (sid, csrf) = app.login("admin").await;
    let r = app.post_form(&url, &sid, &enc(&[("csrf", &csrf), ("level", "I"), ("reason", " ")])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn drills_are_kept_apart() {
    let app = spawn_app_with(false).await;
    let real = file(&app, "town", &[]).await;
    let drill = file(&app, "town", &[("drill", "1"), ("title", "演练：冒顶事故")]).await;
    assert_eq!(app.store.emergency_counts(false).await.unwrap().active, 1);
    assert_eq!(app.store.emergency_counts(true).await.unwrap().active, 1);
    let (sid, _) = app.login("emergency").await;
    let list = app.get("/emergency", &sid).await;
    assert!(list.body.contains(&format!("/emergency/incidents/{real}\"")));
    assert!(!list.body.contains(&format!("/emergency/incidents/{drill}\"")));
    assert!(list.body.contains("共 1 条"), "the real list counts one incident");
    let drills = app.get("/emergency?drill=1", &sid).await;
    assert!(drills.body.contains(&format!("/emergency/incidents/{drill}\"")));
    assert!(!drills.body.contains(&format!("/emergency/incidents/{real}\"")));
    let api = app.get("/api/v1/emergency/incidents", &sid).await.json();
    assert_eq!(api.as_array().unwrap().len(), 1);
    assert_eq!(api[0]["drill"], false);
}

#[tokio::test]
async fn command_post_measures_and_ending_conditions() {
    let app = spawn_app_with(false).await;
    let id = file(&app, "town", &[]).await;
    let (town, tcsrf) = app.login("town").await;
    let (em, csrf) = app.login("emergency").await;
    // The town reports but does not command.
    let r = app.post_form(&format!("/emergency/incidents/{id}/measures/1"), &town, &enc(&[("csrf", &tcsrf)])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_form(&format!("/emergency/incidents/{id}/release"), &town, &enc(&[("csrf", &tcsrf), ("title", "t"), ("content", "c")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only the command body releases information");
    let body = enc(&[("csrf", &csrf), ("commander", "副区长"), ("location", "矿口"), ("group", "1"), ("group", "3"), ("group", "11")]);
    let r = app.post_form(&format!("/emergency/incidents/{id}/post"), &em, &body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = app.store.emergency_incident_detail(id).await.unwrap();
    assert_eq!(d.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["综合协调组", "应急救援（处置）组", "技术专家组"]);
    // Members and lead come from the plan's 3.5 data.
    assert_eq!(d.groups[0].leader, "专项应急指挥部办公室", "{:?}", d.groups[0]);
    assert!(d.groups[0].members.contains("有关部门"), "{:?}", d.groups[0]);
    let r = app.post_form(&format!("/emergency/incidents/{id}/measures/2"), &em, &enc(&[("csrf", &csrf)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let d = app.store.emergency_incident_detail(id).await.unwrap();
    assert_eq!(d.measures[1].done_by.as_deref(), Some("emergency"));
    assert!(d.measures[0].done_by.is_none());
    let r = app
        .post_form(&format!("/emergency/incidents/{id}/release"), &em, &enc(&[("csrf", &csrf), ("title", "通报"), ("content", "情况")]))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.emergency_incident_detail(id).await.unwrap().releases[0].body, "区非煤矿山事故应急指挥部");
    // Ending needs all three conditions of 4.5.6.
    let r = app
        .post_form(&format!("/emergency/incidents/{id}/end"), &em, &enc(&[("csrf", &csrf), ("condition", "0"), ("condition", "1")]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("专家组"), "{}", r.body);
    assert_eq!(app.store.emergency_incident(id).await.unwrap().status, emergency::IncidentStatus::Active);
    let all = enc(&[("csrf", &csrf), ("condition", "0"), ("condition", "1"), ("condition", "2")]);
    assert_eq!(app.post_form(&format!("/emergency/incidents/{id}/end"), &em, &all).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.emergency_incident(id).await.unwrap().status, emergency::IncidentStatus::Ended);
    assert_eq!(app.store.emergency_counts(false).await.unwrap().ended, 1);
}

/// Draft, approve, issue, adjust and lift a warning; returns the CAP URLs served.
#[tokio::test]
async fn warning_lifecycle_cap_and_feed() {
    let app = spawn_app_with(false).await;
    let (em, csrf) = app.login("emergency").await;
    let (admin, acsrf) = app.login("admin").await;
    let body = enc(&[
        ("csrf", &csrf),
        ("headline", "测试暴雨橙色预警"),
        ("incident_type", "气象灾害"),
        ("level", "2"),
        ("description", "预计未来24小时有大暴雨"),
        ("duration", "24小时"),
        ("heed", "远离河道"),
        ("instruction", "转移危险区域人员"),
        ("areas", "水泉镇"),
        ("areas", "徐庄镇"),
        ("channels", "广播"),
        ("places", "学校"),
    ]);
    let r = app.post_form("/emergency/warnings", &em, &body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = r.location.unwrap();
    let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
    let d = app.store.emergency_warning_detail(id).await.unwrap();
    assert!(d.measures.len() > 3, "orange: the blue/yellow measures and the red/orange ones");
    // A draft is edited and then submitted; an unsubmitted draft is not approved.
    let page = app.get(&url, &em).await.body;
    assert!(page.contains("id=\"submit-warning\"") && page.contains("修改草稿") && page.contains("测试暴雨橙色预警"), "{page}");
    assert_eq!(app.post_form(&format!("{url}/approve"), &admin, &enc(&[("csrf", &acsrf)])).await.status, StatusCode::BAD_REQUEST);
    let edited = body.replace("24%E5%B0%8F%E6%97%B6", "48%E5%B0%8F%E6%97%B6");
    let r = app.post_form(&format!("{url}/edit"), &em, &edited).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.store.emergency_warning(id).await.unwrap().duration, "48小时");
    assert_eq!(app.post_form(&format!("{url}/submit"), &em, &enc(&[("csrf", &csrf)])).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.emergency_warning(id).await.unwrap().state, emergency::WarningState::Submitted);
    // Submitted: no longer edited.
    assert_eq!(app.post_form(&format!("{url}/edit"), &em, &edited).await.status, StatusCode::BAD_REQUEST);
    // Only 区政府 approves; nothing is published before.
    assert_eq!(app.post_form(&format!("{url}/approve"), &em, &enc(&[("csrf", &csrf)])).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_form(&format!("{url}/issue"), &em, &enc(&[("csrf", &csrf)])).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.post_form(&format!("{url}/approve"), &admin, &enc(&[("csrf", &acsrf)])).await.status, StatusCode::SEE_OTHER);
    let (commerce, ccsrf) = app.login("commerce").await;
    assert_eq!(app.post_form(&format!("{url}/issue"), &commerce, &enc(&[("csrf", &ccsrf)])).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_form(&format!("{url}/issue"), &em, &enc(&[("csrf", &csrf)])).await.status, StatusCode::SEE_OTHER);

    let alert_id = app.store.emergency_warning(id).await.unwrap().current_identifier.unwrap();
    let cap = app.get(&format!("/alerts/{alert_id}.xml"), "").await;
    assert_eq!(cap.status, StatusCode::OK);
    assert_eq!(cap.content_type.as_deref(), Some("application/cap+xml"));
    assert!(cap.body.contains("<msgType>Alert</msgType>") && cap.body.contains("<severity>Severe</severity>"), "{}", cap.body);
    assert_valid_cap(&cap.body, "alert");
    let feed = app.get("/alerts/feed.atom", "").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.content_type.unwrap().starts_with("application/atom+xml"));
    assert!(feed.body.contains("测试暴雨橙色预警") && feed.body.contains(&format!("/alerts/{alert_id}.xml")), "{}", feed.body);
    assert!(feed.body.contains("<id>tag:shanting.gov.cn,2022:alerts</id>"), "an Atom id is absolute: {}", feed.body);
    // Readers poll with the validator: 304 without a body until the content changes.
    let feed_tag = feed.etag.clone().expect("the feed has an ETag");
    let again = app.get_if_none_match("/alerts/feed.atom", &feed_tag).await;
    assert_eq!((again.status, again.body.as_str()), (StatusCode::NOT_MODIFIED, ""));
    assert_eq!(app.get_if_none_match("/alerts/feed.atom", "\"other\"").await.status, StatusCode::OK);
    let cap_tag = cap.etag.clone().expect("a CAP message has an ETag");
    let cap_url = format!("/alerts/{alert_id}.xml");
    assert_eq!(app.get_if_none_match(&cap_url, &format!("\"x\", {cap_tag}")).await.status, StatusCode::NOT_MODIFIED);
    let public = app.get("/public", "").await;
    assert!(public.body.contains("测试暴雨橙色预警"));

    // Adjust to yellow: an Update referencing the Alert.
    let r = app.post_form(&format!("{url}/adjust"), &em, &enc(&[("csrf", &csrf), ("level", "3"), ("headline", "测试暴雨黄色预警")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let update_id = app.store.emergency_warning(id).await.unwrap().current_identifier.unwrap();
    let update = app.get(&format!("/alerts/{update_id}.xml"), "").await;
    assert!(update.body.contains("<msgType>Update</msgType>") && update.body.contains(&format!("yjj@shanting.gov.cn,{alert_id},")));
    assert!(update.body.contains("<severity>Moderate</severity>"));
    assert_valid_cap(&update.body, "update");
    // The first message stays at its URL.
    assert_eq!(app.get(&format!("/alerts/{alert_id}.xml"), "").await.body, cap.body);

    // Lift: a Cancel referencing both, and the feed no longer lists it.
    assert_eq!(app.post_form(&format!("{url}/lift"), &em, &enc(&[("csrf", &csrf)])).await.status, StatusCode::SEE_OTHER);
    let cancel_id = app.store.emergency_warning(id).await.unwrap().current_identifier.unwrap();
    let cancel = app.get(&format!("/alerts/{cancel_id}.xml"), "").await;
    assert!(cancel.body.contains("<msgType>Cancel</msgType>") && cancel.body.contains(&update_id));
    assert!(cancel.body.contains("<responseType>AllClear</responseType>"));
    assert_valid_cap(&cancel.body, "cancel");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // past the feed copy's lifetime
    let feed = app.get("/alerts/feed.atom", "").await;
    assert!(!feed.body.contains("测试暴雨"), "{}", feed.body);
    assert_ne!(feed.etag.as_deref(), Some(feed_tag.as_str()), "a changed feed has a new validator");
    assert_eq!(app.get_if_none_match("/alerts/feed.atom", &feed_tag).await.status, StatusCode::OK);
    assert!(!app.get("/public", "").await.body.contains("测试暴雨"));
    // Lifted is final.
    assert_eq!(
        app.post_form(&format!("{url}/adjust"), &em, &enc(&[("csrf", &csrf), ("level", "1")])).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.get("/alerts/nothing.xml", "").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_warning_outside_the_district_is_refused() {
    let app = spawn_app_with(false).await;
    let (em, csrf) = app.login("emergency").await;
    let body = enc(&[
        ("csrf", &csrf),
        ("headline", "h"),
        ("incident_type", "气象灾害"),
        ("level", "4"),
        ("description", "d"),
        ("instruction", "i"),
        ("areas", "薛城区"),
        ("channels", "广播"),
    ]);
    let r = app.post_form("/emergency/warnings", &em, &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("薛城区"));
    assert!(app.store.emergency_warnings(false).await.unwrap().is_empty());
}

#[tokio::test]
async fn demo_has_resources_plans_incidents_and_a_current_warning() {
    let app = spawn_app_with(true).await;
    let (em, _) = app.login("emergency").await;
    let plans = app.get("/emergency/plans", &em).await;
    assert_eq!(plans.status, StatusCode::OK);
    let overdue = between(&plans.body, "id=\"overdue-plans\">", "</ul>");
    assert!(overdue.contains("水泉镇突发事件总体应急预案"), "{overdue}");
    assert!(!overdue.contains("山亭区突发事件总体应急预案"));
    let res = app.get("/emergency/resources?kind=material", &em).await;
    assert!(res.body.contains("帐篷") && res.body.contains("低于最低储备") && !res.body.contains("蓝天救援队"));
    let experts = app.get("/emergency/resources?q=%E6%A3%AE%E6%9E%97", &em).await; // 森林
    assert!(experts.body.contains("李秀英"));
    let c = app.store.emergency_counts(false).await.unwrap();
    assert_eq!((c.active, c.ended), (1, 1));
    let past = app
        .store
        .emergency_incidents(&store::emergency::IncidentFilter { status: Some(emergency::IncidentStatus::Ended), ..Default::default() })
        .await
        .unwrap();
    let past = app.store.emergency_incident_detail(past[0].id).await.unwrap();
    assert!(past.measures.iter().all(|m| m.done_by.is_some()) && !past.releases.is_empty() && !past.incident.evaluation.is_empty());
    assert_eq!(past.reports.len(), 2, "first report and a follow-up");
    assert!(past.groups[0].members.contains("有关部门"), "{:?}", past.groups[0]);
    let feed = app.get("/alerts/feed.atom", "").await;
    assert!(feed.body.contains("山亭区森林火险黄色预警"));
    // The live board streams its first frame at once.
    let board = app.get("/emergency/board", &em).await;
    assert!(board.body.contains("data-events=\"/emergency/board/events\"") && board.body.contains("/static/app.js"));
    let req = axum::http::Request::get("/emergency/board/events").header("cookie", &em).body(axum::body::Body::empty()).unwrap();
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut frames = resp.into_body().into_data_stream();
    let first = futures::StreamExt::next(&mut frames).await.unwrap().unwrap();
    let first = String::from_utf8_lossy(&first).into_owned();
    assert!(first.starts_with("event: board") && first.contains("徐庄镇东山森林火灾") && !first.contains("冒顶"), "{first}");
    let (town, _) = app.login("town").await;
    assert_eq!(app.get("/emergency/board", &town).await.status, StatusCode::FORBIDDEN);
    // Seeding twice changes nothing.
    let n = app.store.emergency_plans().await.unwrap().len();
    store::demo::seed_all(&app.store).await.unwrap();
    assert_eq!(app.store.emergency_plans().await.unwrap().len(), n);
}

const USERS: [&str; 7] = ["admin", "emergency", "tax", "fund", "town", "agent", "enterprise"];

/// Every emergency route × the seven kinds of account: 403 exactly where no
/// duty covers the user (route or object), and never 401/403/500 where one
/// does (a refused state is 400/409, not a refusal of access).
#[tokio::test]
async fn every_route_by_duty() {
    let app = spawn_app_with(true).await;
    let mut sessions = std::collections::HashMap::new();
    for u in USERS {
        sessions.insert(u, app.login(u).await);
    }
    // An incident the village agent of 水泉镇东村 reported (非煤矿山事故: led by 区应急管理局).
    let inc = file(&app, "agent", &[]).await;
    assert_eq!(app.store.emergency_incident(inc).await.unwrap().village.as_deref(), Some("东村"));
    let warning = app.store.emergency_warnings(true).await.unwrap()[0].id;
    let plans = app.store.emergency_plans().await.unwrap();
    let general = plans.iter().find(|p| p.kind == "general").unwrap().id;
    let town_plan = plans.iter().find(|p| p.kind == "town").unwrap().id;
    assert_eq!(plans.iter().find(|p| p.kind == "town").unwrap().town.as_deref(), Some("水泉镇"));

    const READERS: &[&str] = &["admin", "emergency", "tax", "fund", "town", "agent"];
    const COMMAND: &[&str] = &["admin", "emergency"];
    let i = format!("/emergency/incidents/{inc}");
    let w = format!("/emergency/warnings/{warning}");
    // (method, path, form fields, who may)
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, &'a [&'a str]);
    let cases: Vec<Case> = vec![
        ("GET", "/emergency".into(), vec![], READERS),
        ("GET", "/emergency/report".into(), vec![], READERS),
        ("GET", i.clone(), vec![], READERS),
        ("GET", "/api/v1/emergency/incidents".into(), vec![], READERS),
        ("GET", "/emergency/board".into(), vec![], &["admin", "emergency", "tax", "fund"]),
        ("GET", "/emergency/warnings".into(), vec![], READERS),
        ("GET", w.clone(), vec![], READERS),
        ("GET", "/emergency/resources".into(), vec![], READERS),
        ("GET", "/emergency/plans".into(), vec![], READERS),
        ("POST", format!("{i}/followup"), vec![("injured", "1")], READERS),
        ("POST", format!("{i}/level"), vec![("level", "IV"), ("reason", "测试")], &["emergency"]),
        ("POST", format!("{i}/level"), vec![("level", "II"), ("reason", "测试")], &["admin"]),
        ("POST", format!("{i}/city"), vec![], COMMAND),
        ("POST", format!("{i}/post"), vec![("commander", "副区长"), ("group", "1")], COMMAND),
        ("POST", format!("{i}/groups/1"), vec![("leader", "区应急管理局"), ("tasks", "协调")], COMMAND),
        ("POST", format!("{i}/measures/1"), vec![], COMMAND),
        ("POST", format!("{i}/release"), vec![("title", "通报"), ("content", "情况")], COMMAND),
        ("POST", format!("{i}/state"), vec![("request", "请求")], COMMAND),
        ("POST", format!("{i}/assign"), vec![("resource", "1"), ("quantity", "0")], COMMAND),
        ("POST", format!("{i}/recovery"), vec![("aftermath", "a"), ("evaluation", "e"), ("recovery", "r")], COMMAND),
        ("POST", format!("{i}/end"), vec![("condition", "0"), ("condition", "1"), ("condition", "2")], COMMAND),
        (
            "POST",
            "/emergency/warnings".into(),
            vec![
                ("headline", "测试"),
                ("incident_type", "气象灾害"),
                ("level", "4"),
                ("description", "d"),
                ("instruction", "i"),
                ("areas", "水泉镇"),
                ("channels", "广播"),
            ],
            &["emergency"],
        ),
        ("POST", format!("{w}/measures/1/assign"), vec![("units", "区公安分局")], COMMAND),
        ("POST", format!("{w}/measures/2"), vec![], &["emergency"]),
        ("POST", format!("{w}/approve"), vec![], &["admin"]),
        ("POST", format!("{w}/adjust"), vec![("level", "3")], COMMAND),
        ("POST", format!("{w}/lift"), vec![], COMMAND),
        ("POST", "/emergency/resources".into(), vec![("kind", "team"), ("name", "队伍"), ("quantity", "3")], &["emergency"]),
        (
            "POST",
            "/emergency/plans".into(),
            vec![("kind", "department"), ("name", "预案"), ("issuer", "某单位"), ("issued_on", "2026-01-05")],
            &["admin", "emergency", "tax", "fund", "town"],
        ),
        ("POST", format!("/emergency/plans/{general}/drill"), vec![("held_on", "2026-01-06"), ("form", "桌面推演")], COMMAND),
        ("POST", format!("/emergency/plans/{town_plan}/drill"), vec![("held_on", "2026-01-06"), ("form", "桌面推演")], &["town"]),
        ("POST", format!("/emergency/plans/{town_plan}/file"), vec![("filed_on", "2026-01-06")], &["town"]),
    ];
    for (method, path, fields, allowed) in &cases {
        for u in USERS {
            let (sid, csrf) = &sessions[u];
            let r = if *method == "GET" {
                app.get(path, sid).await
            } else {
                let mut pairs = vec![("csrf", csrf.as_str())];
                pairs.extend(fields.iter().copied());
                app.post_form(path, sid, &enc(&pairs)).await
            };
            if allowed.contains(&u) {
                assert!(
                    [StatusCode::OK, StatusCode::SEE_OTHER, StatusCode::BAD_REQUEST, StatusCode::CONFLICT].contains(&r.status),
                    "{method} {path} as {u}: expected allowed, got {} {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path} as {u}: expected 403, got {}", r.status);
            }
        }
    }
    // The public side stays public, for every account and for no account.
    let cap = app.store.emergency_warning(warning).await.unwrap().current_identifier.unwrap();
    let assess = r#"{"incident_type": "火灾事故", "severity": "一般"}"#;
    for u in USERS.into_iter().map(Some).chain([None]) {
        let sid = u.map(|u| sessions[u].0.clone()).unwrap_or_default();
        for path in ["/alerts/feed.atom".to_string(), format!("/alerts/{cap}.xml"), "/public".into()] {
            assert_eq!(app.get(&path, &sid).await.status, StatusCode::OK, "{path} as {u:?}");
        }
        assert_eq!(app.post_json("/api/v1/emergency/assess", &sid, None, assess).await.status, StatusCode::OK, "assess as {u:?}");
    }
    assert_eq!(app.get("/api/v1/emergency/incidents", "").await.status, StatusCode::UNAUTHORIZED);
}

/// 6.2–6.4: a town keeps its own plans, not the district's general plan.
#[tokio::test]
async fn a_town_drills_its_own_plan_not_the_general_plan() {
    let app = spawn_app_with(true).await;
    let plans = app.store.emergency_plans().await.unwrap();
    let general = plans.iter().find(|p| p.kind == "general").unwrap();
    assert_eq!(general.owner_units(), ["区政府", "区应急管理局"]);
    let own = plans.iter().find(|p| p.town.as_deref() == Some("水泉镇")).unwrap();
    let (town, csrf) = app.login("town").await;
    let drill = |id: i64| format!("/emergency/plans/{id}/drill");
    let body = enc(&[("csrf", &csrf), ("held_on", "2026-01-06"), ("form", "实战演练")]);
    let r = app.post_form(&drill(general.id), &town, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("区政府") || r.body.contains("区应急管理局"), "the refusal names who keeps it: {}", r.body);
    assert_eq!(app.post_form(&drill(own.id), &town, &body).await.status, StatusCode::SEE_OTHER);
    let (drills, _) = app.store.emergency_plan_history().await.unwrap();
    assert!(drills.iter().any(|d| d.plan_id == own.id && d.held_on == "2026-01-06"));
    assert!(!drills.iter().any(|d| d.plan_id == general.id && d.held_on == "2026-01-06"));
    // The emergency bureau keeps the general plan; another department does not.
    let (em, ecsrf) = app.login("emergency").await;
    let body = enc(&[("csrf", &ecsrf), ("held_on", "2026-01-07"), ("form", "桌面推演")]);
    assert_eq!(app.post_form(&drill(general.id), &em, &body).await.status, StatusCode::SEE_OTHER);
    let (tax, tcsrf) = app.login("tax").await;
    let body = enc(&[("csrf", &tcsrf), ("held_on", "2026-01-07"), ("form", "桌面推演")]);
    assert_eq!(app.post_form(&drill(general.id), &tax, &body).await.status, StatusCode::FORBIDDEN);
    // A plan a department registers is its own.
    let body =
        enc(&[("csrf", &tcsrf), ("kind", "department"), ("name", "税务系统应急预案"), ("issuer", "区税务局"), ("issued_on", "2026-01-05")]);
    assert_eq!(app.post_form("/emergency/plans", &tax, &body).await.status, StatusCode::SEE_OTHER);
    let p = app.store.emergency_plans().await.unwrap().into_iter().find(|p| p.name == "税务系统应急预案").unwrap();
    assert_eq!(p.owner_units(), ["区税务局"]);
    let body = enc(&[("csrf", &tcsrf), ("held_on", "2026-01-08"), ("form", "桌面推演")]);
    assert_eq!(app.post_form(&drill(p.id), &tax, &body).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.post_form(&drill(p.id), &town, &enc(&[("csrf", &csrf), ("held_on", "2026-01-08"), ("form", "桌面推演")])).await.status,
        StatusCode::FORBIDDEN
    );
}

/// 4.3.3: a warning measure is ticked by the units assigned to it and by
/// 区应急管理局 — not by any department or town.
#[tokio::test]
async fn warning_measures_by_their_assignees_and_the_bureau() {
    let app = spawn_app_with(true).await;
    let w = app.store.emergency_warnings(true).await.unwrap()[0].id;
    let d = app.store.emergency_warning_detail(w).await.unwrap();
    assert_eq!(d.measures[0].assignee_units(), ["区应急管理局", "区自然资源局"], "the annex's lead departments by default");
    let tick = |n: i64| format!("/emergency/warnings/{w}/measures/{n}");
    for who in ["tax", "fund", "police", "town"] {
        let (sid, csrf) = app.login(who).await;
        assert_eq!(app.post_form(&tick(1), &sid, &enc(&[("csrf", &csrf)])).await.status, StatusCode::FORBIDDEN, "{who}");
    }
    // The bureau assigns measure 1 to the police and measure 2 to 水泉镇.
    let (em, ecsrf) = app.login("emergency").await;
    let assign = |n: i64, u: &'static str| {
        let app = &app;
        let (em, ecsrf) = (em.clone(), ecsrf.clone());
        async move { app.post_form(&format!("{}/assign", tick(n)), &em, &enc(&[("csrf", &ecsrf), ("units", u)])).await.status }
    };
    assert_eq!(assign(1, "区公安分局").await, StatusCode::SEE_OTHER);
    assert_eq!(assign(2, "水泉镇").await, StatusCode::SEE_OTHER);
    assert_eq!(assign(3, "不存在的局").await, StatusCode::BAD_REQUEST);
    let (tax, tcsrf) = app.login("tax").await;
    assert_eq!(
        app.post_form(&format!("{}/assign", tick(3)), &tax, &enc(&[("csrf", &tcsrf), ("units", "区税务局")])).await.status,
        StatusCode::FORBIDDEN
    );
    let (police, pcsrf) = app.login("police").await;
    assert_eq!(app.post_form(&tick(1), &police, &enc(&[("csrf", &pcsrf)])).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(&tick(2), &police, &enc(&[("csrf", &pcsrf)])).await.status, StatusCode::FORBIDDEN);
    let (town, twcsrf) = app.login("town").await;
    assert_eq!(app.post_form(&tick(2), &town, &enc(&[("csrf", &twcsrf)])).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(&tick(3), &em, &enc(&[("csrf", &ecsrf)])).await.status, StatusCode::SEE_OTHER);
    // Once is enough.
    assert_eq!(app.post_form(&tick(3), &em, &enc(&[("csrf", &ecsrf)])).await.status, StatusCode::CONFLICT);
    let d = app.store.emergency_warning_detail(w).await.unwrap();
    let by: Vec<_> = d.measures.iter().take(3).map(|m| m.done_by.as_deref()).collect();
    assert_eq!(by, [Some("police"), Some("town"), Some("emergency")]);
}

/// 1.6: Ⅳ by a lead department of the incident only (not 区政府, not another
/// department); Ⅰ–Ⅲ by 区政府 (the administrator) only.
#[tokio::test]
async fn who_decides_each_level() {
    let app = spawn_app_with(false).await;
    let id = file(&app, "town", &[]).await; // 非煤矿山事故: led by 区应急管理局
    let url = format!("/emergency/incidents/{id}/level");
    let set = |who: &'static str, level: &'static str| {
        let (app, url) = (&app, url.clone());
        async move {
            let (sid, csrf) = app.login(who).await;
            app.post_form(&url, &sid, &enc(&[("csrf", &csrf), ("level", level), ("reason", "测试")])).await
        }
    };
    for who in ["admin", "tax", "fund", "commerce", "town", "agent", "enterprise"] {
        assert_eq!(set(who, "IV").await.status, StatusCode::FORBIDDEN, "{who} decides Ⅳ");
    }
    let r = set("tax", "IV").await;
    assert!(r.body.contains("牵头部门"), "the refusal names the decider: {}", r.body);
    assert_eq!(set("emergency", "IV").await.status, StatusCode::SEE_OTHER);
    for level in ["I", "II", "III"] {
        for who in ["emergency", "tax", "town"] {
            assert_eq!(set(who, level).await.status, StatusCode::FORBIDDEN, "{who} decides {level}");
        }
    }
    for level in ["III", "II", "I"] {
        assert_eq!(set("admin", level).await.status, StatusCode::SEE_OTHER, "admin decides {level}");
    }
    let d = app.store.emergency_incident_detail(id).await.unwrap();
    let trail: Vec<_> = d.levels.iter().map(|c| (c.to_level.code(), c.decided_role.as_str(), c.actor.as_str())).collect();
    assert_eq!(
        trail,
        [("IV", "牵头部门", "emergency"), ("III", "区政府分管负责同志", "admin"), ("II", "区政府", "admin"), ("I", "区政府", "admin")]
    );
    // The page offers only the levels the user may decide.
    let (em, _) = app.login("emergency").await;
    let page = app.get(&format!("/emergency/incidents/{id}"), &em).await;
    assert!(
        page.body.contains("<option value=\"IV\" >") && page.body.contains("<option value=\"I\" disabled>"),
        "{}",
        between(&page.body, "id=\"level-form\"", "</form>")
    );
}

/// Inputs are bounded: an over-long text is refused naming the field, never
/// cut silently or stored.
#[tokio::test]
async fn over_long_inputs_are_refused() {
    let app = spawn_app_with(false).await;
    let long = "长".repeat(5001);
    let (sid, csrf) = app.login("town").await;
    let r = app
        .post_form(
            "/emergency/report",
            &sid,
            &enc(&[("csrf", &csrf), ("title", "t"), ("incident_type", "火灾事故"), ("severity", "一般"), ("course", &long)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("简要经过"), "{}", r.body);
    let title = "题".repeat(201);
    let r = app
        .post_form(
            "/emergency/report",
            &sid,
            &enc(&[("csrf", &csrf), ("title", &title), ("incident_type", "火灾事故"), ("severity", "一般")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let (em, ecsrf) = app.login("emergency").await;
    let body = enc(&[
        ("csrf", &ecsrf),
        ("headline", &title),
        ("incident_type", "气象灾害"),
        ("level", "4"),
        ("description", "d"),
        ("instruction", "i"),
        ("areas", "水泉镇"),
        ("channels", "广播"),
    ]);
    assert_eq!(app.post_form("/emergency/warnings", &em, &body).await.status, StatusCode::BAD_REQUEST);
    assert!(app.store.emergency_incidents(&store::emergency::IncidentFilter::default()).await.unwrap().is_empty());
    assert!(app.store.emergency_warnings(false).await.unwrap().is_empty());
}
