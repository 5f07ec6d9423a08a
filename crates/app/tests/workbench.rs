//! 工作台: each duty's to-do items appear after the event that creates them
//! and go when the work is done, on both backends.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use access::Actor;
use app::emergency::{incidents, warnings};
use app::workbench::{Todo, todos};
use app::{App, Clock};
use ecommerce::workflow::Step;
use emergency::{ReportContent, ResponseLevel, Severity, WarningAction};
use kernel::{Date, ParamSet, WorkCalendar};
use store::Store;

#[macro_use]
#[path = "../../store/tests/common/mod.rs"]
mod common;

const USCC: &str = "91370406MA3C7K1020";

async fn app_at(url: &str, today: &str) -> App {
    let store = Store::connect(url).await.unwrap();
    let params = ParamSet::embedded().unwrap();
    let calendar = WorkCalendar::from_params(&params).unwrap();
    let district = district::District::load(&params).unwrap();
    store.seed_reference(&district).await.unwrap();
    store::demo::seed_core(&store).await.unwrap();
    let app = App::new(store, params, calendar).unwrap().with_clock(Clock::Fixed(today.parse::<Date>().unwrap()));
    app::meeting::demo::seed_units(&app).await.unwrap();
    app
}

async fn actor(app: &App, name: &str) -> Actor {
    let users = app.store.users().await.unwrap();
    app.actor_of(users.iter().find(|u| u.username == name).unwrap())
}

/// The item whose text contains `what`, if any.
async fn item(app: &App, who: &Actor, what: &str) -> Option<Todo> {
    todos(app, who).await.unwrap().into_iter().find(|t| t.what.contains(what))
}

fn report(town: &str) -> incidents::FirstReport {
    incidents::FirstReport {
        title: "冒顶".into(),
        incident_type: "非煤矿山事故".into(),
        severity: Severity::Large,
        sensitive: false,
        key_area_or_period: false,
        may_escalate: false,
        drill: false,
        town: Some(town.into()),
        content: ReportContent { place: Some("某矿".into()), injured: Some(2), ..Default::default() },
    }
}

both!(emergency_items_follow_reports_levels_and_warnings, |url: String| async move {
    let app = app_at(&url, "2026-12-02").await;
    let (admin, bureau, town) = (actor(&app, "admin").await, actor(&app, "emergency").await, actor(&app, "town").await);
    assert!(item(&app, &bureau, "尚未决定响应级别").await.is_none());
    let id = incidents::file_report(&app, &town, report("水泉镇")).await.unwrap();
    let open = item(&app, &bureau, "尚未决定响应级别").await.unwrap();
    assert_eq!(open.count, 1);
    assert!(open.clause.contains("山政发〔2022〕8号"), "{open:?}");
    assert_eq!(item(&app, &town, "进行中的突发事件").await.unwrap().count, 1);
    // The administrators' overview names the unit whose work it is.
    let over = item(&app, &admin, "尚未决定响应级别").await.unwrap();
    assert!(over.unit.is_some(), "{over:?}");
    // An enterprise and a village agent see none of it.
    assert!(item(&app, &actor(&app, "enterprise").await, "突发事件").await.is_none());
    incidents::set_level(&app, &admin, id, ResponseLevel::II, "扩大").await.unwrap();
    assert!(item(&app, &bureau, "尚未决定响应级别").await.is_none());

    let w = warnings::draft(&app, &bureau, common::rainstorm_warning()).await.unwrap();
    assert_eq!(item(&app, &bureau, "草稿预警").await.unwrap().count, 1);
    assert!(item(&app, &admin, "待批准的预警").await.is_none(), "a draft is not yet the government's");
    warnings::transition(&app, &bureau, w, WarningAction::Submit, None).await.unwrap();
    assert!(item(&app, &bureau, "草稿预警").await.is_none());
    assert_eq!(item(&app, &admin, "待批准的预警").await.unwrap().count, 1);
    assert!(item(&app, &bureau, "待批准的预警").await.is_none(), "the bureau drafts, the government approves");
    warnings::transition(&app, &admin, w, WarningAction::Approve, None).await.unwrap();
    assert!(item(&app, &admin, "待批准的预警").await.is_none());
    assert_eq!(item(&app, &bureau, "已批准待发布").await.unwrap().count, 1);
    warnings::transition(&app, &bureau, w, WarningAction::Issue, None).await.unwrap();
    assert!(item(&app, &bureau, "已批准待发布").await.is_none());
});

