//! The public roster (公示) of a village: no login, names and IDs masked.

use super::*;

#[derive(Template)]
#[template(path = "insurance/public.html")]
pub(super) struct PublicPage {
    page: Page,
    year: i64,
    town: String,
    village: String,
    rows: Option<Vec<(String, String)>>,
    published: Vec<store::insurance::Publication>,
}

/// The public roster of a village (no login): who has paid, masked.
pub(super) async fn public_roster(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Query(q): Query<PlaceQuery>,
) -> Result<Response, AppError> {
    let published = state.store.insurance_publications().await?;
    let (town, village) = (q.town.unwrap_or_default(), q.village.unwrap_or_default());
    let year = match q.year {
        Some(y) => y,
        None => i64::from(imports::current_rules(&state.params)?.year),
    };
    let rows =
        if town.is_empty() || village.is_empty() { None } else { state.store.insurance_public_roster(year, &town, &village).await? };
    if !town.is_empty() && !village.is_empty() && rows.is_none() {
        return Err(AppError::NotFound(format!("{town}{village} 的缴费名单尚未公示")));
    }
    Ok(html(&PublicPage { page: Page::new("参保缴费公示", s.as_ref()), year, town, village, rows, published }))
}
