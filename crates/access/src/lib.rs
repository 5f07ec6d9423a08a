//! Access by duty (职责): may this user do this action on this object?
//!
//! The four documents assign duties to units (区税务局 collects, 区人社局 and
//! 区医保局 register, a town publishes its villages' rosters …). The platform
//! decides every access from those duties, here and nowhere else:
//!
//! - [`Duty`]: one duty of one document, with its holders and clause, read from
//!   `policy/access/duties.toml` ([`Duties::load`]);
//! - [`Action`]: what a page, API route or CLI command does, and the duties
//!   any one of which permits it;
//! - [`Actor`]: who acts: role, unit, and town / village / enterprise scope;
//! - [`Duties::may`] (route level: on some object) and [`Duties::may_on`]
//!   (object level: on this [`Target`]) answer with a [`Grant`] — the duty
//!   that permits it, the [`Scope`] it covers and whether residents' full ID
//!   numbers may be shown — or a [`Denied`] that says why in Chinese.
//!
//! Architecture invariant: pure. No I/O, no database, no HTTP; the table is
//! handed in as a `ParamSet`, and the objects as plain [`Target`]s.

mod action;
mod duty;
mod table;

use std::fmt;
use std::str::FromStr;

pub use action::{Action, ActionKind};
pub use duty::{Duties, Duty, DutyDef, DutyError, GroupConfirmation, Holder, ScopeRule};
pub use table::markdown_table;

/// The platform's roles (角色). A role says what kind of account it is; what
/// it may do comes from the duties its unit or place holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 区级管理员 (also acts as the unit 区政府)
    Admin,
    /// 部门工作人员 (of one department)
    Bureau,
    /// 镇（街）工作人员 (of one town)
    Town,
    /// 村（居）代办员 (of one village)
    Village,
    /// 企业用户 (of one enterprise)
    Enterprise,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Bureau, Role::Town, Role::Village, Role::Enterprise];

    /// The code stored in the database and used in machine interfaces.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Bureau => "bureau",
            Role::Town => "town",
            Role::Village => "village",
            Role::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Chinese label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "区级管理员",
            Role::Bureau => "部门工作人员",
            Role::Town => "镇（街）工作人员",
            Role::Village => "村（居）代办员",
            Role::Enterprise => "企业用户",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::parse(s).ok_or_else(|| format!("未知角色 {:?}", kernel::echo(s)))
    }
}

/// The unit administrators act as: the district government (区政府).
pub const GOVERNMENT_UNIT: &str = "区政府";

/// Who acts (操作人): an account's role and scope, with its department by its
/// full name (aliases resolved by the adapter that builds the actor).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    pub username: String,
    pub role: Option<Role>,
    pub unit: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    pub enterprise: Option<String>,
}

impl Actor {
    pub fn new(username: impl Into<String>, role: Role) -> Actor {
        Actor { username: username.into(), role: Some(role), ..Actor::default() }
    }

    /// The CLI and demo seeders act as the system (系统), which holds no duty:
    /// they are trusted by running on the server, not by this table.
    pub fn system(name: &str) -> Actor {
        Actor { username: name.to_string(), ..Actor::default() }
    }

    pub fn with_unit(mut self, unit: impl Into<String>) -> Actor {
        self.unit = Some(unit.into());
        self
    }

    pub fn with_town(mut self, town: impl Into<String>) -> Actor {
        self.town = Some(town.into());
        self
    }

    pub fn with_village(mut self, village: impl Into<String>) -> Actor {
        self.village = Some(village.into());
        self
    }

    pub fn with_enterprise(mut self, uscc: impl Into<String>) -> Actor {
        self.enterprise = Some(uscc.into());
        self
    }

    /// The unit the actor acts for: its department, or 区政府 for administrators.
    pub fn acting_unit(&self) -> Option<&str> {
        match (self.role, self.unit.as_deref()) {
            (_, Some(u)) => Some(u),
            (Some(Role::Admin), None) => Some(GOVERNMENT_UNIT),
            _ => None,
        }
    }
}

/// What a grant covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole district.
    District,
    /// One town (镇、街道).
    Town(String),
    /// One village (村、居) of one town.
    Village { town: String, village: String },
    /// One enterprise, by its credit code.
    Enterprise(String),
    /// Objects that name this unit (its plans, its incidents, its measures,
    /// its meetings, its groups' lists).
    Unit(String),
}

impl Scope {
    /// The town and village a list must be restricted to (None = no restriction).
    pub fn place(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Scope::Town(t) => (Some(t), None),
            Scope::Village { town, village } => (Some(town), Some(village)),
            _ => (None, None),
        }
    }

    /// Whether this scope reaches `t`.
    pub fn covers(&self, t: &Target) -> bool {
        match self {
            Scope::District => true,
            Scope::Town(town) => t.town.as_deref() == Some(town.as_str()),
            Scope::Village { town, village } => t.town.as_deref() == Some(town.as_str()) && t.village.as_deref() == Some(village.as_str()),
            Scope::Enterprise(e) => t.enterprise.as_deref() == Some(e.as_str()),
            Scope::Unit(u) => t.units.iter().any(|x| x == u),
        }
    }

    /// Broadest first: the order in which grants are preferred.
    fn breadth(&self) -> u8 {
        match self {
            Scope::District => 0,
            Scope::Town(_) => 1,
            Scope::Unit(_) => 2,
            Scope::Village { .. } => 3,
            Scope::Enterprise(_) => 4,
        }
    }
}

