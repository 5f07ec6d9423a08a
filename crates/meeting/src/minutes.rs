//! Minutes (会议纪要, 四（七）): everything the office compiles after a meeting
//! — attendance, proxies and their heads' written opinions, the votes on each
//! item, the decisions and the convener's summing-up — as printable HTML and
//! as plain text. Pure: the platform hands in what it recorded.

use std::fmt::Write as _;

use kernel::Date;
use serde::Serialize;

use crate::decide::Decision;
use crate::request::{Attendance, DecideRequest, InputError, Vote};
use crate::rules::Rules;

/// Who attended for a unit, as the platform recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attendee {
    pub unit: String,
    /// The representative, or for a proxy the person sent (受委托人).
    pub person: String,
    /// The unit head's written opinion a proxy carries (书面意见).
    pub opinion: String,
}

/// What the minutes say beyond the decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MinutesDetails {
    /// 会议名称, e.g. `2023年第一次住房公积金联席会议`.
    pub title: String,
    /// 纪要编号, once issued.
    pub number: Option<String>,
    pub place: String,
    /// The person chairing (总召集人).
    pub chair: String,
    pub issued_on: Option<Date>,
    pub attendees: Vec<Attendee>,
    /// The decision's wording per item, in item order; missing or empty: the result alone.
    pub resolutions: Vec<String>,
    /// 总召集人总结讲话要点.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MinutesUnit {
    pub unit: String,
    /// 召集人 / 副召集人 / 成员.
    pub role: String,
    pub attendance: Attendance,
    pub person: String,
    pub opinion: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MinutesItem {
    pub title: String,
    pub for_units: Vec<String>,
    pub against_units: Vec<String>,
    pub abstain_units: Vec<String>,
    /// Units present with a vote that cast none.
    pub silent_units: Vec<String>,
    /// Votes that do not count (proxies, absent units).
    pub invalid_units: Vec<String>,
    pub votes_required: u32,
    pub passed: bool,
    pub resolution: String,
}

/// The minutes of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Minutes {
    /// 政府专题会议纪要.
    pub form: String,
    /// The clause the minutes are issued under.
    pub citation: String,
    pub title: String,
    pub number: Option<String>,
    pub meeting_date: Date,
    pub place: String,
    pub chair: String,
    pub issued_on: Option<Date>,
    pub member_count: u32,
    pub present_units: u32,
    pub quorum_required: u32,
    pub quorum_met: bool,
    pub materials_sent_on: Option<Date>,
    pub notice_ok: bool,
    pub units: Vec<MinutesUnit>,
    pub items: Vec<MinutesItem>,
    pub summary: String,
    /// The office that compiles and issues the minutes.
    pub office_unit: String,
    /// 印发: every member unit, then the related departments.
    pub recipients: Vec<String>,
    pub explanation: Vec<String>,
}

