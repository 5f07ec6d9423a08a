//! The joint meeting's figures on one date, resolved once from the dated,
//! cited parameters (`policy/meeting/`) so that deciding a meeting needs no
//! look-up.

use jiff::ToSpan as _;
use kernel::{Date, ParamError, ParamSet, Ratio};

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("参数 {name} 无效：{message}")]
    Invalid { name: &'static str, message: String },
}

/// Whether a threshold includes its own number, taken from the word the
/// source uses (README: 以上 includes, 超过 excludes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// 以上, 达到, 至少, 不低于, 不少于, 多数 (at the fraction): `>=`.
    Inclusive,
    /// 超过, 超, 高于, 突破: `>`.
    Exclusive,
}

impl Bound {
    pub fn from_word(word: &str) -> Option<Bound> {
        match word.trim() {
            "以上" | "及以上" | "达到" | "至少" | "不低于" | "不少于" | "多数" | "含" => Some(Bound::Inclusive),
            "超过" | "超" | "高于" | "突破" => Some(Bound::Exclusive),
            _ => None,
        }
    }
}

/// A fraction of a body with the word that says whether the fraction itself is enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub ratio: Ratio,
    pub bound: Bound,
    /// The source's word, shown in explanations.
    pub word: String,
}

impl Threshold {
    /// Is `part` out of `whole` enough? Integers only.
    pub fn met(&self, part: i64, whole: i64) -> bool {
        match self.bound {
            Bound::Inclusive => self.ratio.reached_by(part, whole),
            Bound::Exclusive => self.ratio.exceeded_by(part, whole),
        }
    }

    /// The threshold in the source's words: `四分之三以上`, `三分之二多数`.
    pub fn describe(&self) -> String {
        let r = self.ratio;
        let fraction = if r.den == 100 {
            format!("{r}")
        } else if (1..100).contains(&r.den) && (1..100).contains(&r.num) {
            format!("{}分之{}", crate::minutes::chinese_number(r.den as usize), crate::minutes::chinese_number(r.num as usize))
        } else {
            format!("{r}")
        };
        format!("{fraction}{}", self.word)
    }

    /// The smallest head-count out of `whole` that is enough.
    pub fn required(&self, whole: i64) -> i64 {
        match self.bound {
            Bound::Inclusive => self.ratio.ceil_of(whole),
            // floor(r × whole) + 1: one more than the fraction itself.
            Bound::Exclusive => {
                let p = (self.ratio.num as i128) * (whole as i128);
                (p / self.ratio.den as i128) as i64 + 1
            }
        }
    }
}

/// What the two-thirds of 四（六）4 is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassBase {
    /// All member units (the spec's Reading).
    Members,
    /// Units counted present for the quorum (in person, and by proxy where proxies count).
    Present,
    /// Units present with a vote.
    Voting,
}

impl PassBase {
    fn parse(s: &str) -> Option<PassBase> {
        match s.trim() {
            "members" => Some(PassBase::Members),
            "present" => Some(PassBase::Present),
            "voting" => Some(PassBase::Voting),
            _ => None,
        }
    }

    /// Chinese name of the base, for explanations.
    pub fn label(self) -> &'static str {
        match self {
            PassBase::Members => "全体成员单位",
            PassBase::Present => "出席单位",
            PassBase::Voting => "有表决权的出席单位",
        }
    }
}

/// Citation and reading of one parameter, for explanations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cite {
    pub citation: String,
    pub reading: Option<String>,
}

fn cite(params: &ParamSet, name: &str, on: Date) -> Result<Cite, ParamError> {
    let p = params.get(name, on)?;
    Ok(Cite { citation: p.citation.clone(), reading: p.reading.clone() })
}

/// Citations of the rules an explanation names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Citations {
    pub members: Cite,
    pub notice: Cite,
    pub quorum: Cite,
    pub quorum_word: Cite,
    pub proxy_quorum: Cite,
    pub proxy_vote: Cite,
    pub pass: Cite,
    pub pass_word: Cite,
    pub pass_base: Cite,
    pub reminder: Cite,
    pub procedure: Cite,
    pub minutes: Cite,
}

