//! A warning (预警, 4.3) as an OASIS CAP 1.2 alert.
//!
//! The XSD checks the shape; this module also enforces what it cannot:
//! `references` present for Update and Cancel and each in
//! `sender,identifier,sent` form, identifiers without spaces, commas or
//! `<`/`&` (CAP 1.2 §3.2.1), times with an explicit offset, `expires` after
//! `onset`, and areas limited to the district's towns/streets, the
//! development zone or the whole district.

use std::io;

use district::District;
use serde::{Deserialize, Serialize};

use crate::input::{InputError, check_xml_text, from_json};
use crate::rules::Rules;
use crate::time::OffsetTime;
use crate::xml::{document, leaf};

pub const CAP_NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// Issue, adjust or lift (发布、调整、解除, 4.3.2/4.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MsgType {
    Alert,
    Update,
    Cancel,
}

impl MsgType {
    pub fn as_str(self) -> &'static str {
        match self {
            MsgType::Alert => "Alert",
            MsgType::Update => "Update",
            MsgType::Cancel => "Cancel",
        }
    }
}

/// CAP `<status>`: drills are `Exercise`, so they never pass for real warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Status {
    #[default]
    Actual,
    Exercise,
    System,
    Test,
    Draft,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Actual => "Actual",
            Status::Exercise => "Exercise",
            Status::System => "System",
            Status::Test => "Test",
            Status::Draft => "Draft",
        }
    }
}

/// One warning message, in the CLI contract's JSON form. Times are kept as
/// given and checked by [`to_cap_xml`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub identifier: String,
    pub sender: String,
    pub sent: String,
    #[serde(default)]
    pub status: Status,
    pub msg_type: MsgType,
    #[serde(default)]
    pub references: Vec<String>,
    /// 预警级别 1–4 (一级 highest).
    pub level: u8,
    pub incident_type: String,
    pub headline: String,
    pub description: String,
    #[serde(default)]
    pub instruction: String,
    pub areas: Vec<String>,
    #[serde(default)]
    pub onset: Option<String>,
    #[serde(default)]
    pub expires: Option<String>,
}

/// Parse a warning's JSON (types only; the rules are checked by [`to_cap_xml`]).
pub fn parse_warning(json: &str) -> Result<Warning, InputError> {
    from_json(json)
}

/// CAP 1.2 §3.2.1: identifier and sender carry no spaces, commas or `<`/`&`.
fn check_token(path: &str, s: &str) -> Result<(), InputError> {
    if s.is_empty() {
        return Err(InputError::new(path, "不能为空"));
    }
    if let Some(c) = s.chars().find(|&c| c.is_whitespace() || c == ',' || c == '<' || c == '&' || c.is_control()) {
        return Err(InputError::new(path, format!("不能含有空白、逗号、< 或 &（CAP 1.2 第3.2.1条），得到字符 {c:?}")));
    }
    Ok(())
}

fn time(path: &str, s: &str) -> Result<OffsetTime, InputError> {
    s.parse::<OffsetTime>().map_err(|m| InputError::new(path, m))
}

fn optional_time(path: &str, s: &Option<String>) -> Result<Option<OffsetTime>, InputError> {
    match s.as_deref() {
        None | Some("") => Ok(None),
        Some(t) => time(path, t).map(Some),
    }
}

/// A reference `sender,identifier,sent` (CAP 1.2 §3.2.1 `references`).
fn check_reference(path: &str, r: &str) -> Result<(), InputError> {
    let parts: Vec<&str> = r.split(',').collect();
    if parts.len() != 3 {
        return Err(InputError::new(path, format!("应为 sender,identifier,sent 形式（三段，以逗号分隔），得到 {:?}", kernel::echo(r))));
    }
    check_token(&format!("{path}.sender"), parts[0])?;
    check_token(&format!("{path}.identifier"), parts[1])?;
    time(&format!("{path}.sent"), parts[2])?;
    Ok(())
}

fn required_text(path: &str, s: &str) -> Result<(), InputError> {
    if s.trim().is_empty() {
        return Err(InputError::new(path, "不能为空"));
    }
    check_xml_text(path, s)
}