/// The object of an action, as far as access needs to know it: where it is,
/// whose it is, which units it names. Empty fields name nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    pub town: Option<String>,
    pub village: Option<String>,
    pub enterprise: Option<String>,
    pub units: Vec<String>,
}

impl Target {
    pub fn town(town: impl Into<String>) -> Target {
        Target { town: Some(town.into()), ..Target::default() }
    }

    pub fn village(town: impl Into<String>, village: impl Into<String>) -> Target {
        Target { town: Some(town.into()), village: Some(village.into()), ..Target::default() }
    }

    pub fn enterprise(uscc: impl Into<String>) -> Target {
        Target { enterprise: Some(uscc.into()), ..Target::default() }
    }

    pub fn units<I: IntoIterator<Item = S>, S: Into<String>>(units: I) -> Target {
        Target { units: units.into_iter().map(Into::into).collect(), ..Target::default() }
    }

    /// Add the units an object names (e.g. an incident's lead departments).
    pub fn and_units<I: IntoIterator<Item = S>, S: Into<String>>(mut self, units: I) -> Target {
        self.units.extend(units.into_iter().map(Into::into));
        self
    }
}

/// A permission: the duty that gives it, what it covers, and whether the
/// duty needs residents' full ID numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub action: Action,
    pub duty: Duty,
    pub scope: Scope,
    pub full_ids: bool,
}

impl Grant {
    /// An ID number as this grant may show it: in full where the duty needs
    /// it, otherwise masked as the public roster masks it.
    pub fn show_id(&self, id_number: &str) -> String {
        if self.full_ids { id_number.to_string() } else { mask_id_number(id_number) }
    }
}

/// An ID number masked as the public roster shows it: the first 6 and last 4
/// characters (the 公示 form); anything that is not an ID becomes stars.
pub fn mask_id_number(id_number: &str) -> String {
    kernel::ResidentId::parse(id_number).map(|i| i.masked()).unwrap_or_else(|_| "*".repeat(id_number.chars().count().min(18)))
}

/// A refusal, saying in Chinese which action and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无权{}：{reason}", action.label())]
pub struct Denied {
    pub action: Action,
    pub reason: String,
}

impl Duties {
    /// Route level: may `actor` take `action` on some object? The broadest
    /// grant wins (a unit holding a district duty and an own-unit duty for the
    /// same action gets the district one).
    pub fn may(&self, actor: &Actor, action: Action) -> Result<Grant, Denied> {
        self.grants(actor, action).into_iter().min_by_key(|g| g.scope.breadth()).ok_or_else(|| self.denied(actor, action))
    }

    /// Object level: may `actor` take `action` on `target`?
    pub fn may_on(&self, actor: &Actor, action: Action, target: &Target) -> Result<Grant, Denied> {
        let grants = self.grants(actor, action);
        if grants.is_empty() {
            return Err(self.denied(actor, action));
        }
        grants
            .into_iter()
            .filter(|g| g.scope.covers(target))
            .min_by_key(|g| g.scope.breadth())
            .ok_or_else(|| Denied { action, reason: out_of_scope(target) })
    }

    /// Whether any of `actions` is allowed (e.g. a page that shows either).
    pub fn may_any(&self, actor: &Actor, actions: &[Action]) -> bool {
        actions.iter().any(|a| self.may(actor, *a).is_ok())
    }

    /// Every grant `actor` has for `action`, one per duty held.
    pub fn grants(&self, actor: &Actor, action: Action) -> Vec<Grant> {
        let mut out = Vec::new();
        for &duty in action.duties() {
            let def = self.def(duty);
            for h in &def.holders {
                if let Some(scope) = h.scope_for(actor, def.scope) {
                    out.push(Grant { action, duty, scope, full_ids: def.full_ids });
                }
            }
        }
        out
    }

    fn denied(&self, actor: &Actor, action: Action) -> Denied {
        let who = match (actor.role, actor.acting_unit()) {
            (Some(Role::Bureau), Some(u)) => u.to_string(),
            (Some(r), _) => r.label().to_string(),
            (None, _) => "系统".to_string(),
        };
        let holders: Vec<String> = action.duties().iter().flat_map(|d| self.def(*d).holders.iter().map(Holder::label)).collect::<Vec<_>>();
        let mut uniq: Vec<String> = Vec::new();
        for h in holders {
            if !uniq.contains(&h) {
                uniq.push(h);
            }
        }
        let clauses: Vec<String> = action.duties().iter().map(|d| self.def(*d).citation()).collect();
        Denied { action, reason: format!("{who}没有此项职责；依据{}，由{}办理", clauses.join("、"), uniq.join("、")) }
    }
}

fn out_of_scope(t: &Target) -> String {
    if let Some(v) = &t.village {
        format!("{}{v}不在您的辖区", t.town.as_deref().unwrap_or(""))
    } else if let Some(town) = &t.town {
        format!("{town}不在您的辖区")
    } else if t.enterprise.is_some() {
        "不是本企业的数据".to_string()
    } else if !t.units.is_empty() {
        format!("此事项属于{}", t.units.join("、"))
    } else {
        "不在您的职责范围".to_string()
    }
}

#[cfg(test)]
mod tests;
