//! The engine's assessment as the pages show it: named lines, amounts in yuan.

use ecommerce::Assessment;

/// One award line.
pub struct AwardLine {
    pub article: u8,
    pub tier: u8,
    /// Yuan with thousands separators and two decimals, to read.
    pub amount: String,
    /// Yuan with two decimals, as an input's value (what `Money::parse_yuan` reads).
    pub plain: String,
    pub one_time: bool,
}

/// An assessment for a page: awards, 一事一议 items, the total.
pub struct AssessView {
    pub awards: Vec<AwardLine>,
    pub case_by_case: Vec<String>,
    pub total: String,
    pub one_policy: bool,
}

impl AssessView {
    pub fn of(a: &Assessment) -> AssessView {
        AssessView {
            awards: a
                .awards
                .iter()
                .map(|w| AwardLine {
                    article: w.article,
                    tier: w.tier,
                    amount: crate::display::yuan(w.amount_fen.fen()),
                    plain: w.amount_fen.to_string(),
                    one_time: w.one_time,
                })
                .collect(),
            case_by_case: a
                .case_by_case
                .iter()
                .map(|c| {
                    let tier = c.tier.map(|t| format!("第{t}档")).unwrap_or_default();
                    format!("第{}条{tier}：{}（{}；{}）", c.article, c.item, c.reason, c.citation)
                })
                .collect(),
            total: crate::display::yuan(a.total_fen.fen()),
            one_policy: a.one_enterprise_one_policy,
        }
    }
}

/// Why each article awards or not, one line each.
pub fn explanation_lines(a: &Assessment) -> Vec<String> {
    let mut out = Vec::with_capacity(a.awards.len() + a.not_eligible.len());
    for w in &a.awards {
        out.push(format!("第{}条：{}", w.article, w.explanation));
    }
    for n in &a.not_eligible {
        out.push(format!("第{}条 不符合：{}", n.article, n.reasons.join("；")));
    }
    out
}
