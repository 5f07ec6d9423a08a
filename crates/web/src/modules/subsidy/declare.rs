//! The declaration form: an enterprise enters its yearly figures, sees the
//! engine's assessment, and applies (`app::subsidy::declare`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::Money;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::views::{AssessView, explanation_lines};
use super::{default_year, field};
use crate::AppState;
use crate::auth::{Authed, Session};
use crate::error::AppError;
use crate::query::Lenient;
use crate::render::{Page, html};

/// How a declaration field is typed in and stored in the applicant JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Money,
    Int,
    Bool,
    Date,
}

/// A declaration form field: the applicant JSON's section (empty: top level) and key.
pub struct Field {
    pub section: &'static str,
    pub key: &'static str,
    pub label: &'static str,
    pub kind: Kind,
}

const fn f(section: &'static str, key: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { section, key, label, kind }
}

pub const FIELDS: &[Field] = &[
    f("", "registered_in_district", "在山亭区注册", Kind::Bool),
    f("", "statistically_included", "已纳入统计（纳统）", Kind::Bool),
    f("", "above_limit", "限上企业", Kind::Bool),
    f("", "above_scale_service", "规上服务业企业", Kind::Bool),
    f("", "top_ranked", "国际前100强或国内前50强电商企业、重大优质电商招商项目", Kind::Bool),
    f("", "entered_on", "入驻日期", Kind::Date),
    f("", "net_tax_yuan", "经营税收区级财政净得财力（元）", Kind::Money),
    f("", "online_retail_yuan", "本年网络零售额（元）", Kind::Money),
    f("", "online_retail_prev_yuan", "上年网络零售额（元）", Kind::Money),
    f("platform_fees", "annual_transactions_yuan", "第三方平台年交易额（元）", Kind::Money),
    f("platform_fees", "agreement_signed", "已签订平台服务协议", Kind::Bool),
    f("platform_fees", "fees_paid_yuan", "已缴平台服务费（元）", Kind::Money),
    f("express", "sells_and_ships_local", "通过平台或直播销售本地产品并在本地发货", Kind::Bool),
    f("express", "parcels", "全年快递单量（单）", Kind::Int),
    f("express", "online_sales_yuan", "网络销售额（元）", Kind::Money),
    f("park", "floor_area_m2", "园区建筑面积（平方米）", Kind::Int),
    f("park", "annual_investment_yuan", "年度投资额（元）", Kind::Money),
    f("park", "resident_enterprises", "入驻电商企业（家）", Kind::Int),
    f("park", "qualified_enterprises", "网络销售额超5000万且净得财力超100万的纳统企业（家）", Kind::Int),
    f("park", "tax_data_months", "上述企业税收数据报送月数", Kind::Int),
    f("platform", "annual_transactions_yuan", "平台年交易额（元）", Kind::Money),
    f("platform", "annual_revenue_yuan", "平台本年营业额（元）", Kind::Money),
    f("platform", "annual_revenue_prev_yuan", "平台上年营业额（元）", Kind::Money),
    f("platform", "first_year", "平台入驻首年", Kind::Bool),
    f("platform", "live_platform_hq", "知名直播平台总部入驻", Kind::Bool),
    f("live_base", "platform_licensed", "获主流平台授权或认定", Kind::Bool),
    f("live_base", "area_m2", "基地面积（平方米）", Kind::Int),
    f("live_base", "studios", "直播间（间）", Kind::Int),
    f("live_base", "active_anchors", "注册活跃主播（人）", Kind::Int),
    f("live_base", "online_retail_yuan", "基地年网络零售额（元）", Kind::Money),
    f("training", "anchors_trained", "年培训主播（人）", Kind::Int),
    f("training", "graduates_contracted", "与区内企业签订1年以上劳动合同并缴社保的学员（人）", Kind::Int),
    f("training", "affiliated", "学员就业企业为本机构关联企业", Kind::Bool),
    f("service_provider", "independent_legal_entity", "在区内设立独立法人", Kind::Bool),
    f("service_provider", "serves_local_ecommerce", "服务区内电商企业", Kind::Bool),
    f("cross_border", "import_export_usd", "跨境电商进出口额（美元）", Kind::Int),
    f("cross_border", "data_verified", "数据经上级业务部门确认", Kind::Bool),
    f("cross_border", "general_trade_reward", "已享受一般贸易奖励", Kind::Bool),
    f("rural", "agri_online_sales_yuan", "本区特色农产品网络销售额（元）", Kind::Money),
    f("logistics", "warehouse_area_m2", "仓储面积（平方米）", Kind::Int),
    f("logistics", "local_clients", "服务本地电商企业（家）", Kind::Int),
    f("logistics", "new_smart_public_warehouse", "新建大型智能化电商公共仓", Kind::Bool),
    f("logistics", "investment_excl_land_yuan", "总投资（不含土地款，元）", Kind::Money),
    f("logistics", "large_hub", "招引的大型物流枢纽", Kind::Bool),
];

