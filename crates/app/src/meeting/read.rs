//! Reading meetings: the list (filtered by the actor's grant) with the yearly
//! reminder, one meeting with the engine's decision on it, a material, the minutes.

use access::{Action, Actor};
use kernel::Date;
use meeting::{Decision, Stage, Transition};
use store::documents::{self, FileData};
use store::meeting::{Meeting, MeetingDetail, Representative, Unit};

use super::{GROUP, may, member_units, request, rules, stored_date, target};
use crate::{App, Error, Result};

/// The meeting page's list.
#[derive(Debug, Clone)]
pub struct Overview {
    pub units: Vec<Unit>,
    pub representatives: Vec<Representative>,
    /// The meetings the actor may see, latest first.
    pub meetings: Vec<Meeting>,
    /// The yearly reminder (四（二）: 每年至少召开一次), for those who see the meetings.
    pub reminder: Option<String>,
    /// The member units in whose name the actor may propose a meeting.
    pub propose_as: Vec<String>,
    pub may_change_representatives: bool,
    pub today: Date,
}

/// The yearly reminder on `today`, from the meetings held (the engine decides
/// what was held and when the reminder is due): `None` when not due.
pub fn reminder(app: &App, meetings: &[Meeting], today: Date) -> Result<Option<String>> {
    let mut last = None;
    for m in meetings.iter().filter(|m| m.stage.held()) {
        let d = stored_date(&m.meeting_date)?;
        last = last.max(Some(d));
    }
    Ok(rules(app, today)?.reminder_text(last, today))
}

pub async fn overview(app: &App, actor: &Actor) -> Result<Overview> {
    app.may(actor, Action::MeetingRead)?;
    let today = app.today();
    let units_rows = app.store.meeting_units().await?;
    let units: Vec<String> = units_rows.iter().map(|u| u.name.clone()).collect();
    let all = app.store.meetings().await?;
    // Every meeting is one of the joint meeting's member units: whoever may
    // read one may read them all, and a unit outside the group sees none.
    let sees = may(app, actor, Action::MeetingRead, &units).is_ok();
    let meetings = if sees { all } else { Vec::new() };
    let reminder = if sees { reminder(app, &meetings, today)? } else { None };
    let propose_as = match may(app, actor, Action::MeetingPropose, &units) {
        Ok(g) if g.scope == access::Scope::District => units.clone(),
        Ok(_) => units
            .iter()
            .filter(|u| app.may_on(actor, Action::MeetingPropose, &target(app, std::slice::from_ref(u))).is_ok())
            .cloned()
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(Overview {
        units: units_rows,
        representatives: app.store.meeting_representatives().await?,
        meetings,
        reminder,
        propose_as,
        may_change_representatives: may(app, actor, Action::MeetingRepresentatives, &units).is_ok(),
        today,
    })
}

/// The five days' notice of a meeting whose materials were sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub sent_on: String,
    /// Delivered no later than the deadline, with something to deliver (四（二）).
    pub ok: bool,
    pub deadline: Option<Date>,
    /// The clause: 山政办字〔2022〕19号 四（二）.
    pub citation: String,
}

/// One meeting as its page shows it.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub detail: MeetingDetail,
    /// The member units, in the notice's order.
    pub units: Vec<String>,
    /// The engine's decision, once attendance is recorded.
    pub decision: Option<Decision>,
    pub notice: Option<Notice>,
    /// The step forward from here, if any.
    pub next: Option<&'static Transition>,
    /// Whether the actor runs this meeting (the office).
    pub may_run: bool,
    pub today: Date,
}

impl MeetingView {
    pub fn stage(&self) -> Stage {
        self.detail.meeting.stage
    }
}

/// A meeting, if the actor may read it (403 for a unit outside the group).
pub async fn meeting(app: &App, actor: &Actor, id: i64) -> Result<MeetingView> {
    let units = member_units(app).await?;
    may(app, actor, Action::MeetingRead, &units)?;
    let detail = app.store.meeting_detail(id).await?;
    let may_run = may(app, actor, Action::MeetingRun, &units).is_ok();
    view(app, detail, units, may_run)
}

