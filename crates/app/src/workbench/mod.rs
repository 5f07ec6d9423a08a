//! 工作台: the to-do list (待办) of an actor, chosen by the duties it holds
//! (`access::Duty`), never by its department's name. Each item says what is
//! waiting, how many, by when (a deadline the engines compute with the
//! working-day calendar), the clause that sets it, and one link.
//!
//! Administrators (who hold 账号与权限管理) see the district's items, each
//! counted for the unit whose duty it is.

mod emergency;
mod insurance;
mod meeting;
pub mod notify;
mod subsidy;

use access::{Action, Actor, Duty, Scope};
use kernel::Date;

use crate::{App, Result};

/// One to-do item (待办事项).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    /// What is waiting, in Chinese.
    pub what: String,
    pub count: i64,
    /// The deadline, where a rule sets one.
    pub due: Option<Date>,
    /// 文号 + 条款 of the duty or the deadline.
    pub clause: String,
    /// The page where the work is done.
    pub link: String,
    /// The unit (or place) whose work it is, in the administrators' overview.
    pub unit: Option<String>,
}

impl Todo {
    /// Calendar days from `today` to the deadline (negative when past).
    pub fn days_left(&self, today: Date) -> Option<i64> {
        let due = self.due?;
        today.until(due).ok().map(|s| i64::from(s.get_days()))
    }

    /// A stable key for this item (a deadline notice is sent once per item per day).
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.link, self.what, self.unit.as_deref().unwrap_or(""))
    }
}

/// The scope `actor` has through `duty` (one of `action`'s duties), if it holds it.
pub(crate) fn holds(app: &App, actor: &Actor, action: Action, duty: Duty) -> Option<Scope> {
    app.duties.grants(actor, action).into_iter().find(|g| g.duty == duty).map(|g| g.scope)
}

/// Who holds `duty`, as the administrators' overview names them.
pub(crate) fn holders(app: &App, duty: Duty) -> String {
    app.duties.def(duty).holders.iter().map(access::Holder::label).collect::<Vec<_>>().join("、")
}

/// The duty's citation (文号 + 条款).
pub(crate) fn cite(app: &App, duty: Duty) -> String {
    app.duties.def(duty).citation()
}

/// The actor's to-do list, in the order of the four documents.
pub async fn todos(app: &App, actor: &Actor) -> Result<Vec<Todo>> {
    let today = app.today();
    let overview = holds(app, actor, Action::AccountsManage, Duty::Accounts).is_some();
    let mut out = Vec::new();
    subsidy::todos(app, actor, overview, &mut out).await?;
    insurance::todos(app, actor, overview, today, &mut out).await?;
    emergency::todos(app, actor, overview, today, &mut out).await?;
    meeting::todos(app, actor, overview, today, &mut out).await?;
    out.retain(|t| t.count > 0);
    Ok(out)
}
