//! The assessment of one applicant for one year: articles 1–12 of 附件4, then
//! the rules across articles (tiers exclusive, one-time once ever, the same
//! project once, 就高 against other district policies), or 八、其他.

use std::borrow::Cow;

use kernel::{Explanation, Money, Step};
use serde::{Deserialize, Deserializer, Serialize};

mod articles;

pub use articles::is_one_time;
use articles::*;

use crate::input::Applicant;
use crate::rules::Rules;

/// The contract's result object for one applicant (issue 3, "CLI contract").
/// Read back from the same JSON (the store keeps an application's
/// assessment so): amounts are integer fen there, never yuan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assessment {
    pub uscc: String,
    pub year: i32,
    /// Amounts granted (greater than zero), in article order.
    pub awards: Vec<Award>,
    /// Items the engine never prices (一事一议), flagged for the district's decision.
    pub case_by_case: Vec<CaseByCase>,
    /// 八、其他: 一企一策, and then none of articles 1–12.
    pub one_enterprise_one_policy: bool,
    /// Every article 1–12 that grants nothing, with the reasons. An article
    /// may appear both here (its tiers) and in `case_by_case` (a separate
    /// 一事一议 item such as article 5's platform headquarters).
    pub not_eligible: Vec<NotEligible>,
    #[serde(deserialize_with = "fen")]
    pub total_fen: Money,
    /// Only in a partial assessment ([`crate::assess_partial`]): the articles
    /// that cannot be decided yet, with the facts still needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<crate::partial::Missing>>,
    /// The full trace, for the UI; not part of the contract JSON.
    #[serde(skip)]
    pub explanation: Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub article: u8,
    /// 1 for single-tier articles.
    pub tier: u8,
    #[serde(deserialize_with = "fen")]
    pub amount_fen: Money,
    /// 一次性: paid at most once per applicant, ever.
    pub one_time: bool,
    pub citation: String,
    /// Chinese text of the steps that produced it.
    pub explanation: String,
}

/// A 一事一议 item: no amount, a decision for the district government.
///
/// `tier` is the tier it sits in when the article is tiered (article 8 tier
/// 3, article 12 tier 3) and `null` for an item outside the tiers (article 5's
/// live-streaming platform headquarters, article 11's large logistics hub).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseByCase {
    pub article: u8,
    pub tier: Option<u8>,
    /// What is to be decided, in the source's words.
    pub item: String,
    pub reason: String,
    pub citation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotEligible {
    pub article: u8,
    pub reasons: Vec<Reason>,
}

/// A reason in Chinese; fixed reasons are not copied per applicant.
pub type Reason = Cow<'static, str>;

impl Assessment {
    /// The explanation as Chinese text, one line per step.
    pub fn text(&self) -> String {
        self.explanation.text()
    }

    /// Read a stored contract JSON back. A text that is not one is an error
    /// (never an empty assessment).
    pub fn from_json(text: &str) -> Result<Assessment, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// For a column holding the contract JSON (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for Assessment {
    type Error = serde_json::Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Assessment::from_json(&s)
    }
}

/// `*_fen` fields are integer fen (`Money`'s own `Deserialize` reads yuan, as applicants give them).
fn fen<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    i64::deserialize(d).map(Money::from_fen)
}

/// What one article's rule found, before the rules across articles.
struct Decision {
    article: u8,
    /// Build every step (facts, readings); otherwise only what the contract output needs.
    full: bool,
    steps: Vec<Step>,
    grant: Option<Grant>,
    cases: Vec<CaseByCase>,
    reasons: Vec<Reason>,
    /// The section for this article is absent: the one reason, with no step of its own.
    absent: Option<&'static str>,
}

#[derive(Clone, Copy)]
struct Grant {
    tier: u8,
    amount: Money,
    one_time: bool,
}

impl Decision {
    fn new(article: u8, full: bool) -> Self {
        Decision { article, full, steps: Vec::new(), grant: None, cases: Vec::new(), reasons: Vec::new(), absent: None }
    }

