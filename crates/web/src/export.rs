//! Downloads shared by every module: XLSX and CSV tables, and PDF documents.
//!
//! Printable documents are one HTML page each (print CSS in `app.css`); the
//! PDF is that same page printed by headless Chromium, which embeds the CJK
//! font it used (Debian's `fonts-noto-cjk`). Chromium is found at
//! `$SHANTING_CHROMIUM` or `/usr/bin/chromium`; without it the PDF download
//! answers with a clear error and the printable HTML page still works.

use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::Money;

/// One cell of an exported table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Shown in yuan with two decimals. The conversion to a spreadsheet number
    /// happens only here, at the edge, and is exact for any amount below 10^13 yuan.
    Money(Money),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}
impl From<Money> for Cell {
    fn from(m: Money) -> Self {
        Cell::Money(m)
    }
}

fn disposition(filename: &str) -> String {
    let enc: String = form_urlencoded::byte_serialize(filename.as_bytes()).collect();
    format!("attachment; filename=\"export\"; filename*=UTF-8''{}", enc.replace('+', "%20"))
}

/// The type a stored upload is served as, decided by the server from the file
/// extensions it expects; anything else is opaque bytes. The uploader's own
/// `Content-Type` is never echoed: it could call a file `text/html`.
pub fn download_type(filename: &str) -> &'static str {
    store::documents::content_type_for(filename)
}

/// A stored upload sent back as a download (never shown inline) under its own name.
pub fn attachment_response(filename: &str, bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, download_type(filename).to_string()), (header::CONTENT_DISPOSITION, disposition(filename))], bytes)
        .into_response()
}

/// The non-empty files of a multipart form's `file` fields: (name, content type, bytes).
pub async fn uploaded_files(mp: &mut axum::extract::Multipart) -> Result<Vec<(String, String, bytes::Bytes)>, crate::AppError> {
    // These files are kept in the database: the request body is capped by
    // axum's default limit (2 MB), and going past it is said as such.
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            crate::AppError::PayloadTooLarge("文件超过上限 2 MB".into())
        } else {
            crate::AppError::BadRequest(e.to_string())
        }
    };
    let mut out = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("材料").to_string();
        let ctype = field.content_type().unwrap_or("application/octet-stream").to_string();
        let bytes = field.bytes().await.map_err(bad)?;
        if !bytes.is_empty() {
            out.push((name, ctype, bytes));
        }
    }
    if out.is_empty() {
        return Err(crate::AppError::BadRequest("请选择要上传的文件".into()));
    }
    Ok(out)
}

/// Build an XLSX workbook with one sheet: bold frozen header, amounts in yuan
/// with thousands separators. Written by `roster::xlsx`, the one XLSX writer
/// (streamed into the zip, no cell table: a town's 100,000-row roster in a
/// fraction of a second).
pub fn xlsx_bytes(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, roster::xlsx::XlsxError> {
    use roster::xlsx::{Cell as X, Sheet};
    let sheet = Sheet { name: sheet, headers, column_width: Some(14), styled_header: true };
    let cells = rows.iter().map(|row| {
        row.iter()
            .map(|c| match c {
                Cell::Text(s) => X::Text(s),
                Cell::Int(n) => X::Int(*n),
                Cell::Money(m) => X::Money(*m),
            })
            .collect::<Vec<_>>()
    });
    Ok(roster::xlsx::write_rows(std::io::Cursor::new(Vec::new()), &sheet, cells)?.into_inner())
}

pub fn xlsx_response(filename: &str, sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Response {
    match xlsx_bytes(sheet, headers, rows) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (header::CONTENT_DISPOSITION, disposition(filename)),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => crate::AppError::Internal(e.to_string()).into_response(),
    }
}

pub fn csv_response(filename: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Response {
    let out = || -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        // A BOM so that spreadsheet programs read the Chinese text as UTF-8.
        let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
        w.write_record(headers)?;
        for row in rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Int(n) => n.to_string(),
                Cell::Money(m) => m.to_string(),
            }))?;
        }
        Ok(w.into_inner()?)
    };
    match out() {
        Ok(bytes) => {
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition(filename))], bytes)
                .into_response()
        }
        Err(e) => crate::AppError::Internal(e.to_string()).into_response(),
    }
}