/// Everything the engine needs on one date.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The date the figures were looked up on (the meeting day).
    pub on: Date,
    /// The member units (成员单位), in the order of the notice's list.
    pub members: Vec<String>,
    /// The unit the general convener (总召集人) sits for.
    pub convener_unit: String,
    /// The units the vice-conveners (副召集人) sit for.
    pub vice_convener_units: Vec<String>,
    /// The unit running the office (联席会议办公室).
    pub office_unit: String,
    /// 会前5天内: materials delivered no later than this many calendar days before.
    pub notice_days: i64,
    /// 四分之三以上成员单位出席.
    pub quorum: Threshold,
    /// Reading: a unit represented by a proxy counts as present.
    pub proxy_counts_for_quorum: bool,
    /// 受委托人不享有表决权 (false).
    pub proxy_may_vote: bool,
    /// 成员单位三分之二多数赞成.
    pub pass: Threshold,
    pub pass_base: PassBase,
    /// 每年至少召开一次.
    pub min_per_year: i64,
    /// Reading: months without a meeting before the reminder.
    pub reminder_months: i64,
    /// The day the system was set up; the reminder counts from it when no meeting was held.
    pub established: Date,
    /// The six steps of 四（六）, in order.
    pub procedure: [String; 6],
    /// 政府专题会议纪要.
    pub minutes_form: String,
    pub cite: Citations,
}

fn threshold(params: &ParamSet, ratio: &'static str, word: &'static str, on: Date) -> Result<Threshold, RulesError> {
    let r = params.ratio(ratio, on)?;
    if r.num <= 0 || r.num > r.den {
        return Err(RulesError::Invalid { name: ratio, message: format!("{r} 应在 0 与 1 之间") });
    }
    let w = params.text(word, on)?;
    let bound =
        Bound::from_word(&w).ok_or_else(|| RulesError::Invalid { name: word, message: format!("不认识的界限用语 {w:?}") })?;
    Ok(Threshold { ratio: r, bound, word: w })
}

impl Rules {
    pub fn load(params: &ParamSet, on: Date) -> Result<Rules, RulesError> {
        let members = params.list("meeting.members", on)?;
        if members.is_empty() {
            return Err(RulesError::Invalid { name: "meeting.members", message: "成员单位名单为空".into() });
        }
        for (i, m) in members.iter().enumerate() {
            if members[..i].contains(m) {
                return Err(RulesError::Invalid { name: "meeting.members", message: format!("{m} 重复") });
            }
        }
        let procedure: [String; 6] = params.list("meeting.procedure", on)?.try_into().map_err(|v: Vec<String>| RulesError::Invalid {
            name: "meeting.procedure",
            message: format!("应为6个步骤，得到{}个", v.len()),
        })?;
        let base = params.text("meeting.pass.base", on)?;
        let pass_base = PassBase::parse(&base).ok_or_else(|| RulesError::Invalid {
            name: "meeting.pass.base",
            message: format!("{base:?} 应为 members、present 或 voting"),
        })?;
        let notice_days = params.int("meeting.notice_days", on)?;
        if !(0..=366).contains(&notice_days) {
            return Err(RulesError::Invalid { name: "meeting.notice_days", message: format!("{notice_days} 不在 0–366 之间") });
        }
        let reminder_months = params.int("meeting.reminder_months", on)?;
        if !(1..=120).contains(&reminder_months) {
            return Err(RulesError::Invalid {
                name: "meeting.reminder_months", message: format!("{reminder_months} 不在 1–120 之间")
            });
        }
        for (name, unit) in [
            ("meeting.convener_unit", params.text("meeting.convener_unit", on)?),
            ("meeting.office_unit", params.text("meeting.office_unit", on)?),
        ]
        .into_iter()
        .chain(params.list("meeting.vice_convener_units", on)?.into_iter().map(|u| ("meeting.vice_convener_units", u)))
        {
            if !members.contains(&unit) {
                return Err(RulesError::Invalid { name, message: format!("{unit} 不在成员单位名单 meeting.members 中") });
            }
        }
        Ok(Rules {
            on,
            members,
            convener_unit: params.text("meeting.convener_unit", on)?,
            vice_convener_units: params.list("meeting.vice_convener_units", on)?,
            office_unit: params.text("meeting.office_unit", on)?,
            notice_days,
            quorum: threshold(params, "meeting.quorum", "meeting.quorum.word", on)?,
            proxy_counts_for_quorum: params.flag("meeting.proxy_counts_for_quorum", on)?,
            proxy_may_vote: params.flag("meeting.proxy_may_vote", on)?,
            pass: threshold(params, "meeting.pass", "meeting.pass.word", on)?,
            pass_base,
            min_per_year: params.int("meeting.min_per_year", on)?,
            reminder_months,
            established: params.date("meeting.established", on)?,
            procedure,
            minutes_form: params.text("meeting.minutes_form", on)?,
            cite: Citations {
                members: cite(params, "meeting.members", on)?,
                notice: cite(params, "meeting.notice_days", on)?,
                quorum: cite(params, "meeting.quorum", on)?,
                quorum_word: cite(params, "meeting.quorum.word", on)?,
                proxy_quorum: cite(params, "meeting.proxy_counts_for_quorum", on)?,
                proxy_vote: cite(params, "meeting.proxy_may_vote", on)?,
                pass: cite(params, "meeting.pass", on)?,
                pass_word: cite(params, "meeting.pass.word", on)?,
                pass_base: cite(params, "meeting.pass.base", on)?,
                reminder: cite(params, "meeting.reminder_months", on)?,
                procedure: cite(params, "meeting.procedure", on)?,
                minutes: cite(params, "meeting.minutes_form", on)?,
            },
        })
    }

