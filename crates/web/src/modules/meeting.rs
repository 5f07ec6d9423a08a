//! 住房公积金联席会议 (山政办字〔2022〕19号): member units and representatives,
//! meetings through the six-step procedure, materials and their delivery,
//! attendance with proxies, votes, results and minutes.
//!
//! Who may do what: the office (办公室, at 枣庄市住房公积金管理中心山亭管理部)
//! and administrators run meetings; any member unit may propose one (四、1);
//! other bureau users may read. The quorum and two-thirds rules are the
//! `meeting` crate's, reached through its JSON contract so that the page, the
//! API and `shanting meeting decide` give the same answer.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use store::Role;
use store::meeting::{Attendance, MeetingDetail, NewMeeting, Representative};

use crate::AppState;
use crate::auth::{Authed, Session};
use crate::error::{ApiError, AppError};
use crate::render::{Page, html};

/// The office that does the joint meeting's daily work (一、组成人员).
pub const OFFICE_UNIT: &str = "枣庄市住房公积金管理中心山亭管理部";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meeting", get(index).post(propose))
        .route("/meeting/{id}", get(detail))
        .route("/meeting/{id}/advance", post(advance))
        .route("/meeting/{id}/materials", post(upload))
        .route("/meeting/{id}/materials/{mid}", get(download))
        .route("/meeting/{id}/send", post(send_materials))
        .route("/meeting/{id}/attendance", post(attendance))
        .route("/meeting/{id}/votes/{item}", post(votes))
        .route("/meeting/{id}/minutes", get(minutes))
        .route("/meeting/{id}/minutes.pdf", get(minutes_pdf))
        .route("/meeting/representatives", post(change_representative))
        .route("/api/v1/meeting/decide", post(api_decide))
}

pub async fn public_fragment(_state: &AppState) -> Option<String> {
    None
}

/// The stage of a stored meeting (the engine's procedure, 四、6).
fn stage_of(key: &str) -> meeting::Stage {
    meeting::Stage::ALL.into_iter().find(|s| s.key() == key).unwrap_or(meeting::Stage::Proposed)
}

fn stage_index(key: &str) -> usize {
    meeting::Stage::ALL.iter().position(|s| s.key() == key).unwrap_or(0)
}

/// A stage's name, with the procedure step (（一）…（六）) where it is one.
fn stage_label(key: &str) -> String {
    let s = stage_of(key);
    match s.procedure_step() {
        Some(n) => format!("（{}）{}", meeting::chinese_number(n), s.label()),
        None => s.label().to_string(),
    }
}

fn can_manage(s: &Session) -> bool {
    s.user.role == Role::Admin || (s.user.role == Role::Bureau && s.user.department.as_deref() == Some(OFFICE_UNIT))
}

fn require_manage(s: &Session) -> Result<(), AppError> {
    if can_manage(s) { Ok(()) } else { Err(AppError::Forbidden("只有联席会议办公室可以办理会议事务".into())) }
}

fn require_read(s: &Session) -> Result<(), AppError> {
    s.require(&[Role::Admin, Role::Bureau])
}

/// The rules in force on `on`, via the engine's contract: a decide request as JSON.
fn decide_json(state: &AppState, req: &serde_json::Value) -> Result<serde_json::Value, AppError> {
    let text = req.to_string();
    let parsed = meeting::parse_request(&text).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let date = req["meeting_date"].as_str().and_then(|d| kernel::parse_date(d).ok()).unwrap_or_else(store::today);
    let rules = meeting::Rules::load(&state.params, date).map_err(|e| AppError::Internal(e.to_string()))?;
    serde_json::to_value(meeting::decide(&rules, &parsed)).map_err(|e| AppError::Internal(e.to_string()))
}

/// The decide request a stored meeting amounts to.
fn request_of(d: &MeetingDetail, units: &[String]) -> serde_json::Value {
    let attendance: serde_json::Map<String, serde_json::Value> =
        d.attendance.iter().map(|a| (a.unit.clone(), a.status.clone().into())).collect();
    let items: Vec<serde_json::Value> = d
        .items
        .iter()
        .map(|i| {
            let votes: serde_json::Map<String, serde_json::Value> = i.votes.iter().map(|(u, v)| (u.clone(), v.clone().into())).collect();
            serde_json::json!({"title": i.title, "votes": votes})
        })
        .collect();
    serde_json::json!({
        "member_units": units,
        "meeting_date": d.meeting.meeting_date,
        "materials_sent_on": d.meeting.materials_sent_on.clone().unwrap_or_else(|| d.meeting.meeting_date.clone()),
        "attendance": attendance,
        "items": items,
    })
}

