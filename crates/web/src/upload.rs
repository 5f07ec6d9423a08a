//! Uploaded files go to a temporary file chunk by chunk, never whole into
//! memory, and stop at a size limit with a named error.
//!
//! The limits live on [`crate::AppState`] (`uploads`). A route that takes an
//! upload raises axum's body limit to its upload limit (plus room for the
//! multipart framing) with [`residents_body_limit`] or [`files_body_limit`];
//! the handler then calls [`save_upload`] with the same limit.

use std::io;

use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Extension, Multipart, Request};
use axum::middleware::Next;
use axum::response::Response;
use tokio::io::AsyncWriteExt as _;
use tower::{Layer as _, ServiceExt as _};

use crate::AppError;

/// How large an upload may be, bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// A resident list (`/insurance/import`): a district's million residents as CSV are ≈ 70 MB.
    pub residents: u64,
    /// Any other file: department lists, village lists.
    pub files: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits { residents: 256 << 20, files: 20 << 20 }
    }
}

/// Room in a request body beyond the file for the multipart boundaries,
/// part headers and small form fields.
const FRAMING: u64 = 64 << 10;

/// An uploaded file in a temporary file, deleted when this is dropped.
#[derive(Debug)]
pub struct Upload {
    /// The name the browser gave (may be empty).
    pub file_name: String,
    pub path: tempfile::TempPath,
    pub size: u64,
}

impl Upload {
    pub fn open(&self) -> io::Result<std::fs::File> {
        std::fs::File::open(&self.path)
    }

    /// The file's name, or `default` when the browser sent none.
    pub fn name_or<'a>(&'a self, default: &'a str) -> &'a str {
        if self.file_name.is_empty() { default } else { &self.file_name }
    }

    /// Its format by name and first bytes ([`sheet::Format::detect`]).
    pub fn format(&self) -> Result<sheet::Format, AppError> {
        use std::io::Read as _;
        let mut first = [0u8; 8];
        let mut f = self.open().map_err(|e| AppError::Internal(format!("读取上传文件: {e}")))?;
        let mut n = 0;
        while n < first.len() {
            match f.read(&mut first[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) => return Err(AppError::Internal(format!("读取上传文件: {e}"))),
            }
        }
        sheet::Format::detect(&self.file_name, &first[..n]).map_err(|e| AppError::BadRequest(e.to_string()))
    }
}

fn too_large(limit: u64) -> AppError {
    AppError::PayloadTooLarge(format!("文件超过上限 {} MB", limit >> 20))
}

fn multipart_error(limit: u64) -> impl Fn(MultipartError) -> AppError {
    move |e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE { too_large(limit) } else { AppError::BadRequest(e.body_text()) }
    }
}

/// Save the form's file field `field` to a temporary file, chunk by chunk;
/// refuse with 413 "文件超过上限 N MB" as soon as it passes `limit` bytes
/// (the partial file is deleted), and with 400 when there is no file or it
/// is empty. Fields before it are skipped; the rest of the form is not read.
pub async fn save_upload(mp: &mut Multipart, field: &str, limit: u64) -> Result<Upload, AppError> {
    let internal = |e: io::Error| AppError::Internal(format!("保存上传文件: {e}"));
    while let Some(mut f) = mp.next_field().await.map_err(multipart_error(limit))? {
        if f.name() != Some(field) {
            continue;
        }
        let file_name = f.file_name().unwrap_or("").to_string();
        let (file, path) = tempfile::NamedTempFile::new().map_err(internal)?.into_parts();
        let mut out = tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::from_std(file));
        let mut size = 0u64;
        while let Some(chunk) = f.chunk().await.map_err(multipart_error(limit))? {
            size += chunk.len() as u64;
            if size > limit {
                return Err(too_large(limit)); // `path` is dropped: the partial file is deleted
            }
            out.write_all(&chunk).await.map_err(internal)?;
        }
        out.flush().await.map_err(internal)?;
        if size == 0 {
            break;
        }
        return Ok(Upload { file_name, path, size });
    }
    Err(AppError::BadRequest("请选择文件".into()))
}

async fn with_body_limit(limit: u64, req: Request, next: Next) -> Response {
    let max = usize::try_from(limit.saturating_add(FRAMING)).unwrap_or(usize::MAX);
    match DefaultBodyLimit::max(max).layer(next).oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

/// Route middleware: the body limit of a resident-list upload.
pub async fn residents_body_limit(Extension(l): Extension<UploadLimits>, req: Request, next: Next) -> Response {
    with_body_limit(l.residents, req, next).await
}

/// Route middleware: the body limit of any other file upload.
pub async fn files_body_limit(Extension(l): Extension<UploadLimits>, req: Request, next: Next) -> Response {
    with_body_limit(l.files, req, next).await
}

/// What a handler answers when a spreadsheet is refused.
pub fn sheet_error(e: sheet::SheetError) -> AppError {
    match e {
        sheet::SheetError::Io(io) => AppError::Internal(format!("读取文件: {io}")),
        sheet::SheetError::FileTooLarge { limit } => too_large(limit),
        other => AppError::BadRequest(other.to_string()),
    }
}