/// The warning as a CAP 1.2 alert (UTF-8 XML), or the first input error.
pub fn to_cap_xml(rules: &Rules, district: &District, w: &Warning) -> Result<String, InputError> {
    check_token("identifier", &w.identifier)?;
    check_token("sender", &w.sender)?;
    let sent = time("sent", &w.sent)?;
    let onset = optional_time("onset", &w.onset)?;
    let expires = optional_time("expires", &w.expires)?;
    if let (Some(o), Some(e)) = (&onset, &expires)
        && e.timestamp() <= o.timestamp()
    {
        return Err(InputError::new("expires", format!("失效时间 {e} 应晚于生效时间 {o}")));
    }
    match w.msg_type {
        MsgType::Update | MsgType::Cancel if w.references.is_empty() => {
            return Err(InputError::new("references", format!("{} 消息必须引用此前的预警（sender,identifier,sent）", w.msg_type.as_str())));
        }
        _ => {}
    }
    for (i, r) in w.references.iter().enumerate() {
        check_reference(&format!("references[{i}]"), r)?;
        let own = format!("{},{},{}", w.sender, w.identifier, w.sent);
        if *r == own {
            return Err(InputError::new(format!("references[{i}]"), "不能引用本条消息自身"));
        }
    }
    let level = rules.warning_level(w.level).ok_or_else(|| InputError::new("level", format!("预警级别应为 1–4，得到 {}", w.level)))?;
    let kind = rules
        .incident_type(&w.incident_type)
        .ok_or_else(|| InputError::new("incident_type", format!("{:?} 不是附件所列的突发事件类别", kernel::echo(&w.incident_type))))?;
    required_text("headline", &w.headline)?;
    required_text("description", &w.description)?;
    if w.msg_type == MsgType::Cancel {
        check_xml_text("instruction", &w.instruction)?;
    } else {
        // 4.3.2: a warning states the measures to take.
        required_text("instruction", &w.instruction)?;
    }
    if w.areas.is_empty() {
        return Err(InputError::new("areas", "至少应有一个预警区域"));
    }
    for (i, a) in w.areas.iter().enumerate() {
        if !district.is_area(a) {
            return Err(InputError::new(
                format!("areas[{i}]"),
                format!("{:?} 不是本区的镇（街）、{} 或 {}", kernel::echo(a), district.development_zone, district.district),
            ));
        }
        if w.areas[..i].contains(a) {
            return Err(InputError::new(format!("areas[{i}]"), format!("{:?} 重复", kernel::echo(a))));
        }
    }

    let (urgency, certainty, response_type) = match w.msg_type {
        MsgType::Cancel => {
            (rules.lifted.cap_urgency.as_str(), rules.lifted.cap_certainty.as_str(), Some(rules.lifted.cap_response_type.as_str()))
        }
        MsgType::Alert | MsgType::Update => (level.cap_urgency.as_str(), level.cap_certainty.as_str(), None),
    };
    let info = Info {
        category: &kind.cap_category,
        event: &kind.name,
        response_type,
        urgency,
        severity: &level.cap_severity,
        certainty,
        onset: onset.as_ref().map(OffsetTime::as_str),
        expires: expires.as_ref().map(OffsetTime::as_str),
        headline: &w.headline,
        description: &w.description,
        instruction: &w.instruction,
        parameters: [(&rules.cap_parameters.level, &level.label), (&rules.cap_parameters.colour, &level.colour)],
        areas: &w.areas,
    };
    let bytes = write_alert(w, sent.as_str(), &info).map_err(|e| InputError::new(".", format!("写出 XML 失败: {e}")))?;
    String::from_utf8(bytes).map_err(|e| InputError::new(".", format!("写出 XML 失败: {e}")))
}

struct Info<'a> {
    category: &'a str,
    event: &'a str,
    response_type: Option<&'a str>,
    urgency: &'a str,
    severity: &'a str,
    certainty: &'a str,
    onset: Option<&'a str>,
    expires: Option<&'a str>,
    headline: &'a str,
    description: &'a str,
    instruction: &'a str,
    parameters: [(&'a String, &'a String); 2],
    areas: &'a [String],
}

fn write_alert(warning: &Warning, sent: &str, info: &Info<'_>) -> io::Result<Vec<u8>> {
    document(2048, |w| {
        w.create_element("alert").with_attribute(("xmlns", CAP_NAMESPACE)).write_inner_content(|w| {
            leaf(w, "identifier", &warning.identifier)?;
            leaf(w, "sender", &warning.sender)?;
            leaf(w, "sent", sent)?;
            leaf(w, "status", warning.status.as_str())?;
            leaf(w, "msgType", warning.msg_type.as_str())?;
            leaf(w, "scope", "Public")?;
            if !warning.references.is_empty() {
                leaf(w, "references", &warning.references.join(" "))?;
            }
            w.create_element("info").write_inner_content(|w| {
                leaf(w, "language", "zh-CN")?;
                leaf(w, "category", info.category)?;
                leaf(w, "event", info.event)?;
                if let Some(rt) = info.response_type {
                    leaf(w, "responseType", rt)?;
                }
                leaf(w, "urgency", info.urgency)?;
                leaf(w, "severity", info.severity)?;
                leaf(w, "certainty", info.certainty)?;
                if let Some(t) = info.onset {
                    leaf(w, "onset", t)?;
                }
                if let Some(t) = info.expires {
                    leaf(w, "expires", t)?;
                }
                leaf(w, "headline", info.headline)?;
                leaf(w, "description", info.description)?;
                if !info.instruction.trim().is_empty() {
                    leaf(w, "instruction", info.instruction)?;
                }
                for (name, value) in info.parameters {
                    w.create_element("parameter").write_inner_content(|w| {
                        leaf(w, "valueName", name)?;
                        leaf(w, "value", value)
                    })?;
                }
                for a in info.areas {
                    w.create_element("area").write_inner_content(|w| leaf(w, "areaDesc", a))?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    })
}
