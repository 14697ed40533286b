//! The library pages: search with facets, a resource in the reader's language, and its files.
//! The editor's forms are in `editor`.

use axum::extract::{Path, RawQuery, State};
use axum::http::header;

use crate::federation::authorized::Signed;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Value};
use serde::Serialize;

use super::Page;
use crate::app::Ctx;
use crate::db::search::Facets;
use crate::error::{AppError, AppResult};
use crate::http::params::{query_string, LibraryParams};
use crate::library;
use crate::model::lang::{endonym, Lang};
use crate::model::resource::{Resource, Status};
use crate::model::vocab;

const PAGE: i64 = 20;

/// A resource as a line in a list, in the reader's language where possible.
pub fn card(r: &Resource, lang: Lang) -> Value {
    let text = r.text_for(lang.code());
    let shown = text.map(|t| t.lang.as_str()).unwrap_or_default();
    context! {
        uid => r.uid,
        title => text.map(|t| t.title.as_str()),
        summary => text.map(|t| t.summary.as_str()),
        text_lang => shown,
        text_dir => crate::model::lang::ContentLang::parse(shown, &[shown.to_string()]).map(|l| l.dir()).unwrap_or("auto"),
        resource_type => r.resource_type,
        year => r.year(),
        published => r.published_on,
        org_handle => r.org_handle,
        // the organisation's name in the reader's language when its profile gives one
        org_name => r.org_names.get(lang.code()).filter(|n| !n.is_empty()).unwrap_or(&r.org_name),
        status => r.status,
        languages => r.languages(),
        sensitive => r.sensitive,
    }
}

#[derive(Serialize)]
struct FacetLink {
    label: String,
    count: i64,
    href: String,
    active: bool,
}

#[derive(Serialize)]
struct FacetGroup {
    key: &'static str,
    title: String,
    links: Vec<FacetLink>,
}

fn facet_groups(ctx: &Ctx, page: &Page, params: &LibraryParams, facets: &Facets) -> Vec<FacetGroup> {
    let base = params.pairs();
    let link = |key: &'static str, value: &str, label: String, count: i64| {
        let active = base.iter().any(|(k, v)| *k == key && v == value);
        let mut pairs: Vec<(&str, String)> =
            base.iter().filter(|(k, _)| *k != key).map(|(k, v)| (*k, v.clone())).collect();
        if !active {
            pairs.push((key, value.to_string()));
        }
        FacetLink { label, count, href: format!("/library?{}", query_string(&pairs)), active }
    };
    let vocab_links = |key: &'static str, scheme: &str, counts: &[(String, i64)], max: usize| {
        counts
            .iter()
            .take(max)
            .map(|(id, n)| link(key, id, ctx.vocab.label(scheme, id, page.lang).to_string(), *n))
            .collect()
    };
    vec![
        FacetGroup {
            key: "type",
            title: page.t(ctx, "facet-type"),
            links: vocab_links("type", vocab::RESOURCE_TYPE, &facets.types, 20),
        },
        FacetGroup {
            key: "theme",
            title: page.t(ctx, "facet-theme"),
            links: vocab_links("theme", vocab::THEME, &facets.themes, 15),
        },
        FacetGroup {
            key: "mechanism",
            title: page.t(ctx, "facet-mechanism"),
            links: vocab_links("mechanism", vocab::MECHANISM, &facets.mechanisms, 15),
        },
        FacetGroup {
            key: "country",
            title: page.t(ctx, "facet-country"),
            links: vocab_links("country", vocab::COUNTRY, &facets.countries, 15),
        },
        FacetGroup {
            key: "language",
            title: page.t(ctx, "facet-language"),
            links: facets
                .languages
                .iter()
                .map(|(l, n)| link("language", l, endonym(l).unwrap_or(l).to_string(), *n))
                .collect(),
        },
        FacetGroup {
            key: "year",
            title: page.t(ctx, "facet-year"),
            links: facets.years.iter().take(15).map(|(y, n)| link("year", y, y.clone(), *n)).collect(),
        },
        FacetGroup {
            key: "org",
            title: page.t(ctx, "facet-org"),
            links: facets.orgs.iter().take(15).map(|(h, name, n)| link("org", h, name.clone(), *n)).collect(),
        },
    ]
}

