//! The library pages: search with facets, a resource in the reader's language, and the
//! editor's forms (create, edit, translate, attach, publish, withdraw, delete).

use axum::body::Bytes;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{context, Value};
use serde::Serialize;

use super::Page;
use crate::app::Ctx;
use crate::db::search::Facets;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::http::extract::CsrfToken;
use crate::http::params::{query_string, LibraryParams};
use crate::library;
use crate::model::lang::{endonym, Lang};
use crate::model::resource::{Attachment, Resource, ResourceInput, ResourcePatch, Status, TextInput};
use crate::model::vocab;
use crate::model::FieldError;

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
        org_name => r.org_name,
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
    let base = params.pairs("language");
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
    let params = LibraryParams::parse(query.as_deref(), "language");
    let offset = params.offset()?;
    let filters = params.filters(&ctx).await?;
    let results = library::search(&ctx, page.user.as_ref(), filters, offset, PAGE, true).await?;
    let facets = results.facets.unwrap_or_default();
    let pairs = params.pairs("language");
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
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let r = library::get(&ctx, page.user.as_ref(), &uid).await?;
    let wanted = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "text")
        .map(|(_, v)| v.into_owned())
        .filter(|l| r.has_lang(l))
        .unwrap_or_else(|| page.lang.code().to_string());
    let text = r.text_for(&wanted).ok_or(AppError::NotFound)?;
    let can_edit = match &page.user {
        Some(u) => crate::accounts::org_role(&ctx, u, r.org_id).await?.is_some(),
        None => false,
    };
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
    let status = if r.status == Status::Withdrawn && !can_edit { StatusCode::GONE } else { StatusCode::OK };
    let html = page.render(
        &ctx,
        "library/resource.html",
        context! {
            r => card(&r, page.lang),
            text => context! { lang => text.lang, title => text.title, summary => text.summary, body_html => text.body_html,
                               dir => crate::model::lang::ContentLang::parse(&text.lang, std::slice::from_ref(&text.lang)).map(|l| l.dir()).unwrap_or("auto") },
            missing_lang => (text.lang != page.lang.code()).then(|| page.lang.code()),
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
            withdrawn => r.status == Status::Withdrawn,
            draft => r.status == Status::Draft,
        },
    )?;
    Ok((status, html).into_response())
}

/// A parsed `application/x-www-form-urlencoded` body; keys may repeat (multi-selects).
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    pub fn get(&self, key: &str) -> String {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.clone()).collect()
    }
}

/// The editor form's values, kept across a failed submission so nothing typed is lost.
#[derive(Serialize, Default)]
struct FormValues {
    org: String,
    resource_type: String,
    original_language: String,
    text_lang: String,
    title: String,
    summary: String,
    body: String,
    themes: Vec<String>,
    mechanisms: Vec<String>,
    countries: Vec<String>,
    audiences: Vec<String>,
    content_warnings: Vec<String>,
    reading_level: String,
    sensitive: bool,
    published: String,
    authors: String,
    licence: String,
    status: String,
}

impl FormValues {
    fn from_form(f: &FormData) -> FormValues {
        FormValues {
            org: f.get("org"),
            resource_type: f.get("type"),
            original_language: f.get("original_language"),
            text_lang: f.get("text_lang"),
            title: f.get("title"),
            summary: f.get("summary"),
            body: f.get("body"),
            themes: f.all("themes"),
            mechanisms: f.all("mechanisms"),
            countries: f.all("countries"),
            audiences: f.all("audiences"),
            content_warnings: f.all("content_warnings"),
            reading_level: f.get("reading_level"),
            sensitive: f.get("sensitive") == "on",
            published: f.get("published"),
            authors: f.get("authors"),
            licence: f.get("licence"),
            status: f.get("status"),
        }
    }

