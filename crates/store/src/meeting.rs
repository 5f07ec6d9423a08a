//! 住房公积金联席会议: tables and queries. (Filled in by the meeting module work.)

use crate::{Result, Store};

/// Demo data for `serve --demo`. Idempotent.
pub async fn seed_demo(_store: &Store) -> Result<()> {
    Ok(())
}
