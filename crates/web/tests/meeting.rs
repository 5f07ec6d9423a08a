//! Joint meeting over HTTP: the decide API's contract, access by duty on
//! every route, the demo meeting's minutes, the procedure's guards, the
//! yearly reminder as the engine computes it, identical requests at once,
//! materials' size and type, and representatives over time.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, between, spawn_app_at, spawn_app_with};

const NINE: &str = r#"["区政府","区政府办公室","枣庄市住房公积金管理中心山亭管理部","区财政局","区税务局","区行政审批服务局","区人社局","区住房和城乡建设局","区教育财务管理结算中心"]"#;

/// `%E5…` for a form value.
fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn version(app: &App, id: i64) -> i64 {
    app.store.meeting(id).await.unwrap().version
}

async fn upload(app: &App, cookie: &str, csrf: &str, id: i64, name: &str, body: &[u8]) -> common::Resp {
    let boundary = "XBOUNDARYX";
    let mut b =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/html\r\n\r\n")
            .into_bytes();
    b.extend_from_slice(body);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.send(
        Request::post(format!("/meeting/{id}/materials?csrf={csrf}"))
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(b))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn decide_api_matches_the_cli_contract() {
    let app = spawn_app_with(false).await;
    let body = format!(
        r#"{{"member_units": {NINE}, "meeting_date": "2023-03-10", "materials_sent_on": "2023-03-05",
        "attendance": {{"区政府": "present", "区政府办公室": "present", "枣庄市住房公积金管理中心山亭管理部": "present", "区财政局": "proxy",
                        "区税务局": "present", "区行政审批服务局": "present", "区人社局": "present"}},
        "items": [{{"title": "议题一", "votes": {{"区政府": "for", "区政府办公室": "for", "枣庄市住房公积金管理中心山亭管理部": "for",
                    "区税务局": "for", "区行政审批服务局": "for", "区人社局": "against", "区财政局": "for"}}}}]}}"#
    );
    let r = app.post_json("/api/v1/meeting/decide", "", None, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["quorum_met"], true);
    assert_eq!(v["present_units"], 7);
    assert_eq!(v["quorum_required"], 7);
    assert_eq!(v["notice_ok"], true);
    assert_eq!(v["items"][0]["votes_for"], 5);
    assert_eq!(v["items"][0]["votes_against"], 1);
    assert_eq!(v["items"][0]["votes_required"], 6);
    assert_eq!(v["items"][0]["passed"], false);
    assert_eq!(v["items"][0]["invalid_votes"], serde_json::json!(["区财政局"]));
    let bad = body.replace("\"区人社局\": \"against\"", "\"区不存在局\": \"against\"");
    let r = app.post_json("/api/v1/meeting/decide", "", None, &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("区不存在局"), "{}", r.body);
}

