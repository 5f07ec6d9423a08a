//! 居民养老、医疗保险征缴 (山政办发〔2022〕4号): rosters (清册) per town and
//! village, payments by village agents and bulk payments on behalf by a
//! bureau, refunds, reconciliation (钱表相符), the public roster (公示),
//! statistics (征缴统计参照表), and the import of residents and of the
//! departments' lists.
//!
//! Scope: a village agent sees their village, town staff their town, bureau
//! users and administrators the district. The figures are the `insurance`
//! engine's, computed when a resident is imported or changed and stored, so
//! that pages and statistics are queries.

use app::insurance::{lists, places, roster as rosters};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use insurance::{Channel, PaymentKind};
use insurance::{Rules, waiting_period};
use kernel::Money;
use serde::Deserialize;
use store::insurance::{NewPayment, Payment, Reconciliation, ResidentRow, RosterFilter, TownStats};

use access::Action;
use app::insurance::import;

use crate::auth::{Authed, Session, Viewer, guard};
use crate::error::{ApiError, AppError};
use crate::export::{self, Cell};
use crate::render::{Page, Pager, escape, html};
use crate::{AppState, upload};

pub fn routes() -> Router<AppState> {
    use Action::*;
    Router::new()
        .route("/insurance", get(roster).route_layer(guard(&[InsuranceRosterRead])))
        .route("/insurance/roster.xlsx", get(roster_xlsx).route_layer(guard(&[InsuranceRosterExport])))
        .route("/insurance/roster/print", get(roster_print).route_layer(guard(&[InsuranceRosterExport])))
        .route("/insurance/roster.pdf", get(roster_pdf).route_layer(guard(&[InsuranceRosterExport])))
        .route("/insurance/residents/{id}", get(resident).route_layer(guard(&[InsuranceRosterRead])))
        .route("/insurance/residents/{id}/pay", post(pay).route_layer(guard(&[InsurancePaymentRecord])))
        .route("/insurance/payments/{id}/refund", post(refund).route_layer(guard(&[InsuranceRefund])))
        .route("/insurance/reconcile", get(reconcile).route_layer(guard(&[InsuranceReconcile])))
        .route("/insurance/publish", post(publish).route_layer(guard(&[InsurancePublish])))
        .route("/insurance/stats", get(stats).route_layer(guard(&[InsuranceStatsRead])))
        .route("/insurance/stats.xlsx", get(stats_xlsx).route_layer(guard(&[InsuranceStatsRead])))
        // A district's resident list is far above axum's default 2 MB body limit:
        // the upload limits on `AppState` (larger lists go through `shanting import residents`).
        .route(
            "/insurance/import",
            get(import_page)
                .route_layer(guard(IMPORT_ACTIONS))
                .merge(post(import_upload).route_layer(guard(&[InsuranceResidentsImport])))
                .layer(from_fn(upload::residents_body_limit)),
        )
        .route(
            "/insurance/lists",
            post(list_upload).route_layer(guard(&[InsuranceGroupList, InsuranceDeathList])).layer(from_fn(upload::files_body_limit)),
        )
        .route("/insurance/bulk", post(bulk).route_layer(guard(&[InsuranceBulkOnBehalf])))
        .route("/public/insurance", get(public_roster))
        .route("/api/v1/insurance/stats", get(api_stats).route_layer(guard(&[InsuranceStatsRead])))
}

/// The published village rosters, linked, for `/public`.
pub async fn public_fragment(state: &AppState) -> Option<String> {
    let pubs = state.store.insurance_publications().await.ok()?;
    if pubs.is_empty() {
        return None;
    }
    let mut s = String::from("<ul id=\"insurance-publications\">");
    for p in pubs {
        let q = format!("year={}&town={}&village={}", p.year, enc(&p.town), enc(&p.village));
        s.push_str(&format!(
            "<li><a href=\"/public/insurance?{q}\">{}年度 {} {} 参保缴费公示</a> <span class=\"muted\">（{} 发布）</span></li>",
            p.year,
            escape(&p.town),
            escape(&p.village),
            escape(p.published_at.get(..10).unwrap_or(&p.published_at))
        ));
    }
    s.push_str("</ul>");
    Some(s)
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn yuan_of(fen: i64) -> String {
    Money::from_fen(fen).to_string()
}

fn status_label(s: &str) -> &'static str {
    match s {
        "included" => "参保",
        "excluded:not_resident" => "不在范围（无户籍、无居住证）",
        "excluded:employee_insurance" => "不在范围（职工保险）",
        "excluded:deceased" => "不在范围（已死亡）",
        _ => "未知",
    }
}

