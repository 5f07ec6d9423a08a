//! 电子商务扶持 (山政发〔2022〕10号 附件4): enterprises declare their yearly
//! figures and apply; the commerce bureau reviews, approves (changing an
//! amount only with a written reason), pays, and claws back article 9 awards
//! on falsified data; a proactive list shows who qualifies without having
//! applied (免申即享); the budget sums what is committed and paid.
//!
//! The amounts always come from the `ecommerce` engine, reached through its
//! JSON contract (the applicant object of `shanting subsidy assess`), so the
//! page, the API and the CLI agree. Award history from this database is
//! added to every assessment, so one-time items are never paid twice.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::Money;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use store::Role;
use store::subsidy::{Application, Award, AwardDecision, Enterprise};

use crate::AppState;
use crate::auth::{Authed, Session};
use crate::error::{ApiError, AppError};
use crate::export::Cell;
use crate::render::{Page, html};

/// The bureau that reviews applications (附件4: 由区商务和投资促进局负责解释).
pub const REVIEW_UNIT: &str = "区商务和投资促进局";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/subsidy", get(index))
        .route("/subsidy/declare", get(declare_form).post(declare))
        .route("/subsidy/enterprises", get(enterprises).post(add_enterprise))
        .route("/subsidy/applications/{id}", get(application))
        .route("/subsidy/applications/{id}/review", post(review))
        .route("/subsidy/awards/{id}/clawback", post(clawback))
        .route("/subsidy/matches", get(matches))
        .route("/subsidy/budget", get(budget))
        .route("/subsidy/budget.xlsx", get(budget_xlsx))
        .route("/subsidy/documents", post(upload))
        .route("/subsidy/documents/{id}", get(download))
        .route("/subsidy/targets", get(targets).post(record_actual))
        .route("/subsidy/targets.xlsx", get(targets_xlsx))
        .route("/api/v1/subsidy/assess", post(api_assess))
}

pub async fn public_fragment(_state: &AppState) -> Option<String> {
    None
}

fn is_reviewer(s: &Session) -> bool {
    s.user.role == Role::Admin || (s.user.role == Role::Bureau && s.user.department.as_deref() == Some(REVIEW_UNIT))
}

fn require_reviewer(s: &Session) -> Result<(), AppError> {
    if is_reviewer(s) { Ok(()) } else { Err(AppError::Forbidden("只有区商务和投资促进局可以办理".into())) }
}

/// The enterprise a user may act for: their own, or (reviewers) any.
fn scope_uscc(s: &Session, asked: Option<&str>) -> Result<String, AppError> {
    match s.user.role {
        Role::Enterprise => s.user.enterprise_uscc.clone().ok_or_else(|| AppError::Forbidden("账号未绑定企业".into())),
        _ if is_reviewer(s) => {
            asked.filter(|x| !x.is_empty()).map(str::to_string).ok_or_else(|| AppError::BadRequest("请指定企业统一社会信用代码".into()))
        }
        _ => Err(AppError::Forbidden("无权办理企业申报".into())),
    }
}

/// Run the engine on one applicant object; returns the contract result object.
pub fn assess_value(state: &AppState, applicant: &Value) -> Result<Value, String> {
    let text = Value::Array(vec![applicant.clone()]).to_string();
    let results = assess_json(state, &text)?;
    results.into_iter().next().ok_or_else(|| "没有测算结果".to_string())
}

/// The declared figures with the award history from this database.
async fn applicant_with_history(state: &AppState, uscc: &str, declared: &str) -> Result<Value, AppError> {
    let mut v: Value = serde_json::from_str(declared).map_err(|e| AppError::Internal(e.to_string()))?;
    let year = v["year"].as_i64().unwrap_or(0);
    let received: Vec<Value> = state
        .store
        .subsidy_awards_received(uscc)
        .await?
        .into_iter()
        .filter(|(_, y, _)| *y < year)
        .map(|(article, y, tier)| json!({"article": article, "year": y, "tier": tier}))
        .collect();
    if let Some(o) = v.as_object_mut() {
        o.insert("awards_received".into(), Value::Array(received));
    }
    Ok(v)
}

fn fen(v: &Value) -> Money {
    Money::from_fen(v.as_i64().unwrap_or(0))
}

/// One line per award / flag / refusal, for pages.
pub struct AssessView {
    pub awards: Vec<(i64, i64, String, bool, String)>,
    pub case_by_case: Vec<String>,
    pub not_eligible: Vec<(i64, String)>,
    pub total: String,
    pub one_policy: bool,
}

