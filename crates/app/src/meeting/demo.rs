//! The member units with their representatives, and the demo meetings: a
//! past one carried through the whole procedure on its own days (the app's
//! clock fixed to each), and an upcoming one with its materials sent. The
//! demo acts as the office, through the same use cases a person uses.

use access::{Actor, Role};
use kernel::Date;
use store::meeting::Representative;

use super::run::{AdvanceInput, AttendanceRow, Proposal, SendInput, Upload, VoteRow};
use super::{GROUP, rules};
use crate::{App, Clock, Error, Result};

/// Seed the member units (the notice's list in force today) and their
/// representatives from the group's list in `policy/district`, once.
pub async fn seed_units(app: &App) -> Result<()> {
    let rules = rules(app, app.today())?;
    let group = app.district.group(GROUP).ok_or_else(|| Error::internal(format!("district.toml 缺少 {GROUP}")))?;
    let canonical = |u: &str| app.district.department(u).map_or_else(|| u.to_string(), |d| d.name.clone());
    let reps: Vec<Representative> = group
        .members
        .iter()
        .filter(|m| m.role != "办公室主任")
        .filter_map(|m| {
            let unit = rules.members.iter().find(|u| canonical(u) == canonical(&m.unit))?;
            Some(Representative {
                id: 0,
                unit: unit.clone(),
                person: m.person.clone(),
                post: m.post.clone(),
                role: m.role.clone(),
                from_date: m.from.to_string(),
                to_date: m.to.map(|d| d.to_string()),
            })
        })
        .collect();
    let notes: Vec<(String, String)> = rules.members.iter().map(|u| (u.clone(), String::new())).collect();
    app.store.meeting_seed_units(&notes, &reps).await?;
    Ok(())
}

fn on(app: &App, day: &str) -> Result<App> {
    let d: Date = day.parse().map_err(Error::internal)?;
    Ok(app.clone().with_clock(Clock::Fixed(d)))
}

async fn step(app: &App, office: &Actor, id: i64, summary: Option<&str>) -> Result<()> {
    let version = app.store.meeting(id).await?.version;
    super::advance(app, office, id, &AdvanceInput { version, summary: summary.map(str::to_string) }).await?;
    Ok(())
}

/// The units, then (if there are no meetings yet) the two demo meetings.
pub async fn seed(app: &App) -> Result<()> {
    seed_units(app).await?;
    if !app.store.meetings().await?.is_empty() {
        return Ok(());
    }
    let rules = rules(app, app.today())?;
    let units = rules.members.clone();
    let office = Actor::new("demo", Role::Bureau).with_unit(rules.office_unit.clone());

    // A past meeting, carried through the whole procedure on its own days.
    let day = on(app, "2022-11-01")?;
    let past = super::propose(
        &day,
        &office,
        &Proposal {
            title: "2022年第一次住房公积金联席会议".into(),
            proposed_by: rules.office_unit.clone(),
            meeting_date: "2022-11-25".into(),
            place: "区政府三楼会议室".into(),
            items: vec!["关于建立住房公积金缴存扩面联合督导机制的议题".into(), "关于住房公积金违规提取联合查处工作方案的议题".into()],
        },
    )
    .await?;
    step(&day, &office, past, None).await?;
    let day = on(app, "2022-11-18")?;
    let agenda = "一、关于建立住房公积金缴存扩面联合督导机制的议题\n二、关于住房公积金违规提取联合查处工作方案的议题\n";
    super::upload_materials(&day, &office, past, &[Upload { filename: "会议议题.txt".into(), data: agenda.as_bytes().to_vec() }]).await?;
    let version = day.store.meeting(past).await?.version;
    super::send_materials(&day, &office, past, &SendInput { sent_on: "2022-11-18".into(), version }).await?;
    let day = on(app, "2022-11-25")?;
    let rows: Vec<AttendanceRow> = units
        .iter()
        .enumerate()
        .map(|(i, u)| match i {
            3 => AttendanceRow {
                unit: u.clone(),
                status: "proxy".into(),
                attendee: "财政局科员 李明".into(),
                opinion: "同意两项议题，建议明确督导频次。".into(),
            },
            8 => AttendanceRow { unit: u.clone(), status: "absent".into(), ..AttendanceRow::default() },
            _ => AttendanceRow { unit: u.clone(), status: "present".into(), ..AttendanceRow::default() },
        })
        .collect();
    super::record_attendance(&day, &office, past, &rows).await?;
    for _ in 0..3 {
        step(&day, &office, past, None).await?; // (一) opened, (二) reported, (三) discussed
    }
    let present: Vec<VoteRow> =
        rows.iter().filter(|r| r.status == "present").map(|r| VoteRow { unit: r.unit.clone(), vote: "for".into() }).collect();
    for item in day.store.meeting_detail(past).await?.items {
        super::record_votes(&day, &office, past, item.id, &present).await?;
    }
    step(&day, &office, past, None).await?; // (四) voted
    step(&day, &office, past, None).await?; // (五) announced
    step(&day, &office, past, Some("各成员单位按照会议决定抓好落实，办公室做好跟踪督办。")).await?; // (六)
    step(&on(app, "2022-11-28")?, &office, past, None).await?; // minutes issued

    // An upcoming meeting, proposed by a member unit, with its materials sent today.
    let today = app.today();
    let next_date = today.checked_add(jiff::Span::new().days(14)).unwrap_or(today);
    let tax = Actor::new("demo", Role::Bureau).with_unit("区税务局");
    let up = super::propose(
        app,
        &tax,
        &Proposal {
            title: format!("{}年住房公积金联席会议", next_date.year()),
            proposed_by: "区税务局".into(),
            meeting_date: next_date.to_string(),
            place: "区政府三楼会议室".into(),
            items: vec!["关于开展企业欠缴住房公积金联合惩戒的议题".into()],
        },
    )
    .await?;
    step(app, &office, up, None).await?;
    let draft = "一、工作目标……\n二、惩戒措施……\n";
    super::upload_materials(
        app,
        &office,
        up,
        &[Upload { filename: "联合惩戒工作方案（征求意见稿）.txt".into(), data: draft.as_bytes().to_vec() }],
    )
    .await?;
    let version = app.store.meeting(up).await?.version;
    super::send_materials(app, &office, up, &SendInput { sent_on: today.to_string(), version }).await?;
    Ok(())
}
