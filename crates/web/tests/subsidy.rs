//! E-commerce support over HTTP: the assess API's contract, the review
//! workflow's guards, scoping, the proactive list, budget and targets.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, spawn_app_with};

const WORKED: &str = r#"{"uscc": "91370406MA3C7K1020", "name": "示例", "year": 2023, "registered_in_district": true, "statistically_included": true,
  "entered_on": "2022-03-01", "net_tax_yuan": 1200000, "online_retail_yuan": 62000000, "online_retail_prev_yuan": 51000000,
  "platform_fees": {"annual_transactions_yuan": 62000000, "agreement_signed": true, "fees_paid_yuan": 80000},
  "express": {"sells_and_ships_local": true, "parcels": 260000, "online_sales_yuan": 62000000}}"#;

#[tokio::test]
async fn assess_api_gives_the_worked_example_and_names_bad_fields() {
    let app = spawn_app_with(false).await;
    let r = app.post_json("/api/v1/subsidy/assess", "", None, WORKED).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v[0]["total_fen"], 41_800_000);
    assert_eq!(v[0]["awards"].as_array().unwrap().len(), 3);
    let bad = WORKED.replace("\"net_tax_yuan\": 1200000", "\"net_tax_yuan\": -5");
    let r = app.post_json("/api/v1/subsidy/assess", "", None, &format!("[{WORKED}, {bad}]")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("[1].net_tax_yuan"), "{}", r.body);
    let r = app.post_json("/api/v1/subsidy/assess", "", None, &WORKED.replace("2023", "2030")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("year"), "{}", r.body);
}

/// 企业政策计算器: `?partial=true` lists what is missing; a bad flag names the parameter.
#[tokio::test]
async fn assess_api_partial_lists_what_is_missing() {
    let app = spawn_app_with(false).await;
    let without_prev = WORKED.replace(r#""online_retail_prev_yuan": 51000000,"#, "");
    let r = app.post_json("/api/v1/subsidy/assess?partial=true", "", None, &without_prev).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v[0]["missing"][0]["article"], 3);
    assert_eq!(v[0]["missing"][0]["facts"], serde_json::json!(["online_retail_prev_yuan"]));
    assert!(v[0]["awards"].as_array().unwrap().iter().any(|a| a["article"] == 12));
    let plain = app.post_json("/api/v1/subsidy/assess", "", None, &without_prev).await.json();
    assert!(plain[0].get("missing").is_none());
    let r = app.post_json("/api/v1/subsidy/assess?partial=maybe", "", None, WORKED).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("partial"), "{}", r.body);
}