    /// The last day materials may reach the units for a meeting on `meeting_date`.
    /// `None` only at the edge of the calendar.
    pub fn delivery_deadline(&self, meeting_date: Date) -> Option<Date> {
        meeting_date.checked_sub(self.notice_days.days()).ok()
    }

    /// Reading: delivered no later than `notice_days` calendar days before the meeting.
    pub fn notice_ok(&self, materials_sent_on: Date, meeting_date: Date) -> bool {
        self.delivery_deadline(meeting_date).is_some_and(|d| materials_sent_on <= d)
    }

    /// The role a unit's representative holds in the meeting (召集人 / 副召集人 / 成员).
    pub fn role_of(&self, unit: &str) -> &'static str {
        if unit == self.convener_unit {
            "召集人"
        } else if self.vice_convener_units.iter().any(|u| u == unit) {
            "副召集人"
        } else {
            "成员"
        }
    }

    /// The text of procedure step `n` (1–6) of 四（六）.
    pub fn procedure_step(&self, n: usize) -> Option<&str> {
        n.checked_sub(1).and_then(|i| self.procedure.get(i)).map(String::as_str)
    }

    /// The day the once-a-year reminder falls due: `reminder_months` after the
    /// last meeting held, or after the day the system was set up when none was
    /// held (Reading). `None` only at the edge of the calendar.
    pub fn reminder_due(&self, last_meeting: Option<Date>) -> Option<Date> {
        last_meeting.unwrap_or(self.established).checked_add(self.reminder_months.months()).ok()
    }

    /// Is the once-a-year reminder due? From its due day on, the day itself
    /// included (满12个月（含当日）).
    pub fn overdue(&self, last_meeting: Option<Date>, today: Date) -> bool {
        self.reminder_due(last_meeting).is_some_and(|due| today >= due)
    }

    /// When the agenda and materials count as delivered: on the day recorded,
    /// provided something was sent. 四（二） asks the office to deliver 会议议题及
    /// 有关资料; a sending date with no document on record is no delivery, so
    /// it cannot meet the five days.
    pub fn delivered_on(&self, sent_on: Option<Date>, documents_sent: usize) -> Option<Date> {
        if documents_sent == 0 { None } else { sent_on }
    }
}

impl Rules {
    /// The reminder to show when [`Rules::overdue`], in Chinese, with its clause.
    pub fn reminder_text(&self, last_meeting: Option<Date>, today: Date) -> Option<String> {
        if !self.overdue(last_meeting, today) {
            return None;
        }
        let since = match last_meeting {
            Some(d) => format!("自上次会议（{d}）"),
            None => format!("自联席会议制度建立（{}）以来未召开会议，", self.established),
        };
        Some(format!(
            "{since}已满{}个月。依据{}，联席会议每年至少召开{}次，请总召集人确定议题并召集会议。",
            self.reminder_months, self.cite.reminder.citation, self.min_per_year
        ))
    }
}

