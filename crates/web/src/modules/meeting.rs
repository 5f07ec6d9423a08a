//! 住房公积金联席会议: pages and API. (Filled in by the meeting module work.)

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

/// An HTML fragment for the public page (公开信息), or None when this module shows nothing there.
pub async fn public_fragment(_state: &AppState) -> Option<String> {
    None
}

/// Demo data that needs the engine as well as the store. Idempotent.
pub async fn seed_demo(_state: &AppState) -> Result<(), crate::AppError> {
    Ok(())
}