pub fn view_of(a: &Value) -> AssessView {
    let awards = a["awards"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .map(|x| {
                    (
                        x["article"].as_i64().unwrap_or(0),
                        x["tier"].as_i64().unwrap_or(1),
                        fen(&x["amount_fen"]).to_string(),
                        x["one_time"].as_bool().unwrap_or(false),
                        format!("{}：{}", x["citation"].as_str().unwrap_or(""), x["explanation"].as_str().unwrap_or("")),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let case_by_case = a["case_by_case"]
        .as_array()
        .map(|xs| xs.iter().map(|x| if let Some(s) = x.as_str() { s.to_string() } else { flat(x) }).collect())
        .unwrap_or_default();
    let not_eligible = a["not_eligible"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .map(|x| {
                    let reasons: Vec<&str> =
                        x["reasons"].as_array().map(|r| r.iter().filter_map(|s| s.as_str()).collect()).unwrap_or_default();
                    (x["article"].as_i64().unwrap_or(0), reasons.join("；"))
                })
                .collect()
        })
        .unwrap_or_default();
    AssessView {
        awards,
        case_by_case,
        not_eligible,
        total: fen(&a["total_fen"]).to_string(),
        one_policy: a["one_enterprise_one_policy"].as_bool().unwrap_or(false),
    }
}

fn flat(v: &Value) -> String {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
            .collect::<Vec<_>>()
            .join("，"),
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "subsidy/index.html")]
struct Index {
    page: Page,
    reviewer: bool,
    enterprise: Option<Enterprise>,
    apps: Vec<Application>,
    status: String,
    year: i64,
    documents: Vec<store::subsidy::Document>,
}

impl Index {
    fn label(&self, s: &str) -> &'static str {
        store::subsidy::status_label(s)
    }

    fn total(&self, a: &Application) -> String {
        serde_json::from_str::<Value>(&a.assessment_json).map(|v| fen(&v["total_fen"]).to_string()).unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    year: Option<i64>,
}

async fn index(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let reviewer = is_reviewer(&s);
    let (enterprise, apps, documents) = if s.user.role == Role::Enterprise {
        let uscc = scope_uscc(&s, None)?;
        (
            state.store.subsidy_enterprise(&uscc).await?,
            state.store.subsidy_applications(None, None, Some(&uscc)).await?,
            state.store.subsidy_documents(&uscc).await?,
        )
    } else if reviewer || s.user.role == Role::Bureau {
        (None, state.store.subsidy_applications(q.status.as_deref(), q.year, None).await?, Vec::new())
    } else {
        return Err(AppError::Forbidden("电商扶持仅对企业和部门开放".into()));
    };
    Ok(html(&Index {
        page: Page::new("电子商务扶持政策", Some(&s)),
        reviewer,
        enterprise,
        apps,
        status: q.status.unwrap_or_default(),
        year: q.year.unwrap_or(0),
        documents,
    }))
}

/// A declaration form field: (section, key, label, kind) where kind is money | int | bool | date | text.
pub const FIELDS: &[(&str, &str, &str, &str)] = &[
    ("", "registered_in_district", "在山亭区注册", "bool"),
    ("", "statistically_included", "已纳入统计（纳统）", "bool"),
    ("", "above_limit", "限上企业", "bool"),
    ("", "above_scale_service", "规上服务业企业", "bool"),
    ("", "top_ranked", "国际前100强或国内前50强电商企业、重大优质电商招商项目", "bool"),
    ("", "entered_on", "入驻日期", "date"),
    ("", "net_tax_yuan", "经营税收区级财政净得财力（元）", "money"),
    ("", "online_retail_yuan", "本年网络零售额（元）", "money"),
    ("", "online_retail_prev_yuan", "上年网络零售额（元）", "money"),
    ("platform_fees", "annual_transactions_yuan", "第三方平台年交易额（元）", "money"),
    ("platform_fees", "agreement_signed", "已签订平台服务协议", "bool"),
    ("platform_fees", "fees_paid_yuan", "已缴平台服务费（元）", "money"),
    ("express", "sells_and_ships_local", "通过平台或直播销售本地产品并在本地发货", "bool"),
    ("express", "parcels", "全年快递单量（单）", "int"),
    ("express", "online_sales_yuan", "网络销售额（元）", "money"),
    ("park", "floor_area_m2", "园区建筑面积（平方米）", "int"),
    ("park", "annual_investment_yuan", "年度投资额（元）", "money"),
    ("park", "resident_enterprises", "入驻电商企业（家）", "int"),
    ("park", "qualified_enterprises", "网络销售额超5000万且净得财力超100万的纳统企业（家）", "int"),
    ("park", "tax_data_months", "上述企业税收数据报送月数", "int"),
    ("platform", "annual_transactions_yuan", "平台年交易额（元）", "money"),
    ("platform", "annual_revenue_yuan", "平台本年营业额（元）", "money"),
    ("platform", "annual_revenue_prev_yuan", "平台上年营业额（元）", "money"),
    ("platform", "first_year", "平台入驻首年", "bool"),
    ("platform", "live_platform_hq", "知名直播平台总部入驻", "bool"),
    ("live_base", "platform_licensed", "获主流平台授权或认定", "bool"),
    ("live_base", "area_m2", "基地面积（平方米）", "int"),
    ("live_base", "studios", "直播间（间）", "int"),
    ("live_base", "active_anchors", "注册活跃主播（人）", "int"),
    ("live_base", "online_retail_yuan", "基地年网络零售额（元）", "money"),
    ("training", "anchors_trained", "年培训主播（人）", "int"),
    ("training", "graduates_contracted", "与区内企业签订1年以上劳动合同并缴社保的学员（人）", "int"),
    ("training", "affiliated", "学员就业企业为本机构关联企业", "bool"),
    ("service_provider", "independent_legal_entity", "在区内设立独立法人", "bool"),
    ("service_provider", "serves_local_ecommerce", "服务区内电商企业", "bool"),
    ("cross_border", "import_export_usd", "跨境电商进出口额（美元）", "int"),
    ("cross_border", "data_verified", "数据经上级业务部门确认", "bool"),
    ("cross_border", "general_trade_reward", "已享受一般贸易奖励", "bool"),
    ("rural", "agri_online_sales_yuan", "本区特色农产品网络销售额（元）", "money"),
    ("logistics", "warehouse_area_m2", "仓储面积（平方米）", "int"),
    ("logistics", "local_clients", "服务本地电商企业（家）", "int"),
    ("logistics", "new_smart_public_warehouse", "新建大型智能化电商公共仓", "bool"),
    ("logistics", "investment_excl_land_yuan", "总投资（不含土地款，元）", "money"),
    ("logistics", "large_hub", "招引的大型物流枢纽", "bool"),
];

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

/// Build the applicant JSON from the form; a section appears only when one of its fields is filled.
pub fn applicant_from_form(uscc: &str, name: &str, year: i64, form: &[(String, String)]) -> Result<Value, String> {
    let get = |k: &str| form.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty());
    let mut root = Map::new();
    root.insert("uscc".into(), uscc.into());
    root.insert("name".into(), name.into());
    root.insert("year".into(), year.into());
    let mut sections: Map<String, Value> = Map::new();
    for (sec, key, label, kind) in FIELDS {
        let field = if sec.is_empty() { key.to_string() } else { format!("{sec}.{key}") };
        let raw = get(&field);
        let value = match (*kind, raw) {
            ("bool", v) => {
                if v.is_none() && !sec.is_empty() {
                    continue;
                }
                Value::Bool(v.is_some())
            }
            (_, None) => continue,
            ("money", Some(v)) => {
                Money::parse_yuan(&v).map_err(|e| format!("{label}：{e}"))?;
                Value::String(v)
            }
            ("int", Some(v)) => Value::from(v.replace(',', "").parse::<i64>().map_err(|_| format!("{label}：应为整数，得到 {v}"))?),
            ("date", Some(v)) => Value::String(kernel::parse_date(&v).map_err(|e| format!("{label}：{e}"))?.to_string()),
            (_, Some(v)) => Value::String(v),
        };
        if sec.is_empty() {
            root.insert(key.to_string(), value);
        } else {
            sections
                .entry(sec.to_string())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .map(|m| m.insert(key.to_string(), value));
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

#[derive(Template)]
#[template(path = "subsidy/declare.html")]
struct Declare {
    page: Page,
    uscc: String,
    name: String,
    year: i64,
    current: Value,
    assessment: Option<AssessView>,
    explanation: Vec<String>,
    error: Option<String>,
    app: Option<Application>,
}

impl Declare {
    fn sections(&self) -> &'static [(&'static str, &'static str)] {
        SECTIONS
    }

    fn fields(&self, sec: &str) -> Vec<&'static (&'static str, &'static str, &'static str, &'static str)> {
        FIELDS.iter().filter(|f| f.0 == sec).collect()
    }

    fn name_of(&self, f: &(&str, &str, &str, &str)) -> String {
        if f.0.is_empty() { f.1.to_string() } else { format!("{}.{}", f.0, f.1) }
    }

    fn value_of(&self, f: &(&str, &str, &str, &str)) -> String {
        let v = if f.0.is_empty() { &self.current[f.1] } else { &self.current[f.0][f.1] };
        match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        }
    }

    fn checked(&self, f: &(&str, &str, &str, &str)) -> bool {
        let v = if f.0.is_empty() { &self.current[f.1] } else { &self.current[f.0][f.1] };
        v.as_bool() == Some(true)
    }

    fn locked(&self) -> bool {
        self.app.as_ref().is_some_and(|a| a.status != "draft" && a.status != "returned")
    }
}

#[derive(Deserialize, Default)]
struct DeclareQuery {
    uscc: Option<String>,
    year: Option<i64>,
}

fn default_year() -> i64 {
    i64::from(store::today().year()) - 1
}

async fn declare_page(
    state: &AppState,
    s: &Session,
    uscc: &str,
    year: i64,
    error: Option<String>,
    override_current: Option<Value>,
) -> Result<Declare, AppError> {
    let ent = state.store.subsidy_enterprise(uscc).await?.ok_or_else(|| AppError::NotFound(format!("企业 {uscc} 未登记")))?;
    let declared = state.store.subsidy_declaration(uscc, year).await?;
    let current = match override_current {
        Some(v) => v,
        None => declared.as_deref().and_then(|d| serde_json::from_str(d).ok()).unwrap_or(Value::Null),
    };
    let (assessment, explanation) = match &declared {
        Some(d) => {
            let applicant = applicant_with_history(state, uscc, d).await?;
            match assess_value(state, &applicant) {
                Ok(a) => (Some(view_of(&a)), explanation_lines(&a)),
                Err(e) => (None, vec![e]),
            }
        }
        None => (None, Vec::new()),
    };
    let app = state.store.subsidy_applications(None, Some(year), Some(uscc)).await?.into_iter().next();
    Ok(Declare {
        page: Page::new("申报年度数据", Some(s)),
        uscc: uscc.into(),
        name: ent.name,
        year,
        current,
        assessment,
        explanation,
        error,
        app,
    })
}

fn explanation_lines(a: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for x in a["awards"].as_array().into_iter().flatten() {
        out.push(format!("第{}条：{}", x["article"], x["explanation"].as_str().unwrap_or("")));
    }
    for x in a["not_eligible"].as_array().into_iter().flatten() {
        let rs: Vec<&str> = x["reasons"].as_array().map(|r| r.iter().filter_map(|s| s.as_str()).collect()).unwrap_or_default();
        out.push(format!("第{}条 不符合：{}", x["article"], rs.join("；")));
    }
    out
}

async fn declare_form(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<DeclareQuery>) -> Result<Response, AppError> {
    let uscc = scope_uscc(&s, q.uscc.as_deref())?;
    Ok(html(&declare_page(&state, &s, &uscc, q.year.unwrap_or_else(default_year), None, None).await?))
}

async fn declare(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |k: &str| form.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    let uscc = scope_uscc(&s, get("uscc").as_deref())?;
    let year: i64 = get("year").and_then(|y| y.trim().parse().ok()).ok_or_else(|| AppError::BadRequest("year：请填写年度".into()))?;
    let ent = state.store.subsidy_enterprise(&uscc).await?.ok_or_else(|| AppError::NotFound(format!("企业 {uscc} 未登记")))?;
    let applicant = match applicant_from_form(&uscc, &ent.name, year, &form) {
        Ok(a) => a,
        Err(e) => {
            let mut r = html(&declare_page(&state, &s, &uscc, year, Some(e), None).await?);
            *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            return Ok(r);
        }
    };
    // The engine validates everything (year inside the policy's validity, codes, amounts) before anything is stored.
    let with_history = applicant_with_history(&state, &uscc, &applicant.to_string()).await?;
    let assessment = match assess_value(&state, &with_history) {
        Ok(a) => a,
        Err(e) => {
            let mut r = html(&declare_page(&state, &s, &uscc, year, Some(e), Some(applicant)).await?);
            *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            return Ok(r);
        }
    };
    state.store.subsidy_save_declaration(&s.user.username, &uscc, year, &applicant.to_string()).await?;
    if get("submit").is_some() {
        let id = state.store.subsidy_save_application(&s.user.username, &uscc, year, &assessment.to_string(), true).await?;
        return Ok(Redirect::to(&format!("/subsidy/applications/{id}")).into_response());
    }
    Ok(Redirect::to(&format!("/subsidy/declare?uscc={uscc}&year={year}")).into_response())
}

#[derive(Template)]
#[template(path = "subsidy/application.html")]
struct ApplicationPage {
    page: Page,
    app: Application,
    awards: Vec<Award>,
    view: AssessView,
    explanation: Vec<String>,
    reviewer: bool,
    today: String,
}

impl ApplicationPage {
    fn label(&self, s: &str) -> &'static str {
        store::subsidy::status_label(s)
    }

    fn yuan(&self, f: &i64) -> String {
        Money::from_fen(*f).to_string()
    }
}

