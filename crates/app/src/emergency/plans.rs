//! Plans (6.2–6.4): registered, filed, drilled and revised by the unit that
//! keeps them — a town its town's plans, a department its own, the general
//! plan 区政府 and 区应急管理局 (`owners` of the kind in plans.toml).

use access::{Action, Actor, Role};
use store::emergency::{Plan, PlanDrill, PlanRevision};

use super::{SHORT, plan_target, rules, text};
use crate::{App, Error, Result};

/// A plan as entered.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub kind: String,
    pub name: String,
    pub issuer: String,
    pub issued_on: String,
    pub filed_on: Option<String>,
}

/// The units and town that keep a new plan of `kind` registered by `actor`:
/// the kind's owners where the policy names them, else the actor's town (a
/// town's plan) or unit.
fn owners_for(kind: &emergency::PlanKind, actor: &Actor) -> (Vec<String>, Option<String>) {
    if !kind.owners.is_empty() {
        return (kind.owners.clone(), None);
    }
    match actor.role {
        Some(Role::Town | Role::Village) => (Vec::new(), actor.town.clone()),
        _ => (actor.acting_unit().map(str::to_string).into_iter().collect(), None),
    }
}

/// 6.2: register a plan; the filing body from its kind, the deadline from the calendar.
pub async fn register(app: &App, actor: &Actor, p: NewPlan) -> Result<i64> {
    let r = rules(app)?;
    let k = r.plan_kind(&p.kind).ok_or_else(|| Error::field("kind", format!("预案类别“{}”不正确", kernel::echo(&p.kind))))?;
    let issued = kernel::parse_date(&p.issued_on).map_err(|e| Error::field("issued_on", format!("印发日期：{e}")))?;
    let deadline = emergency::plan_filing_deadline(&r, &app.calendar, issued).map_err(|e| Error::field("issued_on", e.to_string()))?;
    let (owners, town) = owners_for(k, actor);
    let plan = Plan {
        kind: p.kind,
        name: text("name", "预案名称", &p.name, SHORT)?,
        issuer: text("issuer", "印发单位", &p.issuer, SHORT)?,
        issued_on: issued.to_string(),
        filing_body: k.filing_bodies.join("、"),
        filing_deadline: deadline.to_string(),
        filed_on: p.filed_on,
        owners: owners.join("、"),
        town,
        ..Default::default()
    };
    app.may_on(actor, Action::PlanMaintain, &plan_target(&plan))?;
    Ok(app.store.emergency_add_plan(&actor.username, &plan).await?)
}

/// The plan, if `actor` keeps it.
async fn kept(app: &App, actor: &Actor, id: i64) -> Result<Plan> {
    let p = app.store.emergency_plan(id).await?;
    app.may_on(actor, Action::PlanMaintain, &plan_target(&p))?;
    Ok(p)
}

/// Whether `actor` keeps `p` (for the page).
pub fn keeps(app: &App, actor: &Actor, p: &Plan) -> bool {
    app.may_on(actor, Action::PlanMaintain, &plan_target(p)).is_ok()
}

fn date(field: &'static str, s: &str) -> Result<String> {
    kernel::parse_date(s.trim()).map(|d| d.to_string()).map_err(|e| Error::field(field, format!("日期：{e}")))
}

/// 6.2: the plan was filed (备案) on `filed_on`.
pub async fn file(app: &App, actor: &Actor, id: i64, filed_on: &str) -> Result<()> {
    kept(app, actor, id).await?;
    Ok(app.store.emergency_file_plan(&actor.username, id, &date("filed_on", filed_on)?).await?)
}

/// 6.3: a drill of the plan.
pub async fn drill(app: &App, actor: &Actor, id: i64, held_on: &str, form: &str, note: &str) -> Result<()> {
    kept(app, actor, id).await?;
    let r = rules(app)?;
    if !r.drills.forms.iter().any(|f| f == form.trim()) {
        return Err(Error::field("form", format!("演练形式“{}”不正确（{}）", kernel::echo(form), r.drills.forms.join("、"))));
    }
    let d =
        PlanDrill { plan_id: id, held_on: date("held_on", held_on)?, form: form.trim().into(), note: text("note", "说明", note, SHORT)? };
    Ok(app.store.emergency_add_drill(&actor.username, &d).await?)
}

/// 6.4: a revision of the plan, for one of the plan's triggers.
pub async fn revise(app: &App, actor: &Actor, id: i64, revised_on: &str, trigger: &str, note: &str) -> Result<()> {
    kept(app, actor, id).await?;
    let r = rules(app)?;
    if !r.revision.triggers.iter().any(|t| t == trigger.trim()) {
        return Err(Error::field("trigger", "请选择修订原因（山政发〔2022〕8号 6.4（2））"));
    }
    let rev = PlanRevision {
        plan_id: id,
        revised_on: date("revised_on", revised_on)?,
        trigger_reason: trigger.trim().into(),
        note: text("note", "说明", note, SHORT)?,
    };
    Ok(app.store.emergency_add_revision(&actor.username, &rev).await?)
}
