//! Insurance collection over HTTP: scoped rosters, payments (idempotent by
//! reference, refused after death and for excluded persons, late payments
//! with their waiting period), refunds, reconciliation, publication and the
//! masked public roster, statistics and exports, imports and department lists.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, between, spawn_app_with};
use store::insurance::{ResidentRow, RosterFilter};

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn upload(app: &App, path: &str, cookie: &str, csrf: &str, name: &str, body: &str) -> common::Resp {
    let boundary = "XBOUNDARYX";
    let data = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{body}\r\n--{boundary}--\r\n"
    );
    app.send(
        Request::post(format!("{path}?csrf={csrf}"))
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(data))
            .unwrap(),
    )
    .await
}

/// Residents of a village, straight from the store.
async fn village(app: &App, town: &str, village: &str) -> Vec<ResidentRow> {
    let f = RosterFilter { year: 2023, town: Some(town.into()), village: Some(village.into()), limit: 100_000, ..Default::default() };
    app.store.insurance_roster(&f).await.unwrap().0
}

fn unpaid(rows: &[ResidentRow]) -> Vec<&ResidentRow> {
    rows.iter().filter(|r| r.status == "included" && r.total_due_fen > 0 && r.paid_fen == 0 && r.deceased_on.is_none()).collect()
}

