//! Emergency resources: registered by 区应急管理局 (6.3(1), 8(1)), read by
//! everyone with an emergency duty.

use access::{Action, Actor};
use store::emergency::Resource;

use super::{SHORT, text};
use crate::{App, Result};

pub async fn add(app: &App, actor: &Actor, r: &Resource) -> Result<i64> {
    app.may(actor, Action::ResourcesEdit)?;
    let r = Resource {
        name: text("name", "名称", &r.name, SHORT)?,
        field: text("field", "专业/领域", &r.field, SHORT)?,
        unit: text("unit", "单位", &r.unit, SHORT)?,
        contact: text("contact", "联系方式", &r.contact, SHORT)?,
        note: text("note", "说明", &r.note, SHORT)?,
        ..r.clone()
    };
    Ok(app.store.emergency_add_resource(&actor.username, &r).await?)
}

pub async fn list(app: &App, actor: &Actor, kind: Option<&str>, q: Option<&str>) -> Result<Vec<Resource>> {
    app.may(actor, Action::ResourcesRead)?;
    Ok(app.store.emergency_resources(kind, q).await?)
}
