//! The application workflow (申请—受理—审核—批准—拨付) of 附件4 and the
//! rules on amounts that follow an assessment: what a reviewer may grant,
//! and what may be clawed back.
//!
//! Each step names the duty that may take it ([`Duty`]) and the clause that
//! assigns it. The engine does not know who holds a duty: the platform's duty
//! table (`policy/access/duties.toml`) does, and the use-case layer maps each
//! [`Duty`] to its action there. The engine keeps its own three-value enum
//! rather than the table's keys so that it stays free of the platform's
//! access crate, and so that the mapping is an exhaustive `match` the
//! compiler checks; [`Duty::key`] names the table's key for tests and docs.

use kernel::Money;

use crate::assess::Assessment;

kernel::labelled_enum! {
    /// 申请状态: the state of one enterprise's application for one year.
    pub enum Status {
        Draft = ("draft", "草稿"),
        Submitted = ("submitted", "已提交"),
        UnderReview = ("under_review", "审核中"),
        Approved = ("approved", "已批准"),
        Returned = ("returned", "退回修改"),
        Rejected = ("rejected", "不予支持"),
        Paid = ("paid", "已拨付"),
    }
}

kernel::labelled_enum! {
    /// 办理环节: a step that moves an application from one state to another.
    pub enum Step {
        Save = ("save", "保存草稿"),
        Submit = ("submit", "提交申请"),
        Start = ("start", "受理审核"),
        Approve = ("approve", "批准"),
        Return = ("return", "退回修改"),
        Reject = ("reject", "不予支持"),
        Pay = ("pay", "拨付"),
    }
}

/// Who may take a step (职责), by the duty the documents assign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duty {
    /// 申报单位 (the enterprise, for itself): `subsidy.declare`.
    Declare,
    /// 区商务和投资促进局 (受理、审核、解释): `subsidy.review`.
    Review,
    /// 区财政局 (拨付资金): `subsidy.pay`.
    Pay,
}

impl Duty {
    /// The duty's key in the platform's duty table.
    pub const fn key(self) -> &'static str {
        match self {
            Duty::Declare => "subsidy.declare",
            Duty::Review => "subsidy.review",
            Duty::Pay => "subsidy.pay",
        }
    }
}

/// One step of the workflow: from which states, to which, by whom, under which clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub step: Step,
    /// The states it starts from; `None` is "no application yet".
    pub from: &'static [Option<Status>],
    pub to: Status,
    pub duty: Duty,
    pub clause: &'static str,
    /// A written reason is required (退回、不予支持 tell the enterprise why).
    pub reason_required: bool,
}

const DECLARE_CLAUSE: &str = "山政发〔2022〕10号 附件4 八、其他（申报单位申报本政策奖励补助）";
const REVIEW_CLAUSE: &str = "山政发〔2022〕10号 附件1 区商务和投资促进局职责；附件4 八、其他（由区商务和投资促进局负责解释）";
const PAY_CLAUSE: &str = "山政发〔2022〕10号 附件1 区财政局职责（严格按照规定程序拨付电子商务工作相关资金）";
/// 附件4 第9条: 对弄虚作假现象一律追回奖励.
pub const CLAWBACK_CLAUSE: &str = "山政发〔2022〕10号 附件4 第9条（对弄虚作假现象一律追回奖励）";
/// The article whose awards are clawed back on falsified data.
pub const CLAWBACK_ARTICLE: u8 = 9;
/// Who claws back: the reviewer who approved (区商务和投资促进局).
pub const CLAWBACK_DUTY: Duty = Duty::Review;

/// Every step, in the order an application meets them.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        step: Step::Save,
        from: &[None, Some(Status::Draft)],
        to: Status::Draft,
        duty: Duty::Declare,
        clause: DECLARE_CLAUSE,
        reason_required: false,
    },
    Transition {
        step: Step::Submit,
        from: &[None, Some(Status::Draft), Some(Status::Returned)],
        to: Status::Submitted,
        duty: Duty::Declare,
        clause: DECLARE_CLAUSE,
        reason_required: false,
    },
    Transition {
        step: Step::Start,
        from: &[Some(Status::Submitted)],
        to: Status::UnderReview,
        duty: Duty::Review,
        clause: REVIEW_CLAUSE,
        reason_required: false,
    },
    Transition {
        step: Step::Approve,
        from: &[Some(Status::UnderReview)],
        to: Status::Approved,
        duty: Duty::Review,
        clause: REVIEW_CLAUSE,
        reason_required: false,
    },
    Transition {
        step: Step::Return,
        from: &[Some(Status::UnderReview)],
        to: Status::Returned,
        duty: Duty::Review,
        clause: REVIEW_CLAUSE,
        reason_required: true,
    },
    Transition {
        step: Step::Reject,
        from: &[Some(Status::UnderReview)],
        to: Status::Rejected,
        duty: Duty::Review,
        clause: REVIEW_CLAUSE,
        reason_required: true,
    },
    Transition {
        step: Step::Pay,
        from: &[Some(Status::Approved)],
        to: Status::Paid,
        duty: Duty::Pay,
        clause: PAY_CLAUSE,
        reason_required: false,
    },
];

impl Step {
    /// The step's transition.
    pub fn transition(self) -> &'static Transition {
        // Every step has exactly one row (tested).
        TRANSITIONS.iter().find(|t| t.step == self).unwrap_or(&TRANSITIONS[0])
    }
}

impl Status {
    /// The enterprise can still change its declaration (草稿、退回修改).
    pub fn editable(self) -> bool {
        Step::Submit.transition().from.contains(&Some(self))
    }

