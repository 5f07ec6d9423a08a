//! The enterprise directory (企业名录) and the 免申即享 list, for the reviewer.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::subsidy::Enterprise;

use super::default_year;
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;
use crate::query::Lenient;
use crate::render::{Page, Pager, html};

#[derive(Template)]
#[template(path = "subsidy/enterprises.html")]
struct Enterprises {
    page: Page,
    rows: Vec<Enterprise>,
    towns: Vec<String>,
    town: String,
    q: String,
    can_edit: bool,
    pager: Pager,
    /// The filters without the page, for the export links.
    query: String,
}

#[derive(Deserialize, Default)]
pub(super) struct EntQuery {
    town: Option<String>,
    q: Option<String>,
    page: Option<i64>,
    /// `csv` or `xlsx`: the filtered directory as a file.
    format: Option<String>,
}

const PER_PAGE: i64 = 50;

pub(super) async fn enterprises(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<EntQuery>,
) -> Result<Response, AppError> {
    let town = q.town.clone().filter(|t| !t.is_empty());
    let needle = q.q.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string);
    let rows = app::subsidy::directory::enterprises(&state, &s.actor, town.as_deref(), needle.as_deref()).await?;
    if let Some(format) = q.format.as_deref() {
        use crate::export::Cell;
        let headers = ["企业", "统一社会信用代码", "镇（街）", "联系人"];
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|e| {
                vec![Cell::Text(e.name.clone()), Cell::Text(e.uscc.clone()), Cell::Text(e.town.clone()), Cell::Text(e.contact.clone())]
            })
            .collect();
        return Ok(if format == "xlsx" {
            crate::export::xlsx_response("电商企业名录.xlsx", "电商企业名录", &headers, &cells)
        } else {
            crate::export::csv_response("电商企业名录.csv", &headers, &cells)
        });
    }
    let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let query = format!("town={}&q={}", enc(town.as_deref().unwrap_or("")), enc(needle.as_deref().unwrap_or("")));
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let pager = Pager::new(total, q.page.unwrap_or(1), PER_PAGE, format!("/subsidy/enterprises?{query}&"));
    let skip = usize::try_from((pager.page - 1) * PER_PAGE).unwrap_or(0);
    let rows = rows.into_iter().skip(skip).take(PER_PAGE as usize).collect();
    let towns = state.district.towns.iter().map(|t| t.name.clone()).chain([state.district.development_zone.clone()]).collect();
    Ok(html(&Enterprises {
        page: Page::new("电商企业名录", Some(&s)),
        rows,
        towns,
        town: town.unwrap_or_default(),
        q: needle.unwrap_or_default(),
        can_edit: s.can(&state, access::Action::SubsidyEnterprisesEdit),
        pager,
        query,
    }))
}

#[derive(Deserialize)]
pub(super) struct EntForm {
    uscc: String,
    name: String,
    town: String,
    contact: Option<String>,
}

pub(super) async fn add_enterprise(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<EntForm>,
) -> Result<Response, AppError> {
    app::subsidy::directory::save_enterprise(&state, &s.actor, &f.uscc, &f.name, &f.town, f.contact.as_deref().unwrap_or("")).await?;
    Ok(Redirect::to("/subsidy/enterprises").into_response())
}

/// One enterprise of the 免申即享 list.
pub struct MatchRow {
    pub uscc: String,
    pub name: String,
    pub town: String,
    pub articles: String,
    pub total: String,
}

#[derive(Template)]
#[template(path = "subsidy/matches.html")]
struct Matches {
    page: Page,
    year: i64,
    /// The years with declared figures, newest first.
    years: Vec<i64>,
    rows: Vec<MatchRow>,
    ignored: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct YearQuery {
    year: Option<i64>,
}

pub(super) async fn matches(State(state): State<AppState>, Authed(s): Authed, q: Lenient<YearQuery>) -> Result<Response, AppError> {
    let years = app::subsidy::directory::match_years(&state, &s.actor).await?;
    let year = q.value.year.or_else(|| years.first().copied()).unwrap_or_else(|| default_year(&state));
    let rows = app::subsidy::directory::matches(&state, &s.actor, year)
        .await?
        .into_iter()
        .map(|m| MatchRow {
            articles: m.articles.iter().map(|a| format!("第{a}条")).collect::<Vec<_>>().join("、"),
            total: crate::display::yuan(m.total.fen()),
            uscc: m.enterprise.uscc,
            name: m.enterprise.name,
            town: m.enterprise.town,
        })
        .collect();
    Ok(html(&Matches {
        page: Page::new("免申即享：符合条件未申报的企业", Some(&s)), year, years, rows, ignored: !q.ignored.is_empty()
    }))
}
