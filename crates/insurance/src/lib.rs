//! Resident pension and medical insurance collection (山政办发〔2022〕4号):
//! who is covered, what each resident owes for a contribution year, what the
//! government pays on their behalf or adds as subsidy, and the waiting period
//! after a late payment.
//!
//! Architecture invariant: pure. No I/O, no clock; the year's figures come
//! from dated, cited parameters resolved once into [`Rules`], and the
//! reference date is always an argument.

mod compute;
pub mod demo;
mod groups;
mod payment;
mod resident;
mod rules;

pub use compute::{Clause, Clauses, Contribution, PensionStatus, Status, compute, explain};
pub use groups::{Group, Groups};
pub use payment::{Channel, PaymentClaim, PaymentKind, check_payment, still_owed};
pub use resident::{INPUT_COLUMNS, Resident, RowError, parse_bool, parse_date, parse_row, parse_row_str, parse_yuan};
pub use rules::{Exclusion, Rules, RulesError, Targets, WaitingPeriod, Window, explain_waiting, waiting_period};

/// The roster output header, in order (the CLI contract).
pub const OUTPUT_COLUMNS: [&str; 17] = [
    "id_number",
    "name",
    "town",
    "village",
    "age",
    "status",
    "medical_individual_fen",
    "medical_on_behalf_fen",
    "medical_sponsored_fen",
    "medical_fiscal_fen",
    "pension_status",
    "pension_tier_yuan",
    "pension_individual_fen",
    "pension_on_behalf_fen",
    "pension_subsidy_fen",
    "total_due_fen",
    "notes",
];
