//! Emergency resources: the list for every emergency duty, registration by
//! 区应急管理局.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::emergency::{RESOURCE_KINDS, Resource};

use super::{areas, count};
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;
use crate::query::Lenient;
use crate::render::{Page, html};

#[derive(Deserialize, Default)]
pub(super) struct ResourceQuery {
    kind: Option<String>,
    q: Option<String>,
}

/// A resource kind as the filter and the form offer it.
struct KindChoice {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "emergency/resources.html")]
struct Resources {
    page: Page,
    list: Vec<Resource>,
    kinds: Vec<KindChoice>,
    kind: String,
    q: String,
    can_add: bool,
    towns: Vec<String>,
}

impl Resources {
    fn kind_label(&self, k: &str) -> &'static str {
        RESOURCE_KINDS.iter().find(|(a, _)| *a == k).map(|(_, l)| *l).unwrap_or("")
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<ResourceQuery>,
) -> Result<Response, AppError> {
    let kind = q.kind.clone().filter(|k| !k.is_empty());
    Ok(html(&Resources {
        page: Page::new("应急资源", Some(&s)),
        list: app::emergency::resources::list(&state.app, &s.actor, kind.as_deref(), q.q.as_deref()).await?,
        kinds: RESOURCE_KINDS.iter().map(|&(code, label)| KindChoice { code, label }).collect(),
        kind: kind.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        can_add: s.can(&state, access::Action::ResourcesEdit),
        towns: areas(&state),
    }))
}

#[derive(Deserialize)]
pub(super) struct ResourceForm {
    kind: String,
    name: String,
    town: Option<String>,
    field: Option<String>,
    quantity: Option<String>,
    minimum: Option<String>,
    unit: Option<String>,
    capacity: Option<String>,
    contact: Option<String>,
}

pub(super) async fn add(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<ResourceForm>,
) -> Result<Response, AppError> {
    let n = |field: &'static str, label: &str, v: &Option<String>| count(field, label, v.as_deref().unwrap_or("")).map(|x| x.unwrap_or(0));
    let r = Resource {
        quantity: n("quantity", "数量", &f.quantity)?,
        minimum: n("minimum", "最低储备", &f.minimum)?,
        capacity: n("capacity", "容量", &f.capacity)?,
        kind: f.kind,
        name: f.name,
        town: f.town.unwrap_or_default(),
        field: f.field.unwrap_or_default(),
        unit: f.unit.unwrap_or_default(),
        contact: f.contact.unwrap_or_default(),
        ..Default::default()
    };
    app::emergency::resources::add(&state.app, &s.actor, &r).await?;
    Ok(Redirect::to("/emergency/resources").into_response())
}
