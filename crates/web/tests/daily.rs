//! Daily use (issue 12 §5): the workflow gaps closed — a town's 发生时间 on
//! the incident page, 免申即享 opening on the latest year with data, lenient
//! query strings answering in Chinese.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::{enc, spawn_app_with};

#[tokio::test]
async fn a_town_reports_occurrence_time_shows_on_the_incident() {
    let app = spawn_app_with(false).await;
    let (town, csrf) = app.login("town").await;
    let body = enc(&[
        ("csrf", &csrf),
        ("title", "测试山体滑坡"),
        ("incident_type", "地质灾害"),
        ("severity", "一般"),
        ("occurred_at", "2026-11-28T10:20"),
        ("place", "水泉镇某村"),
    ]);
    let r = app.post_form("/emergency/report", &town, &body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&r.location.unwrap(), &town).await.body;
    assert!(page.contains("<td id=\"occurred-at\">2026-11-28 10:20</td>"), "{page}");
    assert!(!page.contains("+08:00"), "no machine timestamps: {page}");
}

#[tokio::test]
async fn proactive_matches_open_on_the_latest_year_with_data() {
    let app = spawn_app_with(true).await;
    let (rev, _) = app.login("commerce").await;
    // The demo declares 2023; today's default (last year) has none.
    let m = app.get("/subsidy/matches", &rev).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.body.contains("<option value=\"2023\" selected>2023年</option>"), "{}", m.body);
    assert!(m.body.matches("<tr>").count() > 1, "the demo's matches are listed");
    // A year typed with its unit is not a framework error.
    let m = app.get("/subsidy/matches?year=2023%E5%B9%B4", &rev).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.body.contains("年度应为数字") && m.body.contains("2023年</option>"), "{}", m.body);
    let m = app.get("/subsidy/matches?year=2019", &rev).await;
    assert!(m.body.contains("2019年（无申报数据）"), "{}", m.body);
}

#[tokio::test]
async fn the_application_list_searches_filters_pages_and_exports() {
    let app = spawn_app_with(true).await;
    let (rev, _) = app.login("commerce").await;
    let r = app.get("/subsidy?year=2023%E5%B9%B4&page=abc", &rev).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("以下条件无法识别，已忽略：年度（应为数字，如 2023）、页码（应为数字）"), "{}", r.body);
    assert!(!r.body.contains("Failed to deserialize"));
    let all = app.get("/subsidy", &rev).await.body;
    assert!(all.contains("class=\"pager\"") && all.contains("共 "), "numbered paging with the total: {all}");
    let none = app.get("/subsidy?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E4%BC%81%E4%B8%9A", &rev).await.body;
    assert!(none.contains("没有符合条件的申请") && none.contains("共 0 件"), "{none}");
    let csv = app.get("/subsidy?status=&format=csv", &rev).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.unwrap().starts_with("text/csv"));
    assert!(csv.body.contains("企业,统一社会信用代码,镇（街）,年度,状态,测算金额（元）,提交时间"), "{}", csv.body);
    let xlsx = app.get("/subsidy?format=xlsx", &rev).await;
    assert!(xlsx.content_type.unwrap().contains("spreadsheetml"));
}

#[tokio::test]
async fn the_audit_log_speaks_chinese_filters_and_exports() {
    let app = spawn_app_with(true).await;
    let (admin, _) = app.login("admin").await;
    let r = app.get("/admin/audit?entity=emergency_warning", &admin).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("拟制预警") && r.body.contains("<option value=\"emergency_warning\" selected>预警</option>"), "{}", r.body);
    assert!(!r.body.contains("{&quot;") && !r.body.contains("emergency_warning #"), "no raw JSON or codes: {}", r.body);
    assert!(r.body.contains("状态：已批准") || r.body.contains("状态：已提交"), "{}", r.body);
    let r = app.get("/admin/audit?page=abc", &admin).await;
    assert_eq!(r.status, StatusCode::OK, "a bad page number is not a framework error");
    let csv = app.get("/admin/audit?entity=emergency_warning&format=csv", &admin).await;
    assert!(csv.content_type.unwrap().starts_with("text/csv"));
    assert!(csv.body.contains("序号,时间,操作人,操作,对象,对象编号,修改前,修改后") && csv.body.contains("拟制预警"), "{}", csv.body);
}

#[tokio::test]
async fn the_enterprise_directory_pages_and_exports_and_charts_have_legends() {
    let app = spawn_app_with(true).await;
    let (rev, _) = app.login("commerce").await;
    let r = app.get("/subsidy/enterprises?page=x", &rev).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("class=\"pager\"") && r.body.contains("家，第 1 /"), "{}", r.body);
    let csv = app.get("/subsidy/enterprises?format=csv", &rev).await;
    assert!(csv.body.contains("企业,统一社会信用代码,镇（街）,联系人"), "{}", csv.body);
    let t = app.get("/subsidy/targets", &rev).await.body;
    assert!(t.contains("<g class=\"legend\">") && t.contains("完成进度（%）"), "{t}");
    let m = app.get("/subsidy/matches", &rev).await.body;
    assert!(m.contains("href=\"/subsidy/targets\""), "targets linked from the subsidy pages");
}

#[tokio::test]
async fn a_refused_new_account_keeps_what_was_typed_but_the_password() {
    let app = spawn_app_with(false).await;
    let (admin, csrf) = app.login("admin").await;
    let page = app.get("/admin/users", &admin).await.body;
    assert!(page.contains("<option value=\"enterprise\" selected>企业用户</option>"), "the least role by default");
    let body = enc(&[
        ("csrf", &csrf),
        ("username", "zhangsan"),
        ("display_name", "张三"),
        ("password", "a-long-enough-secret-9"),
        ("role", "town"),
        ("town", "不存在镇"),
        ("village", "某村"),
    ]);
    let r = app.post_form("/admin/users", &admin, &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("不是本区的镇（街）"), "{}", r.body);
    assert!(r.body.contains("value=\"zhangsan\"") && r.body.contains("value=\"张三\"") && r.body.contains("value=\"某村\""), "{}", r.body);
    assert!(r.body.contains("<option value=\"town\" selected>"), "the typed role kept");
    assert!(!r.body.contains("a-long-enough-secret-9"), "never the password");
}
