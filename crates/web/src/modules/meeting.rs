//! 住房公积金联席会议 (山政办字〔2022〕19号) over HTTP: the pages and the
//! decide API. Thin: each route is guarded by the duty it needs
//! ([`crate::auth::guard`]), parses its input, calls a use case of
//! [`app::meeting`] (which checks the meeting itself, asks the engine and
//! writes), and renders named view structs.
//!
//! | route | duty (route level) | object |
//! | --- | --- | --- |
//! | `GET /meeting` | `meeting.read` | the list holds only meetings the grant covers |
//! | `POST /meeting` | `meeting.propose` | a member unit in its own name, the office for any |
//! | `GET /meeting/{id}`, materials, minutes | `meeting.read` | the meeting's member units |
//! | `POST /meeting/{id}/…` | `meeting.run` | the office |
//! | `POST /meeting/representatives` | `meeting.representatives` | the office |
//! | `POST /api/v1/meeting/decide` | none (a calculation over the body; reads and writes nothing) | |

use access::Action::{MeetingPropose, MeetingRead, MeetingRepresentatives, MeetingRun};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use store::documents::{self, MAX_BYTES};

use crate::AppState;
use crate::auth::{Authed, guard};
use crate::error::{ApiError, AppError};
use crate::form::{FormData, FormErrors};
use crate::render::{Page, html};

mod views;

use views::{Detail, Index};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meeting", get(index).route_layer(guard(&[MeetingRead])).merge(post(propose).route_layer(guard(&[MeetingPropose]))))
        .route("/meeting/{id}", get(detail).route_layer(guard(&[MeetingRead])))
        .route("/meeting/{id}/advance", post(advance).route_layer(guard(&[MeetingRun])))
        .route(
            "/meeting/{id}/materials",
            // The body may hold one file of the cap and the form around it;
            // a larger one is refused while it streams, naming the cap.
            post(upload).route_layer(guard(&[MeetingRun])).layer(DefaultBodyLimit::max(MAX_BYTES + 1024 * 1024)),
        )
        .route("/meeting/{id}/materials/{mid}", get(download).route_layer(guard(&[MeetingRead])))
        .route("/meeting/{id}/send", post(send_materials).route_layer(guard(&[MeetingRun])))
        .route("/meeting/{id}/attendance", post(attendance).route_layer(guard(&[MeetingRun])))
        .route("/meeting/{id}/votes/{item}", post(votes).route_layer(guard(&[MeetingRun])))
        .route("/meeting/{id}/minutes", get(minutes).route_layer(guard(&[MeetingRead])))
        .route("/meeting/{id}/minutes.pdf", get(minutes_pdf).route_layer(guard(&[MeetingRead])))
        .route("/meeting/representatives", post(change_representative).route_layer(guard(&[MeetingRepresentatives])))
        .route("/api/v1/meeting/decide", post(api_decide))
}

pub async fn public_fragment(_state: &AppState) -> Option<String> {
    None
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/meeting/{id}")).into_response()
}

async fn index(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let o = app::meeting::overview(&state, &s.actor).await?;
    Ok(html(&Index::new(Page::new("住房公积金联席会议", Some(&s)), o)))
}

async fn propose(State(state): State<AppState>, Authed(s): Authed, f: FormData) -> Result<Response, AppError> {
    let p = app::meeting::Proposal {
        title: f.get("title").to_string(),
        proposed_by: f.get("proposed_by").to_string(),
        meeting_date: f.get("meeting_date").to_string(),
        place: f.get("place").to_string(),
        items: f.get("items").lines().map(str::to_string).collect(),
    };
    match app::meeting::propose(&state, &s.actor, &p).await.map_err(AppError::from) {
        Ok(id) => Ok(back(id)),
        Err(e @ (AppError::Field { .. } | AppError::BadRequest(_))) => {
            let o = app::meeting::overview(&state, &s.actor).await?;
            let mut page = Index::new(Page::new("住房公积金联席会议", Some(&s)), o);
            page.errors = FormErrors::from_error(e)?;
            page.data = f;
            let mut r = html(&page);
            *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn detail(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let v = app::meeting::meeting(&state, &s.actor, id).await?;
    let page = Page::new(&v.detail.meeting.title, Some(&s));
    Ok(html(&Detail::new(page, v)))
}

#[derive(Deserialize)]
struct AdvanceForm {
    /// The meeting's version the page showed.
    version: Option<i64>,
    summary: Option<String>,
}

fn version(v: Option<i64>) -> Result<i64, AppError> {
    v.ok_or_else(|| AppError::Field { field: "version".into(), message: "缺少会议版本号，请从会议页面提交".into() })
}

/// One step of the procedure; the engine checks what it needs first.
async fn advance(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AdvanceForm>,
) -> Result<Response, AppError> {
    let input = app::meeting::AdvanceInput { version: version(f.version)?, summary: f.summary };
    app::meeting::advance(&state, &s.actor, id, &input).await?;
    Ok(back(id))
}

/// The `file` fields of the form, each read up to the cap and refused past it by name.
async fn uploaded(mut mp: Multipart) -> Result<Vec<app::meeting::Upload>, AppError> {
    let field_error = |message: String| AppError::Field { field: "file".into(), message };
    let refuse = |e: axum::extract::multipart::MultipartError, name: &str| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            field_error(documents::too_large(name))
        } else {
            field_error(e.body_text())
        }
    };
    let mut out = Vec::new();
    while let Some(mut field) = mp.next_field().await.map_err(|e| refuse(e, "上传的文件"))? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("材料").to_string();
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| refuse(e, &name))? {
            if data.len() + chunk.len() > MAX_BYTES {
                return Err(field_error(documents::too_large(&name)));
            }
            data.extend_from_slice(&chunk);
        }
        if !data.is_empty() {
            out.push(app::meeting::Upload { filename: name, data });
        }
    }
    Ok(out)
}