    fn from_resource(r: &Resource, text_lang: &str) -> FormValues {
        let input = r.to_input();
        let text = input.translations.get(text_lang).cloned().unwrap_or_default();
        FormValues {
            org: input.org,
            resource_type: input.resource_type,
            original_language: input.original_language,
            text_lang: text_lang.to_string(),
            title: text.title,
            summary: text.summary,
            body: text.body,
            themes: input.themes,
            mechanisms: input.mechanisms,
            countries: input.countries,
            audiences: input.audiences,
            content_warnings: input.content_warnings,
            reading_level: input.reading_level.unwrap_or_default(),
            sensitive: r.sensitive,
            published: input.published.unwrap_or_default(),
            authors: input.authors.join("\n"),
            licence: input.licence.unwrap_or_default(),
            status: r.status.as_str().to_string(),
        }
    }

    fn text(&self) -> TextInput {
        TextInput { title: self.title.clone(), summary: self.summary.clone(), body: self.body.clone() }
    }

    fn opt(s: &str) -> Option<String> {
        Some(s.trim().to_string()).filter(|s| !s.is_empty())
    }

    fn to_input(&self) -> ResourceInput {
        ResourceInput {
            external_id: None,
            org: self.org.clone(),
            resource_type: self.resource_type.clone(),
            original_language: self.original_language.clone(),
            translations: [(self.original_language.clone(), self.text())].into_iter().collect(),
            themes: self.themes.clone(),
            mechanisms: self.mechanisms.clone(),
            countries: self.countries.clone(),
            audiences: self.audiences.clone(),
            reading_level: Self::opt(&self.reading_level),
            content_warnings: self.content_warnings.clone(),
            sensitive: Some(self.sensitive),
            published: Self::opt(&self.published),
            authors: self.authors.lines().map(str::to_string).collect(),
            licence: Self::opt(&self.licence),
            status: Some(if self.status.is_empty() { "draft".into() } else { self.status.clone() }),
        }
    }

    fn to_patch(&self) -> ResourcePatch {
        ResourcePatch {
            resource_type: Some(self.resource_type.clone()),
            original_language: Some(self.original_language.clone()),
            translations: [(self.text_lang.clone(), Some(self.text()))].into_iter().collect(),
            themes: Some(self.themes.clone()),
            mechanisms: Some(self.mechanisms.clone()),
            countries: Some(self.countries.clone()),
            audiences: Some(self.audiences.clone()),
            reading_level: Some(Self::opt(&self.reading_level)),
            content_warnings: Some(self.content_warnings.clone()),
            sensitive: Some(self.sensitive),
            published: Some(Self::opt(&self.published)),
            authors: Some(self.authors.lines().map(str::to_string).collect()),
            licence: Some(Self::opt(&self.licence)),
            status: None,
            external_id: None,
        }
    }
}

/// Options of a vocabulary select, labelled in `lang`, indented by depth.
fn options(ctx: &Ctx, scheme: &str, lang: Lang, sort_by_label: bool) -> Vec<Value> {
    let Some(s) = ctx.vocab.scheme(scheme) else { return Vec::new() };
    let depth = |id: &str| {
        let mut d = 0;
        let mut cur = ctx.vocab.term(scheme, id).and_then(|t| t.broader.clone());
        while let Some(b) = cur {
            d += 1;
            cur = ctx.vocab.term(scheme, &b).and_then(|t| t.broader.clone());
            if d > 8 {
                break;
            }
        }
        d
    };
    let mut terms: Vec<(String, String, usize)> = s
        .terms
        .iter()
        .map(|t| (t.id.clone(), ctx.vocab.label(scheme, &t.id, lang).to_string(), depth(&t.id)))
        .collect();
    if sort_by_label {
        terms.sort_by(|a, b| a.1.cmp(&b.1));
    }
    terms.into_iter().map(|(id, label, depth)| context! { id => id, label => label, depth => depth }).collect()
}

fn content_langs(ctx: &Ctx) -> Vec<Value> {
    Lang::ALL
        .iter()
        .map(|l| l.code().to_string())
        .chain(ctx.config.extra_content_languages.iter().cloned())
        .map(|c| context! { code => c, name => endonym(&c).unwrap_or(&c) })
        .collect()
}

