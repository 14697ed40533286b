//! `/api/v1/resources`: create, read, update, delete, attach, list.

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::JsonBody;
use crate::app::Ctx;
use crate::error::AppResult;
use crate::http::extract::{ApiUser, ApiWriter};
use crate::http::params::LibraryParams;
use crate::library;
use crate::model::resource::{Resource, ResourceInput, ResourcePatch};
use crate::model::vocab;

const PAGE: i64 = 20;

/// The API shape of a resource: the input shape plus what the server adds.
pub fn resource_json(ctx: &Ctx, r: &Resource, with_body: bool) -> Value {
    let base = ctx.config.base_url();
    let list = |scheme| r.terms_of(scheme).collect::<Vec<_>>();
    let translations: serde_json::Map<String, Value> = r
        .texts
        .iter()
        .map(|t| {
            let v = if with_body {
                json!({ "title": t.title, "summary": t.summary, "body": t.body, "body_html": t.body_html })
            } else {
                json!({ "title": t.title, "summary": t.summary })
            };
            (t.lang.clone(), v)
        })
        .collect();
    let own = format!("{base}{}", r.path());
    let ap_id = r.ap_id.clone().unwrap_or_else(|| own.clone());
    json!({
        "id": r.uid,
        "url": own,
        "ap_id": ap_id,
        "origin": crate::federation::partners::origin_host(&ap_id),
        "languages": r.texts.iter().map(|t| t.lang.as_str()).collect::<Vec<_>>(),
        "org": r.org_handle,
        "external_id": r.external_id,
        "type": r.resource_type,
        "original_language": r.original_language,
        "translations": translations,
        "themes": list(vocab::THEME),
        "mechanisms": list(vocab::MECHANISM),
        "countries": list(vocab::COUNTRY),
        "audiences": list(vocab::AUDIENCE),
        "content_warnings": list(vocab::CONTENT_WARNING),
        "reading_level": r.reading_level,
        "sensitive": r.sensitive,
        "published": r.published_on,
        "authors": r.authors,
        "licence": r.licence,
        "status": r.status,
        "featured": r.featured,
        "attachments": r.attachments.iter().map(|a| attachment_json(&base, a)).collect::<Vec<_>>(),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    })
}

/// `POST /api/v1/resources`; an `Idempotency-Key` header makes a retry safe.
pub async fn create(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    headers: axum::http::HeaderMap,
    JsonBody(input): JsonBody<ResourceInput>,
) -> AppResult<impl IntoResponse> {
    let key = headers.get("idempotency-key").map(|v| v.to_str().unwrap_or_default());
    let r = library::create(&ctx, &user, &input, key).await?;
    let url = format!("{}/api/v1/resources/{}", ctx.config.base_url(), r.uid);
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, url)], Json(resource_json(&ctx, &r, true))))
}

pub async fn show(State(ctx): State<Ctx>, user: ApiUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let r = library::get(&ctx, user.0.as_ref(), &id).await?;
    Ok(Json(resource_json(&ctx, &r, true)))
}

pub async fn update(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<ResourcePatch>,
) -> AppResult<Json<Value>> {
    let r = library::update(&ctx, &user, &id, patch).await?;
    Ok(Json(resource_json(&ctx, &r, true)))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    library::delete(&ctx, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `multipart/form-data` with a `file` part and a `lang` part.
pub async fn attach(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<impl IntoResponse> {
    let upload = crate::http::pages::read_upload(&ctx, multipart).await?;
    let a = library::attach(&ctx, &user, &id, &upload.lang, &upload.file_name, &upload.alt, upload.bytes).await?;
    Ok((StatusCode::CREATED, Json(attachment_json(&ctx.config.base_url(), &a))))
}

pub async fn list(State(ctx): State<Ctx>, user: ApiUser, RawQuery(query): RawQuery) -> AppResult<Json<Value>> {
    let params = LibraryParams::parse(query.as_deref(), true);
    let offset = params.offset()?;
    let filters = params.filters(&ctx).await?;
    if params.network() {
        let results = library::network_search(&ctx, user.0.as_ref(), filters, &params.partner_query(), offset).await?;
        let next = results.more.then(|| (offset + crate::federation::partners::PAGE).to_string());
        let items: Vec<Value> = results.items.iter().map(|(i, uid)| network_json(i, uid.as_deref())).collect();
        return Ok(Json(json!({
            "items": items,
            "next": next,
            "partial": results.partial,
            "sources": results.sources,
        })));
    }
    let results = library::search(&ctx, user.0.as_ref(), filters, offset, PAGE, false).await?;
    let next = results.more.then(|| (offset + PAGE).to_string());
    Ok(Json(json!({
        "items": results.items.iter().map(|r| resource_json(&ctx, r, false)).collect::<Vec<_>>(),
        "next": next,
    })))
}

/// A result of a network search: its id here when this instance has it, its address and page
/// on its own instance, and the instance (`origin`).
fn network_json(i: &crate::federation::partners::Item, uid: Option<&str>) -> Value {
    let translations: serde_json::Map<String, Value> = i
        .titles
        .iter()
        .map(|(l, t)| (l.clone(), json!({"title": t, "summary": i.summaries.get(l).cloned().unwrap_or_default()})))
        .collect();
    json!({
        "id": uid,
        "ap_id": i.id,
        "url": i.url,
        "origin": crate::federation::partners::origin_host(&i.id),
        "org": i.org,
        "org_name": i.org_name,
        "type": i.resource_type,
        "original_language": i.original_language,
        "languages": i.languages,
        "translations": translations,
        "themes": i.themes,
        "mechanisms": i.mechanisms,
        "countries": i.countries,
        "published": i.published,
    })
}

#[derive(serde::Deserialize)]
pub struct ShareBody {
    org: String,
}

/// `POST /api/v1/resources/{id}/share` `{"org": "<handle>"}`: the organisation announces the
/// resource (its own or a partner's) to its followers.
pub async fn share(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ShareBody>,
) -> AppResult<StatusCode> {
    library::share(&ctx, &user, &id, &body.org).await?;
    Ok(StatusCode::ACCEPTED)
}

/// An attachment as the API shows it: an image also has its description and its preview.
fn attachment_json(base: &str, a: &crate::model::resource::Attachment) -> Value {
    json!({
        "id": a.uid, "lang": a.lang, "name": a.name, "media_type": a.media_type, "size": a.size,
        "sha256": a.sha256, "url": format!("{base}/files/{}/{}", a.uid, a.name),
        "alt": a.alt, "thumbnail_url": a.thumb.as_ref().map(|_| format!("{base}/thumbs/{}", a.uid)),
    })
}
