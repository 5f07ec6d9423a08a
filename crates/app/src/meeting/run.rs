//! Running meetings: propose (a member unit, in its own name, or the office),
//! then the office's steps — each decided by the engine on the meeting as
//! read, and written only if the meeting is still at the version the request
//! was made on.

use access::{Action, Actor};
use meeting::{Attendance, Progress, Stage, Vote};
use store::documents;
use store::meeting::{AttendanceRecord, CastVote, Effect, MeetingDetail, NewMeeting, StageChange};

use super::read::{minutes_number, view};
use super::{bounded, date, may, may_take, member_units, rules};
use crate::workbench::notify;
use crate::{App, Error, Result};

/// At most this many agenda items in one meeting.
pub const MAX_ITEMS: usize = 30;

/// A proposal to hold a meeting (四（一）).
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    pub title: String,
    /// The member unit proposing.
    pub proposed_by: String,
    pub meeting_date: String,
    pub place: String,
    /// One agenda item (议题) per entry; blank entries are dropped.
    pub items: Vec<String>,
}

/// Propose a meeting: the office for any member unit, a member unit in its
/// own name. Returns the new meeting's id.
pub async fn propose(app: &App, actor: &Actor, p: &Proposal) -> Result<i64> {
    let units = member_units(app).await?;
    // A member of the group at all (or the office), then in whose name.
    let grant = may(app, actor, Action::MeetingPropose, &units)?;
    if !units.contains(&p.proposed_by) {
        return Err(Error::field("proposed_by", format!("提议单位“{}”不是联席会议成员单位", kernel::echo(&p.proposed_by))));
    }
    if grant.scope != access::Scope::District {
        // 四（一）: a member unit proposes for itself.
        may(app, actor, Action::MeetingPropose, std::slice::from_ref(&p.proposed_by)).map_err(|_| access::Denied {
            action: Action::MeetingPropose,
            reason: format!("只能以本单位名义提议召开会议，不能代“{}”提议", p.proposed_by),
        })?;
    }
    let title = bounded("title", "会议名称", &p.title, 100)?;
    if title.is_empty() {
        return Err(Error::field("title", "会议名称不能为空"));
    }
    let place = bounded("place", "地点", &p.place, 100)?;
    let mut items = Vec::new();
    for t in p.items.iter().filter(|t| !t.trim().is_empty()) {
        items.push(bounded("items", "每项议题", t, 200)?);
    }
    if items.is_empty() {
        return Err(Error::field("items", "至少需要一项议题"));
    }
    if items.len() > MAX_ITEMS {
        return Err(Error::field("items", format!("议题不能超过 {MAX_ITEMS} 项")));
    }
    let on = date("meeting_date", &p.meeting_date)?;
    rules(app, on)?;
    let m = NewMeeting {
        title,
        proposed_by: p.proposed_by.clone(),
        proposed_on: app.today().to_string(),
        meeting_date: on.to_string(),
        place,
        items,
    };
    Ok(app.store.meeting_create(&actor.username, &m).await?)
}

/// The next step of the procedure, asked for on the page showing `version`.
#[derive(Debug, Clone, Default)]
pub struct AdvanceInput {
    /// The meeting's version the page showed: the step is taken on that state only.
    pub version: i64,
    /// The convener's summing-up, for step 6.
    pub summary: Option<String>,
}

/// The meeting a step is asked for, if the actor runs it and it is still as
/// the page showed it (its `version`): the member units and the record.
async fn as_shown(app: &App, actor: &Actor, id: i64, version: i64) -> Result<(Vec<String>, MeetingDetail)> {
    let units = member_units(app).await?;
    may(app, actor, Action::MeetingRun, &units)?;
    let detail = app.store.meeting_detail(id).await?;
    if detail.meeting.version != version {
        return Err(Error::Conflict("会议记录已更新（可能已由他人办理），本次操作未生效，请刷新页面后重试".into()));
    }
    Ok((units, detail))
}

