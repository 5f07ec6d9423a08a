//! Bounded uploads: spreadsheet bombs, over-long lines and files over the
//! limit are refused with a message naming the problem, and the server keeps
//! answering.

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, spawn_app, spawn_app_configured};

const BOUNDARY: &str = "XBOUNDARYX";

fn head(name: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
}

fn tail() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

fn post(path: &str, cookie: &str, csrf: &str, body: Body) -> Request<Body> {
    Request::post(format!("{path}?csrf={csrf}"))
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .unwrap()
}

async fn upload(app: &App, path: &str, cookie: &str, csrf: &str, name: &str, data: &[u8]) -> common::Resp {
    let mut body = head(name).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(tail().as_bytes());
    app.send(post(path, cookie, csrf, Body::from(body))).await
}

/// A file of `size` bytes (`prefix`, then `fill`) as a streamed multipart
/// body: never whole in memory.
fn streamed(name: &str, prefix: &[u8], fill: u8, size: usize) -> Body {
    let chunk = bytes::Bytes::from(vec![fill; 64 << 10]);
    let (head, prefix, tail) = (bytes::Bytes::from(head(name)), bytes::Bytes::copy_from_slice(prefix), bytes::Bytes::from(tail()));
    let mut left = size - prefix.len();
    let mut step = 0;
    let parts = std::iter::from_fn(move || {
        loop {
            match step {
                0 => {
                    step = 1;
                    return Some(head.clone());
                }
                1 => {
                    step = 2;
                    if !prefix.is_empty() {
                        return Some(prefix.clone());
                    }
                }
                2 if left > 0 => {
                    let n = left.min(chunk.len());
                    left -= n;
                    return Some(chunk.slice(..n));
                }
                2 => {
                    step = 3;
                    return Some(tail.clone());
                }
                _ => return None,
            }
        }
    });
    Body::from_stream(futures::stream::iter(parts).map(Ok::<_, std::io::Error>))
}

use futures::StreamExt as _;

/// The 1.5 KB workbook whose two cells are A1 and XFD1048576.
fn bomb() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id_number").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

const BOMB_MESSAGE: &str = "工作表范围 A1:XFD1048576 超过上限（最多 256 列）";

