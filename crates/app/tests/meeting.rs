//! Meeting use cases on both backends: access by duty, the yearly reminder as
//! the engine decides it, twenty identical steps at once, and what a sending
//! needs.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use access::{Actor, Role};
use app::meeting::{self as uc, AdvanceInput, Proposal, SendInput, Upload};
use app::{App, Clock, Error};
use kernel::{Date, ParamSet, WorkCalendar};
use meeting::Stage;
use store::Store;

#[macro_use]
#[path = "../../store/tests/common/mod.rs"]
mod common;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

async fn app_at(url: &str, today: &str) -> App {
    let store = Store::connect(url).await.unwrap();
    let params = ParamSet::embedded().unwrap();
    let calendar = WorkCalendar::from_params(&params).unwrap();
    let app = App::new(store, params, calendar).unwrap().with_clock(Clock::Fixed(d(today)));
    uc::demo::seed_units(&app).await.unwrap();
    app
}

fn office() -> Actor {
    Actor::new("fund", Role::Bureau).with_unit("枣庄市住房公积金管理中心山亭管理部")
}

fn bureau(unit: &str) -> Actor {
    Actor::new("x", Role::Bureau).with_unit(unit)
}

fn proposal(by: &str) -> Proposal {
    Proposal {
        title: "联席会议".into(),
        proposed_by: by.into(),
        meeting_date: "2024-03-20".into(),
        place: "区政府".into(),
        items: vec!["议题一".into(), "  ".into()],
    }
}

both!(access_follows_the_duties, |url: String| async move {
    let app = app_at(&url, "2024-03-01").await;
    let id = uc::propose(&app, &office(), &proposal("区税务局")).await.unwrap();
    // A member unit proposes in its own name (区人社局 is the notice's name for 区人力资源和社会保障局).
    let hrss = bureau("区人力资源和社会保障局");
    uc::propose(&app, &hrss, &proposal("区人社局")).await.unwrap();
    assert!(matches!(uc::propose(&app, &hrss, &proposal("区税务局")).await, Err(Error::Denied(_))));
    // 区政府 reads all, runs nothing, proposes nothing.
    let admin = Actor::new("admin", Role::Admin);
    assert!(uc::meeting(&app, &admin, id).await.is_ok());
    assert!(matches!(uc::propose(&app, &admin, &proposal("区政府")).await, Err(Error::Denied(_))));
    let e = uc::advance(&app, &admin, id, &AdvanceInput::default()).await.unwrap_err();
    assert!(matches!(e, Error::Denied(_)), "{e}");
    // A unit outside the group: no meeting, no material, no minutes.
    let commerce = bureau("区商务和投资促进局");
    assert!(matches!(uc::meeting(&app, &commerce, id).await, Err(Error::Denied(_))));
    assert!(matches!(uc::minutes(&app, &commerce, id).await, Err(Error::Denied(_))));
    assert!(matches!(uc::material(&app, &commerce, id, 1).await, Err(Error::Denied(_))));
    let o = uc::overview(&app, &commerce).await.unwrap();
    assert!(o.meetings.is_empty() && o.propose_as.is_empty() && o.reminder.is_none());
    let o = uc::overview(&app, &hrss).await.unwrap();
    assert_eq!(o.meetings.len(), 2);
    assert_eq!(o.propose_as, ["区人社局"]);
    assert_eq!(uc::overview(&app, &office()).await.unwrap().propose_as.len(), 9);
    // A town has no meeting duty at all.
    let town = Actor::new("town", Role::Town).with_town("水泉镇");
    assert!(matches!(uc::overview(&app, &town).await, Err(Error::Denied(_))));
    // The member's view offers no step; the office's does.
    assert!(!uc::meeting(&app, &hrss, id).await.unwrap().may_run);
    assert!(uc::meeting(&app, &office(), id).await.unwrap().may_run);
});

both!(twenty_identical_steps_take_effect_once, |url: String| async move {
    let app = app_at(&url, "2024-03-01").await;
    let id = uc::propose(&app, &office(), &proposal("区财政局")).await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { uc::advance(&app, &office(), id, &AdvanceInput { version: 0, summary: None }).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(s) => {
                assert_eq!(s, Stage::Called);
                ok += 1;
            }
            Err(Error::Conflict(_)) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(app.store.meeting(id).await.unwrap().stage, Stage::Called);
});

both!(sending_needs_something_to_send_and_a_real_day, |url: String| async move {
    let app = app_at(&url, "2024-03-05").await;
    let id = uc::propose(&app, &office(), &proposal("区财政局")).await.unwrap();
    uc::advance(&app, &office(), id, &AdvanceInput { version: 0, summary: None }).await.unwrap();
    let send = |sent_on: &str, version| SendInput { sent_on: sent_on.into(), version };
    let e = uc::send_materials(&app, &office(), id, &send("2024-03-05", 1)).await.unwrap_err();
    assert!(e.to_string().contains("四（二）"), "{e}");
    uc::upload_materials(&app, &office(), id, &[Upload { filename: "议题.txt".into(), data: b"1".to_vec() }]).await.unwrap();
    let e = uc::send_materials(&app, &office(), id, &send("2024-03-06", 2)).await.unwrap_err();
    assert!(matches!(&e, Error::Invalid { field: Some(f), .. } if f == "sent_on"), "{e}");
    uc::send_materials(&app, &office(), id, &send("2024-03-05", 2)).await.unwrap();
    // Fifteen days before: in time.
    let v = uc::meeting(&app, &office(), id).await.unwrap();
    assert_eq!(v.stage(), Stage::MaterialsSent);
    assert!(v.notice.unwrap().ok);
    // An old page's version: refused, nothing written.
    let e = uc::send_materials(&app, &office(), id, &send("2024-03-05", 2)).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e}");
});

/// The reminder is the engine's: due on the anniversary of the last meeting
/// held (a meeting not yet held does not count), and from the notice's date
/// when none was held.
#[tokio::test]
async fn the_reminder_is_the_engines_around_the_anniversary() {
    let db = common::sqlite().await;
    let params = ParamSet::embedded().unwrap();
    let app = app_at(&db.url, "2024-03-01").await;
    let meeting = |date: &str, stage: Stage| store::meeting::Meeting {
        id: 1,
        title: String::new(),
        proposed_by: String::new(),
        proposed_on: date.into(),
        meeting_date: date.into(),
        place: String::new(),
        stage,
        materials_sent_on: None,
        summary: String::new(),
        minutes_number: None,
        minutes_issued_on: None,
        version: 0,
    };
    let held = [meeting("2023-03-10", Stage::MinutesIssued), meeting("2024-02-01", Stage::MaterialsSent)];
    for (day, due) in [("2024-03-09", false), ("2024-03-10", true), ("2024-03-11", true)] {
        let rules = meeting::Rules::load(&params, d(day)).unwrap();
        assert_eq!(rules.overdue(Some(d("2023-03-10")), d(day)), due, "{day}");
        let r = uc::reminder(&app, &held, d(day)).unwrap();
        assert_eq!(r.is_some(), due, "{day}");
        assert_eq!(r, rules.reminder_text(Some(d("2023-03-10")), d(day)));
    }
    for (day, due) in [("2023-08-18", false), ("2023-08-19", true)] {
        assert_eq!(uc::reminder(&app, &[meeting("2023-05-01", Stage::Called)], d(day)).unwrap().is_some(), due, "{day}");
    }
}
