//! Use cases of the resident insurance collection (山政办发〔2022〕4号).
//!
//! - [`import`]: the resident list (参保登记名单) imported in batches that
//!   resume after a crash, and the departments' lists parsed; shared by the
//!   upload page and `shanting import residents`;
//! - [`roster`]: the roster (征收清册) and a resident, scoped by duty, ID
//!   numbers masked unless the duty needs them, full ones recorded (查询留痕);
//! - [`lists`]: the departments' lists, each group's from the unit the
//!   policy maps to it (六（六）), deaths from the units that provide them;
//! - [`places`]: reconciliation (钱表相符), publication (公示), statistics;
//! - [`payments`]: a village agent records a payment for their village
//!   (五（四）4); 区税务局 records the payments on behalf (代缴) in bulk;
//!   区税务局, 区人社局 and 区医保局 refund (六（二）6、六（三）6、六（四）2).
//!
//! Each use case asks `access` first (by duty, then on the object: a
//! resident or payment is `Target::village(town, village)`), then the engine
//! (`insurance`: who is covered, what is owed, whether a payment may be
//! recorded), then writes through the store in one transaction.

pub mod import;
pub mod lists;
pub mod payments;
pub mod places;
pub mod roster;

use access::Target;
use insurance::Rules;
use store::insurance::ResidentRow;

use crate::{App, Error, Result};

/// The object of a resident, their payments and refunds.
pub fn place(r: &ResidentRow) -> Target {
    Target::village(&r.town, &r.village)
}

/// The rules of contribution year `year`.
pub fn rules_for(app: &App, year: i64) -> Result<Rules> {
    let y = i32::try_from(year).map_err(|_| Error::invalid(format!("年度 {year} 无效")))?;
    Rules::load(&app.params, y).map_err(|e| Error::invalid(format!("{y}年度的缴费参数不可用：{e}")))
}

/// The contribution year the module works on: the latest year up to next
/// year whose figures are in the policy files.
pub fn current_rules(app: &App) -> Result<Rules> {
    let this = i32::from(app.today().year());
    (this - 15..=this + 1).rev().find_map(|y| Rules::load(&app.params, y).ok()).ok_or_else(|| Error::internal("没有可用的社保征缴年度参数"))
}

/// The stored resident as the engine reads them: the imported groups and
/// the departments' lists together. Stored data the engine cannot read is a
/// fault of the platform, never a default.
pub fn resident_of(row: &ResidentRow) -> Result<insurance::Resident<'static>> {
    use std::borrow::Cow;
    let bad = |m: String| Error::internal(format!("居民 {} 的存储数据无效：{m}", row.id_number));
    let id = kernel::ResidentId::parse(&row.id_number).map_err(|e| bad(e.to_string()))?;
    let groups = insurance::Groups::parse(row.groups.as_bytes()).map_err(bad)?;
    let list = insurance::Groups::parse(row.list_groups.as_bytes()).map_err(bad)?;
    let deceased_on = match row.deceased_on.as_deref() {
        Some(d) => Some(kernel::parse_date(d).map_err(|e| bad(e.to_string()))?),
        None => None,
    };
    Ok(insurance::Resident {
        id,
        name: Cow::Owned(row.name.clone()),
        town: Cow::Owned(row.town.clone()),
        village: Cow::Owned(row.village.clone()),
        hukou_in_district: row.hukou_in_district,
        residence_permit: row.residence_permit,
        employee_insurance: row.employee_insurance,
        student: row.student,
        receiving_pension: row.receiving_pension,
        groups: groups.iter().chain(list.iter()).collect(),
        disability_grade: row.disability_grade.and_then(|g| u8::try_from(g).ok()),
        pension_tier: row.pension_tier_fen.map(kernel::Money::from_fen),
        sponsored: row.sponsored_fen.map(kernel::Money::from_fen),
        deceased_on,
    })
}
