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
    limited: bool,
) -> AppResult<Html<String>> {
    page.render(
        ctx,
        "auth/login.html",
        context! { username => username, next => next, errors => show_errors(ctx, page.lang, errors), limited => limited },
    )
}

/// Only local paths are followed after login, never another site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
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
    render(&ctx, &page, "", safe_next(&next), &[], false)
}

pub async fn login(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Response> {
    let username = form.get("username");
    let next = form.get("next");
    match accounts::login(&ctx, &username, &form.get("password")).await {
        Ok((_, secret)) => {
            let secure = if ctx.config.secure_cookies() { "; Secure" } else { "" };
            let cookie = format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax{secure}");
            let mut res = Redirect::to(safe_next(&next)).into_response();
            res.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(AppError::internal)?);
            Ok(res)
        }
        Err(AppError::Invalid(errors)) => {
            Ok((StatusCode::UNAUTHORIZED, render(&ctx, &page, &username, safe_next(&next), &errors, false)?)
                .into_response())
        }
        Err(AppError::RateLimited) => {
            Ok((StatusCode::TOO_MANY_REQUESTS, render(&ctx, &page, &username, safe_next(&next), &[], true)?)
                .into_response())
        }
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