/// Take the next step. Sending the materials is its own use case
/// ([`send_materials`]), since it needs the day they were delivered.
pub async fn advance(app: &App, actor: &Actor, id: i64, input: &AdvanceInput) -> Result<Stage> {
    let (units, detail) = as_shown(app, actor, id, input.version).await?;
    let from = detail.meeting.stage;
    let Some(step) = from.forward() else {
        return Err(Error::invalid("会议纪要已印发，会议已结束"));
    };
    may_take(app, actor, step, &units)?;
    if step.to == Stage::MaterialsSent {
        return Err(Error::invalid("请先上传并向全体成员单位发送会议议题和材料"));
    }
    let summary = bounded("summary", "召集人总结", input.summary.as_deref().unwrap_or(""), 2000)?;
    let v = view(app, detail, units, true)?;
    let progress = Progress {
        materials_delivered: !v.detail.materials.is_empty(),
        attendance_recorded: !v.detail.attendance.is_empty(),
        quorum_met: v.decision.as_ref().is_some_and(|d| d.quorum_met),
        all_items_voted: v.detail.items.iter().all(|i| !i.votes.is_empty()),
        summary_given: !summary.is_empty(),
    };
    from.advance(step.to, &progress).map_err(|e| Error::invalid(e.to_string()))?;
    let results: Vec<(i64, String)> = match (&v.decision, step.to) {
        (Some(d), Stage::Announced) => v.detail.items.iter().zip(&d.items).map(|(i, r)| (i.id, r.announced())).collect(),
        _ => Vec::new(),
    };
    let today = app.today().to_string();
    let year = today.get(..4).unwrap_or_default().to_string();
    let number = |n: i64| minutes_number(app, &year, n);
    let effect = match step.to {
        Stage::Announced => Effect::Results(&results),
        Stage::Summarised => Effect::Summary(&summary),
        Stage::MinutesIssued => Effect::IssueMinutes { issued_on: &today, number: &number },
        _ => Effect::None,
    };
    let change = StageChange { id, from, to: step.to, version: input.version, effect };
    let notes = if step.to == Stage::Called {
        notify::meeting_called(app, id, &v.detail.meeting.title, &v.detail.meeting.meeting_date, &v.units)
    } else {
        Vec::new()
    };
    notify::with(notes, app.store.meeting_transition(&actor.username, &change)).await?;
    Ok(step.to)
}

/// Sending the agenda and materials to every member unit (四（二）).
#[derive(Debug, Clone, Default)]
pub struct SendInput {
    /// The day they reached the units.
    pub sent_on: String,
    pub version: i64,
}

pub async fn send_materials(app: &App, actor: &Actor, id: i64, input: &SendInput) -> Result<()> {
    let (units, detail) = as_shown(app, actor, id, input.version).await?;
    let from = detail.meeting.stage;
    let step = from
        .transition(Stage::MaterialsSent)
        .ok_or_else(|| Error::invalid(format!("会议处于“{}”阶段，不能发送材料：召集人确定召开后、会议开始前才能发送", from.label())))?;
    may_take(app, actor, step, &units)?;
    let sent = date("sent_on", &input.sent_on)?;
    if sent > app.today() {
        return Err(Error::field("sent_on", "送达日期不能晚于今天"));
    }
    let proposed = super::stored_date(&detail.meeting.proposed_on)?;
    if sent < proposed {
        return Err(Error::field("sent_on", format!("送达日期不能早于提议日期 {proposed}")));
    }
    let progress = Progress { materials_delivered: !detail.materials.is_empty(), ..Progress::default() };
    from.advance(Stage::MaterialsSent, &progress).map_err(|e| Error::field("sent_on", e.to_string()))?;
    let sent_on = sent.to_string();
    let change =
        StageChange { id, from, to: Stage::MaterialsSent, version: input.version, effect: Effect::SendMaterials { sent_on: &sent_on } };
    app.store.meeting_transition(&actor.username, &change).await?;
    Ok(())
}

/// One uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub data: Vec<u8>,
}

/// Store the agenda and materials, until the meeting opens. Each file at most
/// [`documents::MAX_BYTES`]; its type is the server's, from its name.
pub async fn upload_materials(app: &App, actor: &Actor, id: i64, files: &[Upload]) -> Result<Vec<i64>> {
    let units = member_units(app).await?;
    may(app, actor, Action::MeetingRun, &units)?;
    if files.is_empty() {
        return Err(Error::field("file", "请选择要上传的文件"));
    }
    for f in files {
        documents::check_size(&f.filename, f.data.len()).map_err(|e| Error::field("file", e.to_string()))?;
    }
    let open: Vec<Stage> = Stage::ALL.iter().copied().filter(|s| s.materials_open()).collect();
    let mut ids = Vec::with_capacity(files.len());
    for f in files {
        ids.push(app.store.meeting_add_material(&actor.username, id, &open, &f.filename, &f.data).await?);
    }
    Ok(ids)
}