fn pension_label(s: &str) -> &'static str {
    match s {
        "under_16" => "未满16周岁",
        "student" => "在校学生",
        "receiving_pension" => "已领取待遇",
        "paid_on_behalf" => "政府代缴",
        "due" => "应缴",
        "not_covered" => "不参保",
        _ => "未知",
    }
}

#[derive(Deserialize, Default, Clone)]
struct RosterQuery {
    town: Option<String>,
    village: Option<String>,
    q: Option<String>,
    status: Option<String>,
    paid: Option<String>,
    page: Option<i64>,
    msg: Option<String>,
}

impl RosterQuery {
    fn query_string(&self, town: &Option<String>, village: &Option<String>) -> String {
        let o = |v: &Option<String>| enc(v.as_deref().unwrap_or(""));
        format!("town={}&village={}&q={}&status={}&paid={}", o(town), o(village), o(&self.q), o(&self.status), o(&self.paid))
    }
}

#[derive(Template)]
#[template(path = "insurance/roster.html")]
struct RosterPage {
    page: Page,
    year: i32,
    as_of: String,
    f: RosterQuery,
    town: String,
    village: String,
    towns: Vec<String>,
    villages: Vec<String>,
    rows: Vec<ResidentRow>,
    pager: Pager,
    qs: String,
    can_publish: bool,
    published: Vec<String>,
    village_fixed: bool,
    town_fixed: bool,
    can_import: bool,
}

impl RosterPage {
    fn yuan(&self, f: &i64) -> String {
        yuan_of(*f)
    }
    fn status(&self, s: &str) -> &'static str {
        status_label(s)
    }
    fn pension(&self, s: &str) -> &'static str {
        pension_label(s)
    }
}

const PER_PAGE: i64 = 50;

fn filter_of(year: i32, town: &Option<String>, village: &Option<String>, q: &RosterQuery) -> RosterFilter {
    RosterFilter {
        year: i64::from(year),
        town: town.clone(),
        village: village.clone(),
        q: q.q.clone(),
        status: q.status.clone(),
        paid: q.paid.clone(),
        limit: PER_PAGE,
        offset: 0,
    }
}

async fn roster(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<RosterQuery>) -> Result<Response, AppError> {
    let view = rosters::view(&state.app, &s.actor, Action::InsuranceRosterRead, q.town.clone(), q.village.clone())?;
    let (town, village) = (view.town.clone(), view.village.clone());
    let rules = app::insurance::current_rules(&state.app)?;
    let page_no = q.page.unwrap_or(1).max(1);
    let mut f = filter_of(rules.year, &town, &village, &q);
    f.offset = (page_no - 1) * PER_PAGE;
    let (rows, total) = rosters::page(&state.app, &s.actor, &view, f).await?;
    let qs = q.query_string(&town, &village);
    let pager = Pager::new(total, page_no, PER_PAGE, format!("/insurance?{qs}&"));
    let towns = state.district.towns.iter().map(|t| t.name.clone()).collect();
    let villages = match &town {
        Some(t) => state.store.insurance_villages(Some(t)).await?.into_iter().map(|(_, v)| v).collect(),
        None => Vec::new(),
    };
    let published = state
        .store
        .insurance_publications()
        .await?
        .into_iter()
        .filter(|p| p.year == i64::from(rules.year) && Some(&p.town) == town.as_ref())
        .map(|p| p.village)
        .collect();
    Ok(html(&RosterPage {
        page: Page::new(&format!("{}年度城乡居民养老、医疗保险征缴清册", rules.year), Some(&s)),
        year: rules.year,
        as_of: rules.default_as_of.to_string(),
        can_publish: town
            .as_deref()
            .is_some_and(|t| state.app.may_on(&s.actor, Action::InsurancePublish, &access::Target::town(t)).is_ok()),
        village_fixed: view.village_fixed,
        town_fixed: view.town_fixed,
        can_import: state.duties.may_any(&s.actor, IMPORT_ACTIONS),
        town: town.clone().unwrap_or_default(),
        village: village.clone().unwrap_or_default(),
        f: q,
        towns,
        villages,
        rows,
        pager,
        qs,
        published,
    }))
}

const EXPORT_HEADERS: [&str; 17] = [
    "身份证号码",
    "姓名",
    "镇（街）",
    "村（居）",
    "年龄",
    "参保状态",
    "医疗个人缴费",
    "医疗代缴",
    "医疗资助",
    "医疗财政补助",
    "养老状态",
    "养老档次（元）",
    "养老个人缴费",
    "养老代缴",
    "养老政府补贴",
    "本人应缴合计",
    "已缴",
];

