//! 居民养老、医疗保险征缴: tables and queries. (Filled in by the insurance module work.)

use crate::{Result, Store};

/// Demo data for `serve --demo`. Idempotent.
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
