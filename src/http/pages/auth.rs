//! Logging in and out.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;

use super::{CheckedForm, FormData, Page};
use crate::accounts;
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::http::extract::{cookie, SESSION_COOKIE};
use crate::model::FieldError;

/// The login page, or with `code` the second step's page, with what the person typed, the
/// errors, how long to wait, and the fields of a form it carries (`keep`).
#[allow(clippy::too_many_arguments)]
fn render(
    ctx: &Ctx,
    page: &Page,
    step: Step,
    username: &str,
    next: &str,
    errors: &[FieldError],
    wait: Option<u64>,
    keep: &[(String, String)],
) -> AppResult<Html<String>> {
    let keep: Vec<_> = keep.iter().map(|(name, value)| context! { name, value }).collect();
    page.render(
        ctx,
        if step == Step::Password { "auth/login.html" } else { "auth/code.html" },
        context! {
            passkeys => step == Step::Code { passkeys: true },
            username => username, next => next, errors => show_errors(ctx, page.lang, errors), wait => wait,
            keep => keep, again => !keep.is_empty(),
        },
    )
}

/// Which page of a login: the password, or the second step (offering a passkey when the
/// account has one).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Password,
    Code { passkeys: bool },
}

/// The second step's page for the login a pending token names.
async fn code_step(ctx: &Ctx, pending: Option<&str>) -> Step {
    let user = pending.and_then(|p| accounts::pending_of(ctx.device_key.as_slice(), p)).map(|(id, _)| id);
    let passkeys = match user {
        Some(id) => ctx.db.passkeys_of(id).await.map(|k| !k.is_empty()).unwrap_or(false),
        None => false,
    };
    Step::Code { passkeys }
}

/// A form sent after its session ended: the login page (401), carrying every field, so that
/// logging in again brings the form back as it was (`editor::resume`).
pub fn login_again(ctx: &Ctx, page: &Page, action: &str, form: &FormData) -> AppResult<Response> {
    let html = render(ctx, page, Step::Password, "", action, &[], None, &form.to_keep())?;
    Ok((StatusCode::UNAUTHORIZED, html).into_response())
}

