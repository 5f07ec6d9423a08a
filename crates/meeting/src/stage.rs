//! A meeting's life as a state machine: proposed by a member unit, called,
//! materials sent, then the six steps of 四（六）, then the minutes (四（七）).
//! Each [`Transition`] names who takes it by duty and the clause of
//! 山政办字〔2022〕19号 四 it follows; [`Stage::advance`] refuses a step out of
//! order or one whose condition ([`Progress`]) does not hold.

use access::Duty;

kernel::labelled_enum! {
    /// Where a meeting stands (会议进度). The stored code is [`Stage::as_str`].
    pub enum Stage {
        /// A member unit proposed a meeting (四（一）: 成员单位根据工作需要可以提出召开会议的建议).
        Proposed = ("proposed", "已提议"),
        /// The general convener set the agenda and the date (四（二）: 会议议题由联席会议总召集人确定).
        Called = ("called", "已召集"),
        /// The office delivered the agenda and materials to every unit (四（二）).
        MaterialsSent = ("materials_sent", "材料已送达"),
        /// Step 1: the convener opens, announces attendance and agenda.
        Opened = ("opened", "宣布开会"),
        /// Step 2: the office head reports each item.
        Reported = ("reported", "汇报议题"),
        /// Step 3: members speak and discuss.
        Discussed = ("discussed", "发言讨论"),
        /// Step 4: each item put to the vote.
        Voted = ("voted", "表决"),
        /// Step 5: results announced, decisions made.
        Announced = ("announced", "公布结果"),
        /// Step 6: the convener sums up.
        Summarised = ("summarised", "总结讲话"),
        /// Minutes (会议纪要) issued to the units (四（七）).
        MinutesIssued = ("minutes_issued", "纪要已印发"),
    }
}

/// One step a meeting may take, who takes it and under which clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: Stage,
    pub to: Stage,
    /// The duties any one of which lets a person record this step on the
    /// platform. The convener decides the agenda and chairs (四（二）、（六）);
    /// the office, which does the joint meeting's daily work, its 会务 and its
    /// papers (一；三（二）), records each step — so every step is the office's.
    pub by: &'static [Duty],
    /// The clause of 山政办字〔2022〕19号 the step follows.
    pub clause: &'static str,
    /// What the step needs before it may be taken, in words (shown beside the button).
    pub needs: &'static str,
}

const OFFICE: &[Duty] = &[Duty::MeetingOffice];

/// Delivering the agenda and materials to every unit (四（二）), the first
/// time or again: the same step with the same condition.
const fn send_materials(from: Stage) -> Transition {
    Transition {
        from, to: Stage::MaterialsSent, by: OFFICE, clause: "山政办字〔2022〕19号 四（二）", needs: "会议议题及有关资料已上传"
    }
}

/// Every allowed step, in procedure order. Anything else is refused.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        from: Stage::Proposed, to: Stage::Called, by: OFFICE, clause: "山政办字〔2022〕19号 四（二）", needs: "总召集人确定议题"
    },
    send_materials(Stage::Called),
    // Materials may be sent again (a late addition) before the meeting opens.
    send_materials(Stage::MaterialsSent),
    Transition {
        from: Stage::MaterialsSent,
        to: Stage::Opened,
        by: OFFICE,
        clause: "山政办字〔2022〕19号 四（三）、四（六）1",
        needs: "出席情况已登记，且达到法定人数",
    },
    Transition { from: Stage::Opened, to: Stage::Reported, by: OFFICE, clause: "山政办字〔2022〕19号 四（六）2", needs: "" },
    Transition { from: Stage::Reported, to: Stage::Discussed, by: OFFICE, clause: "山政办字〔2022〕19号 四（六）3", needs: "" },
    Transition {
        from: Stage::Discussed,
        to: Stage::Voted,
        by: OFFICE,
        clause: "山政办字〔2022〕19号 四（六）4",
        needs: "每项议题均已登记表决",
    },
    Transition { from: Stage::Voted, to: Stage::Announced, by: OFFICE, clause: "山政办字〔2022〕19号 四（六）5", needs: "" },
    Transition {
        from: Stage::Announced,
        to: Stage::Summarised,
        by: OFFICE,
        clause: "山政办字〔2022〕19号 四（六）6",
        needs: "填写总召集人总结",
    },
    Transition {
        from: Stage::Summarised, to: Stage::MinutesIssued, by: OFFICE, clause: "山政办字〔2022〕19号 四（七）", needs: ""
    },
];