async fn unit_names(state: &AppState) -> Result<Vec<String>, AppError> {
    Ok(state.store.meeting_units().await?.into_iter().map(|u| u.name).collect())
}

#[derive(Template)]
#[template(path = "meeting/index.html")]
struct Index {
    page: Page,
    units: Vec<store::meeting::Unit>,
    reps: Vec<Representative>,
    meetings: Vec<store::meeting::Meeting>,
    reminder: Option<String>,
    can_manage: bool,
    today: String,
}

impl Index {
    fn current_rep(&self, unit: &str) -> String {
        self.reps
            .iter()
            .filter(|r| r.unit == unit && r.to_date.is_none())
            .map(|r| format!("{}（{}）", r.person, r.post))
            .collect::<Vec<_>>()
            .join("、")
    }

    fn label(&self, stage: &str) -> String {
        stage_label(stage)
    }
}

async fn index(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    require_read(&s)?;
    let today = store::today();
    let last = state.store.meeting_last_held().await?;
    let overdue = match last.as_deref().and_then(|d| kernel::parse_date(d).ok()) {
        Some(d) => d.checked_add(jiff::Span::new().years(1)).is_ok_and(|due| due < today),
        None => true,
    };
    let reminder = overdue.then(|| match &last {
        Some(d) => format!("距上次召开联席会议（{d}）已超过一年。联席会议原则上每年至少召开一次（山政办字〔2022〕19号 四、1）。"),
        None => "尚无已召开的联席会议记录。联席会议原则上每年至少召开一次（山政办字〔2022〕19号 四、1）。".into(),
    });
    let page = Page::new("住房公积金联席会议", Some(&s));
    Ok(html(&Index {
        can_manage: can_manage(&s),
        units: state.store.meeting_units().await?,
        reps: state.store.meeting_representatives().await?,
        meetings: state.store.meetings().await?,
        reminder,
        page,
        today: today.to_string(),
    }))
}

#[derive(Deserialize)]
struct ProposeForm {
    title: String,
    proposed_by: String,
    meeting_date: String,
    place: String,
    items: String,
}

