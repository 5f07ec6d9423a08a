//! The applicant as the CLI and the API receive it (issue 3, "Applicant input").
//!
//! Amounts are yuan (JSON number or decimal string, at most two decimals),
//! read exactly into fen; areas are m² with at most two decimals, read into
//! hundredths; USD with at most two decimals, read into cents; counts are
//! non-negative integers. Unknown fields and sections are refused.

use kernel::{CreditCode, Date, Money};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

/// Invalid input (one type for every engine), with the path of the offending field, e.g. `[0].net_tax_yuan`.
pub use kernel::InputError;

/// A floor or site area in hundredths of a square metre, so that 5000.01 m²
/// is exactly "超过5000平方米".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Area(pub i64);

/// US dollars in cents (跨境电商进出口额).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Usd(pub i64);

/// A decimal with at most two decimals, as hundredths; the same literal rules as money.
fn hundredths<'de, D: Deserializer<'de>>(d: D, what: &str) -> Result<i64, D::Error> {
    let raw: Box<serde_json::value::RawValue> = Deserialize::deserialize(d)?;
    let text = raw.get();
    let literal = if text.starts_with('"') {
        serde_json::from_str::<String>(text).map_err(de::Error::custom)?
    } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) && !text.contains(['e', 'E']) {
        text.to_string()
    } else {
        return Err(de::Error::custom(format!("{what}应为不带科学计数法的数字，得到 {text}")));
    };
    Money::parse_yuan(&literal).map(Money::fen).map_err(|e| de::Error::custom(e.to_string().replacen("金额", what, 1)))
}

impl<'de> Deserialize<'de> for Area {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        hundredths(d, "面积").map(Area)
    }
}

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        hundredths(d, "美元金额").map(Usd)
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 % 100 == 0 { write!(f, "{}平方米", self.0 / 100) } else { write!(f, "{}.{:02}平方米", self.0 / 100, self.0 % 100) }
    }
}

impl std::fmt::Display for Usd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}美元", self.0 / 100, self.0 % 100)
    }
}

fn de_uscc<'de, D: Deserializer<'de>>(d: D) -> Result<CreditCode, D::Error> {
    let s = String::deserialize(d)?;
    CreditCode::parse(&s).map_err(de::Error::custom)
}

fn de_date_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    let s: Option<std::borrow::Cow<'de, str>> = Deserialize::deserialize(d)?;
    s.map(|s| kernel::parse_date(&s).map_err(de::Error::custom)).transpose()
}

/// One applicant for one assessment year.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// 统一社会信用代码, checked (GB 32100).
    #[serde(deserialize_with = "de_uscc")]
    pub uscc: CreditCode,
    #[serde(default)]
    pub name: Option<String>,
    /// Assessment year (年度).
    pub year: i32,
    /// 注册地在山亭区.
    #[serde(default)]
    pub registered_in_district: bool,
    /// 纳入统计 (纳统).
    #[serde(default)]
    pub statistically_included: bool,
    /// 纳入限上企业.
    #[serde(default)]
    pub above_limit: bool,
    /// 纳入规模以上服务业统计.
    #[serde(default)]
    pub above_scale_service: bool,
    /// 入驻 date.
    #[serde(default, deserialize_with = "de_date_opt")]
    pub entered_on: Option<Date>,
    /// 经营税收区级财政净得财力 (for articles 1–2: the park operator's).
    #[serde(default)]
    pub net_tax_yuan: Option<Money>,
    /// 年度网络零售额.
    #[serde(default)]
    pub online_retail_yuan: Option<Money>,
    /// 上年网络零售额, for 同比增长.
    #[serde(default)]
    pub online_retail_prev_yuan: Option<Money>,
    #[serde(default)]
    pub awards_received: Vec<AwardReceived>,
    #[serde(default)]
    pub competing_claims: Vec<CompetingClaim>,
    /// 国际排名100强、国内排名50强电子商务企业或重大优质投资项目 (八、其他).
    #[serde(default)]
    pub top_ranked: bool,
    #[serde(default)]
    pub park: Option<Park>,
    #[serde(default)]
    pub platform_fees: Option<PlatformFees>,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub live_base: Option<LiveBase>,
    #[serde(default)]
    pub training: Option<Training>,
    #[serde(default)]
    pub service_provider: Option<ServiceProvider>,
    #[serde(default)]
    pub cross_border: Option<CrossBorder>,
    #[serde(default)]
    pub rural: Option<Rural>,
    #[serde(default)]
    pub logistics: Option<Logistics>,
    #[serde(default)]
    pub express: Option<Express>,
}