    /// Awards of an application in this state count as granted (budget,
    /// the one-time and same-project rules across years).
    pub fn awarded(self) -> bool {
        matches!(self, Status::Approved | Status::Paid)
    }
}

/// Why a step or an amount is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("申请处于“{}”状态，不能{}（依据：{}）", .from.map(Status::label).unwrap_or("未申请"), .step.label(), .step.transition().clause)]
    NotFrom { from: Option<Status>, step: Step },
    #[error("{}须写明理由", .0.label())]
    ReasonRequired(Step),
    #[error("第{article}条：核定金额不能为负数")]
    Negative { article: u8 },
    #[error("第{article}条：核定金额不能超过测算金额 {}元（附件4 第{article}条的上限由测算得出）", .assessed)]
    AboveAssessed { article: u8, assessed: Money },
    #[error("第{article}条：核定金额与测算金额不同，须写明理由")]
    ReasonForChange { article: u8 },
    #[error("第{article}条：属“一事一议”事项，由区政府研究决定，不在审核中核定金额（附件4 第{article}条）")]
    CaseByCase { article: u8 },
    #[error("第{article}条：本次测算没有该条的奖励，不能核定金额")]
    NotAssessed { article: u8 },
    #[error("追回只适用于第9条跨境电商奖励（{CLAWBACK_CLAUSE}）")]
    ClawbackArticle,
    #[error("追回须写明弄虚作假的事实和理由")]
    ClawbackReason,
    #[error("追回金额须大于0，且累计不超过已拨付金额（尚可追回 {}元）", .left)]
    ClawbackAmount { left: Money },
    #[error("金额超出可计算范围")]
    Overflow,
}

/// Which step `step` takes from `from`, or why it cannot. A step that needs a
/// reason refuses a blank one.
pub fn next(from: Option<Status>, step: Step, reason: &str) -> Result<&'static Transition, WorkflowError> {
    let t = step.transition();
    if !t.from.contains(&from) {
        return Err(WorkflowError::NotFrom { from, step });
    }
    if t.reason_required && reason.trim().is_empty() {
        return Err(WorkflowError::ReasonRequired(step));
    }
    Ok(t)
}

/// A reviewer's amount for one article: blank keeps the assessed amount.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrantRequest {
    pub article: u8,
    pub granted: Option<Money>,
    pub reason: String,
}

/// The amount granted for one article, beside what the engine assessed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AwardDecision {
    pub article: u8,
    pub tier: u8,
    pub one_time: bool,
    #[serde(rename = "proposed_fen")]
    pub assessed: Money,
    #[serde(rename = "granted_fen")]
    pub granted: Money,
    #[serde(rename = "change_reason")]
    pub reason: String,
}

/// The awards of an approval: every article the assessment awards, at the
/// reviewer's amount.
///
/// - The assessed amount is the most the article allows for these figures
///   (art 1's 不超过15%…最高不超过30万 and every fixed amount): a reviewer may
///   grant less, with a reason (spec: "a reviewer may grant less, with a
///   reason"), never more.
/// - 一事一议 items (art 5 platform HQ, art 8 tier 3, art 11 hub, art 12 tier
///   3) and 八、其他 一企一策 have no computed maximum because the policy gives
///   them none: 经区政府研究决定 (附件4 八、其他). They are decided by the
///   district government, outside this approval, so an amount for one is refused.
/// - An amount for an article the assessment does not award is refused.
pub fn decide_awards(a: &Assessment, requests: &[GrantRequest]) -> Result<Vec<AwardDecision>, WorkflowError> {
    for q in requests {
        if a.awards.iter().any(|w| w.article == q.article) {
            continue;
        }
        if a.one_enterprise_one_policy || a.case_by_case.iter().any(|c| c.article == q.article) {
            return Err(WorkflowError::CaseByCase { article: q.article });
        }
        return Err(WorkflowError::NotAssessed { article: q.article });
    }
    a.awards
        .iter()
        .map(|w| {
            let q = requests.iter().find(|q| q.article == w.article);
            let granted = q.and_then(|q| q.granted).unwrap_or(w.amount_fen);
            let reason = q.map(|q| q.reason.trim().to_string()).unwrap_or_default();
            if granted.fen() < 0 {
                return Err(WorkflowError::Negative { article: w.article });
            }
            if granted > w.amount_fen {
                return Err(WorkflowError::AboveAssessed { article: w.article, assessed: w.amount_fen });
            }
            if granted != w.amount_fen && reason.is_empty() {
                return Err(WorkflowError::ReasonForChange { article: w.article });
            }
            Ok(AwardDecision { article: w.article, tier: w.tier, one_time: w.one_time, assessed: w.amount_fen, granted, reason })
        })
        .collect()
}

/// Whether `amount` may be clawed back from an award of `article` of which
/// `paid` was paid and `clawed` already clawed back; the new clawed total.
/// Only article 9 (跨境电商, 弄虚作假的一律追回), only what was paid, never twice.
pub fn clawback(article: u8, paid: Money, clawed: Money, amount: Money, reason: &str) -> Result<Money, WorkflowError> {
    if article != CLAWBACK_ARTICLE {
        return Err(WorkflowError::ClawbackArticle);
    }
    if reason.trim().is_empty() {
        return Err(WorkflowError::ClawbackReason);
    }
    let left = paid.checked_sub(clawed).ok_or(WorkflowError::Overflow)?;
    if amount.fen() <= 0 || amount > left {
        return Err(WorkflowError::ClawbackAmount { left: left.max(Money::ZERO) });
    }
    clawed.checked_add(amount).ok_or(WorkflowError::Overflow)
}

#[cfg(test)]
mod tests;