/// Delivery of the agenda and materials to each member unit (四（二）: 送达各成员单位).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryCheck {
    /// The last day a delivery is in time.
    pub deadline: Option<Date>,
    /// Every member unit received the materials in time.
    pub ok: bool,
    /// Members that received them after the deadline, in member order.
    pub late: Vec<String>,
    /// Members with no delivery on record, in member order.
    pub missing: Vec<String>,
    /// When the last member received them, once every member has: the
    /// meeting's `materials_sent_on`.
    pub all_delivered_on: Option<Date>,
}

impl Rules {
    /// Check a delivery record (unit, date received) against the member list.
    /// A unit delivered twice counts by its earliest delivery.
    pub fn check_deliveries<'a>(
        &self,
        meeting_date: Date,
        members: &[String],
        deliveries: impl IntoIterator<Item = (&'a str, Date)>,
    ) -> DeliveryCheck {
        let mut first: Vec<Option<Date>> = vec![None; members.len()];
        for (unit, on) in deliveries {
            if let Some(i) = members.iter().position(|m| m == unit) {
                first[i] = Some(first[i].map_or(on, |d| d.min(on)));
            }
        }
        let deadline = self.delivery_deadline(meeting_date);
        let mut late = Vec::new();
        let mut missing = Vec::new();
        for (m, on) in members.iter().zip(&first) {
            match on {
                None => missing.push(m.clone()),
                Some(d) if deadline.is_none_or(|dl| *d > dl) => late.push(m.clone()),
                Some(_) => {}
            }
        }
        let all_delivered_on = if missing.is_empty() { first.iter().flatten().max().copied() } else { None };
        DeliveryCheck { deadline, ok: late.is_empty() && missing.is_empty(), late, missing, all_delivered_on }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn rules() -> Rules {
        Rules::load(&ParamSet::embedded().unwrap(), d("2023-03-10")).unwrap()
    }

    #[test]
    fn loads_the_cited_figures() {
        let r = rules();
        assert_eq!(r.members.len(), 9);
        assert_eq!(r.members[0], "区政府");
        assert_eq!(r.role_of("区政府"), "召集人");
        assert_eq!(r.role_of("枣庄市住房公积金管理中心山亭管理部"), "副召集人");
        assert_eq!(r.role_of("区财政局"), "成员");
        assert_eq!(r.quorum.ratio, Ratio::new(3, 4));
        assert_eq!(r.quorum.bound, Bound::Inclusive);
        assert_eq!(r.pass.ratio, Ratio::new(2, 3));
        assert_eq!(r.pass_base, PassBase::Members);
        assert_eq!(r.pass.describe(), "三分之二多数");
        assert_eq!(r.notice_days, 5);
        assert!(r.proxy_counts_for_quorum && !r.proxy_may_vote);
        assert_eq!(r.procedure_step(4), Some("议题由联席会议成员单位三分之二多数赞成通过"));
        assert_eq!(r.procedure_step(0), None);
        assert_eq!(r.procedure_step(7), None);
        assert!(r.cite.quorum.citation.contains("山政办字〔2022〕19号") && r.cite.quorum.citation.contains("四（三）"));
        assert!(r.cite.pass_base.reading.is_some());
    }

    #[test]
    fn the_conveners_sit_for_member_units() {
        let p = ParamSet::embedded().unwrap();
        let text = p.file("meeting/joint-meeting.toml").unwrap().replace("value = \"区政府\"", "value = \"区长办公会\"");
        let p = ParamSet::from_files(ParamSet::embedded_files(), vec![("meeting/joint-meeting.toml".into(), text)]).unwrap();
        let e = Rules::load(&p, d("2023-03-10")).unwrap_err();
        assert!(e.to_string().contains("meeting.convener_unit"), "{e}");
    }

    #[test]
    fn before_the_notice_there_are_no_rules() {
        let e = Rules::load(&ParamSet::embedded().unwrap(), d("2022-08-18")).unwrap_err();
        assert!(e.to_string().contains("2022-08-18"), "{e}");
    }

    #[test]
    fn notice_is_five_calendar_days_inclusive() {
        let r = rules();
        let meeting = d("2023-03-10");
        assert_eq!(r.delivery_deadline(meeting), Some(d("2023-03-05")));
        assert!(r.notice_ok(d("2023-03-05"), meeting));
        assert!(r.notice_ok(d("2023-03-04"), meeting));
        assert!(!r.notice_ok(d("2023-03-06"), meeting));
        // Calendar days: a weekend in between changes nothing.
        assert!(r.notice_ok(d("2023-03-01"), d("2023-03-06")));
        assert!(!r.notice_ok(d("2023-03-02"), d("2023-03-06")));
    }

    #[test]
    fn nothing_sent_is_no_delivery() {
        let r = rules();
        assert_eq!(r.delivered_on(Some(d("2023-03-01")), 0), None);
        assert_eq!(r.delivered_on(Some(d("2023-03-01")), 1), Some(d("2023-03-01")));
        assert_eq!(r.delivered_on(None, 3), None);
    }

    #[test]
    fn deliveries_unit_by_unit() {
        let r = rules();
        let members: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
        let meeting = d("2023-03-10");
        let c = r.check_deliveries(meeting, &members, [("A", d("2023-03-05")), ("B", d("2023-03-01")), ("C", d("2023-03-04"))]);
        assert!(c.ok);
        assert_eq!(c.all_delivered_on, Some(d("2023-03-05")));
        let c = r.check_deliveries(meeting, &members, [("A", d("2023-03-06")), ("B", d("2023-03-01")), ("X", d("2023-03-01"))]);
        assert!(!c.ok);
        assert_eq!(c.late, vec!["A"]);
        assert_eq!(c.missing, vec!["C"]);
        assert_eq!(c.all_delivered_on, None);
        // Sent again later: the first delivery counts.
        let c = r.check_deliveries(meeting, &members[..1], [("A", d("2023-03-09")), ("A", d("2023-03-02"))]);
        assert!(c.ok && c.all_delivered_on == Some(d("2023-03-02")));
    }

    #[test]
    fn words_decide_the_bound() {
        let incl = Threshold { ratio: Ratio::new(3, 4), bound: Bound::Inclusive, word: "以上".into() };
        let excl = Threshold { ratio: Ratio::new(3, 4), bound: Bound::Exclusive, word: "超过".into() };
        assert!(incl.met(6, 8) && !incl.met(5, 8));
        assert!(!excl.met(6, 8) && excl.met(7, 8));
        assert_eq!(incl.required(8), 6);
        assert_eq!(excl.required(8), 7);
        assert_eq!(incl.required(9), 7);
        assert_eq!(excl.required(9), 7);
        assert_eq!(incl.describe(), "四分之三以上");
        assert_eq!(excl.describe(), "四分之三超过");
        assert_eq!(Bound::from_word("多数"), Some(Bound::Inclusive));
        assert_eq!(Bound::from_word("超过"), Some(Bound::Exclusive));
        assert_eq!(Bound::from_word("左右"), None);
        for n in 1..40 {
            for t in [&incl, &excl] {
                let k = t.required(n);
                assert!(t.met(k, n) && !t.met(k - 1, n), "{n} {t:?}");
            }
        }
    }

    #[test]
    fn reminder_after_twelve_months() {
        let r = rules();
        let last = d("2023-03-10");
        assert!(!r.overdue(Some(last), d("2024-03-09")));
        assert!(r.overdue(Some(last), d("2024-03-10")));
        // Never met: counted from the notice of 2022-08-19.
        assert!(!r.overdue(None, d("2023-08-18")));
        assert!(r.overdue(None, d("2023-08-19")));
        assert_eq!(r.reminder_text(Some(last), d("2024-03-09")), None);
        let t = r.reminder_text(Some(last), d("2024-03-10")).unwrap();
        assert!(
            t.contains("2023-03-10") && t.contains("12个月") && t.contains("山政办字〔2022〕19号 四（二）") && t.contains("至少召开1次"),
            "{t}"
        );
        assert!(r.reminder_text(None, d("2023-08-19")).unwrap().contains("2022-08-19"));
        assert_eq!(r.reminder_due(Some(last)), Some(d("2024-03-10")));
        assert_eq!(r.reminder_due(None), Some(d("2023-08-19")));
        // A leap day: the anniversary is clamped to 28 February.
        assert!(!r.overdue(Some(d("2024-02-29")), d("2025-02-27")));
        assert!(r.overdue(Some(d("2024-02-29")), d("2025-02-28")));
    }
}
