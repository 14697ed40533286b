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
        .route("/agenda/feed.rss", get(agenda_rss))
        .route("/c/{uid}/feed.rss", get(campaign_rss))
        .route("/c/{uid}/feed.atom", get(campaign_atom))
        .route("/agenda/feed.atom", get(agenda_atom))
}

async fn agenda_rss(s: State<Ctx>, ui: Ui, q: RawQuery) -> AppResult<Response> {
    agenda_feed(s, ui, q, Kind::Rss).await
}

async fn agenda_atom(s: State<Ctx>, ui: Ui, q: RawQuery) -> AppResult<Response> {
    agenda_feed(s, ui, q, Kind::Atom).await
}

/// The agenda as a feed: what is coming (with the agenda's filters), in start order, each
/// entry beginning with when and where in the reader's language.
async fn agenda_feed(State(ctx): State<Ctx>, Ui(lang): Ui, RawQuery(q): RawQuery, kind: Kind) -> AppResult<Response> {
    let q = q.unwrap_or_default();
    let (f, _) = super::params::event_filters(&ctx, &q).await?;
    let (events, _) = crate::agenda::list(&ctx, &f, 0, ITEMS).await?;
    let items: Vec<_> = events.iter().map(|e| event_item(&ctx, e, lang)).collect();
    let updated = events.iter().map(|e| e.updated_at).max().unwrap_or_else(chrono::Utc::now);
    // the feed's links keep its filters, not the page's own parameters
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
        .filter(|(k, _)| !matches!(k.as_ref(), "lang" | "cursor" | "tz" | "view" | "more"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut pairs: Vec<(&str, String)> = kept.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    pairs.push(("lang", lang.code().to_string()));
    let title = ctx.i18n.t(lang, "agenda-title");
    let description = ctx.i18n.t(lang, "agenda-intro");
    write(&ctx, lang, kind, (title, description), "/agenda", &query_string(&pairs), updated, items)
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
    let items: Vec<_> = results.items.iter().map(|r| resource_item(ctx, r, lang)).collect();
    let updated = results.items.iter().map(|r| r.updated_at).max().unwrap_or_else(chrono::Utc::now);
    let mut pairs = params.pairs();
    pairs.retain(|(k, _)| *k != "org");
    pairs.push(("lang", lang.code().to_string()));
    let description = ctx.i18n.t(lang, "feed-description");
    write(ctx, lang, kind, (title, description), &page_path, &query_string(&pairs), updated, items)
}

/// An event as a feed entry, beginning with when and where in the reader's language.
fn event_item(ctx: &Ctx, e: &crate::db::events::Event, lang: crate::model::lang::Lang) -> minijinja::Value {
    let base = ctx.config.base_url();
    let t = e.text_for(lang.code());
    let when = crate::federation::events::when_where(ctx, e, lang);
    let summary = t.map(|t| t.2.as_str()).filter(|s| !s.is_empty());
    context! {
        url => format!("{base}/e/{}?lang={}", e.uid, lang.code()),
        id => format!("{base}/e/{}", e.uid),
        title => t.map(|t| t.1.as_str()),
        summary => match summary { Some(s) => format!("{when}. {s}"), None => when },
        lang => t.map(|t| t.0.as_str()),
        author => e.org_handle,
        type_label => ctx.vocab.label(crate::model::event::EVENT_KIND, &e.kind, lang),
        updated => e.updated_at.to_rfc3339(),
        published => e.created_at.to_rfc3339(),
        published_rfc2822 => e.created_at.to_rfc2822(),
    }
}

/// A resource or statement as a feed entry.
fn resource_item(ctx: &Ctx, r: &crate::model::resource::Resource, lang: crate::model::lang::Lang) -> minijinja::Value {
    let base = ctx.config.base_url();
    let t = r.text_for(lang.code());
    context! {
        uid => r.uid,
        url => format!("{base}{}?lang={}", r.path(), t.map(|t| t.lang.as_str()).unwrap_or(lang.code())),
        id => format!("{base}{}", r.path()),
        title => t.map(|t| t.title.as_str()),
        summary => t.map(|t| t.summary.as_str()),
        lang => t.map(|t| t.lang.as_str()),
        author => r.org_name,
        type_label => ctx.vocab.label(ctx.vocab.kind_scheme(&r.resource_type), &r.resource_type, lang),
        updated => r.updated_at.to_rfc3339(),
        // the document's own date (dc:date takes a year, a month or a day)
        date => r.published_on,
        // when it was made public here, not when its draft was begun
        published => r.published_at.unwrap_or(r.updated_at).to_rfc3339(),
        published_rfc2822 => r.published_at.unwrap_or(r.updated_at).to_rfc2822(),
    }
}

async fn campaign_rss(s: State<Ctx>, ui: Ui, p: Path<String>) -> AppResult<Response> {
    campaign_feed(s, ui, p, Kind::Rss).await
}

async fn campaign_atom(s: State<Ctx>, ui: Ui, p: Path<String>) -> AppResult<Response> {
    campaign_feed(s, ui, p, Kind::Atom).await
}

/// What a campaign gathers, newest first.
async fn campaign_feed(
    State(ctx): State<Ctx>,
    Ui(lang): Ui,
    Path(uid): Path<String>,
    kind: Kind,
) -> AppResult<Response> {
    let c = crate::campaigns::get(&ctx, None, &uid).await?;
    let held = crate::campaigns::items(&ctx, &c, false).await?;
    let updated = held.iter().map(|(i, _)| i.added_at).max().unwrap_or(c.updated_at);
    let items: Vec<_> = held
        .iter()
        .take(ITEMS as usize)
        .map(|(_, h)| match h {
            crate::campaigns::Held::Resource(r) => resource_item(&ctx, r, lang),
            crate::campaigns::Held::Event(e) => event_item(&ctx, e, lang),
        })
        .collect();
    let title =
        c.text_for(lang.code()).map(|(_, t)| format!("#{} · {}", c.fields.hashtag, t.title)).unwrap_or_default();
    let description = c.text_for(lang.code()).map(|(_, t)| t.goals.clone()).unwrap_or_default();
    let qs = query_string(&[("lang", lang.code().to_string())]);
    write(&ctx, lang, kind, (title, description), &format!("/c/{uid}"), &qs, updated, items)
}

/// A feed of `items` (already in the templates' shape) as RSS or Atom.
#[allow(clippy::too_many_arguments)]
fn write(
    ctx: &Ctx,
    lang: crate::model::lang::Lang,
    kind: Kind,
    (title, description): (String, String),
    page_path: &str,
    qs: &str,
    updated: chrono::DateTime<chrono::Utc>,
    items: Vec<minijinja::Value>,
) -> AppResult<Response> {
    let base = ctx.config.base_url();
    let (template, mime, ext) = match kind {
        Kind::Rss => ("feeds/rss.xml", "application/rss+xml; charset=utf-8", "rss"),
        Kind::Atom => ("feeds/atom.xml", "application/atom+xml; charset=utf-8", "atom"),
    };
    let body = ctx.templates.render(
        template,
        context! {
            lang => lang.code(),
            title => title,
            description => description,
            link => format!("{base}{page_path}?{qs}"),
            self_url => format!("{base}{page_path}/feed.{ext}?{qs}"),
            updated => updated.to_rfc3339(),
            updated_rfc2822 => updated.to_rfc2822(),
            items => items,
        },
    )?;
    Ok(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=300")], body).into_response())
}