fn export_row(r: &ResidentRow) -> Vec<Cell> {
    let m = |f: i64| Cell::Money(Money::from_fen(f));
    vec![
        r.id_number.clone().into(),
        r.name.clone().into(),
        r.town.clone().into(),
        r.village.clone().into(),
        r.age.into(),
        status_label(&r.status).into(),
        m(r.medical_individual_fen),
        m(r.medical_on_behalf_fen),
        m(r.medical_sponsored_fen),
        m(r.medical_fiscal_fen),
        pension_label(&r.pension_status).into(),
        r.pension_tier_yuan.map(Cell::Int).unwrap_or_else(|| "".into()),
        m(r.pension_individual_fen),
        m(r.pension_on_behalf_fen),
        m(r.pension_subsidy_fen),
        m(r.total_due_fen),
        m(r.paid_fen),
    ]
}

/// The largest export in one file; a whole district is exported town by town.
const EXPORT_MAX: i64 = 200_000;

async fn all_rows(
    state: &AppState,
    s: &Session,
    q: &RosterQuery,
    max: i64,
) -> Result<(Rules, Option<String>, Option<String>, Vec<ResidentRow>), AppError> {
    let view = rosters::view(&state.app, &s.actor, Action::InsuranceRosterExport, q.town.clone(), q.village.clone())?;
    let (town, village) = (view.town.clone(), view.village.clone());
    let rules = app::insurance::current_rules(&state.app)?;
    let f = filter_of(rules.year, &town, &village, q);
    let rows = rosters::export(&state.app, &s.actor, &view, f, max).await?;
    Ok((rules, town, village, rows))
}

fn place_title(town: &Option<String>, village: &Option<String>) -> String {
    match (town, village) {
        (Some(t), Some(v)) => format!("{t}{v}"),
        (Some(t), None) => t.clone(),
        _ => "山亭区".into(),
    }
}

async fn roster_xlsx(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<RosterQuery>) -> Result<Response, AppError> {
    let (rules, town, village, rows) = all_rows(&state, &s, &q, EXPORT_MAX).await?;
    let data: Vec<Vec<Cell>> = rows.iter().map(export_row).collect();
    let name = format!("{}年度征缴清册-{}.xlsx", rules.year, place_title(&town, &village));
    Ok(export::xlsx_response(&name, "清册", &EXPORT_HEADERS, &data))
}

/// The printable roster's body: a heading and the table.
fn roster_document(rules: &Rules, town: &Option<String>, village: &Option<String>, rows: &[ResidentRow]) -> (String, String) {
    let title = format!("{}{}年度城乡居民养老、医疗保险征缴清册", place_title(town, village), rules.year);
    let mut b = format!(
        "<h1>{}</h1><p>依据 {}；年龄按 {} 计算；金额单位：元。共 {} 人。</p><table id=\"roster-print\"><thead><tr>",
        escape(&title),
        escape(&rules.document),
        rules.default_as_of,
        rows.len()
    );
    for h in
        ["序号", "姓名", "身份证号码", "村（居）", "年龄", "参保状态", "医疗个人", "养老状态", "养老档次", "养老个人", "应缴合计", "已缴"]
    {
        b.push_str(&format!("<th>{h}</th>"));
    }
    b.push_str("</tr></thead><tbody>");
    for (i, r) in rows.iter().enumerate() {
        b.push_str(&format!(
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            i + 1,
            escape(&r.name),
            escape(&r.id_number),
            escape(&r.village),
            r.age,
            status_label(&r.status),
            yuan_of(r.medical_individual_fen),
            pension_label(&r.pension_status),
            r.pension_tier_yuan.map(|t| t.to_string()).unwrap_or_default(),
            yuan_of(r.pension_individual_fen),
            yuan_of(r.total_due_fen),
            yuan_of(r.paid_fen),
        ));
    }
    b.push_str("</tbody></table>");
    (title, b)
}

/// A printed roster is per village or town; 5,000 lines is already a thick document.
const PRINT_MAX: i64 = 5_000;

async fn roster_print(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<RosterQuery>) -> Result<Response, AppError> {
    let (rules, town, village, rows) = all_rows(&state, &s, &q, PRINT_MAX).await?;
    let (title, body) = roster_document(&rules, &town, &village, &rows);
    let qs = q.query_string(&town, &village);
    let toolbar = format!(
        "<script src=\"/static/app.js\" defer></script><p class=\"noprint\"><button type=\"button\" data-print>打印</button> <a id=\"roster-pdf\" href=\"/insurance/roster.pdf?{qs}\">下载 PDF</a> <a href=\"/insurance?{qs}\">返回清册</a></p>"
    );
    Ok(crate::security::printable_page(export::printable(&title, &format!("{toolbar}{body}"))))
}