pub(crate) fn view(app: &App, detail: MeetingDetail, units: Vec<String>, may_run: bool) -> Result<MeetingView> {
    let date = stored_date(&detail.meeting.meeting_date)?;
    let rules = rules(app, date)?;
    let req = request(&rules, &detail, &units)?;
    let decision = if detail.attendance.is_empty() { None } else { Some(meeting::decide(&rules, &req)) };
    let notice = detail.meeting.materials_sent_on.as_ref().map(|sent| Notice {
        sent_on: sent.clone(),
        ok: req.materials_sent_on.is_some_and(|s| rules.notice_ok(s, date)),
        deadline: rules.delivery_deadline(date),
        citation: rules.cite.notice.citation.clone(),
    });
    Ok(MeetingView { next: detail.meeting.stage.forward(), decision, notice, units, may_run, detail, today: app.today() })
}

/// A material of a meeting the actor may read, typed by the server.
pub async fn material(app: &App, actor: &Actor, id: i64, mid: i64) -> Result<FileData> {
    let units = member_units(app).await?;
    may(app, actor, Action::MeetingRead, &units)?;
    let mut f = app.store.meeting_material(id, mid).await?;
    // Decided again from the name: rows stored before the server decided
    // types carry the client's word.
    f.content_type = documents::content_type_for(&f.filename).to_string();
    Ok(f)
}

/// Issued minutes: their number and the engine's compilation.
#[derive(Debug, Clone)]
pub struct MinutesDoc {
    pub number: String,
    pub minutes: meeting::Minutes,
}

/// The minutes of a meeting the actor may read.
pub async fn minutes(app: &App, actor: &Actor, id: i64) -> Result<MinutesDoc> {
    let units = member_units(app).await?;
    may(app, actor, Action::MeetingRead, &units)?;
    minutes_document(app, id).await
}

/// The minutes without an access check: for the server's own tools (the
/// CLI), which hold no duty and are trusted by running on the server.
pub async fn minutes_document(app: &App, id: i64) -> Result<MinutesDoc> {
    let d = app.store.meeting_detail(id).await?;
    let Some(number) = d.meeting.minutes_number.clone() else {
        return Err(Error::invalid(format!("会议 {id} 的纪要尚未印发")));
    };
    let units = member_units(app).await?;
    let reps = app.store.meeting_representatives().await?;
    let date = d.meeting.meeting_date.as_str();
    // Who held the seat on the meeting day (representatives follow the post).
    let serving = |r: &&Representative| r.from_date.as_str() <= date && r.to_date.as_deref().is_none_or(|t| t >= date);
    let rep_of = |unit: &str| reps.iter().filter(serving).find(|r| r.unit == unit).map(|r| r.person.clone()).unwrap_or_default();
    let on = stored_date(date)?;
    let rules = rules(app, on)?;
    let chair = reps.iter().filter(serving).find(|r| r.unit == rules.convener_unit).map(|r| r.person.clone()).unwrap_or_default();
    let req = request(&rules, &d, &units)?;
    let decision = meeting::decide(&rules, &req);
    let details = meeting::MinutesDetails {
        title: d.meeting.title.clone(),
        number: Some(number.clone()),
        place: d.meeting.place.clone(),
        chair,
        issued_on: d.meeting.minutes_issued_on.as_deref().map(stored_date).transpose()?,
        attendees: d
            .attendance
            .iter()
            .map(|a| meeting::Attendee {
                unit: a.unit.clone(),
                person: if a.attendee.is_empty() { rep_of(&a.unit) } else { a.attendee.clone() },
                opinion: a.opinion.clone(),
            })
            .collect(),
        resolutions: d.items.iter().map(|i| i.result.clone()).collect(),
        summary: d.meeting.summary.clone(),
    };
    let minutes = meeting::Minutes::build(&rules, &req, &decision, &details).map_err(Error::internal)?;
    Ok(MinutesDoc { number, minutes })
}

/// The minutes' number: the group's name, the year and the sequence in it
/// (`山亭区住房公积金联席会议纪要〔2022〕1号`).
pub(crate) fn minutes_number(app: &App, year: &str, n: i64) -> String {
    let group = app.district.group(GROUP).map_or("住房公积金联席会议", |g| g.name.as_str());
    format!("{group}纪要〔{year}〕{n}号")
}