/// The resource being edited, if any: its uid, its languages and its files.
struct Editing<'a> {
    uid: &'a str,
    languages: Vec<String>,
    attachments: Vec<Attachment>,
}

fn render_form(
    ctx: &Ctx,
    page: &Page,
    values: &FormValues,
    editing: Option<Editing>,
    orgs: Vec<String>,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    page.render(
        ctx,
        "library/form.html",
        context! {
            v => values,
            uid => editing.as_ref().map(|e| e.uid),
            languages => editing.as_ref().map(|e| e.languages.clone()),
            attachments => editing.map(|e| e.attachments),
            orgs => orgs,
            errors => show_errors(ctx, page.lang, errors),
            types => options(ctx, vocab::RESOURCE_TYPE, page.lang, false),
            themes => options(ctx, vocab::THEME, page.lang, false),
            mechanisms => options(ctx, vocab::MECHANISM, page.lang, false),
            countries => options(ctx, vocab::COUNTRY, page.lang, true),
            audiences => options(ctx, vocab::AUDIENCE, page.lang, false),
            reading_levels => options(ctx, vocab::READING_LEVEL, page.lang, false),
            warnings => options(ctx, vocab::CONTENT_WARNING, page.lang, false),
            content_langs => content_langs(ctx),
            max_summary => crate::model::resource::MAX_SUMMARY,
        },
    )
}

/// Organisations where the user may publish.
async fn editable_orgs(ctx: &Ctx, page: &Page) -> AppResult<Vec<String>> {
    let user = page.user()?;
    if user.is_admin() {
        return Ok(ctx.db.list_orgs().await?.into_iter().map(|o| o.handle).collect());
    }
    Ok(ctx.db.orgs_of_user(user.id).await?.into_iter().map(|(_, h, _)| h).collect())
}

pub async fn new_form(State(ctx): State<Ctx>, page: Page, RawQuery(query): RawQuery) -> AppResult<Html<String>> {
    let orgs = editable_orgs(&ctx, &page).await?;
    if orgs.is_empty() {
        return Err(AppError::Forbidden);
    }
    let wanted = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "org")
        .map(|(_, v)| v.into_owned());
    let values = FormValues {
        org: wanted.filter(|o| orgs.contains(o)).unwrap_or_else(|| orgs[0].clone()),
        original_language: page.lang.code().to_string(),
        text_lang: page.lang.code().to_string(),
        status: "draft".into(),
        ..FormValues::default()
    };
    render_form(&ctx, &page, &values, None, orgs, &[])
}

/// `POST /r/new`. On invalid input the form comes back with every value and the errors.
pub async fn create(State(ctx): State<Ctx>, page: Page, csrf: CsrfToken, body: Bytes) -> AppResult<Response> {
    let form = FormData::parse(&body);
    csrf.verify(&form.get("csrf"))?;
    let user = page.user()?.clone();
    let values = FormValues::from_form(&form);
    match library::create(&ctx, &user, &values.to_input()).await {
        Ok(r) => Ok(Redirect::to(&format!("/r/{}", r.uid)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let orgs = editable_orgs(&ctx, &page).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render_form(&ctx, &page, &values, None, orgs, &errors)?)
                .into_response())
        }
        Err(e) => Err(e),
    }
}

/// `GET /r/{uid}/edit?text=fr`: edit the metadata and one language's text (a new
/// translation when that language has none yet).
pub async fn edit_form(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Html<String>> {
    let user = page.user()?;
    let r = library::get_for_edit(&ctx, user, &uid).await?;
    let text_lang = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "text")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| r.original_language.clone());
    let values = FormValues::from_resource(&r, &text_lang);
    let editing = Editing {
        uid: &uid,
        languages: r.languages().into_iter().map(str::to_string).collect(),
        attachments: r.attachments.clone(),
    };
    render_form(&ctx, &page, &values, Some(editing), vec![r.org_handle.clone()], &[])
}

