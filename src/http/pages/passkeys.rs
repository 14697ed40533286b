//! Passkeys in the browser: adding one on `/account/2fa`, and using one for a login's second
//! step on `/login/code`. The ceremonies need JavaScript (`static/passkeys.js`), so the pages
//! offer them only where it runs; the code from an authenticator app always works without.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Redirect, Response};
use serde::Deserialize;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::auth::{device_name, login_cookie, session_cookie, PENDING_COOKIE};
use super::{CheckedForm, Page};
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::http::api::JsonBody;
use crate::http::extract::{cookie, CsrfToken};
use crate::passkeys;

/// The page's CSRF token, sent by the script in `X-CSRF-Token`.
fn check_csrf(csrf: &CsrfToken, headers: &HeaderMap) -> AppResult<()> {
    csrf.verify(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default())
}

/// `POST /account/passkeys/options`: the browser's options for a new passkey.
pub async fn options(State(ctx): State<Ctx>, page: Page, csrf: CsrfToken, headers: HeaderMap) -> AppResult<Response> {
    check_csrf(&csrf, &headers)?;
    Ok(Json(passkeys::start_registration(&ctx, page.user()?).await?).into_response())
}

#[derive(Deserialize)]
pub struct NewPasskey {
    name: String,
    credential: RegisterPublicKeyCredential,
}

/// `POST /account/passkeys`: the new passkey, as the browser made it.
pub async fn add(
    State(ctx): State<Ctx>,
    page: Page,
    csrf: CsrfToken,
    headers: HeaderMap,
    JsonBody(new): JsonBody<NewPasskey>,
) -> AppResult<StatusCode> {
    check_csrf(&csrf, &headers)?;
    passkeys::finish_registration(&ctx, page.user()?, &new.name, &new.credential).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /account/passkeys/remove` (`passkey`, `current_password`).
pub async fn remove(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Response> {
    let id: i64 = form.get("passkey").parse().map_err(|_| AppError::BadRequest("error-bad-form"))?;
    match passkeys::remove(&ctx, page.user()?, id, &form.get("current_password")).await {
        Ok(()) => Ok(Redirect::to("/account/2fa?done=passkey-removed").into_response()),
        Err(AppError::Invalid(_)) => Ok(Redirect::to("/account/2fa?done=passkey-wrong-password").into_response()),
        Err(e) => Err(e),
    }
}

/// `POST /login/passkey/options`: a challenge for the account whose password was right.
pub async fn login_options(State(ctx): State<Ctx>, csrf: CsrfToken, headers: HeaderMap) -> AppResult<Response> {
    check_csrf(&csrf, &headers)?;
    let pending = cookie(&headers, PENDING_COOKIE).ok_or(AppError::Gone)?;
    Ok(Json(passkeys::start_login(&ctx, pending).await?).into_response())
}

/// `POST /login/passkey`: the key's answer; a session and where to go next.
pub async fn login(
    State(ctx): State<Ctx>,
    csrf: CsrfToken,
    headers: HeaderMap,
    JsonBody(answer): JsonBody<PublicKeyCredential>,
) -> AppResult<Response> {
    check_csrf(&csrf, &headers)?;
    let pending = cookie(&headers, PENDING_COOKIE).ok_or(AppError::Gone)?;
    let (_, session) = passkeys::finish_login(&ctx, pending, &answer, &device_name(&headers)).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().append(header::SET_COOKIE, session_cookie(&ctx, &session)?);
    res.headers_mut().append(header::SET_COOKIE, login_cookie(&ctx, PENDING_COOKIE, "", 0)?);
    Ok(res)
}
