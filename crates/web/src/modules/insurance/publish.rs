//! 公示: a town publishes a village's paid roster (六（一）4、七).

use super::*;

#[derive(Deserialize)]
pub(super) struct PublishForm {
    village: String,
    town: Option<String>,
}

/// Town staff publish a village's paid roster (公示, 七).
pub(super) async fn publish(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<PublishForm>,
) -> Result<Response, AppError> {
    let (town, village, new) = places::publish(&state.app, &s.actor, f.town, &f.village).await?;
    let msg =
        if new { format!("已发布 {town}{village} 的缴费公示") } else { format!("{town}{village} 的缴费公示此前已发布") };
    Ok(Redirect::to(&format!("/insurance?town={}&village={}&msg={}", enc(&town), enc(&village), enc(&msg))).into_response())
}
