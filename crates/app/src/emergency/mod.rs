//! Use cases of the district general emergency plan (山政发〔2022〕8号), by
//! job: reporting incidents and their levels and ending ([`incidents`]), the
//! command body's work ([`command`]), warnings with their CAP messages and
//! feed ([`warnings`]), plans ([`plans`]) and resources ([`resources`]).
//!
//! Each use case asks the duties table first (`App::may_on` on the object:
//! an incident's place and lead departments, a plan's owners, a warning
//! measure's assignees), then the engine (`emergency`: the transition and
//! its clause, the decider of a level, the 4.5.6 conditions), then writes in
//! one store transaction whose state check is part of the write.

pub mod command;
pub mod incidents;
pub mod plans;
pub mod resources;
pub mod warnings;

use access::{Action, Actor, Target};
use emergency::{IncidentStep, Rules, TransitionError};
use store::emergency::{Incident, Plan};

use crate::{App, Error, Result};

/// The plan's rules in force today.
pub fn rules(app: &App) -> Result<Rules> {
    Rules::load(&app.params, app.today()).map_err(Error::internal)
}

/// An incident as access sees it: where it happened (and the village it was
/// reported from) and its lead departments.
pub fn incident_target(i: &Incident) -> Target {
    Target { town: Some(i.town.clone()), village: i.village.clone(), enterprise: None, units: i.leads() }
}

/// A plan as access sees it: its owning units, and the town whose plan it is.
pub fn plan_target(p: &Plan) -> Target {
    Target { town: p.town.clone(), units: p.owner_units(), ..Target::default() }
}

/// Short texts (a name, a title, a reason) and long ones (a description, a
/// report) as the forms take them: at most this many characters.
pub const SHORT: usize = 200;
pub const LONG: usize = 5000;

/// A text input trimmed, refused (naming the field) when longer than `max`
/// characters: stored text is never cut silently.
pub fn text(field: &'static str, label: &str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(Error::field(field, format!("{label}不能超过{max}字")));
    }
    Ok(t.to_string())
}

/// May `actor` take `step` on `i` (by the duty the engine names for the
/// step), and does the incident's state allow it? Setting a level is
/// checked by its decider instead (`incidents::set_level`).
pub fn take_step(app: &App, actor: &Actor, i: &Incident, step: IncidentStep) -> Result<()> {
    let action: Action = step.action().ok_or_else(|| Error::internal("响应级别按其决定主体检查"))?;
    app.may_on(actor, action, &incident_target(i))?;
    step.apply(i.status, i.response_level)?;
    Ok(())
}

impl From<TransitionError> for Error {
    fn from(e: TransitionError) -> Self {
        Error::invalid(e.to_string())
    }
}