/// How one unit attended, as entered.
#[derive(Debug, Clone, Default)]
pub struct AttendanceRow {
    pub unit: String,
    /// present | proxy | absent (empty: absent).
    pub status: String,
    pub attendee: String,
    pub opinion: String,
}

/// Record attendance; a member unit not mentioned is absent. A proxy carries
/// the head's written opinion (四（五）).
pub async fn record_attendance(app: &App, actor: &Actor, id: i64, rows: &[AttendanceRow]) -> Result<()> {
    let units = member_units(app).await?;
    may(app, actor, Action::MeetingRun, &units)?;
    if let Some(r) = rows.iter().find(|r| !units.contains(&r.unit)) {
        return Err(Error::field("unit", format!("{} 不是联席会议成员单位", kernel::echo(&r.unit))));
    }
    let mut records = Vec::with_capacity(units.len());
    for u in &units {
        let row = rows.iter().find(|r| &r.unit == u);
        let code = row.map_or("", |r| r.status.trim());
        let status = if code.is_empty() {
            Attendance::Absent
        } else {
            code.parse::<Attendance>().map_err(|e| Error::field(format!("status:{u}"), format!("{u}：{e}")))?
        };
        let attendee = bounded("attendee", "出席人", row.map_or("", |r| r.attendee.as_str()), 50)?;
        let opinion = bounded("opinion", "书面意见", row.map_or("", |r| r.opinion.as_str()), 1000)?;
        meeting::check_proxy_opinion(u, status, &opinion).map_err(|e| Error::field(format!("opinion:{u}"), e.message))?;
        records.push(AttendanceRecord { unit: u.clone(), status, attendee, opinion });
    }
    let open: Vec<Stage> = Stage::ALL.iter().copied().filter(|s| s.attendance_open()).collect();
    app.store.meeting_record_attendance(&actor.username, id, &open, &records).await?;
    Ok(())
}

/// One unit's vote as entered (for | against | abstain; empty: none).
#[derive(Debug, Clone, Default)]
pub struct VoteRow {
    pub unit: String,
    pub vote: String,
}

/// Record the votes on one item (四（六）4); the engine later decides which count.
pub async fn record_votes(app: &App, actor: &Actor, id: i64, item: i64, rows: &[VoteRow]) -> Result<()> {
    let units = member_units(app).await?;
    may(app, actor, Action::MeetingRun, &units)?;
    let mut votes = Vec::new();
    for r in rows.iter().filter(|r| !r.vote.trim().is_empty()) {
        if !units.contains(&r.unit) {
            return Err(Error::field("unit", format!("{} 不是联席会议成员单位", kernel::echo(&r.unit))));
        }
        if votes.iter().any(|v: &CastVote| v.unit == r.unit) {
            return Err(Error::field(format!("vote:{}", r.unit), format!("{} 重复表决", r.unit)));
        }
        let vote = r.vote.trim().parse::<Vote>().map_err(|e| Error::field(format!("vote:{}", r.unit), format!("{}：{e}", r.unit)))?;
        votes.push(CastVote { unit: r.unit.clone(), vote });
    }
    let open: Vec<Stage> = Stage::ALL.iter().copied().filter(|s| s.voting_open()).collect();
    app.store.meeting_record_votes(&actor.username, id, &open, item, &votes).await?;
    Ok(())
}

/// A unit names its new representative (representatives follow the post, 一).
#[derive(Debug, Clone, Default)]
pub struct RepresentativeInput {
    pub unit: String,
    pub person: String,
    pub post: String,
    pub from: String,
}

pub async fn change_representative(app: &App, actor: &Actor, r: &RepresentativeInput) -> Result<()> {
    let units = member_units(app).await?;
    may(app, actor, Action::MeetingRepresentatives, &units)?;
    if !units.contains(&r.unit) {
        return Err(Error::field("unit", format!("“{}”不是联席会议成员单位", kernel::echo(&r.unit))));
    }
    let person = bounded("person", "新代表姓名", &r.person, 50)?;
    if person.is_empty() {
        return Err(Error::field("person", "请填写新代表姓名"));
    }
    let post = bounded("post", "职务", &r.post, 100)?;
    let from = date("from", &r.from)?;
    app.store.meeting_change_representative(&actor.username, &r.unit, &person, &post, from).await?;
    Ok(())
}
