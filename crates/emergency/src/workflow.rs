//! The plan's two workflows as state machines: an incident (突发事件) from
//! its first report to the end of the emergency (4.4–4.5.6), and a warning
//! (预警) from its draft to its lifting (4.3.2–4.3.4). Each transition names
//! the clause that allows it and the platform action (and so the duties,
//! `policy/access/duties.toml`) that may take it; who decides a response
//! level depends on the level and is a [`Decider`] read from the policy.

use std::collections::BTreeSet;

use access::Action;
use serde::{Deserialize, Serialize};

use crate::cap::MsgType;
use crate::rules::{ResponseLevel, Rules};

kernel::labelled_enum! {
    /// 事件状态: in response (应急处置中) or ended (应急结束, 4.5.6).
    pub enum IncidentStatus {
        Active = ("active", "进行中"),
        Ended = ("ended", "已结束"),
    }
}

kernel::labelled_enum! {
    /// 信息报告类别 (4.4(2)): the first report (首报) or a follow-up (续报).
    pub enum ReportKind {
        Initial = ("initial", "首报"),
        FollowUp = ("followup", "续报"),
    }
}

kernel::labelled_enum! {
    /// 预警状态 (4.3.2–4.3.4): drafted by 区应急管理局 and submitted for
    /// approval (待审批), approved by 区政府,
    /// issued, adjusted and lifted.
    pub enum WarningState {
        Draft = ("draft", "草稿"),
        Submitted = ("submitted", "待审批"),
        Approved = ("approved", "已审批"),
        Issued = ("issued", "已发布"),
        Adjusted = ("adjusted", "已调整"),
        Lifted = ("lifted", "已解除"),
    }
}

impl WarningState {
    /// In force: listed in the feed and on the public page.
    pub fn is_current(self) -> bool {
        matches!(self, WarningState::Issued | WarningState::Adjusted)
    }
}

kernel::labelled_enum! {
    /// What can happen to a warning after its draft.
    pub enum WarningAction {
        Submit = ("submit", "提交审批"),
        Approve = ("approve", "批准"),
        Issue = ("issue", "发布"),
        Adjust = ("adjust", "调整"),
        Lift = ("lift", "解除"),
    }
}

/// A transition refused: the state does not allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}（山政发〔2022〕8号 {clause}）")]
pub struct TransitionError {
    pub message: String,
    pub clause: &'static str,
}

impl WarningAction {
    /// The states the action starts from.
    pub fn from_states(self) -> &'static [WarningState] {
        use WarningState::*;
        match self {
            // A draft is edited until submitted; only a submitted one is approved.
            WarningAction::Submit => &[Draft],
            WarningAction::Approve => &[Submitted],
            WarningAction::Issue => &[Approved],
            WarningAction::Adjust | WarningAction::Lift => &[Issued, Adjusted],
        }
    }

    pub fn to_state(self) -> WarningState {
        match self {
            WarningAction::Submit => WarningState::Submitted,
            WarningAction::Approve => WarningState::Approved,
            WarningAction::Issue => WarningState::Issued,
            WarningAction::Adjust => WarningState::Adjusted,
            WarningAction::Lift => WarningState::Lifted,
        }
    }

    /// The clause that governs the step.
    pub fn clause(self) -> &'static str {
        match self {
            // 4.3.2: 预警信息……经区政府批准后发布; 4.3.2 调整, 4.3.4 解除.
            WarningAction::Submit | WarningAction::Approve | WarningAction::Issue | WarningAction::Adjust => "4.3.2",
            WarningAction::Lift => "4.3.4",
        }
    }

    /// Who may take it, as the platform action whose duties permit it:
    /// approval by 区政府, the rest by 区应急管理局 or 区政府 (4.3.2).
    pub fn action(self) -> Action {
        match self {
            WarningAction::Submit => Action::WarningDraft,
            WarningAction::Approve => Action::WarningApprove,
            WarningAction::Issue | WarningAction::Adjust | WarningAction::Lift => Action::WarningPublish,
        }
    }

    /// The CAP message the step sends, if any (approval sends none).
    pub fn msg_type(self) -> Option<MsgType> {
        match self {
            WarningAction::Submit | WarningAction::Approve => None,
            WarningAction::Issue => Some(MsgType::Alert),
            WarningAction::Adjust => Some(MsgType::Update),
            WarningAction::Lift => Some(MsgType::Cancel),
        }
    }

    /// The state after the step from `from`, or why the step is refused.
    pub fn apply(self, from: WarningState) -> Result<WarningState, TransitionError> {
        if self.from_states().contains(&from) {
            return Ok(self.to_state());
        }
        let need: Vec<&str> = self.from_states().iter().map(|s| s.label()).collect();
        Err(TransitionError {
            message: format!("预警当前为“{}”，不能{}（须为{}）", from.label(), self.label(), need.join("或")),
            clause: self.clause(),
        })
    }
}

