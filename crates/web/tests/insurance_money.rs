//! Money and dates that cannot be bent, over HTTP (trust issue §3): the
//! attack amounts and dates of the issue are refused with the amount still
//! owed, nothing changes, and the rosters keep answering; the pay form offers
//! what is still owed.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::{App, spawn_app_at};
use store::insurance::{ResidentRow, RosterFilter};

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn unpaid(app: &App) -> Vec<ResidentRow> {
    let f =
        RosterFilter { year: 2023, town: Some("水泉镇".into()), village: Some("东村".into()), limit: 100_000, ..Default::default() };
    let rows = app.store.insurance_roster(&f).await.unwrap().0;
    rows.into_iter().filter(|r| r.status == "included" && r.total_due_fen > 10_000 && r.paid_fen == 0 && r.deceased_on.is_none()).collect()
}

async fn pay(app: &App, cookie: &str, csrf: &str, id: i64, reference: &str, paid_on: &str, amount: &str) -> String {
    let form = format!("csrf={csrf}&channel=POS&reference={reference}&paid_on={paid_on}&amount={}", enc(amount));
    let r = app.post_form(&format!("/insurance/residents/{id}/pay"), cookie, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.get(r.location.as_deref().unwrap(), cookie).await.body
}

#[tokio::test]
async fn amounts_and_dates_outside_the_rules_are_refused_and_change_nothing() {
    let app = spawn_app_at(true, Some("2022-11-15".parse().unwrap())).await;
    let (agent, csrf) = app.login("agent").await;
    let t = unpaid(&app).await[0].clone();
    let owed = kernel::Money::from_fen(t.total_due_fen).to_string();
    for amount in ["1000000000", "92233720368547758.07", "0", "-5"] {
        let page = pay(&app, &agent, &csrf, t.id, &format!("BIG-{}", amount.len()), "2022-11-01", amount).await;
        assert!(page.contains("insurance-error"), "{amount}: {page}");
        if amount.starts_with(['1', '9']) {
            assert!(page.contains(&format!("尚欠的{}元", owed.trim_end_matches(".00"))), "{amount}: {page}");
        }
    }
    // One fen above what is owed; then the day before the window opens, and tomorrow.
    let over = kernel::Money::from_fen(t.total_due_fen + 1).to_string();
    assert!(pay(&app, &agent, &csrf, t.id, "OVER", "2022-11-01", &over).await.contains("超过尚欠"));
    assert!(pay(&app, &agent, &csrf, t.id, "OLD", "1900-01-01", "").await.contains("早于2023年度集中缴费期的开始日2022-10-01"));
    assert!(pay(&app, &agent, &csrf, t.id, "EDGE-1", "2022-09-30", "").await.contains("早于"));
    assert!(pay(&app, &agent, &csrf, t.id, "SOON", "2022-11-16", "").await.contains("晚于今天"));
    assert!(pay(&app, &agent, &csrf, t.id, "LATER", "2030-01-01", "").await.contains("晚于今天"));
    let same = app.store.insurance_resident(t.id).await.unwrap();
    assert_eq!((same.paid_fen, app.store.insurance_payments_of(t.id).await.unwrap().len()), (0, 0));
    // The rosters still answer, for the village, the town and the district.
    for who in ["agent", "town", "tax"] {
        let (c, _) = app.login(who).await;
        assert_eq!(app.get("/insurance", &c).await.status, StatusCode::OK, "{who}");
    }
    // On the edges: the day the window opens, today; part of it, then the form offers the rest.
    let page = pay(&app, &agent, &csrf, t.id, "EDGE-2", "2022-10-01", "100").await;
    assert!(page.contains("已登记缴费 100.00 元"), "{page}");
    let rest = kernel::Money::from_fen(t.total_due_fen - 10_000).to_string();
    assert!(page.contains(&format!("name=\"amount\" value=\"{rest}\"")), "{page}");
    let page = pay(&app, &agent, &csrf, t.id, "EDGE-3", "2022-11-15", "").await;
    assert!(page.contains("已登记缴费"), "{page}");
    assert_eq!(app.store.insurance_resident(t.id).await.unwrap().paid_fen, t.total_due_fen);
    let page = pay(&app, &agent, &csrf, t.id, "EDGE-4", "2022-11-15", "").await;
    assert!(page.contains("已缴清"), "{page}");
}

#[tokio::test]
async fn concurrent_payments_for_one_resident_never_exceed_what_is_owed() {
    let app = std::sync::Arc::new(spawn_app_at(true, Some("2022-11-15".parse().unwrap())).await);
    let (agent, csrf) = app.login("agent").await;
    let t = unpaid(&app).await[1].clone();
    let each = kernel::Money::from_fen(t.total_due_fen / 4 + 1).to_string();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (app, agent, csrf, each) = (app.clone(), agent.clone(), csrf.clone(), each.clone());
            tokio::spawn(async move {
                let form = format!("csrf={csrf}&channel=POS&reference=RACE-{i}&paid_on=2022-11-01&amount={each}");
                app.post_form(&format!("/insurance/residents/{}/pay", t.id), &agent, &form).await.status
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::SEE_OTHER, "a refusal goes back to the page, never a 500");
    }
    let after = app.store.insurance_resident(t.id).await.unwrap();
    assert!(after.paid_fen <= t.total_due_fen);
    assert_eq!(app.store.insurance_payments_of(t.id).await.unwrap().len(), 3, "three quarters and a fen fit, the fourth does not");
}
