//! 征收清册 and the resident page, read by duty: a village agent their
//! village, a town its villages (ID numbers masked as the public roster
//! masks them), 区税务局、区人社局、区医保局 and 区审计局 the district with
//! full ID numbers, each showing or export of full ID numbers recorded
//! (查询留痕). 区财政局 and units with no duty here read no personal record.

use access::{Action, Actor, Denied, Grant, Scope};
use store::insurance::{ResidentRow, RosterFilter};

use super::place;
use crate::platform::{IdDisclosure, record_disclosure};
use crate::{App, Error, Result};

/// The place a reader looks at: what they asked for, narrowed to the scope
/// of their grant, and whether they may change it.
#[derive(Debug, Clone)]
pub struct View {
    pub grant: Grant,
    pub town: Option<String>,
    pub village: Option<String>,
    pub town_fixed: bool,
    pub village_fixed: bool,
}

fn clean(v: Option<String>) -> Option<String> {
    v.map(|x| kernel::clip(x.trim(), 100).into_owned()).filter(|x| !x.is_empty())
}

/// The actor's view for `action` over the asked-for town and village.
pub fn view(app: &App, actor: &Actor, action: Action, town: Option<String>, village: Option<String>) -> Result<View> {
    let grant = app.may(actor, action)?;
    let (town, village, town_fixed, village_fixed) = match &grant.scope {
        Scope::District => (clean(town), clean(village), false, false),
        Scope::Town(t) => (Some(t.clone()), clean(village), true, false),
        Scope::Village { town, village } => (Some(town.clone()), Some(village.clone()), true, true),
        Scope::Enterprise(_) | Scope::Unit(_) => {
            return Err(Error::Denied(Denied { action, reason: "本职责不涉及按辖区查阅居民".into() }));
        }
    };
    Ok(View { grant, town, village, town_fixed, village_fixed })
}

/// A roster as the grant may show it: ID numbers masked unless the duty needs them.
fn shown(grant: &Grant, mut rows: Vec<ResidentRow>) -> Vec<ResidentRow> {
    if !grant.full_ids {
        for r in &mut rows {
            r.id_number = grant.show_id(&r.id_number);
        }
    }
    rows
}

fn place_name(v: &View) -> String {
    format!("{}{}", v.town.as_deref().unwrap_or("全区"), v.village.as_deref().unwrap_or(""))
}

/// One page of the roster with the total, the view it was read in.
pub async fn page(app: &App, actor: &Actor, view: &View, mut filter: RosterFilter) -> Result<(Vec<ResidentRow>, i64)> {
    filter.town = view.town.clone();
    filter.village = view.village.clone();
    let (rows, total) = app.store.insurance_roster(&filter).await?;
    let what = format!("{} 清册（第{}行起）", place_name(view), filter.offset + 1);
    record_disclosure(app, actor, &view.grant, IdDisclosure::View, "insurance_roster", &what, rows.len()).await?;
    Ok((shown(&view.grant, rows), total))
}

/// The whole roster of the view for an export (XLSX, print, PDF), at most `max` rows.
pub async fn export(app: &App, actor: &Actor, view: &View, mut filter: RosterFilter, max: i64) -> Result<Vec<ResidentRow>> {
    filter.town = view.town.clone();
    filter.village = view.village.clone();
    filter.limit = max;
    filter.offset = 0;
    let (rows, total) = app.store.insurance_roster(&filter).await?;
    if total > max {
        return Err(Error::invalid(format!("共 {total} 行，超过单个文件的上限 {max} 行，请按镇（街）或村（居）分别导出")));
    }
    let what = format!("{} 清册导出", place_name(view));
    record_disclosure(app, actor, &view.grant, IdDisclosure::Export, "insurance_roster", &what, rows.len()).await?;
    Ok(shown(&view.grant, rows))
}

/// A resident's page: the roster line as the grant shows it, the engine's
/// explanation of the figures, and the payments.
#[derive(Debug, Clone)]
pub struct Resident {
    pub row: ResidentRow,
    pub explanation: String,
    pub payments: Vec<store::insurance::Payment>,
    pub rules: insurance::Rules,
}

/// One resident, for a reader whose duty covers their village.
pub async fn resident(app: &App, actor: &Actor, id: i64) -> Result<Resident> {
    app.may(actor, Action::InsuranceRosterRead)?;
    let r = app.store.insurance_resident(id).await?;
    let grant = app.may_on(actor, Action::InsuranceRosterRead, &place(&r))?;
    let rules = super::rules_for(app, r.year)?;
    let as_of = kernel::parse_date(&r.as_of).map_err(Error::internal)?;
    let explanation = insurance::explain(&rules, &super::resident_of(&r)?, as_of).text();
    let mut payments = app.store.insurance_payments_of(id).await?;
    for p in &mut payments {
        p.id_number = grant.show_id(&p.id_number);
    }
    record_disclosure(app, actor, &grant, IdDisclosure::View, "insurance_resident", &format!("居民 {id}"), 1).await?;
    Ok(Resident { row: shown(&grant, vec![r]).remove(0), explanation, payments, rules })
}
