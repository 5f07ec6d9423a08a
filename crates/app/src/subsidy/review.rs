//! Applications through review to payment: the list, one application, and
//! each step of the engine's workflow ([`ecommerce::workflow`]) taken by the
//! duty it names: 区商务和投资促进局 accepts, returns, rejects, approves with
//! amounts and claws back (`subsidy.review`); 区财政局 pays (`subsidy.pay`).

use access::{Action, Actor, Scope};
use ecommerce::workflow::{self, GrantRequest, Status, Step};
use kernel::{Date, Money};
use store::subsidy::{Application, Award, Document};

use super::{action_of, assess_declared, enterprise, workflow_error};
use crate::workbench::notify;
use crate::{App, Error, Result};

/// Applications the actor may read: an enterprise its own, the district's
/// units (review, pay, oversight) all.
pub async fn list(app: &App, actor: &Actor, status: Option<Status>, year: Option<i64>) -> Result<Vec<Application>> {
    let grant = app.may(actor, Action::SubsidyApplicationsRead)?;
    let uscc = match &grant.scope {
        Scope::District => None,
        Scope::Enterprise(u) => Some(u.as_str()),
        _ => return Err(Error::invalid("无权查阅扶持申请")),
    };
    Ok(app.store.subsidy_applications(status, year.filter(|y| *y > 0), uscc).await?)
}

/// One application with its awards, and the enterprise's documents when the
/// actor may read them (the reviewer, the enterprise itself).
pub struct Detail {
    pub application: Application,
    pub awards: Vec<Award>,
    pub documents: Option<Vec<Document>>,
}

pub async fn application(app: &App, actor: &Actor, id: i64) -> Result<Detail> {
    let (application, awards) = app.store.subsidy_application(id).await?;
    let target = enterprise(&application.uscc);
    app.may_on(actor, Action::SubsidyApplicationsRead, &target)?;
    let documents = match app.may_on(actor, Action::SubsidyDocumentsRead, &target) {
        Ok(_) => Some(app.store.subsidy_documents(&application.uscc).await?),
        Err(_) => None,
    };
    Ok(Detail { application, awards, documents })
}

/// May `actor` take `step` on an application of `uscc` (for showing buttons)?
pub fn may_step(app: &App, actor: &Actor, uscc: &str, step: Step) -> bool {
    app.may_on(actor, action_of(step.transition().duty), &enterprise(uscc)).is_ok()
}

/// The application, once the actor's duty for `step` covers it.
async fn for_step(app: &App, actor: &Actor, id: i64, step: Step) -> Result<Application> {
    app.may(actor, action_of(step.transition().duty))?;
    let (a, _) = app.store.subsidy_application(id).await?;
    app.may_on(actor, action_of(step.transition().duty), &enterprise(&a.uscc))?;
    Ok(a)
}

/// 受理 (start), 退回 (return) or 不予支持 (reject), with a note; the
/// engine requires one for returning and rejecting.
pub async fn step(app: &App, actor: &Actor, id: i64, step: Step, note: &str) -> Result<()> {
    match step {
        Step::Approve | Step::Pay | Step::Save | Step::Submit => return Err(Error::invalid(format!("“{step}”不在此办理"))),
        Step::Start | Step::Return | Step::Reject => {}
    }
    let a = for_step(app, actor, id, step).await?;
    let t = workflow::next(Some(a.status), step, note).map_err(workflow_error)?;
    let decided = matches!(t.to, Status::Returned | Status::Rejected);
    notify::with(
        notify::application_decided(app, &a, t.to),
        app.store.subsidy_transition(&actor.username, id, a.status, t.to, &kernel::echo(note), decided),
    )
    .await?;
    Ok(())
}

/// 批准: re-assess with the award history as it is now (so nothing is
/// granted twice), take the reviewer's amounts within what the engine
/// assessed, and approve in one conditional transaction.
pub async fn approve(app: &App, actor: &Actor, id: i64, requests: &[GrantRequest], note: &str) -> Result<()> {
    let a = for_step(app, actor, id, Step::Approve).await?;
    workflow::next(Some(a.status), Step::Approve, note).map_err(workflow_error)?;
    let declared = app.store.subsidy_declaration(&a.uscc, a.year).await?.ok_or_else(|| Error::invalid("缺少申报数据"))?;
    let declared: serde_json::Value =
        serde_json::from_str(&declared).map_err(|e| Error::internal(format!("申报数据 {}/{}：{e}", a.uscc, a.year)))?;
    let assessment = assess_declared(app, &a.uscc, &declared, false).await?;
    let decisions = workflow::decide_awards(&assessment, requests).map_err(workflow_error)?;
    notify::with(
        notify::application_decided(app, &a, Status::Approved),
        app.store.subsidy_approve(&actor.username, id, a.status, &decisions, &kernel::echo(note)),
    )
    .await?;
    Ok(())
}

/// 拨付 (区财政局): every award of an approved application is paid on `paid_on`.
pub async fn pay(app: &App, actor: &Actor, id: i64, paid_on: Date) -> Result<()> {
    let a = for_step(app, actor, id, Step::Pay).await?;
    let t = workflow::next(Some(a.status), Step::Pay, "").map_err(workflow_error)?;
    if paid_on > app.today() {
        return Err(Error::field("paid_on", format!("拨付日期 {paid_on} 晚于今天")));
    }
    notify::with(
        notify::application_decided(app, &a, t.to),
        app.store.subsidy_pay(&actor.username, id, a.status, t.to, &paid_on.to_string()),
    )
    .await?;
    Ok(())
}

/// 追回 (附件4 第9条): part or all of a paid article 9 award, with the facts.
/// Returns the application's id.
pub async fn clawback(app: &App, actor: &Actor, award_id: i64, amount: Money, reason: &str) -> Result<i64> {
    let action = action_of(workflow::CLAWBACK_DUTY);
    app.may(actor, action)?;
    let w = app.store.subsidy_award(award_id).await?;
    app.may_on(actor, action, &enterprise(&w.uscc))?;
    let article = u8::try_from(w.article).map_err(|_| Error::internal(format!("奖励 {award_id} 的条款 {}", w.article)))?;
    let after = workflow::clawback(article, Money::from_fen(w.paid_fen), Money::from_fen(w.clawed_back_fen), amount, reason)
        .map_err(workflow_error)?;
    app.store.subsidy_clawback(&actor.username, award_id, w.clawed_back_fen, after.fen(), &kernel::echo(reason)).await?;
    Ok(w.application_id)
}