/// The form's sections: (section key, legend).
pub const SECTIONS: &[(&str, &str)] = &[
    ("", "基本情况（第3条电商企业做大做强等）"),
    ("platform_fees", "第4条 电商主体培育（平台服务费）"),
    ("express", "第12条 快递物流费用补贴"),
    ("park", "第1、2条 电商园区"),
    ("platform", "第5条 电商平台入驻"),
    ("live_base", "第6条 直播基地"),
    ("training", "第7条 直播培训机构"),
    ("service_provider", "第8条 第三方服务企业"),
    ("cross_border", "第9条 跨境电商"),
    ("rural", "第10条 农村电商"),
    ("logistics", "第11条 物流配送投资"),
];

impl Field {
    /// The form input's name: `key` or `section.key`.
    pub fn name(&self) -> String {
        if self.section.is_empty() { self.key.to_string() } else { format!("{}.{}", self.section, self.key) }
    }

    fn current<'a>(&self, declared: &'a Value) -> &'a Value {
        if self.section.is_empty() { &declared[self.key] } else { &declared[self.section][self.key] }
    }
}

/// Build the applicant JSON from the form; a section appears only when one of its fields is filled.
pub fn applicant_from_form(uscc: &str, name: &str, year: i64, form: &[(String, String)]) -> Result<Value, String> {
    let mut root = Map::new();
    root.insert("uscc".into(), uscc.into());
    root.insert("name".into(), name.into());
    root.insert("year".into(), year.into());
    let mut sections: Map<String, Value> = Map::new();
    for f in FIELDS {
        let raw = Some(field(form, &f.name())).filter(|v| !v.is_empty());
        let value = match (f.kind, raw) {
            (Kind::Bool, v) => {
                if v.is_none() && !f.section.is_empty() {
                    continue;
                }
                Value::Bool(v.is_some())
            }
            (_, None) => continue,
            (Kind::Money, Some(v)) => {
                Money::parse_yuan(&v).map_err(|e| format!("{}：{e}", f.label))?;
                Value::String(v)
            }
            (Kind::Int, Some(v)) => {
                Value::from(v.replace(',', "").parse::<i64>().map_err(|_| format!("{}：应为整数，得到 {}", f.label, kernel::echo(&v)))?)
            }
            (Kind::Date, Some(v)) => Value::String(kernel::parse_date(&v).map_err(|e| format!("{}：{e}", f.label))?.to_string()),
        };
        if f.section.is_empty() {
            root.insert(f.key.to_string(), value);
        } else if let Some(m) = sections.entry(f.section.to_string()).or_insert_with(|| Value::Object(Map::new())).as_object_mut() {
            m.insert(f.key.to_string(), value);
        }
    }
    // A section with only unticked boxes is not claimed.
    for (k, v) in sections {
        if v.as_object().is_some_and(|m| m.values().any(|x| x != &Value::Bool(false))) {
            root.insert(k, v);
        }
    }
    Ok(Value::Object(root))
}

/// One input of the form, filled with the declared value.
pub struct FieldView {
    pub name: String,
    pub label: &'static str,
    pub checkbox: bool,
    pub date: bool,
    pub value: String,
    pub checked: bool,
}

pub struct SectionView {
    pub legend: &'static str,
    pub fields: Vec<FieldView>,
}

