//! 社保征缴 (山政办发〔2022〕4号): residents still owing, the collection
//! window's days left, rosters to publish, import jobs. Read-only counts
//! (`store::workbench`) over the insurance tables.

use access::{Action, Actor, Duty, Scope};
use kernel::Date;

use super::{Todo, cite, holders, holds};
use crate::{App, Result};

/// The roster link of a place, the way the roster page filters it.
fn roster_link(town: &str, village: Option<&str>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("town", town);
    if let Some(v) = village {
        q.append_pair("village", v);
    }
    q.append_pair("paid", "unpaid");
    format!("/insurance?{}", q.finish())
}

pub(super) async fn todos(app: &App, actor: &Actor, overview: bool, today: Date, out: &mut Vec<Todo>) -> Result<()> {
    let agent = holds(app, actor, Action::InsurancePaymentRecord, Duty::InsuranceAgentCollect);
    let town = holds(app, actor, Action::InsurancePublish, Duty::InsuranceTown);
    let collect = overview || holds(app, actor, Action::InsuranceBulkOnBehalf, Duty::InsuranceCollect).is_some();
    let register = overview || holds(app, actor, Action::InsuranceResidentsImport, Duty::InsuranceRegister).is_some();
    if collect || register {
        for (state, what) in [("running", "进行中的参保名单导入任务"), ("failed", "失败待重新导入的参保名单导入任务")]
        {
            out.push(Todo {
                what: what.into(),
                count: app.store.workbench_jobs(store::insurance::IMPORT_JOB, state).await?,
                due: None,
                clause: cite(app, Duty::InsuranceRegister),
                link: "/insurance/import".into(),
                unit: overview.then(|| holders(app, Duty::InsuranceRegister)),
            });
        }
    }
    let place = match (&agent, &town) {
        (Some(Scope::Village { town, village }), _) => Some((Some(town.clone()), Some(village.clone()))),
        (_, Some(Scope::Town(t))) => Some((Some(t.clone()), None)),
        _ if overview => Some((None, None)),
        _ => None,
    };
    let Some((t, v)) = place else { return Ok(()) };
    let Some(year) = app.store.workbench_insurance_year().await? else { return Ok(()) };
    let duty = if agent.is_some() { Duty::InsuranceAgentCollect } else { Duty::InsuranceTown };
    let owing = app.store.workbench_owing(year, t.as_deref(), v.as_deref()).await?;
    // The collection window of the year on record: its last day, from the engine's rules.
    let window = insurance::Rules::load(&app.params, i32::try_from(year).unwrap_or(i32::MAX)).ok().map(|r| r.window);
    let window_end = window.map(|w| w.end).filter(|end| *end >= today);
    let window_clause = window
        .and_then(|w| app.params.get("insurance.window.end", w.end).ok())
        .map(|p| p.citation.clone())
        .unwrap_or_else(|| cite(app, duty));
    if overview {
        // Per town: the administrators' overview counts by town.
        let mut towns: Vec<(String, i64)> = Vec::new();
        for p in &owing {
            match towns.iter_mut().find(|(t, _)| *t == p.town) {
                Some((_, n)) => *n += p.count,
                None => towns.push((p.town.clone(), p.count)),
            }
        }
        for (t, n) in towns {
            out.push(Todo {
                what: format!("{year}年度尚未缴费的居民"),
                count: n,
                due: window_end,
                clause: window_clause.clone(),
                link: roster_link(&t, None),
                unit: Some(t),
            });
        }
    } else {
        for p in &owing {
            out.push(Todo {
                what: format!("{year}年度尚未缴费的居民：{}{}", p.town, p.village),
                count: p.count,
                due: window_end,
                clause: window_clause.clone(),
                link: roster_link(&p.town, Some(&p.village)),
                unit: None,
            });
        }
        if let (Some(end), Some(_)) = (window_end, &agent) {
            out.push(Todo {
                what: "集中缴费期剩余天数".into(),
                count: today.until(end).map(|s| i64::from(s.get_days())).unwrap_or(0) + 1,
                due: Some(end),
                clause: window_clause.clone(),
                link: roster_link(t.as_deref().unwrap_or(""), v.as_deref()),
                unit: None,
            });
        }
    }
    if town.is_some() || overview {
        let publication_end = window.map(|w| w.publication_end);
        let unpublished = app.store.workbench_unpublished(year, t.as_deref()).await?;
        let mut per: Vec<(String, i64)> = Vec::new();
        for p in &unpublished {
            match per.iter_mut().find(|(t, _)| *t == p.town) {
                Some((_, n)) => *n += 1,
                None => per.push((p.town.clone(), 1)),
            }
        }
        for (town_name, n) in per {
            out.push(Todo {
                what: format!("{year}年度待公示缴费清册的村（居）"),
                count: n,
                due: publication_end.filter(|d| *d >= today),
                clause: cite(app, Duty::InsuranceTown),
                link: "/insurance/stats".into(),
                unit: overview.then_some(town_name),
            });
        }
    }
    Ok(())
}
