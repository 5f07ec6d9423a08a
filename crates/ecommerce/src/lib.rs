//! E-commerce support policy: 山政发〔2022〕10号 关于加快电子商务发展的实施意见,
//! 附件4 山亭区支持电子商务产业发展扶持政策 (spec `ecommerce.md`).
//!
//! Pure functions, no I/O. The web layer and the CLI call, in order:
//! [`parse_applicants`] (JSON → checked applicants, errors name the field path),
//! [`Rules::load`] once per assessment year (refuses years outside the
//! 3-year validity), [`assess`] per applicant; or [`assess_many`] for both.
//!
//! [`assess`] explains every article in full (facts, readings) for the UI;
//! [`assess_contract`] gives the identical contract JSON for batches and keeps
//! full steps only for the articles that award or are referred.
//!
//! Output shape beyond the example: `case_by_case` entries are
//! `{article, tier, item, reason, citation}` with `tier` null for an item
//! outside the tiers (article 5's platform headquarters, article 11's
//! logistics hub) and 3 for article 8 / article 12 tier 3; `not_eligible`
//! lists every article 1–12 that grants nothing, in article order (an article
//! can also have a case-by-case item outside its tiers).
//!
//! Readings chosen (each also in the `reading` field of its parameter in
//! `policy/ecommerce/support-policy.toml`, and shown in explanations):
//! - validity: publication date assumed 2022-11-01; a year overlapping the
//!   3-year window is accepted (2022–2025).
//! - 入驻3年期内 (arts 3, 8): the entry year and the two years after it.
//! - 同比增长 (art 3): this year's online retail strictly above last year's.
//! - art 1: the engine proposes the maximum allowed, min(15% × investment,
//!   the operator's net_tax, 30万); a reviewer may grant less.
//! - art 2: the applicant declares the count of qualifying enterprises; the
//!   engine compares the count (超过10家) and the months (半年以上 = 6 months or more).
//! - art 5: growth = (revenue − last year's) / last year's, exact; tier 2's
//!   "交易额、营业额超过3亿元" is met by either figure; in the first year the
//!   growth condition is waived; the headquarters item is a separate 一事一议
//!   flag beside the tiers.
//! - art 7: graduates placed with affiliates do not count; an affiliate
//!   applicant (`training.affiliated`) is not awarded.
//! - art 9: only full 100 US dollars count.
//! - art 11: the large logistics hub is a separate 一事一议 flag beside the tiers.
//! - art 12: 200,000 parcels exactly reaches tier 1 with an amount of 0 (no award).
//! - tiers: only the highest tier reached; a 一事一议 highest tier (art 8
//!   tier 3, art 12 tier 3) pays none of the lower tiers. A one-time tier
//!   already received in any year is not paid again and blocks the lower
//!   tiers of that article for good; any award of the same article in the
//!   same year blocks a second one (同一项目不重复享受).
//! - 就高: the highest competing claim under another district policy for the
//!   same article is compared with ours; ours is granted only if strictly
//!   higher (equal amounts keep the other policy's award).
//! - 八、其他 (`top_ranked`): `one_enterprise_one_policy`, no awards, every
//!   article 1–12 in `not_eligible` with that reason.

mod assess;
mod input;
mod partial;
mod rules;
mod targets;
pub mod workflow;

pub use assess::{Assessment, Award, CaseByCase, NotEligible, Reason, assess, assess_contract, is_one_time};
pub use input::{
    Applicant, Area, AwardReceived, CompetingClaim, CrossBorder, Express, InputError, LiveBase, Logistics, Park, Platform, PlatformFees,
    Rural, ServiceProvider, TIERS, Training, Usd, parse_applicant, parse_applicants, parse_element, split_array,
};
pub use partial::{ARTICLE_FACTS, Declared, Fact, Missing, assess_partial, missing_facts};
pub use rules::{Citations, Readings, Rules, RulesError, Threshold, Word};
pub use targets::{TARGETS_FILE, Target, TargetValue, TargetsError, targets, threshold_word};
pub use workflow::{Status, Step};

use kernel::ParamSet;

/// Why a batch could not be assessed: the input (exit 2) or the policy files (exit 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Policy(RulesError),
}

/// Assess every applicant, loading [`Rules`] once per distinct year. A year
/// outside the validity is an input error at `[i].year`; nothing is returned
/// for the others then. Uses [`assess_contract`]: the contract JSON is the same
/// as [`assess`]'s; call [`assess`] for one applicant's full explanation.
pub fn assess_many(params: &ParamSet, applicants: &[Applicant]) -> Result<Vec<Assessment>, AssessError> {
    let rules = rules_for(params, applicants)?;
    Ok(applicants
        .iter()
        .map(|a| {
            // rules_for loaded every year present, so the lookup always finds one.
            let r = rules.iter().find(|r| r.year == a.year).unwrap_or(&rules[0]);
            assess_contract(r, a)
        })
        .collect())
}

/// The rules of every distinct year among `applicants`, checked.
pub fn rules_for(params: &ParamSet, applicants: &[Applicant]) -> Result<Vec<Rules>, AssessError> {
    let mut out: Vec<Rules> = Vec::new();
    for (i, a) in applicants.iter().enumerate() {
        if out.iter().any(|r| r.year == a.year) {
            continue;
        }
        match Rules::load(params, a.year) {
            Ok(r) => out.push(r),
            Err(e @ RulesError::OutsideValidity { .. }) => {
                return Err(AssessError::Input(InputError { path: format!("[{i}].year"), message: e.to_string() }));
            }
            Err(e) => return Err(AssessError::Policy(e)),
        }
    }
    Ok(out)
}
