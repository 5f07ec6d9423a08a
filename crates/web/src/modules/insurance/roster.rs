//! 征收清册: the roster page, its XLSX export and its printable document (and PDF),
//! each in the view the reader's duty gives (`app::insurance::roster`).

use super::*;

#[derive(Deserialize, Default, Clone)]
pub(super) struct RosterQuery {
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
pub(super) struct RosterPage {
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

impl Labels for RosterPage {}

pub(super) const PER_PAGE: i64 = 50;

pub(super) fn filter_of(year: i32, town: &Option<String>, village: &Option<String>, q: &RosterQuery) -> RosterFilter {
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

pub(super) async fn roster(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<RosterQuery>) -> Result<Response, AppError> {
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

pub(super) const EXPORT_HEADERS: [&str; 17] = [
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

pub(super) fn export_row(r: &ResidentRow) -> Vec<Cell> {
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
pub(super) const EXPORT_MAX: i64 = 200_000;

pub(super) async fn all_rows(
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

pub(super) fn place_title(town: &Option<String>, village: &Option<String>) -> String {
    match (town, village) {
        (Some(t), Some(v)) => format!("{t}{v}"),
        (Some(t), None) => t.clone(),
        _ => "山亭区".into(),
    }
}

pub(super) async fn roster_xlsx(
    State(state): State<AppState>,
    Authed(s): Authed,
    Query(q): Query<RosterQuery>,
) -> Result<Response, AppError> {
    let (rules, town, village, rows) = all_rows(&state, &s, &q, EXPORT_MAX).await?;
    let data: Vec<Vec<Cell>> = rows.iter().map(export_row).collect();
    let name = format!("{}年度征缴清册-{}.xlsx", rules.year, place_title(&town, &village));
    Ok(export::xlsx_response(&name, "清册", &EXPORT_HEADERS, &data))
}

/// The printable roster's body: a heading and the table.
pub(super) fn roster_document(rules: &Rules, town: &Option<String>, village: &Option<String>, rows: &[ResidentRow]) -> (String, String) {
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
pub(super) const PRINT_MAX: i64 = 5_000;

pub(super) async fn roster_print(
    State(state): State<AppState>,
    Authed(s): Authed,
    Query(q): Query<RosterQuery>,
) -> Result<Response, AppError> {
    let (rules, town, village, rows) = all_rows(&state, &s, &q, PRINT_MAX).await?;
    let (title, body) = roster_document(&rules, &town, &village, &rows);
    let qs = q.query_string(&town, &village);
    let toolbar = format!(
        "<script src=\"/static/app.js\" defer></script><p class=\"noprint\"><button type=\"button\" data-print>打印</button> <a id=\"roster-pdf\" href=\"/insurance/roster.pdf?{qs}\">下载 PDF</a> <a href=\"/insurance?{qs}\">返回清册</a></p>"
    );
    Ok(crate::security::printable_page(export::printable(&title, &format!("{toolbar}{body}"))))
}

pub(super) async fn roster_pdf(
    State(state): State<AppState>,
    Authed(s): Authed,
    Query(q): Query<RosterQuery>,
) -> Result<Response, AppError> {
    let (rules, town, village, rows) = all_rows(&state, &s, &q, PRINT_MAX).await?;
    let (title, body) = roster_document(&rules, &town, &village, &rows);
    Ok(export::pdf_response(&format!("{title}.pdf"), &export::printable(&title, &body)).await)
}
