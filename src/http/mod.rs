//! Everything HTTP: the router, middleware (security headers, CSRF and language cookies,
//! error rendering), HTML pages, the JSON API and feeds.

pub mod api;
pub mod errors;
pub mod extract;
pub mod feeds;
pub mod pages;
pub mod params;
pub mod site;
pub mod templates;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

use crate::accounts::new_secret;
use crate::app::Ctx;
use crate::error::AppError;
use extract::{cookie, query_lang, CsrfToken, CSRF_COOKIE, LANG_COOKIE};

/// Largest body outside file uploads: forms and JSON.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Largest editor form (and the login form carrying one): a body at its 200,000-character
/// limit in Arabic is 1.2 MB once form-encoded, and must never be refused unread.
pub const EDITOR_FORM_LIMIT: usize = 4 * 1024 * 1024;

pub fn router(ctx: Ctx, federation: crate::federation::context::FedConfig) -> Router {
    let upload_limit = DefaultBodyLimit::max(ctx.config.max_upload_bytes as usize + 64 * 1024);
    Router::new()
        .merge(pages::router(ctx.clone(), upload_limit))
        .nest("/api/v1", api::router(upload_limit))
        .merge(feeds::router())
        .merge(crate::federation::router())
        .route("/healthz", get(healthz))
        .merge(site::router())
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(crate::federation::context::middleware(federation))
        .layer(middleware::from_fn_with_state(ctx.clone(), refuse_oversized))
        .layer(middleware::from_fn_with_state(ctx.clone(), errors::render))
        .layer(middleware::from_fn_with_state(ctx.clone(), cookies))
        .layer(middleware::from_fn_with_state(ctx.clone(), security_headers))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| AppError::Internal("a handler panicked".into()).status().into_response()))
        .with_state(ctx)
}

/// Answers 413 at once when the declared body is larger than anything this instance
/// accepts, before a single byte of it is read.
async fn refuse_oversized(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let max = ctx.config.max_upload_bytes.max(EDITOR_FORM_LIMIT as u64) + 64 * 1024;
    if declared.is_some_and(|n| n > max) {
        return AppError::TooLarge.into_response();
    }
    next.run(req).await
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(ctx): State<Ctx>) -> Result<&'static str, AppError> {
    ctx.db.ping().await?;
    Ok("ok")
}

fn cookie_header(ctx: &Ctx, name: &str, value: &str, extra: &str) -> Option<HeaderValue> {
    let secure = if ctx.config.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/{extra}{secure}")).ok()
}

/// Gives every browser a CSRF token (double-submit cookie, checked against the form's
/// hidden field) and remembers a language chosen with `?lang=`.
async fn cookies(State(ctx): State<Ctx>, mut req: Request, next: Next) -> Response {
    let is_page = !req.uri().path().starts_with("/api/");
    let mut new_csrf = None;
    if is_page && cookie(req.headers(), CSRF_COOKIE).is_none_or(str::is_empty) {
        let token = new_secret();
        req.extensions_mut().insert(CsrfToken(token.clone()));
        new_csrf = Some(token);
    }
    let chosen_lang = query_lang(req.uri().query()).and_then(|l| crate::model::lang::Lang::parse(&l));
    let mut res = next.run(req).await;
    if let Some(token) = new_csrf {
        if let Some(v) = cookie_header(&ctx, CSRF_COOKIE, &token, "; HttpOnly; SameSite=Strict") {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    if let (true, Some(lang)) = (is_page, chosen_lang) {
        if let Some(v) = cookie_header(&ctx, LANG_COOKIE, lang.code(), "; Max-Age=31536000; SameSite=Lax") {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// Strict defaults on every response: no third-party anything, no referrer, no sniffing.
async fn security_headers(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; \
             media-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    );
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if ctx.config.secure_cookies() {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    // pages depend on the language, the session, and (for actors) on whether HTML was wanted
    let html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if html {
        h.insert(header::VARY, HeaderValue::from_static("Accept, Accept-Language, Cookie"));
    }
    res
}

/// Calendars as last written: subscribed calendars are asked for again and again, by many
/// readers, with the same address. An entry is kept with the fingerprint of what it holds (how
/// many events, the latest change), so any change to those events writes it anew. At most
/// `CALENDAR_CACHE_BYTES` are kept; past that the cache starts again empty.
#[derive(Default)]
pub struct CalendarCache {
    entries: std::sync::Mutex<Calendars>,
}

/// Calendars by key, each with its fingerprint, and their bytes in all.
#[derive(Default)]
struct Calendars {
    bytes: usize,
    by_key: std::collections::HashMap<String, (String, axum::body::Bytes)>,
}

const CALENDAR_CACHE_BYTES: usize = 16 * 1024 * 1024;

impl CalendarCache {
    /// The calendar kept for `key`, if it was written for `fingerprint`.
    pub fn get(&self, key: &str, fingerprint: &str) -> Option<axum::body::Bytes> {
        let entries = self.entries.lock().ok()?;
        entries.by_key.get(key).filter(|(f, _)| f == fingerprint).map(|(_, body)| body.clone())
    }

    pub fn put(&self, key: String, fingerprint: String, body: axum::body::Bytes) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.bytes + body.len() > CALENDAR_CACHE_BYTES {
            *entries = Calendars::default();
        }
        entries.bytes += body.len();
        entries.by_key.insert(key, (fingerprint, body));
    }
}
