//! Joint meeting storage on both backends: typed rows (an unknown stage is an
//! error), steps conditional on the meeting's stage and version (twenty at
//! once take effect once), writes refused outside their stages, materials
//! capped, minutes numbered once.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use meeting::{Attendance, Stage, Vote};
use store::meeting::{AttendanceRecord, CastVote, Effect, NewMeeting, StageChange};
use store::{Store, StoreError};

#[macro_use]
mod common;

const UNITS: [&str; 4] = ["区政府", "枣庄市住房公积金管理中心山亭管理部", "区财政局", "区税务局"];

fn new_meeting() -> NewMeeting {
    NewMeeting {
        title: "测试会议".into(),
        proposed_by: UNITS[1].into(),
        proposed_on: "2024-03-01".into(),
        meeting_date: "2024-03-20".into(),
        place: String::new(),
        items: vec!["议题一".into()],
    }
}

async fn setup(url: &str) -> (Store, i64) {
    let s = Store::connect(url).await.unwrap();
    let units: Vec<(String, String)> = UNITS.iter().map(|u| (u.to_string(), String::new())).collect();
    s.meeting_seed_units(&units, &[]).await.unwrap();
    let id = s.meeting_create("fund", &new_meeting()).await.unwrap();
    (s, id)
}

fn step(id: i64, from: Stage, to: Stage, version: i64) -> StageChange<'static> {
    StageChange { id, from, to, version, effect: Effect::None }
}

fn open(f: fn(Stage) -> bool) -> Vec<Stage> {
    Stage::ALL.iter().copied().filter(|s| f(*s)).collect()
}

both!(rows_are_typed_and_an_unknown_stage_is_an_error, |url: String| async move {
    let (s, id) = setup(&url).await;
    let m = s.meeting(id).await.unwrap();
    assert_eq!((m.stage, m.version), (Stage::Proposed, 0));
    // The schema refuses a stage the engine does not know …
    let r = sqlx::query("UPDATE meeting_meetings SET stage = 'closed' WHERE id = $1").bind(id).execute(s.pool()).await;
    assert!(r.is_err(), "the stage is checked by the schema");
    // … and one that got in anyway is an error on reading, never a guess.
    let drop = match s.backend() {
        store::Backend::Sqlite => "DROP TRIGGER meeting_stage_known_update",
        store::Backend::Postgres => "ALTER TABLE meeting_meetings DROP CONSTRAINT meeting_stage_known",
    };
    sqlx::query(drop).execute(s.pool()).await.unwrap();
    sqlx::query("UPDATE meeting_meetings SET stage = 'closed' WHERE id = $1").bind(id).execute(s.pool()).await.unwrap();
    let e = s.meeting(id).await.unwrap_err().to_string();
    assert!(e.contains("closed"), "{e}");
    assert!(s.meetings().await.is_err());
});

both!(twenty_identical_steps_at_once_take_effect_once, |url: String| async move {
    let (s, id) = setup(&url).await;
    let audit = s.audit_history("meeting", &id.to_string()).await.unwrap().len();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.meeting_transition("fund", &step(id, Stage::Proposed, Stage::Called, 0)).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(m)) => assert!(m.contains("已召集") || m.contains("更新"), "{m}"),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(ok, 1);
    let m = s.meeting(id).await.unwrap();
    assert_eq!((m.stage, m.version), (Stage::Called, 1));
    assert_eq!(s.audit_history("meeting", &id.to_string()).await.unwrap().len(), audit + 1);
    // A step decided on an older version is a conflict even at the right stage.
    s.meeting_add_material("fund", id, &open(Stage::materials_open), "议题.txt", "议题".as_bytes()).await.unwrap();
    let e = s.meeting_transition("fund", &step(id, Stage::Called, Stage::MaterialsSent, 1)).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
});

