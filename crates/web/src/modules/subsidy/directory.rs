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
use crate::render::{Page, html};

#[derive(Template)]
#[template(path = "subsidy/enterprises.html")]
struct Enterprises {
    page: Page,
    rows: Vec<Enterprise>,
    towns: Vec<String>,
    town: String,
    q: String,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct EntQuery {
    town: Option<String>,
    q: Option<String>,
}

pub(super) async fn enterprises(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<EntQuery>,
) -> Result<Response, AppError> {
    let rows = app::subsidy::directory::enterprises(&state, &s.actor, q.town.as_deref(), q.q.as_deref()).await?;
    let towns = state.district.towns.iter().map(|t| t.name.clone()).chain([state.district.development_zone.clone()]).collect();
    Ok(html(&Enterprises {
        page: Page::new("电商企业名录", Some(&s)),
        rows,
        towns,
        town: q.town.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        can_edit: s.can(&state, access::Action::SubsidyEnterprisesEdit),
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
