//! Sharing without JavaScript: `GET /share?u=/s/{uid}&server=mastodon.social` sends the
//! reader to their own fediverse server's share page with the title and address of a public
//! publication here. The server is remembered in a cookie of this site only (the reader types
//! it once); this server fetches nothing, so it learns nothing of the reader's account.

use axum::extract::RawQuery;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::orgs::reader_server;
use super::Page;
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::http::extract::cookie;
use crate::model::FieldError;

pub const SERVER_COOKIE: &str = "share_server";

/// The title and full address of a public publication of this instance named by its path.
async fn shareable(ctx: &Ctx, path: &str, lang: &str) -> AppResult<(String, String)> {
    let base = ctx.config.base_url();
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let (kind, uid) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    if uid.is_empty() || !uid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::NotFound);
    }
    let title = match kind {
        "r" | "s" => {
            let r = crate::library::get(ctx, None, uid).await?;
            r.text_for(lang).map(|t| t.title.clone()).unwrap_or_default()
        }
        "e" => {
            let e = ctx.db.event_by_uid(uid).await?.filter(|e| e.local).ok_or(AppError::NotFound)?;
            e.text_for(lang).map(|t| t.1.clone()).unwrap_or_default()
        }
        "c" => crate::campaigns::title_of(ctx, uid, lang).await?,
        _ => return Err(AppError::NotFound),
    };
    Ok((title, format!("{base}/{kind}/{uid}")))
}

pub async fn share(
    State(ctx): State<Ctx>,
    page: Page,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(q.unwrap_or_default().as_bytes()).into_owned().collect();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let path = get("u");
    let (title, url) = shareable(&ctx, &path, page.lang.code()).await?;
    let typed = get("server");
    let remembered = cookie(&headers, SERVER_COOKIE).and_then(reader_server);
    let server = if typed.is_empty() { remembered } else { reader_server(&typed) };
    match server {
        Some(server) => {
            let text: String = url::form_urlencoded::byte_serialize(format!("{title}\n{url}").as_bytes()).collect();
            let cookie = format!("{SERVER_COOKIE}={server}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly; Secure");
            let mut res = Redirect::to(&format!("https://{server}/share?text={text}")).into_response();
            if let Ok(v) = header::HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        None => {
            let errors =
                if typed.is_empty() { Vec::new() } else { vec![FieldError::new("server", "err-bad-server", &typed)] };
            let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            let html = page.render(
                &ctx,
                "share.html",
                context! { share => context! { path => path, title => title, url => url }, server => typed,
                errors => crate::http::errors::show_errors(&ctx, page.lang, &errors) },
            )?;
            Ok((status, html).into_response())
        }
    }
}
