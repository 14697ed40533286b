//! Logging in and out.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;

use super::CheckedForm;
use super::Page;
use crate::accounts;
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::http::extract::{cookie, SESSION_COOKIE};
use crate::model::FieldError;

fn render(
    ctx: &Ctx,
    page: &Page,
    username: &str,
    next: &str,
    errors: &[FieldError],
    wait: Option<u64>,
) -> AppResult<Html<String>> {
    page.render(
        ctx,
        "auth/login.html",
        context! { username => username, next => next, errors => show_errors(ctx, page.lang, errors), wait => wait },
    )
}

/// The coarse description of the browser a request comes from ("Firefox · Android").
pub fn device_name(headers: &axum::http::HeaderMap) -> String {
    accounts::describe_device(headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default())
}

/// The session cookie for `secret`.
pub fn session_cookie(ctx: &Ctx, secret: &str) -> AppResult<HeaderValue> {
    let secure = if ctx.config.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax{secure}"))
        .map_err(AppError::internal)
}

/// Only local paths are followed after login, never another site: a path of printable
/// characters starting with one `/` (browsers drop tabs and newlines, so `/\t/evil.example`
/// would become `//evil.example`; a newline would break the `Location` header).
pub fn safe_next(next: &str) -> &str {
    let printable = next.chars().all(|c| !c.is_control() && !c.is_whitespace());
    if printable && next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

pub async fn login_form(
    State(ctx): State<Ctx>,
    page: Page,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> AppResult<Html<String>> {
    let next = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    render(&ctx, &page, "", safe_next(&next), &[], None)
}

/// The cookie that marks a device which has logged in to an account before. Sent only to
/// `/login`, and it says nothing about the person: a nonce and a signature.
const DEVICE_COOKIE: &str = "amicus_device";

pub async fn login(
    State(ctx): State<Ctx>,
    page: Page,
    headers: axum::http::HeaderMap,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let username = form.get("username");
    let next = form.get("next");
    let device = cookie(&headers, DEVICE_COOKIE);
    let device_name = device_name(&headers);
    match accounts::login(&ctx, &username, &form.get("password"), device, &device_name).await {
        Ok(step) => {
            let secure = if ctx.config.secure_cookies() { "; Secure" } else { "" };
            let (device, next_cookie, to) = match step {
                accounts::Login::Done(done) => {
                    (done.device, session_cookie(&ctx, &done.secret)?, safe_next(&next).to_string())
                }
                // the password was right: the second factor next, on a page of its own
                accounts::Login::NeedsCode { pending, device } => {
                    let cookie = format!(
                        "{PENDING_COOKIE}={pending}; Path=/login; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
                        accounts::PENDING_MINUTES * 60
                    );
                    let next: String = url::form_urlencoded::byte_serialize(safe_next(&next).as_bytes()).collect();
                    (
                        device,
                        HeaderValue::from_str(&cookie).map_err(AppError::internal)?,
                        format!("/login/code?next={next}"),
                    )
                }
            };
            let device =
                format!("{DEVICE_COOKIE}={device}; Path=/login; Max-Age=31536000; HttpOnly; SameSite=Strict{secure}");
            let mut res = Redirect::to(&to).into_response();
            res.headers_mut().append(header::SET_COOKIE, next_cookie);
            res.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&device).map_err(AppError::internal)?);
            Ok(res)
        }
        Err(AppError::Invalid(errors)) => {
            Ok((StatusCode::UNAUTHORIZED, render(&ctx, &page, &username, safe_next(&next), &errors, None)?)
                .into_response())
        }
        Err(AppError::RateLimited(wait)) => {
            let html = render(&ctx, &page, &username, safe_next(&next), &[], Some(wait))?;
            let retry = [(header::RETRY_AFTER, HeaderValue::from(wait))];
            Ok((StatusCode::TOO_MANY_REQUESTS, retry, html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The cookie that carries a right password to the second factor's page (`/login` only,
/// five minutes): the account's id, an expiry, a nonce, and the instance's signature of them.
const PENDING_COOKIE: &str = "amicus_pending";

fn render_code(
    ctx: &Ctx,
    page: &Page,
    next: &str,
    errors: &[FieldError],
    wait: Option<u64>,
) -> AppResult<Html<String>> {
    page.render(
        ctx,
        "auth/code.html",
        context! { next => next, errors => show_errors(ctx, page.lang, errors), wait => wait },
    )
}

/// `GET /login/code`: the second factor's question.
pub async fn code_form(
    State(ctx): State<Ctx>,
    page: Page,
    headers: axum::http::HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> AppResult<Response> {
    if cookie(&headers, PENDING_COOKIE).is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    let next = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok(render_code(&ctx, &page, safe_next(&next), &[], None)?.into_response())
}

/// `POST /login/code`: a code from the authenticator app, or a recovery code.
pub async fn code(
    State(ctx): State<Ctx>,
    page: Page,
    headers: axum::http::HeaderMap,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let next = form.get("next");
    let Some(pending) = cookie(&headers, PENDING_COOKIE) else { return Ok(Redirect::to("/login").into_response()) };
    match accounts::second_factor(&ctx, pending, &form.get("code"), &device_name(&headers)).await {
        Ok((_, session)) => {
            let mut res = Redirect::to(safe_next(&next)).into_response();
            res.headers_mut().append(header::SET_COOKIE, session_cookie(&ctx, &session)?);
            res.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&format!("{PENDING_COOKIE}=; Path=/login; Max-Age=0"))
                    .map_err(AppError::internal)?,
            );
            Ok(res)
        }
        Err(AppError::Invalid(errors)) => {
            Ok((StatusCode::UNAUTHORIZED, render_code(&ctx, &page, safe_next(&next), &errors, None)?).into_response())
        }
        Err(AppError::RateLimited(wait)) => {
            let html = render_code(&ctx, &page, safe_next(&next), &[], Some(wait))?;
            Ok((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, HeaderValue::from(wait))], html).into_response())
        }
        // five minutes passed, or the token is not ours: the password again
        Err(AppError::Gone) => Ok(Redirect::to("/login?done=code-expired").into_response()),
        Err(e) => Err(e),
    }
}

pub async fn logout(
    State(ctx): State<Ctx>,
    headers: axum::http::HeaderMap,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        accounts::logout(&ctx, secret, form.get("everywhere") == "1").await?;
    }
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("amicus_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/orgs/redress?tab=1"), "/orgs/redress?tab=1");
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a\nb",
            "/\r\nSet-Cookie: x",
            "/ /evil",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
