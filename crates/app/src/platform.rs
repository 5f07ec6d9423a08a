//! Use cases of the platform core: accounts, the audit trail, reference data.

use access::{Actor, Grant};
use serde_json::json;

use crate::{App, Result};

/// What a person saw or took away with full ID numbers in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdDisclosure {
    /// 查看 (a page)
    View,
    /// 导出 (a file: XLSX, CSV, PDF, print)
    Export,
}

impl IdDisclosure {
    fn action(self) -> &'static str {
        match self {
            IdDisclosure::View => "view_ids",
            IdDisclosure::Export => "export_ids",
        }
    }
}

/// 查询留痕: when a grant shows full ID numbers, record who saw how many of
/// whose, under which duty. Masked views leave no entry (they disclose
/// nothing the public roster does not). `what` names the object or list
/// (e.g. `水泉镇东村 清册第3页`), `count` the number of IDs shown.
pub async fn record_disclosure(
    app: &App,
    actor: &Actor,
    grant: &Grant,
    kind: IdDisclosure,
    entity: &str,
    what: &str,
    count: usize,
) -> Result<()> {
    if !grant.full_ids || count == 0 {
        return Ok(());
    }
    let detail = json!({"duty": grant.duty.key(), "what": kernel::echo(what), "ids": count});
    app.store.audit_read(&actor.username, kind.action(), entity, &kernel::echo(what), &detail).await?;
    Ok(())
}