/// An award of this policy already received.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardReceived {
    pub article: u8,
    pub year: i32,
    /// Omitted for single-tier articles: then 1.
    #[serde(default = "one")]
    pub tier: u8,
}

fn one() -> u8 {
    1
}

/// A reward for the same project under another district policy (就高原则).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompetingClaim {
    pub article: u8,
    pub amount_yuan: Money,
    #[serde(default)]
    pub policy: Option<String>,
}

/// Articles 1–2: the park (电商综合体) the applicant operates.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Park {
    /// 建筑面积.
    #[serde(default)]
    pub floor_area_m2: Area,
    /// 年度投资额.
    #[serde(default)]
    pub annual_investment_yuan: Money,
    /// 入驻电商企业.
    #[serde(default)]
    pub resident_enterprises: u32,
    /// Article 2: 纳统企业 with online sales 超5000万元 and net_tax 超100万元.
    #[serde(default)]
    pub qualified_enterprises: u32,
    /// Article 2: months of 纳税数据填报.
    #[serde(default)]
    pub tax_data_months: u32,
}

/// Article 4: third-party platform service fees.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformFees {
    /// 年交易额 through third-party platforms.
    #[serde(default)]
    pub annual_transactions_yuan: Money,
    /// 已签订服务协议.
    #[serde(default)]
    pub agreement_signed: bool,
    /// 平台服务费用 paid.
    #[serde(default)]
    pub fees_paid_yuan: Money,
}

/// Article 5: an e-commerce platform.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    #[serde(default)]
    pub annual_transactions_yuan: Money,
    /// 营业收入 / 营业额.
    #[serde(default)]
    pub annual_revenue_yuan: Money,
    #[serde(default)]
    pub annual_revenue_prev_yuan: Option<Money>,
    /// 首年.
    #[serde(default)]
    pub first_year: bool,
    /// 知名直播平台总部（含区域运营总部）迁入.
    #[serde(default)]
    pub live_platform_hq: bool,
}

/// Article 6: a live-streaming base.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveBase {
    /// 获得主流平台授牌或相关认可的牌照.
    #[serde(default)]
    pub platform_licensed: bool,
    /// 基地占地面积.
    #[serde(default)]
    pub area_m2: Area,
    #[serde(default)]
    pub studios: u32,
    /// 机构注册活跃主播人数.
    #[serde(default)]
    pub active_anchors: u32,
    /// 在我区实现年度网零额.
    #[serde(default)]
    pub online_retail_yuan: Money,
}

/// Article 7: an influencer-training institution.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    #[serde(default)]
    pub anchors_trained: u32,
    /// Graduates with a labour contract of one year or more with a district
    /// enterprise and one year of social insurance, affiliates' placements excluded.
    #[serde(default)]
    pub graduates_contracted: u32,
    /// The applicant is an affiliate (关联机构) of a training institution.
    #[serde(default)]
    pub affiliated: bool,
}

/// Article 8: a third-party service provider.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceProvider {
    /// 在我区设立独立法人的电商服务类企业.
    #[serde(default)]
    pub independent_legal_entity: bool,
    /// 为区内电商企业提供配套服务.
    #[serde(default)]
    pub serves_local_ecommerce: bool,
}

