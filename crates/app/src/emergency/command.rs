//! The command body's work on an incident: 区应急管理局, 区政府 and the
//! incident's lead departments (3.5 on-site command post, 4.4(3) report to
//! the city, 4.5.3 measures, 4.5.4 releases, 4.5.5 state of emergency,
//! resources sent to the scene).

use access::{Action, Actor};
use emergency::IncidentStep;
use store::emergency::{Checklist, Group, Incident};

use super::{LONG, SHORT, incident_target, rules, take_step, text};
use crate::{App, Error, Result};

/// The incident, if `actor` may do the command body's work on it and it is active.
pub async fn commanded(app: &App, actor: &Actor, id: i64) -> Result<Incident> {
    let i = app.store.emergency_incident(id).await?;
    take_step(app, actor, &i, IncidentStep::Command)?;
    Ok(i)
}

/// Whether `actor` may do the command body's work on `i` (for the page).
pub fn may_command(app: &App, actor: &Actor, i: &Incident) -> bool {
    app.may_on(actor, Action::EmergencyCommand, &incident_target(i)).is_ok()
}

/// A working group of 3.5 as the command post records it.
pub fn post_group(g: &emergency::WorkingGroup) -> Group {
    Group {
        number: i64::from(g.number),
        name: g.name.clone(),
        members: g.members.iter().chain(g.other_members.iter()).cloned().collect::<Vec<_>>().join("、"),
        leader: g.lead.clone().unwrap_or_default(),
        tasks: g.duties.clone(),
    }
}

/// 3.5: open the on-site command post with the chosen working groups (by number).
pub async fn open_post(app: &App, actor: &Actor, id: i64, commander: &str, location: &str, groups: &[u32]) -> Result<()> {
    commanded(app, actor, id).await?;
    let r = rules(app)?;
    let groups: Vec<Group> = r.working_groups.iter().filter(|g| groups.contains(&g.number)).map(post_group).collect();
    Ok(app
        .store
        .emergency_open_post(
            &actor.username,
            id,
            &text("commander", "现场指挥官", commander, SHORT)?,
            &text("location", "地点", location, SHORT)?,
            &groups,
        )
        .await?)
}

pub async fn set_group(app: &App, actor: &Actor, id: i64, number: i64, leader: &str, tasks: &str) -> Result<()> {
    commanded(app, actor, id).await?;
    Ok(app
        .store
        .emergency_set_group(&actor.username, id, number, &text("leader", "组长单位", leader, SHORT)?, &text("tasks", "任务", tasks, LONG)?)
        .await?)
}

/// 4.5.3: a measure of the checklist carried out.
pub async fn tick_measure(app: &App, actor: &Actor, id: i64, position: i64) -> Result<()> {
    commanded(app, actor, id).await?;
    Ok(app.store.emergency_tick(&actor.username, Checklist::Incident, id, position).await?)
}

/// 4.5.4: information is released in the name of the command body only.
pub async fn release(app: &App, actor: &Actor, id: i64, title: &str, content: &str) -> Result<()> {
    let i = commanded(app, actor, id).await?;
    let body =
        i.command_body.clone().ok_or_else(|| Error::invalid("尚未指定专项指挥机构，不能发布信息（山政发〔2022〕8号 3.2、4.5.4）"))?;
    Ok(app
        .store
        .emergency_release(&actor.username, id, &body, &text("title", "标题", title, SHORT)?, &text("content", "内容", content, LONG)?)
        .await?)
}

/// 4.5.5: ask the city to declare a state of emergency.
pub async fn request_state(app: &App, actor: &Actor, id: i64, request: &str) -> Result<()> {
    commanded(app, actor, id).await?;
    Ok(app.store.emergency_request_state(&actor.username, id, &text("request", "请求事由", request, LONG)?).await?)
}

/// 4.4(3): the report to the city government was made.
pub async fn city_reported(app: &App, actor: &Actor, id: i64) -> Result<()> {
    let i = app.store.emergency_incident(id).await?;
    app.may_on(actor, Action::EmergencyCommand, &incident_target(&i))?;
    Ok(app.store.emergency_mark_city_reported(&actor.username, id).await?)
}

/// Send a resource to the scene; materials leave the reserve.
pub async fn assign(app: &App, actor: &Actor, id: i64, resource: i64, quantity: i64) -> Result<()> {
    commanded(app, actor, id).await?;
    Ok(app.store.emergency_assign(&actor.username, id, resource, quantity).await?)
}
