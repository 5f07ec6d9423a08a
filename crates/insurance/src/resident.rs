//! The roster input row (one resident) and its parser, shared by the CLI and
//! the database import so that both accept and reject exactly the same rows.

use std::borrow::Cow;

use kernel::{Date, Money, ResidentId};

use crate::groups::Groups;
use crate::rules::Rules;

/// The input header, in order (the CLI contract).
pub const INPUT_COLUMNS: [&str; 14] = [
    "id_number",
    "name",
    "town",
    "village",
    "hukou_in_district",
    "residence_permit",
    "employee_insurance",
    "student",
    "receiving_pension",
    "groups",
    "disability_grade",
    "pension_tier",
    "sponsored_yuan",
    "deceased_on",
];

/// One resident as the roster reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident<'a> {
    /// 居民身份证号码; age comes from its birth date.
    pub id: ResidentId,
    pub name: Cow<'a, str>,
    /// 镇（街）.
    pub town: Cow<'a, str>,
    /// 村（居）.
    pub village: Cow<'a, str>,
    /// 具有山亭区户籍.
    pub hukou_in_district: bool,
    /// 取得居住证 (non-local resident living in the district).
    pub residence_permit: bool,
    /// 已参加城镇职工养老、医疗保险.
    pub employee_insurance: bool,
    /// 在校学生.
    pub student: bool,
    /// 已领取城乡居民养老保险待遇.
    pub receiving_pension: bool,
    pub groups: Groups,
    /// 残疾等级 1–4.
    pub disability_grade: Option<u8>,
    /// 缴费档次 chosen, in yuan; `None` means the default tier.
    pub pension_tier: Option<Money>,
    /// 资助 of the medical individual share.
    pub sponsored: Option<Money>,
    /// Date of death, when known.
    pub deceased_on: Option<Date>,
}

impl Resident<'_> {
    pub fn into_owned(self) -> Resident<'static> {
        Resident {
            name: Cow::Owned(self.name.into_owned()),
            town: Cow::Owned(self.town.into_owned()),
            village: Cow::Owned(self.village.into_owned()),
            ..self
        }
    }
}

/// Why a row cannot be processed: the column, the value found, and a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{column}={value:?}: {message}")]
pub struct RowError {
    /// The input column name; empty when the row as a whole is wrong.
    pub column: &'static str,
    pub value: String,
    pub message: String,
}

impl RowError {
    pub fn new(column: &'static str, value: &[u8], message: impl Into<String>) -> Self {
        // The value goes into messages and the errors file: at most 200 characters of it.
        RowError { column, value: kernel::echo(&String::from_utf8_lossy(value)).into_owned(), message: message.into() }
    }
}

fn text<'a>(column: &'static str, v: &'a [u8]) -> Result<&'a str, RowError> {
    std::str::from_utf8(v.trim_ascii()).map_err(|_| RowError::new(column, v, "不是UTF-8编码的文本（文件应为UTF-8）"))
}

/// 1/0, true/false, 是/否; an empty cell is false.
pub fn parse_bool(column: &'static str, v: &[u8]) -> Result<bool, RowError> {
    let t = v.trim_ascii();
    match t {
        b"" | b"0" | b"\xE5\x90\xA6" => Ok(false), // 否
        b"1" | b"\xE6\x98\xAF" => Ok(true),        // 是
        _ if t.eq_ignore_ascii_case(b"true") => Ok(true),
        _ if t.eq_ignore_ascii_case(b"false") => Ok(false),
        _ => Err(RowError::new(column, v, "应为 1/0、true/false 或 是/否")),
    }
}

/// Yuan: plain whole numbers without allocating, anything else through the kernel.
pub fn parse_yuan(column: &'static str, v: &[u8]) -> Result<Money, RowError> {
    let t = v.trim_ascii();
    if !t.is_empty() && t.len() <= 12 && t.iter().all(u8::is_ascii_digit) {
        let n = t.iter().fold(0i64, |a, &b| a * 10 + i64::from(b - b'0'));
        return Ok(Money::from_yuan(n));
    }
    let s = text(column, t)?;
    Money::parse_yuan(s).map_err(|e| RowError::new(column, v, e.to_string()))
}

/// `YYYY-MM-DD` (also `YYYY/MM/DD`).
pub fn parse_date(column: &'static str, v: &[u8]) -> Result<Date, RowError> {
    let t = v.trim_ascii();
    let bad = || RowError::new(column, v, "日期应为 YYYY-MM-DD");
    if t.len() != 10 || !(t[4] == t[7] && (t[4] == b'-' || t[4] == b'/')) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        t[r].iter().try_fold(0i32, |a, &b| b.is_ascii_digit().then(|| a * 10 + i32::from(b - b'0')))
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else { return Err(bad()) };
    Date::new(y as i16, m as i8, d as i8).map_err(|_| RowError::new(column, v, "日期不存在"))
}

