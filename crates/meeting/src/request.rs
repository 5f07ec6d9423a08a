//! A meeting to decide: member units, dates, attendance and votes, checked
//! against the member list so that the engine never sees a unit it does not know.

use std::collections::HashMap;
use std::fmt;

use kernel::Date;
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

/// What was wrong with the input (one type for every engine), and where (`attendance.区X`, `items[0].votes.区Y`, `meeting_date`).
pub use kernel::InputError;

kernel::labelled_enum! {
    /// How a unit attended (出席情况).
    #[derive(Default)]
    pub enum Attendance {
        /// The unit's representative in person.
        Present = ("present", "出席"),
        /// A person sent with the head's written opinion (受委托人); no vote.
        Proxy = ("proxy", "委托出席"),
        /// Not there; also every unit the attendance does not mention.
        #[default]
        Absent = ("absent", "缺席"),
    }
}

kernel::labelled_enum! {
    /// A unit's vote on one item (表决意见).
    pub enum Vote {
        For = ("for", "赞成"),
        Against = ("against", "反对"),
        Abstain = ("abstain", "弃权"),
    }
}

/// One agenda item (议题) with the votes cast on it, indexed like the member list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    votes: Vec<Option<Vote>>,
}

impl Item {
    /// The vote the member at `index` cast, if any.
    pub fn vote(&self, index: usize) -> Option<Vote> {
        self.votes.get(index).copied().flatten()
    }
}

/// A checked meeting. Built by [`parse_request`] or by [`DecideRequest::new`]
/// and its setters, which refuse units that are not members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecideRequest {
    members: Vec<String>,
    index: HashMap<String, usize>,
    pub meeting_date: Date,
    /// When the agenda and materials reached the units (送达); `None`: not recorded.
    pub materials_sent_on: Option<Date>,
    attendance: Vec<Attendance>,
    items: Vec<Item>,
}

impl DecideRequest {
    /// A meeting of these member units with everyone absent and no items yet.
    pub fn new(members: Vec<String>, meeting_date: Date) -> Result<DecideRequest, InputError> {
        if members.is_empty() {
            return Err(InputError::new("member_units", "至少要有一个成员单位"));
        }
        let mut index = HashMap::with_capacity(members.len());
        for (i, m) in members.iter().enumerate() {
            if m.trim().is_empty() {
                return Err(InputError::new(format!("member_units[{i}]"), "单位名称为空"));
            }
            if index.insert(m.clone(), i).is_some() {
                return Err(InputError::new(format!("member_units[{i}]"), format!("成员单位 {m} 重复")));
            }
        }
        let n = members.len();
        Ok(DecideRequest {
            members,
            index,
            meeting_date,
            materials_sent_on: None,
            attendance: vec![Attendance::Absent; n],
            items: Vec::new(),
        })
    }

    pub fn members(&self) -> &[String] {
        &self.members
    }

    /// Position of a unit in the member list.
    pub fn member_index(&self, unit: &str) -> Option<usize> {
        self.index.get(unit).copied()
    }

    pub fn attendance(&self, index: usize) -> Attendance {
        self.attendance.get(index).copied().unwrap_or_default()
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn set_attendance(&mut self, unit: &str, a: Attendance) -> Result<(), InputError> {
        let i = self.member_index(unit).ok_or_else(|| InputError::new(format!("attendance.{unit}"), format!("{unit} 不是成员单位")))?;
        self.attendance[i] = a;
        Ok(())
    }

    /// Add an item with its votes; a vote by a unit that is not a member is refused.
    pub fn add_item<'a>(&mut self, title: impl Into<String>, votes: impl IntoIterator<Item = (&'a str, Vote)>) -> Result<(), InputError> {
        let k = self.items.len();
        let mut v = vec![None; self.members.len()];
        for (unit, vote) in votes {
            let i = self
                .member_index(unit)
                .ok_or_else(|| InputError::new(format!("items[{k}].votes.{unit}"), format!("{unit} 不是成员单位")))?;
            if v[i].is_some() {
                return Err(InputError::new(format!("items[{k}].votes.{unit}"), format!("{unit} 重复表决")));
            }
            v[i] = Some(vote);
        }
        self.items.push(Item { title: title.into(), votes: v });
        Ok(())
    }
}

/// 四（五）: a unit head who cannot attend sends someone who knows the matter
/// *with the head's written opinion* (携其书面意见); a proxy without one is
/// refused.
pub fn check_proxy_opinion(unit: &str, attendance: Attendance, opinion: &str) -> Result<(), InputError> {
    if attendance == Attendance::Proxy && opinion.trim().is_empty() {
        return Err(InputError::new(
            format!("attendance.{unit}"),
            format!("{unit} 委托他人出席，须附单位主要负责人的书面意见（山政办字〔2022〕19号 四（五））"),
        ));
    }
    Ok(())
}

/// A JSON object read as its (key, value) pairs, refusing a key given twice
/// (a unit attending or voting twice has no single meaning).
#[derive(Debug, Default)]
struct Pairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("以单位名称为键、字符串为值的对象")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out: Vec<(String, String)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(de::Error::custom(format!("{k} 出现了两次")));
                    }
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    title: String,
    #[serde(default)]
    votes: Pairs,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    member_units: Vec<String>,
    meeting_date: String,
    #[serde(default)]
    materials_sent_on: Option<String>,
    #[serde(default)]
    attendance: Pairs,
    #[serde(default)]
    items: Vec<RawItem>,
}

fn date(path: &str, s: &str) -> Result<Date, InputError> {
    kernel::parse_date(s).map_err(|e| InputError::new(path, e))
}

/// Read the CLI contract's JSON (`shanting meeting decide FILE.json`).
pub fn parse_request(json: &str) -> Result<DecideRequest, InputError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let raw: RawRequest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        InputError::new(if path == "." { "(根)".to_string() } else { path }, e.into_inner().to_string())
    })?;
    de.end().map_err(|e| InputError::new("(根)", e.to_string()))?;

    let mut req = DecideRequest::new(raw.member_units, date("meeting_date", &raw.meeting_date)?)?;
    req.materials_sent_on = raw.materials_sent_on.as_deref().map(|s| date("materials_sent_on", s)).transpose()?;
    for (unit, value) in &raw.attendance.0 {
        let a = value.parse::<Attendance>().map_err(|_| {
            InputError::new(
                format!("attendance.{}", kernel::echo(unit)),
                format!("未知出席情况 {:?}（应为 present、proxy 或 absent）", kernel::echo(value)),
            )
        })?;
        req.set_attendance(unit, a)?;
    }
    for (k, item) in raw.items.iter().enumerate() {
        let mut votes = Vec::with_capacity(item.votes.0.len());
        for (unit, value) in &item.votes.0 {
            let v = value.parse::<Vote>().map_err(|_| {
                InputError::new(
                    format!("items[{k}].votes.{}", kernel::echo(unit)),
                    format!("未知表决意见 {:?}（应为 for、against 或 abstain）", kernel::echo(value)),
                )
            })?;
            votes.push((unit.as_str(), v));
        }
        req.add_item(item.title.clone(), votes)?;
    }
    Ok(req)
}
