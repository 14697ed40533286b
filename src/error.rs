//! The one error type. Each variant has one HTTP status; the HTML and JSON renderings
//! live in `http::errors`, which also logs internal causes (once) and never shows them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::model::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The resource existed and is gone for good (a withdrawn resource).
    #[error("gone")]
    Gone,
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// A request we cannot even read (malformed JSON, a broken form). The text is a message id.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A unique name already taken; the text is the field.
    #[error("conflict on {0}")]
    Conflict(&'static str),
    #[error("payload too large")]
    TooLarge,
    #[error("unsupported media type")]
    UnsupportedMedia,
    /// A request body sent without a JSON content type where JSON is expected.
    #[error("not JSON")]
    NotJson,
    /// A method this address does not answer (`Allow` says which do).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Too many requests; the number is the seconds to wait (sent as `Retry-After`).
    #[error("rate limited")]
    RateLimited(u64),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Another server could not be reached, or answered an error: worth trying again later.
    #[error("remote server unavailable: {0}")]
    RemoteUnavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone => StatusCode::GONE,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMedia | AppError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::RemoteUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message id (in `locales/*/main.ftl`) of the title shown to people.
    pub fn message_id(&self) -> &'static str {
        match self {
            AppError::NotFound => "error-not-found",
            AppError::Gone => "error-gone",
            AppError::Unauthorized => "error-unauthorized",
            AppError::Forbidden => "error-forbidden",
            AppError::BadRequest(id) => id,
            AppError::Invalid(_) => "error-invalid",
            AppError::Conflict(_) => "error-conflict",
            AppError::TooLarge => "error-too-large",
            AppError::UnsupportedMedia => "error-unsupported-media",
            AppError::NotJson => "error-not-json",
            AppError::MethodNotAllowed => "error-method-not-allowed",
            AppError::RateLimited(_) => "error-rate-limited",
            AppError::Unavailable(_) => "error-unavailable",
            AppError::RemoteUnavailable(_) => "error-remote-unreachable",
            AppError::Internal(_) => "error-internal",
        }
    }

    pub fn invalid(field: &str, code: &'static str, value: &str) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, code, value)])
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(vec![e])
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => AppError::Conflict("unique"),
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                AppError::Unavailable(e.to_string())
            }
            // PostgreSQL answering "cannot connect now" / "the database system is shutting down",
            // or SQLite's "database is locked" after the busy timeout.
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03" | "53300" | "5" | "6")) =>
            {
                AppError::Unavailable(e.to_string())
            }
            _ => AppError::Internal(e.to_string()),
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Handlers return `AppError`s; this marks the response so that the error middleware
/// (which knows the reader's language and whether this is the API) renders the body.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        if let AppError::RateLimited(seconds) = &self {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(*seconds));
        }
        res.extensions_mut().insert(std::sync::Arc::new(self));
        res
    }
}