both!(subsidy_items_follow_the_application, |url: String| async move {
    let app = app_at(&url, "2026-12-02").await;
    let (ent, commerce, finance) = (actor(&app, "enterprise").await, actor(&app, "commerce").await, actor(&app, "finance").await);
    let e = store::subsidy::Enterprise { uscc: USCC.into(), name: "示例".into(), town: "水泉镇".into(), contact: String::new() };
    app.store.subsidy_upsert_enterprise("t", &e).await.unwrap();
    assert!(item(&app, &commerce, "待受理").await.is_none());
    let applicant = serde_json::json!({"uscc": USCC, "name": "示例", "year": 2024, "registered_in_district": true,
        "statistically_included": true, "entered_on": "2022-03-01", "net_tax_yuan": 1200000,
        "online_retail_yuan": 62000000, "online_retail_prev_yuan": 51000000});
    let id = app::subsidy::declare::declare(&app, &ent, USCC, 2024, &applicant, true).await.unwrap().unwrap();
    assert_eq!(item(&app, &commerce, "待受理").await.unwrap().count, 1);
    assert!(item(&app, &finance, "待受理").await.is_none(), "区财政局 pays, it does not review");
    let mine = item(&app, &ent, "我的申请").await.unwrap();
    assert!(mine.what.contains("已提交") && mine.link.ends_with(&id.to_string()), "{mine:?}");
    app::subsidy::review::step(&app, &commerce, id, Step::Start, "").await.unwrap();
    assert!(item(&app, &commerce, "待受理").await.is_none());
    assert_eq!(item(&app, &commerce, "审核中").await.unwrap().count, 1);
    app::subsidy::review::step(&app, &commerce, id, Step::Reject, "不符合条件").await.unwrap();
    assert!(item(&app, &commerce, "审核中").await.is_none());
    assert!(item(&app, &ent, "我的申请").await.is_none(), "a rejected application is no longer waiting");
});

both!(meeting_office_is_reminded_and_reminders_go, |url: String| async move {
    // The meeting system was set up in 2022; with no meeting held the yearly reminder is due.
    let app = app_at(&url, "2024-03-01").await;
    let fund = actor(&app, "fund").await;
    let due = item(&app, &fund, "联席会议尚未召开").await.unwrap();
    assert!(due.due.is_some_and(|d| d <= app.today()) && due.clause.contains("19号"), "{due:?}");
    assert!(item(&app, &actor(&app, "tax").await, "联席会议尚未召开").await.is_none(), "a member unit runs no meeting");
    let id = app::meeting::propose(
        &app,
        &fund,
        &app::meeting::Proposal {
            title: "年度会议".into(),
            proposed_by: "枣庄市住房公积金管理中心山亭管理部".into(),
            meeting_date: "2024-03-20".into(),
            place: "区政府".into(),
            items: vec!["议题一".into()],
        },
    )
    .await
    .unwrap();
    app::meeting::advance(&app, &fund, id, &app::meeting::AdvanceInput::default()).await.unwrap();
    // Called: the reminder goes, the materials are due five days before.
    assert!(item(&app, &fund, "联席会议尚未召开").await.is_none());
    let send = item(&app, &fund, "会前送达").await.unwrap();
    assert_eq!(send.due, Some("2024-03-15".parse().unwrap()), "{send:?}");
});

both!(plans_are_due_twenty_working_days_after_issue, |url: String| async move {
    let app = app_at(&url, "2026-12-02").await;
    let bureau = actor(&app, "emergency").await;
    assert!(item(&app, &bureau, "待备案的应急预案").await.is_none());
    let plan = app::emergency::plans::NewPlan {
        kind: "department".into(),
        name: "安全生产事故应急预案".into(),
        issuer: "区应急管理局".into(),
        issued_on: "2026-12-01".into(),
        filed_on: None,
    };
    app::emergency::plans::register(&app, &bureau, plan).await.unwrap();
    let t = item(&app, &bureau, "待备案的应急预案").await.unwrap();
    let expected = app.calendar.add_workdays("2026-12-01".parse().unwrap(), 20).unwrap();
    assert_eq!(t.due, Some(expected), "{t:?}");
    // Another department keeps no such plan.
    assert!(item(&app, &actor(&app, "tax").await, "待备案的应急预案").await.is_none());
});