fn sections(declared: &Value) -> Vec<SectionView> {
    SECTIONS
        .iter()
        .map(|(sec, legend)| SectionView {
            legend,
            fields: FIELDS
                .iter()
                .filter(|f| f.section == *sec)
                .map(|f| {
                    let v = f.current(declared);
                    FieldView {
                        name: f.name(),
                        label: f.label,
                        checkbox: f.kind == Kind::Bool,
                        date: f.kind == Kind::Date,
                        value: match v {
                            Value::String(s) => s.clone(),
                            Value::Number(n) => n.to_string(),
                            _ => String::new(),
                        },
                        checked: v.as_bool() == Some(true),
                    }
                })
                .collect(),
        })
        .collect()
}

/// This year's application, as the form links to it.
pub struct AppLink {
    pub id: i64,
    pub status: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "subsidy/declare.html")]
struct Declare {
    page: Page,
    uscc: String,
    name: String,
    year: i64,
    sections: Vec<SectionView>,
    assessment: Option<AssessView>,
    explanation: Vec<String>,
    error: Option<String>,
    app: Option<AppLink>,
    locked: bool,
    /// A reviewer reading the enterprise's figures: no buttons.
    readonly: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct DeclareQuery {
    /// Only for a reviewer; an enterprise always sees its own.
    pub uscc: Option<String>,
    pub year: Option<i64>,
}

async fn page(
    state: &AppState,
    s: &Session,
    uscc: String,
    year: i64,
    error: Option<String>,
    typed: Option<Value>,
) -> Result<Declare, AppError> {
    let d = app::subsidy::declare::declaration(state, &s.actor, &uscc, year).await?;
    let readonly = !s.can(state, access::Action::SubsidyDeclare);
    let locked = !d.editable();
    let (assessment, explanation) = match &d.assessment {
        Some(Ok(a)) => (Some(AssessView::of(a)), explanation_lines(a)),
        Some(Err(e)) => (None, vec![e.clone()]),
        None => (None, Vec::new()),
    };
    let current = typed.or(d.declared).unwrap_or(Value::Null);
    Ok(Declare {
        page: Page::new("申报年度数据", Some(s)),
        uscc,
        name: d.enterprise.name,
        year,
        sections: sections(&current),
        assessment,
        explanation,
        error,
        app: d.application.map(|a| AppLink { id: a.id, status: a.status.label().into(), note: a.note }),
        locked,
        readonly,
    })
}

/// Whose declaration: an enterprise's own; for a reviewer the one asked for.
fn whose(state: &AppState, s: &Session, asked: Option<String>) -> Result<String, AppError> {
    if s.can(state, access::Action::SubsidyDeclare) {
        return Ok(app::subsidy::declare::own_enterprise(state, &s.actor)?);
    }
    asked
        .filter(|u| !u.is_empty())
        .ok_or_else(|| AppError::Field { field: "uscc".into(), message: "请指定企业统一社会信用代码".into() })
}

pub(super) async fn form(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<DeclareQuery>,
) -> Result<Response, AppError> {
    let uscc = whose(&state, &s, q.uscc)?;
    Ok(html(&page(&state, &s, uscc, q.year.unwrap_or_else(|| default_year(&state)), None, None).await?))
}

fn bad_request(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::BAD_REQUEST;
    r
}

pub(super) async fn declare(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let uscc = app::subsidy::declare::own_enterprise(&state, &s.actor)?;
    let year: i64 =
        field(&form, "year").parse().map_err(|_| AppError::Field { field: "year".into(), message: "year：请填写年度".into() })?;
    let ent = state.store.subsidy_enterprise(&uscc).await?.ok_or_else(|| AppError::NotFound(format!("企业 {uscc} 未登记")))?;
    let applicant = match applicant_from_form(&uscc, &ent.name, year, &form) {
        Ok(a) => a,
        Err(e) => return Ok(bad_request(html(&page(&state, &s, uscc, year, Some(e), None).await?))),
    };
    match app::subsidy::declare::declare(&state, &s.actor, &uscc.clone(), year, &applicant, !field(&form, "submit").is_empty()).await {
        Ok(Some(id)) => Ok(Redirect::to(&format!("/subsidy/applications/{id}")).into_response()),
        Ok(None) => Ok(Redirect::to(&format!("/subsidy/declare?year={year}")).into_response()),
        // The engine refused the figures: the form again, with what was typed and why.
        Err(app::Error::Invalid { message, .. }) => {
            Ok(bad_request(html(&page(&state, &s, uscc, year, Some(message), Some(applicant)).await?)))
        }
        Err(e) => Err(e.into()),
    }
}
