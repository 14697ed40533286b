//! Activities this instance sent, served at their ids (`/activities/<kind>/<uid>`), so that
//! every id a follower received dereferences: a `Create` from the resource it made public
//! (as long as the resource is), and a public `Update`, `Delete` or `Announce` from the stored
//! activity while it is kept (`retention_days`). `Follow`, `Accept`, `Reject` and `Undo` are not
//! served: they say who follows whom.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;

use super::authorized::Signed;
use super::objects::PUBLIC;
use super::protocol::activity_json;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::resource::Status;

/// `GET /activities/{kind}/{uid}`
pub async fn show(
    State(ctx): State<Core>,
    signed: Signed,
    Path((kind, uid)): Path<(String, String)>,
) -> AppResult<Response> {
    signed.check().await?;
    let id = format!("{}/activities/{kind}/{uid}", ctx.config.base_url());
    match kind.as_str() {
        "create" => {
            // by its stored id, or, for a resource published before ids were stored, its uid
            let found = match ctx.db.resource_id_by_create_id(&id).await? {
                Some(rid) => ctx.db.load_resources(&[rid], true).await?.pop(),
                None => ctx.db.resource_by_uid(&uid).await?.filter(|r| r.local && r.create_id.is_none()),
            };
            let r = found.ok_or(AppError::NotFound)?;
            match r.status {
                Status::Published => {
                    let activity = serde_json::to_value(super::publish::create_activity(&ctx, &r));
                    Ok(activity_json(&activity.map_err(AppError::internal)?))
                }
                Status::Withdrawn => Err(AppError::Gone),
                Status::Draft => Err(AppError::NotFound),
            }
        }
        "update" | "delete" | "announce" => {
            let json = ctx.db.sent_activity(&id).await?.ok_or(AppError::NotFound)?;
            let activity: Value = serde_json::from_str(&json).map_err(AppError::internal)?;
            let public = activity["to"].as_array().is_some_and(|to| to.iter().any(|t| t == PUBLIC));
            if !public {
                return Err(AppError::NotFound);
            }
            Ok(activity_json(&activity))
        }
        _ => Err(AppError::NotFound),
    }
}
