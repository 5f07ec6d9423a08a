//! 电子商务扶持: tables and queries. (Filled in by the subsidy module work.)

use crate::{Result, Store};

/// Demo data for `serve --demo`. Idempotent.
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
