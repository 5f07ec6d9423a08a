//! The emergency use cases on both backends: access by duty on each object,
//! the engine's transitions, and every state change taking effect once when
//! 20 identical requests arrive together.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::collections::BTreeSet;

use access::Actor;
use app::emergency::{command, incidents, warnings};
use app::{App, Error};
use emergency::{IncidentStatus, ReportContent, ResponseLevel, Severity, WarningAction, WarningState};
use store::Store;

#[macro_use]
#[path = "../../store/tests/common/mod.rs"]
mod common;

async fn app_on(url: &str, params: kernel::ParamSet) -> (App, Vec<Actor>) {
    let store = Store::connect(url).await.unwrap();
    let calendar = kernel::WorkCalendar::from_params(&params).unwrap();
    let district = district::District::load(&params).unwrap();
    store.seed_reference(&district).await.unwrap();
    store::demo::seed_core(&store).await.unwrap();
    let app = App::new(store.clone(), params, calendar).unwrap();
    let users = store.users().await.unwrap();
    let actors =
        ["admin", "emergency", "town", "tax"].iter().map(|n| app.actor_of(users.iter().find(|u| &u.username == n).unwrap())).collect();
    (app, actors)
}

fn report(title: &str) -> incidents::FirstReport {
    incidents::FirstReport {
        title: title.into(),
        incident_type: "非煤矿山事故".into(),
        severity: Severity::Large,
        sensitive: false,
        key_area_or_period: false,
        may_escalate: false,
        drill: false,
        town: None,
        content: ReportContent { place: Some("某矿".into()), injured: Some(2), ..Default::default() },
    }
}

/// Run 20 copies at once; how many took effect (the others must be refused
/// as conflicts or invalid states, never fail otherwise).
async fn twenty<F, Fut>(f: F) -> usize
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = app::Result<()>> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        set.spawn(f());
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(()) => ok += 1,
            Err(Error::Conflict(_) | Error::Invalid { .. }) => {}
            Err(e) => panic!("refused otherwise: {e:?}"),
        }
    }
    ok
}

both!(twenty_identical_requests_take_effect_once, |url: String| async move {
    let (app, a) = app_on(&url, kernel::ParamSet::embedded().unwrap()).await;
    let (admin, bureau, town) = (a[0].clone(), a[1].clone(), a[2].clone());
    let id = incidents::file_report(&app, &town, report("冒顶")).await.unwrap();
    let ok = twenty(|| {
        let (app, admin) = (app.clone(), admin.clone());
        async move { incidents::set_level(&app, &admin, id, ResponseLevel::II, "扩大").await }
    })
    .await;
    assert_eq!(ok, 1, "{url}: set level");
    let ok = twenty(|| {
        let (app, b) = (app.clone(), bureau.clone());
        async move { command::tick_measure(&app, &b, id, 1).await }
    })
    .await;
    assert_eq!(ok, 1, "{url}: tick");
    let all: BTreeSet<usize> = (0..3).collect();
    let ok = twenty(|| {
        let (app, admin, all) = (app.clone(), admin.clone(), all.clone());
        async move { incidents::end(&app, &admin, id, &all, "结束").await }
    })
    .await;
    assert_eq!(ok, 1, "{url}: end");
    let d = app.store.emergency_incident_detail(id).await.unwrap();
    assert_eq!((d.levels.len(), d.incident.status), (1, IncidentStatus::Ended), "{url}");

    let wid = warnings::draft(&app, &bureau, common::rainstorm_warning()).await.unwrap();
    for (who, action, state) in [
        (&bureau, WarningAction::Submit, WarningState::Submitted),
        (&admin, WarningAction::Approve, WarningState::Approved),
        (&bureau, WarningAction::Issue, WarningState::Issued),
        (&bureau, WarningAction::Lift, WarningState::Lifted),
    ] {
        let ok = twenty(|| {
            let (app, who) = (app.clone(), who.clone());
            async move { warnings::transition(&app, &who, wid, action, None).await }
        })
        .await;
        assert_eq!(ok, 1, "{url}: {action:?}");
        assert_eq!(app.store.emergency_warning(wid).await.unwrap().state, state, "{url}");
    }
    assert_eq!(app.store.emergency_warning_detail(wid).await.unwrap().messages.len(), 2, "{url}: one Alert, one Cancel");
    assert!(matches!(app.store.verify_audit().await.unwrap(), store::VerifyReport::Intact { .. }), "{url}");
});

/// Ⅳ by the incident's lead department; Ⅰ–Ⅲ by 区政府 (administrators);
/// access is refused before anything is written.
#[tokio::test]
async fn levels_by_their_decider() {
    let db = common::sqlite().await;
    let (app, a) = app_on(&db.url, kernel::ParamSet::embedded().unwrap()).await;
    let (admin, bureau, town, tax) = (&a[0], &a[1], &a[2], &a[3]);
    let id = incidents::file_report(&app, town, report("冒顶")).await.unwrap();
    for who in [admin, town, tax] {
        assert!(matches!(incidents::set_level(&app, who, id, ResponseLevel::IV, "x").await, Err(Error::Denied(_))), "{}", who.username);
    }
    incidents::set_level(&app, bureau, id, ResponseLevel::IV, "x").await.unwrap();
    for l in [ResponseLevel::III, ResponseLevel::II, ResponseLevel::I] {
        assert!(matches!(incidents::set_level(&app, bureau, id, l, "x").await, Err(Error::Denied(_))));
        incidents::set_level(&app, admin, id, l, "x").await.unwrap();
    }
    // A type outside the annex has no lead until 区政府 designates one (3.2): 区政府 decides Ⅳ.
    let other =
        incidents::file_report(&app, town, incidents::FirstReport { incident_type: "陨石坠落".into(), ..report("陨石") }).await.unwrap();
    assert!(incidents::set_level(&app, bureau, other, ResponseLevel::IV, "x").await.is_err());
    incidents::set_level(&app, admin, other, ResponseLevel::IV, "x").await.unwrap();
}

/// 4.5.6: the conditions are the policy's; a changed `command.toml` changes
/// what ending an incident needs.
#[tokio::test]
async fn ending_follows_the_policy() {
    let base = kernel::ParamSet::embedded_files();
    let text = base.iter().find(|(p, _)| p == "emergency/command.toml").map(|(_, t)| t.clone()).unwrap();
    let changed = text
        .replace("\"经专家组会商研判，确定符合应急结束条件\"]", "\"经专家组会商研判，确定符合应急结束条件\", \"已向市政府报告处置情况\"]");
    assert_ne!(text, changed);
    let params = kernel::ParamSet::from_files(base, vec![("emergency/command.toml".into(), changed)]).unwrap();
    let db = common::sqlite().await;
    let (app, a) = app_on(&db.url, params).await;
    let (admin, town) = (&a[0], &a[2]);
    let id = incidents::file_report(&app, town, report("冒顶")).await.unwrap();
    let three: BTreeSet<usize> = (0..3).collect();
    let e = incidents::end(&app, admin, id, &three, "").await.unwrap_err();
    assert!(e.to_string().contains("已向市政府报告处置情况"), "{e}");
    assert_eq!(app.store.emergency_incident(id).await.unwrap().status, IncidentStatus::Active);
    incidents::end(&app, admin, id, &(0..4).collect(), "").await.unwrap();
    assert!(app.store.emergency_incident(id).await.unwrap().end_conditions.contains("已向市政府报告处置情况"));
}
