//! 征缴统计参照表: the statistics per town, their charts and their XLSX.

use super::*;

/// A town's row with rates worked out.
pub(super) struct StatsRow {
    s: TownStats,
    lower_rate: String,
    upper_rate: String,
    medical_rate: String,
    pay_rate: String,
    lower_ok: bool,
    upper_ok: bool,
    medical_ok: bool,
}

pub(super) fn rate(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "—".into();
    }
    // Tenths of a percent, rounded half up, in integers.
    let t = (part * 2000 + whole) / (2 * whole);
    format!("{}.{}%", t / 10, t % 10)
}

pub(super) fn stats_rows(rules: &Rules, stats: Vec<TownStats>) -> Vec<StatsRow> {
    let t = rules.targets;
    let mut total = TownStats { town: "全区合计".into(), ..Default::default() };
    for s in &stats {
        total.residents += s.residents;
        total.included += s.included;
        total.due_persons += s.due_persons;
        total.due_fen += s.due_fen;
        total.paid_persons += s.paid_persons;
        total.paid_fen += s.paid_fen;
        total.medical_covered += s.medical_covered;
        total.lower_due += s.lower_due;
        total.lower_paid += s.lower_paid;
        total.upper_due += s.upper_due;
        total.upper_paid += s.upper_paid;
    }
    let many = stats.len() > 1;
    let mut all = stats;
    if many {
        all.push(total);
    }
    all.into_iter()
        .map(|s| StatsRow {
            lower_rate: rate(s.lower_paid, s.lower_due),
            upper_rate: rate(s.upper_paid, s.upper_due),
            medical_rate: rate(s.medical_covered, s.included),
            pay_rate: rate(s.paid_persons, s.due_persons),
            lower_ok: s.lower_due > 0 && t.pension_lower.reached_by(s.lower_paid, s.lower_due),
            upper_ok: s.upper_due > 0 && t.pension_upper.reached_by(s.upper_paid, s.upper_due),
            medical_ok: s.included > 0 && t.medical.reached_by(s.medical_covered, s.included),
            s,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "insurance/stats.html")]
pub(super) struct StatsPage {
    page: Page,
    rows: Vec<StatsRow>,
    charts: Vec<String>,
    targets: String,
    citation: String,
}

impl StatsPage {
    fn yuan(&self, f: &i64) -> String {
        yuan_of(*f)
    }
}

pub(super) async fn stats_data(state: &AppState, s: &Session) -> Result<(Rules, Vec<TownStats>), AppError> {
    Ok(places::stats(&state.app, &s.actor).await?)
}

pub(super) async fn stats(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let (rules, data) = stats_data(&state, &s).await?;
    let t = rules.targets;
    let pct = |part: i64, whole: i64| if whole == 0 { 0 } else { part * 100 / whole };
    let target_pct = |r: kernel::Ratio| r.num * 100 / r.den.max(1);
    let mut charts = Vec::new();
    let bar = |title: &str, f: &dyn Fn(&TownStats) -> (i64, i64), target: Option<i64>| {
        let v: Vec<(String, i64, Option<i64>)> = data
            .iter()
            .map(|x| {
                (
                    x.town.clone(),
                    {
                        let (p, w) = f(x);
                        pct(p, w)
                    },
                    target,
                )
            })
            .collect();
        crate::chart::bars(title, "%", &v)
    };
    charts.push(bar(
        &format!("养老保险缴费率（{}–{}岁，目标{}以上）", t.lower_ages.0, t.lower_ages.1, t.pension_lower),
        &|x| (x.lower_paid, x.lower_due),
        Some(target_pct(t.pension_lower)),
    ));
    charts.push(bar(
        &format!("养老保险缴费率（{}–{}岁，目标{}以上）", t.upper_ages.0, t.upper_ages.1, t.pension_upper),
        &|x| (x.upper_paid, x.upper_due),
        Some(target_pct(t.pension_upper)),
    ));
    charts.push(bar("医疗保险覆盖率（应保尽保）", &|x| (x.medical_covered, x.included), Some(target_pct(t.medical))));
    let citation = rules.waiting_citation().split_once(' ').map(|(d, _)| format!("{d} 三、任务目标")).unwrap_or_default();
    Ok(html(&StatsPage {
        page: Page::new(&format!("{}年度征缴统计参照表", rules.year), Some(&s)),
        targets: format!(
            "目标：{}–{}岁缴费率{}以上，{}–{}岁缴费率{}以上，医疗保险应保尽保",
            t.upper_ages.0, t.upper_ages.1, t.pension_upper, t.lower_ages.0, t.lower_ages.1, t.pension_lower
        ),
        rows: stats_rows(&rules, data),
        charts,
        citation,
    }))
}

pub(super) async fn stats_xlsx(State(state): State<AppState>, Authed(s): Authed) -> Result<Response, AppError> {
    let (rules, data) = stats_data(&state, &s).await?;
    let rows: Vec<Vec<Cell>> = stats_rows(&rules, data)
        .into_iter()
        .map(|r| {
            vec![
                r.s.town.clone().into(),
                r.s.residents.into(),
                r.s.included.into(),
                r.s.due_persons.into(),
                Money::from_fen(r.s.due_fen).into(),
                r.s.paid_persons.into(),
                Money::from_fen(r.s.paid_fen).into(),
                r.pay_rate.into(),
                r.s.lower_due.into(),
                r.s.lower_paid.into(),
                r.lower_rate.into(),
                r.s.upper_due.into(),
                r.s.upper_paid.into(),
                r.upper_rate.into(),
                r.s.medical_covered.into(),
                r.medical_rate.into(),
            ]
        })
        .collect();
    let headers = [
        "镇（街）",
        "登记人数",
        "参保人数",
        "应缴人数",
        "应缴金额",
        "已缴人数",
        "已缴金额",
        "缴费率",
        "16-44岁应缴",
        "16-44岁已缴",
        "16-44岁缴费率",
        "45-59岁应缴",
        "45-59岁已缴",
        "45-59岁缴费率",
        "医疗保险覆盖人数",
        "医疗保险覆盖率",
    ];
    Ok(export::xlsx_response(&format!("{}年度征缴统计参照表.xlsx", rules.year), "征缴统计", &headers, &rows))
}
