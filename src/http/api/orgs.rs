//! `GET /api/v1/orgs` and `GET /api/v1/orgs/{handle}`.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use axum::http::StatusCode;

use super::JsonBody;
use crate::accounts::require_org_admin;
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::federation::context::Fed;
use crate::http::extract::ApiWriter;
use crate::model::org::Org;

pub fn org_json(ctx: &Ctx, o: &Org) -> Value {
    let base = ctx.config.base_url();
    json!({
        "handle": o.handle,
        "name": o.name,
        "names": o.names,
        "descriptions": o.descriptions,
        "website": o.website,
        "logo": o.logo_sha256.as_ref().map(|_| format!("{base}/orgs/{}/logo", o.handle)),
        "url": format!("{base}/orgs/{}", o.handle),
        "address": format!("@{}@{}", o.handle, ctx.config.domain),
        "created_at": o.created_at,
    })
}

pub async fn show(State(ctx): State<Ctx>, Path(handle): Path<String>) -> AppResult<Json<Value>> {
    let org = ctx.db.org_by_handle(&handle).await?.ok_or(AppError::NotFound)?;
    Ok(Json(org_json(&ctx, &org)))
}

pub async fn list(State(ctx): State<Ctx>) -> AppResult<Json<Value>> {
    let orgs = ctx.db.list_orgs().await?;
    Ok(Json(json!({ "items": orgs.iter().map(|o| org_json(&ctx, o)).collect::<Vec<_>>() })))
}

#[derive(serde::Deserialize)]
pub struct Target {
    target: String,
}

/// `POST /api/v1/orgs/{handle}/following` `{"target": "name@domain" | URL}`: 202, the follow
/// counting once the target accepts.
pub async fn follow(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    fed: Fed,
    Path(handle): Path<String>,
    JsonBody(t): JsonBody<Target>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let org = ctx.db.org_by_handle(&handle).await?.ok_or(AppError::NotFound)?;
    require_org_admin(&ctx, &user, org.id).await?;
    let id = crate::federation::follow::follow(&fed, org, &t.target).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "target": id, "state": "pending" }))))
}

/// `GET /api/v1/orgs/{handle}/following`: whom the organisation follows, each with `accepted`
/// and how far fetching its earlier publications has got (`backfill`: `state` pending, running,
/// done or failed, `pages`, `stored`, `skipped`, `total`, `error`), for its admins.
pub async fn following(
    State(ctx): State<Ctx>,
    user: crate::http::extract::ApiUser,
    Path(handle): Path<String>,
) -> AppResult<Json<Value>> {
    let user = user.required()?;
    let org = ctx.db.org_by_handle(&handle).await?.ok_or(AppError::NotFound)?;
    require_org_admin(&ctx, &user, org.id).await?;
    let items: Vec<Value> = ctx
        .db
        .following_with_backfill(org.id)
        .await?
        .into_iter()
        .map(|(target, accepted, backfill)| json!({"target": target, "accepted": accepted, "backfill": backfill}))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// `DELETE /api/v1/orgs/{handle}/following` `{"target": ...}`: sends `Undo(Follow)`.
pub async fn unfollow(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    fed: Fed,
    Path(handle): Path<String>,
    JsonBody(t): JsonBody<Target>,
) -> AppResult<StatusCode> {
    let org = ctx.db.org_by_handle(&handle).await?.ok_or(AppError::NotFound)?;
    require_org_admin(&ctx, &user, org.id).await?;
    crate::federation::follow::unfollow(&fed, org, &t.target).await?;
    Ok(StatusCode::NO_CONTENT)
}
