//! 工作台 and 消息 over HTTP: every demo role's home page shows its to-do
//! list (or 暂无待办), an event puts an item on the right desk and a
//! notification in the right inbox, 全部标为已读 empties it.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::{App, enc, spawn_app_with};

const ROLES: &[&str] = &["admin", "commerce", "tax", "emergency", "fund", "hrss", "medical", "finance", "town", "agent", "enterprise"];

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

/// A webhook receiver on a free loopback port: every POST's signature header and body.
async fn receiver(status: u16) -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    use axum::routing::post;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = got.clone();
    let router = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let sink = sink.clone();
            async move {
                let sig = headers.get(web::delivery::SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                sink.lock().unwrap().push((sig, body));
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test]
async fn notifications_go_out_as_signed_webhooks_with_retries() {
    use store::notifications::{Channel, DeliveryState, DeliveryTarget};
    let (good, got) = receiver(200).await;
    let (bad, refused) = receiver(503).await;
    let targets = vec![
        DeliveryTarget { channel: Channel::Webhook, target: good.clone() },
        DeliveryTarget { channel: Channel::Webhook, target: bad.clone() },
    ];
    let app = common::spawn_app_tuned(false, move |s| s.app.store = s.app.store.clone().with_delivery(targets)).await;
    let (sid, csrf) = app.login("town").await;
    let form =
        enc(&[("csrf", &csrf), ("title", "测试冒顶事故"), ("incident_type", "非煤矿山事故"), ("severity", "较大"), ("place", "某矿")]);
    assert_eq!(app.post_form("/emergency/report", &sid, &form).await.status, StatusCode::SEE_OTHER);
    let secret = b"0123456789abcdef-test";
    let deliverer = web::delivery::Deliverer::new(secret).unwrap();
    assert_eq!(deliverer.run_once(&app.store).await.unwrap(), 2);
    let (sig, body) = got.lock().unwrap()[0].clone();
    assert_eq!(sig, web::delivery::sign(secret, body.as_bytes()), "signed over the body");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["kind"], "report_filed");
    assert!(v["text"].as_str().unwrap().contains("测试冒顶事故"));
    assert_eq!(refused.lock().unwrap().len(), 1);
    let ds = app.store.deliveries(10).await.unwrap();
    let sent = ds.iter().find(|d| d.target == good).unwrap();
    assert_eq!((sent.state, sent.attempts), (DeliveryState::Sent, 1));
    let retry = ds.iter().find(|d| d.target == bad).unwrap();
    assert_eq!((retry.state, retry.attempts), (DeliveryState::Pending, 1));
    assert!(retry.last_error.as_deref().unwrap().contains("503") && retry.next_attempt_at > store::now_secs());
    // Not due yet: nothing is sent again now.
    assert_eq!(deliverer.run_once(&app.store).await.unwrap(), 0);
    // The administrators see each delivery's state.
    let (asid, _) = app.login("admin").await;
    let page = app.get("/admin/deliveries", &asid).await.body;
    assert!(page.contains("已送达") && page.contains("待投递") && page.contains("503"), "{page}");
}

#[tokio::test]
async fn insurance_items_go_as_residents_pay_and_rosters_are_published() {
    let app = spawn_app_with(true).await;
    let year = app.store.workbench_insurance_year().await.unwrap().unwrap();
    let owing = |app: &App| {
        let store = app.store.clone();
        async move { store.workbench_owing(year, Some("水泉镇"), Some("东村")).await.unwrap().first().map_or(0, |p| p.count) }
    };
    let before = owing(&app).await;
    assert!(before > 0, "the demo has residents of 东村 still owing");
    let d = desk(&app, "agent").await;
    assert!(d.contains("尚未缴费的居民：水泉镇东村") && d.contains(&format!(">{before}<")), "{d}");
    // Another village's residents are not on this agent's desk.
    assert!(!d.contains("西村"), "{d}");
    // One of them pays: one fewer.
    let mut unpaid = None;
    for (id, t, v, due) in app.store.insurance_dues(year).await.unwrap() {
        if t == "水泉镇" && v == "东村" && app.store.insurance_resident(id).await.unwrap().paid_fen <= 0 {
            unpaid = Some((id, due));
            break;
        }
    }
    let (id, due) = unpaid.unwrap();
    let p = store::insurance::NewPayment {
        reference: "WB-TEST-1".into(),
        resident_id: id,
        year,
        kind: insurance::PaymentKind::Individual,
        amount_fen: due,
        channel: insurance::Channel::WeChat,
        paid_on: format!("{}-11-01", year - 1),
        note: String::new(),
    };
    app.store.insurance_record_payment("agent", &p).await.unwrap();
    assert_eq!(owing(&app).await, before - 1);
    assert!(desk(&app, "agent").await.contains(&format!(">{}<", before - 1)));
    // The town publishes its villages' rosters: the item counts down.
    let town = desk(&app, "town").await;
    assert!(town.contains("待公示缴费清册的村（居）"), "{town}");
    for v in store::demo::DEMO_VILLAGE_NAMES {
        app.store.insurance_publish("town", year, "水泉镇", v).await.unwrap();
    }
    assert!(!desk(&app, "town").await.contains("待公示缴费清册"));
}
