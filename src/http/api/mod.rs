//! JSON API v1 (documented in `docs/API.md`). Errors are `application/problem+json`.

mod campaigns;
mod events;
mod orgs;
mod resources;
mod statements;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;

use crate::app::Ctx;
use crate::error::AppError;

pub fn router(upload_limit: DefaultBodyLimit) -> Router<Ctx> {
    Router::new()
        .route("/vocabularies", get(vocabularies))
        .route("/resources", get(resources::list).post(resources::create))
        .route("/resources/{id}", get(resources::show).patch(resources::update).delete(resources::delete))
        .route("/resources/{id}/share", axum::routing::post(resources::share))
        .route("/resources/{id}/attachments", axum::routing::post(resources::attach).layer(upload_limit))
        .route("/statements", get(statements::list).post(statements::create))
        .route("/statements/{id}", get(statements::show).patch(statements::update).delete(statements::delete))
        .route("/statements/{id}/signatories", get(statements::signatories))
        .route("/statements/{id}/invitations", get(statements::sent_invitations).post(statements::invite))
        .route("/statements/{id}/signatures", axum::routing::post(statements::sign))
        .route("/statements/{id}/signatures/withdraw", axum::routing::post(statements::withdraw))
        .route("/statements/{id}/requests/{action}", axum::routing::post(statements::approve))
        .route("/orgs/{handle}/invitations", get(statements::invitations))
        .route("/orgs/{handle}/invitations/{id}/accept", axum::routing::post(statements::accept))
        .route("/orgs/{handle}/invitations/{id}/decline", axum::routing::post(statements::decline))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/{id}", get(campaigns::show).patch(campaigns::update).delete(campaigns::delete))
        .route("/campaigns/{id}/items", axum::routing::post(campaigns::add_item))
        .route("/campaigns/{id}/items/{action}", axum::routing::post(campaigns::decide_item))
        .route("/campaigns/{id}/banner", axum::routing::post(campaigns::banner).layer(upload_limit))
        .route("/events", get(events::list).post(events::create))
        .route("/events/{id}", get(events::show).patch(events::update).delete(events::delete))
        .route("/orgs", get(orgs::list))
        .route("/orgs/{handle}", get(orgs::show))
        .route(
            "/orgs/{handle}/following",
            axum::routing::get(orgs::following).post(orgs::follow).delete(orgs::unfollow),
        )
}

/// `GET /api/v1/vocabularies`: every scheme and term with its labels.
async fn vocabularies(State(ctx): State<Ctx>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "schemes": ctx.vocab.schemes() }))
}

/// A JSON request body. Unlike axum's `Json`, its failures are `AppError`s: 415 without a
/// JSON content type, 400 for malformed JSON, 422 for JSON of the wrong shape.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(AppError::NotJson);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge)?;
        match serde_json::from_slice::<T>(&bytes) {
            Ok(v) => Ok(JsonBody(v)),
            Err(e) if e.is_data() => Err(AppError::invalid("body", "err-json-shape", &e.to_string())),
            Err(_) => Err(AppError::BadRequest("error-malformed-json")),
        }
    }
}
