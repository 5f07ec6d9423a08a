//! 突发事件应急管理: tables and queries. (Filled in by the emergency module work.)

use crate::{Result, Store};

/// Demo data for `serve --demo`. Idempotent.
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
