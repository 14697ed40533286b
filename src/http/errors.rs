//! Turns an `AppError` into what the client understands: `application/problem+json` for
//! the API, an HTML page in the reader's language for browsers. Internal causes are logged
//! here, once, and never sent.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use fluent_bundle::FluentValue;
use minijinja::context;

use super::extract::request_lang;
use crate::app::Ctx;
use crate::error::AppError;
use crate::model::lang::Lang;
use crate::model::FieldError;

/// A field error with its message in the reader's language.
#[derive(serde::Serialize)]
pub struct ShownError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

pub fn show_errors(ctx: &Ctx, lang: Lang, errors: &[FieldError]) -> Vec<ShownError> {
    errors
        .iter()
        .map(|e| ShownError {
            field: e.field.clone(),
            code: e.code,
            message: ctx.i18n.t_args(lang, e.code, &[("value", FluentValue::from(e.value.as_str()))]),
        })
        .collect()
}

pub async fn render(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let lang = request_lang(req.uri().query(), req.headers());
    // servers get problem+json too: the inboxes, and anything asked for as ActivityPub
    let api = req.uri().path().starts_with("/api/")
        || req.uri().path().ends_with("/inbox")
        || crate::federation::wants_activity_json(req.headers());
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let mut res = next.run(req).await;
    let Some(err) = res.extensions_mut().remove::<Arc<AppError>>() else { return res };
    let status = err.status();
    match err.as_ref() {
        AppError::Internal(cause) => tracing::error!(%method, %path, "internal error: {cause}"),
        AppError::Unavailable(cause) => tracing::warn!(%method, %path, "database unavailable: {cause}"),
        AppError::RemoteUnavailable(cause) => tracing::info!(%method, %path, "another server unavailable: {cause}"),
        _ => {}
    }
    let title = ctx.i18n.t(lang, err.message_id());
    let detail = ctx.i18n.t(lang, &format!("{}-help", err.message_id()));
    let errors = match err.as_ref() {
        AppError::Invalid(list) => show_errors(&ctx, lang, list),
        AppError::Conflict(field) => {
            vec![ShownError { field: field.to_string(), code: "err-taken", message: ctx.i18n.t(lang, "err-taken") }]
        }
        _ => Vec::new(),
    };
    let mut out = if api {
        let body = serde_json::json!({
            "type": "about:blank",
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
            "errors": errors,
        });
        let mut r = (status, body.to_string()).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        r
    } else {
        let page = ctx.templates.render(
            "errors/error.html",
            context! { lang => lang.code(), dir => lang.dir(), status => status.as_u16(), title => title, detail => detail, errors => errors },
        );
        match page {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, title).into_response(),
        }
    };
    if matches!(err.as_ref(), AppError::Unauthorized) && api {
        out.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if matches!(err.as_ref(), AppError::Unavailable(_) | AppError::RemoteUnavailable(_)) {
        out.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    if let AppError::RateLimited(seconds) = err.as_ref() {
        out.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
    }
    out.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // keep cookies the handler set (a cleared session, a new CSRF token)
    for v in res.headers().get_all(header::SET_COOKIE) {
        out.headers_mut().append(header::SET_COOKIE, v.clone());
    }
    out
}
