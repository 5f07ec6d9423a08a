//! Use cases of the e-commerce support module (山政发〔2022〕10号 附件4).
//!
//! - [`declare`]: an enterprise declares its yearly figures and applies (本企业);
//! - [`review`]: 区商务和投资促进局 accepts, returns, rejects, approves with
//!   amounts and claws back; 区财政局 pays; the application list and page;
//! - [`documents`]: supporting documents, bounded in size and number, read
//!   only by the enterprise and the reviewer;
//! - [`directory`]: the enterprise directory and the 免申即享 list;
//! - [`budget`] and [`targets`]: the funds committed and paid, and the
//!   district's targets with their actuals.
//!
//! Each use case asks `access` first (by duty, then on the object: an
//! application or a document is `Target::enterprise(uscc)`), then the engine
//! (`ecommerce`: the assessment, the workflow's steps, the amounts), then
//! writes through the store in one transaction.

pub mod budget;
pub mod declare;
pub mod directory;
pub mod documents;
pub mod review;
pub mod targets;

use access::{Action, Target};
use ecommerce::workflow::{Duty, WorkflowError};
use ecommerce::{Assessment, Rules};

use crate::{App, Error, Result};

/// The platform action that carries an engine duty. An exhaustive match: a
/// new duty in the engine does not compile until it has its action here.
pub fn action_of(duty: Duty) -> Action {
    match duty {
        Duty::Declare => Action::SubsidyDeclare,
        Duty::Review => Action::SubsidyReview,
        Duty::Pay => Action::SubsidyPay,
    }
}

/// The object of an application, a declaration or a document.
pub fn enterprise(uscc: &str) -> Target {
    Target::enterprise(uscc)
}

/// An engine refusal as a use-case error, naming the form field to blame.
pub(crate) fn workflow_error(e: WorkflowError) -> Error {
    let message = e.to_string();
    match e {
        // Done already or by someone else meanwhile: the same answer as a lost race.
        WorkflowError::NotFrom { .. } => Error::Conflict(message),
        WorkflowError::ReasonRequired(_) => Error::field("note", message),
        WorkflowError::Negative { article } | WorkflowError::AboveAssessed { article, .. } => {
            Error::field(format!("granted:{article}"), message)
        }
        WorkflowError::ReasonForChange { article } => Error::field(format!("reason:{article}"), message),
        WorkflowError::CaseByCase { article } | WorkflowError::NotAssessed { article } => {
            Error::field(format!("granted:{article}"), message)
        }
        WorkflowError::ClawbackReason => Error::field("reason", message),
        WorkflowError::ClawbackAmount { .. } | WorkflowError::Overflow => Error::field("amount", message),
        WorkflowError::ClawbackArticle => Error::invalid(message),
    }
}

/// The rules of one assessment year; a year outside the policy's validity is
/// an input error at `year`.
pub fn rules(app: &App, year: i32) -> Result<Rules> {
    match Rules::load(&app.params, year) {
        Ok(r) => Ok(r),
        Err(e @ ecommerce::RulesError::OutsideValidity { .. }) => Err(Error::field("year", e.to_string())),
        Err(e) => Err(Error::internal(e)),
    }
}

/// Assess declared figures (the applicant JSON) with the award history from
/// this database, so that a one-time award is never granted twice and the
/// tiers already received count. `full` keeps every article's explanation.
pub async fn assess_declared(app: &App, uscc: &str, declared: &serde_json::Value, full: bool) -> Result<Assessment> {
    let mut v = declared.clone();
    let year = v.get("year").and_then(serde_json::Value::as_i64).ok_or_else(|| Error::field("year", "请填写年度"))?;
    let received: Vec<serde_json::Value> = app
        .store
        .subsidy_awards_received(uscc)
        .await?
        .into_iter()
        .filter(|r| i64::from(r.year) < year)
        .map(|r| serde_json::json!({"article": r.article, "year": r.year, "tier": r.tier}))
        .collect();
    match v.as_object_mut() {
        Some(o) => o.insert("awards_received".into(), serde_json::Value::Array(received)),
        None => return Err(Error::invalid("申报数据应为一个对象")),
    };
    let applicant = ecommerce::parse_applicant(0, &v.to_string()).map_err(|e| {
        let field = e.path.trim_start_matches("[0]").trim_start_matches('.').to_string();
        Error::field(field, e.to_string())
    })?;
    let r = rules(app, applicant.year)?;
    Ok(if full { ecommerce::assess(&r, &applicant) } else { ecommerce::assess_contract(&r, &applicant) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_duty_maps_to_an_action_its_duty_permits() {
        for d in [Duty::Declare, Duty::Review, Duty::Pay] {
            let action = action_of(d);
            assert!(action.duties().iter().any(|x| x.key() == d.key()), "{d:?} → {action:?}");
        }
        assert_eq!(action_of(ecommerce::workflow::CLAWBACK_DUTY), Action::SubsidyReview);
        assert!(Action::SubsidyClawback.duties().iter().any(|x| x.key() == ecommerce::workflow::CLAWBACK_DUTY.key()));
    }
}
