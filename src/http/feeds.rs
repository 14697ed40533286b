//! RSS 2.0 and Atom feeds of the library and of each organisation. They take the library's
//! filters (`q`, `type`, `theme`, `mechanism`, `country`, `language`, `year`, ...) and show
//! each entry in the language chosen with `?lang=` where a translation exists.

use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;

use super::extract::Ui;
use super::params::{query_string, LibraryParams};
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::library;

const ITEMS: i64 = 50;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/library/feed.rss", get(library_rss))
        .route("/library/feed.atom", get(library_atom))
        .route("/orgs/{handle}/feed.rss", get(org_rss))
        .route("/orgs/{handle}/feed.atom", get(org_atom))
}

async fn library_rss(s: State<Ctx>, ui: Ui, q: RawQuery) -> AppResult<Response> {
    library_feed(s, ui, q, Kind::Rss).await
}

async fn library_atom(s: State<Ctx>, ui: Ui, q: RawQuery) -> AppResult<Response> {
    library_feed(s, ui, q, Kind::Atom).await
}

async fn org_rss(s: State<Ctx>, ui: Ui, p: Path<String>, q: RawQuery) -> AppResult<Response> {
    org_feed(s, ui, p, q, Kind::Rss).await
}

async fn org_atom(s: State<Ctx>, ui: Ui, p: Path<String>, q: RawQuery) -> AppResult<Response> {
    org_feed(s, ui, p, q, Kind::Atom).await
}

#[derive(Clone, Copy)]
enum Kind {
    Rss,
    Atom,
}

async fn library_feed(State(ctx): State<Ctx>, ui: Ui, RawQuery(q): RawQuery, kind: Kind) -> AppResult<Response> {
    let params = LibraryParams::parse(q.as_deref(), false);
    let title = ctx.i18n.t(ui.0, "feed-library-title");
    render(&ctx, ui, params, title, "/library".to_string(), kind).await
}

async fn org_feed(
    State(ctx): State<Ctx>,
    ui: Ui,
    Path(handle): Path<String>,
    RawQuery(q): RawQuery,
    kind: Kind,
) -> AppResult<Response> {
    let org = ctx.db.org_by_handle(&handle).await?.ok_or(AppError::NotFound)?;
    let mut params = LibraryParams::parse(q.as_deref(), false);
    params.org = org.handle.clone();
    render(&ctx, ui, params, org.name_in(ui.0.code()).to_string(), format!("/orgs/{}", org.handle), kind).await
}

async fn render(
    ctx: &Ctx,
    Ui(lang): Ui,
    params: LibraryParams,
    title: String,
    page_path: String,
    kind: Kind,
) -> AppResult<Response> {
    let filters = params.filters(ctx).await?;
    // feeds are public: anonymous view whoever asks
    let results = library::search(ctx, None, filters, 0, ITEMS, false).await?;
    let base = ctx.config.base_url();
    let items: Vec<_> = results
        .items
        .iter()
        .map(|r| {
            let t = r.text_for(lang.code());
            context! {
                uid => r.uid,
                url => format!("{base}/r/{}?lang={}", r.uid, t.map(|t| t.lang.as_str()).unwrap_or(lang.code())),
                id => format!("{base}/r/{}", r.uid),
                title => t.map(|t| t.title.as_str()),
                summary => t.map(|t| t.summary.as_str()),
                lang => t.map(|t| t.lang.as_str()),
                author => r.org_name,
                type_label => ctx.vocab.label("resource-type", &r.resource_type, lang),
                updated => r.updated_at.to_rfc3339(),
                // the document's own date (dc:date takes a year, a month or a day)
                date => r.published_on,
                // when it was made public here, not when its draft was begun
                published => r.published_at.unwrap_or(r.updated_at).to_rfc3339(),
                published_rfc2822 => r.published_at.unwrap_or(r.updated_at).to_rfc2822(),
            }
        })
        .collect();
    let updated = results.items.iter().map(|r| r.updated_at).max().unwrap_or_else(chrono::Utc::now);
    let mut pairs = params.pairs();
    pairs.retain(|(k, _)| *k != "org");
    pairs.push(("lang", lang.code().to_string()));
    let qs = query_string(&pairs);
    let (template, mime, ext) = match kind {
        Kind::Rss => ("feeds/rss.xml", "application/rss+xml; charset=utf-8", "rss"),
        Kind::Atom => ("feeds/atom.xml", "application/atom+xml; charset=utf-8", "atom"),
    };
    let body = ctx.templates.render(
        template,
        context! {
            lang => lang.code(),
            title => title,
            link => format!("{base}{page_path}?{qs}"),
            self_url => format!("{base}{page_path}/feed.{ext}?{qs}"),
            updated => updated.to_rfc3339(),
            updated_rfc2822 => updated.to_rfc2822(),
            items => items,
        },
    )?;
    Ok(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=300")], body).into_response())
}