impl Minutes {
    /// Compile the minutes of a decided meeting. An attendee of a unit that is
    /// not a member is an input error.
    pub fn build(rules: &Rules, req: &DecideRequest, decision: &Decision, details: &MinutesDetails) -> Result<Minutes, InputError> {
        let members = req.members();
        let mut people: Vec<Option<&Attendee>> = vec![None; members.len()];
        for (k, a) in details.attendees.iter().enumerate() {
            let i = req
                .member_index(&a.unit)
                .ok_or_else(|| InputError { path: format!("attendees[{k}].unit"), message: format!("{} 不是成员单位", a.unit) })?;
            people[i] = Some(a);
        }
        let units = members
            .iter()
            .enumerate()
            .map(|(i, m)| MinutesUnit {
                unit: m.clone(),
                role: rules.role_of(m).to_string(),
                attendance: req.attendance(i),
                person: people[i].map(|a| a.person.clone()).unwrap_or_default(),
                opinion: people[i].map(|a| a.opinion.clone()).unwrap_or_default(),
            })
            .collect();
        let may_vote = |a: Attendance| a == Attendance::Present || (a == Attendance::Proxy && rules.proxy_may_vote);
        let items = req
            .items()
            .iter()
            .zip(&decision.items)
            .enumerate()
            .map(|(k, (item, result))| {
                let mut it = MinutesItem {
                    title: item.title.clone(),
                    for_units: Vec::new(),
                    against_units: Vec::new(),
                    abstain_units: Vec::new(),
                    silent_units: Vec::new(),
                    invalid_units: result.invalid_votes.clone(),
                    votes_required: result.votes_required,
                    passed: result.passed,
                    resolution: details.resolutions.get(k).cloned().unwrap_or_default(),
                };
                for (i, m) in members.iter().enumerate() {
                    if !may_vote(req.attendance(i)) {
                        continue;
                    }
                    match item.vote(i) {
                        Some(Vote::For) => it.for_units.push(m.clone()),
                        Some(Vote::Against) => it.against_units.push(m.clone()),
                        Some(Vote::Abstain) => it.abstain_units.push(m.clone()),
                        None => it.silent_units.push(m.clone()),
                    }
                }
                it
            })
            .collect();
        let mut recipients = members.to_vec();
        recipients.push("相关部门".to_string());
        Ok(Minutes {
            form: rules.minutes_form.clone(),
            citation: rules.cite.minutes.citation.clone(),
            title: details.title.clone(),
            number: details.number.clone(),
            meeting_date: req.meeting_date,
            place: details.place.clone(),
            chair: details.chair.clone(),
            issued_on: details.issued_on,
            member_count: u32::try_from(members.len()).unwrap_or(u32::MAX),
            present_units: decision.present_units,
            quorum_required: decision.quorum_required,
            quorum_met: decision.quorum_met,
            materials_sent_on: req.materials_sent_on,
            notice_ok: decision.notice_ok,
            units,
            items,
            summary: details.summary.clone(),
            office_unit: rules.office_unit.clone(),
            recipients,
            explanation: decision.explanation.clone(),
        })
    }

    pub fn html(&self) -> String {
        minutes_html(self)
    }

    pub fn text(&self) -> String {
        minutes_text(self)
    }

    fn proxies(&self) -> impl Iterator<Item = &MinutesUnit> {
        self.units.iter().filter(|u| u.attendance == Attendance::Proxy)
    }
}

/// 1 → 一, 12 → 十二, 20 → 二十 (section and item numbers).
pub fn chinese_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[n - 10] }),
        20..=99 => format!("{}十{}", D[n / 10], if n.is_multiple_of(10) { "" } else { D[n % 10] }),
        _ => n.to_string(),
    }
}

/// 2023-03-10 → 2023年3月10日.
pub fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn names(v: &[String]) -> String {
    if v.is_empty() { "无".to_string() } else { v.join("、") }
}

fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() { "—" } else { s }
}

fn result_word(it: &MinutesItem) -> &'static str {
    if it.passed { "通过" } else { "未通过" }
}

fn quorum_line(m: &Minutes) -> String {
    format!(
        "应出席成员单位{}个，实际出席{}个（含委托出席{}个），法定出席数{}个，{}。",
        m.member_count,
        m.present_units,
        m.proxies().count(),
        m.quorum_required,
        if m.quorum_met { "符合规定，会议有效" } else { "不足法定人数，会议不得作出决议" }
    )
}

fn notice_line(m: &Minutes) -> String {
    match m.materials_sent_on {
        Some(d) => format!(
            "会议议题及资料于{}送达各成员单位，{}。",
            chinese_date(d),
            if m.notice_ok { "符合会前送达要求" } else { "晚于会前送达要求" }
        ),
        None => "会议议题及资料的送达未记录。".to_string(),
    }
}

fn decision_line(k: usize, it: &MinutesItem) -> String {
    let mut s = format!("议题{}《{}》{}", chinese_number(k + 1), it.title, result_word(it));
    if !it.resolution.trim().is_empty() {
        let _ = write!(s, "：{}", it.resolution.trim());
    }
    if !s.ends_with('。') {
        s.push('。');
    }
    s
}