pub async fn update(
    State(ctx): State<Ctx>,
    page: Page,
    csrf: CsrfToken,
    Path(uid): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&body);
    csrf.verify(&form.get("csrf"))?;
    let user = page.user()?.clone();
    let values = FormValues::from_form(&form);
    match library::update(&ctx, &user, &uid, values.to_patch()).await {
        Ok(r) => Ok(Redirect::to(&format!("/r/{}?text={}", r.uid, values.text_lang)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let r = library::get_for_edit(&ctx, &user, &uid).await?;
            let editing = Editing {
                uid: &uid,
                languages: r.languages().into_iter().map(str::to_string).collect(),
                attachments: r.attachments.clone(),
            };
            let html = render_form(&ctx, &page, &values, Some(editing), vec![r.org_handle.clone()], &errors)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// `POST /r/{uid}/status` with `action` = publish, withdraw or draft.
pub async fn set_status(
    State(ctx): State<Ctx>,
    page: Page,
    csrf: CsrfToken,
    Path(uid): Path<String>,
    body: Bytes,
) -> AppResult<Redirect> {
    let form = FormData::parse(&body);
    csrf.verify(&form.get("csrf"))?;
    let status = match form.get("action").as_str() {
        "publish" => Status::Published,
        "withdraw" => Status::Withdrawn,
        "draft" => Status::Draft,
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    };
    library::set_status(&ctx, page.user()?, &uid, status).await?;
    Ok(Redirect::to(&format!("/r/{uid}")))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    page: Page,
    csrf: CsrfToken,
    Path(uid): Path<String>,
    body: Bytes,
) -> AppResult<Redirect> {
    let form = FormData::parse(&body);
    csrf.verify(&form.get("csrf"))?;
    let r = library::get_for_edit(&ctx, page.user()?, &uid).await?;
    library::delete(&ctx, page.user()?, &uid).await?;
    Ok(Redirect::to(&format!("/orgs/{}", r.org_handle)))
}

pub async fn attach(
    State(ctx): State<Ctx>,
    page: Page,
    csrf: CsrfToken,
    Path(uid): Path<String>,
    multipart: Multipart,
) -> AppResult<Redirect> {
    let user = page.user()?.clone();
    let upload = super::read_upload(&ctx, multipart).await?;
    csrf.verify(&upload.csrf)?;
    library::attach(&ctx, &user, &uid, &upload.lang, &upload.file_name, upload.bytes).await?;
    Ok(Redirect::to(&format!("/r/{uid}/edit#files")))
}

/// `GET /files/{uid}/{name}`: an attachment, if its resource may be seen.
pub async fn download(
    State(ctx): State<Ctx>,
    page: Page,
    Path((uid, _name)): Path<(String, String)>,
) -> AppResult<Response> {
    let (resource_uid, a) = ctx.db.attachment_by_uid(&uid).await?.ok_or(AppError::NotFound)?;
    let r = library::get(&ctx, page.user.as_ref(), &resource_uid).await?;
    if r.status == Status::Withdrawn {
        return Err(AppError::Gone);
    }
    let bytes = library::read_file(&ctx, a.sha256.clone()).await?;
    let inline = a.media_type.starts_with("image/")
        || a.media_type.starts_with("audio/")
        || a.media_type.starts_with("video/")
        || a.media_type == "application/pdf";
    let disposition =
        format!("{}; filename*=UTF-8''{}", if inline { "inline" } else { "attachment" }, urlencode(&a.name));
    let cache = if r.status == Status::Published { "public, max-age=86400" } else { "private, no-store" };
    Ok((
        [
            (header::CONTENT_TYPE, a.media_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, cache.to_string()),
            (header::ETAG, format!("\"{}\"", a.sha256)),
        ],
        bytes,
    )
        .into_response())
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}