#[tokio::test]
async fn agent_sees_only_their_village_and_records_a_payment_once() {
    let app = spawn_app_with(true).await;
    let (agent, csrf) = app.login("agent").await;
    // Asking for another town changes nothing: the scope is the agent's village.
    let page = app.get(&format!("/insurance?town={}&village={}", enc("西集镇"), enc("西村")), &agent).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<td>水泉镇</td><td>东村</td>"), "{}", &page.body[..500]);
    assert!(!page.body.contains("<td>西集镇</td>"));
    let other = village(&app, "西集镇", "西村").await;
    let r = app.get(&format!("/insurance/residents/{}", other[0].id), &agent).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let rows = village(&app, "水泉镇", "东村").await;
    let target = unpaid(&rows)[0].clone();
    let form = format!("csrf={csrf}&channel={}&reference=POS-T-0001&paid_on=2022-11-15&amount=", enc("裕农通"));
    let r = app.post_form(&format!("/insurance/residents/{}/pay", target.id), &agent, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(r.location.as_deref().unwrap(), &agent).await;
    assert!(page.body.contains("已登记缴费"), "{}", page.body);
    assert!(page.body.contains("享受2023年度全年待遇"));
    let after = app.store.insurance_resident(target.id).await.unwrap();
    assert_eq!(after.paid_fen, target.total_due_fen, "the default amount is what the roster says is due");
    // Posting the same reference again records nothing more.
    let r = app.post_form(&format!("/insurance/residents/{}/pay", target.id), &agent, &form).await;
    let page = app.get(r.location.as_deref().unwrap(), &agent).await;
    assert!(page.body.contains("已登记过"), "{}", page.body);
    assert_eq!(app.store.insurance_resident(target.id).await.unwrap().paid_fen, target.total_due_fen);
    assert_eq!(app.store.insurance_payments_of(target.id).await.unwrap().len(), 1);
    // The same reference for someone else is refused.
    let second = unpaid(&rows)[1].clone();
    let r = app.post_form(&format!("/insurance/residents/{}/pay", second.id), &agent, &form).await;
    let page = app.get(r.location.as_deref().unwrap(), &agent).await;
    assert!(page.body.contains("已登记为另一笔缴费"), "{}", page.body);
    // Reconciliation lists the agent's money.
    let rec = app.get("/insurance/reconcile", &agent).await;
    assert_eq!(rec.status, StatusCode::OK);
    assert!(rec.body.contains("<td>agent</td>"), "{}", rec.body);
    // An unknown channel is refused.
    let bad = format!("csrf={csrf}&channel=PayPal&reference=X-1&paid_on=2022-11-15&amount=");
    let r = app.post_form(&format!("/insurance/residents/{}/pay", second.id), &agent, &bad).await;
    assert!(r.location.unwrap().contains("error="));
    // Town staff do not record payments.
    let (town, tcsrf) = app.login("town").await;
    let r = app.post_form(&format!("/insurance/residents/{}/pay", second.id), &town, &form.replace(&csrf, &tcsrf)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn late_payment_shows_waiting_period_and_refund_reverses_it() {
    let app = spawn_app_with(true).await;
    let (agent, csrf) = app.login("agent").await;
    let rows = village(&app, "水泉镇", "东村").await;
    let target = unpaid(&rows)[2].clone();
    // Paid in March 2023, after the window: waiting April–June, benefits from 1 July.
    let form = format!("csrf={csrf}&channel={}&reference=WX-LATE-1&paid_on=2023-03-15&amount=", enc("微信"));
    let r = app.post_form(&format!("/insurance/residents/{}/pay", target.id), &agent, &form).await;
    let page = app.get(r.location.as_deref().unwrap(), &agent).await;
    assert!(page.body.contains("自2023-07-01起享受待遇"), "{}", page.body);
    assert!(page.body.contains("等待期至2023年06月"), "the payments table shows it too");
    // Paid on the last day of the window: no waiting period.
    let t2 = unpaid(&rows)[3].clone();
    let form = format!("csrf={csrf}&channel=POS&reference=POS-LAST-1&paid_on=2022-12-31&amount=");
    let r = app.post_form(&format!("/insurance/residents/{}/pay", t2.id), &agent, &form).await;
    let page = app.get(r.location.as_deref().unwrap(), &agent).await;
    assert!(page.body.contains("集中缴费期内缴费"), "{}", page.body);
    // Refund the late one.
    let p = app.store.insurance_payments_of(target.id).await.unwrap();
    // Refunds are the bureaus' (六（二）6、六（三）6、六（四）2), not the agent's.
    let refund = format!("/insurance/payments/{}/refund", p[0].id);
    let r = app.post_form(&refund, &agent, &format!("csrf={csrf}&reason={}", enc("重复缴费"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (hrss, hcsrf) = app.login("hrss").await;
    let r = app.post_form(&refund, &hrss, &format!("csrf={hcsrf}&reason={}", enc("重复缴费"))).await;
    let page = app.get(r.location.as_deref().unwrap(), &hrss).await;
    assert!(page.body.contains("已退费"), "{}", page.body);
    assert_eq!(app.store.insurance_resident(target.id).await.unwrap().paid_fen, 0);
    // A second refund of the same payment is refused.
    let r = app.post_form(&refund, &hrss, &format!("csrf={hcsrf}&reason=x")).await;
    assert!(r.location.unwrap().contains("error="));
}

#[tokio::test]
async fn payment_refused_after_death_and_for_excluded_persons() {
    let app = spawn_app_with(true).await;
    let (police, pcsrf) = app.login("police").await;
    let (civil, ccsrf) = app.login("civil").await;
    let (agent, csrf) = app.login("agent").await;
    let rows = village(&app, "水泉镇", "东村").await;
    let target = unpaid(&rows)[4].clone();
    // The deaths list from the police: died 2022-11-20.
    let list = format!("id_number,deceased_on\n{},2022-11-20\n", target.id_number);
    let r = upload(&app, "/insurance/lists", &police, &pcsrf, "deaths.csv", &list).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let changed = app.store.insurance_resident(target.id).await.unwrap();
    assert_eq!(changed.deceased_on.as_deref(), Some("2022-11-20"));
    assert_eq!(changed.status, "included", "died after the roster's reference date: still on the roster");
    let history = app.store.audit_history("insurance_resident", &target.id_number).await.unwrap();
    assert_eq!(history.len(), 1, "the list change is audited");
    // Paying on the day of death is refused; the day before is accepted.
    let form = |d: &str, r: &str| format!("csrf={csrf}&channel=POS&reference={r}&paid_on={d}&amount=");
    let r = app.post_form(&format!("/insurance/residents/{}/pay", target.id), &agent, &form("2022-11-20", "D-1")).await;
    let page = app.get(r.location.as_deref().unwrap(), &agent).await;
    assert!(page.body.contains("已于 2022-11-20 死亡"), "{}", page.body);
    let r = app.post_form(&format!("/insurance/residents/{}/pay", target.id), &agent, &form("2022-11-19", "D-2")).await;
    let page = app.get(r.location.as_deref().unwrap(), &agent).await;
    assert!(page.body.contains("已登记缴费"), "{}", page.body);
    // Someone in employee insurance is not on the collection.
    if let Some(ex) = rows.iter().find(|r| r.status == "excluded:employee_insurance") {
        let r = app.post_form(&format!("/insurance/residents/{}/pay", ex.id), &agent, &form("2022-11-19", "E-1")).await;
        let page = app.get(r.location.as_deref().unwrap(), &agent).await;
        assert!(page.body.contains("不能登记缴费"), "{}", page.body);
    }
    // A bad list writes nothing and names the line.
    let bad = format!("id_number,group\n{},低保\n110101199003070000,低保\n", rows[0].id_number);
    let r = upload(&app, "/insurance/lists", &civil, &ccsrf, "groups.csv", &bad).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<td class=\"num\">3</td><td>id_number</td>"), "{}", r.body);
    assert_eq!(app.store.insurance_resident(rows[0].id).await.unwrap().list_groups, rows[0].list_groups);
}

#[tokio::test]
async fn group_list_recomputes_what_is_owed() {
    let app = spawn_app_with(true).await;
    let (admin, csrf) = app.login("civil").await;
    let rows = village(&app, "水泉镇", "西村").await;
    let fits = |r: &&ResidentRow| r.status == "included" && r.medical_individual_fen == 35_000 && r.groups.is_empty();
    let t = rows.iter().filter(fits).find(|r| r.paid_fen == 0).unwrap().clone();
    let paid = rows.iter().filter(fits).find(|r| r.paid_fen > 0).unwrap().clone();
    let list = format!("id_number,group\n{},特困\n{},特困\n", t.id_number, paid.id_number);
    let r = upload(&app, "/insurance/lists", &admin, &csrf, "g.csv", &list).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Whoever already paid their share is held back until the refund: paid never above owed.
    let page = app.get(r.location.as_deref().unwrap(), &admin).await;
    assert!(page.body.contains("1 名居民已缴金额超过调整后的应缴金额，须先退费"), "{}", page.body);
    assert_eq!(app.store.insurance_resident(paid.id).await.unwrap(), paid);
    let after = app.store.insurance_resident(t.id).await.unwrap();
    assert_eq!(after.list_groups, "特困");
    assert_eq!(after.medical_individual_fen, 0, "特困: the medical share is paid on their behalf");
    assert_eq!(after.medical_on_behalf_fen, 35_000);
}

#[tokio::test]
async fn publication_shows_masked_paid_residents_and_nothing_more() {
    let app = spawn_app_with(true).await;
    // Not yet published: not found, and nothing leaks.
    let r = app.get(&format!("/public/insurance?year=2023&town={}&village={}", enc("水泉镇"), enc("西村")), "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (agent, _) = app.login("agent").await;
    assert_eq!(app.post_form("/insurance/publish", &agent, "village=x").await.status, StatusCode::FORBIDDEN);
    let (town, csrf) = app.login("town").await;
    let r = app.post_form("/insurance/publish", &town, &format!("csrf={csrf}&village={}", enc("西村"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.get(&format!("/public/insurance?year=2023&town={}&village={}", enc("水泉镇"), enc("西村")), "").await;
    assert_eq!(r.status, StatusCode::OK);
    let rows = village(&app, "水泉镇", "西村").await;
    let paid: Vec<&ResidentRow> = rows.iter().filter(|r| r.paid_fen > 0).collect();
    assert!(!paid.is_empty());
    let table = between(&r.body, "<table id=\"public-roster\">", "</table>");
    assert_eq!(table.matches("<tr>").count(), paid.len() + 1, "one line per paid resident");
    for p in &paid {
        let id = &p.id_number;
        assert!(table.contains(&format!("{}********{}", &id[..6], &id[14..])));
    }
    for r in &rows {
        assert!(!table.contains(&r.id_number), "no full ID number");
        if r.name.chars().count() > 1 {
            assert!(!table.contains(&format!("<td>{}</td>", r.name)), "no full name");
        }
    }
    assert!(!table.contains("元") && !table.contains(".00"), "no amounts");
    let public = app.get("/public", "").await;
    assert!(public.body.contains("西村"));
    // Publishing is audited once; publishing again changes nothing.
    let r = app.post_form("/insurance/publish", &town, &format!("csrf={csrf}&village={}", enc("西村"))).await;
    assert!(app.get(r.location.as_deref().unwrap(), &town).await.body.contains("此前已发布"));
    assert_eq!(app.store.audit_history("insurance_publication", "2023/水泉镇/西村").await.unwrap().len(), 1);
}

#[tokio::test]
async fn statistics_and_exports() {
    let app = spawn_app_with(true).await;
    let (admin, _) = app.login("admin").await;
    let s = app.get("/insurance/stats", &admin).await;
    assert_eq!(s.status, StatusCode::OK);
    assert!(s.body.contains("全区合计") && s.body.contains("<svg"), "{}", s.body);
    assert!(s.body.contains("60%") && s.body.contains("95%"));
    let x = app.get("/insurance/stats.xlsx", &admin).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.content_type.unwrap().contains("spreadsheetml"));
    // The statistics add up to the roster.
    let stats = app.store.insurance_stats(2023, None).await.unwrap();
    let residents: i64 = stats.iter().map(|t| t.residents).sum();
    assert_eq!(residents, app.store.insurance_resident_count().await.unwrap());
    // Town staff see their town only; agents see no statistics.
    let (town, _) = app.login("town").await;
    let s = app.get("/api/v1/insurance/stats", &town).await;
    let v = s.json();
    assert_eq!(v["towns"].as_array().unwrap().len(), 1);
    assert_eq!(v["towns"][0]["town"], "水泉镇");
    let (agent, _) = app.login("agent").await;
    assert_eq!(app.get("/insurance/stats", &agent).await.status, StatusCode::FORBIDDEN);
    // The agent's roster as XLSX and as a printable page.
    let x = app.get("/insurance/roster.xlsx", &agent).await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::Reader as _;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(x.bytes.clone())).unwrap();
    let sheet = wb.worksheet_range("清册").unwrap();
    assert_eq!(sheet.height() - 1, village(&app, "水泉镇", "东村").await.len());
    let p = app.get("/insurance/roster/print", &agent).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("水泉镇东村2023年度城乡居民养老、医疗保险征缴清册") && p.body.contains("roster.pdf"));
    let (enterprise, _) = app.login("enterprise").await;
    assert_eq!(app.get("/insurance", &enterprise).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn import_reports_bad_rows_and_reimport_changes_nothing() {
    let app = spawn_app_with(false).await;
    // 参保登记 is 区人社局's and 区医保局's (六（二）2、六（三）2).
    let (admin, csrf) = app.login("hrss").await;
    let header = insurance::INPUT_COLUMNS.join(",");
    let csv = format!(
        "{header}\n\
         370406195005010010,张三,水泉镇,东村,1,0,0,0,1,低保,,,,\n\
         370406197507090013,李四,水泉镇,东村,1,0,0,0,0,低保,,100,,\n\
         370406195812200013,王五,水泉镇,东村,1,0,0,0,0,,,500,,\n\
         370406195812200011,赵六,水泉镇,东村,1,0,0,0,0,,,500,,\n\
         370406201003030016,孙七,水泉镇,西村,1,0,0,1,0,,,,,\n\
         370406197507090013,李四,水泉镇,东村,1,0,0,0,0,低保,,100,,\n\
         370406198001010017,周八,不存在镇,东村,1,0,0,0,0,,,,,\n"
    );
    let r = upload(&app, "/insurance/import", &admin, &csrf, "residents.csv", &csv).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let errors = between(&r.body, "<table id=\"import-errors\">", "</table>");
    // Line 5 has a bad check digit, line 7 repeats line 3, line 8 names no town of the district.
    assert!(errors.contains("<td class=\"num\">5</td><td>id_number</td>"), "{errors}");
    assert!(errors.contains("<td class=\"num\">7</td><td>id_number</td>") && errors.contains("第3行重复"), "{errors}");
    assert!(errors.contains("<td class=\"num\">8</td><td>town</td>"), "{errors}");
    assert_eq!(app.store.insurance_resident_count().await.unwrap(), 4);
    // The worked examples of the spec, as stored.
    let rows = village(&app, "水泉镇", "东村").await;
    let by = |id: &str| rows.iter().find(|r| r.id_number == id).unwrap();
    assert_eq!(by("370406195005010010").total_due_fen, 0);
    assert_eq!(by("370406197507090013").total_due_fen, 10_000);
    assert_eq!(by("370406195812200013").total_due_fen, 67_500);
    let rows = village(&app, "水泉镇", "西村").await;
    assert_eq!(rows[0].total_due_fen, 35_000);
    assert_eq!(rows[0].pension_status, "under_16", "12 years old: under 16 comes first");
    // Again: nothing changes.
    let before = app.store.insurance_roster(&RosterFilter { year: 2023, limit: 100, ..Default::default() }).await.unwrap().0;
    let r = upload(&app, "/insurance/import", &admin, &csrf, "residents.csv", &csv).await;
    assert_eq!(r.status, StatusCode::OK);
    let again = app.store.insurance_roster(&RosterFilter { year: 2023, limit: 100, ..Default::default() }).await.unwrap().0;
    assert_eq!(before, again);
    // A wrong header writes nothing.
    let r = upload(&app, "/insurance/import", &admin, &csrf, "x.csv", "a,b\n1,2\n").await;
    assert!(r.body.contains("表头应为"), "{}", r.body);
    // Agents and town staff cannot import.
    let (agent, acsrf) = app.login("agent").await;
    assert_eq!(upload(&app, "/insurance/import", &agent, &acsrf, "r.csv", &csv).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tax_bureau_records_payments_on_behalf_once() {
    let app = spawn_app_with(true).await;
    let (tax, csrf) = app.login("tax").await;
    let form = format!("csrf={csrf}&town={}&village={}&channel={}&paid_on=2022-11-01", enc("徐庄镇"), enc("南庄村"), enc("银行"));
    let r = app.post_form("/insurance/bulk", &tax, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let msg = app.get(r.location.as_deref().unwrap(), &tax).await.body;
    let rows = village(&app, "徐庄镇", "南庄村").await;
    let on_behalf = rows.iter().filter(|r| r.status == "included" && r.medical_on_behalf_fen + r.pension_on_behalf_fen > 0).count();
    assert!(on_behalf > 0);
    assert!(msg.contains(&format!("登记代缴 {on_behalf} 笔")), "{msg}");
    for r in rows.iter().filter(|r| r.status == "included") {
        assert_eq!(r.on_behalf_paid_fen, r.medical_on_behalf_fen + r.pension_on_behalf_fen);
    }
    let r = app.post_form("/insurance/bulk", &tax, &form).await;
    let msg = app.get(r.location.as_deref().unwrap(), &tax).await.body;
    assert!(msg.contains("登记代缴 0 笔"), "{msg}");
    let (commerce, ccsrf) = app.login("commerce").await;
    assert_eq!(app.post_form("/insurance/bulk", &commerce, &form.replace(&csrf, &ccsrf)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_group_list_only_from_the_unit_that_confirms_that_group() {
    let app = spawn_app_with(true).await;
    let rows = village(&app, "水泉镇", "西村").await;
    let t = rows.iter().find(|r| r.status == "included" && r.groups.is_empty() && r.paid_fen == 0).unwrap().clone();
    let list = |g: &str| format!("id_number,group\n{},{g}\n", t.id_number);
    // 残疾 is 区残联's list (六（六）, policy/access/duties.toml): not 区民政局's.
    let (civil, ccsrf) = app.login("civil").await;
    let r = upload(&app, "/insurance/lists", &civil, &ccsrf, "g.csv", &list("残疾")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("由区残联确认"), "{}", r.body);
    assert_eq!(app.store.insurance_resident(t.id).await.unwrap(), t, "nothing written");
    let (disabled, dcsrf) = app.login("disabled").await;
    let r = upload(&app, "/insurance/lists", &disabled, &dcsrf, "g.csv", &list("低保")).await;
    assert!(r.body.contains("本单位不能报送"), "{}", r.body);
    let r = upload(&app, "/insurance/lists", &disabled, &dcsrf, "g.csv", &list("残疾")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.store.insurance_resident(t.id).await.unwrap().list_groups, "残疾");
    // The police provide deaths, not group lists; units with no duty here upload nothing.
    let (police, pcsrf) = app.login("police").await;
    let r = upload(&app, "/insurance/lists", &police, &pcsrf, "g.csv", &list("低保")).await;
    assert!(r.body.contains("本单位不能报送"), "{}", r.body);
    for who in ["commerce", "fund", "emergency", "tax", "finance", "auditor", "town", "agent"] {
        let (c, k) = app.login(who).await;
        assert_eq!(upload(&app, "/insurance/lists", &c, &k, "d.csv", &list("低保")).await.status, StatusCode::FORBIDDEN, "{who}");
    }
}
