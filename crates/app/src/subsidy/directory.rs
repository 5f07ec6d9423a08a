//! The e-commerce enterprise directory (企业名录) and 免申即享: enterprises
//! whose declared figures qualify them for support they have not applied for.

use access::{Action, Actor};
use kernel::Money;
use store::subsidy::Enterprise;

use super::assess_declared;
use crate::{App, Error, Result};

pub async fn enterprises(app: &App, actor: &Actor, town: Option<&str>, q: Option<&str>) -> Result<Vec<Enterprise>> {
    app.may(actor, Action::SubsidyEnterprisesRead)?;
    Ok(app.store.subsidy_enterprises(town.filter(|t| !t.is_empty()), q.map(|q| kernel::echo(q).into_owned()).as_deref()).await?)
}

/// Register or update an enterprise: a valid credit code, a name, a town (or
/// the development zone) of the district.
pub async fn save_enterprise(app: &App, actor: &Actor, uscc: &str, name: &str, town: &str, contact: &str) -> Result<Enterprise> {
    app.may(actor, Action::SubsidyEnterprisesEdit)?;
    let code = kernel::CreditCode::parse(uscc.trim()).map_err(|e| Error::field("uscc", format!("统一社会信用代码：{e}")))?;
    if name.trim().is_empty() {
        return Err(Error::field("name", "企业名称不能为空"));
    }
    if !app.district.is_town(town) && town != app.district.development_zone {
        return Err(Error::field("town", format!("所在镇（街）“{}”无效", kernel::echo(town))));
    }
    let e = Enterprise {
        uscc: code.as_str().into(),
        name: kernel::echo(name.trim()).into_owned(),
        town: town.into(),
        contact: kernel::echo(contact.trim()).into_owned(),
    };
    app.store.subsidy_upsert_enterprise(&actor.username, &e).await?;
    Ok(e)
}

/// One enterprise of the 免申即享 list.
pub struct Match {
    pub enterprise: Enterprise,
    pub total: Money,
    pub articles: Vec<u8>,
}

/// 免申即享: every enterprise whose declared figures for `year` qualify it
/// for something, and which has not applied (beyond a draft).
/// The years with declared figures to match, newest first (the 免申即享
/// list opens on the newest, not on a year without data).
pub async fn match_years(app: &App, actor: &Actor) -> Result<Vec<i64>> {
    app.may(actor, Action::SubsidyMatches)?;
    Ok(app.store.subsidy_declaration_years().await?)
}

pub async fn matches(app: &App, actor: &Actor, year: i64) -> Result<Vec<Match>> {
    app.may(actor, Action::SubsidyMatches)?;
    let applied: Vec<String> = app
        .store
        .subsidy_applications(None, Some(year), None)
        .await?
        .into_iter()
        .filter(|a| a.status != ecommerce::Status::Draft)
        .map(|a| a.uscc)
        .collect();
    let mut rows = Vec::new();
    for d in app.store.subsidy_declarations(year).await? {
        if applied.contains(&d.uscc) {
            continue;
        }
        let declared: serde_json::Value =
            serde_json::from_str(&d.applicant_json).map_err(|e| Error::internal(format!("申报数据 {}/{year}：{e}", d.uscc)))?;
        // Figures the engine refuses (e.g. a year outside the validity) qualify for nothing.
        let a = match assess_declared(app, &d.uscc, &declared, false).await {
            Ok(a) => a,
            Err(Error::Invalid { .. }) => continue,
            Err(e) => return Err(e),
        };
        if a.total_fen.fen() > 0 {
            rows.push(Match { enterprise: d.enterprise(), total: a.total_fen, articles: a.awards.iter().map(|w| w.article).collect() });
        }
    }
    Ok(rows)
}