    /// The article does not apply: its step, with the reasons, when explaining in full.
    fn fail(&mut self, s: Step) {
        if self.full {
            self.steps.push(s.not_applied(self.reasons.join("；")));
        }
    }

    fn no(&mut self, reason: impl Into<Reason>) {
        self.reasons.push(reason.into());
    }

    /// The applicant did not claim this kind of support.
    fn absent(mut self, reason: &'static str) -> Self {
        self.absent = Some(reason);
        self
    }
}

// --- across articles ----------------------------------------------------------------

/// Assess one applicant with the full explanation: every article's step,
/// with its facts and readings. Pure: the same rules and applicant give the same result.
pub fn assess(r: &Rules, a: &Applicant) -> Assessment {
    run(r, a, true)
}

/// The same contract result as [`assess`] (identical JSON, award explanations
/// included), for batches: `explanation` then holds only the steps of the
/// articles that award or are referred, not the facts of every article that
/// does not apply. The reasons of those are still in `not_eligible`.
pub fn assess_contract(r: &Rules, a: &Applicant) -> Assessment {
    run(r, a, false)
}

fn article(n: u8, r: &Rules, a: &Applicant, full: bool) -> Decision {
    match n {
        1 => art1(r, a, full),
        2 => art2(r, a, full),
        3 => art3(r, a, full),
        4 => art4(r, a, full),
        5 => art5(r, a, full),
        6 => art6(r, a, full),
        7 => art7(r, a, full),
        8 => art8(r, a, full),
        9 => art9(r, a, full),
        10 => art10(r, a, full),
        11 => art11(r, a, full),
        _ => art12(r, a, full),
    }
}

