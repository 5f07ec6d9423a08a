//! 钱表相符 (reconciliation), 公示 (publication) and 征缴统计 (statistics),
//! each by its duty and within the actor's towns and villages.

use access::{Action, Actor, Target};
use store::insurance::{Reconciliation, TownStats};

use super::current_rules;
use super::roster::{View, view};
use crate::{App, Error, Result};

/// The reconciliation of one village, when the view names one.
pub async fn reconcile(app: &App, actor: &Actor, town: Option<String>, village: Option<String>) -> Result<(View, Option<Reconciliation>)> {
    let v = view(app, actor, Action::InsuranceReconcile, town, village)?;
    let rules = current_rules(app)?;
    let rec = match (&v.town, &v.village) {
        (Some(t), Some(vi)) => Some(app.store.insurance_reconcile(i64::from(rules.year), t, vi).await?),
        _ => None,
    };
    Ok((v, rec))
}

/// A town publishes one of its villages' paid roster (公示, 六（一）4、七);
/// returns whether it is new.
pub async fn publish(app: &App, actor: &Actor, town: Option<String>, village: &str) -> Result<(String, String, bool)> {
    let v = view(app, actor, Action::InsurancePublish, town, Some(village.to_string()))?;
    let town = v.town.ok_or_else(|| Error::field("town", "请选择镇（街）"))?;
    let village = v.village.ok_or_else(|| Error::field("village", "请选择村（居）"))?;
    app.may_on(actor, Action::InsurancePublish, &Target::village(&town, &village))?;
    let rules = current_rules(app)?;
    if !app.store.insurance_villages(Some(&town)).await?.iter().any(|(_, x)| *x == village) {
        return Err(Error::field("village", format!("{town}没有名为“{village}”的村（居）清册")));
    }
    let new = app.store.insurance_publish(&actor.username, i64::from(rules.year), &town, &village).await?;
    Ok((town, village, new))
}

/// The statistics per town: the district's, or one town's.
pub async fn stats(app: &App, actor: &Actor) -> Result<(insurance::Rules, Vec<TownStats>)> {
    let v = view(app, actor, Action::InsuranceStatsRead, None, None)?;
    if v.village_fixed {
        return Err(Error::Denied(access::Denied {
            action: Action::InsuranceStatsRead,
            reason: "征缴统计由镇（街）和区级部门查看".into(),
        }));
    }
    let rules = current_rules(app)?;
    let stats = app.store.insurance_stats(i64::from(rules.year), v.town.as_deref()).await?;
    Ok((rules, stats))
}
