//! 联席会议 (山政办字〔2022〕19号): the yearly meeting reminder, materials to
//! deliver five days before a meeting, minutes to issue.

use access::{Action, Actor, Duty};
use kernel::Date;
use meeting::Stage;

use super::{Todo, holders, holds};
use crate::meeting::{may, member_units, rules, stored_date};
use crate::{App, Result};

pub(super) async fn todos(app: &App, actor: &Actor, overview: bool, today: Date, out: &mut Vec<Todo>) -> Result<()> {
    if holds(app, actor, Action::MeetingRun, Duty::MeetingOffice).is_none() && !overview {
        return Ok(());
    }
    let units = member_units(app).await?;
    if !overview && may(app, actor, Action::MeetingRun, &units).is_err() {
        return Ok(());
    }
    let unit = overview.then(|| holders(app, Duty::MeetingOffice));
    let meetings = app.store.meetings().await?;
    let mut last = None;
    for m in meetings.iter().filter(|m| m.stage.held()) {
        last = last.max(Some(stored_date(&m.meeting_date)?));
    }
    let r = rules(app, today)?;
    // 每年至少召开一次: due from the engine's reminder day, unless one is already called.
    let called = meetings.iter().any(|m| !m.stage.held() && m.stage >= Stage::Called);
    if r.overdue(last, today) && !called {
        out.push(Todo {
            what: "本年度联席会议尚未召开（每年至少召开一次）".into(),
            count: 1,
            due: r.reminder_due(last),
            clause: r.cite.reminder.citation.clone(),
            link: "/meeting".into(),
            unit: unit.clone(),
        });
    }
    for m in &meetings {
        let date = stored_date(&m.meeting_date)?;
        let mr = rules(app, date)?;
        if m.stage == Stage::Called {
            out.push(Todo {
                what: format!("会前送达会议议题及材料：{}（{date}召开）", m.title),
                count: 1,
                due: mr.delivery_deadline(date),
                clause: mr.cite.notice.citation.clone(),
                link: format!("/meeting/{}", m.id),
                unit: unit.clone(),
            });
        }
        if m.stage.held() && m.stage < Stage::MinutesIssued {
            out.push(Todo {
                what: format!("待编发会议纪要：{}", m.title),
                count: 1,
                due: None,
                clause: mr.cite.minutes.citation.clone(),
                link: format!("/meeting/{}", m.id),
                unit: unit.clone(),
            });
        }
    }
    Ok(())
}
