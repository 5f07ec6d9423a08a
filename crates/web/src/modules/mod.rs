//! One module per document: its pages, its API routes, its public fragment.

pub mod emergency;
pub mod insurance;
pub mod meeting;
pub mod subsidy;

/// Demo data that needs the domain engines as well as the store (called by
/// `serve --demo` after `store::demo::seed_all`). Idempotent.
pub async fn seed_demo(state: &crate::AppState) -> Result<(), crate::AppError> {
    meeting::seed_demo(state).await?;
    emergency::seed_demo(state).await?;
    subsidy::seed_demo(state).await?;
    insurance::seed_demo(state).await?;
    Ok(())
}