async fn load_app(state: &AppState, s: &Session, id: i64) -> Result<(Application, Vec<Award>), AppError> {
    let (app, awards) = state.store.subsidy_application(id).await?;
    match s.user.role {
        Role::Enterprise if s.user.enterprise_uscc.as_deref() != Some(app.uscc.as_str()) => {
            Err(AppError::Forbidden("只能查看本企业的申请".into()))
        }
        Role::Enterprise | Role::Admin | Role::Bureau => Ok((app, awards)),
        _ => Err(AppError::Forbidden("无权查看".into())),
    }
}

async fn application(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (app, awards) = load_app(&state, &s, id).await?;
    let a: Value = serde_json::from_str(&app.assessment_json).unwrap_or(Value::Null);
    Ok(html(&ApplicationPage {
        page: Page::new(&format!("{} {}年度扶持资金申请", app.name, app.year), Some(&s)),
        view: view_of(&a),
        explanation: explanation_lines(&a),
        reviewer: is_reviewer(&s),
        app,
        awards,
        today: store::today().to_string(),
    }))
}

/// Review actions: `action` = start | approve | return | reject | pay.
async fn review(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_reviewer(&s)?;
    let get = |k: &str| form.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let who = &s.user.username;
    match get("action").as_str() {
        "start" => state.store.subsidy_set_status(who, id, "under_review", "").await?,
        "return" => state.store.subsidy_set_status(who, id, "returned", &get("note")).await?,
        "reject" => state.store.subsidy_set_status(who, id, "rejected", &get("note")).await?,
        "approve" => {
            let (app, _) = state.store.subsidy_application(id).await?;
            // Re-assess at approval with the award history as it is now, so nothing is paid twice.
            let declared =
                state.store.subsidy_declaration(&app.uscc, app.year).await?.ok_or_else(|| AppError::BadRequest("缺少申报数据".into()))?;
            let a = assess_value(&state, &applicant_with_history(&state, &app.uscc, &declared).await?).map_err(AppError::BadRequest)?;
            let mut decisions = Vec::new();
            for x in a["awards"].as_array().into_iter().flatten() {
                let article = x["article"].as_i64().unwrap_or(0);
                let proposed = x["amount_fen"].as_i64().unwrap_or(0);
                let granted = match get(&format!("granted:{article}")) {
                    g if g.is_empty() => proposed,
                    g => Money::parse_yuan(&g).map_err(|e| AppError::BadRequest(format!("第{article}条核定金额：{e}")))?.fen(),
                };
                decisions.push(AwardDecision {
                    article,
                    tier: x["tier"].as_i64().unwrap_or(1),
                    one_time: x["one_time"].as_bool().unwrap_or(false),
                    proposed_fen: proposed,
                    granted_fen: granted,
                    change_reason: get(&format!("reason:{article}")),
                });
            }
            state.store.subsidy_approve(who, id, &decisions, &get("note")).await?
        }
        "pay" => {
            let d = kernel::parse_date(&get("paid_on")).map_err(|e| AppError::BadRequest(format!("拨付日期：{e}")))?;
            state.store.subsidy_pay(who, id, &d.to_string()).await?
        }
        other => return Err(AppError::BadRequest(format!("未知操作 {other}"))),
    }
    Ok(Redirect::to(&format!("/subsidy/applications/{id}")).into_response())
}

