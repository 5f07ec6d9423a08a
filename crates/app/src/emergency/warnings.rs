//! Warnings (4.3): drafted by 区应急管理局 (edited until submitted for
//! approval), approved by 区政府, issued,
//! adjusted and lifted by 区应急管理局 or 区政府 — each a CAP 1.2 message
//! referencing the ones before, with the Atom feed rewritten in the same
//! transaction; their 4.3.3 measures carried out by the units assigned.

use access::{Action, Actor, Target};
use emergency::{MsgType, OffsetTime, Rules, Status, WarningAction};
use store::emergency::{Adjustment, CapMessage, Checklist, Publication, Warning};

use super::{LONG, SHORT, rules, text};
use crate::workbench::notify;
use crate::{App, Error, Result};

/// CAP `<sender>` of the district's warnings.
pub const SENDER: &str = "yjj@shanting.gov.cn";
/// Where the feed is served, and its permanent id (an Atom id is an absolute IRI).
pub const FEED_PATH: &str = "/alerts/feed.atom";
pub const FEED_ID: &str = "tag:shanting.gov.cn,2022:alerts";

pub fn now_cap() -> String {
    OffsetTime::from_timestamp(jiff::Timestamp::now()).as_str().to_string()
}

/// The engine's warning for a stored one.
pub fn cap_warning(w: &Warning, identifier: &str, sent: &str, msg_type: MsgType, references: Vec<String>) -> emergency::Warning {
    let mut description = w.description.clone();
    if !w.duration.is_empty() {
        description.push_str(&format!("\n可能持续时间：{}", w.duration));
    }
    if !w.heed.is_empty() {
        description.push_str(&format!("\n提醒事宜：{}", w.heed));
    }
    emergency::Warning {
        identifier: identifier.to_string(),
        sender: SENDER.to_string(),
        sent: sent.to_string(),
        status: if w.drill { Status::Exercise } else { Status::Actual },
        msg_type,
        references,
        level: u8::try_from(w.level).unwrap_or(0),
        incident_type: w.incident_type.clone(),
        headline: w.headline.clone(),
        description,
        instruction: w.instruction.clone(),
        areas: store::emergency::split_units(&w.areas),
        onset: w.onset.clone(),
        expires: w.expires.clone(),
    }
}

/// The feed from the current warnings (rendered inside the publishing
/// transaction, so that reading it is one primary-key read).
pub fn render_feed(r: &Rules, current: &[(Warning, CapMessage)]) -> String {
    let entries: Vec<emergency::atom::FeedEntry> = current
        .iter()
        .map(|(w, m)| {
            let lvl = u8::try_from(w.level).ok().and_then(|l| r.warning_level(l));
            emergency::atom::FeedEntry {
                id: format!("{FEED_ID}:warning:{}", w.id),
                title: w.headline.clone(),
                summary: w.description.clone(),
                updated: m.sent.parse::<OffsetTime>().map(|t| t.timestamp()).unwrap_or_else(|_| jiff::Timestamp::now()),
                cap_url: format!("/alerts/{}.xml", m.identifier),
                categories: lvl.map(|l| vec![l.colour.clone(), l.label.clone()]).unwrap_or_default(),
                areas: store::emergency::split_units(&w.areas),
            }
        })
        .collect();
    emergency::atom::feed(&entries, jiff::Timestamp::now(), FEED_ID, FEED_PATH)
}

/// The level's measures (4.3.3) as checklist lines, each assigned to the
/// incident type's lead departments (附件) until 区应急管理局 reassigns it.
fn measures_for(r: &Rules, w: &Warning) -> Vec<(String, Vec<String>)> {
    let Ok(l) = u8::try_from(w.level) else { return Vec::new() };
    let units = r.incident_type(&w.incident_type).map(|t| t.lead_departments.clone()).unwrap_or_default();
    r.warning_measures(l).iter().flat_map(|set| set.items.iter().map(|i| (format!("{}：{}", set.clause, i), units.clone()))).collect()
}

/// The checks of a draft's content (4.3.2), through the CAP writer too so
/// that a draft can always be issued; fills in the issuer.
fn checked_draft(app: &App, actor: &Actor, w: &mut Warning) -> Result<Rules> {
    w.headline = text("headline", "标题", &w.headline, SHORT)?;
    w.incident_type = text("incident_type", "事件类别", &w.incident_type, SHORT)?;
    w.description = text("description", "可能影响范围、警示事项", &w.description, LONG)?;
    w.duration = text("duration", "可能持续时间", &w.duration, SHORT)?;
    w.heed = text("heed", "提醒事宜", &w.heed, LONG)?;
    w.instruction = text("instruction", "应采取的措施", &w.instruction, LONG)?;
    w.channels = text("channels", "发布渠道", &w.channels, SHORT)?;
    w.targeted = text("targeted", "针对性提醒", &w.targeted, SHORT)?;
    w.places = text("places", "针对性提醒场所", &w.places, SHORT)?;
    let r = rules(app)?;
    if r.warning_level(u8::try_from(w.level).unwrap_or(0)).is_none() {
        return Err(Error::field("level", "请选择预警级别（一级至四级）"));
    }
    if w.areas.trim().is_empty() {
        return Err(Error::field("areas", "请选择预警区域"));
    }
    if w.channels.trim().is_empty() {
        return Err(Error::field("channels", "请选择发布渠道"));
    }
    w.issuer = actor.acting_unit().map(str::to_string).unwrap_or_else(|| format!("{}人民政府", app.district.district));
    let probe = cap_warning(w, "probe", &now_cap(), MsgType::Alert, Vec::new());
    emergency::to_cap_xml(&r, &app.district, &probe).map_err(|e| Error::invalid(e.to_string()))?;
    Ok(r)
}