/// Drafting a warning (拟制预警): the platform action that may.
pub const WARNING_DRAFT: Action = Action::WarningDraft;

/// Who decides a response level (1.6), as the policy names it
/// (`decider` in `policy/emergency/response.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decider {
    /// 区政府 (Ⅰ, Ⅱ) and 区政府分管负责同志 (Ⅲ): the platform's
    /// administrators act for both.
    DistrictGovernment,
    /// 区级突发事件应对主要牵头部门 (Ⅳ): one of the incident's lead
    /// departments.
    LeadDepartment,
}

impl Rules {
    /// Who decides `level` for an incident. A type the annex does not cover
    /// has no lead department until 区政府 designates one (3.2), so until
    /// then 区政府 decides every level.
    pub fn decider(&self, level: ResponseLevel, has_lead_departments: bool) -> Decider {
        match self.level_roles(level).decider {
            Decider::LeadDepartment if !has_lead_departments => Decider::DistrictGovernment,
            d => d,
        }
    }

    /// 4.5.6: the emergency may be declared ended only when every condition
    /// of `policy/emergency/command.toml` `[ending]` is confirmed. `confirmed`
    /// holds the indexes (0-based, in the policy's order) of the conditions
    /// the person ending it confirmed.
    pub fn check_ending(&self, confirmed: &BTreeSet<usize>) -> Result<(), TransitionError> {
        let unmet: Vec<&str> =
            self.ending.conditions.iter().enumerate().filter(|(i, _)| !confirmed.contains(i)).map(|(_, c)| c.as_str()).collect();
        if unmet.is_empty() {
            return Ok(());
        }
        Err(TransitionError { message: format!("结束应急响应的条件未满足：{}", unmet.join("；")), clause: "4.5.6" })
    }
}

/// What happens to an incident, and the state it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentStep {
    /// 续报 (4.4(2)).
    FollowUp,
    /// 决定、提高或降低响应级别 (1.6).
    SetLevel(ResponseLevel),
    /// 现场指挥部、工作组、措施、信息发布、资源调派、紧急状态 (3.5, 4.5.3–4.5.5).
    Command,
    /// 宣布应急结束 (4.5.6).
    End,
    /// 善后处置、调查评估、恢复重建 (4.6): also after the end.
    Recovery,
}

