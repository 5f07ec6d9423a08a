//! The departments' lists (六（六）、六（八）): a group's list (资助、代缴人员)
//! only from the unit the policy maps to that group (`policy/access/duties.toml`
//! `group_confirmation`), a death list only from the units that provide
//! deaths (`insurance.deaths`). Every row is checked first; nothing is
//! written if a row is wrong, names an unknown resident, or a group the
//! actor's unit does not confirm.

use std::collections::HashMap;

use access::{Action, Actor, Target};
use store::insurance::ResidentRow;

use super::import::{LineError, ListChange, ListRows, recompute, rules_for};
use crate::{App, Result};

/// What applying a list did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Rows of the list.
    pub rows: usize,
    /// Residents whose figures changed.
    pub updated: usize,
    /// Residents held back because they paid more than they would owe (masked).
    pub held: Vec<String>,
    /// Rows refused; when any, nothing was written.
    pub errors: Vec<LineError>,
}

/// Apply a parsed list (`errors` are the parser's refusals, kept in the answer).
pub async fn apply(app: &App, actor: &Actor, changes: &ListRows, mut errors: Vec<LineError>) -> Result<Applied> {
    app.may_any_list(actor)?;
    let ids: Vec<String> = changes.iter().map(|c| c.1.clone()).collect();
    let found = app.store.insurance_residents_by_id_numbers(&ids).await?;
    let mut by_id: HashMap<String, ResidentRow> = found.into_iter().map(|r| (r.id_number.clone(), r)).collect();
    let mut updated: HashMap<String, ResidentRow> = HashMap::new();
    let mut kind = "list_groups";
    for (line, id, change) in changes {
        let err =
            |column: &str, value: &str, message: String| LineError { line: *line, column: column.into(), value: value.into(), message };
        // Whose list is this row: the group's confirming unit, or a death.
        let allowed = match change {
            ListChange::Group(g) => {
                let units = app.duties.group_units(g.name());
                app.may_on(actor, Action::InsuranceGroupList, &Target::units(units.iter().copied())).map_err(|_| {
                    err("group", g.name(), format!("“{}”名单由{}确认（六（六）），本单位不能报送", g.name(), units.join("、")))
                })
            }
            ListChange::Deceased(_) => app
                .may(actor, Action::InsuranceDeathList)
                .map_err(|_| err("deceased_on", "", "死亡、销户人员名单由公安等部门提供（六（六）、六（八）），本单位不能报送".into())),
        };
        if let Err(e) = allowed {
            errors.push(e);
            continue;
        }
        let Some(cur) = updated.get(id).cloned().or_else(|| by_id.get(id).cloned()) else {
            errors.push(err("id_number", id, "居民名单中没有此人".into()));
            continue;
        };
        let mut next = cur.clone();
        match change {
            ListChange::Group(g) => {
                let mut set = insurance::Groups::parse(next.list_groups.as_bytes()).map_err(crate::Error::internal)?;
                set.insert(*g);
                next.list_groups = set.to_string();
            }
            ListChange::Deceased(d) => {
                kind = "list_deaths";
                next.deceased_on = Some(d.to_string());
            }
        }
        let rules = rules_for(&app.params, i32::try_from(next.year).unwrap_or(0))?;
        updated.insert(id.clone(), recompute(&rules, &next)?);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Ok(Applied { rows: changes.len(), errors, ..Applied::default() });
    }
    let pairs: Vec<(ResidentRow, ResidentRow)> =
        updated.into_iter().filter_map(|(id, after)| by_id.remove(&id).map(|before| (before, after))).filter(|(b, a)| b != a).collect();
    let held = app.store.insurance_apply_list(&actor.username, kind, &pairs).await?;
    Ok(Applied { rows: changes.len(), updated: pairs.len() - held.len(), held, errors })
}

impl App {
    /// Route level: a list from a unit that provides some list.
    fn may_any_list(&self, actor: &Actor) -> Result<()> {
        match self.may(actor, Action::InsuranceGroupList) {
            Ok(_) => Ok(()),
            Err(_) => self.may(actor, Action::InsuranceDeathList).map(|_| ()),
        }
    }
}