#[tokio::test]
async fn the_xlsx_bomb_is_refused_by_both_imports_and_the_server_keeps_answering() {
    let app = spawn_app().await;
    let (admin, csrf) = app.login("admin").await;
    // Resident lists are 区人社局's (六（二）2), group lists 区民政局's (六（六）).
    let (hrss, hcsrf) = app.login("hrss").await;
    let (civil, ccsrf) = app.login("civil").await;
    let b = bomb();
    assert!(b.len() < 8 << 10);
    let t = std::time::Instant::now();
    let r = upload(&app, "/insurance/import", &hrss, &hcsrf, "residents.xlsx", &b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains(BOMB_MESSAGE), "{}", r.body);
    // Named .csv, it is still recognised by its zip magic.
    let r = upload(&app, "/insurance/import", &hrss, &hcsrf, "residents.csv", &b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains(BOMB_MESSAGE), "{}", r.body);
    let r = upload(&app, "/reference/villages/import", &admin, &csrf, "villages.xlsx", &b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains(BOMB_MESSAGE), "{}", r.body);
    let r = upload(&app, "/insurance/lists", &civil, &ccsrf, "groups.xlsx", &b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains(BOMB_MESSAGE), "{}", r.body);
    assert!(t.elapsed() < std::time::Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(app.get("/healthz", "").await.status, StatusCode::OK);
    assert_eq!(app.get("/insurance/import", &hrss).await.status, StatusCode::OK);
    assert_eq!(app.store.insurance_resident_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_valid_village_workbook_still_imports() {
    let app = spawn_app().await;
    let (admin, csrf) = app.login("admin").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["镇（街）", "村（居）", "类型"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "水泉镇").unwrap();
    ws.write_string(1, 1, "测试新村").unwrap();
    ws.write_string(1, 2, "村").unwrap();
    let r = upload(&app, "/reference/villages/import", &admin, &csrf, "v.xlsx", &wb.save_to_buffer().unwrap()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.get("/reference/villages?town=水泉镇", &admin).await.body.contains("测试新村"));
}

#[tokio::test]
async fn twenty_megabytes_without_a_newline_are_refused_naming_the_line() {
    let app = spawn_app().await;
    let (admin, csrf) = app.login("hrss").await;
    let r = app.send(post("/insurance/import", &admin, &csrf, streamed("junk.csv", b"", b'x', 20 << 20))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", &r.body[..r.body.len().min(500)]);
    assert!(r.body.contains("第 1 行超过上限 64 KiB"), "{}", &r.body[..r.body.len().min(500)]);
    assert!(r.body.len() < 4096, "the input is not echoed");
    assert_eq!(app.get("/healthz", "").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_over_long_line_after_good_ones_is_refused_before_anything_is_written() {
    let app = spawn_app().await;
    let (admin, csrf) = app.login("hrss").await;
    let header = insurance::INPUT_COLUMNS.join(",");
    let csv = format!("{header}\n370406195005010010,张三,水泉镇,东村,1,0,0,0,1,低保,,,,\n{}\n", "y".repeat(70 << 10));
    let r = upload(&app, "/insurance/import", &admin, &csrf, "r.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("第 3 行超过上限 64 KiB"), "{}", &r.body[..r.body.len().min(500)]);
    assert_eq!(app.store.insurance_resident_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_wrong_header_is_echoed_at_most_200_characters() {
    let app = spawn_app().await;
    let (admin, csrf) = app.login("hrss").await;
    let csv = format!("{}\n1,2\n", "z".repeat(10_000));
    let r = upload(&app, "/insurance/import", &admin, &csrf, "x.csv", csv.as_bytes()).await;
    assert!(r.body.contains("表头应为"), "{}", &r.body[..r.body.len().min(500)]);
    assert!(r.body.contains(&"z".repeat(200)) && !r.body.contains(&"z".repeat(201)));
    let job = &app.store.insurance_jobs(1).await.unwrap()[0];
    let m = job.message.clone().unwrap();
    assert!(m.chars().count() < 400, "{m}");
}

#[tokio::test]
async fn uploads_over_the_configured_limit_are_refused_with_413() {
    let app = spawn_app_configured(false, |s| {
        s.uploads = web::upload::UploadLimits { residents: 3 << 20, files: 1 << 20 };
    })
    .await;
    let (admin, csrf) = app.login("admin").await;
    let (civil, ccsrf) = app.login("civil").await;
    let (hrss, hcsrf) = app.login("hrss").await;
    // Just under: read (and refused for what it says, not for its size).
    let r = app.send(post("/insurance/lists", &civil, &ccsrf, streamed("g.csv", b"id_number,group\n", b'\n', 1 << 20))).await;
    assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    // Over: 413, naming the limit.
    for (path, size, mb) in
        [("/insurance/lists", (1 << 20) + 1, 1), ("/reference/villages/import", 2 << 20, 1), ("/insurance/import", 4 << 20, 3)]
    {
        let (who, token) = match path {
            "/insurance/lists" => (&civil, &ccsrf),
            "/insurance/import" => (&hrss, &hcsrf),
            _ => (&admin, &csrf),
        };
        let r = app.send(post(path, who, token, streamed("big.csv", b"", b'\n', size))).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {}", r.body);
        assert!(r.body.contains(&format!("文件超过上限 {mb} MB")), "{path}: {}", r.body);
    }
    assert_eq!(app.get("/healthz", "").await.status, StatusCode::OK);
}

#[tokio::test]
async fn documents_kept_in_the_database_stop_at_20_mb_with_a_named_error() {
    let app = spawn_app().await;
    let (ent, csrf) = app.login("enterprise").await;
    let r = app.send(post("/subsidy/documents", &ent, &csrf, streamed("营业执照.pdf", b"%PDF", b'x', 21 << 20))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(r.body.contains("20 MB"), "{}", r.body);
}
