//! What the meeting templates show, as named view structs built from the use
//! cases' answers: labels instead of codes, flags the engine decided.

use app::meeting::{MeetingView, Overview};
use askama::Template;
use meeting::{Attendance, Stage};
use store::meeting::Delivery;

use crate::display::filters;
use crate::form::{FormData, FormErrors};
use crate::render::Page;

pub struct UnitRow {
    pub name: String,
    /// The current representatives, `person（post）`.
    pub current: String,
}

pub struct RepRow {
    pub unit: String,
    pub person: String,
    pub post: String,
    pub role: String,
    pub from: String,
    /// `现任` while in office.
    pub to: String,
}

pub struct MeetingRow {
    pub id: i64,
    pub title: String,
    pub proposed_by: String,
    pub meeting_date: String,
    pub stage: String,
    pub minutes_number: Option<String>,
}

#[derive(Template)]
#[template(path = "meeting/index.html")]
pub struct Index {
    pub page: Page,
    pub units: Vec<UnitRow>,
    pub reps: Vec<RepRow>,
    pub meetings: Vec<MeetingRow>,
    pub reminder: Option<String>,
    /// The units the user may propose for; empty: no proposal form.
    pub propose_as: Vec<String>,
    pub all_units: Vec<String>,
    pub can_change_reps: bool,
    pub today: String,
    /// What was typed into a refused proposal, and what is wrong with it.
    pub data: FormData,
    pub errors: FormErrors,
}

