//! 扶持资金预算执行: committed, paid and clawed back per article and tier.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use kernel::Money;
use serde::Deserialize;

use super::yuan;
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;
use crate::export::Cell;
use crate::query::Lenient;
use crate::render::{Page, html};

/// One line of the budget, in yuan.
pub struct BudgetRow {
    pub year: i64,
    pub article: i64,
    pub tier: i64,
    pub awards: i64,
    pub committed: String,
    pub paid: String,
    pub clawed_back: String,
}

#[derive(Template)]
#[template(path = "subsidy/budget.html")]
struct Budget {
    page: Page,
    year: i64,
    lines: Vec<BudgetRow>,
    chart: String,
    committed: String,
    paid: String,
}

#[derive(Deserialize, Default)]
pub(super) struct YearQuery {
    year: Option<i64>,
}

pub(super) async fn budget(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<YearQuery>,
) -> Result<Response, AppError> {
    let year = q.year.unwrap_or(0);
    let b = app::subsidy::budget::budget(&state, &s.actor, Some(year)).await?;
    let mut by_article: Vec<(String, i64, Option<i64>)> = Vec::new();
    for l in &b.lines {
        let label = format!("第{}条", l.article);
        let yuan = l.committed_fen / 100;
        match by_article.iter_mut().find(|x| x.0 == label) {
            Some(x) => x.1 = x.1.saturating_add(yuan),
            None => by_article.push((label, yuan, None)),
        }
    }
    let chart = crate::chart::bars_named("已承诺扶持资金（按条款）", "元", "已承诺金额", &by_article);
    let lines = b
        .lines
        .iter()
        .map(|l| BudgetRow {
            year: l.year,
            article: l.article,
            tier: l.tier,
            awards: l.awards,
            committed: yuan(l.committed_fen),
            paid: yuan(l.paid_fen),
            clawed_back: yuan(l.clawed_back_fen),
        })
        .collect();
    Ok(html(&Budget {
        page: Page::new("扶持资金预算执行", Some(&s)),
        year,
        lines,
        chart,
        committed: yuan(b.committed.fen()),
        paid: yuan(b.paid.fen()),
    }))
}

pub(super) async fn budget_xlsx(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<YearQuery>,
) -> Result<Response, AppError> {
    let b = app::subsidy::budget::budget(&state, &s.actor, q.year).await?;
    let rows: Vec<Vec<Cell>> = b
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Int(l.year),
                format!("第{}条", l.article).into(),
                Cell::Int(l.tier),
                Cell::Int(l.awards),
                Money::from_fen(l.committed_fen).into(),
                Money::from_fen(l.paid_fen).into(),
                Money::from_fen(l.clawed_back_fen).into(),
            ]
        })
        .collect();
    Ok(crate::export::xlsx_response(
        "电商扶持资金预算执行.xlsx",
        "预算执行",
        &["年度", "条款", "档次", "笔数", "已承诺（元）", "已拨付（元）", "已追回（元）"],
        &rows,
    ))
}