/// Parse one input row, fields in [`INPUT_COLUMNS`] order. Syntax only: the
/// year's rules are checked by [`Rules::check`].
pub fn parse_row<'a>(fields: &[&'a [u8]]) -> Result<Resident<'a>, RowError> {
    parse_fields(fields, |column, i| text(column, fields[i]))
}

/// [`parse_row`] over text fields: the UTF-8 check is already done, so a
/// caller that validated a whole block of input at once does not pay it per field.
pub fn parse_row_str<'a>(fields: &[&'a str]) -> Result<Resident<'a>, RowError> {
    let mut b: [&[u8]; 14] = [b""; 14];
    if fields.len() != b.len() {
        let v: Vec<&[u8]> = fields.iter().map(|s| s.as_bytes()).collect();
        return parse_row(&v);
    }
    for (dst, src) in b.iter_mut().zip(fields) {
        *dst = src.as_bytes();
    }
    parse_fields(&b, |_, i| Ok(fields[i].trim_ascii()))
}

/// The row's fields as bytes, and its text columns (0–3) through `text`,
/// which validates or, for text already validated, only trims.
fn parse_fields<'a>(
    fields: &[&'a [u8]],
    text: impl Fn(&'static str, usize) -> Result<&'a str, RowError>,
) -> Result<Resident<'a>, RowError> {
    if fields.len() != INPUT_COLUMNS.len() {
        return Err(RowError {
            column: "",
            value: fields.len().to_string(),
            message: format!("应有{}列，实际{}列", INPUT_COLUMNS.len(), fields.len()),
        });
    }
    let idf = fields[0];
    let id_text = text("id_number", 0)?;
    let id = ResidentId::parse(id_text).map_err(|e| RowError::new("id_number", idf, e.to_string()))?;
    let name = text("name", 1)?;
    if name.is_empty() {
        return Err(RowError::new("name", fields[1], "姓名为空"));
    }
    let disability_grade = match fields[10].trim_ascii() {
        b"" => None,
        [g @ b'1'..=b'4'] => Some(g - b'0'),
        _ => return Err(RowError::new("disability_grade", fields[10], "残疾等级应为空或 1–4")),
    };
    let opt_money = |i: usize, col: &'static str| -> Result<Option<Money>, RowError> {
        if fields[i].trim_ascii().is_empty() { Ok(None) } else { parse_yuan(col, fields[i]).map(Some) }
    };
    Ok(Resident {
        id,
        name: Cow::Borrowed(name),
        town: Cow::Borrowed(text("town", 2)?),
        village: Cow::Borrowed(text("village", 3)?),
        hukou_in_district: parse_bool("hukou_in_district", fields[4])?,
        residence_permit: parse_bool("residence_permit", fields[5])?,
        employee_insurance: parse_bool("employee_insurance", fields[6])?,
        student: parse_bool("student", fields[7])?,
        receiving_pension: parse_bool("receiving_pension", fields[8])?,
        groups: Groups::parse(fields[9]).map_err(|g| {
            RowError::new(
                "groups",
                fields[9],
                format!("未知群体 {:?}（可用：残疾、五保、低保、优抚、扶贫、特困、返贫致贫、低保边缘、监测帮扶）", kernel::echo(&g)),
            )
        })?,
        disability_grade,
        pension_tier: opt_money(11, "pension_tier")?,
        sponsored: opt_money(12, "sponsored_yuan")?,
        deceased_on: if fields[13].trim_ascii().is_empty() { None } else { Some(parse_date("deceased_on", fields[13])?) },
    })
}

impl Rules {
    /// The year's rules on a parsed row: the tier is one of the twelve, the
    /// hardship tier only for the hardship groups, and the person was born by
    /// the reference date. Checked whatever the row's status otherwise.
    pub fn check(&self, r: &Resident<'_>, as_of: Date) -> Result<(), RowError> {
        if r.id.birth_date() > as_of {
            return Err(RowError {
                column: "id_number",
                value: r.id.to_string(),
                message: format!("出生日期 {} 晚于清册参照日 {as_of}", r.id.birth_date()),
            });
        }
        if let Some(t) = r.pension_tier {
            let value = || crate::rules::yuan(t);
            if self.tier_index(t).is_none() {
                let list: Vec<String> = self.tiers.iter().map(|t| crate::rules::yuan(*t)).collect();
                return Err(RowError {
                    column: "pension_tier",
                    value: value(),
                    message: format!("缴费档次应为{}个档次之一：{}", self.tiers.len(), list.join("、")),
                });
            }
            if t == self.hardship_tier && !self.effective_groups(r.groups, r.disability_grade).intersects(self.hardship_groups) {
                let names: Vec<&str> = self.hardship_groups.iter().map(|g| g.name()).collect();
                return Err(RowError {
                    column: "pension_tier",
                    value: value(),
                    message: format!("{}元档次只适用于{}五类缴费困难群体", crate::rules::yuan(t), names.join("、")),
                });
            }
        }
        Ok(())
    }
}
