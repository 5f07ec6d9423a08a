//! 钱表相符: money recorded against the roster, per village.

use super::*;

#[derive(Template)]
#[template(path = "insurance/reconcile.html")]
pub(super) struct ReconcilePage {
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

pub(super) async fn reconcile(State(state): State<AppState>, Authed(s): Authed, Query(q): Query<PlaceQuery>) -> Result<Response, AppError> {
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