async fn clawback(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_reviewer(&s)?;
    let get = |k: &str| form.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let amount = Money::parse_yuan(&get("amount")).map_err(|e| AppError::BadRequest(format!("追回金额：{e}")))?;
    state.store.subsidy_clawback(&s.user.username, id, amount.fen(), &get("reason")).await?;
    let app: i64 = get("application").parse().unwrap_or(0);
    Ok(Redirect::to(&format!("/subsidy/applications/{app}")).into_response())
}

#[derive(Template)]
#[template(path = "subsidy/matches.html")]
struct Matches {
    page: Page,
    year: i64,
    rows: Vec<(Enterprise, String, String)>,
}

/// 免申即享: every enterprise whose declared figures qualify it for something it has not applied for.
pub async fn proactive_matches(state: &AppState, year: i64) -> Result<Vec<(Enterprise, String, String)>, AppError> {
    let applied: Vec<String> = state
        .store
        .subsidy_applications(None, Some(year), None)
        .await?
        .into_iter()
        .filter(|a| a.status != "draft")
        .map(|a| a.uscc)
        .collect();
    let mut rows = Vec::new();
    for (e, declared) in state.store.subsidy_declarations(year).await? {
        if applied.contains(&e.uscc) {
            continue;
        }
        let Ok(a) = assess_value(state, &applicant_with_history(state, &e.uscc, &declared).await?) else { continue };
        let total = a["total_fen"].as_i64().unwrap_or(0);
        if total > 0 {
            let arts: Vec<String> = a["awards"].as_array().into_iter().flatten().map(|x| format!("第{}条", x["article"])).collect();
            rows.push((e, Money::from_fen(total).to_string(), arts.join("、")));
        }
    }
    Ok(rows)
}

