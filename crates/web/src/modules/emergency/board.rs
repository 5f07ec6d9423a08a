//! The duty room's live board (应急值守看板): active real incidents of the
//! whole district, drills counted apart, pushed by Server-Sent Events.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use emergency::IncidentStatus;
use store::emergency::IncidentFilter;

use super::incidents::district_wide;
use crate::AppState;
use crate::auth::{Authed, Session};
use crate::error::AppError;
use crate::render::{Page, escape, html};

#[derive(Template)]
#[template(path = "emergency/board.html")]
struct Board {
    page: Page,
}

/// The board shows the whole district: for those whose duty covers it.
fn require_district(state: &AppState, s: &Session) -> Result<(), AppError> {
    if district_wide(state, s) {
        Ok(())
    } else {
        Err(AppError::Forbidden("值守看板显示全区事件，仅限职责覆盖全区的单位查看".into()))
    }
}

pub(super) async fn board(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    require_district(&state, &s)?;
    Ok(html(&Board { page: Page::new("应急值守看板", Some(&s)) }))
}

/// The board's body: active real incidents, then drills apart.
async fn board_html(state: &AppState) -> Result<String, AppError> {
    let real = state.store.emergency_incidents(&IncidentFilter { status: Some(IncidentStatus::Active), ..Default::default() }).await?;
    let drills = state.store.emergency_counts(true).await?;
    let mut out =
        format!("<p id=\"board-count\">进行中的突发事件：<strong>{}</strong> 起（演练另计：{} 起进行中）</p>", real.len(), drills.active);
    out.push_str("<table id=\"board-table\"><thead><tr><th>事件</th><th>类别</th><th>镇（街）</th><th>响应级别</th><th>死亡</th><th>受伤</th><th>失踪</th><th>措施落实</th><th>更新</th></tr></thead><tbody>");
    for i in &real {
        let d = state.store.emergency_incident_detail(i.id).await?;
        let done = d.measures.iter().filter(|m| m.done_by.is_some()).count();
        out.push_str(&format!(
            "<tr><td><a href=\"/emergency/incidents/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>",
            i.id,
            escape(&i.title),
            escape(&i.incident_type),
            escape(&i.town),
            escape(&i.response_level.map(|l| l.to_string()).unwrap_or_else(|| "未决定".into())),
            d.totals.deaths,
            d.totals.injured,
            d.totals.missing,
            done,
            d.measures.len(),
            escape(&i.updated_at),
        ));
    }
    out.push_str("</tbody></table>");
    Ok(out)
}

/// Server-Sent Events: the board's body whenever the board version in the
/// database changes, polled every second (a change made through any
/// instance shows on every board).
pub(super) async fn events(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    require_district(&state, &s)?;
    let stream = futures::stream::unfold((state, i64::MIN), |(state, last)| async move {
        loop {
            let v = state.store.emergency_board_version().await.unwrap_or(last);
            if v != last {
                let body = board_html(&state).await.unwrap_or_else(|e| format!("<p class=\"error\">{}</p>", escape(&e.to_string())));
                return Some((Ok::<Event, Infallible>(Event::default().event("board").data(body)), (state, v)));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}
