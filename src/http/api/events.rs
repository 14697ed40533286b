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
use crate::db::events::{Event, EventFilters};
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiWriter;
use crate::model::event::EventInput;
use crate::model::{vocab, FieldError};

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

/// An instant for `from`/`to`: a date (its midnight, UTC) or an RFC 3339 time.
fn instant(field: &str, v: &str, errors: &mut Vec<FieldError>) -> Option<chrono::DateTime<chrono::Utc>> {
    if v.is_empty() {
        return None;
    }
    let t = chrono::DateTime::parse_from_rfc3339(v).map(|t| t.with_timezone(&chrono::Utc)).ok().or_else(|| {
        chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
    });
    if t.is_none() {
        errors.push(FieldError::new(field, "err-bad-date", v));
    }
    t
}

/// `GET /api/v1/events?from=&to=&kind=&mechanism=&theme=&country=&org=&cursor=`: start order.
/// Without `from`, from now: the agenda is what is coming.
pub async fn list(State(ctx): State<Ctx>, RawQuery(query): RawQuery) -> AppResult<Json<Value>> {
    let mut f = EventFilters::default();
    let mut errors = Vec::new();
    let (mut from, mut cursor) = (None, 0i64);
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let v = v.trim().to_string();
        match k.as_ref() {
            "from" => from = Some(v),
            "to" => f.to = instant("to", &v, &mut errors),
            "kind" if !v.is_empty() => {
                if ctx.vocab.contains(crate::model::event::EVENT_KIND, &v) {
                    f.kind = Some(v);
                } else {
                    errors.push(FieldError::new("kind", "err-unknown-term", &v));
                }
            }
            "mechanism" | "theme" | "country" if !v.is_empty() => {
                let (scheme, slot) = match k.as_ref() {
                    "mechanism" => (vocab::MECHANISM, &mut f.mechanisms),
                    "theme" => (vocab::THEME, &mut f.themes),
                    _ => (vocab::COUNTRY, &mut f.countries),
                };
                let v = if scheme == vocab::COUNTRY { v.to_ascii_lowercase() } else { v };
                if !ctx.vocab.contains(scheme, &v) {
                    errors.push(FieldError::new(&k, "err-unknown-term", &v));
                } else if slot.len() < 50 {
                    slot.extend(if scheme == vocab::COUNTRY { vec![v] } else { ctx.vocab.with_narrower(scheme, &v) });
                }
            }
            "org" if !v.is_empty() => match ctx.db.org_by_handle(&v).await? {
                Some(o) => f.org_id = Some(o.id),
                None => errors.push(FieldError::new("org", "err-no-such-org", &v)),
            },
            "cursor" if !v.is_empty() => match v.parse::<i64>() {
                Ok(c) if (0..1_000_000).contains(&c) => cursor = c,
                _ => errors.push(FieldError::new("cursor", "err-bad-cursor", &v)),
            },
            _ => {}
        }
    }
    f.from = match from {
        Some(v) => instant("from", &v, &mut errors),
        None => Some(chrono::Utc::now()),
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (events, more) = agenda::list(&ctx, &f, cursor, PAGE).await?;
    Ok(Json(json!({
        "items": events.iter().map(|e| event_json(&ctx, e)).collect::<Vec<_>>(),
        "next": more.then(|| (cursor + PAGE).to_string()),
    })))
}