async fn roster_pdf(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<RosterQuery>) -> Result<Response, AppError> {
    let (rules, town, village, rows) = all_rows(&state, &s, &q, PRINT_MAX).await?;
    let (title, body) = roster_document(&rules, &town, &village, &rows);
    Ok(export::pdf_response(&format!("{title}.pdf"), &export::printable(&title, &body)).await)
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
    error: Option<String>,
}

struct PaymentView {
    p: Payment,
    refunded: bool,
    waiting: String,
}

#[derive(Template)]
#[template(path = "insurance/resident.html")]
struct ResidentPage {
    page: Page,
    r: ResidentRow,
    explanation: String,
    payments: Vec<PaymentView>,
    can_pay: bool,
    can_refund: bool,
    /// The amount the form offers: what is still owed.
    amount: String,
    channels: Vec<&'static str>,
    today: String,
    msg: Option<String>,
    error: Option<String>,
    window_end: String,
}

impl ResidentPage {
    fn yuan(&self, f: &i64) -> String {
        yuan_of(*f)
    }
    fn status(&self, s: &str) -> &'static str {
        status_label(s)
    }
    fn pension(&self, s: &str) -> &'static str {
        pension_label(s)
    }
    fn balance(&self) -> String {
        app::insurance::payments::default_amount(&self.r).to_string()
    }
}

async fn resident(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    Query(m): Query<MsgQuery>,
) -> Result<Response, AppError> {
    let rosters::Resident { row: r, explanation, payments, rules } = rosters::resident(&state.app, &s.actor, id).await?;
    let views = payments
        .iter()
        .map(|p| {
            let waiting = match kernel::parse_date(&p.paid_on) {
                Ok(d) if p.refund_of.is_none() && p.kind == PaymentKind::Individual => match waiting_period(&rules, d) {
                    Some(w) => format!("补缴：等待期至{}，自{}起享受待遇", w.last_waiting_month.strftime("%Y年%m月"), w.benefits_from),
                    None => "集中缴费期内，享受全年待遇".into(),
                },
                _ => String::new(),
            };
            PaymentView { refunded: payments.iter().any(|x| x.refund_of == Some(p.id)), waiting, p: p.clone() }
        })
        .collect();
    Ok(html(&ResidentPage {
        page: Page::new(&format!("{} 的参保缴费", r.name), Some(&s)),
        can_pay: app::insurance::payments::may_pay(&state.app, &s.actor, &r),
        can_refund: app::insurance::payments::may_refund(&state.app, &s.actor, &r),
        amount: app::insurance::payments::default_amount(&r).to_string(),
        explanation,
        payments: views,
        channels: Channel::ALL.iter().map(|c| c.as_str()).collect(),
        today: state.app.today().to_string(),
        msg: m.msg,
        error: m.error,
        window_end: rules.window.end.to_string(),
        r,
    }))
}

#[derive(Deserialize)]
struct PayForm {
    channel: String,
    reference: String,
    paid_on: String,
    amount: Option<String>,
}