async fn matches(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    require_reviewer(&s)?;
    let year = q.year.unwrap_or_else(default_year);
    let rows = proactive_matches(&state, year).await?;
    Ok(html(&Matches { page: Page::new("免申即享：符合条件未申报的企业", Some(&s)), year, rows }))
}

#[derive(Template)]
#[template(path = "subsidy/budget.html")]
struct Budget {
    page: Page,
    year: i64,
    lines: Vec<store::subsidy::BudgetLine>,
    chart: String,
    committed: String,
    paid: String,
}

impl Budget {
    fn yuan(&self, f: &i64) -> String {
        Money::from_fen(*f).to_string()
    }
}

async fn budget(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau])?;
    let year = q.year.unwrap_or(0);
    let lines = state.store.subsidy_budget(year).await?;
    let mut by_article: Vec<(String, i64, Option<i64>)> = Vec::new();
    for l in &lines {
        let label = format!("第{}条", l.article);
        match by_article.iter_mut().find(|x| x.0 == label) {
            Some(x) => x.1 += l.committed_fen / 100,
            None => by_article.push((label, l.committed_fen / 100, None)),
        }
    }
    let chart = crate::chart::bars("已承诺扶持资金（按条款）", "元", &by_article);
    let committed = Money::from_fen(lines.iter().map(|l| l.committed_fen).sum()).to_string();
    let paid = Money::from_fen(lines.iter().map(|l| l.paid_fen).sum()).to_string();
    Ok(html(&Budget { page: Page::new("扶持资金预算执行", Some(&s)), year, lines, chart, committed, paid }))
}

async fn budget_xlsx(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau])?;
    let lines = state.store.subsidy_budget(q.year.unwrap_or(0)).await?;
    let rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| {
            vec![
                Cell::Int(l.year),
                format!("第{}条", l.article).into(),
                Cell::Int(l.tier),
                Cell::Int(l.awards),
                Money::from_fen(l.committed_fen).into(),
                Money::from_fen(l.paid_fen).into(),
                Money::from_fen(l.clawed_back_fen).into(),
            ]
        })
        .collect();
    Ok(crate::export::xlsx_response(
        "电商扶持资金预算执行.xlsx",
        "预算执行",
        &["年度", "条款", "档次", "笔数", "已承诺（元）", "已拨付（元）", "已追回（元）"],
        &rows,
    ))
}

#[derive(Template)]
#[template(path = "subsidy/enterprises.html")]
struct Enterprises {
    page: Page,
    rows: Vec<Enterprise>,
    towns: Vec<String>,
    town: String,
    q: String,
}

#[derive(Deserialize, Default)]
struct EntQuery {
    town: Option<String>,
    q: Option<String>,
}

async fn enterprises(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<EntQuery>) -> Result<Response, AppError> {
    require_reviewer(&s)?;
    let rows = state.store.subsidy_enterprises(q.town.as_deref(), q.q.as_deref()).await?;
    let towns = state.district.towns.iter().map(|t| t.name.clone()).chain([state.district.development_zone.clone()]).collect();
    Ok(html(&Enterprises {
        page: Page::new("电商企业名录", Some(&s)),
        rows,
        towns,
        town: q.town.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
    }))
}

#[derive(Deserialize)]
struct EntForm {
    uscc: String,
    name: String,
    town: String,
    contact: Option<String>,
}

async fn add_enterprise(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<EntForm>,
) -> Result<Response, AppError> {
    require_reviewer(&s)?;
    let code = kernel::CreditCode::parse(&f.uscc).map_err(|e| AppError::BadRequest(format!("统一社会信用代码：{e}")))?;
    if !state.district.is_town(&f.town) && f.town != state.district.development_zone {
        return Err(AppError::BadRequest(format!("所在镇（街）“{}”无效", f.town)));
    }
    let e = Enterprise { uscc: code.as_str().into(), name: f.name, town: f.town, contact: f.contact.unwrap_or_default() };
    state.store.subsidy_upsert_enterprise(&s.user.username, &e).await?;
    Ok(Redirect::to("/subsidy/enterprises").into_response())
}

async fn upload(
    State(state): State<AppState>,
    Authed(s): Authed,
    Query(q): Query<DeclareQuery>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let uscc = scope_uscc(&s, q.uscc.as_deref())?;
    let year = q.year.unwrap_or_else(default_year);
    for (name, ctype, bytes) in crate::export::uploaded_files(&mut mp).await? {
        state.store.subsidy_add_document(&s.user.username, &uscc, year, &name, &ctype, &bytes).await?;
    }
    Ok(Redirect::to("/subsidy").into_response())
}

