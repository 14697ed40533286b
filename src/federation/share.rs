//! An organisation sharing (`Announce`) a resource, its own or a partner's, with its followers.

use super::actors::org_id;
use super::protocol::activity::Addressed;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::org::Org;
use crate::model::resource::Resource;
use chrono::{SecondsFormat, Utc};

/// Queues an `Announce` of `r` from `org` to its followers; the resource's own organisation
/// is addressed too. Returns false when nobody follows `org`.
pub async fn share(ctx: &Core, org: &Org, r: &Resource) -> AppResult<bool> {
    let object = r.ap_id.clone().unwrap_or_else(|| super::objects::object_id(ctx, r));
    let author =
        if r.local { org_id(ctx, &r.org_handle) } else { ctx.db.org_ap_id(r.org_id).await?.unwrap_or_default() };
    announce(ctx, org, &object, &author).await
}

/// Queues an `Announce` of `object` (by `author`) from `org` (an organisation, or a campaign's
/// group) to its followers. False when nobody follows it.
pub async fn announce(ctx: &Core, org: &Org, object: &str, author: &str) -> AppResult<bool> {
    let inboxes = ctx.db.follower_inboxes(org.id).await?;
    if inboxes.is_empty() {
        return Ok(false);
    }
    let actor = org_id(ctx, &org.handle);
    let (object, author) = (object.to_string(), author.to_string());
    let ap_id = format!("{}/activities/announce/{}", ctx.config.base_url(), crate::db::new_uid());
    let published = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let cc = vec![format!("{actor}/followers"), author];
    let activity = Addressed::new("Announce", ap_id.clone(), actor, published, cc, object);
    let json = serde_json::to_string(&activity).map_err(AppError::internal)?;
    ctx.db.queue_activity(Some(org.id), &ap_id, &json, &inboxes).await?;
    Ok(true)
}
