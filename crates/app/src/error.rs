//! One error for every use case: what went wrong, said so that an adapter can
//! answer a person (a Chinese message naming the field) or a machine (a
//! status and a field name) without guessing.

use std::borrow::Cow;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The actor holds no duty for this (or not on this object).
    #[error(transparent)]
    Denied(#[from] access::Denied),
    /// The input is wrong; `field` names it where one field is to blame.
    #[error("{message}")]
    Invalid { field: Option<Cow<'static, str>>, message: String },
    #[error("未找到：{0}")]
    NotFound(String),
    /// Already done, or done by someone else meanwhile (a state changed, a
    /// unique reference exists): nothing was written.
    #[error("{0}")]
    Conflict(String),
    /// A fault of the platform, not of the request; logged, never shown.
    #[error("服务器内部错误")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wrong input in one named field.
    pub fn field(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Error {
        Error::Invalid { field: Some(field.into()), message: message.into() }
    }

    /// Wrong input not tied to one field.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid { field: None, message: message.into() }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Error {
        Error::Internal(cause.to_string())
    }
}

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Invalid(m) => Error::invalid(m),
            store::StoreError::Conflict(m) => Error::Conflict(m),
            store::StoreError::NotFound(m) => Error::NotFound(m),
            other => Error::Internal(other.to_string()),
        }
    }
}

/// An engine refused the input (every engine's parser answers
/// [`kernel::InputError`]): the field it names is to blame.
impl From<kernel::InputError> for Error {
    fn from(e: kernel::InputError) -> Self {
        Error::field(e.path.clone(), e.to_string())
    }
}

impl From<kernel::ParamError> for Error {
    fn from(e: kernel::ParamError) -> Self {
        Error::Internal(e.to_string())
    }
}