fn run(r: &Rules, a: &Applicant, full: bool) -> Assessment {
    let mut x = Assessment {
        uscc: a.uscc.as_str().to_string(),
        year: a.year,
        awards: Vec::new(),
        case_by_case: Vec::new(),
        one_enterprise_one_policy: false,
        not_eligible: Vec::with_capacity(12),
        total_fen: Money::ZERO,
        missing: None,
        explanation: Explanation { steps: Vec::new() },
    };
    if a.top_ranked {
        x.one_enterprise_one_policy = true;
        let reason = "八、其他：经区政府研究决定后按“一企一策”扶持，不再享受第1–12条扶持措施";
        x.explanation.push(
            Step::new(&r.citations.other, "八、其他 一企一策")
                .fact("国际排名100强、国内排名50强电子商务企业或重大优质电子商务投资项目", "是")
                .referred("区政府", reason),
        );
        x.not_eligible = (1..=12).map(|article| NotEligible { article, reasons: vec![Cow::Borrowed(reason)] }).collect();
        return x;
    }
    let mut absent: Vec<(u8, &'static str)> = Vec::new();
    for n in 1..=12u8 {
        let mut d = article(n, r, a, full);
        if let Some(reason) = d.absent {
            absent.push((n, reason));
            x.not_eligible.push(NotEligible { article: n, reasons: vec![Cow::Borrowed(reason)] });
            continue;
        }
        if !full && d.grant.is_some() {
            // The award's explanation is part of the contract: explain this article in full.
            d = article(n, r, a, true);
        }
        settle(r, a, d, &mut x);
    }
    // Unclaimed kinds of support share one step: the applicant gave no section for them.
    if full && !absent.is_empty() {
        let mut text = String::with_capacity(64 * absent.len());
        for (i, (art, reason)) in absent.iter().enumerate() {
            if i > 0 {
                text.push('；');
            }
            text.push_str(ARTICLE[usize::from(*art)]);
            text.push('（');
            text.push_str(reason);
            text.push('）');
        }
        x.explanation.push(Step::new(&r.citations.document, "未申报的扶持事项").not_applied(text));
    }
    x.total_fen = x.awards.iter().map(|w| w.amount_fen).sum();
    x
}

const ARTICLE: [&str; 13] =
    ["", "第1条", "第2条", "第3条", "第4条", "第5条", "第6条", "第7条", "第8条", "第9条", "第10条", "第11条", "第12条"];

/// Apply the rules across articles to one article's finding and file it.
fn settle(r: &Rules, a: &Applicant, mut d: Decision, x: &mut Assessment) {
    let art = d.article;
    let cite = &r.citations.articles[usize::from(art) - 1];
    if let Some(g) = d.grant {
        if let Some(reason) = history_blocks(r, a, art, g) {
            d.steps.push(
                Step::new(&r.citations.closing, format!("第{art}条 同一项目不重复享受")).reading(&r.readings.one_time).not_applied(&reason),
            );
            d.no(reason);
            d.grant = None;
        } else if let Some((amount, policy)) = best_competing(a, art) {
            let ours = g.amount;
            let other_wins = if r.tie_keeps_other { amount >= ours } else { amount > ours };
            let step = Step::new(&r.citations.closing, format!("第{art}条 就高原则"))
                .fact("本政策金额", ours.chinese())
                .fact(format!("其他区级政策（{policy}）金额"), amount.chinese())
                .reading(&r.readings.higher_wins);
            if other_wins {
                let reason = format!(
                    "同一项目符合区级其他政策（{policy}）奖励{}，不低于本条{}，按就高原则不重复享受",
                    amount.chinese(),
                    ours.chinese()
                );
                d.steps.push(step.not_applied(&reason));
                d.no(reason);
                d.grant = None;
            } else {
                d.steps.push(step.applied(format!("本条金额较高，给予本条{}，不再享受其他政策（{policy}）", ours.chinese())));
            }
        }
    }
    if let Some(g) = d.grant
        && g.amount.fen() <= 0
    {
        d.no(format!("第{art}条第{}档计算金额为0，不予奖励", g.tier));
        d.grant = None;
    }
    let explanation = if d.grant.is_some() { d.steps.iter().map(Step::text).collect::<Vec<_>>().join("\n") } else { String::new() };
    match d.grant {
        Some(g) => x.awards.push(Award {
            article: art,
            tier: g.tier,
            amount_fen: g.amount,
            one_time: g.one_time,
            citation: cite.clone(),
            explanation,
        }),
        None if d.cases.iter().any(|c| c.tier.is_some()) => {}
        None => {
            if d.reasons.is_empty() {
                d.no(format!("第{art}条条件未满足"));
            }
            x.not_eligible.push(NotEligible { article: art, reasons: std::mem::take(&mut d.reasons) });
        }
    }
    x.case_by_case.append(&mut d.cases);
    x.explanation.steps.append(&mut d.steps);
}

/// 同一项目不重复享受 / 一次性 / 享受高档次后低档次不再享受, from the award history (reading).
fn history_blocks(r: &Rules, a: &Applicant, art: u8, g: Grant) -> Option<String> {
    for h in a.awards_received.iter().filter(|h| h.article == art) {
        if h.year == r.year {
            return Some(format!("{}年度已享受第{art}条第{}档奖励，同一项目不重复享受", h.year, h.tier));
        }
        if is_one_time(art, h.tier) && h.tier >= g.tier {
            return Some(if h.tier == g.tier {
                format!("第{art}条第{}档为一次性奖励，已于{}年度享受，不再给予", g.tier, h.year)
            } else {
                format!("已于{}年度享受第{art}条较高的第{}档（一次性），低档次不再享受", h.year, h.tier)
            });
        }
    }
    None
}

/// The highest reward another district policy gives the same project under this article.
fn best_competing(a: &Applicant, art: u8) -> Option<(Money, String)> {
    a.competing_claims
        .iter()
        .filter(|c| c.article == art)
        .max_by_key(|c| c.amount_yuan)
        .map(|c| (c.amount_yuan, c.policy.clone().unwrap_or_else(|| "未写明".to_string())))
}