/// What the platform knows when a meeting is to move on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// At least one document (the agenda and its materials) is on record to
    /// deliver (四（二）: 将会议议题及有关资料送达各成员单位): a date with nothing
    /// sent is no delivery.
    pub materials_delivered: bool,
    /// Attendance has been recorded (四（六）1: 宣布成员单位出席情况).
    pub attendance_recorded: bool,
    /// The units present meet the quorum (四（三）: 方可举行).
    pub quorum_met: bool,
    /// Every agenda item has had its vote recorded.
    pub all_items_voted: bool,
    /// The convener's summing-up is written down (四（六）6).
    pub summary_given: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    #[error("会议不能从“{}”转到“{}”", from.label(), to.label())]
    NotAllowed { from: Stage, to: Stage },
    #[error("须先上传会议议题及有关资料，才能送达各成员单位（山政办字〔2022〕19号 四（二））")]
    MaterialsNotDelivered,
    #[error("请先登记出席情况（山政办字〔2022〕19号 四（六）1）")]
    AttendanceMissing,
    #[error("出席单位不足法定人数，会议不得举行（山政办字〔2022〕19号 四（三））")]
    NoQuorum,
    #[error("每项议题都须先登记表决（山政办字〔2022〕19号 四（六）4）")]
    VotesMissing,
    #[error("请填写召集人总结（山政办字〔2022〕19号 四（六）6）")]
    SummaryMissing,
    #[error("会议纪要已印发，会议已结束")]
    Finished,
}

impl Stage {
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

    /// The label with the procedure step where it is one: `（四）表决`.
    pub fn step_label(self) -> String {
        match self.procedure_step() {
            Some(n) => format!("（{}）{}", crate::minutes::chinese_number(n), self.label()),
            None => self.label().to_string(),
        }
    }