/// 登记缴费: the use case decides (duty, village, the engine's payment rule);
/// a refusal goes back to the page with the message.
async fn pay(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PayForm>,
) -> Result<Response, AppError> {
    let input = app::insurance::payments::PayInput { channel: f.channel, reference: f.reference, paid_on: f.paid_on, amount: f.amount };
    let to = match app::insurance::payments::record(&state.app, &s.actor, id, &input).await {
        Ok(p) => format!("/insurance/residents/{id}?msg={}", enc(&p.message)),
        Err(app::Error::Invalid { message, .. } | app::Error::Conflict(message)) => {
            format!("/insurance/residents/{id}?error={}", enc(&kernel::clip(&message, 200)))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
struct RefundForm {
    reason: String,
}

async fn refund(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<RefundForm>,
) -> Result<Response, AppError> {
    let p = state.store.insurance_payment(id).await?;
    let to = match app::insurance::payments::refund(&state.app, &s.actor, id, &f.reason).await {
        Ok(_) => format!("/insurance/residents/{}?msg={}", p.resident_id, enc(&format!("已退费 {} 元", yuan_of(p.amount_fen)))),
        Err(app::Error::Invalid { message, .. } | app::Error::Conflict(message)) => {
            format!("/insurance/residents/{}?error={}", p.resident_id, enc(&message))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize, Default)]
struct PlaceQuery {
    town: Option<String>,
    village: Option<String>,
    year: Option<i64>,
}

#[derive(Template)]
#[template(path = "insurance/reconcile.html")]
struct ReconcilePage {
    page: Page,
    town: String,
    village: String,
    villages: Vec<String>,
    towns: Vec<String>,
    town_fixed: bool,
    village_fixed: bool,
    rec: Option<Reconciliation>,
}

impl ReconcilePage {
    fn yuan(&self, f: &i64) -> String {
        yuan_of(*f)
    }
    fn status(&self, s: &str) -> &'static str {
        status_label(s)
    }
}

async fn reconcile(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<PlaceQuery>) -> Result<Response, AppError> {
    let (view, rec) = places::reconcile(&state.app, &s.actor, q.town, q.village).await?;
    let (town, village) = (view.town, view.village);
    let villages = match &town {
        Some(t) => state.store.insurance_villages(Some(t)).await?.into_iter().map(|(_, v)| v).collect(),
        None => Vec::new(),
    };
    Ok(html(&ReconcilePage {
        page: Page::new("钱表相符核对", Some(&s)),
        towns: state.district.towns.iter().map(|t| t.name.clone()).collect(),
        town_fixed: view.town_fixed,
        village_fixed: view.village_fixed,
        town: town.unwrap_or_default(),
        village: village.unwrap_or_default(),
        villages,
        rec,
    }))
}

#[derive(Deserialize)]
struct PublishForm {
    village: String,
    town: Option<String>,
}

/// Town staff publish a village's paid roster (公示, 七).
async fn publish(State(state): State<AppState>, Authed(s): Authed, axum::Form(f): axum::Form<PublishForm>) -> Result<Response, AppError> {
    let (town, village, new) = places::publish(&state.app, &s.actor, f.town, &f.village).await?;
    let msg =
        if new { format!("已发布 {town}{village} 的缴费公示") } else { format!("{town}{village} 的缴费公示此前已发布") };
    Ok(Redirect::to(&format!("/insurance?town={}&village={}&msg={}", enc(&town), enc(&village), enc(&msg))).into_response())
}

#[derive(Template)]
#[template(path = "insurance/public.html")]
struct PublicPage {
    page: Page,
    year: i64,
    town: String,
    village: String,
    rows: Option<Vec<(String, String)>>,
    published: Vec<store::insurance::Publication>,
}

/// The public roster of a village (no login): who has paid, masked.
async fn public_roster(State(state): State<AppState>, Viewer(s): Viewer, Query(q): Query<PlaceQuery>) -> Result<Response, AppError> {
    let published = state.store.insurance_publications().await?;
    let (town, village) = (q.town.unwrap_or_default(), q.village.unwrap_or_default());
    let year = match q.year {
        Some(y) => y,
        None => i64::from(import::current_rules(&state.params)?.year),
    };
    let rows =
        if town.is_empty() || village.is_empty() { None } else { state.store.insurance_public_roster(year, &town, &village).await? };
    if !town.is_empty() && !village.is_empty() && rows.is_none() {
        return Err(AppError::NotFound(format!("{town}{village} 的缴费名单尚未公示")));
    }
    Ok(html(&PublicPage { page: Page::new("参保缴费公示", s.as_ref()), year, town, village, rows, published }))
}

/// A town's row with rates worked out.
struct StatsRow {
    s: TownStats,
    lower_rate: String,
    upper_rate: String,
    medical_rate: String,
    pay_rate: String,
    lower_ok: bool,
    upper_ok: bool,
    medical_ok: bool,
}

fn rate(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "—".into();
    }
    // Tenths of a percent, rounded half up, in integers.
    let t = (part * 2000 + whole) / (2 * whole);
    format!("{}.{}%", t / 10, t % 10)
}

fn stats_rows(rules: &Rules, stats: Vec<TownStats>) -> Vec<StatsRow> {
    let t = rules.targets;
    let mut total = TownStats { town: "全区合计".into(), ..Default::default() };
    for s in &stats {
        total.residents += s.residents;
        total.included += s.included;
        total.due_persons += s.due_persons;
        total.due_fen += s.due_fen;
        total.paid_persons += s.paid_persons;
        total.paid_fen += s.paid_fen;
        total.medical_covered += s.medical_covered;
        total.lower_due += s.lower_due;
        total.lower_paid += s.lower_paid;
        total.upper_due += s.upper_due;
        total.upper_paid += s.upper_paid;
    }
    let many = stats.len() > 1;
    let mut all = stats;
    if many {
        all.push(total);
    }
    all.into_iter()
        .map(|s| StatsRow {
            lower_rate: rate(s.lower_paid, s.lower_due),
            upper_rate: rate(s.upper_paid, s.upper_due),
            medical_rate: rate(s.medical_covered, s.included),
            pay_rate: rate(s.paid_persons, s.due_persons),
            lower_ok: s.lower_due > 0 && t.pension_lower.reached_by(s.lower_paid, s.lower_due),
            upper_ok: s.upper_due > 0 && t.pension_upper.reached_by(s.upper_paid, s.upper_due),
            medical_ok: s.included > 0 && t.medical.reached_by(s.medical_covered, s.included),
            s,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "insurance/stats.html")]
struct StatsPage {
    page: Page,
    rows: Vec<StatsRow>,
    charts: Vec<String>,
    targets: String,
    citation: String,
}

impl StatsPage {
    fn yuan(&self, f: &i64) -> String {
        yuan_of(*f)
    }
}

async fn stats_data(state: &AppState, s: &Session) -> Result<(Rules, Vec<TownStats>), AppError> {
    Ok(places::stats(&state.app, &s.actor).await?)
}

async fn stats(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let (rules, data) = stats_data(&state, &s).await?;
    let t = rules.targets;
    let pct = |part: i64, whole: i64| if whole == 0 { 0 } else { part * 100 / whole };
    let target_pct = |r: kernel::Ratio| r.num * 100 / r.den.max(1);
    let mut charts = Vec::new();
    let bar = |title: &str, f: &dyn Fn(&TownStats) -> (i64, i64), target: Option<i64>| {
        let v: Vec<(String, i64, Option<i64>)> = data
            .iter()
            .map(|x| {
                (
                    x.town.clone(),
                    {
                        let (p, w) = f(x);
                        pct(p, w)
                    },
                    target,
                )
            })
            .collect();
        crate::chart::bars(title, "%", &v)
    };
    charts.push(bar(
        &format!("养老保险缴费率（{}–{}岁，目标{}以上）", t.lower_ages.0, t.lower_ages.1, t.pension_lower),
        &|x| (x.lower_paid, x.lower_due),
        Some(target_pct(t.pension_lower)),
    ));
    charts.push(bar(
        &format!("养老保险缴费率（{}–{}岁，目标{}以上）", t.upper_ages.0, t.upper_ages.1, t.pension_upper),
        &|x| (x.upper_paid, x.upper_due),
        Some(target_pct(t.pension_upper)),
    ));
    charts.push(bar("医疗保险覆盖率（应保尽保）", &|x| (x.medical_covered, x.included), Some(target_pct(t.medical))));
    let citation = rules.waiting_citation().split_once(' ').map(|(d, _)| format!("{d} 三、任务目标")).unwrap_or_default();
    Ok(html(&StatsPage {
        page: Page::new(&format!("{}年度征缴统计参照表", rules.year), Some(&s)),
        targets: format!(
            "目标：{}–{}岁缴费率{}以上，{}–{}岁缴费率{}以上，医疗保险应保尽保",
            t.upper_ages.0, t.upper_ages.1, t.pension_upper, t.lower_ages.0, t.lower_ages.1, t.pension_lower
        ),
        rows: stats_rows(&rules, data),
        charts,
        citation,
    }))
}

async fn stats_xlsx(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let (rules, data) = stats_data(&state, &s).await?;
    let rows: Vec<Vec<Cell>> = stats_rows(&rules, data)
        .into_iter()
        .map(|r| {
            vec![
                r.s.town.clone().into(),
                r.s.residents.into(),
                r.s.included.into(),
                r.s.due_persons.into(),
                Money::from_fen(r.s.due_fen).into(),
                r.s.paid_persons.into(),
                Money::from_fen(r.s.paid_fen).into(),
                r.pay_rate.into(),
                r.s.lower_due.into(),
                r.s.lower_paid.into(),
                r.lower_rate.into(),
                r.s.upper_due.into(),
                r.s.upper_paid.into(),
                r.upper_rate.into(),
                r.s.medical_covered.into(),
                r.medical_rate.into(),
            ]
        })
        .collect();
    let headers = [
        "镇（街）",
        "登记人数",
        "参保人数",
        "应缴人数",
        "应缴金额",
        "已缴人数",
        "已缴金额",
        "缴费率",
        "16-44岁应缴",
        "16-44岁已缴",
        "16-44岁缴费率",
        "45-59岁应缴",
        "45-59岁已缴",
        "45-59岁缴费率",
        "医疗保险覆盖人数",
        "医疗保险覆盖率",
    ];
    Ok(export::xlsx_response(&format!("{}年度征缴统计参照表.xlsx", rules.year), "征缴统计", &headers, &rows))
}

/// Collection statistics per town (征缴统计参照表), scoped to the caller.
#[utoipa::path(get, path = "/api/v1/insurance/stats", responses((status = 200, description = "persons due and paid, amounts, payment rates by age band against the targets"), (status = 401, description = "not logged in")))]
pub(crate) async fn api_stats(State(state): State<AppState>, Authed(s): Authed) -> Result<Json<serde_json::Value>, ApiError> {
    let (rules, data) = stats_data(&state, &s).await?;
    Ok(Json(serde_json::json!({"year": rules.year, "towns": data})))
}

#[derive(Template)]
#[template(path = "insurance/import.html")]
struct ImportPage {
    page: Page,
    jobs: Vec<store::insurance::Job>,
    report: Option<import::ImportReport>,
    list_errors: Vec<import::LineError>,
    msg: Option<String>,
    error: Option<String>,
    is_tax: bool,
    towns: Vec<String>,
    channels: Vec<&'static str>,
    today: String,
    residents: i64,
}

impl ImportPage {
    fn is_bank(&self, c: &str) -> bool {
        c == Channel::Bank.as_str()
    }
}

/// What the import page offers: any of these.
const IMPORT_ACTIONS: &[Action] = &[
    Action::InsuranceResidentsImport,
    Action::InsuranceGroupList,
    Action::InsuranceDeathList,
    Action::InsuranceBulkOnBehalf,
    Action::InsuranceJobsRead,
];

async fn import_view(
    state: &AppState,
    s: &Session,
    report: Option<import::ImportReport>,
    list_errors: Vec<import::LineError>,
    msg: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    Ok(html(&ImportPage {
        page: Page::new("居民名单与部门名单导入", Some(s)),
        jobs: state.store.insurance_jobs(20).await?,
        report,
        list_errors,
        msg,
        error,
        is_tax: s.can(state, Action::InsuranceBulkOnBehalf),
        towns: state.district.towns.iter().map(|t| t.name.clone()).collect(),
        channels: Channel::ALL.iter().map(|c| c.as_str()).collect(),
        today: state.app.today().to_string(),
        residents: state.store.insurance_resident_count().await?,
    }))
}

async fn import_page(State(state): State<AppState>, Authed(s): Authed, Query(m): Query<MsgQuery>) -> Result<Response, AppError> {
    import_view(&state, &s, None, Vec::new(), m.msg, m.error).await
}

async fn import_upload(State(state): State<AppState>, Authed(s): Authed, mut mp: Multipart) -> Result<Response, AppError> {
    let up = upload::save_upload(&mut mp, "file", state.uploads.residents).await?;
    let rules = app::insurance::current_rules(&state.app)?;
    let name = up.name_or("residents.csv").to_string();
    // An XLSX streams into a CSV temporary file; either is hashed for the
    // job's key. Both read the whole file: on a blocking thread.
    let input = tokio::task::spawn_blocking(move || import::prepare_input(&up.path, &name, &sheet::Limits::for_upload()).map(|p| (p, up)))
        .await
        .map_err(|e| AppError::Internal(format!("准备导入: {e}")))?;
    let (input, up) = input.map_err(upload::sheet_error)?;
    let reader = input.open().map_err(|e| AppError::Internal(format!("读取上传文件: {e}")))?;
    let result = import::import_residents(
        &state.store,
        &rules,
        &state.district,
        &s.user.username,
        up.name_or("residents.csv"),
        &input.key,
        reader,
        import::DEFAULT_BATCH,
        |_| {},
    )
    .await;
    match result {
        Ok(rep) => import_view(&state, &s, Some(rep), Vec::new(), None, None).await,
        Err(app::Error::Invalid { message, .. }) => import_view(&state, &s, None, Vec::new(), None, Some(message)).await,
        Err(e) => Err(e.into()),
    }
}

/// A department list (groups or deaths): every row checked first; nothing is
/// written if a row is wrong or names an unknown resident.
async fn list_upload(State(state): State<AppState>, Authed(s): Authed, mut mp: Multipart) -> Result<Response, AppError> {
    let up = upload::save_upload(&mut mp, "file", state.uploads.files).await?;
    let format = up.format()?;
    let (changes, errors) = tokio::task::spawn_blocking(move || {
        let f = up.open().map_err(|e| AppError::Internal(format!("读取上传文件: {e}")))?;
        import::parse_list(std::io::BufReader::new(f), format, &sheet::Limits::for_upload()).map_err(AppError::BadRequest)
    })
    .await
    .map_err(|e| AppError::Internal(format!("读取名单: {e}")))??;
    let applied = lists::apply(&state.app, &s.actor, &changes, errors).await?;
    if !applied.errors.is_empty() {
        return import_view(&state, &s, None, applied.errors, None, Some("名单有误，未写入任何数据".into())).await;
    }
    let mut msg = format!("名单 {} 行，更新 {} 名居民", applied.rows, applied.updated);
    if !applied.held.is_empty() {
        let shown: Vec<&str> = applied.held.iter().take(20).map(String::as_str).collect();
        msg.push_str(&format!("；{} 名居民已缴金额超过调整后的应缴金额，须先退费，暂未更新：{}", applied.held.len(), shown.join("、")));
    }
    Ok(Redirect::to(&format!("/insurance/import?msg={}", enc(&msg))).into_response())
}

#[derive(Deserialize)]
struct BulkForm {
    town: String,
    village: Option<String>,
    channel: String,
    paid_on: String,
}

/// The tax bureau records the contributions paid on behalf (代缴) of the
/// special groups, 70+ and the severely disabled, for a town or village:
/// one payment per person, referenced so that a repeat records nothing twice.
async fn bulk(State(state): State<AppState>, Authed(s): Authed, axum::Form(f): axum::Form<BulkForm>) -> Result<Response, AppError> {
    let place = format!("{}{}", kernel::clip(&f.town, 50), kernel::clip(f.village.as_deref().unwrap_or_default(), 50));
    let input = app::insurance::payments::BulkInput { town: f.town, village: f.village, channel: f.channel, paid_on: f.paid_on };
    let (added, skipped) = app::insurance::payments::bulk_on_behalf(&state.app, &s.actor, &input).await?;
    let msg = format!("{place}：登记代缴 {added} 笔，已登记过 {skipped} 笔");
    Ok(Redirect::to(&format!("/insurance/import?msg={}", enc(&msg))).into_response())
}

/// Demo: a population of about 20,000 from the engine's generator across the
/// ten towns, mapped onto the demo villages; payments part-way through the
/// window; the 水泉镇 东村 roster published; bulk payments on behalf in 水泉镇.
pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    if state.store.insurance_resident_count().await? > 0 {
        return Ok(());
    }
    let rules = import::current_rules(&state.params)?;
    let as_of = rules.default_as_of;
    let towns: Vec<String> = state.district.towns.iter().map(|t| t.name.clone()).collect();
    let mut pop = insurance::demo::DemoPopulation::new(20_221_001, as_of, &towns, &rules);
    let villages = store::demo::DEMO_VILLAGE_NAMES;
    let mut rows = Vec::with_capacity(DEMO_RESIDENTS);
    let mut line = Vec::new();
    for _ in 0..DEMO_RESIDENTS {
        let d = pop.next_resident();
        line.clear();
        pop.write_csv_line(&d, &mut line);
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let mut fields: Vec<&str> = text.split(',').collect();
        // The generator's own village names are replaced by the demo villages.
        fields[3] = villages[d.village % villages.len()];
        let Ok(r) = insurance::parse_row_str(&fields) else { continue };
        if rules.check(&r, as_of).is_err() {
            continue;
        }
        rows.push(import::row_of(&rules, as_of, &r, insurance::Groups::EMPTY, "演示数据"));
    }
    let t0 = std::time::Instant::now();
    state.store.insurance_insert_residents("demo", &rows).await?;
    tracing::info!(residents = rows.len(), ms = t0.elapsed().as_millis() as u64, "insurance demo residents");
    // Read back with ids; pay for about 45% of those owing something, dated
    // across the first weeks of the window.
    let dues = state.store.insurance_dues(i64::from(rules.year)).await?;
    let mut rng = insurance::demo::SplitMix64::new(7);
    let start = rules.window.collection_start;
    let mut payments = Vec::new();
    for (id, town, village, due) in dues {
        if !rng.chance(4_500) {
            continue;
        }
        let day = start.checked_add(jiff::Span::new().days(rng.below(43) as i64)).unwrap_or(start);
        let channel = Channel::ALL[rng.below(Channel::ALL.len() as u64) as usize];
        let agent = format!("{town}{village}代办员");
        payments.push((
            agent,
            NewPayment {
                reference: format!("DEMO-{}-{id:06}", rules.year),
                resident_id: id,
                year: i64::from(rules.year),
                kind: PaymentKind::Individual,
                amount_fen: due,
                channel,
                paid_on: day.to_string(),
                note: String::new(),
            },
        ));
    }
    // The demo agent's own village: recorded by the `agent` account.
    let (agent_pay, other): (Vec<_>, Vec<_>) = payments.into_iter().partition(|(a, _)| a == "水泉镇东村代办员");
    state.store.insurance_seed_payments("agent", &agent_pay.into_iter().map(|x| x.1).collect::<Vec<_>>()).await?;
    state.store.insurance_seed_payments("demo", &other.into_iter().map(|x| x.1).collect::<Vec<_>>()).await?;
    state.store.insurance_publish("town", i64::from(rules.year), "水泉镇", "东村").await?;
    tracing::info!(ms = t0.elapsed().as_millis() as u64, "insurance demo seeded");
    Ok(())
}

/// Residents in the demo population.
pub const DEMO_RESIDENTS: usize = 20_000;
