//! A meeting's life: proposed by a member unit, called by the convener,
//! materials sent, then the six steps of 四（六）, then the minutes (四（七）).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a meeting stands. The stored key is [`Stage::key`] (snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A member unit proposed a meeting (四（一）: 成员单位……可以提出召开会议的建议).
    Proposed,
    /// The general convener set the agenda and the date (会议议题由总召集人确定).
    Called,
    /// The office delivered the agenda and materials to every unit (四（二）).
    MaterialsSent,
    /// Step 1: the convener opens, announces attendance and agenda.
    Opened,
    /// Step 2: the office head reports each item.
    Reported,
    /// Step 3: members speak and discuss.
    Discussed,
    /// Step 4: each item put to the vote.
    Voted,
    /// Step 5: results announced, decisions made.
    Announced,
    /// Step 6: the convener sums up.
    Summarised,
    /// Minutes (会议纪要) issued to the units (四（七）).
    MinutesIssued,
}

/// What the platform knows when a meeting is to move on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// The materials have been delivered to every member unit.
    pub materials_delivered: bool,
    /// The units present meet the quorum (四（三）: 方可举行).
    pub quorum_met: bool,
    /// Every agenda item has had its vote recorded.
    pub all_items_voted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    #[error("会议不能从“{}”转到“{}”", from.label(), to.label())]
    NotAllowed { from: Stage, to: Stage },
    #[error("材料尚未送达全部成员单位")]
    MaterialsNotDelivered,
    #[error("出席单位不足法定人数，会议不得举行")]
    NoQuorum,
    #[error("仍有议题没有表决")]
    VotesMissing,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Proposed,
        Stage::Called,
        Stage::MaterialsSent,
        Stage::Opened,
        Stage::Reported,
        Stage::Discussed,
        Stage::Voted,
        Stage::Announced,
        Stage::Summarised,
        Stage::MinutesIssued,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Stage::Proposed => "proposed",
            Stage::Called => "called",
            Stage::MaterialsSent => "materials_sent",
            Stage::Opened => "opened",
            Stage::Reported => "reported",
            Stage::Discussed => "discussed",
            Stage::Voted => "voted",
            Stage::Announced => "announced",
            Stage::Summarised => "summarised",
            Stage::MinutesIssued => "minutes_issued",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Proposed => "已提议",
            Stage::Called => "已召集",
            Stage::MaterialsSent => "材料已送达",
            Stage::Opened => "宣布开会",
            Stage::Reported => "汇报议题",
            Stage::Discussed => "发言讨论",
            Stage::Voted => "表决",
            Stage::Announced => "公布结果",
            Stage::Summarised => "总结讲话",
            Stage::MinutesIssued => "纪要已印发",
        }
    }

    /// The step of 四（六） this stage completes (1–6), if any; its text is
    /// [`crate::Rules::procedure_step`].
    pub fn procedure_step(self) -> Option<usize> {
        match self {
            Stage::Opened => Some(1),
            Stage::Reported => Some(2),
            Stage::Discussed => Some(3),
            Stage::Voted => Some(4),
            Stage::Announced => Some(5),
            Stage::Summarised => Some(6),
            _ => None,
        }
    }

    pub fn next(self) -> Option<Stage> {
        let i = Stage::ALL.iter().position(|s| *s == self)?;
        Stage::ALL.get(i + 1).copied()
    }

    /// The procedure runs in order, one step at a time; materials may be sent
    /// again (a late addition) before the meeting opens.
    pub fn allowed(self, to: Stage) -> bool {
        self.next() == Some(to) || (self == Stage::MaterialsSent && to == Stage::MaterialsSent)
    }

    /// Move to `to` if the procedure allows it and its condition holds.
    pub fn advance(self, to: Stage, p: &Progress) -> Result<Stage, StageError> {
        if !self.allowed(to) {
            return Err(StageError::NotAllowed { from: self, to });
        }
        match to {
            Stage::MaterialsSent if !p.materials_delivered => Err(StageError::MaterialsNotDelivered),
            Stage::Opened if !p.quorum_met => Err(StageError::NoQuorum),
            Stage::Voted if !p.all_items_voted => Err(StageError::VotesMissing),
            _ => Ok(to),
        }
    }

    /// Has the meeting been held (opened or later)?
    pub fn held(self) -> bool {
        self >= Stage::Opened
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Stage, String> {
        Stage::ALL.iter().copied().find(|st| st.key() == s).ok_or_else(|| format!("未知会议阶段 {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn runs_in_order_and_only_in_order() {
        let all = Progress { materials_delivered: true, quorum_met: true, all_items_voted: true };
        let mut s = Stage::Proposed;
        let mut steps = Vec::new();
        while let Some(n) = s.next() {
            s = s.advance(n, &all).unwrap();
            steps.extend(s.procedure_step());
        }
        assert_eq!(s, Stage::MinutesIssued);
        assert_eq!(steps, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(Stage::MinutesIssued.next(), None);
        for a in Stage::ALL {
            for b in Stage::ALL {
                let ok = a.advance(b, &all).is_ok();
                assert_eq!(ok, a.next() == Some(b) || (a == Stage::MaterialsSent && b == Stage::MaterialsSent), "{a} -> {b}");
            }
        }
        assert!(matches!(Stage::Opened.advance(Stage::Voted, &all), Err(StageError::NotAllowed { .. })));
        assert!(Stage::Voted.advance(Stage::Discussed, &all).is_err());
    }

    #[test]
    fn conditions_guard_the_steps() {
        let none = Progress::default();
        assert_eq!(Stage::Called.advance(Stage::MaterialsSent, &none), Err(StageError::MaterialsNotDelivered));
        assert_eq!(Stage::MaterialsSent.advance(Stage::Opened, &none), Err(StageError::NoQuorum));
        assert_eq!(Stage::Discussed.advance(Stage::Voted, &none), Err(StageError::VotesMissing));
        assert_eq!(Stage::Proposed.advance(Stage::Called, &none), Ok(Stage::Called));
        let quorum = Progress { quorum_met: true, ..none };
        assert_eq!(Stage::MaterialsSent.advance(Stage::Opened, &quorum), Ok(Stage::Opened));
    }

    #[test]
    fn keys_round_trip_and_match_serde() {
        for s in Stage::ALL {
            assert_eq!(s.key().parse::<Stage>().unwrap(), s);
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::Value::String(s.key().into()));
        }
        assert!("closed".parse::<Stage>().is_err());
        assert!(!Stage::MaterialsSent.held() && Stage::Opened.held() && Stage::MinutesIssued.held());
    }
}