async fn upload(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>, mp: Multipart) -> Result<Response, AppError> {
    let files = uploaded(mp).await?;
    app::meeting::upload_materials(&state, &s.actor, id, &files).await?;
    Ok(back(id))
}

/// A material as an attachment, of the type the server decided, never sniffed.
async fn download(State(state): State<AppState>, Authed(s): Authed, Path((id, mid)): Path<(i64, i64)>) -> Result<Response, AppError> {
    let f = app::meeting::material(&state, &s.actor, id, mid).await?;
    let mut r = crate::export::attachment_response(&f.filename, f.data);
    r.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(r)
}

#[derive(Deserialize)]
struct SendForm {
    sent_on: String,
    version: Option<i64>,
}

async fn send_materials(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<SendForm>,
) -> Result<Response, AppError> {
    let input = app::meeting::SendInput { sent_on: f.sent_on, version: version(f.version)? };
    app::meeting::send_materials(&state, &s.actor, id, &input).await?;
    Ok(back(id))
}

/// The value of `key` in a form sent as pairs.
fn field<'a>(f: &'a [(String, String)], key: &str) -> &'a str {
    f.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
}

/// Attendance form: `status:<unit>`, `attendee:<unit>`, `opinion:<unit>` per member unit.
async fn attendance(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let rows: Vec<app::meeting::AttendanceRow> = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("status:").map(|u| (u, v)))
        .map(|(u, status)| app::meeting::AttendanceRow {
            unit: u.to_string(),
            status: status.clone(),
            attendee: field(&f, &format!("attendee:{u}")).to_string(),
            opinion: field(&f, &format!("opinion:{u}")).to_string(),
        })
        .collect();
    app::meeting::record_attendance(&state, &s.actor, id, &rows).await?;
    Ok(back(id))
}

/// Votes form: `vote:<unit>` = for | against | abstain | "" (no vote).
async fn votes(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, item)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let rows: Vec<app::meeting::VoteRow> = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("vote:").map(|u| app::meeting::VoteRow { unit: u.to_string(), vote: v.clone() }))
        .collect();
    app::meeting::record_votes(&state, &s.actor, id, item, &rows).await?;
    Ok(back(id))
}

async fn minutes(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let doc = app::meeting::minutes(&state, &s.actor, id).await?.minutes.html();
    // The minutes' own stylesheet already hides `.noprint` when printing.
    let toolbar = "<body>\n<script src=\"/static/app.js\" defer></script><p class=\"noprint\"><button type=\"button\" data-print>打印</button> <a id=\"minutes-pdf\" href=\"minutes.pdf\">下载 PDF</a> <a href=\"./\">返回会议</a></p>";
    Ok(crate::security::printable_page(doc.replacen("<body>", toolbar, 1)))
}

async fn minutes_pdf(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let doc = app::meeting::minutes(&state, &s.actor, id).await?;
    Ok(crate::export::pdf_response(&format!("{}.pdf", doc.number), &doc.minutes.html()).await)
}

#[derive(Deserialize)]
struct RepForm {
    unit: String,
    person: String,
    #[serde(default)]
    post: String,
    from: String,
}

async fn change_representative(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<RepForm>,
) -> Result<Response, AppError> {
    let r = app::meeting::RepresentativeInput { unit: f.unit, person: f.person, post: f.post, from: f.from };
    app::meeting::change_representative(&state, &s.actor, &r).await?;
    Ok(Redirect::to("/meeting").into_response())
}

/// Decide a joint meeting's quorum and votes (no login; changes nothing): the
/// same JSON in and out as `shanting meeting decide`.
#[utoipa::path(post, path = "/api/v1/meeting/decide", request_body(content = String, content_type = "application/json", description = "member_units, meeting_date, materials_sent_on, attendance, items"),
    responses((status = 200, description = "quorum_met, present_units, quorum_required, notice_ok, items, explanation"), (status = 400, description = "input error naming the field")))]
pub(crate) async fn api_decide(State(state): State<AppState>, body: String) -> Result<Json<serde_json::Value>, ApiError> {
    let req = meeting::parse_request(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let rules = meeting::Rules::load(&state.params, req.meeting_date).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(serde_json::to_value(meeting::decide(&rules, &req)).map_err(|e| AppError::Internal(e.to_string()))?))
}

/// Demo: the member units with their representatives, a past meeting with its
/// minutes, and an upcoming one with materials sent (through the use cases).
pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    Ok(app::meeting::demo::seed(state).await?)
}
