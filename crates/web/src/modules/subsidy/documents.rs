//! Supporting documents: an enterprise uploads its own; the enterprise and
//! the reviewer download them as attachments, typed by the server.
//!
//! The body is read here with a simple size check; when the shared streaming
//! `web::upload` helper lands, `read_files` is the one place to switch.

use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::default_year;
use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;
use crate::query::Lenient;

/// The request body limit of the upload route: one document at the cap plus
/// the multipart framing; anything larger is refused before it is read whole.
pub(super) const BODY_LIMIT: usize = app::subsidy::documents::MAX_BYTES + 64 * 1024;

fn too_large() -> AppError {
    AppError::PayloadTooLarge(format!("文件超过上限：每份证明材料不超过 {} MB", app::subsidy::documents::MAX_BYTES / (1024 * 1024)))
}

/// The `file` fields of the form: (name, bytes). A body over the limit is
/// refused naming the limit.
async fn read_files(mp: &mut Multipart) -> Result<Vec<(String, bytes::Bytes)>, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            AppError::BadRequest(format!("上传内容无法读取：{}", e.body_text()))
        }
    };
    let mut out = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("材料").to_string();
        let bytes = field.bytes().await.map_err(bad)?;
        if !bytes.is_empty() {
            out.push((name, bytes));
        }
    }
    if out.is_empty() {
        return Err(AppError::Field { field: "file".into(), message: "请选择要上传的文件".into() });
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
pub(super) struct UploadQuery {
    year: Option<i64>,
}

pub(super) async fn upload(
    State(state): State<AppState>,
    Authed(s): Authed,
    Lenient { value: q, .. }: Lenient<UploadQuery>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let uscc = app::subsidy::declare::own_enterprise(&state, &s.actor)?;
    let year = q.year.unwrap_or_else(|| default_year(&state));
    for (name, bytes) in read_files(&mut mp).await? {
        app::subsidy::documents::upload(&state, &s.actor, &uscc, year, &name, &bytes).await?;
    }
    Ok(Redirect::to("/subsidy").into_response())
}

/// Always an attachment, with the content type the server decided from the
/// file's extension; `nosniff` so that no browser second-guesses it.
pub(super) async fn download(State(state): State<AppState>, Authed(s): Authed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let d = app::subsidy::documents::download(&state, &s.actor, id).await?;
    let mut r = crate::export::attachment_response(&d.filename, d.data);
    r.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    Ok(r)
}