impl IncidentStep {
    pub fn clause(self) -> &'static str {
        match self {
            IncidentStep::FollowUp => "4.4（2）",
            IncidentStep::SetLevel(_) => "1.6",
            IncidentStep::Command => "3.5、4.5.3",
            IncidentStep::End => "4.5.6",
            IncidentStep::Recovery => "4.6",
        }
    }

    /// The platform action for every step but setting a level (whose
    /// action depends on its [`Decider`]).
    pub fn action(self) -> Option<Action> {
        match self {
            IncidentStep::FollowUp => Some(Action::EmergencyReportFile),
            IncidentStep::SetLevel(_) => None,
            IncidentStep::Command => Some(Action::EmergencyCommand),
            IncidentStep::End => Some(Action::EmergencyEnd),
            IncidentStep::Recovery => Some(Action::EmergencyRecovery),
        }
    }

    /// Whether the step may be taken on an incident in `status` whose level
    /// in force is `current`; the state after it.
    pub fn apply(self, status: IncidentStatus, current: Option<ResponseLevel>) -> Result<IncidentStatus, TransitionError> {
        let refuse = |message: String| Err(TransitionError { message, clause: self.clause() });
        match (self, status) {
            (IncidentStep::Recovery, s) => Ok(s),
            (_, IncidentStatus::Ended) => refuse("事件已应急结束，不能再办理".into()),
            (IncidentStep::SetLevel(to), IncidentStatus::Active) if current == Some(to) => {
                refuse(format!("响应级别已是{}级", to.numeral()))
            }
            (IncidentStep::End, IncidentStatus::Active) => Ok(IncidentStatus::Ended),
            (_, IncidentStatus::Active) => Ok(IncidentStatus::Active),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_states_follow_the_plan() {
        use WarningAction::*;
        use WarningState::*;
        assert_eq!(Submit.apply(Draft), Ok(Submitted));
        assert_eq!(Approve.apply(Submitted), Ok(Approved));
        // A draft not yet submitted is not approved, and a submitted one is not submitted again.
        assert!(Approve.apply(Draft).is_err());
        assert!(Submit.apply(Submitted).is_err());
        assert_eq!(Submit.action(), Action::WarningDraft);
        assert_eq!(Submit.msg_type(), None);
        assert_eq!(Issue.apply(Approved), Ok(Issued));
        assert_eq!(Adjust.apply(Issued), Ok(Adjusted));
        assert_eq!(Adjust.apply(Adjusted), Ok(Adjusted));
        assert_eq!(Lift.apply(Adjusted), Ok(Lifted));
        // Nothing is issued unapproved, and lifted is final.
        assert!(Issue.apply(Draft).is_err());
        for a in WarningAction::ALL {
            assert!(a.apply(Lifted).is_err(), "{a:?} after lifting");
        }
        assert!(Approve.apply(Approved).is_err());
        let e = Issue.apply(Draft).unwrap_err();
        assert!(e.to_string().contains("草稿") && e.to_string().contains("4.3.2"), "{e}");
        assert_eq!(Approve.action(), Action::WarningApprove);
        assert_eq!(Lift.action(), Action::WarningPublish);
        assert_eq!(Lift.msg_type(), Some(MsgType::Cancel));
        assert!(Issued.is_current() && Adjusted.is_current() && !Lifted.is_current() && !Approved.is_current());
    }

    #[test]
    fn states_are_codes_with_labels() {
        assert_eq!("ended".parse::<IncidentStatus>(), Ok(IncidentStatus::Ended));
        assert!("未知".parse::<IncidentStatus>().is_err());
        assert_eq!(WarningState::Draft.to_string(), "草稿");
        assert_eq!("followup".parse::<ReportKind>(), Ok(ReportKind::FollowUp));
    }

    #[test]
    fn incident_steps_need_an_active_incident() {
        use IncidentStatus::*;
        assert_eq!(IncidentStep::End.apply(Active, None), Ok(Ended));
        assert!(IncidentStep::End.apply(Ended, None).is_err());
        assert!(IncidentStep::FollowUp.apply(Ended, None).is_err());
        assert!(IncidentStep::Command.apply(Ended, None).is_err());
        assert_eq!(IncidentStep::Recovery.apply(Ended, None), Ok(Ended));
        assert_eq!(IncidentStep::SetLevel(ResponseLevel::II).apply(Active, Some(ResponseLevel::III)), Ok(Active));
        let e = IncidentStep::SetLevel(ResponseLevel::II).apply(Active, Some(ResponseLevel::II)).unwrap_err();
        assert!(e.to_string().contains("Ⅱ级"), "{e}");
        assert!(IncidentStep::SetLevel(ResponseLevel::I).apply(Ended, None).is_err());
    }
}
