//! Use cases of the housing provident fund joint meeting (住房公积金联席会议,
//! 山政办字〔2022〕19号).
//!
//! Who may do what comes from the duties (`policy/access/duties.toml`):
//! the office (`meeting.office`, 枣庄市住房公积金管理中心山亭管理部) runs
//! meetings — calls them, uploads and sends the agenda and materials, records
//! attendance, votes and each step, issues the minutes, records the
//! representatives; a member unit (`meeting.member`, own: the meetings whose
//! member units include it) sees its meetings, their materials and minutes,
//! and may propose a meeting in its own name (四（一）); 区政府
//! (`meeting.convener`) reads all. Everyone else sees no meeting.
//!
//! The rules are the `meeting` engine's: the stage machine
//! ([`meeting::Stage::advance`]), quorum and votes ([`meeting::decide`]), the
//! five days' notice, the yearly reminder ([`meeting::Rules::reminder_text`])
//! and the minutes ([`meeting::Minutes`]). Every step is written with the
//! meeting's `version` the request was decided on, so that identical
//! requests sent at once take effect once.
//!
//! - [`read`]: the list with its reminder, one meeting, a material, the minutes;
//! - [`run`]: propose, advance, upload, send, attendance, votes, representatives;
//! - [`demo`]: the member units and the demo meetings (through the same use cases).

pub mod demo;
pub mod read;
pub mod run;

use access::{Action, Actor, Denied, Grant, Target};
use kernel::Date;
use meeting::{DecideRequest, Rules};
use store::meeting::MeetingDetail;

use crate::{App, Error, Result};

pub use read::{MeetingView, MinutesDoc, Notice, Overview, material, meeting, minutes, minutes_document, overview, reminder};
pub use run::{
    AdvanceInput, AttendanceRow, Proposal, RepresentativeInput, SendInput, Upload, VoteRow, advance, change_representative, propose,
    record_attendance, record_votes, send_materials, upload_materials,
};

/// The group's key in `policy/district/district.toml`.
pub const GROUP: &str = "housing_fund_joint_meeting";

/// The member units as stored (the names the meeting's records use).
pub(crate) async fn member_units(app: &App) -> Result<Vec<String>> {
    Ok(app.store.meeting_units().await?.into_iter().map(|u| u.name).collect())
}

/// The object of access for a meeting: its member units by their full names
/// (the notice's list says 区人社局; the account's unit is 区人力资源和社会保障局).
pub(crate) fn target(app: &App, units: &[String]) -> Target {
    Target::units(units.iter().map(|u| app.district.department(u).map_or_else(|| u.clone(), |d| d.name.clone())))
}

/// The figures in force on `on`. Before the notice there are none: a date
/// that early is the input's fault.
pub(crate) fn rules(app: &App, on: Date) -> Result<Rules> {
    Rules::load(&app.params, on).map_err(|e| match e {
        meeting::RulesError::Param(kernel::ParamError::NoPeriod { .. }) => {
            Error::field("meeting_date", format!("{on} 早于联席会议制度建立之日，没有可适用的规定"))
        }
        other => Error::internal(other),
    })
}

pub(crate) fn date(field: &'static str, s: &str) -> Result<Date> {
    kernel::parse_date(s.trim()).map_err(|e| Error::field(field, format!("日期“{}”无效：{e}（应写作 2026-12-04）", kernel::echo(s))))
}

/// A stored date: a bad one is the platform's fault.
pub(crate) fn stored_date(s: &str) -> Result<Date> {
    kernel::parse_date(s).map_err(|e| Error::internal(format!("会议记录中的日期 {s:?} 无效：{e}")))
}

/// Object level: the actor's grant for `action` on a meeting of these units.
pub(crate) fn may(app: &App, actor: &Actor, action: Action, units: &[String]) -> Result<Grant> {
    app.may_on(actor, action, &target(app, units))
}

/// Whether the actor may take step `t` of the procedure: a grant of
/// [`Action::MeetingRun`] under one of the step's duties, covering the meeting.
pub(crate) fn may_take(app: &App, actor: &Actor, t: &meeting::Transition, units: &[String]) -> Result<()> {
    let target = target(app, units);
    let ok = app.duties.grants(actor, Action::MeetingRun).into_iter().any(|g| t.by.contains(&g.duty) && g.scope.covers(&target));
    if ok {
        return Ok(());
    }
    let who: Vec<String> = t.by.iter().map(|d| app.duties.def(*d).label.clone()).collect();
    Err(Denied {
        action: Action::MeetingRun, reason: format!("依据{}，“{}”由{}办理", t.clause, t.to.step_label(), who.join("、"))
    }
    .into())
}

/// The decide request a stored meeting amounts to. The materials count as
/// delivered only if any were sent (四（二）, [`Rules::delivered_on`]).
pub(crate) fn request(rules: &Rules, d: &MeetingDetail, units: &[String]) -> Result<DecideRequest> {
    let bad = |e: meeting::InputError| Error::internal(format!("会议 {} 的记录：{e}", d.meeting.id));
    let mut req = DecideRequest::new(units.to_vec(), stored_date(&d.meeting.meeting_date)?).map_err(bad)?;
    let sent = d.meeting.materials_sent_on.as_deref().map(stored_date).transpose()?;
    req.materials_sent_on = rules.delivered_on(sent, d.materials.len());
    for a in &d.attendance {
        req.set_attendance(&a.unit, a.status).map_err(bad)?;
    }
    for i in &d.items {
        req.add_item(i.title.clone(), i.votes.iter().map(|v| (v.unit.as_str(), v.vote))).map_err(bad)?;
    }
    Ok(req)
}

/// A field's text cut to `max` characters or refused, naming the field.
pub(crate) fn bounded(field: &'static str, label: &str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(Error::field(field, format!("{label}不能超过 {max} 个字")));
    }
    Ok(t.to_string())
}
