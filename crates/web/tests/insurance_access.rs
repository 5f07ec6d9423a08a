//! Every insurance route × every demo account (README table), with the
//! answer the duties give (山政办发〔2022〕4号 六、工作分工 as in
//! `policy/access/duties.toml`): allowed answers are never 401/403/5xx,
//! denied ones are 403; the public roster answers everyone.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::spawn_app_at;
use store::insurance::RosterFilter;

const ACCOUNTS: [&str; 15] = [
    "admin",
    "commerce",
    "emergency",
    "fund",
    "tax",
    "hrss",
    "medical",
    "finance",
    "civil",
    "disabled",
    "police",
    "auditor",
    "town",
    "agent",
    "enterprise",
];

/// (method, path, accounts allowed). `{r}` is a resident of 水泉镇东村, `{p}` a payment of theirs.
const ROUTES: &[(&str, &str, &[&str])] = &[
    // 征收清册: collectors, registrars, refunds, the town, the auditor (六（二）–（四）、（一）、（九）).
    ("GET", "/insurance", &["tax", "hrss", "medical", "auditor", "town", "agent"]),
    ("GET", "/insurance/roster.xlsx", &["tax", "hrss", "medical", "auditor", "town", "agent"]),
    ("GET", "/insurance/roster/print", &["tax", "hrss", "medical", "auditor", "town", "agent"]),
    ("GET", "/insurance/residents/{r}", &["tax", "hrss", "medical", "auditor", "town", "agent"]),
    // 代办员 collects (五（四）4); 税务、人社、医保 refund; 税务 records 代缴 in bulk.
    ("POST", "/insurance/residents/{r}/pay", &["agent"]),
    ("POST", "/insurance/payments/{p}/refund", &["tax", "hrss", "medical"]),
    ("POST", "/insurance/bulk", &["tax"]),
    ("GET", "/insurance/reconcile", &["tax", "auditor", "town", "agent"]),
    ("POST", "/insurance/publish", &["town"]),
    // 统计: amounts only for 财政; 区政府 (the administrator) is told the progress (八).
    ("GET", "/insurance/stats", &["admin", "tax", "hrss", "medical", "finance", "auditor", "town"]),
    ("GET", "/insurance/stats.xlsx", &["admin", "tax", "hrss", "medical", "finance", "auditor", "town"]),
    ("GET", "/api/v1/insurance/stats", &["admin", "tax", "hrss", "medical", "finance", "auditor", "town"]),
    // Imports and lists: 参保登记 by 人社、医保; group lists by their units; deaths by 公安 (and 民政).
    ("GET", "/insurance/import", &["tax", "hrss", "medical", "civil", "disabled", "police", "auditor"]),
    ("POST", "/insurance/import", &["hrss", "medical"]),
    ("POST", "/insurance/lists", &["civil", "disabled", "police"]),
    ("GET", "/public/insurance", &ACCOUNTS),
];

#[tokio::test]
async fn every_route_for_every_account_answers_by_duty() {
    let app = spawn_app_at(true, Some("2022-11-15".parse().unwrap())).await;
    let f =
        RosterFilter { year: 2023, town: Some("水泉镇".into()), village: Some("东村".into()), limit: 10_000, ..Default::default() };
    let rows = app.store.insurance_roster(&f).await.unwrap().0;
    let paid = rows.iter().find(|r| r.paid_fen > 0).unwrap();
    let payment = app.store.insurance_payments_of(paid.id).await.unwrap()[0].id;
    let mut wrong = Vec::new();
    for who in ACCOUNTS {
        let (cookie, csrf) = app.login(who).await;
        for (method, path, allowed) in ROUTES {
            let path = path.replace("{r}", &paid.id.to_string()).replace("{p}", &payment.to_string());
            // POSTs carry a form that changes nothing (no reference, no reason, no file).
            let r = match *method {
                "GET" => app.get(&path, &cookie).await,
                _ => app.post_form(&format!("{path}?csrf={csrf}"), &cookie, &format!("csrf={csrf}&village=")).await,
            };
            let ok = allowed.contains(&who);
            let fine = if ok {
                !matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) && !r.status.is_server_error()
            } else {
                r.status == StatusCode::FORBIDDEN
            };
            if !fine {
                wrong.push(format!("{who} {method} {path}: {} (expected {})", r.status, if ok { "allowed" } else { "403" }));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Nothing above changed a payment.
    assert_eq!(app.store.insurance_resident(paid.id).await.unwrap().paid_fen, paid.paid_fen);
    // The public page needs no login.
    assert_eq!(app.get("/public/insurance", "").await.status, StatusCode::OK);
}

#[tokio::test]
async fn ids_are_masked_for_the_town_and_full_ones_are_recorded() {
    let app = spawn_app_at(true, Some("2022-11-15".parse().unwrap())).await;
    let f = RosterFilter { year: 2023, town: Some("水泉镇".into()), village: Some("东村".into()), limit: 1, ..Default::default() };
    let r = app.store.insurance_roster(&f).await.unwrap().0.remove(0);
    let masked = access::mask_id_number(&r.id_number);
    let (town, _) = app.login("town").await;
    let page = app.get(&format!("/insurance/residents/{}", r.id), &town).await;
    assert!(page.body.contains(&masked) && !page.body.contains(&r.id_number), "the town sees masked IDs");
    let (tax, _) = app.login("tax").await;
    let page = app.get(&format!("/insurance/residents/{}", r.id), &tax).await;
    assert!(page.body.contains(&r.id_number), "the tax bureau sees full IDs");
    let reads = app.store.audit_history("insurance_resident", &format!("居民 {}", r.id)).await.unwrap();
    assert_eq!(reads.len(), 1, "one full-ID view recorded (查询留痕), none for the masked one: {reads:?}");
}
