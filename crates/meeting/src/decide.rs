//! Quorum, notice and votes of one meeting (四（二）、（三）、（五）、（六）).

use kernel::{Explanation, Step};
use serde::Serialize;

use crate::request::{Attendance, DecideRequest, Vote};
use crate::rules::{Cite, PassBase, Rules};

/// The result of one agenda item, as the CLI contract prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub title: String,
    /// Valid votes in favour (units present with a vote).
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
    /// The head-count in favour that passes the item.
    pub votes_required: u32,
    pub passed: bool,
    /// Units whose vote does not count (absent, or represented by a proxy), in member order.
    pub invalid_votes: Vec<String>,
}

impl ItemResult {
    /// 通过 / 未通过.
    pub fn outcome(&self) -> &'static str {
        if self.passed { "通过" } else { "未通过" }
    }

    /// The result as announced and recorded with the item (四（六）5: 公布表决结果):
    /// `通过（赞成 7，反对 0，弃权 0，通过需 6）`.
    pub fn announced(&self) -> String {
        format!(
            "{}（赞成 {}，反对 {}，弃权 {}，通过需 {}）",
            self.outcome(),
            self.votes_for,
            self.votes_against,
            self.abstentions,
            self.votes_required
        )
    }

    /// The count in one line, naming the votes that do not count:
    /// `赞成 5，反对 1，弃权 0；通过需 6：未通过。无效表决：区财政局`.
    pub fn tally(&self) -> String {
        let mut s = format!(
            "赞成 {}，反对 {}，弃权 {}；通过需 {}：{}",
            self.votes_for,
            self.votes_against,
            self.abstentions,
            self.votes_required,
            self.outcome()
        );
        if !self.invalid_votes.is_empty() {
            s.push_str("。无效表决：");
            s.push_str(&self.invalid_votes.join("、"));
        }
        s
    }
}

/// The decision on one meeting. Serialises to exactly the CLI contract's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub quorum_met: bool,
    /// Units counted present for the quorum (in person and, by the Reading, by proxy).
    pub present_units: u32,
    pub quorum_required: u32,
    pub notice_ok: bool,
    pub items: Vec<ItemResult>,
    /// The explanation, one Chinese line per step.
    pub explanation: Vec<String>,
    /// The same explanation with its clauses and facts, for the platform.
    #[serde(skip)]
    pub trace: Explanation,
}

fn with_reading(mut step: Step, c: &Cite) -> Step {
    if let Some(r) = &c.reading {
        step = step.reading(r.clone());
    }
    step
}