/// `GET /library` (and `/`): search, facets, results.
pub async fn index(State(ctx): State<Ctx>, page: Page, RawQuery(query): RawQuery) -> AppResult<Html<String>> {
    let params = LibraryParams::parse(query.as_deref(), false);
    let offset = params.offset()?;
    let filters = params.filters(&ctx).await?;
    let results = library::search(&ctx, page.user.as_ref(), filters, offset, PAGE, true).await?;
    let facets = results.facets.unwrap_or_default();
    let pairs = params.pairs();
    let page_link = |o: i64| {
        let mut p = pairs.clone();
        if o > 0 {
            p.push(("cursor", o.to_string()));
        }
        format!("/library?{}", query_string(&p))
    };
    let feed_query = query_string(&pairs);
    page.render(
        &ctx,
        "library/index.html",
        context! {
            q => params.q,
            total => facets.total,
            items => results.items.iter().map(|r| card(r, page.lang)).collect::<Vec<_>>(),
            groups => facet_groups(&ctx, &page, &params, &facets),
            filtered => !pairs.is_empty(),
            next => results.more.then(|| page_link(offset + PAGE)),
            prev => (offset > 0).then(|| page_link((offset - PAGE).max(0))),
            feed_query => feed_query,
        },
    )
}

/// `GET /r/{uid}`: the resource in the reader's language (`?text=` picks another one).
pub async fn show(
    State(ctx): State<Ctx>,
    page: Page,
    signed: Signed,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    if signed.wants_activity_json() {
        signed.check().await?;
        let r = ctx.db.resource_by_uid(&uid).await?.ok_or(AppError::NotFound)?;
        return Ok(crate::federation::objects::resource_response(&ctx, &r));
    }
    let r = library::get(&ctx, page.user.as_ref(), &uid).await?;
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    // a text asked for that this resource does not have is said, not silently replaced
    let asked = param("text");
    let no_such_text = asked.clone().filter(|l| !r.has_lang(l));
    let wanted = asked.filter(|l| r.has_lang(l)).unwrap_or_else(|| page.lang.code().to_string());
    let text = r.text_for(&wanted).ok_or(AppError::NotFound)?;
    let can_edit = match &page.user {
        Some(u) => crate::accounts::org_role(&ctx, u, r.org_id).await?.is_some_and(|role| role.can_edit()),
        None => false,
    };
    // the organisations this reader may share it as: those they edit, for a published resource
    let share_as: Vec<String> = match &page.user {
        Some(u) if r.status == Status::Published => ctx
            .db
            .orgs_of_user(u.id)
            .await?
            .into_iter()
            .filter(|(_, _, role)| role.can_edit())
            .map(|(_, handle, _)| handle)
            .collect(),
        _ => Vec::new(),
    };
    let shared = param("shared")
        .filter(|h| share_as.contains(h))
        .map(|org| context! { org => org, sent => param("sent").as_deref() == Some("1") });
    let others: Vec<Value> = r
        .languages()
        .into_iter()
        .filter(|l| *l != text.lang)
        .map(|l| {
            let href = match crate::model::resource::ui_lang(l) {
                Some(ui) => format!("/r/{}?lang={}", r.uid, ui.code()),
                None => format!("/r/{}?text={l}", r.uid),
            };
            context! { code => l, name => endonym(l).unwrap_or(l), href => href }
        })
        .collect();
    let terms = |scheme: &'static str| {
        r.terms_of(scheme)
            .map(|t| context! { id => t, label => ctx.vocab.label(scheme, t, page.lang) })
            .collect::<Vec<_>>()
    };
    let html = page.render(
        &ctx,
        "library/resource.html",
        context! {
            r => card(&r, page.lang),
            text => context! { lang => text.lang, title => text.title, summary => text.summary, body_html => text.body_html,
                               dir => crate::model::lang::ContentLang::parse(&text.lang, std::slice::from_ref(&text.lang)).map(|l| l.dir()).unwrap_or("auto") },
            // only when there is truly no text in the reader's language
            missing_lang => (!r.has_lang(page.lang.code())).then(|| page.lang.code()),
            no_such_text => no_such_text,
            published_here => r.published_at.map(|t| t.to_rfc3339()),
            others => others,
            attachments => r.attachments,
            themes => terms(vocab::THEME),
            mechanisms => terms(vocab::MECHANISM),
            countries => terms(vocab::COUNTRY),
            audiences => terms(vocab::AUDIENCE),
            warnings => terms(vocab::CONTENT_WARNING),
            reading_level => r.reading_level,
            authors => r.authors,
            licence => r.licence,
            can_edit => can_edit,
            share_as => share_as,
            shared => shared,
            // a link only to a web address, whatever was stored
            origin => r.origin_url.as_ref().and_then(|u| url::Url::parse(u).ok()).filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| context! { url => u.as_str(), host => u.host_str().map(str::to_string) }),
            withdrawn => r.status == Status::Withdrawn,
            draft => r.status == Status::Draft,
        },
    )?;
    Ok(html.into_response())
}

