//! The shared inbox (`/inbox`) and each organisation's (`/orgs/{handle}/inbox`). Bodies over
//! 1 MiB get 413, malformed JSON or an activity without an id 400, bad signatures or digests
//! (or a signature that does not cover what Mastodon requires, or is over an hour off) 401;
//! a sender over its allowance, counted once its signature is verified, 429; anything
//! accepted, or deliberately ignored, gets 202, so that senders never retry a permanent problem.

use activitypub_federation::axum::inbox::{receive_activity, ActivityData};
use activitypub_federation::config::Data;
use activitypub_federation::protocol::context::WithContext;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::activities::InboxActivity;
use super::apactor::ApActor;
use super::{sigcheck, IGNORED};
use crate::domain::Core;
use crate::error::AppError;

pub const MAX_BODY: usize = 1024 * 1024;

pub async fn receive(data: Data<Core>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return AppError::TooLarge.into_response(),
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return AppError::BadRequest("error-malformed-json").into_response();
    };
    // an activity without an id cannot be recognised when it is sent again: refused, not
    // accepted and ignored
    if json.get("id").and_then(|i| i.as_str()).is_none_or(|i| url::Url::parse(i).is_err()) {
        return AppError::BadRequest("error-bad-activity").into_response();
    }
    let Some(actor) = json
        .get("actor")
        .and_then(|a| a.as_str().or_else(|| a.get("id").and_then(|i| i.as_str())))
        .and_then(|a| url::Url::parse(a).ok())
    else {
        return AppError::BadRequest("error-bad-activity").into_response();
    };
    // what the signature covers, when it was made and whose key it is, before any fetch;
    // the crate then checks the signature itself against the actor's key
    match sigcheck::check(&parts.headers, true, std::time::SystemTime::now()) {
        Ok(p) if sigcheck::key_on_actors_host(&p.key_id, &actor) => {}
        Ok(_) | Err(_) => return AppError::Unauthorized.into_response(),
    }
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    let raw = json.clone();
    let mut result =
        super::cosign::RECEIVED.scope(raw.clone(), pass_to_crate(&data, &method, &uri, &headers, &bytes)).await;
    // an actor the crate refused for its media type alone (plain application/ld+json) is
    // fetched here, then the crate finds it stored: only then, not on every request
    if let Ok(Err(AppError::BadRequest("error-remote-not-activitypub"))) = result {
        if super::lenient::actor(&data, &actor).await.is_ok() {
            result = super::cosign::RECEIVED.scope(raw, pass_to_crate(&data, &method, &uri, &headers, &bytes)).await;
        }
    }
    match result {
        Ok(Ok(())) | Ok(Err(AppError::BadRequest(IGNORED))) => StatusCode::ACCEPTED.into_response(),
        Ok(Err(e)) => e.into_response(),
        // a slow remote fetch: the sender will try again
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Verifies and receives the activity through the federation crate, within 9 s (a slow remote
/// fetch: the sender will try again).
async fn pass_to_crate(
    data: &Data<Core>,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
    bytes: &axum::body::Bytes,
) -> Result<Result<(), AppError>, tokio::time::error::Elapsed> {
    let mut req = Request::new(Body::from(bytes.clone()));
    *req.method_mut() = method.clone();
    *req.uri_mut() = uri.clone();
    *req.headers_mut() = headers.clone();
    let activity = match ActivityData::from_request(req, &()).await {
        Ok(a) => a,
        Err(_) => return Ok(Err(AppError::BadRequest("error-bad-activity"))),
    };
    tokio::time::timeout(
        std::time::Duration::from_secs(9),
        receive_activity::<WithContext<InboxActivity>, ApActor, Core>(activity, data),
    )
    .await
}