/// Article 9: cross-border e-commerce.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossBorder {
    /// 跨境电商进出口额.
    #[serde(default)]
    pub import_export_usd: Usd,
    /// 数据来源于上级业务部门.
    #[serde(default)]
    pub data_verified: bool,
    /// The same trade already rewarded as general trade (与一般贸易不重复奖励).
    #[serde(default)]
    pub general_trade_reward: bool,
}

/// Article 10: rural e-commerce.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rural {
    /// 当年度网上山亭农特产品销售额.
    #[serde(default)]
    pub agri_online_sales_yuan: Money,
}

/// Article 11: logistics investment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logistics {
    /// 仓储面积.
    #[serde(default)]
    pub warehouse_area_m2: Area,
    /// 本地电商企业 served.
    #[serde(default)]
    pub local_clients: u32,
    /// 新建大型智能化电子商务公共仓储配送平台.
    #[serde(default)]
    pub new_smart_public_warehouse: bool,
    /// 总投资（不含土地款）.
    #[serde(default)]
    pub investment_excl_land_yuan: Money,
    /// 招引的大型物流集散中心.
    #[serde(default)]
    pub large_hub: bool,
}

/// Article 12: express delivery costs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Express {
    /// 通过电商平台或直播带货销售山亭本地产品并在本地发货.
    #[serde(default)]
    pub sells_and_ships_local: bool,
    /// 年度内网络销售快递单数.
    #[serde(default)]
    pub parcels: u64,
    /// 网上销售额.
    #[serde(default)]
    pub online_sales_yuan: Money,
}

/// The highest tier of each article (1 for single-tier articles), for checking award history.
pub const TIERS: [u8; 12] = [1, 1, 3, 1, 2, 1, 1, 3, 1, 1, 2, 3];

/// Parse one applicant object or an array of them.
///
/// A single object is treated as an array of one: every error path starts
/// with its index (`[0].year`), as the output is always an array.
pub fn parse_applicants(json: &str) -> Result<Vec<Applicant>, InputError> {
    let trimmed = json.trim_start();
    // As in `parse_applicant`: the path-tracking parse only for input in error.
    let fast = if trimmed.starts_with('[') {
        serde_json::from_str::<Vec<Applicant>>(json).ok()
    } else {
        serde_json::from_str::<Applicant>(json).ok().map(|a| vec![a])
    };
    let list: Vec<Applicant> = if let Some(list) = fast {
        list
    } else if trimmed.starts_with('[') {
        let mut de = serde_json::Deserializer::from_str(json);
        let v = serde_path_to_error::deserialize(&mut de).map_err(|e| path_error(e, ""))?;
        end_of_input(&mut de)?;
        v
    } else {
        let mut de = serde_json::Deserializer::from_str(json);
        let one: Applicant = serde_path_to_error::deserialize(&mut de).map_err(|e| path_error(e, "[0]"))?;
        end_of_input(&mut de)?;
        vec![one]
    };
    for (i, a) in list.iter().enumerate() {
        check(i, a)?;
    }
    Ok(list)
}

