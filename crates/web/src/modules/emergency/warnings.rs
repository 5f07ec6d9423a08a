//! Warnings (4.3): the list and the drafting form, a warning's page with its
//! transitions (edit and submit a draft, approve, issue, adjust, lift) and
//! its 4.3.3 measures.

use app::emergency::warnings as uc;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use emergency::{Rules, WarningAction, WarningState};
use store::emergency::{Adjustment, Measure, Warning, WarningDetail};

use super::{FormPairs, areas, form_time, rules};
use crate::AppState;
use crate::auth::{Authed, Session};
use crate::display::filters;
use crate::error::AppError;
use crate::form::{FormData, FormErrors};
use crate::render::{Page, html};

/// A warning level as a form offers it.
struct LevelChoice {
    level: u8,
    label: String,
}

fn level_choices(r: &Rules, long: bool) -> Vec<LevelChoice> {
    r.warning_levels()
        .iter()
        .map(|w| LevelChoice {
            level: w.level,
            label: if long { format!("{}（{}，{}）", w.label, w.name, w.colour) } else { format!("{}（{}）", w.label, w.colour) },
        })
        .collect()
}

/// The drafting form (拟制预警), for a new warning and for editing a draft:
/// the policy's choices, what was typed (nothing preselected: the level,
/// channels and groups are chosen, never defaulted), and what is wrong.
pub(super) struct DraftForm {
    action: String,
    types: Vec<String>,
    areas: Vec<String>,
    levels: Vec<LevelChoice>,
    channels: Vec<String>,
    targeted: Vec<String>,
    places: Vec<String>,
    data: FormData,
    errors: FormErrors,
}

impl DraftForm {
    fn new(state: &AppState, r: &Rules, action: String, data: FormData, errors: FormErrors) -> DraftForm {
        let p = &r.publication;
        DraftForm {
            action,
            types: r.incident_types.iter().map(|t| t.name.clone()).collect(),
            areas: areas(state),
            levels: level_choices(r, true),
            channels: p.channels.clone(),
            targeted: vec![format!("{}等特殊人群", p.targeted_groups.join("、"))],
            places: p.targeted_places.clone(),
            data,
            errors,
        }
    }

    fn v(&self, name: &str) -> &str {
        self.data.get(name)
    }

    fn ticked(&self, name: &str, value: &str) -> bool {
        self.data.all(name).contains(&value)
    }

    fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name)
    }
}

/// A stored draft as the form shows it (times as `datetime-local` values).
fn draft_data(w: &Warning) -> FormData {
    let local = |t: &Option<String>| t.as_deref().and_then(|t| t.get(..16)).unwrap_or("").to_string();
    let mut pairs = vec![
        ("headline".to_string(), w.headline.clone()),
        ("incident_type".into(), w.incident_type.clone()),
        ("level".into(), w.level.to_string()),
        ("description".into(), w.description.clone()),
        ("duration".into(), w.duration.clone()),
        ("heed".into(), w.heed.clone()),
        ("instruction".into(), w.instruction.clone()),
        ("onset".into(), local(&w.onset)),
        ("expires".into(), local(&w.expires)),
    ];
    for (name, joined) in [("areas", &w.areas), ("channels", &w.channels), ("targeted", &w.targeted), ("places", &w.places)] {
        pairs.extend(store::emergency::split_units(joined).into_iter().map(|x| (name.to_string(), x)));
    }
    if w.drill {
        pairs.push(("drill".into(), "1".into()));
    }
    FormData::from_pairs(pairs)
}

#[derive(Template)]
#[template(path = "emergency/warnings.html")]
struct Warnings {
    page: Page,
    warnings: Vec<Warning>,
    form: Option<DraftForm>,
}

async fn list_page(state: &AppState, s: &Session, data: FormData, errors: FormErrors) -> Result<Response, AppError> {
    let r = rules(state)?;
    let form = s.can(state, emergency::WARNING_DRAFT).then(|| DraftForm::new(state, &r, "/emergency/warnings".into(), data, errors));
    Ok(html(&Warnings { page: Page::new("预警信息", Some(s)), warnings: state.store.emergency_warnings(false).await?, form }))
}

pub(super) async fn list(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    list_page(&state, &s, FormData::default(), FormErrors::default()).await
}

/// The warning a drafting form describes, or the fields that do not fit.
fn typed_warning(f: &FormData) -> Result<Warning, FormErrors> {
    let mut errors = FormErrors::default();
    let level = match f.get("level").trim() {
        "" => {
            errors.push("level", "请选择预警级别");
            0
        }
        l => l.parse().unwrap_or_else(|_| {
            errors.push("level", "请从列表中选择预警级别");
            0
        }),
    };
    let mut time = |field: &'static str, label: &str| match form_time(field, label, f.get(field)) {
        Ok(t) => t,
        Err(e) => {
            errors.push(field, e.to_string());
            None
        }
    };
    let onset = time("onset", "生效时间");
    let expires = time("expires", "失效时间");
    let joined = |name: &str| f.all(name).join("、");
    if f.all("areas").is_empty() {
        errors.push("areas", "请选择预警区域");
    }
    if f.all("channels").is_empty() {
        errors.push("channels", "请选择发布渠道");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Warning {
        incident_type: f.get("incident_type").trim().to_string(),
        level,
        headline: f.get("headline").trim().to_string(),
        description: f.get("description").trim().to_string(),
        duration: f.get("duration").trim().to_string(),
        heed: f.get("heed").trim().to_string(),
        instruction: f.get("instruction").trim().to_string(),
        onset,
        expires,
        areas: joined("areas"),
        channels: joined("channels"),
        targeted: joined("targeted"),
        places: joined("places"),
        drill: f.checked("drill"),
        ..Default::default()
    })
}

