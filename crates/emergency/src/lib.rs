//! The district general emergency plan (山亭区突发事件总体应急预案,
//! 山政发〔2022〕8号) as pure functions: routing an information report to its
//! lead departments and command body (附件), the suggested response level and
//! who decides and leads it (1.6), upward reporting duties (4.4), warnings as
//! OASIS CAP 1.2 (4.3) with an Atom feed, and plan filing deadlines (6.2).
//!
//! All figures, tables and readings come from `policy/emergency/*.toml`,
//! resolved once per date into [`Rules`]. Nothing here touches the outside
//! world; the clock and the calendar are arguments.

pub mod atom;
pub mod cap;
mod input;
mod plans;
mod report;
mod rules;
mod time;
mod workflow;
mod xml;

pub use cap::{MsgType, Status, Warning, parse_warning, to_cap_xml};
pub use input::InputError;
pub use plans::{PlanError, plan_filing_deadline};
pub use report::{Assessment, InformationReport, MAX_TEXT, ReportContent, assess, level_roles, parse_report};
pub use rules::{
    AnnualEvaluation, CapParameters, Category, Checklist, Cited, Drills, Ending, IncidentType, InformationRelease, LevelRoles, Lifted,
    MeasureSet, PlanKind, Publication, ReportField, ReportingChain, ResponseLevel, Revision, Rules, RulesError, Severity, StateOfEmergency,
    WarningLevel, WorkingGroup,
};
pub use time::OffsetTime;
pub use workflow::{Decider, IncidentStatus, IncidentStep, ReportKind, TransitionError, WARNING_DRAFT, WarningAction, WarningState};
