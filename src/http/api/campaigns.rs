//! `/api/v1/campaigns`: create, read, update, delete, list; items; banner.

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::JsonBody;
use crate::app::Ctx;
use crate::campaigns::{self, Held};
use crate::error::AppResult;
use crate::http::extract::{ApiUser, ApiWriter};
use crate::model::campaign::{Campaign, CampaignInput, CampaignPatch};

/// The API shape of a campaign: the input shape plus what the server adds.
pub fn campaign_json(ctx: &Ctx, c: &Campaign) -> Value {
    let base = ctx.config.base_url();
    json!({
        "id": c.uid,
        "url": format!("{base}/c/{}", c.uid),
        "actor": format!("{base}/orgs/{}", c.handle),
        "handle": c.handle,
        "org": c.org_handle,
        "hashtag": c.fields.hashtag,
        "original_language": c.fields.original_language,
        "translations": c.fields.texts,
        "call_to_action_url": c.fields.cta_url,
        "starts_on": c.fields.starts_on,
        "ends_on": c.fields.ends_on,
        "status": if c.fields.published { "published" } else { "draft" },
        "banner": c.banner.as_ref().map(|_| json!({ "url": format!("{base}/c/{}/banner", c.uid), "alt": c.banner_alt })),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    })
}

pub async fn create(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    JsonBody(input): JsonBody<CampaignInput>,
) -> AppResult<impl IntoResponse> {
    let c = campaigns::create(&ctx, &user, &input).await?;
    let url = format!("{}/api/v1/campaigns/{}", ctx.config.base_url(), c.uid);
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, url)], Json(campaign_json(&ctx, &c))))
}

/// A campaign with its items (approved ones; its organisers see proposals too).
pub async fn show(State(ctx): State<Ctx>, user: ApiUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let c = campaigns::get(&ctx, user.0.as_ref(), &id).await?;
    let organiser = match &user.0 {
        Some(u) => crate::accounts::require_editor(&ctx, u, c.org_id).await.is_ok(),
        None => false,
    };
    let items: Vec<Value> = campaigns::items(&ctx, &c, organiser)
        .await?
        .into_iter()
        .map(|(i, h)| {
            let org = match &h {
                Held::Resource(r) => r.org_handle.clone(),
                Held::Event(e) => e.org_handle.clone(),
            };
            json!({ "ap_id": i.ap_id, "kind": i.kind, "state": i.state, "org": org, "proposed_by": i.proposed_by, "added_at": i.added_at })
        })
        .collect();
    let mut v = campaign_json(&ctx, &c);
    v["items"] = Value::from(items);
    Ok(Json(v))
}

pub async fn list(State(ctx): State<Ctx>, user: ApiUser, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let offset = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "cursor")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .filter(|o| *o >= 0)
        .unwrap_or(0);
    let list = campaigns::list(&ctx, user.0.as_ref(), offset).await?;
    let next = (list.len() as i64 == campaigns::PAGE).then(|| (offset + campaigns::PAGE).to_string());
    Ok(Json(json!({ "items": list.iter().map(|c| campaign_json(&ctx, c)).collect::<Vec<_>>(), "next": next })))
}

pub async fn update(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<CampaignPatch>,
) -> AppResult<Json<Value>> {
    let c = campaigns::update(&ctx, &user, &id, patch).await?;
    Ok(Json(campaign_json(&ctx, &c)))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    campaigns::delete(&ctx, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    ap_id: String,
    /// The organisation proposing it, when the caller is not among the organisers.
    #[serde(default)]
    org: Option<String>,
}

/// `POST /api/v1/campaigns/{id}/items` `{"ap_id"}`: added by an organiser, proposed by a partner.
pub async fn add_item(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ItemBody>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let state = campaigns::add_item(&ctx, &user, &id, &body.ap_id, body.org.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "ap_id": body.ap_id, "state": state }))))
}

/// `POST /api/v1/campaigns/{id}/items/approve` (or `/decline`) `{"ap_id"}`: the organisers decide.
pub async fn decide_item(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path((id, action)): Path<(String, String)>,
    JsonBody(body): JsonBody<ItemBody>,
) -> AppResult<StatusCode> {
    let approve = match action.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(crate::error::AppError::NotFound),
    };
    campaigns::decide_item(&ctx, &user, &id, &body.ap_id, approve).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/campaigns/{id}/banner`: `multipart/form-data` with `file` and `alt`.
pub async fn banner(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Json<Value>> {
    let upload = crate::http::pages::read_upload(&ctx, multipart).await?;
    let c = campaigns::set_banner(&ctx, &user, &id, upload.bytes, &upload.alt).await?;
    Ok(Json(campaign_json(&ctx, &c)))
}