impl Index {
    fn v(&self, name: &str) -> &str {
        self.data.get(name)
    }
    fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name)
    }

    pub fn new(page: Page, o: Overview) -> Index {
        let units = o
            .units
            .iter()
            .map(|u| UnitRow {
                name: u.name.clone(),
                current: o
                    .representatives
                    .iter()
                    .filter(|r| r.unit == u.name && r.to_date.is_none())
                    .map(|r| format!("{}（{}）", r.person, r.post))
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect();
        let reps = o
            .representatives
            .iter()
            .map(|r| RepRow {
                unit: r.unit.clone(),
                person: r.person.clone(),
                post: r.post.clone(),
                role: r.role.clone(),
                from: r.from_date.clone(),
                to: r.to_date.clone().unwrap_or_else(|| "现任".into()),
            })
            .collect();
        let meetings = o
            .meetings
            .iter()
            .map(|m| MeetingRow {
                id: m.id,
                title: m.title.clone(),
                proposed_by: m.proposed_by.clone(),
                meeting_date: m.meeting_date.clone(),
                stage: m.stage.step_label(),
                minutes_number: m.minutes_number.clone(),
            })
            .collect();
        Index {
            page,
            units,
            reps,
            meetings,
            reminder: o.reminder,
            propose_as: o.propose_as,
            all_units: o.units.into_iter().map(|u| u.name).collect(),
            can_change_reps: o.may_change_representatives,
            today: o.today.to_string(),
            data: FormData::default(),
            errors: FormErrors::default(),
        }
    }
}

pub struct MinutesLink {
    pub number: String,
    pub issued_on: String,
}

pub struct StageCell {
    pub label: String,
    /// `done`, `current` or empty.
    pub class: &'static str,
}

pub struct NextStep {
    pub label: String,
    /// What the step needs, with its clause.
    pub hint: String,
    pub needs_summary: bool,
}

pub struct MaterialRow {
    pub id: i64,
    pub filename: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

pub struct NoticeView {
    pub ok: bool,
    pub sent_on: String,
    pub citation: String,
    pub nothing_sent: bool,
}

/// One unit's row of the attendance form or table.
pub struct AttendanceRow {
    pub unit: String,
    /// The code, for the form's selection.
    pub code: &'static str,
    pub label: &'static str,
    pub attendee: String,
    pub opinion: String,
}

pub struct VoteCell {
    pub unit: String,
    /// The code cast, or empty.
    pub code: &'static str,
}

pub struct ItemView {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub result: String,
    /// The engine's count, once attendance is recorded.
    pub tally: Option<String>,
    pub votes: Vec<VoteCell>,
}

#[derive(Template)]
#[template(path = "meeting/detail.html")]
pub struct Detail {
    pub page: Page,
    pub id: i64,
    pub version: i64,
    pub proposed_by: String,
    pub proposed_on: String,
    pub meeting_date: String,
    pub place: String,
    pub summary: String,
    pub minutes: Option<MinutesLink>,
    pub stages: Vec<StageCell>,
    pub next: Option<NextStep>,
    pub items: Vec<ItemView>,
    pub materials: Vec<MaterialRow>,
    pub notice: Option<NoticeView>,
    pub deliveries: Vec<Delivery>,
    pub attendance: Vec<AttendanceRow>,
    pub quorum: Option<String>,
    pub explanation: Vec<String>,
    pub can_upload: bool,
    pub can_send: bool,
    pub can_record_attendance: bool,
    pub can_vote: bool,
    pub today: String,
}

impl Detail {
    pub fn new(page: Page, v: MeetingView) -> Detail {
        let stage = v.stage();
        let run = v.may_run;
        let m = &v.detail.meeting;
        let stages = Stage::ALL
            .iter()
            .map(|s| StageCell {
                label: s.step_label(),
                class: if *s < stage {
                    "done"
                } else if *s == stage {
                    "current"
                } else {
                    ""
                },
            })
            .collect();
        // Sending the materials has its own form (it needs the day).
        let next = v.next.filter(|t| run && t.to != Stage::MaterialsSent).map(|t| NextStep {
            label: t.to.step_label(),
            hint: if t.needs.is_empty() { t.clause.to_string() } else { format!("{}（{}）", t.needs, t.clause) },
            needs_summary: t.to == Stage::Summarised,
        });
        let results = v.decision.as_ref().map(|d| d.items.as_slice()).unwrap_or_default();
        let items = v
            .detail
            .items
            .iter()
            .enumerate()
            .map(|(k, it)| ItemView {
                id: it.id,
                position: it.position,
                title: it.title.clone(),
                result: it.result.clone(),
                tally: results.get(k).map(|r| r.tally()),
                votes: v
                    .units
                    .iter()
                    .map(|u| VoteCell { unit: u.clone(), code: it.votes.iter().find(|x| &x.unit == u).map_or("", |x| x.vote.as_str()) })
                    .collect(),
            })
            .collect();
        let can_record_attendance = run && stage.attendance_open();
        // The form lists every member unit (before anything is recorded, all
        // present); the table lists what was recorded.
        let attendance = if can_record_attendance {
            v.units
                .iter()
                .map(|u| {
                    let a = v.detail.attendance.iter().find(|a| &a.unit == u);
                    let status = match a {
                        Some(a) => a.status,
                        None if v.detail.attendance.is_empty() => Attendance::Present,
                        None => Attendance::Absent,
                    };
                    AttendanceRow {
                        unit: u.clone(),
                        code: status.as_str(),
                        label: status.label(),
                        attendee: a.map(|a| a.attendee.clone()).unwrap_or_default(),
                        opinion: a.map(|a| a.opinion.clone()).unwrap_or_default(),
                    }
                })
                .collect()
        } else {
            v.detail
                .attendance
                .iter()
                .map(|a| AttendanceRow {
                    unit: a.unit.clone(),
                    code: a.status.as_str(),
                    label: a.status.label(),
                    attendee: a.attendee.clone(),
                    opinion: a.opinion.clone(),
                })
                .collect()
        };
        let quorum = v.decision.as_ref().map(|d| {
            format!(
                "出席（含委托）{} 个单位，法定人数 {} 个：{}",
                d.present_units,
                d.quorum_required,
                if d.quorum_met { "达到" } else { "未达到" }
            )
        });
        Detail {
            page,
            id: m.id,
            version: m.version,
            proposed_by: m.proposed_by.clone(),
            proposed_on: m.proposed_on.clone(),
            meeting_date: m.meeting_date.clone(),
            place: m.place.clone(),
            summary: m.summary.clone(),
            minutes: m
                .minutes_number
                .clone()
                .map(|number| MinutesLink { number, issued_on: m.minutes_issued_on.clone().unwrap_or_default() }),
            stages,
            next,
            items,
            materials: v
                .detail
                .materials
                .iter()
                .map(|f| MaterialRow {
                    id: f.id,
                    filename: f.filename.clone(),
                    size: f.size,
                    uploaded_by: f.uploaded_by.clone(),
                    uploaded_at: f.uploaded_at.clone(),
                })
                .collect(),
            notice: v.notice.as_ref().map(|n| NoticeView {
                ok: n.ok,
                sent_on: n.sent_on.clone(),
                citation: n.citation.clone(),
                nothing_sent: v.detail.materials.is_empty(),
            }),
            deliveries: v.detail.deliveries.clone(),
            attendance,
            quorum,
            explanation: v.decision.as_ref().map(|d| d.explanation.clone()).unwrap_or_default(),
            can_upload: run && stage.materials_open(),
            can_send: run && stage.sending_open(),
            can_record_attendance,
            can_vote: run && stage.voting_open(),
            today: v.today.to_string(),
        }
    }
}