    /// Position in the procedure (0 = proposed).
    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The next stage in order, if any.
    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }

    /// The step from `self` to `to`, if the procedure has one.
    pub fn transition(self, to: Stage) -> Option<&'static Transition> {
        TRANSITIONS.iter().find(|t| t.from == self && t.to == to)
    }

    /// The step forward the procedure takes from here (not the re-sending of materials).
    pub fn forward(self) -> Option<&'static Transition> {
        self.next().and_then(|n| self.transition(n))
    }

    pub fn allowed(self, to: Stage) -> bool {
        self.transition(to).is_some()
    }

    /// Move to `to` if the procedure allows it and its condition holds.
    pub fn advance(self, to: Stage, p: &Progress) -> Result<&'static Transition, StageError> {
        let Some(t) = self.transition(to) else {
            return Err(if self == Stage::MinutesIssued { StageError::Finished } else { StageError::NotAllowed { from: self, to } });
        };
        match to {
            Stage::MaterialsSent if !p.materials_delivered => Err(StageError::MaterialsNotDelivered),
            Stage::Opened if !p.attendance_recorded => Err(StageError::AttendanceMissing),
            Stage::Opened if !p.quorum_met => Err(StageError::NoQuorum),
            Stage::Voted if !p.all_items_voted => Err(StageError::VotesMissing),
            Stage::Summarised if !p.summary_given => Err(StageError::SummaryMissing),
            _ => Ok(t),
        }
    }

    /// Has the meeting been held (opened or later)? The yearly reminder counts from it.
    pub fn held(self) -> bool {
        self >= Stage::Opened
    }

    /// Materials may be added until the meeting opens (they go out with the agenda, 四（二）).
    pub fn materials_open(self) -> bool {
        self < Stage::Opened
    }

    /// Materials may be sent once the convener has called the meeting, until it opens.
    pub fn sending_open(self) -> bool {
        matches!(self, Stage::Called | Stage::MaterialsSent)
    }

    /// Attendance is recorded from the call until the meeting is opened, when
    /// the convener announces it (四（六）1).
    pub fn attendance_open(self) -> bool {
        matches!(self, Stage::Called | Stage::MaterialsSent | Stage::Opened)
    }

    /// Votes are recorded from the opening until the vote step closes (四（六）4).
    pub fn voting_open(self) -> bool {
        matches!(self, Stage::Opened | Stage::Reported | Stage::Discussed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn all() -> Progress {
        Progress { materials_delivered: true, attendance_recorded: true, quorum_met: true, all_items_voted: true, summary_given: true }
    }

    #[test]
    fn runs_in_order_and_only_in_order() {
        let all = all();
        let mut s = Stage::Proposed;
        let mut steps = Vec::new();
        while let Some(n) = s.next() {
            s = s.advance(n, &all).unwrap().to;
            steps.extend(s.procedure_step());
        }
        assert_eq!(s, Stage::MinutesIssued);
        assert_eq!(steps, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(Stage::MinutesIssued.next(), None);
        assert_eq!(Stage::MinutesIssued.forward(), None);
        for &a in Stage::ALL {
            for &b in Stage::ALL {
                let ok = a.advance(b, &all).is_ok();
                assert_eq!(ok, a.next() == Some(b) || (a == Stage::MaterialsSent && b == Stage::MaterialsSent), "{a} -> {b}");
            }
        }
        assert!(matches!(Stage::Opened.advance(Stage::Voted, &all), Err(StageError::NotAllowed { .. })));
        assert!(Stage::Voted.advance(Stage::Discussed, &all).is_err());
        assert_eq!(Stage::MinutesIssued.advance(Stage::Proposed, &all), Err(StageError::Finished));
    }

    #[test]
    fn every_step_is_the_offices_and_cites_a_clause_of_part_four() {
        for t in TRANSITIONS {
            assert_eq!(t.by, &[Duty::MeetingOffice], "{} -> {}", t.from, t.to);
            assert!(t.clause.starts_with("山政办字〔2022〕19号 四（"), "{}", t.clause);
        }
        assert!(Stage::Discussed.forward().unwrap().clause.ends_with("四（六）4"));
        assert!(Stage::MaterialsSent.forward().unwrap().clause.contains("四（三）"));
        // One forward step out of every stage but the last.
        assert_eq!(Stage::ALL.iter().filter(|s| s.forward().is_some()).count(), Stage::ALL.len() - 1);
    }

    #[test]
    fn conditions_guard_the_steps() {
        let none = Progress::default();
        assert_eq!(Stage::Called.advance(Stage::MaterialsSent, &none), Err(StageError::MaterialsNotDelivered));
        assert_eq!(Stage::MaterialsSent.advance(Stage::MaterialsSent, &none), Err(StageError::MaterialsNotDelivered));
        assert_eq!(Stage::MaterialsSent.advance(Stage::Opened, &none), Err(StageError::AttendanceMissing));
        let recorded = Progress { attendance_recorded: true, ..none };
        assert_eq!(Stage::MaterialsSent.advance(Stage::Opened, &recorded), Err(StageError::NoQuorum));
        assert_eq!(Stage::Discussed.advance(Stage::Voted, &none), Err(StageError::VotesMissing));
        assert_eq!(Stage::Announced.advance(Stage::Summarised, &none), Err(StageError::SummaryMissing));
        assert_eq!(Stage::Proposed.advance(Stage::Called, &none).map(|t| t.to), Ok(Stage::Called));
        let quorum = Progress { quorum_met: true, ..recorded };
        assert_eq!(Stage::MaterialsSent.advance(Stage::Opened, &quorum).map(|t| t.to), Ok(Stage::Opened));
        assert!(StageError::MaterialsNotDelivered.to_string().contains("四（二）"));
    }

    #[test]
    fn what_may_be_recorded_when() {
        let open = |f: fn(Stage) -> bool| Stage::ALL.iter().copied().filter(|s| f(*s)).collect::<Vec<_>>();
        assert_eq!(open(Stage::materials_open), [Stage::Proposed, Stage::Called, Stage::MaterialsSent]);
        assert_eq!(open(Stage::sending_open), [Stage::Called, Stage::MaterialsSent]);
        assert_eq!(open(Stage::attendance_open), [Stage::Called, Stage::MaterialsSent, Stage::Opened]);
        assert_eq!(open(Stage::voting_open), [Stage::Opened, Stage::Reported, Stage::Discussed]);
        assert_eq!(open(Stage::held), &Stage::ALL[3..]);
    }

    #[test]
    fn codes_labels_round_trip_and_match_serde() {
        for &s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>().unwrap(), s);
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::Value::String(s.as_str().into()));
            assert_eq!(s.to_string(), s.label());
        }
        assert!("closed".parse::<Stage>().is_err());
        assert_eq!(Stage::Voted.step_label(), "（四）表决");
        assert_eq!(Stage::Called.step_label(), "已召集");
    }
}
