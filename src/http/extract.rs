//! Request extractors: the reader's language, the logged-in user (session cookie or API
//! token), and the CSRF token of the browser.

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use subtle::ConstantTimeEq;

use crate::accounts::digest;
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::negotiate;
use crate::model::lang::Lang;
use crate::model::user::User;

pub const SESSION_COOKIE: &str = "amicus_session";
pub const CSRF_COOKIE: &str = "amicus_csrf";
pub const LANG_COOKIE: &str = "lang";

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// The `lang` query parameter, if any.
pub fn query_lang(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned())
}

/// The interface language of a request (see `i18n::negotiate`).
pub fn request_lang(parts_uri_query: Option<&str>, headers: &HeaderMap) -> Lang {
    let q = query_lang(parts_uri_query);
    let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    negotiate(q.as_deref(), cookie(headers, LANG_COOKIE), accept)
}

/// The interface language for this request.
#[derive(Debug, Clone, Copy)]
pub struct Ui(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for Ui {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ui(request_lang(parts.uri.query(), &parts.headers)))
    }
}

/// The browser's CSRF token, set by the `csrf_cookie` middleware when missing.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl CsrfToken {
    /// Checks a submitted form token against the browser's cookie.
    pub fn verify(&self, submitted: &str) -> AppResult<()> {
        if !self.0.is_empty() && bool::from(self.0.as_bytes().ct_eq(submitted.as_bytes())) {
            Ok(())
        } else {
            Err(AppError::BadRequest("error-csrf"))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let t = parts.extensions.get::<CsrfToken>().cloned();
        Ok(t.unwrap_or_else(|| CsrfToken(cookie(&parts.headers, CSRF_COOKIE).unwrap_or_default().to_string())))
    }
}

/// The logged-in user of a browser session, if any.
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<User>);

impl FromRequestParts<Ctx> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(v.clone());
        }
        let user = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(secret) if !secret.is_empty() => {
                ctx.db.user_by_session(&digest(secret), ctx.config.session_idle_minutes).await?
            }
            _ => None,
        };
        let v = Viewer(user);
        parts.extensions.insert(v.clone());
        Ok(v)
    }
}

/// The user of an API request, from `Authorization: Bearer <token>`. No header means
/// anonymous; a header with an unknown token is refused with 401.
#[derive(Debug, Clone)]
pub struct ApiUser(pub Option<User>);

impl ApiUser {
    pub fn required(self) -> AppResult<User> {
        self.0.ok_or(AppError::Unauthorized)
    }
}

impl FromRequestParts<Ctx> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(AUTHORIZATION) else { return Ok(ApiUser(None)) };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized)?;
        match ctx.db.user_by_token(&digest(token)).await? {
            Some(u) => Ok(ApiUser(Some(u))),
            None => Err(AppError::Unauthorized),
        }
    }
}

/// The user of an API request that needs one: 401 before anything else about the request
/// (its body, its fields) is looked at, so that nobody learns how a write would be judged
/// without the right to make it.
#[derive(Debug, Clone)]
pub struct ApiWriter(pub User);

impl FromRequestParts<Ctx> for ApiWriter {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        ApiUser::from_request_parts(parts, ctx).await?.required().map(ApiWriter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; lang=ar; amicus_csrf=xyz"));
        assert_eq!(cookie(&h, "lang"), Some("ar"));
        assert_eq!(cookie(&h, "amicus_csrf"), Some("xyz"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn csrf_tokens_must_match_exactly() {
        let t = CsrfToken("abc".into());
        assert!(t.verify("abc").is_ok());
        assert!(t.verify("abd").is_err());
        assert!(CsrfToken(String::new()).verify("").is_err());
    }
}
