//! An enterprise declares its figures for a year and applies (附件4 八、其他:
//! 申报单位申报本政策奖励补助). Only for itself (`subsidy.declare`, own).

use access::{Action, Actor};
use ecommerce::Assessment;
use ecommerce::workflow::{self, Step};
use store::subsidy::{Application, Enterprise};

use super::{assess_declared, enterprise, workflow_error};
use crate::{App, Error, Result};

/// What the declaration page shows.
pub struct Declaration {
    pub enterprise: Enterprise,
    pub year: i64,
    /// The figures as declared (the applicant JSON), to fill the form again.
    pub declared: Option<serde_json::Value>,
    /// The engine's answer on the declared figures, or why it has none.
    pub assessment: Option<std::result::Result<Assessment, String>>,
    /// This year's application, if any.
    pub application: Option<Application>,
}

impl Declaration {
    /// The figures can still be changed (no application, or a draft or returned one).
    pub fn editable(&self) -> bool {
        self.application.as_ref().is_none_or(|a| a.status.editable())
    }
}

/// The enterprise an actor declares for: its own, when it holds the duty.
pub fn own_enterprise(app: &App, actor: &Actor) -> Result<String> {
    let grant = app.may(actor, Action::SubsidyDeclare)?;
    match grant.scope {
        access::Scope::Enterprise(uscc) => Ok(uscc),
        _ => Err(Error::invalid("账号未绑定企业")),
    }
}

async fn registered(app: &App, uscc: &str) -> Result<Enterprise> {
    app.store.subsidy_enterprise(uscc).await?.ok_or_else(|| Error::NotFound(format!("企业 {uscc} 未登记")))
}

/// The declaration of `uscc` for `year`, assessed with the award history:
/// for the enterprise itself, and for the reviewer (who reviews these
/// figures and contacts qualifying enterprises, 免申即享).
pub async fn declaration(app: &App, actor: &Actor, uscc: &str, year: i64) -> Result<Declaration> {
    if let Err(own) = app.may_on(actor, Action::SubsidyDeclare, &enterprise(uscc)) {
        app.may(actor, Action::SubsidyMatches).map_err(|_| own)?;
    }
    let ent = registered(app, uscc).await?;
    let declared = match app.store.subsidy_declaration(uscc, year).await? {
        Some(text) => {
            Some(serde_json::from_str::<serde_json::Value>(&text).map_err(|e| Error::internal(format!("申报数据 {uscc}/{year}：{e}")))?)
        }
        None => None,
    };
    let assessment = match &declared {
        Some(d) => Some(match assess_declared(app, uscc, d, true).await {
            Ok(a) => Ok(a),
            Err(Error::Invalid { message, .. }) => Err(message),
            Err(e) => return Err(e),
        }),
        None => None,
    };
    let application = app.store.subsidy_applications(None, Some(year), Some(uscc)).await?.into_iter().next();
    Ok(Declaration { enterprise: ent, year, declared, assessment, application })
}

/// Save the declared figures (the applicant JSON, built by the adapter from
/// its form) and, with `submit`, apply: the engine validates everything and
/// assesses before anything is stored; the workflow decides whether this
/// year's application may (still) be submitted. Returns the application's id
/// when one was submitted.
pub async fn declare(app: &App, actor: &Actor, uscc: &str, year: i64, applicant: &serde_json::Value, submit: bool) -> Result<Option<i64>> {
    app.may_on(actor, Action::SubsidyDeclare, &enterprise(uscc))?;
    registered(app, uscc).await?;
    if applicant.get("uscc").and_then(serde_json::Value::as_str) != Some(uscc)
        || applicant.get("year").and_then(serde_json::Value::as_i64) != Some(year)
    {
        return Err(Error::invalid("申报数据的企业或年度与本次申报不符"));
    }
    let assessment = assess_declared(app, uscc, applicant, false).await?;
    let current = app.store.subsidy_applications(None, Some(year), Some(uscc)).await?.into_iter().next().map(|a| a.status);
    if let Some(st) = current.filter(|s| !s.editable()) {
        return Err(Error::Conflict(format!("{year}年度的申请处于“{st}”状态，申报数据不能再修改；同一事项不重复申报")));
    }
    let step = if submit { Some(workflow::next(current, Step::Submit, "").map_err(workflow_error)?) } else { None };
    app.store.subsidy_save_declaration(&actor.username, uscc, year, &applicant.to_string()).await?;
    match step {
        Some(t) => Ok(Some(app.store.subsidy_save_application(&actor.username, uscc, year, &assessment, current, t.to).await?)),
        None => Ok(None),
    }
}