async fn download(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (uscc, name, _uploaders_type, data) = state.store.subsidy_document(id).await?;
    if s.user.role == Role::Enterprise && s.user.enterprise_uscc.as_deref() != Some(uscc.as_str()) {
        return Err(AppError::Forbidden("只能下载本企业的材料".into()));
    }
    if !matches!(s.user.role, Role::Enterprise | Role::Admin | Role::Bureau) {
        return Err(AppError::Forbidden("无权下载".into()));
    }
    Ok(crate::export::attachment_response(&name, data))
}

/// Assess applicants under 附件4 (no login; changes nothing): the same JSON in and
/// out as `shanting subsidy assess` — one applicant object or an array; always an array back.
#[utoipa::path(post, path = "/api/v1/subsidy/assess", request_body(content = String, content_type = "application/json", description = "applicant object or array, as for `shanting subsidy assess`"),
    responses((status = 200, description = "one assessment per applicant, in input order"), (status = 400, description = "input error naming the field path, e.g. [0].net_tax_yuan")))]
pub(crate) async fn api_assess(State(state): State<AppState>, body: String) -> Result<Response, ApiError> {
    let results = assess_text(&state, &body, false).map_err(|e| ApiError(AppError::BadRequest(e)))?;
    let bytes = serde_json::to_vec(&results).map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// Demo: a few dozen enterprises across the towns with declared 2023 figures,
/// applications in every state, matches waiting in the proactive list.
pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    if !state.store.subsidy_enterprises(None, None).await?.is_empty() {
        return Ok(());
    }
    seed_targets(state).await?;
    let actor = "demo";
    let towns: Vec<String> = state.district.towns.iter().map(|t| t.name.clone()).collect();
    // The demo enterprise account's own company: the public worked example's figures for 2023.
    let demo_uscc = "91370406MA3C7K1020";
    state
        .store
        .subsidy_upsert_enterprise(
            actor,
            &Enterprise {
                uscc: demo_uscc.into(), name: "山亭示范电商有限公司".into(), town: "水泉镇".into(), contact: "张经理".into()
            },
        )
        .await?;
    let worked = json!({"uscc": demo_uscc, "name": "山亭示范电商有限公司", "year": 2023, "registered_in_district": true, "statistically_included": true,
        "entered_on": "2022-03-01", "net_tax_yuan": "1200000", "online_retail_yuan": "62000000", "online_retail_prev_yuan": "51000000",
        "platform_fees": {"annual_transactions_yuan": "62000000", "agreement_signed": true, "fees_paid_yuan": "80000"},
        "express": {"sells_and_ships_local": true, "parcels": 260000, "online_sales_yuan": "62000000"}});
    state.store.subsidy_save_declaration(actor, demo_uscc, 2023, &worked.to_string()).await?;
    let statuses = ["paid", "approved", "under_review", "submitted", "returned", "rejected", "draft", "none", "none", "none"];
    let kinds = ["网络科技", "电子商务", "供应链", "农特产品", "直播传媒", "跨境贸易"];
    for i in 0..36usize {
        let body = format!("MA3{}{:04}", ["C", "D", "E", "F"][i % 4], 1000 + i * 37);
        let Some(code) = kernel::CreditCode::complete(&format!("91370406{body}")[..16]) else { continue };
        let town = towns[i % towns.len()].clone();
        let name = format!(
            "山亭{}{}有限公司",
            ["鲁南", "熠华", "翼云", "岩马", "汇通", "青檀", "抱犊", "凫山", "水泉", "龙泉", "金桥", "润丰"][i % 12],
            kinds[i % kinds.len()]
        );
        let e = Enterprise { uscc: code.as_str().into(), name: name.clone(), town, contact: String::new() };
        state.store.subsidy_upsert_enterprise(actor, &e).await?;
        let scale = (i as i64 % 9) + 1;
        let mut a = json!({"uscc": code.as_str(), "name": name, "year": 2023, "registered_in_district": true, "statistically_included": i % 5 != 4,
            "entered_on": format!("{}-0{}-15", 2020 + (i % 4), 1 + i % 9), "net_tax_yuan": format!("{}", 300_000 * scale),
            "online_retail_yuan": format!("{}", 12_000_000 * scale), "online_retail_prev_yuan": format!("{}", 10_000_000 * scale)});
        if let Some(o) = a.as_object_mut() {
            if i % 2 == 0 {
                o.insert("platform_fees".into(), json!({"annual_transactions_yuan": format!("{}", 3_000_000 * scale), "agreement_signed": true, "fees_paid_yuan": format!("{}", 15_000 * scale)}));
            }
            if i % 3 == 0 {
                o.insert("express".into(), json!({"sells_and_ships_local": true, "parcels": 150_000 + 30_000 * scale, "online_sales_yuan": format!("{}", 12_000_000 * scale)}));
            }
            if i % 7 == 3 {
                o.insert(
                    "cross_border".into(),
                    json!({"import_export_usd": 400_000 * scale, "data_verified": true, "general_trade_reward": false}),
                );
            }
            if i % 11 == 5 {
                o.insert("rural".into(), json!({"agri_online_sales_yuan": format!("{}", 2_000_000 * scale)}));
                o.insert("above_limit".into(), Value::Bool(true));
            }
        }
        state.store.subsidy_save_declaration(actor, code.as_str(), 2023, &a.to_string()).await?;
        let status = statuses[i % statuses.len()];
        if status == "none" {
            continue;
        }
        let assessment =
            assess_value(state, &applicant_with_history(state, code.as_str(), &a.to_string()).await?).map_err(AppError::Internal)?;
        let id = state.store.subsidy_save_application(actor, code.as_str(), 2023, &assessment.to_string(), status != "draft").await?;
        if matches!(status, "submitted" | "draft") {
            continue;
        }
        state.store.subsidy_set_status("commerce", id, "under_review", "").await?;
        match status {
            "returned" => state.store.subsidy_set_status("commerce", id, "returned", "请补充平台服务费缴费凭证").await?,
            "rejected" => state.store.subsidy_set_status("commerce", id, "rejected", "经核实，网络零售额未实现同比增长").await?,
            "approved" | "paid" => {
                let decisions: Vec<AwardDecision> = assessment["awards"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| AwardDecision {
                        article: x["article"].as_i64().unwrap_or(0),
                        tier: x["tier"].as_i64().unwrap_or(1),
                        one_time: x["one_time"].as_bool().unwrap_or(false),
                        proposed_fen: x["amount_fen"].as_i64().unwrap_or(0),
                        granted_fen: x["amount_fen"].as_i64().unwrap_or(0),
                        change_reason: String::new(),
                    })
                    .collect();
                state.store.subsidy_approve("commerce", id, &decisions, "符合政策规定").await?;
                if status == "paid" {
                    state.store.subsidy_pay("commerce", id, "2024-03-20").await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The rules of `year`, from this instance's cache; a year outside the
/// policy's validity is an input error at `[i].year`, as in the CLI.
fn rules_of(state: &AppState, a: &ecommerce::Applicant, i: usize) -> Result<Arc<ecommerce::Rules>, String> {
    if let Some(r) = state.derived.subsidy_rules.read().ok().and_then(|m| m.get(&a.year).cloned()) {
        return Ok(r);
    }
    let loaded =
        ecommerce::rules_for(&state.params, std::slice::from_ref(a)).map_err(|e| e.to_string().replace("[0].", &format!("[{i}].")))?;
    let r = Arc::new(loaded.into_iter().next().ok_or("没有适用的政策参数")?);
    if let Ok(mut m) = state.derived.subsidy_rules.write() {
        m.insert(a.year, r.clone());
    }
    Ok(r)
}

/// The engine over a JSON text, as the CLI reads it (one object or an array):
/// one assessment per applicant, in input order. `full` keeps every article's
/// explanation steps (pages); the API needs only the contract's.
fn assess_text(state: &AppState, text: &str, full: bool) -> Result<Vec<ecommerce::Assessment>, String> {
    let applicants = ecommerce::parse_applicants(text).map_err(|e| e.to_string())?;
    applicants
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let r = rules_of(state, a, i)?;
            Ok(if full { ecommerce::assess(&r, a) } else { ecommerce::assess_contract(&r, a) })
        })
        .collect()
}

/// As [`assess_text`], as JSON values for the pages.
pub fn assess_json(state: &AppState, text: &str) -> Result<Vec<Value>, String> {
    assess_text(state, text, true)?.iter().map(|r| serde_json::to_value(r).map_err(|e| e.to_string())).collect()
}

/// A target's number for display and comparison (ratios in basis points).
fn target_number(t: &ecommerce::Target) -> (i64, String) {
    match t.value {
        ecommerce::TargetValue::Int(n) => (n, format_int(n, &t.unit)),
        ecommerce::TargetValue::Ratio(r) => ((r.num * 10_000) / r.den.max(1), r.to_string()),
    }
}

fn format_int(n: i64, unit: &str) -> String {
    match unit {
        "yuan" => Money::from_yuan(n).chinese(),
        "ratio" => format!("{}.{:02}%", n / 100, n % 100),
        "person_times" => format!("{n}人次"),
        _ => format!("{n}"),
    }
}

/// Whether `actual` meets the target by its own word (过/超过 exclude the number, the rest include it).
fn target_met(t: &ecommerce::Target, actual: i64) -> bool {
    let (n, _) = target_number(t);
    if t.word.contains('过') || t.word.contains('超') { actual > n } else { actual >= n }
}

pub struct TargetRow {
    pub id: String,
    pub measure: String,
    pub target: String,
    pub due: String,
    pub responsible: String,
    pub citation: String,
    pub per_town: bool,
    /// (period, town, actual as text, met)
    pub actuals: Vec<(String, String, String, bool)>,
    pub progress: i64,
}

#[derive(Template)]
#[template(path = "subsidy/targets.html")]
struct Targets {
    page: Page,
    rows: Vec<TargetRow>,
    chart: String,
    towns: Vec<String>,
    reviewer: bool,
    error: Option<String>,
}

async fn target_rows(state: &AppState) -> Result<(Vec<TargetRow>, Vec<ecommerce::Target>), AppError> {
    let targets = ecommerce::targets(&state.params).map_err(|e| AppError::Internal(e.to_string()))?;
    let actuals = state.store.subsidy_actuals().await?;
    let rows = targets
        .iter()
        .map(|t| {
            let (n, shown) = target_number(t);
            let unit = if matches!(t.value, ecommerce::TargetValue::Ratio(_)) { "ratio" } else { t.unit.as_str() };
            let mine: Vec<_> = actuals.iter().filter(|a| a.target == t.id).collect();
            let latest = mine
                .iter()
                .filter(|a| a.town.is_empty())
                .map(|a| a.value)
                .next_back()
                .unwrap_or_else(|| mine.iter().map(|a| a.value).sum());
            TargetRow {
                id: t.id.clone(),
                measure: t.measure.clone(),
                target: format!("{}{}", t.word, shown),
                due: t.deadline.map(|d| d.to_string()).unwrap_or_else(|| if t.yearly { "每年".into() } else { String::new() }),
                responsible: t.responsible.join("、"),
                citation: t.citation.clone(),
                per_town: t.per_town,
                actuals: mine
                    .iter()
                    .map(|a| (a.period.clone(), a.town.clone(), format_int(a.value, unit), target_met(t, a.value)))
                    .collect(),
                progress: if n > 0 { (latest.saturating_mul(100) / n).min(999) } else { 0 },
            }
        })
        .collect();
    Ok((rows, targets))
}

async fn targets_page(state: &AppState, s: &Session, error: Option<String>) -> Result<Targets, AppError> {
    let (rows, _) = target_rows(state).await?;
    let bars: Vec<(String, i64, Option<i64>)> =
        rows.iter().filter(|r| !r.per_town).map(|r| (format!("{} {}", r.id, r.measure), r.progress, Some(100))).collect();
    let chart = crate::chart::bars("各项目标完成进度（占目标的百分比；红线为目标）", "%", &bars);
    let towns = state.district.towns.iter().map(|t| t.name.clone()).collect();
    Ok(Targets { page: Page::new("电子商务发展目标", Some(s)), rows, chart, towns, reviewer: is_reviewer(s), error })
}

async fn targets(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau, Role::Town])?;
    Ok(html(&targets_page(&state, &s, None).await?))
}

async fn record_actual(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_reviewer(&s)?;
    let get = |k: &str| form.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let targets = ecommerce::targets(&state.params).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = get("target");
    let t = targets.iter().find(|t| t.id == id).ok_or_else(|| AppError::BadRequest(format!("target：未知目标 {id}")))?;
    let town = get("town");
    if t.per_town && !state.district.is_town(&town) {
        return Err(AppError::BadRequest(format!("{} 按镇（街）考核，须选择镇（街）", t.id)));
    }
    let period = get("period");
    if period.is_empty() {
        return Err(AppError::BadRequest("period：请填写统计期（如 2023 或 2023-06）".into()));
    }
    let raw = get("value");
    let value = match t.value {
        ecommerce::TargetValue::Ratio(_) => {
            let r = kernel::Ratio::parse(&if raw.ends_with('%') { raw.clone() } else { format!("{raw}%") })
                .map_err(|e| AppError::BadRequest(format!("value：{e}")))?;
            (r.num * 10_000) / r.den.max(1)
        }
        _ if t.unit == "yuan" => Money::parse_yuan(&raw).map_err(|e| AppError::BadRequest(format!("value：{e}")))?.fen() / 100,
        _ => raw.replace(',', "").parse::<i64>().map_err(|_| AppError::BadRequest(format!("value：应为整数，得到 {raw}")))?,
    };
    let a = store::subsidy::TargetActual {
        target: t.id.clone(),
        period,
        town: if t.per_town { town } else { String::new() },
        value,
        note: get("note"),
        recorded_by: s.user.username.clone(),
    };
    state.store.subsidy_record_actual(&s.user.username, &a).await?;
    Ok(Redirect::to("/subsidy/targets").into_response())
}

async fn targets_xlsx(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    s.require(&[Role::Admin, Role::Bureau, Role::Town])?;
    let (rows, _) = target_rows(&state).await?;
    let mut out = Vec::new();
    for r in &rows {
        if r.actuals.is_empty() {
            out.push(vec![
                r.id.clone().into(),
                r.measure.clone().into(),
                r.target.clone().into(),
                r.due.clone().into(),
                r.responsible.clone().into(),
                "".into(),
                "".into(),
                "".into(),
                "未填报".into(),
            ]);
        }
        for a in &r.actuals {
            out.push(vec![
                r.id.clone().into(),
                r.measure.clone().into(),
                r.target.clone().into(),
                r.due.clone().into(),
                r.responsible.clone().into(),
                a.0.clone().into(),
                a.1.clone().into(),
                a.2.clone().into(),
                if a.3 { "已达到" } else { "未达到" }.into(),
            ]);
        }
    }
    Ok(crate::export::xlsx_response(
        "电子商务发展目标进度.xlsx",
        "目标进度",
        &["目标", "指标", "目标值", "期限", "责任单位", "统计期", "镇（街）", "实际值", "是否达到"],
        &out,
    ))
}

/// Demo actuals for 2023 (the year after the policy, when the 2023 targets fall due).
async fn seed_targets(state: &AppState) -> Result<(), AppError> {
    if !state.store.subsidy_actuals().await?.is_empty() {
        return Ok(());
    }
    let targets = ecommerce::targets(&state.params).map_err(|e| AppError::Internal(e.to_string()))?;
    for (i, t) in targets.iter().enumerate() {
        let (n, _) = target_number(t);
        if t.per_town {
            for (k, town) in state.district.towns.iter().enumerate() {
                let v = ((k as i64 * 7 + 3) % 4).max(0);
                let a = store::subsidy::TargetActual {
                    target: t.id.clone(),
                    period: "2023".into(),
                    town: town.name.clone(),
                    value: v,
                    note: String::new(),
                    recorded_by: "demo".into(),
                };
                state.store.subsidy_record_actual("demo", &a).await?;
            }
        } else {
            // Somewhere between half the target and a little above it.
            let v = n / 2 + (n * ((i as i64 * 13) % 70)) / 100;
            let a = store::subsidy::TargetActual {
                target: t.id.clone(),
                period: "2023".into(),
                town: String::new(),
                value: v,
                note: "2023年统计".into(),
                recorded_by: "demo".into(),
            };
            state.store.subsidy_record_actual("demo", &a).await?;
        }
    }
    Ok(())
}
