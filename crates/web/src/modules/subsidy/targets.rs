//! The district's e-commerce targets with their actuals and a progress
//! chart; actuals are recorded by the responsible unit, the town (per-town
//! targets) or the lead office (`app::subsidy::targets`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::Money;

use super::field;
use crate::AppState;
use crate::auth::{Authed, Session};
use crate::error::AppError;
use crate::render::{Page, html};

/// A recorded actual, as shown.
pub struct ActualRow {
    pub period: String,
    pub town: String,
    pub value: String,
    pub met: bool,
}

pub struct TargetRow {
    pub id: String,
    pub measure: String,
    pub target: String,
    pub due: String,
    pub responsible: String,
    pub citation: String,
    pub per_town: bool,
    pub actuals: Vec<ActualRow>,
    pub progress: i64,
}

#[derive(Template)]
#[template(path = "subsidy/targets.html")]
struct Targets {
    page: Page,
    rows: Vec<TargetRow>,
    chart: String,
    towns: Vec<String>,
    can_record: bool,
}

fn format_value(n: i64, t: &ecommerce::Target) -> String {
    match (t.value, t.unit.as_str()) {
        (ecommerce::TargetValue::Ratio(_), _) => format!("{}.{:02}%", n / 100, n % 100),
        (_, "yuan") => Money::from_yuan(n).chinese(),
        (_, "person_times") => format!("{n}人次"),
        _ => format!("{n}"),
    }
}

fn shown_target(t: &ecommerce::Target) -> String {
    match t.value {
        ecommerce::TargetValue::Int(n) => format_value(n, t),
        ecommerce::TargetValue::Ratio(r) => r.to_string(),
    }
}

async fn rows(state: &AppState, s: &Session) -> Result<Vec<TargetRow>, AppError> {
    Ok(app::subsidy::targets::progress(state, &s.actor)
        .await?
        .into_iter()
        .map(|p| {
            let t = &p.target;
            TargetRow {
                id: t.id.clone(),
                measure: t.measure.clone(),
                target: format!("{}{}", t.word, shown_target(t)),
                due: t.deadline.map(|d| d.to_string()).unwrap_or_else(|| if t.yearly { "每年".into() } else { String::new() }),
                responsible: t.responsible.join("、"),
                citation: t.citation.clone(),
                per_town: t.per_town,
                actuals: p
                    .actuals
                    .iter()
                    .map(|(a, met)| ActualRow {
                        period: a.period.clone(),
                        town: a.town.clone(),
                        value: format_value(a.value, t),
                        met: *met,
                    })
                    .collect(),
                progress: p.percent,
            }
        })
        .collect())
}

pub(super) async fn targets(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let rows = rows(&state, &s).await?;
    let bars: Vec<(String, i64, Option<i64>)> =
        rows.iter().filter(|r| !r.per_town).map(|r| (format!("{} {}", r.id, r.measure), r.progress, Some(100))).collect();
    let chart = crate::chart::bars_named("各项目标完成进度（占目标的百分比；红线为目标）", "%", "完成进度", &bars);
    let towns = state.district.towns.iter().map(|t| t.name.clone()).collect();
    Ok(html(&Targets {
        page: Page::new("电子商务发展目标", Some(&s)),
        rows,
        chart,
        towns,
        can_record: s.can(&state, access::Action::SubsidyTargetsRecord),
    }))
}

pub(super) async fn record_actual(
    State(state): State<AppState>,
    Authed(s): Authed,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let input = app::subsidy::targets::ActualInput {
        target: field(&form, "target"),
        period: field(&form, "period"),
        town: field(&form, "town"),
        value: field(&form, "value"),
        note: field(&form, "note"),
    };
    app::subsidy::targets::record(&state, &s.actor, &input).await?;
    Ok(Redirect::to("/subsidy/targets").into_response())
}

pub(super) async fn targets_xlsx(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let rows = rows(&state, &s).await?;
    let mut out = Vec::new();
    for r in &rows {
        let head = || -> Vec<crate::export::Cell> {
            vec![r.id.clone().into(), r.measure.clone().into(), r.target.clone().into(), r.due.clone().into(), r.responsible.clone().into()]
        };
        if r.actuals.is_empty() {
            let mut line = head();
            line.extend(["".into(), "".into(), "".into(), "未填报".into()]);
            out.push(line);
        }
        for a in &r.actuals {
            let mut line = head();
            line.extend([
                a.period.clone().into(),
                a.town.clone().into(),
                a.value.clone().into(),
                if a.met { "已达到" } else { "未达到" }.into(),
            ]);
            out.push(line);
        }
    }
    Ok(crate::export::xlsx_response(
        "电子商务发展目标进度.xlsx",
        "目标进度",
        &["目标", "指标", "目标值", "期限", "责任单位", "统计期", "镇（街）", "实际值", "是否达到"],
        &out,
    ))
}
