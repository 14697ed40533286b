//! `GET /api/v1/orgs` and `GET /api/v1/orgs/{handle}`.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use crate::app::Ctx;
use crate::error::{AppError, AppResult};
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