/// The account's unread notifications.
async fn unread(app: &App, who: &Actor) -> i64 {
    app.store.unread_notifications(&who.username, &app::workbench::notify::keys_of(who)).await.unwrap()
}

both!(events_notify_in_their_transaction, |url: String| async move {
    let app = app_at(&url, "2026-12-02").await;
    let (admin, bureau, town, tax) =
        (actor(&app, "admin").await, actor(&app, "emergency").await, actor(&app, "town").await, actor(&app, "tax").await);
    assert_eq!(unread(&app, &bureau).await, 0);
    let id = incidents::file_report(&app, &town, report("水泉镇")).await.unwrap();
    assert_eq!(unread(&app, &bureau).await, 1, "the coordinating unit hears of the report");
    assert_eq!(unread(&app, &tax).await, 0);
    // A refused step writes nothing, its notification neither.
    assert!(incidents::set_level(&app, &tax, id, ResponseLevel::II, "扩大").await.is_err());
    assert_eq!(unread(&app, &town).await, 0);
    incidents::set_level(&app, &admin, id, ResponseLevel::II, "扩大").await.unwrap();
    assert_eq!(unread(&app, &town).await, 1, "the town hears of the level");
    let list = app.store.notifications(&town.username, &app::workbench::notify::keys_of(&town), 50).await.unwrap();
    assert_eq!(list[0].link, format!("/emergency/incidents/{id}"));
    assert_eq!(app.store.mark_notifications_read(&town.username, &app::workbench::notify::keys_of(&town), None).await.unwrap(), 1);
    assert_eq!(unread(&app, &town).await, 0);
    // The application's decision reaches the enterprise.
    let ent = actor(&app, "enterprise").await;
    let e = store::subsidy::Enterprise { uscc: USCC.into(), name: "示例".into(), town: "水泉镇".into(), contact: String::new() };
    app.store.subsidy_upsert_enterprise("t", &e).await.unwrap();
    let applicant = serde_json::json!({"uscc": USCC, "name": "示例", "year": 2024, "registered_in_district": true,
        "statistically_included": true, "entered_on": "2022-03-01", "net_tax_yuan": 1200000,
        "online_retail_yuan": 62000000, "online_retail_prev_yuan": 51000000});
    let aid = app::subsidy::declare::declare(&app, &ent, USCC, 2024, &applicant, true).await.unwrap().unwrap();
    app::subsidy::review::step(&app, &actor(&app, "commerce").await, aid, Step::Start, "").await.unwrap();
    assert_eq!(unread(&app, &ent).await, 1);
});

both!(deadline_notices_come_once_a_day, |url: String| async move {
    // A plan issued 18 working days ago is due within 3 working days.
    let app = app_at(&url, "2026-12-02").await;
    let bureau = actor(&app, "emergency").await;
    let issued = (1..60)
        .map(|n| app.today().checked_sub(jiff::Span::new().days(n)).unwrap())
        .find(|d| app.calendar.add_workdays(*d, 20).unwrap() == app.calendar.add_workdays(app.today(), 2).unwrap())
        .unwrap();
    let plan = app::emergency::plans::NewPlan {
        kind: "department".into(),
        name: "安全生产事故应急预案".into(),
        issuer: "区应急管理局".into(),
        issued_on: issued.to_string(),
        filed_on: None,
    };
    app::emergency::plans::register(&app, &bureau, plan).await.unwrap();
    let items = todos(&app, &bureau).await.unwrap();
    assert_eq!(app::workbench::notify::notify_deadlines(&app, &bureau, &items).await.unwrap(), 1);
    assert_eq!(app::workbench::notify::notify_deadlines(&app, &bureau, &items).await.unwrap(), 0, "once per item per day");
    assert_eq!(unread(&app, &bureau).await, 1);
});
