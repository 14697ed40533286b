//! The shared inbox (`/inbox`) and each organisation's (`/orgs/{handle}/inbox`). Bodies over
//! 1 MiB get 413, malformed JSON 400, bad signatures or digests 401; anything accepted, or
//! deliberately ignored, gets 202, so that senders never retry a permanent problem.

use activitypub_federation::axum::inbox::{receive_activity, ActivityData};
use activitypub_federation::config::Data;
use activitypub_federation::protocol::context::WithContext;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::activities::InboxActivity;
use super::apactor::ApActor;
use super::IGNORED;
use crate::app::Ctx;
use crate::error::AppError;

pub const MAX_BODY: usize = 1024 * 1024;

pub async fn receive(data: Data<Ctx>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return AppError::TooLarge.into_response(),
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return AppError::BadRequest("error-malformed-json").into_response();
    };
    // each sending server gets its own allowance, counted before any verification work
    let sender = json
        .get("actor")
        .and_then(|a| a.as_str().or_else(|| a.get("id").and_then(|i| i.as_str())))
        .and_then(|a| url::Url::parse(a).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    if !data.inbox_limiter.allow(&sender) {
        return AppError::RateLimited.into_response();
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    let activity = match ActivityData::from_request(req, &()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(9),
        receive_activity::<WithContext<InboxActivity>, ApActor, Ctx>(activity, &data),
    )
    .await;
    match result {
        Ok(Ok(())) | Ok(Err(AppError::BadRequest(IGNORED))) => StatusCode::ACCEPTED.into_response(),
        Ok(Err(e)) => e.into_response(),
        // a slow remote fetch: the sender will try again
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
