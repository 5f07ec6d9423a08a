//! 工作台 and 消息 over HTTP: every demo role's home page shows its to-do
//! list (or 暂无待办), an event puts an item on the right desk and a
//! notification in the right inbox, 全部标为已读 empties it.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::{App, spawn_app_with};

const ROLES: &[&str] = &["admin", "commerce", "tax", "emergency", "fund", "hrss", "medical", "finance", "town", "agent", "enterprise"];

fn enc(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The to-do section of the home page.
async fn desk(app: &App, who: &str) -> String {
    let (sid, _) = app.login(who).await;
    let r = app.get("/", &sid).await;
    assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.body);
    common::between(&r.body, "id=\"todo-title\"", "</section>")
}

#[tokio::test]
async fn every_demo_role_sees_its_desk() {
    let app = spawn_app_with(true).await;
    for who in ROLES {
        let d = desk(&app, who).await;
        assert!(d.contains("class=\"todo") || d.contains("暂无待办"), "{who}: {d}");
        assert!(!d.contains("+08:00"), "{who}: no ISO timestamps: {d}");
        println!("{who}: {}", d.matches("class=\"todo-what\"").count());
    }
    // The fund office runs the joint meeting; a tax officer does not.
    assert!(!desk(&app, "tax").await.contains("联席会议"));
}

#[tokio::test]
async fn a_report_reaches_the_bureau_desk_and_inbox() {
    let app = spawn_app_with(false).await;
    assert!(desk(&app, "emergency").await.contains("暂无待办"));
    let (sid, csrf) = app.login("town").await;
    let form = enc(&[
        ("csrf", &csrf),
        ("title", "测试冒顶事故"),
        ("incident_type", "非煤矿山事故"),
        ("severity", "较大"),
        ("place", "水泉镇某矿"),
        ("injured", "2"),
    ]);
    let r = app.post_form("/emergency/report", &sid, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = desk(&app, "emergency").await;
    assert!(d.contains("尚未决定响应级别的突发事件") && d.contains("山政发〔2022〕8号"), "{d}");
    // The town's own desk: its incident to follow up.
    assert!(desk(&app, "town").await.contains("进行中的突发事件"));

    let (bsid, bcsrf) = app.login("emergency").await;
    let home = app.get("/", &bsid).await.body;
    assert!(home.contains("class=\"unread-count\""), "the header counts the unread notification");
    let inbox = app.get("/notifications", &bsid).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("水泉镇报送突发事件信息（首报）：测试冒顶事故") && inbox.body.contains("全部标为已读"), "{}", inbox.body);
    let r = app.post_form("/notifications/read", &bsid, &format!("csrf={bcsrf}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let home = app.get("/", &bsid).await.body;
    assert!(!home.contains("class=\"unread-count\""));
    // Another unit's inbox stays empty; the deliveries page is the administrators'.
    let (tsid, _) = app.login("tax").await;
    assert!(app.get("/notifications", &tsid).await.body.contains("暂无消息"));
    assert_eq!(app.get("/admin/deliveries", &tsid).await.status, StatusCode::FORBIDDEN);
    let (asid, _) = app.login("admin").await;
    let r = app.get("/admin/deliveries", &asid).await;
    assert!(r.status == StatusCode::OK && r.body.contains("未配置站外投递"), "{}", r.body);
}