/// After a login step succeeded: the carried form if there is one, else a redirect to `next`,
/// with the cookies that step set.
async fn arrive(
    ctx: &Ctx,
    page: &mut Page,
    user: crate::model::user::User,
    next: &str,
    kept: &FormData,
    cookies: Vec<HeaderValue>,
) -> AppResult<Response> {
    page.user = Some(user);
    let resumed = if kept.is_empty() {
        None
    } else if let Some(res) = super::editor::resume(ctx, page, next, kept).await {
        Some(res)
    } else if let Some(res) = super::events::resume(ctx, page, next, kept).await {
        Some(res)
    } else if let Some(res) = super::statement_editor::resume(ctx, page, next, kept).await {
        Some(res)
    } else {
        super::campaign_editor::resume(ctx, page, next, kept).await
    };
    let mut res = match resumed {
        Some(res) => res?,
        None => Redirect::to(next).into_response(),
    };
    for c in cookies {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// The answer to a refused login step: 401 with its errors, or 429 with the wait (also in
/// `Retry-After`), on the page `render` draws.
fn refused(e: AppError, render: impl Fn(&[FieldError], Option<u64>) -> AppResult<Html<String>>) -> AppResult<Response> {
    match e {
        AppError::Invalid(errors) => Ok((StatusCode::UNAUTHORIZED, render(&errors, None)?).into_response()),
        AppError::RateLimited(wait) => {
            let retry = [(header::RETRY_AFTER, HeaderValue::from(wait))];
            Ok((StatusCode::TOO_MANY_REQUESTS, retry, render(&[], Some(wait))?).into_response())
        }
        e => Err(e),
    }
}

/// The `next` of a query string, if it is a local path (`safe_next`).
fn next_param(query: Option<String>) -> String {
    let next = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    safe_next(&next).to_string()
}

/// A cookie header for `/login` only, `HttpOnly`, `SameSite=Strict`, kept `max_age` seconds.
pub fn login_cookie(ctx: &Ctx, name: &str, value: &str, max_age: i64) -> AppResult<HeaderValue> {
    let secure = if ctx.config.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/login; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"))
        .map_err(AppError::internal)
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
    render(&ctx, &page, Step::Password, "", &next_param(q), &[], None, &[])
}

/// The cookie that marks a device which has logged in to an account before. Sent only to
/// `/login`, and it says nothing about the person: a nonce and a signature.
const DEVICE_COOKIE: &str = "amicus_device";

pub async fn login(
    State(ctx): State<Ctx>,
    mut page: Page,
    headers: axum::http::HeaderMap,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let username = form.get("username");
    let next = safe_next(&form.get("next")).to_string();
    let kept = form.kept();
    let keep = kept.to_keep();
    let device = cookie(&headers, DEVICE_COOKIE);
    let device_name = device_name(&headers);
    let step = match accounts::login(&ctx, &username, &form.get("password"), device, &device_name).await {
        Ok(step) => step,
        Err(e) => {
            return refused(e, |errors, wait| {
                render(&ctx, &page, Step::Password, &username, &next, errors, wait, &keep)
            })
        }
    };
    match step {
        accounts::Login::Done(done) => {
            let cookies =
                vec![session_cookie(&ctx, &done.secret)?, login_cookie(&ctx, DEVICE_COOKIE, &done.device, 31_536_000)?];
            arrive(&ctx, &mut page, done.user, &next, &kept, cookies).await
        }
        // the password was right: the second factor next, on a page of its own (drawn here
        // when it carries a form, which a redirect could not)
        accounts::Login::NeedsCode { pending, device } => {
            let step = code_step(&ctx, Some(&pending)).await;
            let pending = login_cookie(&ctx, PENDING_COOKIE, &pending, accounts::PENDING_MINUTES * 60)?;
            let device = login_cookie(&ctx, DEVICE_COOKIE, &device, 31_536_000)?;
            let mut res = if keep.is_empty() {
                let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Redirect::to(&format!("/login/code?next={next}")).into_response()
            } else {
                render(&ctx, &page, step, "", &next, &[], None, &keep)?.into_response()
            };
            res.headers_mut().append(header::SET_COOKIE, pending);
            res.headers_mut().append(header::SET_COOKIE, device);
            Ok(res)
        }
    }
}

/// The cookie that carries a right password to the second factor's page (`/login` only,
/// five minutes): the account's id, an expiry, a nonce, and the instance's signature of them.
pub const PENDING_COOKIE: &str = "amicus_pending";

/// `GET /login/code`: the second factor's question.
pub async fn code_form(
    State(ctx): State<Ctx>,
    page: Page,
    headers: axum::http::HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> AppResult<Response> {
    let Some(pending) = cookie(&headers, PENDING_COOKIE) else { return Ok(Redirect::to("/login").into_response()) };
    let step = code_step(&ctx, Some(pending)).await;
    Ok(render(&ctx, &page, step, "", &next_param(q), &[], None, &[])?.into_response())
}

/// `POST /login/code`: a code from the authenticator app, or a recovery code.
pub async fn code(
    State(ctx): State<Ctx>,
    mut page: Page,
    headers: axum::http::HeaderMap,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let next = safe_next(&form.get("next")).to_string();
    let kept = form.kept();
    let Some(pending) = cookie(&headers, PENDING_COOKIE) else { return Ok(Redirect::to("/login").into_response()) };
    match accounts::second_factor(&ctx, pending, &form.get("code"), &device_name(&headers)).await {
        Ok((user, session)) => {
            let cookies = vec![session_cookie(&ctx, &session)?, login_cookie(&ctx, PENDING_COOKIE, "", 0)?];
            arrive(&ctx, &mut page, user, &next, &kept, cookies).await
        }
        // five minutes passed, or the token is not ours: the password again (carrying the form)
        Err(AppError::Gone) if !kept.is_empty() => {
            let html = render(&ctx, &page, Step::Password, "", &next, &[], None, &kept.to_keep())?;
            Ok((StatusCode::UNAUTHORIZED, html).into_response())
        }
        Err(AppError::Gone) => Ok(Redirect::to("/login?done=code-expired").into_response()),
        Err(e) => {
            let step = code_step(&ctx, Some(pending)).await;
            refused(e, |errors, wait| render(&ctx, &page, step, "", &next, errors, wait, &kept.to_keep()))
        }
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