async fn propose(State(state): State<AppState>, Authed(s): Authed, axum::Form(f): axum::Form<ProposeForm>) -> Result<Response, AppError> {
    require_read(&s)?;
    let units = unit_names(&state).await?;
    if !units.contains(&f.proposed_by) {
        return Err(AppError::BadRequest(format!("提议单位“{}”不是联席会议成员单位", f.proposed_by)));
    }
    if !can_manage(&s) && s.user.department.as_deref() != Some(f.proposed_by.as_str()) {
        return Err(AppError::Forbidden("只能以本单位名义提议召开会议".into()));
    }
    let date = kernel::parse_date(&f.meeting_date).map_err(|e| AppError::BadRequest(format!("会议日期：{e}")))?;
    let m = NewMeeting {
        title: f.title,
        proposed_by: f.proposed_by,
        proposed_on: store::today().to_string(),
        meeting_date: date.to_string(),
        place: f.place,
        items: f.items.lines().map(str::to_string).collect(),
    };
    let id = state.store.meeting_create(&s.user.username, &m).await?;
    Ok(Redirect::to(&format!("/meeting/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "meeting/detail.html")]
struct Detail {
    page: Page,
    d: MeetingDetail,
    units: Vec<String>,
    stage: usize,
    decision: Option<serde_json::Value>,
    notice: Option<(bool, String)>,
    can_manage: bool,
    today: String,
}

impl Detail {
    fn stages(&self) -> Vec<String> {
        meeting::Stage::ALL.iter().map(|s| stage_label(s.key())).collect()
    }

    fn next_label(&self) -> String {
        meeting::Stage::ALL.get(self.stage + 1).map(|s| stage_label(s.key())).unwrap_or_default()
    }

    fn attendance_of(&self, unit: &str) -> Option<&Attendance> {
        self.d.attendance.iter().find(|a| a.unit == unit)
    }

    /// A unit's recorded attendance; before anything is recorded the form starts from "present".
    fn status_of(&self, unit: &str) -> &str {
        match self.attendance_of(unit) {
            Some(a) => a.status.as_str(),
            None if self.d.attendance.is_empty() => "present",
            None => "absent",
        }
    }

    fn vote_of(&self, item: &store::meeting::Item, unit: &str) -> String {
        item.votes.iter().find(|(u, _)| u == unit).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// The engine's result for item `idx`, in one line.
    fn item_line(&self, idx: &usize) -> Option<String> {
        let idx = *idx;
        let r = self.decision.as_ref().and_then(|d| d["items"].get(idx))?;
        let invalid: Vec<&str> = r["invalid_votes"].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
        Some(format!(
            "赞成 {}，反对 {}，弃权 {}；通过需 {}：{}{}",
            r["votes_for"],
            r["votes_against"],
            r["abstentions"],
            r["votes_required"],
            if r["passed"].as_bool() == Some(true) { "通过" } else { "未通过" },
            if invalid.is_empty() { String::new() } else { format!("。无效表决：{}", invalid.join("、")) }
        ))
    }

    fn explanation(&self) -> Vec<String> {
        self.decision
            .as_ref()
            .and_then(|d| d["explanation"].as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    fn quorum(&self) -> String {
        match &self.decision {
            Some(d) => format!(
                "出席（含委托）{} 个单位，法定人数 {} 个：{}",
                d["present_units"],
                d["quorum_required"],
                if d["quorum_met"].as_bool() == Some(true) { "达到" } else { "未达到" }
            ),
            None => String::new(),
        }
    }
}

async fn detail_page(state: &AppState, s: &Session, id: i64) -> Result<Detail, AppError> {
    let d = state.store.meeting_detail(id).await?;
    let units = unit_names(state).await?;
    let stage = stage_index(&d.meeting.stage);
    let decision = if d.attendance.is_empty() { None } else { Some(decide_json(state, &request_of(&d, &units))?) };
    let notice = match (&d.meeting.materials_sent_on, &decision) {
        (Some(sent), Some(dec)) => Some((dec["notice_ok"].as_bool() == Some(true), sent.clone())),
        (Some(sent), None) => {
            let ok = decide_json(
                state,
                &serde_json::json!({"member_units": units, "meeting_date": d.meeting.meeting_date, "materials_sent_on": sent, "attendance": {}, "items": []}),
            )?;
            Some((ok["notice_ok"].as_bool() == Some(true), sent.clone()))
        }
        _ => None,
    };
    Ok(Detail {
        page: Page::new(&d.meeting.title, Some(s)),
        can_manage: can_manage(s),
        units,
        stage,
        decision,
        notice,
        d,
        today: store::today().to_string(),
    })
}

async fn detail(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    require_read(&s)?;
    Ok(html(&detail_page(&state, &s, id).await?))
}

#[derive(Deserialize)]
struct AdvanceForm {
    summary: Option<String>,
}

/// One step of the procedure. Each step checks what it needs first.
async fn advance(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AdvanceForm>,
) -> Result<Response, AppError> {
    require_manage(&s)?;
    let d = state.store.meeting_detail(id).await?;
    let cur = d.meeting.stage.clone();
    let who = &s.user.username;
    match cur.as_str() {
        "proposed" => state.store.meeting_set_stage(who, id, "proposed", "called").await?,
        "called" => return Err(AppError::BadRequest("请先发送会议议题和材料".into())),
        "materials_sent" => {
            if d.attendance.is_empty() {
                return Err(AppError::BadRequest("请先登记出席情况".into()));
            }
            state.store.meeting_set_stage(who, id, "materials_sent", "opened").await?
        }
        "opened" => state.store.meeting_set_stage(who, id, "opened", "reported").await?,
        "reported" => state.store.meeting_set_stage(who, id, "reported", "discussed").await?,
        "discussed" => {
            if d.items.iter().any(|i| i.votes.is_empty()) {
                return Err(AppError::BadRequest("每项议题都须先登记表决".into()));
            }
            state.store.meeting_set_stage(who, id, "discussed", "voted").await?
        }
        "voted" => {
            let units = unit_names(&state).await?;
            let dec = decide_json(&state, &request_of(&d, &units))?;
            let results: Vec<(i64, String)> = d
                .items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    let r = &dec["items"][i];
                    let text = format!(
                        "{}（赞成 {}，反对 {}，弃权 {}，通过需 {}）",
                        if r["passed"].as_bool() == Some(true) { "通过" } else { "未通过" },
                        r["votes_for"],
                        r["votes_against"],
                        r["abstentions"],
                        r["votes_required"]
                    );
                    (it.id, text)
                })
                .collect();
            state.store.meeting_set_results(who, id, &results).await?;
            state.store.meeting_set_stage(who, id, "voted", "announced").await?
        }
        "announced" => {
            let summary = f.summary.unwrap_or_default();
            if summary.trim().is_empty() {
                return Err(AppError::BadRequest("请填写召集人总结".into()));
            }
            state.store.meeting_set_summary(who, id, summary.trim()).await?;
            state.store.meeting_set_stage(who, id, "announced", "summarised").await?
        }
        "summarised" => {
            state.store.meeting_issue_minutes(who, id, &store::today().to_string()).await?;
        }
        _ => return Err(AppError::BadRequest("会议已结束".into())),
    }
    Ok(Redirect::to(&format!("/meeting/{id}")).into_response())
}

async fn upload(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>, mut mp: Multipart) -> Result<Response, AppError> {
    require_manage(&s)?;
    for (name, ctype, bytes) in crate::export::uploaded_files(&mut mp).await? {
        state.store.meeting_add_material(&s.user.username, id, &name, &ctype, &bytes).await?;
    }
    Ok(Redirect::to(&format!("/meeting/{id}")).into_response())
}

async fn download(State(state): State<AppState>, Authed(s): Authed, Path((id, mid)): Path<(i64, i64)>) -> Result<Response, AppError> {
    require_read(&s)?;
    let (name, _uploaders_type, data) = state.store.meeting_material(id, mid).await?;
    Ok(crate::export::attachment_response(&name, data))
}

#[derive(Deserialize)]
struct SendForm {
    sent_on: String,
}

async fn send_materials(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<SendForm>,
) -> Result<Response, AppError> {
    require_manage(&s)?;
    let d = kernel::parse_date(&f.sent_on).map_err(|e| AppError::BadRequest(format!("发送日期：{e}")))?;
    state.store.meeting_send_materials(&s.user.username, id, &d.to_string()).await?;
    Ok(Redirect::to(&format!("/meeting/{id}")).into_response())
}

/// Attendance form: `status:<unit>`, `attendee:<unit>`, `opinion:<unit>` per member unit.
async fn attendance(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_manage(&s)?;
    let get = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let rows: Vec<Attendance> = unit_names(&state)
        .await?
        .into_iter()
        .map(|u| {
            let status = get(&format!("status:{u}"));
            Attendance {
                status: if status.is_empty() { "absent".into() } else { status },
                attendee: get(&format!("attendee:{u}")),
                opinion: get(&format!("opinion:{u}")),
                unit: u,
            }
        })
        .collect();
    state.store.meeting_record_attendance(&s.user.username, id, &rows).await?;
    Ok(Redirect::to(&format!("/meeting/{id}")).into_response())
}

/// Votes form: `vote:<unit>` = for | against | abstain | "" (no vote).
async fn votes(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path((id, item)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_manage(&s)?;
    let votes: Vec<(String, String)> =
        f.iter().filter_map(|(k, v)| k.strip_prefix("vote:").filter(|_| !v.is_empty()).map(|u| (u.to_string(), v.clone()))).collect();
    state.store.meeting_record_votes(&s.user.username, id, item, &votes).await?;
    Ok(Redirect::to(&format!("/meeting/{id}")).into_response())
}

/// The minutes (会议纪要) as the engine compiles them from the stored meeting.
async fn minutes_html(state: &AppState, id: i64) -> Result<(String, String), AppError> {
    let d = state.store.meeting_detail(id).await?;
    let Some(number) = d.meeting.minutes_number.clone() else {
        return Err(AppError::BadRequest("会议纪要尚未印发".into()));
    };
    let units = unit_names(state).await?;
    let reps = state.store.meeting_representatives().await?;
    let date = &d.meeting.meeting_date;
    let rep_on = |unit: &str, role: Option<&str>| {
        reps.iter()
            .find(|r| {
                (r.unit == unit || role.is_some_and(|x| r.role == x))
                    && r.from_date.as_str() <= date.as_str()
                    && r.to_date.as_deref().is_none_or(|t| t >= date.as_str())
            })
            .map(|r| r.person.clone())
            .unwrap_or_default()
    };
    let req_json = request_of(&d, &units);
    let req = meeting::parse_request(&req_json.to_string()).map_err(|e| AppError::Internal(e.to_string()))?;
    let on = kernel::parse_date(date).map_err(AppError::Internal)?;
    let rules = meeting::Rules::load(&state.params, on).map_err(|e| AppError::Internal(e.to_string()))?;
    let decision = meeting::decide(&rules, &req);
    let details = meeting::MinutesDetails {
        title: d.meeting.title.clone(),
        number: Some(number.clone()),
        place: d.meeting.place.clone(),
        chair: rep_on("", Some("召集人")),
        issued_on: d.meeting.minutes_issued_on.as_deref().and_then(|x| kernel::parse_date(x).ok()),
        attendees: d
            .attendance
            .iter()
            .map(|a| meeting::Attendee {
                unit: a.unit.clone(),
                person: if a.attendee.is_empty() { rep_on(&a.unit, None) } else { a.attendee.clone() },
                opinion: a.opinion.clone(),
            })
            .collect(),
        resolutions: d.items.iter().map(|i| i.result.clone()).collect(),
        summary: d.meeting.summary.clone(),
    };
    let m = meeting::Minutes::build(&rules, &req, &decision, &details).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((number, m.html()))
}

async fn minutes(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    require_read(&s)?;
    let (_, doc) = minutes_html(&state, id).await?;
    // The minutes' own stylesheet already hides `.noprint` when printing.
    let toolbar = "<body>\n<script src=\"/static/app.js\" defer></script><p class=\"noprint\"><button type=\"button\" data-print>打印</button> <a id=\"minutes-pdf\" href=\"minutes.pdf\">下载 PDF</a> <a href=\"./\">返回会议</a></p>";
    Ok(crate::security::printable_page(doc.replacen("<body>", toolbar, 1)))
}

async fn minutes_pdf(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    require_read(&s)?;
    let (number, doc) = minutes_html(&state, id).await?;
    Ok(crate::export::pdf_response(&format!("{number}.pdf"), &doc).await)
}

#[derive(Deserialize)]
struct RepForm {
    unit: String,
    person: String,
    post: String,
    from: String,
}

async fn change_representative(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(f): axum::Form<RepForm>,
) -> Result<Response, AppError> {
    require_manage(&s)?;
    if !unit_names(&state).await?.contains(&f.unit) {
        return Err(AppError::BadRequest(format!("“{}”不是联席会议成员单位", f.unit)));
    }
    if f.person.trim().is_empty() {
        return Err(AppError::BadRequest("请填写新代表姓名".into()));
    }
    let from = kernel::parse_date(&f.from).map_err(|e| AppError::BadRequest(format!("任职日期：{e}")))?;
    state.store.meeting_change_representative(&s.user.username, &f.unit, f.person.trim(), f.post.trim(), from).await?;
    Ok(Redirect::to("/meeting").into_response())
}

/// Decide a joint meeting's quorum and votes (no login; changes nothing): the
/// same JSON in and out as `shanting meeting decide`.
#[utoipa::path(post, path = "/api/v1/meeting/decide", request_body(content = String, content_type = "application/json", description = "member_units, meeting_date, materials_sent_on, attendance, items"),
    responses((status = 200, description = "quorum_met, present_units, quorum_required, notice_ok, items, explanation"), (status = 400, description = "input error naming the field")))]
pub(crate) async fn api_decide(State(state): State<AppState>, body: String) -> Result<Json<serde_json::Value>, ApiError> {
    let req = meeting::parse_request(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let date = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["meeting_date"].as_str().and_then(|d| kernel::parse_date(d).ok()))
        .unwrap_or_else(store::today);
    let rules = meeting::Rules::load(&state.params, date).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(serde_json::to_value(meeting::decide(&rules, &req)).map_err(|e| AppError::Internal(e.to_string()))?))
}

/// Demo: the nine member units with their 2022 representatives, a past meeting
/// with its minutes, and an upcoming one with materials sent.
pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    let rules = meeting::Rules::load(&state.params, store::today()).map_err(|e| AppError::Internal(e.to_string()))?;
    let units = rules.members.clone();
    let group = state.district.group("housing_fund_joint_meeting").ok_or_else(|| AppError::Internal("缺少联席会议成员名单".into()))?;
    let canonical = |u: &str| state.district.department(u).map(|d| d.name.clone()).unwrap_or_else(|| u.to_string());
    let reps: Vec<Representative> = group
        .members
        .iter()
        .filter(|m| m.role != "办公室主任")
        .filter_map(|m| {
            let unit = units.iter().find(|u| canonical(u) == canonical(&m.unit))?;
            Some(Representative {
                id: 0,
                unit: unit.clone(),
                person: m.person.clone(),
                post: m.post.clone(),
                role: m.role.clone(),
                from_date: m.from.to_string(),
                to_date: None,
            })
        })
        .collect();
    let notes: Vec<(String, String)> = units.iter().map(|u| (u.clone(), String::new())).collect();
    state.store.meeting_seed_units(&notes, &reps).await?;
    if !state.store.meetings().await?.is_empty() {
        return Ok(());
    }
    let actor = "demo";
    // A past meeting, carried through the whole procedure.
    let past = state
        .store
        .meeting_create(
            actor,
            &NewMeeting {
                title: "2022年第一次住房公积金联席会议".into(),
                proposed_by: OFFICE_UNIT.into(),
                proposed_on: "2022-11-01".into(),
                meeting_date: "2022-11-25".into(),
                place: "区政府三楼会议室".into(),
                items: vec!["关于建立住房公积金缴存扩面联合督导机制的议题".into(), "关于住房公积金违规提取联合查处工作方案的议题".into()],
            },
        )
        .await?;
    state.store.meeting_set_stage(actor, past, "proposed", "called").await?;
    state.store.meeting_send_materials(actor, past, "2022-11-18").await?;
    let att: Vec<Attendance> = units
        .iter()
        .enumerate()
        .map(|(i, u)| match i {
            3 => Attendance {
                unit: u.clone(),
                status: "proxy".into(),
                attendee: "财政局科员 李明".into(),
                opinion: "同意两项议题，建议明确督导频次。".into(),
            },
            8 => Attendance { unit: u.clone(), status: "absent".into(), attendee: String::new(), opinion: String::new() },
            _ => Attendance { unit: u.clone(), status: "present".into(), attendee: String::new(), opinion: String::new() },
        })
        .collect();
    state.store.meeting_record_attendance(actor, past, &att).await?;
    for st in [("materials_sent", "opened"), ("opened", "reported"), ("reported", "discussed")] {
        state.store.meeting_set_stage(actor, past, st.0, st.1).await?;
    }
    let detail = state.store.meeting_detail(past).await?;
    for item in &detail.items {
        let votes: Vec<(String, String)> =
            att.iter().filter(|a| a.status == "present").map(|a| (a.unit.clone(), "for".to_string())).collect();
        state.store.meeting_record_votes(actor, past, item.id, &votes).await?;
    }
    state.store.meeting_set_stage(actor, past, "discussed", "voted").await?;
    let detail = state.store.meeting_detail(past).await?;
    let dec = decide_json(state, &request_of(&detail, &units))?;
    let results: Vec<(i64, String)> = detail
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let r = &dec["items"][i];
            (
                it.id,
                format!(
                    "{}（赞成 {}，反对 {}，弃权 {}，通过需 {}）",
                    if r["passed"].as_bool() == Some(true) { "通过" } else { "未通过" },
                    r["votes_for"],
                    r["votes_against"],
                    r["abstentions"],
                    r["votes_required"]
                ),
            )
        })
        .collect();
    state.store.meeting_set_results(actor, past, &results).await?;
    state.store.meeting_set_stage(actor, past, "voted", "announced").await?;
    state.store.meeting_set_summary(actor, past, "各成员单位按照会议决定抓好落实，办公室做好跟踪督办。").await?;
    state.store.meeting_set_stage(actor, past, "announced", "summarised").await?;
    state.store.meeting_issue_minutes(actor, past, "2022-11-28").await?;
    // An upcoming meeting with its materials sent.
    let next_date = store::today().checked_add(jiff::Span::new().days(14)).unwrap_or_else(|_| store::today());
    let sent = store::today().to_string();
    let up = state
        .store
        .meeting_create(
            actor,
            &NewMeeting {
                title: format!("{}年住房公积金联席会议", next_date.year()),
                proposed_by: "区税务局".into(),
                proposed_on: sent.clone(),
                meeting_date: next_date.to_string(),
                place: "区政府三楼会议室".into(),
                items: vec!["关于开展企业欠缴住房公积金联合惩戒的议题".into()],
            },
        )
        .await?;
    state.store.meeting_set_stage(actor, up, "proposed", "called").await?;
    state
        .store
        .meeting_add_material(
            actor,
            up,
            "联合惩戒工作方案（征求意见稿）.txt",
            "text/plain; charset=utf-8",
            "一、工作目标……\n二、惩戒措施……\n".as_bytes(),
        )
        .await?;
    state.store.meeting_send_materials(actor, up, &sent).await?;
    Ok(())
}