fn chromium_path() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("SHANTING_CHROMIUM").map(Into::into).unwrap_or_else(|| std::path::PathBuf::from("/usr/bin/chromium"));
    p.exists().then_some(p)
}

/// Print an HTML document to PDF with headless Chromium.
pub async fn html_to_pdf(html: &str) -> Result<Vec<u8>, String> {
    let chromium = chromium_path().ok_or("生成 PDF 需要 Chromium（Debian 软件包 chromium）；可先使用打印页面")?;
    let dir = tempfile_dir()?;
    let src = dir.join("doc.html");
    let out = dir.join("doc.pdf");
    let profile = dir.join("profile");
    tokio::fs::write(&src, html).await.map_err(|e| e.to_string())?;
    let mut cmd = tokio::process::Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-pdf-header-footer",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(format!("--print-to-pdf={}", out.display()))
    .arg(format!("file://{}", src.display()))
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .kill_on_drop(true);
    let status = tokio::time::timeout(Duration::from_secs(60), cmd.status())
        .await
        .map_err(|_| "Chromium 生成 PDF 超时".to_string())?
        .map_err(|e| e.to_string())?;
    let bytes = tokio::fs::read(&out).await.map_err(|e| format!("Chromium 未生成 PDF（{status}）：{e}"));
    let _ = tokio::fs::remove_dir_all(&dir).await;
    bytes
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let d = std::env::temp_dir().join(format!("shanting-pdf-{}", store::users::new_token()));
    std::fs::create_dir_all(&d).map_err(|e| e.to_string())?;
    Ok(d)
}

pub async fn pdf_response(filename: &str, html: &str) -> Response {
    match html_to_pdf(html).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition(filename))], bytes)
            .into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
    }
}

/// A stand-alone printable page: the document's own HTML with the stylesheet inlined,
/// so that Chromium and a browser's print dialog render it the same way.
pub fn printable(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{css}\nbody{{background:#fff}} main{{max-width:none}}</style></head><body><main>{body}</main></body></html>",
        t = crate::render::escape(title),
        css = include_str!("../static/app.css"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_round_trips_through_calamine() {
        use calamine::{Reader, Xlsx};
        let bytes = xlsx_bytes(
            "名单",
            &["姓名", "金额"],
            &[vec!["张三".into(), Money::from_fen(17_500).into()], vec!["李四".into(), Cell::Int(3)]],
        )
        .unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let r = wb.worksheet_range("名单").unwrap();
        assert_eq!(r.get((1, 0)).unwrap().to_string(), "张三");
        assert_eq!(r.get((1, 1)).unwrap().to_string(), "175");
        assert_eq!(r.get((2, 1)).unwrap().to_string(), "3");
    }

    #[test]
    fn downloads_get_the_type_of_their_extension_or_none() {
        assert_eq!(download_type("营业执照.PDF"), "application/pdf");
        assert_eq!(download_type("a.b.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert_eq!(download_type("photo.jpeg"), "image/jpeg");
        for risky in ["page.html", "x.svg", "x.js", "noextension", "x.htm", ".xml"] {
            assert_eq!(download_type(risky), "application/octet-stream", "{risky}");
        }
    }

    #[test]
    fn filenames_are_percent_encoded() {
        assert!(disposition("清册 2023.xlsx").contains("UTF-8''%E6%B8%85%E5%86%8C%202023.xlsx"));
    }
}

#[cfg(test)]
mod pdf_tests {
    /// Needs Debian's chromium and fonts-noto-cjk (installed by .ci/run).
    #[tokio::test]
    async fn prints_chinese_to_pdf_with_an_embedded_font() {
        if super::chromium_path().is_none() {
            eprintln!("skipped: no chromium on this machine");
            return;
        }
        let html =
            super::printable("清册", "<h1>山亭区2023年度城乡居民参保缴费清册</h1><table><tr><td>张三</td><td>175.00</td></tr></table>");
        let pdf = super::html_to_pdf(&html).await.unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&pdf);
        // Chromium embeds CJK glyphs (as Type 3 outlines for OpenType CFF fonts):
        // the document needs no font on the reader's machine.
        assert!(text.contains("/FontDescriptor"), "the font travels with the document");
    }
}