/// `GET /files/{uid}/{name}`: an attachment, if its resource may be seen, streamed from
/// disk with `Range` (seeking in audio and video), `If-None-Match` (its SHA-256 is its ETag)
/// and `If-Modified-Since` honoured.
pub async fn download(
    State(ctx): State<Ctx>,
    page: Page,
    Path((uid, _name)): Path<(String, String)>,
    request: axum::extract::Request,
) -> AppResult<Response> {
    let (resource_uid, mut a) = ctx.db.attachment_by_uid(&uid).await?.ok_or(AppError::NotFound)?;
    let r = library::get(&ctx, page.user.as_ref(), &resource_uid).await?;
    let path = library::attachment_file(&ctx, &mut a).await?;
    let inline = a.media_type.starts_with("image/")
        || a.media_type.starts_with("audio/")
        || a.media_type.starts_with("video/")
        || a.media_type == "application/pdf";
    let disposition =
        format!("{}; filename*=UTF-8''{}", if inline { "inline" } else { "attachment" }, urlencode(&a.name));
    let cache = if r.status == Status::Published { "public, max-age=86400" } else { "private, no-store" };
    let etag = format!("\"{}\"", a.sha256);
    let mut res = if request.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        axum::http::StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mime = a.media_type.parse().map_err(AppError::internal)?;
        let served = tower::ServiceExt::oneshot(tower_http::services::ServeFile::new_with_mime(path, &mime), request);
        served.await.map_err(AppError::internal)?.map(axum::body::Body::new)
    };
    let headers = res.headers_mut();
    for (name, value) in
        [(header::CONTENT_DISPOSITION, disposition), (header::CACHE_CONTROL, cache.to_string()), (header::ETAG, etag)]
    {
        headers.insert(name, value.parse().map_err(AppError::internal)?);
    }
    Ok(res)
}

/// `GET /thumbs/{uid}`: an image attachment's preview, to whoever may see its resource.
pub async fn thumbnail(State(ctx): State<Ctx>, page: Page, Path(uid): Path<String>) -> AppResult<Response> {
    let (resource_uid, a) = ctx.db.attachment_by_uid(&uid).await?.ok_or(AppError::NotFound)?;
    let r = library::get(&ctx, page.user.as_ref(), &resource_uid).await?;
    let sha = a.thumb.ok_or(AppError::NotFound)?;
    let store = ctx.store.clone();
    let bytes = tokio::task::spawn_blocking(move || store.get(&sha)).await??;
    let media_type = if bytes.starts_with(b"\x89PNG") { "image/png" } else { "image/jpeg" };
    let cache = if r.status == Status::Published { "public, max-age=86400" } else { "private, no-store" };
    Ok(([(header::CONTENT_TYPE, media_type), (header::CACHE_CONTROL, cache)], bytes).into_response())
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}
