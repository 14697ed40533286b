//! `/api/v1/events`: the agenda's events, in the shape of `EventInput` plus `id`, `url` and
//! `ap_id` (docs/API.md).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::JsonBody;
use crate::agenda;
use crate::app::Ctx;
use crate::db::events::Event;
use crate::error::AppResult;
use crate::http::extract::ApiWriter;
use crate::model::event::EventInput;

const PAGE: i64 = 50;

/// An event as the API shows it.
pub fn event_json(ctx: &Ctx, e: &Event) -> Value {
    let base = ctx.config.base_url();
    let mut v = serde_json::to_value(agenda::to_input(e)).unwrap_or_default();
    if let Value::Object(m) = &mut v {
        let url = format!("{base}/e/{}", e.uid);
        m.insert("id".into(), json!(e.uid));
        m.insert("ap_id".into(), json!(e.ap_id.clone().unwrap_or_else(|| url.clone())));
        m.insert("url".into(), json!(url));
        m.insert("start_utc".into(), json!(e.start_utc));
        m.insert("end_utc".into(), json!(e.end_utc));
        m.insert("previous_start".into(), json!(e.previous_start_local));
        m.insert("sequence".into(), json!(e.sequence));
        m.insert("created_at".into(), json!(e.created_at));
        m.insert("updated_at".into(), json!(e.updated_at));
    }
    v
}

pub async fn create(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    JsonBody(input): JsonBody<EventInput>,
) -> AppResult<impl IntoResponse> {
    let e = agenda::create(&ctx, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(event_json(&ctx, &e))))
}

pub async fn show(State(ctx): State<Ctx>, Path(id): Path<String>) -> AppResult<Json<Value>> {
    Ok(Json(event_json(&ctx, &agenda::get(&ctx, &id).await?)))
}

pub async fn update(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Value>,
) -> AppResult<Json<Value>> {
    Ok(Json(event_json(&ctx, &agenda::update(&ctx, &user, &id, &patch).await?)))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    agenda::delete(&ctx, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/events?from=&to=&kind=&mechanism=&theme=&country=&org=&cursor=`: start order.
/// Without `from`, from now: the agenda is what is coming.
pub async fn list(State(ctx): State<Ctx>, RawQuery(query): RawQuery) -> AppResult<Json<Value>> {
    let (f, cursor) = crate::http::params::event_filters(&ctx, query.as_deref().unwrap_or_default()).await?;
    let (events, more) = agenda::list(&ctx, &f, cursor, PAGE).await?;
    Ok(Json(json!({
        "items": events.iter().map(|e| event_json(&ctx, e)).collect::<Vec<_>>(),
        "next": more.then(|| (cursor + PAGE).to_string()),
    })))
}