fn list(units: &[&str]) -> String {
    if units.is_empty() { "无".to_string() } else { units.join("、") }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decide a meeting. Pure: the same rules and request give the same decision.
pub fn decide(rules: &Rules, req: &DecideRequest) -> Decision {
    let members = req.members();
    let n = members.len() as i64;
    let mut trace = Explanation::new();

    // Which member list: the notice's, or another handed in (a later roster, a test body).
    let same_list = members == rules.members.as_slice();
    let mut step = Step::new(&rules.cite.members.citation, "成员单位").fact("成员单位数", n).fact("成员单位", members.join("、"));
    if same_list {
        step = with_reading(step, &rules.cite.members).applied(format!("按通知所列{}个成员单位计算", n));
    } else {
        let missing: Vec<&str> = rules.members.iter().filter(|m| req.member_index(m).is_none()).map(String::as_str).collect();
        let extra: Vec<&str> = members.iter().filter(|m| !rules.members.contains(m)).map(String::as_str).collect();
        step = step
            .fact("通知名单中未列入", list(&missing))
            .fact("通知名单以外", list(&extra))
            .applied(format!("按输入所列{}个成员单位计算（与通知附件名单不同）", n));
    }
    trace.push(step);

    // 四（三）、（五）: who is there.
    let mut present: Vec<&str> = Vec::new();
    let mut proxies: Vec<&str> = Vec::new();
    let mut absent: Vec<&str> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        match req.attendance(i) {
            Attendance::Present => present.push(m),
            Attendance::Proxy => proxies.push(m),
            Attendance::Absent => absent.push(m),
        }
    }
    let counted = present.len() + if rules.proxy_counts_for_quorum { proxies.len() } else { 0 };
    let quorum_required = rules.quorum.required(n);
    let quorum_met = rules.quorum.met(counted as i64, n);
    let rule = format!("{}成员单位出席方可举行", rules.quorum.describe());
    let step = Step::new(&rules.cite.quorum.citation, rule)
        .fact("成员单位数", n)
        .fact("亲自出席", format!("{}（{}）", present.len(), list(&present)))
        .fact("委托出席", format!("{}（{}）", proxies.len(), list(&proxies)))
        .fact("缺席", format!("{}（{}）", absent.len(), list(&absent)))
        .fact("计入出席", counted)
        .fact("法定出席数", quorum_required);
    let step = with_reading(with_reading(step, &rules.cite.quorum_word), &rules.cite.proxy_quorum);
    trace.push(if quorum_met {
        step.applied(format!("出席{counted}个单位，达到{quorum_required}个，会议可以举行"))
    } else {
        step.not_applied(format!("出席{counted}个单位，不足{quorum_required}个，会议不得举行，议题均不能通过"))
    });

    // 四（二）: materials 5 days before.
    let deadline = rules.delivery_deadline(req.meeting_date);
    let notice_ok = req.materials_sent_on.is_some_and(|s| rules.notice_ok(s, req.meeting_date));
    let mut step = Step::new(&rules.cite.notice.citation, format!("会前{}天将议题及资料送达各成员单位", rules.notice_days))
        .fact("会议日期", req.meeting_date)
        .fact("送达日期", req.materials_sent_on.map_or_else(|| "未记录".to_string(), |d| d.to_string()));
    if let Some(d) = deadline {
        step = step.fact("最迟送达日期", d);
    }
    let step = with_reading(step, &rules.cite.notice);
    trace.push(match (notice_ok, req.materials_sent_on) {
        (true, _) => step.applied("按时送达"),
        (false, None) => step.not_applied("没有送达记录"),
        (false, Some(s)) => step.not_applied(format!("{s}送达，晚于最迟送达日期")),
    });

    // Who may vote: present in person; a proxy only if the rules let proxies vote.
    let may_vote = |a: Attendance| a == Attendance::Present || (a == Attendance::Proxy && rules.proxy_may_vote);
    let voters = (0..members.len()).filter(|&i| may_vote(req.attendance(i))).count() as i64;
    let base = match rules.pass_base {
        PassBase::Members => n,
        PassBase::Present => counted as i64,
        PassBase::Voting => voters,
    };
    // An item passes only on someone's vote, even if a non-default base is empty.
    let votes_required = rules.pass.required(base).max(1);

    let mut items = Vec::with_capacity(req.items().len());
    for (k, item) in req.items().iter().enumerate() {
        let (mut yes, mut no, mut abstain) = (Vec::new(), Vec::new(), Vec::new());
        let (mut invalid, mut by_proxy, mut by_absent, mut silent) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, m) in members.iter().enumerate() {
            let a = req.attendance(i);
            match item.vote(i) {
                Some(v) if may_vote(a) => match v {
                    Vote::For => yes.push(m.as_str()),
                    Vote::Against => no.push(m.as_str()),
                    Vote::Abstain => abstain.push(m.as_str()),
                },
                Some(_) => {
                    invalid.push(m.clone());
                    if a == Attendance::Proxy { by_proxy.push(m.as_str()) } else { by_absent.push(m.as_str()) }
                }
                None if may_vote(a) => silent.push(m.as_str()),
                None => {}
            }
        }
        if !by_proxy.is_empty() || !by_absent.is_empty() {
            let step = Step::new(&rules.cite.proxy_vote.citation, format!("议题{}：受委托人不享有表决权，缺席单位不能表决", k + 1))
                .fact("受委托单位的表决", list(&by_proxy))
                .fact("缺席单位的表决", list(&by_absent));
            trace.push(step.applied(format!("{}票无效，不计入表决结果", invalid.len())));
        }
        let reached = rules.pass.met(yes.len() as i64, base);
        let passed = quorum_met && reached && yes.len() as i64 >= votes_required;
        let rule = format!("议题{}《{}》：{}{}赞成通过", k + 1, item.title, rules.pass_base.label(), rules.pass.describe());
        let step = Step::new(&rules.cite.pass.citation, rule)
            .fact("赞成", format!("{}（{}）", yes.len(), list(&yes)))
            .fact("反对", format!("{}（{}）", no.len(), list(&no)))
            .fact("弃权", format!("{}（{}）", abstain.len(), list(&abstain)))
            .fact("未表决", format!("{}（{}）", silent.len(), list(&silent)))
            .fact("计算基数", format!("{}{}个", rules.pass_base.label(), base))
            .fact("通过所需赞成数", votes_required);
        let step = with_reading(with_reading(step, &rules.cite.pass_word), &rules.cite.pass_base);
        trace.push(if passed {
            step.applied(format!("赞成{}个单位，达到{}个，通过", yes.len(), votes_required))
        } else if !quorum_met {
            step.not_applied("出席单位不足法定人数，议题不能通过")
        } else {
            step.not_applied(format!("赞成{}个单位，不足{}个，未通过", yes.len(), votes_required))
        });
        items.push(ItemResult {
            title: item.title.clone(),
            votes_for: count(yes.len()),
            votes_against: count(no.len()),
            abstentions: count(abstain.len()),
            votes_required: u32::try_from(votes_required).unwrap_or(u32::MAX),
            passed,
            invalid_votes: invalid,
        });
    }

    Decision {
        quorum_met,
        present_units: count(counted),
        quorum_required: u32::try_from(quorum_required).unwrap_or(u32::MAX),
        notice_ok,
        items,
        explanation: trace.lines(),
        trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_in_words() {
        let r = ItemResult {
            title: "议题".into(),
            votes_for: 5,
            votes_against: 1,
            abstentions: 0,
            votes_required: 6,
            passed: false,
            invalid_votes: vec!["区财政局".into()],
        };
        assert_eq!(r.announced(), "未通过（赞成 5，反对 1，弃权 0，通过需 6）");
        assert_eq!(r.tally(), "赞成 5，反对 1，弃权 0；通过需 6：未通过。无效表决：区财政局");
        let r = ItemResult { votes_for: 6, passed: true, invalid_votes: Vec::new(), ..r };
        assert_eq!(r.announced(), "通过（赞成 6，反对 1，弃权 0，通过需 6）");
        assert_eq!(r.tally(), "赞成 6，反对 1，弃权 0；通过需 6：通过");
    }

    #[test]
    fn a_proxy_carries_the_heads_written_opinion() {
        use crate::request::check_proxy_opinion;
        assert!(check_proxy_opinion("区财政局", Attendance::Proxy, "  ").is_err());
        assert!(check_proxy_opinion("区财政局", Attendance::Proxy, "同意").is_ok());
        assert!(check_proxy_opinion("区财政局", Attendance::Present, "").is_ok());
        assert!(check_proxy_opinion("区财政局", Attendance::Absent, "").is_ok());
    }
}