/// 4.3.2: draft a warning (草稿); it is edited until submitted for approval.
pub async fn draft(app: &App, actor: &Actor, mut w: Warning) -> Result<i64> {
    app.may(actor, emergency::WARNING_DRAFT)?;
    let r = checked_draft(app, actor, &mut w)?;
    let measures = measures_for(&r, &w);
    Ok(app.store.emergency_create_warning(&actor.username, &w, &measures).await?)
}

/// Edit a draft not yet submitted: the same checks as drafting; the level's
/// measures follow the (possibly changed) level.
pub async fn edit(app: &App, actor: &Actor, id: i64, mut w: Warning) -> Result<()> {
    app.may(actor, emergency::WARNING_DRAFT)?;
    let cur = app.store.emergency_warning(id).await?;
    if cur.state != emergency::WarningState::Draft {
        return Err(Error::Conflict(format!("预警当前为“{}”，只有草稿可以修改（4.3.2）", cur.state.label())));
    }
    let r = checked_draft(app, actor, &mut w)?;
    let measures = measures_for(&r, &w);
    Ok(app.store.emergency_edit_draft(&actor.username, id, &w, &measures).await?)
}

/// Approve, issue, adjust or lift: the engine's transition, by the duty it
/// names, written only if the warning is still in the state read.
pub async fn transition(app: &App, actor: &Actor, id: i64, action: WarningAction, adjust: Option<Adjustment>) -> Result<()> {
    app.may(actor, action.action())?;
    let d = app.store.emergency_warning_detail(id).await?;
    let from = d.warning.state;
    let to = action.apply(from)?;
    let Some(msg_type) = action.msg_type() else {
        return Ok(app.store.emergency_move_warning(&actor.username, id, (from, to)).await?);
    };
    let r = rules(app)?;
    let mut w = d.warning.clone();
    if let Some(a) = &adjust {
        if r.warning_level(u8::try_from(a.level).unwrap_or(0)).is_none() {
            return Err(Error::field("level", "预警级别应为一级至四级"));
        }
        text("headline", "标题", &a.headline, SHORT)?;
        text("description", "可能影响范围、警示事项", &a.description, LONG)?;
        text("instruction", "应采取的措施", &a.instruction, LONG)?;
        w.level = a.level;
        w.headline = a.headline.clone();
        w.description = a.description.clone();
        w.instruction = a.instruction.clone();
        w.expires = a.expires.clone();
    }
    let identifier = format!("SHANTING-YJ-{}-{}", id, d.messages.len() + 1);
    let sent = now_cap();
    let references: Vec<String> = d.messages.iter().map(|m| format!("{SENDER},{},{}", m.identifier, m.sent)).collect();
    let cw = cap_warning(&w, &identifier, &sent, msg_type, if msg_type == MsgType::Alert { Vec::new() } else { references.clone() });
    let xml = emergency::to_cap_xml(&r, &app.district, &cw).map_err(|e| Error::invalid(e.to_string()))?;
    let msg = Publication { identifier, msg_type: msg_type.as_str().into(), sent, refs: references.join(" "), xml };
    let render = |cur: &[(Warning, CapMessage)]| render_feed(&r, cur);
    let notes = if msg_type == MsgType::Alert { notify::warning_issued(app, &w, &[]) } else { Vec::new() };
    Ok(notify::with(notes, app.store.emergency_publish_warning(&actor.username, id, (from, to), &msg, adjust.as_ref(), &render)).await?)
}

/// A measure as access sees it: its assigned units (and a town among them).
fn measure_target(app: &App, units: Vec<String>) -> Target {
    let town = units.iter().find(|u| app.district.is_town(u)).cloned();
    Target { town, units, ..Target::default() }
}

/// Whether `actor` may tick a measure assigned to `units` (for the page).
pub fn may_tick(app: &App, actor: &Actor, units: Vec<String>) -> bool {
    app.may_on(actor, Action::WarningMeasure, &measure_target(app, units)).is_ok()
}

/// 4.3.3: a warning measure carried out — by a unit assigned to it or by
/// 区应急管理局.
pub async fn tick_measure(app: &App, actor: &Actor, id: i64, position: i64) -> Result<()> {
    let m = app.store.emergency_measure(Checklist::Warning, id, position).await?;
    app.may_on(actor, Action::WarningMeasure, &measure_target(app, m.assignee_units()))?;
    Ok(app.store.emergency_tick(&actor.username, Checklist::Warning, id, position).await?)
}

/// 4.3.3: assign a measure to units of the district (departments or towns).
pub async fn assign_measure(app: &App, actor: &Actor, id: i64, position: i64, units: &[String]) -> Result<()> {
    app.may(actor, Action::WarningPublish)?;
    let mut names = Vec::new();
    for u in units.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
        let name = match app.district.department(u) {
            Some(d) => d.name.clone(),
            None if app.district.is_town(u) => u.to_string(),
            None => return Err(Error::field("units", format!("“{}”不是本区的部门或镇（街）", kernel::echo(u)))),
        };
        names.push(name);
    }
    Ok(app.store.emergency_assign_measure(&actor.username, id, position, &names).await?)
}
