//! Housing provident fund joint meeting (住房公积金联席会议, 山政办字〔2022〕19号):
//! quorum (四分之三以上), materials five days ahead, proxies without a vote,
//! items passed by two thirds of all member units, the six-step procedure,
//! minutes, and the once-a-year reminder. Pure functions, no I/O: the figures
//! come in as a [`Rules`] resolved from the dated, cited parameters.
//!
//! ```text
//! let rules = Rules::load(&params, meeting_date)?;
//! let req = parse_request(json)?;           // or DecideRequest::new + setters
//! let decision = decide(&rules, &req);      // serialises to the CLI contract
//! let minutes = Minutes::build(&rules, &req, &decision, &details)?;
//! ```

pub mod decide;
pub mod minutes;
pub mod request;
pub mod rules;
pub mod stage;

pub use decide::{Decision, ItemResult, decide};
pub use minutes::{Attendee, Minutes, MinutesDetails, MinutesItem, MinutesUnit, chinese_date, chinese_number, minutes_html, minutes_text};
pub use request::{Attendance, DecideRequest, InputError, Item, Vote, check_proxy_opinion, parse_request};
pub use rules::{Bound, Citations, Cite, DeliveryCheck, PassBase, Rules, RulesError, Threshold};
pub use stage::{Progress, Stage, StageError, TRANSITIONS, Transition};
