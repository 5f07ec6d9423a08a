//! 消息中心: who is told of which event, and the deadline notices. A use case
//! hands the notifications of its event to [`store::notifications::with`]
//! around its one write, so that they are stored in the same transaction.

use access::{Actor, Duty, Holder};
use ecommerce::workflow::Status;
use store::emergency::{Incident, Warning};
use store::notifications::{Kind, NewNotification};
use store::subsidy::Application;

use super::Todo;
use crate::{App, Result};

pub use store::notifications::with;

/// A town's notifications go to `town:<镇>`.
pub fn town_key(town: &str) -> String {
    format!("town:{town}")
}

/// The recipient keys an account reads besides its own name: its unit, its
/// town, its village, its enterprise.
pub fn keys_of(actor: &Actor) -> Vec<String> {
    let mut keys: Vec<String> = actor.acting_unit().map(str::to_string).into_iter().collect();
    match (&actor.town, &actor.village) {
        (Some(t), Some(v)) => keys.push(format!("village:{t}/{v}")),
        (Some(t), None) => keys.push(town_key(t)),
        _ => {}
    }
    if let Some(e) = &actor.enterprise {
        keys.push(format!("enterprise:{e}"));
    }
    keys
}

/// The units that hold `duty` by name (a role-wide duty names no unit).
fn units_holding(app: &App, duty: Duty) -> Vec<String> {
    app.duties
        .def(duty)
        .holders
        .iter()
        .filter_map(|h| match h {
            Holder::Unit(u) => Some(u.clone()),
            Holder::Role(_) => None,
        })
        .collect()
}

fn to_units(units: impl IntoIterator<Item = String>, kind: Kind, text: &str, link: &str) -> Vec<NewNotification> {
    let mut seen: Vec<String> = Vec::new();
    for u in units {
        if !seen.contains(&u) {
            seen.push(u);
        }
    }
    seen.into_iter().map(|u| NewNotification::to_unit(u, kind, text, link)).collect()
}

/// 信息报送: the coordinating unit (区应急管理局) hears of every report.
pub(crate) fn report_filed(app: &App, town: &str, title: &str, link: &str, followup: bool) -> Vec<NewNotification> {
    let what = if followup { "续报" } else { "首报" };
    to_units(units_holding(app, Duty::EmergencyCoordinate), Kind::ReportFiled, &format!("{town}报送突发事件信息（{what}）：{title}"), link)
}

/// 响应级别: the town where it happened, the lead departments and the coordinating unit.
pub(crate) fn level_changed(app: &App, i: &Incident, level: &str) -> Vec<NewNotification> {
    let units = std::iter::once(town_key(&i.town)).chain(i.leads()).chain(units_holding(app, Duty::EmergencyCoordinate));
    to_units(units, Kind::LevelChanged, &format!("{}：响应级别定为{level}", i.title), &format!("/emergency/incidents/{}", i.id))
}

/// 预警发布: the towns of the warning's area and the units assigned its measures.
pub(crate) fn warning_issued(app: &App, w: &Warning, assignees: &[String]) -> Vec<NewNotification> {
    let towns = store::emergency::split_units(&w.areas).into_iter().filter(|a| app.district.is_area(a)).map(|t| town_key(&t));
    let units = towns.chain(assignees.iter().cloned()).chain(units_holding(app, Duty::EmergencyCoordinate));
    to_units(units, Kind::WarningIssued, &format!("发布预警：{}", w.headline), &format!("/emergency/warnings/{}", w.id))
}

/// 申请办理结果: the enterprise; once approved, also the unit that pays.
pub(crate) fn application_decided(app: &App, a: &Application, to: Status) -> Vec<NewNotification> {
    let link = format!("/subsidy/applications/{}", a.id);
    let text = format!("{}年度扶持申请：{}", a.year, to.label());
    let mut out = vec![NewNotification::to_unit(format!("enterprise:{}", a.uscc), Kind::ApplicationDecided, &text, &link)];
    if to == Status::Approved {
        let pay = format!("{}（{}年度）的扶持申请已批准，待拨付", a.name, a.year);
        out.extend(to_units(units_holding(app, Duty::SubsidyPay), Kind::ApplicationDecided, &pay, &link));
    }
    out
}

/// 会议召集: every member unit, by its full name.
pub(crate) fn meeting_called(app: &App, id: i64, title: &str, date: &str, units: &[String]) -> Vec<NewNotification> {
    let full = crate::meeting::target(app, units).units;
    to_units(full, Kind::MeetingCalled, &format!("召开联席会议：{title}（{date}）"), &format!("/meeting/{id}"))
}

/// 3个工作日内到期: one notice per item per day to the account that sees the
/// item (idempotent: the key names the day, the account and the item).
pub async fn notify_deadlines(app: &App, actor: &Actor, todos: &[Todo]) -> Result<usize> {
    let today = app.today();
    let Ok(horizon) = app.calendar.add_workdays(today, 3) else { return Ok(0) };
    let notes: Vec<(NewNotification, String)> = todos
        .iter()
        .filter(|t| t.due.is_some_and(|d| d >= today && d <= horizon))
        .filter_map(|t| {
            let due = t.due?;
            let text = format!("{}：{}年{}月{}日到期（{}）", t.what, due.year(), due.month(), due.day(), t.clause);
            let key = format!("deadline:{today}:{}:{}", actor.username, t.key());
            Some((NewNotification::to_user(&actor.username, Kind::Deadline, text, &t.link), key))
        })
        .collect();
    Ok(app.store.notify_once(&actor.username, &notes).await?)
}