/// A rejected form answers 400 with the form again.
fn rejected(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::BAD_REQUEST;
    r
}

pub(super) async fn create(State(state): State<AppState>, Authed(s): Authed, f: FormData) -> Result<Response, AppError> {
    let outcome = match typed_warning(&f) {
        Ok(w) => uc::draft(&state.app, &s.actor, w).await.map_err(|e| FormErrors::from_error(e.into())),
        Err(errors) => Err(Ok(errors)),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response()),
        Err(Ok(errors)) => Ok(rejected(list_page(&state, &s, f, errors).await?)),
        Err(Err(fault)) => Err(fault),
    }
}

/// Edit a draft (before it is submitted for approval).
pub(super) async fn edit(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>, f: FormData) -> Result<Response, AppError> {
    let outcome = match typed_warning(&f) {
        Ok(w) => uc::edit(&state.app, &s.actor, id, w).await.map_err(|e| FormErrors::from_error(e.into())),
        Err(errors) => Err(Ok(errors)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response()),
        Err(Ok(errors)) => Ok(rejected(detail_page(&state, &s, id, Some((f, errors))).await?)),
        Err(Err(fault)) => Err(fault),
    }
}

/// A 4.3.3 measure with whether the user may tick it.
struct MeasureRow {
    m: Measure,
    may_tick: bool,
}

#[derive(Template)]
#[template(path = "emergency/warning.html")]
struct WarningPage {
    page: Page,
    d: WarningDetail,
    measures: Vec<MeasureRow>,
    level: String,
    levels: Vec<LevelChoice>,
    can_submit: bool,
    can_approve: bool,
    can_publish: bool,
    /// The drafting form, on a draft for those who draft.
    form: Option<DraftForm>,
    /// What issuing sends where, for the confirmation.
    issue_confirm: String,
}

impl WarningPage {
    fn is(&self, s: &str) -> bool {
        self.d.warning.state.as_str() == s
    }
    fn live(&self) -> bool {
        self.d.warning.state.is_current()
    }
    fn open(&self) -> bool {
        self.d.warning.state != WarningState::Lifted
    }
}

async fn detail_page(state: &AppState, s: &Session, id: i64, typed: Option<(FormData, FormErrors)>) -> Result<Response, AppError> {
    let r = rules(state)?;
    let d = state.store.emergency_warning_detail(id).await?;
    let lvl = u8::try_from(d.warning.level).ok().and_then(|l| r.warning_level(l));
    let level = lvl.map(|w| format!("{}（{}预警）", w.label, w.colour)).unwrap_or_else(|| d.warning.level.to_string());
    let channels = store::emergency::split_units(&d.warning.channels).len();
    let issue_confirm = format!(
        "将向 {channels} 个渠道发布{}预警{}，发布后即向社会公开，不能撤回。",
        lvl.map(|w| format!("{}（{}）", w.label, w.colour)).unwrap_or_default(),
        if d.warning.drill { "（演练）" } else { "" }
    );
    let measures =
        d.measures.iter().map(|m| MeasureRow { may_tick: uc::may_tick(&state.app, &s.actor, m.assignee_units()), m: m.clone() }).collect();
    let may_draft = s.can(state, emergency::WARNING_DRAFT);
    let form = (d.warning.state == WarningState::Draft && may_draft).then(|| {
        let (data, errors) = typed.unwrap_or_else(|| (draft_data(&d.warning), FormErrors::default()));
        DraftForm::new(state, &r, format!("/emergency/warnings/{id}/edit"), data, errors)
    });
    Ok(html(&WarningPage {
        page: Page::new(&d.warning.headline, Some(s)),
        level,
        levels: level_choices(&r, false),
        can_submit: may_draft,
        can_approve: s.can(state, WarningAction::Approve.action()),
        can_publish: s.can(state, WarningAction::Issue.action()),
        measures,
        form,
        issue_confirm,
        d,
    }))
}

pub(super) async fn detail(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    detail_page(&state, &s, id, None).await
}

pub(super) async fn action(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let action: WarningAction = action.parse().map_err(|_| AppError::NotFound(kernel::echo(&action).into_owned()))?;
    let adjust = if action == WarningAction::Adjust {
        let f = FormPairs::parse(&body);
        let cur = state.store.emergency_warning(id).await?;
        let or = |k: &str, d: &str| {
            let v = f.get(k);
            if v.is_empty() { d.to_string() } else { v }
        };
        Some(Adjustment {
            level: f.get("level").parse().unwrap_or(cur.level),
            headline: or("headline", &cur.headline),
            description: or("description", &cur.description),
            instruction: or("instruction", &cur.instruction),
            expires: form_time("expires", "失效时间", &f.get("expires"))?.or(cur.expires.clone()),
        })
    } else {
        None
    };
    uc::transition(&state.app, &s.actor, id, action, adjust).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}

pub(super) async fn tick_measure(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, n)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    uc::tick_measure(&state.app, &s.actor, id, n).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}

/// 4.3.3: assign a measure to units (`units` repeated, or one line joined with 、).
pub(super) async fn assign_measure(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, n)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = FormPairs::parse(&body);
    let units: Vec<String> = f.all("units").iter().flat_map(|u| store::emergency::split_units(u)).collect();
    uc::assign_measure(&state.app, &s.actor, id, n, &units).await?;
    Ok(Redirect::to(&format!("/emergency/warnings/{id}")).into_response())
}