both!(sending_and_minutes_once, |url: String| async move {
    let (s, id) = setup(&url).await;
    s.meeting_transition("fund", &step(id, Stage::Proposed, Stage::Called, 0)).await.unwrap();
    // Nothing uploaded: nothing to deliver.
    let send = move |v| StageChange {
        id,
        from: Stage::Called,
        to: Stage::MaterialsSent,
        version: v,
        effect: Effect::SendMaterials { sent_on: "2024-03-10" },
    };
    assert!(matches!(s.meeting_transition("fund", &send(1)).await, Err(StoreError::Invalid(_))));
    assert_eq!(s.meeting(id).await.unwrap().stage, Stage::Called, "rolled back");
    s.meeting_add_material("fund", id, &open(Stage::materials_open), "议题.txt", "议题".as_bytes()).await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.meeting_transition("fund", &send(2)).await.is_ok() })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        ok += usize::from(t.await.unwrap());
    }
    assert_eq!(ok, 1);
    let d = s.meeting_detail(id).await.unwrap();
    assert_eq!(d.deliveries.len(), UNITS.len());
    assert_eq!(d.meeting.materials_sent_on.as_deref(), Some("2024-03-10"));
    // Attendance and votes only in their stages.
    let all: Vec<AttendanceRecord> = UNITS
        .iter()
        .map(|u| AttendanceRecord { unit: u.to_string(), status: Attendance::Present, attendee: String::new(), opinion: String::new() })
        .collect();
    let item = d.items[0].id;
    let vote = [CastVote { unit: UNITS[0].into(), vote: Vote::For }];
    let e = s.meeting_record_votes("fund", id, &open(Stage::voting_open), item, &vote).await.unwrap_err();
    assert!(e.to_string().contains("材料已送达"), "{e}");
    s.meeting_record_attendance("fund", id, &open(Stage::attendance_open), &all).await.unwrap();
    let mut v = s.meeting(id).await.unwrap().version;
    for (from, to) in [(Stage::MaterialsSent, Stage::Opened), (Stage::Opened, Stage::Reported), (Stage::Reported, Stage::Discussed)] {
        s.meeting_transition("fund", &step(id, from, to, v)).await.unwrap();
        v += 1;
    }
    s.meeting_record_votes("fund", id, &open(Stage::voting_open), item, &vote).await.unwrap();
    v += 1;
    assert_eq!(s.meeting_detail(id).await.unwrap().items[0].votes, vote);
    for (from, to) in [(Stage::Discussed, Stage::Voted), (Stage::Voted, Stage::Announced), (Stage::Announced, Stage::Summarised)] {
        s.meeting_transition("fund", &step(id, from, to, v)).await.unwrap();
        v += 1;
    }
    let e = s.meeting_record_attendance("fund", id, &open(Stage::attendance_open), &all).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    // Twenty issues at once: one number.
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move {
                let name = |n: i64| format!("纪要〔2024〕{n}号");
                let c = StageChange {
                    id,
                    from: Stage::Summarised,
                    to: Stage::MinutesIssued,
                    version: v,
                    effect: Effect::IssueMinutes { issued_on: "2024-03-22", number: &name },
                };
                s.meeting_transition("fund", &c).await.ok().flatten()
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.extend(t.await.unwrap());
    }
    assert_eq!(numbers, ["纪要〔2024〕1号"]);
    let m = s.meeting(id).await.unwrap();
    assert_eq!((m.stage, m.minutes_number.as_deref()), (Stage::MinutesIssued, Some("纪要〔2024〕1号")));
    // A minutes number is unique.
    let second = NewMeeting { title: "二".into(), meeting_date: "2024-04-20".into(), ..new_meeting() };
    let other = s.meeting_create("fund", &second).await.unwrap();
    let r = sqlx::query("UPDATE meeting_meetings SET minutes_number = $1 WHERE id = $2")
        .bind("纪要〔2024〕1号")
        .bind(other)
        .execute(s.pool())
        .await;
    assert!(r.is_err());
});

both!(materials_are_capped_and_kept_per_meeting, |url: String| async move {
    let (s, id) = setup(&url).await;
    let stages = open(Stage::materials_open);
    let big = vec![0u8; store::documents::MAX_BYTES + 1];
    let e = s.meeting_add_material("fund", id, &stages, "大.pdf", &big).await.unwrap_err();
    assert!(e.to_string().contains("20 MB"), "{e}");
    // The schema holds the cap too, and the size is the bytes'.
    let r = sqlx::query(
        "INSERT INTO meeting_materials (meeting_id, filename, content_type, size, data, uploaded_by, uploaded_at) VALUES ($1, 'a', 'b', $2, $3, 'x', 'y')",
    )
    .bind(id)
    .bind(5_i64)
    .bind(vec![1u8; 3])
    .execute(s.pool())
    .await;
    assert!(r.is_err(), "size differs from the bytes");
    let mid = s.meeting_add_material("fund", id, &stages, "../方案.HTML", b"<b>x</b>").await.unwrap();
    let f = s.meeting_material(id, mid).await.unwrap();
    assert_eq!((f.filename.as_str(), f.content_type.as_str()), ("方案.HTML", "application/octet-stream"));
    assert_eq!(f.data, b"<b>x</b>");
    assert!(matches!(s.meeting_material(id + 1, mid).await, Err(StoreError::NotFound(_))));
    assert_eq!(s.meeting_detail(id).await.unwrap().materials.len(), 1);
    // Not once the meeting has opened.
    let e = s.meeting_add_material("fund", id, &[Stage::Called], "b.txt", b"b").await.unwrap_err();
    assert!(e.to_string().contains("已提议"), "{e}");
});