/// The texts of the elements of a top-level JSON array, without parsing them,
/// so that a caller can parse them on several threads with [`parse_applicant`].
/// `None` when the text is not a well-formed array at this level (the caller
/// then uses [`parse_applicants`], which names the error).
pub fn split_array(json: &str) -> Option<Vec<&str>> {
    let b = json.as_bytes();
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = 0;
    while i < b.len() && ws(b[i]) {
        i += 1;
    }
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut out = Vec::new();
    let mut start = i;
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    while i < b.len() {
        let c = b[i];
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' | b']' if depth == 0 => {
                    let elem = json[start..i].trim_matches(|c: char| c.is_ascii_whitespace());
                    if elem.is_empty() {
                        // `[]` is fine; `[,` or `[1,]` is not.
                        if !(c == b']' && out.is_empty()) {
                            return None;
                        }
                    } else {
                        out.push(elem);
                    }
                    if c == b']' {
                        return json[i + 1..].bytes().all(ws).then_some(out);
                    }
                    start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// Parse the applicant at position `index` of the input from its own text
/// (an element from [`split_array`]); errors are prefixed `[index]`.
pub fn parse_applicant(index: usize, text: &str) -> Result<Applicant, InputError> {
    // Nearly all input is valid: parse without tracking the path (a third
    // of the cost), and parse again with it only to name a field in error.
    if let Ok(a) = serde_json::from_str::<Applicant>(text) {
        check(index, &a)?;
        return Ok(a);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let prefix = format!("[{index}]");
    let a: Applicant = serde_path_to_error::deserialize(&mut de).map_err(|e| path_error(e, &prefix))?;
    end_of_input(&mut de).map_err(|e| InputError { path: prefix, message: e.message })?;
    check(index, &a)?;
    Ok(a)
}

/// [`parse_applicant`] for an element `elem` that is a slice of `whole` (from
/// [`split_array`]): error positions are given in `whole`, as
/// [`parse_applicants`] gives them.
pub fn parse_element(whole: &str, index: usize, elem: &str) -> Result<Applicant, InputError> {
    parse_applicant(index, elem).map_err(|mut e| {
        let offset = (elem.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
        if offset <= whole.len() {
            e.message = relocate(&e.message, &whole[..offset]);
        }
        e
    })
}

/// Shift serde_json's " at line L column C" by the text that precedes the element.
fn relocate(message: &str, before: &str) -> String {
    let Some(at) = message.rfind(" at line ") else { return message.to_string() };
    let mut nums = message[at + 9..].split(" column ").map(|n| n.trim().parse::<usize>());
    let (Some(Ok(line)), Some(Ok(col))) = (nums.next(), nums.next()) else { return message.to_string() };
    let base_line = before.bytes().filter(|&b| b == b'\n').count();
    let base_col = before.len() - before.rfind('\n').map_or(0, |p| p + 1);
    let (line, col) = if line == 1 { (base_line + 1, base_col + col) } else { (base_line + line, col) };
    format!("{} at line {line} column {col}", &message[..at])
}

fn end_of_input(de: &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>) -> Result<(), InputError> {
    de.end().map_err(|e| InputError { path: "(文件末尾)".into(), message: format!("JSON 之后有多余内容: {e}") })
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>, prefix: &str) -> InputError {
    let p = e.path().to_string();
    let path = match (prefix, p.as_str()) {
        (_, ".") if prefix.is_empty() => "(根)".to_string(),
        (_, ".") => prefix.to_string(),
        ("", _) => p,
        (_, _) if p.starts_with('[') => format!("{prefix}{p}"),
        (_, _) => format!("{prefix}.{p}"),
    };
    // serde's message repeats the offending value: bounded, as the path is.
    InputError::new(path, e.into_inner().to_string())
}

/// Checks the type system cannot express: article and tier numbers.
fn check(i: usize, a: &Applicant) -> Result<(), InputError> {
    let err = |field: String, message: String| InputError { path: format!("[{i}].{field}"), message };
    for (k, r) in a.awards_received.iter().enumerate() {
        let Some(&max) = TIERS.get(usize::from(r.article).wrapping_sub(1)) else {
            return Err(err(format!("awards_received[{k}].article"), format!("条款号应为1–12，得到 {}", r.article)));
        };
        if r.tier == 0 || r.tier > max {
            return Err(err(format!("awards_received[{k}].tier"), format!("第{}条只有1–{max}档，得到 {}", r.article, r.tier)));
        }
    }
    for (k, c) in a.competing_claims.iter().enumerate() {
        if !(1..=12).contains(&c.article) {
            return Err(err(format!("competing_claims[{k}].article"), format!("条款号应为1–12，得到 {}", c.article)));
        }
    }
    Ok(())
}