#[tokio::test]
async fn review_workflow_guards_amounts_and_clawbacks() {
    let app = spawn_app_with(true).await;
    let (ent, ecsrf) = app.login("enterprise").await;
    let form = "uscc=ignored&year=2024&registered_in_district=1&statistically_included=1&entered_on=2022-03-01&net_tax_yuan=1200000\
                &online_retail_yuan=62000000&online_retail_prev_yuan=51000000&submit=1";
    let r = app.post_form("/subsidy/declare", &ent, &format!("csrf={ecsrf}&{form}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location.unwrap().rsplit('/').next().unwrap().parse().unwrap();
    // The enterprise cannot review its own application.
    assert_eq!(
        app.post_form(&format!("/subsidy/applications/{id}/review"), &ent, &format!("csrf={ecsrf}&action=start")).await.status,
        StatusCode::FORBIDDEN
    );
    let (rev, csrf) = app.login("commerce").await;
    let url = format!("/subsidy/applications/{id}/review");
    assert_eq!(app.post_form(&url, &rev, &format!("csrf={csrf}&action=start")).await.status, StatusCode::SEE_OTHER);
    // Less than proposed without a reason is refused; with a reason it is recorded.
    let r = app.post_form(&url, &rev, &format!("csrf={csrf}&action=approve&granted%3A3=300000")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("理由"), "{}", r.body);
    let r = app.post_form(&url, &rev, &format!("csrf={csrf}&action=approve&granted%3A3=300000&reason%3A3=%E9%83%A8%E5%88%86%E7%A8%8E%E6%94%B6%E4%B8%8D%E5%B1%9E%E4%BA%8E%E7%94%B5%E5%95%86")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, awards) = app.store.subsidy_application(id).await.unwrap();
    assert_eq!(awards[0].article, 3);
    assert_eq!((awards[0].proposed_fen, awards[0].granted_fen), (36_000_000, 30_000_000));
    // Article 3 awards cannot be clawed back (only article 9 on falsified data).
    let r = app
        .post_form(&format!("/subsidy/awards/{}/clawback", awards[0].id), &rev, &format!("csrf={csrf}&amount=1&reason=x&application={id}"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The same year cannot be applied for twice: the workflow refuses it as a
    // conflict (409: already recorded), no longer a 400, and nothing is changed.
    let r = app.post_form("/subsidy/declare", &ent, &format!("csrf={ecsrf}&{form}")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("已批准"), "{}", r.body);
    // The budget counts what was granted, not what was proposed.
    let b = app.store.subsidy_budget(2024).await.unwrap();
    assert_eq!(b.iter().map(|l| l.committed_fen).sum::<i64>(), 30_000_000);
    let x = app.get("/subsidy/budget.xlsx?year=2024", &rev).await;
    assert!(x.content_type.unwrap().contains("spreadsheetml"));
}

#[tokio::test]
async fn scope_matches_and_targets() {
    let app = spawn_app_with(true).await;
    let (rev, _) = app.login("commerce").await;
    let m = app.get("/subsidy/matches?year=2023", &rev).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.body.matches("<tr>").count() > 1, "demo enterprises wait in the proactive list");
    let t = app.get("/subsidy/targets", &rev).await;
    assert!(t.body.contains("T1") && t.body.contains("<svg"), "targets with a chart");
    let (ent, _) = app.login("enterprise").await;
    assert_eq!(app.get("/subsidy/applications/1", &ent).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/subsidy/budget", &ent).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/subsidy/declare?uscc=91370406MA3D10372L", &ent).await.status,
        StatusCode::OK,
        "the uscc parameter is ignored for enterprises"
    );
    let (town, _) = app.login("town").await;
    assert_eq!(app.get("/subsidy/declare", &town).await.status, StatusCode::FORBIDDEN);
}

const FORM_2024: &str = "year=2024&registered_in_district=1&statistically_included=1&entered_on=2022-03-01&net_tax_yuan=1200000\
                         &online_retail_yuan=62000000&online_retail_prev_yuan=51000000&submit=1";

/// The demo enterprise's 2024 application, submitted; its id.
async fn submitted(app: &App) -> i64 {
    let (ent, csrf) = app.login("enterprise").await;
    let r = app.post_form("/subsidy/declare", &ent, &format!("csrf={csrf}&{FORM_2024}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location.unwrap().rsplit('/').next().unwrap().parse().unwrap()
}

async fn upload(app: &App, cookie: &str, csrf: &str, name: &str, ctype: &str, data: &[u8]) -> common::Resp {
    let b = "shantingBOUNDARY7";
    let mut body = format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {ctype}\r\n\r\n")
        .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let req = Request::post(format!("/subsidy/documents?csrf={csrf}"))
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// Another enterprise's account (a demo enterprise without one).
async fn other_enterprise(app: &App) -> String {
    let other = app.store.subsidy_enterprises(None, None).await.unwrap().into_iter().find(|e| e.uscc != "91370406MA3C7K1020").unwrap();
    let u = store::users::NewUser {
        username: "other".into(),
        password: "shanting-demo".into(),
        display_name: other.name.clone(),
        role: store::Role::Enterprise,
        department: None,
        town: None,
        village: None,
        enterprise_uscc: Some(other.uscc.clone()),
    };
    app.store.create_user("test", &u).await.unwrap();
    other.uscc
}

const USERS: [&str; 9] = ["commerce", "finance", "tax", "fund", "auditor", "admin", "enterprise", "other", "town"];

/// Each subsidy route × each kind of account → the status the duties give.
#[tokio::test]
async fn every_route_answers_by_duty() {
    let app = spawn_app_with(true).await;
    other_enterprise(&app).await;
    let own = submitted(&app).await;
    let mut s = std::collections::HashMap::new();
    for u in USERS {
        s.insert(u, app.login(u).await);
    }
    let (ent, ecsrf) = s["enterprise"].clone();
    assert_eq!(upload(&app, &ent, &ecsrf, "纳税证明.pdf", "application/pdf", b"%PDF-1.4").await.status, StatusCode::SEE_OTHER);
    let doc = app.store.subsidy_documents("91370406MA3C7K1020").await.unwrap()[0].id;
    // (path, users answered 200; everyone else 403)
    let reads: Vec<(String, &[&str])> = vec![
        ("/subsidy".into(), &USERS),
        ("/subsidy/declare?uscc=91370406MA3C7K1020&year=2024".into(), &["enterprise", "other", "commerce"]),
        ("/subsidy/enterprises".into(), &["commerce", "auditor", "admin"]),
        (format!("/subsidy/applications/{own}"), &["commerce", "finance", "auditor", "admin", "enterprise"]),
        ("/subsidy/matches?year=2023".into(), &["commerce"]),
        ("/subsidy/budget".into(), &["commerce", "finance", "auditor", "admin"]),
        ("/subsidy/budget.xlsx".into(), &["commerce", "finance", "auditor", "admin"]),
        (format!("/subsidy/documents/{doc}"), &["enterprise", "commerce"]),
        ("/subsidy/targets".into(), &["commerce", "finance", "tax", "fund", "auditor", "admin", "town"]),
        ("/subsidy/targets.xlsx".into(), &["commerce", "finance", "tax", "fund", "auditor", "admin", "town"]),
    ];
    for (path, allowed) in &reads {
        for u in USERS {
            let want = if allowed.contains(&u) { StatusCode::OK } else { StatusCode::FORBIDDEN };
            let r = app.get(path, &s[u].0).await;
            assert_eq!(r.status, want, "GET {path} as {u}: {}", &r.body[..r.body.len().min(300)]);
        }
    }
    // Writes: everyone but the holder of the duty is refused before anything happens.
    let approved = app.store.subsidy_applications(Some(ecommerce::Status::Approved), Some(2023), None).await.unwrap()[0].id;
    let writes: Vec<(String, String, &[&str])> = vec![
        (format!("/subsidy/applications/{own}/review"), "action=start".into(), &["commerce"]),
        (format!("/subsidy/applications/{approved}/pay"), "paid_on=2024-03-20".into(), &["finance"]),
        (
            "/subsidy/enterprises".into(),
            "uscc=91370406MA3C7K1020&name=%E7%A4%BA%E8%8C%83&town=%E6%B0%B4%E6%B3%89%E9%95%87".into(),
            &["commerce"],
        ),
        ("/subsidy/targets".into(), "target=T1&period=2024&value=1".into(), &["commerce"]),
        // Each enterprise for itself (the form names no enterprise).
        ("/subsidy/declare".into(), FORM_2024.replace("&submit=1", "").replace("2024", "2025"), &["enterprise", "other"]),
    ];
    for (path, form, holders) in &writes {
        for u in USERS.iter().filter(|u| !holders.contains(u)) {
            let (c, t) = &s[u];
            let r = app.post_form(path, c, &format!("csrf={t}&{form}")).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path} as {u}: {}", &r.body[..r.body.len().min(300)]);
        }
        for u in holders.iter() {
            let (c, t) = &s[u];
            let r = app.post_form(path, c, &format!("csrf={t}&{form}")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "POST {path} as {u}: {}", r.body);
        }
    }
    for u in USERS.iter().filter(|u| **u != "commerce") {
        let (c, t) = &s[u];
        let r = app.post_form("/subsidy/awards/1/clawback", c, &format!("csrf={t}&amount=1&reason=x")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "clawback as {u}");
    }
    for u in USERS.iter().filter(|u| **u != "enterprise" && **u != "other") {
        let (c, t) = &s[u];
        assert_eq!(upload(&app, c, t, "x.pdf", "application/pdf", b"%PDF").await.status, StatusCode::FORBIDDEN, "upload as {u}");
    }
}

#[tokio::test]
async fn finance_pays_commerce_cannot_and_paying_twice_is_a_conflict() {
    let app = spawn_app_with(true).await;
    let id = submitted(&app).await;
    let (rev, rcsrf) = app.login("commerce").await;
    let url = format!("/subsidy/applications/{id}/review");
    assert_eq!(app.post_form(&url, &rev, &format!("csrf={rcsrf}&action=start")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(&url, &rev, &format!("csrf={rcsrf}&action=approve")).await.status, StatusCode::SEE_OTHER);
    // The reviewer cannot pay, by either route.
    let r = app.post_form(&url, &rev, &format!("csrf={rcsrf}&action=pay&paid_on=2024-03-20")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("区财政局"), "the refusal names who pays: {}", r.body);
    let pay = format!("/subsidy/applications/{id}/pay");
    assert_eq!(app.post_form(&pay, &rev, &format!("csrf={rcsrf}&paid_on=2024-03-20")).await.status, StatusCode::FORBIDDEN);
    let (fin, fcsrf) = app.login("finance").await;
    // The page offers finance the payment, and no review buttons.
    let page = app.get(&format!("/subsidy/applications/{id}"), &fin).await;
    assert!(page.body.contains("id=\"pay\"") && !page.body.contains("id=\"approve\""), "{}", page.body);
    let r = app.post_form(&pay, &fin, &format!("csrf={fcsrf}&paid_on=2099-01-01")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a payment dated in the future: {}", r.body);
    assert_eq!(app.post_form(&pay, &fin, &format!("csrf={fcsrf}&paid_on=2024-03-20")).await.status, StatusCode::SEE_OTHER);
    let (a, awards) = app.store.subsidy_application(id).await.unwrap();
    assert_eq!(a.status, ecommerce::Status::Paid);
    assert_eq!(awards[0].paid_fen, awards[0].granted_fen);
    assert_eq!(app.post_form(&pay, &fin, &format!("csrf={fcsrf}&paid_on=2024-03-20")).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn approving_above_the_assessment_or_a_case_by_case_item_is_refused() {
    let app = spawn_app_with(true).await;
    let id = submitted(&app).await;
    let (rev, csrf) = app.login("commerce").await;
    let url = format!("/subsidy/applications/{id}/review");
    app.post_form(&url, &rev, &format!("csrf={csrf}&action=start")).await;
    let r = app.post_form(&url, &rev, &format!("csrf={csrf}&action=approve&granted%3A3=360000.01&reason%3A3=x")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("不能超过测算金额"), "{}", r.body);
    let r = app.post_form(&url, &rev, &format!("csrf={csrf}&action=approve&granted%3A11=100&reason%3A11=x")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.post_form(&url, &rev, &format!("csrf={csrf}&action=return")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "returning needs a reason");
    assert_eq!(app.store.subsidy_application(id).await.unwrap().0.status, ecommerce::Status::UnderReview, "nothing changed");
}

async fn race(app: &Arc<App>, path: String, cookie: String, form: String) -> Vec<StatusCode> {
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (app, path, cookie, form) = (app.clone(), path.clone(), cookie.clone(), form.clone());
            tokio::spawn(async move { app.post_form(&path, &cookie, &form).await.status })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_approvals_and_payments_take_effect_once() {
    let app = Arc::new(spawn_app_with(true).await);
    let id = submitted(&app).await;
    let (rev, rcsrf) = app.login("commerce").await;
    let url = format!("/subsidy/applications/{id}/review");
    assert_eq!(app.post_form(&url, &rev, &format!("csrf={rcsrf}&action=start")).await.status, StatusCode::SEE_OTHER);
    let got = race(&app, url.clone(), rev.clone(), format!("csrf={rcsrf}&action=approve")).await;
    assert_eq!(got.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(), 1, "{got:?}");
    assert!(got.iter().all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::CONFLICT), "{got:?}");
    let (_, awards) = app.store.subsidy_application(id).await.unwrap();
    assert_eq!(awards.len(), 1, "article 3 once");
    let audit = |action: &'static str| {
        let app = app.clone();
        async move {
            let f = store::AuditFilter { action: Some(action.into()), entity: Some("subsidy_application".into()), ..Default::default() };
            app.store.audit_entries(&f).await.unwrap().0.into_iter().filter(|e| e.entity_id == id.to_string()).count()
        }
    };
    assert_eq!(audit("approve").await, 1);
    let (fin, fcsrf) = app.login("finance").await;
    let got = race(&app, format!("/subsidy/applications/{id}/pay"), fin, format!("csrf={fcsrf}&paid_on=2024-03-20")).await;
    assert_eq!(got.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(), 1, "{got:?}");
    assert_eq!(audit("pay").await, 1);
    let b: i64 = app.store.subsidy_budget(2024).await.unwrap().iter().map(|l| l.paid_fen).sum();
    assert_eq!(b, 36_000_000, "paid once");
}

#[tokio::test]
async fn documents_are_bounded_private_and_typed_by_the_server() {
    let app = spawn_app_with(true).await;
    let (ent, csrf) = app.login("enterprise").await;
    // A page disguised as a PDF and an HTML file: served as attachments with the server's type.
    let r = upload(&app, &ent, &csrf, "../evil.html", "application/pdf", b"<script>alert(1)</script>").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = &app.store.subsidy_documents("91370406MA3C7K1020").await.unwrap()[0];
    assert_eq!(d.filename, "evil.html", "no directories in a stored name");
    let (rev, _) = app.login("commerce").await;
    let r = app.get(&format!("/subsidy/documents/{}", d.id), &rev).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type.as_deref(), Some("application/octet-stream"));
    let r = app.send(Request::get(format!("/subsidy/documents/{}", d.id)).header(header::COOKIE, &ent).body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    for u in ["tax", "fund", "finance", "auditor"] {
        let (c, _) = app.login(u).await;
        let r = app.get(&format!("/subsidy/documents/{}", d.id), &c).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{u}");
        assert!(!r.body.contains("alert"), "{u} sees nothing of the document");
    }
    // Over 20 MB: refused, naming the limit; just under the route's body limit too.
    let big = vec![b'x'; 20 * 1024 * 1024 + 1];
    let r = upload(&app, &ent, &csrf, "big.pdf", "application/pdf", &big).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", &r.body[..r.body.len().min(300)]);
    assert!(r.body.contains("20 MB"), "{}", r.body);
    let huge = vec![b'x'; 22 * 1024 * 1024];
    let r = upload(&app, &ent, &csrf, "huge.pdf", "application/pdf", &huge).await;
    assert!(r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::PAYLOAD_TOO_LARGE, "{}", r.status);
    assert!(r.body.contains("20 MB"), "{}", r.body);
    assert_eq!(app.store.subsidy_documents("91370406MA3C7K1020").await.unwrap().len(), 1);
}

#[tokio::test]
async fn targets_are_recorded_by_their_responsible_unit_or_town() {
    let app = spawn_app_with(true).await;
    let targets = ecommerce::targets(&kernel::ParamSet::embedded().unwrap()).unwrap();
    let per_town = targets.iter().find(|t| t.per_town).unwrap();
    let (town, tcsrf) = app.login("town").await;
    // 水泉镇 records its own figure, not another town's, not a district-wide target.
    let r = app
        .post_form(
            "/subsidy/targets",
            &town,
            &format!("csrf={tcsrf}&target={}&period=2024&town=%E6%B0%B4%E6%B3%89%E9%95%87&value=2", per_town.id),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let other_town =
        app.store.subsidy_actuals().await.unwrap().into_iter().find(|a| a.target == per_town.id && a.town != "水泉镇").unwrap().town;
    let enc: String = other_town.bytes().map(|b| format!("%{b:02X}")).collect();
    let r = app.post_form("/subsidy/targets", &town, &format!("csrf={tcsrf}&target={}&period=2024&town={enc}&value=2", per_town.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.post_form("/subsidy/targets", &town, &format!("csrf={tcsrf}&target=T1&period=2024&value=2")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A bad period or value names the field.
    let (rev, rcsrf) = app.login("commerce").await;
    let r = app.post_form("/subsidy/targets", &rev, &format!("csrf={rcsrf}&target=T1&period=soon&value=2")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.post_form("/subsidy/targets", &rev, &format!("csrf={rcsrf}&target=T1&period=2024&value=-2")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