const STYLE: &str = "@page{size:A4;margin:25mm 20mm}\
body{font-family:\"FangSong\",\"STFangsong\",\"Noto Serif CJK SC\",serif;font-size:16pt;line-height:1.8;color:#000;max-width:170mm;margin:0 auto}\
h1{font-family:\"SimHei\",\"Noto Sans CJK SC\",sans-serif;color:#c00;text-align:center;font-size:24pt;letter-spacing:4pt;margin:0}\
.no{text-align:center;border-bottom:2px solid #c00;padding-bottom:4pt;margin-bottom:12pt}\
h2{text-align:center;font-size:18pt}h3{font-family:\"SimHei\",\"Noto Sans CJK SC\",sans-serif;font-size:16pt;margin:12pt 0 4pt}\
table{border-collapse:collapse;width:100%;font-size:12pt}th,td{border:1px solid #000;padding:2pt 4pt;vertical-align:top}\
.foot{margin-top:24pt;border-top:1px solid #000;font-size:12pt}.right{text-align:right}\
@media print{.noprint{display:none}}";

/// The minutes as a complete, printable HTML page (Chinese, A4).
pub fn minutes_html(m: &Minutes) -> String {
    let mut h = String::with_capacity(8192);
    let title = if m.title.trim().is_empty() { "住房公积金联席会议" } else { m.title.trim() };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} 会议纪要</title>\n<style>{}</style>\n</head>\n<body>\n",
        esc(title),
        STYLE
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&m.form));
    let _ = writeln!(h, "<p class=\"no\">{}</p>", esc(m.number.as_deref().unwrap_or("（未编号）")));
    let _ = writeln!(h, "<h2>{}纪要</h2>", esc(title));

    let _ = writeln!(h, "<h3>一、会议基本情况</h3>");
    let _ = writeln!(
        h,
        "<p>{}，{}在{}主持召开{}。{}</p>",
        chinese_date(m.meeting_date),
        esc(or_dash(&m.chair)),
        esc(or_dash(&m.place)),
        esc(title),
        esc(&quorum_line(m))
    );
    let _ = writeln!(h, "<p>{}</p>", esc(&notice_line(m)));

    let _ = writeln!(h, "<h3>二、出席情况</h3>");
    h.push_str("<table>\n<thead><tr><th>序号</th><th>成员单位</th><th>职务</th><th>出席情况</th><th>出席人员</th></tr></thead>\n<tbody>\n");
    for (i, u) in m.units.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            esc(&u.unit),
            esc(&u.role),
            u.attendance.label(),
            esc(or_dash(&u.person))
        );
    }
    h.push_str("</tbody>\n</table>\n");

    let _ = writeln!(h, "<h3>三、受委托人及书面意见</h3>");
    let proxies: Vec<&MinutesUnit> = m.proxies().collect();
    if proxies.is_empty() {
        h.push_str("<p>本次会议无委托出席单位。</p>\n");
    } else {
        h.push_str("<p>受委托人不享有表决权，其所在单位负责人的书面意见如下：</p>\n<ol>\n");
        for u in proxies {
            let opinion = if u.opinion.trim().is_empty() { "（未附书面意见）" } else { u.opinion.trim() };
            let _ = writeln!(h, "<li>{}（受委托人：{}）：{}</li>", esc(&u.unit), esc(or_dash(&u.person)), esc(opinion));
        }
        h.push_str("</ol>\n");
    }

    let _ = writeln!(h, "<h3>四、议题表决情况</h3>");
    if m.items.is_empty() {
        h.push_str("<p>本次会议无表决议题。</p>\n");
    } else {
        h.push_str("<table>\n<thead><tr><th>议题</th><th>赞成</th><th>反对</th><th>弃权</th><th>未表决</th><th>无效票</th><th>通过所需</th><th>结果</th></tr></thead>\n<tbody>\n");
        for (k, it) in m.items.iter().enumerate() {
            let _ = writeln!(
                h,
                "<tr><td>{}、{}</td><td>{}（{}）</td><td>{}（{}）</td><td>{}（{}）</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                chinese_number(k + 1),
                esc(&it.title),
                it.for_units.len(),
                esc(&names(&it.for_units)),
                it.against_units.len(),
                esc(&names(&it.against_units)),
                it.abstain_units.len(),
                esc(&names(&it.abstain_units)),
                esc(&names(&it.silent_units)),
                esc(&names(&it.invalid_units)),
                it.votes_required,
                result_word(it)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }

    let _ = writeln!(h, "<h3>五、会议决定</h3>");
    if m.items.is_empty() {
        h.push_str("<p>无。</p>\n");
    } else {
        h.push_str("<ol>\n");
        for (k, it) in m.items.iter().enumerate() {
            let _ = writeln!(h, "<li>{}</li>", esc(&decision_line(k, it)));
        }
        h.push_str("</ol>\n");
    }

    let _ = writeln!(h, "<h3>六、总召集人总结</h3>");
    let _ = writeln!(h, "<p>{}</p>", esc(if m.summary.trim().is_empty() { "（未记录）" } else { m.summary.trim() }));

    h.push_str("<div class=\"foot\">\n");
    let _ = writeln!(h, "<p>印发：{}。</p>", esc(&m.recipients.join("、")));
    let _ = writeln!(h, "<p class=\"right\">山亭区住房公积金联席会议办公室（{}）</p>", esc(&m.office_unit));
    let _ = writeln!(h, "<p class=\"right\">{}</p>", m.issued_on.map_or_else(|| "（未印发）".to_string(), chinese_date));
    let _ = writeln!(h, "<p>依据：{}</p>", esc(&m.citation));
    h.push_str("</div>\n</body>\n</html>\n");
    h
}

/// The minutes as plain text, for e-mail and the terminal.
pub fn minutes_text(m: &Minutes) -> String {
    let mut t = String::with_capacity(4096);
    let title = if m.title.trim().is_empty() { "住房公积金联席会议" } else { m.title.trim() };
    let _ = writeln!(t, "{}", m.form);
    let _ = writeln!(t, "{}", m.number.as_deref().unwrap_or("（未编号）"));
    let _ = writeln!(t, "{title}纪要\n");
    let _ = writeln!(t, "一、会议基本情况");
    let _ =
        writeln!(t, "{}，{}在{}主持召开{}。{}", chinese_date(m.meeting_date), or_dash(&m.chair), or_dash(&m.place), title, quorum_line(m));
    let _ = writeln!(t, "{}\n", notice_line(m));
    let _ = writeln!(t, "二、出席情况");
    for (i, u) in m.units.iter().enumerate() {
        let _ = writeln!(t, "{}. {}（{}）：{}，{}", i + 1, u.unit, u.role, u.attendance.label(), or_dash(&u.person));
    }
    let _ = writeln!(t, "\n三、受委托人及书面意见");
    let mut any = false;
    for u in m.proxies() {
        any = true;
        let opinion = if u.opinion.trim().is_empty() { "（未附书面意见）" } else { u.opinion.trim() };
        let _ = writeln!(t, "{}（受委托人：{}，不享有表决权）：{}", u.unit, or_dash(&u.person), opinion);
    }
    if !any {
        let _ = writeln!(t, "本次会议无委托出席单位。");
    }
    let _ = writeln!(t, "\n四、议题表决情况");
    for (k, it) in m.items.iter().enumerate() {
        let _ = writeln!(
            t,
            "议题{}《{}》：赞成{}（{}），反对{}（{}），弃权{}（{}），未表决：{}，无效票：{}；通过所需赞成{}个；{}",
            chinese_number(k + 1),
            it.title,
            it.for_units.len(),
            names(&it.for_units),
            it.against_units.len(),
            names(&it.against_units),
            it.abstain_units.len(),
            names(&it.abstain_units),
            names(&it.silent_units),
            names(&it.invalid_units),
            it.votes_required,
            result_word(it)
        );
    }
    if m.items.is_empty() {
        let _ = writeln!(t, "本次会议无表决议题。");
    }
    let _ = writeln!(t, "\n五、会议决定");
    for (k, it) in m.items.iter().enumerate() {
        let _ = writeln!(t, "{}", decision_line(k, it));
    }
    if m.items.is_empty() {
        let _ = writeln!(t, "无。");
    }
    let _ = writeln!(t, "\n六、总召集人总结");
    let _ = writeln!(t, "{}\n", if m.summary.trim().is_empty() { "（未记录）" } else { m.summary.trim() });
    let _ = writeln!(t, "印发：{}。", m.recipients.join("、"));
    let _ = writeln!(t, "山亭区住房公积金联席会议办公室（{}）", m.office_unit);
    let _ = writeln!(t, "{}", m.issued_on.map_or_else(|| "（未印发）".to_string(), chinese_date));
    let _ = writeln!(t, "依据：{}", m.citation);
    t
}
