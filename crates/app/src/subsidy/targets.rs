//! The district's e-commerce targets (二、任务目标; 三、工作措施) and the
//! actuals recorded against them: by the responsible unit (责任单位), by a
//! town for its own figure where the target is per town, or by the lead
//! office (领导小组办公室, 区商务和投资促进局).

use access::{Action, Actor, Target as Object};
use ecommerce::Target;
use store::subsidy::TargetActual;

use crate::{App, Error, Result};

/// One target with its actuals, each judged by the engine.
pub struct Progress {
    pub target: Target,
    /// (actual, met)
    pub actuals: Vec<(TargetActual, bool)>,
    /// The latest district figure (or the towns' sum) as a percentage of the target.
    pub percent: i64,
}

pub fn targets(app: &App) -> Result<Vec<Target>> {
    ecommerce::targets(&app.params).map_err(Error::internal)
}

/// Every target with its actuals.
pub async fn progress(app: &App, actor: &Actor) -> Result<Vec<Progress>> {
    app.may(actor, Action::SubsidyTargetsRead)?;
    let actuals = app.store.subsidy_actuals().await?;
    Ok(targets(app)?
        .into_iter()
        .map(|t| {
            let mine: Vec<(TargetActual, bool)> =
                actuals.iter().filter(|a| a.target == t.id).map(|a| (a.clone(), t.met_by(a.value))).collect();
            let district = mine.iter().filter(|(a, _)| a.town.is_empty()).map(|(a, _)| a.value).next_back();
            let latest = district.unwrap_or_else(|| mine.iter().fold(0i64, |s, (a, _)| s.saturating_add(a.value)));
            let n = t.number();
            let percent = if n > 0 { (latest.saturating_mul(100) / n).min(999) } else { 0 };
            Progress { target: t, actuals: mine, percent }
        })
        .collect())
}

/// The object an actual is recorded on: the town for a per-town target
/// (with the responsible units), otherwise the responsible units.
pub fn object_of(t: &Target, town: &str) -> Object {
    if t.per_town { Object::town(town).and_units(t.responsible.iter().cloned()) } else { Object::units(t.responsible.iter().cloned()) }
}

/// What a person records.
pub struct ActualInput {
    pub target: String,
    pub period: String,
    pub town: String,
    pub value: String,
    pub note: String,
}

/// Record (or correct) an actual for a target, period and town.
pub async fn record(app: &App, actor: &Actor, input: &ActualInput) -> Result<()> {
    app.may(actor, Action::SubsidyTargetsRecord)?;
    let all = targets(app)?;
    let t = all
        .iter()
        .find(|t| t.id == input.target)
        .ok_or_else(|| Error::field("target", format!("未知目标 {}", kernel::echo(&input.target))))?;
    let town = input.town.trim();
    if t.per_town && !app.district.is_town(town) {
        return Err(Error::field("town", format!("{} 按镇（街）考核，须选择镇（街）", t.id)));
    }
    let town = if t.per_town { town } else { "" };
    app.may_on(actor, Action::SubsidyTargetsRecord, &object_of(t, town))?;
    let period = input.period.trim();
    if !valid_period(period) {
        return Err(Error::field("period", "请填写统计期（如 2023 或 2023-06）"));
    }
    let value = t.parse_actual(&input.value).map_err(|e| Error::field("value", e))?;
    let a = TargetActual {
        target: t.id.clone(),
        period: period.into(),
        town: town.into(),
        value,
        note: kernel::echo(input.note.trim()).into_owned(),
        recorded_by: actor.username.clone(),
    };
    app.store.subsidy_record_actual(&actor.username, &a).await?;
    Ok(())
}

/// `2023` or `2023-06`.
fn valid_period(p: &str) -> bool {
    let b = p.as_bytes();
    let year = |s: &[u8]| s.len() == 4 && s.iter().all(u8::is_ascii_digit);
    match b.len() {
        4 => year(b),
        7 => year(&b[..4]) && b[4] == b'-' && matches!(p[5..].parse::<u8>(), Ok(1..=12)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_years_or_months() {
        assert!(valid_period("2023") && valid_period("2023-06") && valid_period("2023-12"));
        assert!(
            !valid_period("") && !valid_period("2023-13") && !valid_period("23") && !valid_period("2023-6") && !valid_period("二〇二三")
        );
    }
}