#[tokio::test]
async fn demo_meeting_has_minutes_and_the_procedure_guards_its_steps() {
    let app = spawn_app_with(true).await;
    let (fund, csrf) = app.login("fund").await;
    let list = app.get("/meeting", &fund).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("2022年第一次住房公积金联席会议"));
    let minutes = app.get("/meeting/1/minutes", &fund).await;
    assert_eq!(minutes.status, StatusCode::OK);
    assert!(minutes.body.contains("山亭区住房公积金联席会议纪要〔2022〕1号"));
    assert!(minutes.body.contains("同意两项议题"), "the proxy's written opinion is in the minutes");
    // Attendance is shown by its label, not its code.
    let page = app.get("/meeting/1", &fund).await;
    let table = between(&page.body, "id=\"attendance\">", "</table>");
    assert!(table.contains("委托出席") && table.contains("缺席") && !table.contains("proxy"), "{table}");
    assert!(page.body.contains("符合会前5天送达的要求"), "the demo's agenda went out a week ahead");
    // The upcoming meeting (materials sent) cannot open before attendance is recorded.
    let v = version(&app, 2).await;
    let r = app.post_form("/meeting/2/advance", &fund, &format!("csrf={csrf}&version={v}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("出席情况"), "{}", r.body);
    // A step asked for without the page's version is refused, naming it.
    let r = app.post_form("/meeting/2/advance", &fund, &format!("csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("版本"), "{}", r.body);
    // A proxy without the head's written opinion is refused, and nothing is written.
    let r = app.post_form("/meeting/2/attendance", &fund, &format!("csrf={csrf}&status%3A{}=proxy", enc("区财政局"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("书面意见"), "{}", r.body);
    assert!(app.store.meeting_detail(2).await.unwrap().attendance.is_empty());
    // Too few units present: the engine refuses to open (四（三）).
    let few: String = ["区政府", "区税务局"].iter().map(|u| format!("&status%3A{}=present", enc(u))).collect();
    let absent: String = [
        "区政府办公室",
        "枣庄市住房公积金管理中心山亭管理部",
        "区财政局",
        "区行政审批服务局",
        "区人社局",
        "区住房和城乡建设局",
        "区教育财务管理结算中心",
    ]
    .iter()
    .map(|u| format!("&status%3A{}=absent", enc(u)))
    .collect();
    let r = app.post_form("/meeting/2/attendance", &fund, &format!("csrf={csrf}{few}{absent}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = version(&app, 2).await;
    let r = app.post_form("/meeting/2/advance", &fund, &format!("csrf={csrf}&version={v}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("法定人数"), "{}", r.body);
    // Votes before the meeting opens are refused by the stage.
    let item = app.store.meeting_detail(2).await.unwrap().items[0].id;
    let r = app.post_form(&format!("/meeting/2/votes/{item}"), &fund, &format!("csrf={csrf}&vote%3A{}=for", enc("区政府"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

#[derive(Clone, Copy)]
enum Expect {
    /// 200 / 303: allowed.
    Ok,
    Forbidden,
}

/// Every meeting route for every kind of account: the office runs, members
/// read and propose for themselves, 区政府 reads, the rest see nothing.
#[tokio::test]
async fn every_route_answers_by_duty() {
    use Expect::*;
    let app = spawn_app_with(true).await;
    let material = app.store.meeting_detail(2).await.unwrap().materials[0].id;
    let item = app.store.meeting_detail(2).await.unwrap().items[0].id;
    let reads = ["/meeting/1".to_string(), format!("/meeting/2/materials/{material}"), "/meeting/1/minutes".to_string()];
    let v0 = version(&app, 2).await;
    //            who          list  read        propose    run
    let table = [
        ("fund", Ok, Ok, Ok, Ok),
        ("admin", Ok, Ok, Forbidden, Forbidden),
        ("finance", Ok, Ok, Ok, Forbidden),
        ("tax", Ok, Ok, Ok, Forbidden),
        ("hrss", Ok, Ok, Ok, Forbidden),
        ("commerce", Ok, Forbidden, Forbidden, Forbidden),
        ("emergency", Ok, Forbidden, Forbidden, Forbidden),
        ("town", Forbidden, Forbidden, Forbidden, Forbidden),
        ("agent", Forbidden, Forbidden, Forbidden, Forbidden),
        ("enterprise", Forbidden, Forbidden, Forbidden, Forbidden),
    ];
    let own = |who: &str| match who {
        "finance" => "区财政局",
        "tax" => "区税务局",
        "hrss" => "区人社局",
        _ => "枣庄市住房公积金管理中心山亭管理部",
    };
    let check = |who: &str, path: &str, e: Expect, status: StatusCode, body: &str| match e {
        Ok => assert!(status == StatusCode::OK || status == StatusCode::SEE_OTHER, "{who} {path}: {status} {body}"),
        Forbidden => assert_eq!(status, StatusCode::FORBIDDEN, "{who} {path}: {body}"),
    };
    for (who, list, read, propose, run) in table {
        let (sid, csrf) = app.login(who).await;
        let r = app.get("/meeting", &sid).await;
        check(who, "/meeting", list, r.status, &r.body);
        for p in &reads {
            let r = app.get(p, &sid).await;
            check(who, p, read, r.status, &r.body);
        }
        if matches!(read, Forbidden) {
            assert_eq!(app.get("/meeting/1/minutes.pdf", &sid).await.status, StatusCode::FORBIDDEN, "{who}");
        }
        let form = format!(
            "csrf={csrf}&title={}&proposed_by={}&meeting_date=2031-05-20&place=&items={}",
            enc(&format!("{who} 提议的会议")),
            enc(own(who)),
            enc("议题")
        );
        let r = app.post_form("/meeting", &sid, &form).await;
        check(who, "POST /meeting", propose, r.status, &r.body);
        if who == "fund" {
            continue; // the office's writes are exercised step by step elsewhere
        }
        let writes = [
            ("/meeting/2/advance".to_string(), format!("csrf={csrf}&version={v0}")),
            ("/meeting/2/send".to_string(), format!("csrf={csrf}&version={v0}&sent_on=2020-01-01")),
            ("/meeting/2/attendance".to_string(), format!("csrf={csrf}&status%3A{}=present", enc("区政府"))),
            (format!("/meeting/2/votes/{item}"), format!("csrf={csrf}&vote%3A{}=for", enc("区政府"))),
            ("/meeting/representatives".to_string(), format!("csrf={csrf}&unit={}&person=x&post=&from=2031-01-01", enc("区税务局"))),
        ];
        for (path, body) in &writes {
            let r = app.post_form(path, &sid, body).await;
            check(who, path, run, r.status, &r.body);
        }
        let r = upload(&app, &sid, &csrf, 2, "x.txt", b"x").await;
        check(who, "upload", run, r.status, &r.body);
    }
    // Nothing the refused accounts sent was written.
    assert_eq!(version(&app, 2).await, v0);
    let reps = app.store.meeting_representatives().await.unwrap();
    assert!(reps.iter().all(|r| r.person != "x"));
    // A member proposes in its own name only.
    let (sid, csrf) = app.login("finance").await;
    let form = format!("csrf={csrf}&title=x&proposed_by={}&meeting_date=2031-05-20&items=y", enc("区税务局"));
    let r = app.post_form("/meeting", &sid, &form).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("本单位"), "{}", r.body);
    // Not logged in: the login page, nothing shown.
    let r = app.get("/meeting/1", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_unit_outside_the_group_sees_no_meeting() {
    let app = spawn_app_with(true).await;
    for who in ["commerce", "emergency"] {
        let (sid, _) = app.login(who).await;
        let r = app.get("/meeting", &sid).await;
        assert_eq!(r.status, StatusCode::OK);
        let list = between(&r.body, "id=\"meetings\">", "</table>");
        assert!(!list.contains("/meeting/"), "{who}: {list}");
        assert!(!r.body.contains("2022年第一次住房公积金联席会议"), "{who}");
        assert!(!r.body.contains("propose-form"), "{who} may not propose");
        assert!(!r.body.contains("meeting-reminder"), "{who}");
    }
    let (sid, _) = app.login("hrss").await;
    let r = app.get("/meeting", &sid).await;
    assert!(r.body.contains("2022年第一次住房公积金联席会议"), "区人社局 is 区人力资源和社会保障局, a member");
    // A member proposes only in its own name.
    let form = between(&r.body, "name=\"proposed_by\">", "</select>");
    assert_eq!(form, "<option>区人社局</option>");
}

/// The reminder on the page is the engine's, on the anniversary of the last
/// meeting held and the days either side (the page's own copy said `due <
/// today` and missed the anniversary itself).
#[tokio::test]
async fn the_reminder_agrees_with_the_engine_around_the_anniversary() {
    let params = kernel::ParamSet::embedded().unwrap();
    let last: kernel::Date = "2022-11-25".parse().unwrap();
    for (day, due) in [("2023-11-24", false), ("2023-11-25", true), ("2023-11-26", true)] {
        let today: kernel::Date = day.parse().unwrap();
        let rules = meeting::Rules::load(&params, today).unwrap();
        assert_eq!(rules.overdue(Some(last), today), due, "{day}");
        let app = spawn_app_at(true, Some(today)).await;
        let (sid, _) = app.login("fund").await;
        let r = app.get("/meeting", &sid).await;
        assert_eq!(r.body.contains("id=\"meeting-reminder\""), due, "{day}: {}", r.body);
        if due {
            let text = between(&r.body, "id=\"meeting-reminder\" role=\"alert\">", "</p>");
            assert_eq!(text, rules.reminder_text(Some(last), today).unwrap());
            assert!(text.contains("山政办字〔2022〕19号 四（二）"), "{text}");
        }
    }
}

/// Twenty identical requests at once (a double click, a retry storm): one
/// takes effect, the rest are told it changed meanwhile.
#[tokio::test]
async fn identical_requests_at_once_take_effect_once() {
    let app = spawn_app_with(true).await;
    let (fund, csrf) = app.login("fund").await;
    let all: String = meeting::Rules::load(&kernel::ParamSet::embedded().unwrap(), store::today())
        .unwrap()
        .members
        .iter()
        .map(|u| format!("&status%3A{}=present", enc(u)))
        .collect();
    let r = app.post_form("/meeting/2/attendance", &fund, &format!("csrf={csrf}{all}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let before = app.store.audit_history("meeting", "2").await.unwrap().len();
    let v = version(&app, 2).await;
    let body = format!("csrf={csrf}&version={v}");
    let rs = futures::future::join_all((0..20).map(|_| app.post_form("/meeting/2/advance", &fund, &body))).await;
    let ok = rs.iter().filter(|r| r.status == StatusCode::SEE_OTHER).count();
    assert_eq!(ok, 1, "{:?}", rs.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(rs.iter().all(|r| r.status == StatusCode::SEE_OTHER || r.status == StatusCode::CONFLICT));
    assert_eq!(app.store.meeting(2).await.unwrap().stage, meeting::Stage::Opened);
    assert_eq!(app.store.audit_history("meeting", "2").await.unwrap().len(), before + 1);

    // Sending the materials of a called meeting, twenty times at once.
    let form = format!("csrf={csrf}&title=t&proposed_by={}&meeting_date=2099-01-10&items=a", enc("区税务局"));
    let r = app.post_form("/meeting", &fund, &form).await;
    let id: i64 = r.location.unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let v = version(&app, id).await;
    assert_eq!(
        app.post_form(&format!("/meeting/{id}/advance"), &fund, &format!("csrf={csrf}&version={v}")).await.status,
        StatusCode::SEE_OTHER
    );
    // Sent with nothing uploaded: no delivery (四（二）).
    let v = version(&app, id).await;
    let today = store::today();
    let send = format!("csrf={csrf}&version={v}&sent_on={today}");
    let r = app.post_form(&format!("/meeting/{id}/send"), &fund, &send).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("四（二）"), "{}", r.body);
    assert_eq!(upload(&app, &fund, &csrf, id, "议题.txt", "一、议题".as_bytes()).await.status, StatusCode::SEE_OTHER);
    let v = version(&app, id).await;
    let send = format!("csrf={csrf}&version={v}&sent_on={today}");
    let path = format!("/meeting/{id}/send");
    let rs = futures::future::join_all((0..20).map(|_| app.post_form(&path, &fund, &send))).await;
    assert_eq!(rs.iter().filter(|r| r.status == StatusCode::SEE_OTHER).count(), 1);
    let sends = app.store.audit_history("meeting", &id.to_string()).await.unwrap().iter().filter(|e| e.action == "stage").count();
    assert_eq!(sends, 2, "called, then sent once");
}

#[tokio::test]
async fn materials_are_capped_and_typed_by_the_server() {
    let app = spawn_app_with(true).await;
    let (fund, csrf) = app.login("fund").await;
    let big = vec![b'x'; store::documents::MAX_BYTES + 1];
    let r = upload(&app, &fund, &csrf, 2, "大文件.pdf", &big).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", &r.body[..r.body.len().min(300)]);
    assert!(r.body.contains("大文件.pdf") && r.body.contains("20 MB"), "{}", r.body);
    let n = app.store.meeting_detail(2).await.unwrap().materials.len();
    // A file the client calls text/html is stored and sent back as an attachment of the server's type.
    let r = upload(&app, &fund, &csrf, 2, "page.html", b"<script>alert(1)</script>").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = app.store.meeting_detail(2).await.unwrap();
    assert_eq!(d.materials.len(), n + 1);
    let m = d.materials.last().unwrap();
    assert_eq!(m.content_type, "application/octet-stream");
    let (tax, _) = app.login("tax").await;
    let r =
        app.send(Request::get(format!("/meeting/2/materials/{}", m.id)).header(header::COOKIE, &tax).body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type.as_deref(), Some("application/octet-stream"));
    // Another meeting's material id under this meeting is not found.
    let first = app.store.meeting_detail(1).await.unwrap().materials[0].id;
    assert_eq!(app.get(&format!("/meeting/2/materials/{first}"), &tax).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn representatives_follow_the_post() {
    let app = spawn_app_with(true).await;
    let (fund, csrf) = app.login("fund").await;
    let r = app
        .post_form(
            "/meeting/representatives",
            &fund,
            &format!("csrf={csrf}&unit={}&person={}&post={}&from=2024-01-01", enc("区税务局"), enc("新代表"), enc("副局长")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reps = app.store.meeting_representatives().await.unwrap();
    let tax: Vec<_> = reps.iter().filter(|r| r.unit == "区税务局").collect();
    assert_eq!(tax.len(), 2);
    assert_eq!(tax[0].person, "贾广彦");
    assert_eq!(tax[0].to_date.as_deref(), Some("2023-12-31"));
    assert_eq!(tax[1].person, "新代表");
    // The 2022 minutes still name who represented the unit then.
    let minutes = app.get("/meeting/1/minutes", &fund).await;
    assert!(minutes.body.contains("贾广彦") && !minutes.body.contains("新代表"));
}
