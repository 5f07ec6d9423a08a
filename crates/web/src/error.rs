//! One error type for handlers: a plain Chinese message for the user, the
//! cause chain in the log inside the request's span.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("请先登录")]
    Unauthenticated { api: bool },
    #[error("无权访问：{0}")]
    Forbidden(String),
    #[error("未找到：{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// Wrong input in one named field (the API names it; pages show it beside the field).
    #[error("{message}")]
    Field { field: String, message: String },
    /// Already done, or changed meanwhile: nothing was written.
    #[error("{0}")]
    Conflict(String),
    /// An upload over its limit (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("登录尝试过多，请稍后再试")]
    TooManyRequests,
    #[error("服务器内部错误")]
    Internal(String),
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Invalid(m) => AppError::BadRequest(m),
            store::StoreError::Conflict(m) => AppError::Conflict(m),
            store::StoreError::NotFound(m) => AppError::NotFound(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<access::Denied> for AppError {
    fn from(d: access::Denied) -> Self {
        AppError::Forbidden(d.to_string())
    }
}

impl From<app::Error> for AppError {
    fn from(e: app::Error) -> Self {
        match e {
            app::Error::Denied(d) => d.into(),
            app::Error::Invalid { field: Some(f), message } => AppError::Field { field: f.into_owned(), message },
            app::Error::Invalid { field: None, message } => AppError::BadRequest(message),
            app::Error::NotFound(m) => AppError::NotFound(m),
            app::Error::Conflict(m) => AppError::Conflict(m),
            app::Error::Internal(m) => AppError::Internal(m),
        }
    }
}

impl From<app::Error> for ApiError {
    fn from(e: app::Error) -> Self {
        ApiError(e.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::Field { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        match self {
            // Back to the page asked for after logging in (a GET's path; the login keeps it on the site).
            AppError::Unauthenticated { api: false } => {
                let here = crate::render::CURRENT_PATH.try_with(|p| p.clone()).unwrap_or_default();
                let to = if here.is_empty() || here == "/" || here.starts_with("/login") {
                    "/login".to_string()
                } else {
                    format!("/login?next={}", form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>())
                };
                axum::response::Redirect::to(&to).into_response()
            }
            AppError::Unauthenticated { api: true } => {
                (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"error": "unauthenticated", "message": "请先登录"})))
                    .into_response()
            }
            other => {
                let status = other.status();
                let msg = other.to_string();
                let body = format!(
                    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{code} 山亭区数字政府平台</title>\
                     <link rel=\"stylesheet\" href=\"/static/app.css\"><script src=\"/static/app.js\" defer></script></head><body><main class=\"narrow\"><h1>{code}</h1>\
                     <p class=\"error\">{msg}</p><p><a href=\"/\" data-back>返回上一页</a> · <a href=\"/\">回到工作台</a></p></main></body></html>",
                    code = status.as_u16(),
                    msg = crate::render::escape(&msg)
                );
                (status, Html(body)).into_response()
            }
        }
    }
}

/// API handlers answer errors as JSON.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if let AppError::Internal(cause) = &self.0 {
            tracing::error!(%cause, "api request failed");
        }
        let code = match &self.0 {
            AppError::Unauthenticated { .. } => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) | AppError::Field { .. } => "bad_request",
            AppError::Conflict(_) => "conflict",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Internal(_) => "internal",
        };
        let mut body = serde_json::json!({"error": code, "message": self.0.to_string()});
        if let AppError::Field { field, .. } = &self.0 {
            body["field"] = serde_json::Value::String(field.clone());
        }
        (status, axum::Json(body)).into_response()
    }
}
