//! Announcing changes to a resource to its organisation's followers: `Create` when it is
//! published, `Update` when a published resource changes (a translation added, say), `Delete`
//! when it is withdrawn or deleted. The activity is built before the content is written, so
//! that both are stored in one transaction.

use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use super::actors::org_id;
use super::objects::{resource_id, resource_object, PUBLIC};
use super::protocol::context;
use crate::db::deliveries::Outgoing;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::resource::{Resource, Status};

/// What a change means to followers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Removed,
}

/// From the status before (None: new) to the status after (None: deleted).
pub fn change(before: Option<Status>, after: Option<Status>) -> Option<Change> {
    let (was, is) = (before == Some(Status::Published), after == Some(Status::Published));
    match (was, is) {
        (false, true) => Some(Change::Created),
        (true, true) => Some(Change::Updated),
        (true, false) => Some(Change::Removed),
        (false, false) => None,
    }
}

/// The id of a new `Create`, made when a resource becomes public.
pub fn new_create_id(ctx: &Core) -> String {
    format!("{}/activities/create/{}", ctx.config.base_url(), crate::db::new_uid())
}

/// The id of the `Create` that made `r` public: the one stored with it, or, for a resource
/// published before ids were stored, one made of its uid (served all the same).
pub fn create_id(ctx: &Core, r: &Resource) -> String {
    r.create_id.clone().unwrap_or_else(|| format!("{}/activities/create/{}", ctx.config.base_url(), r.uid))
}

/// The `Create` that made `r` public, with its object as it is now: what followers received
/// (the same id), what the outbox lists, and what its id dereferences to.
pub fn create_activity(ctx: &Core, r: &Resource) -> Value {
    activity(ctx, r, "Create", create_id(ctx, r), object(ctx, r, Change::Created))
}

fn object(ctx: &Core, r: &Resource, change: Change) -> Value {
    match change {
        Change::Removed => json!({"id": resource_id(ctx, &r.uid), "type": "Tombstone"}),
        _ => {
            let mut o = resource_object(ctx, r);
            if let Some(m) = o.as_object_mut() {
                m.shift_remove("@context");
            }
            o
        }
    }
}

fn activity(ctx: &Core, r: &Resource, kind: &str, id: String, object: Value) -> Value {
    let actor = org_id(ctx, &r.org_handle);
    // a Create is dated by the publication it makes; an Update or Delete by now
    let published = match kind {
        "Create" => r.published_at.unwrap_or(r.updated_at),
        _ => Utc::now(),
    };
    json!({
        "@context": context(),
        "id": id,
        "type": kind,
        "actor": actor,
        "published": published.to_rfc3339_opts(SecondsFormat::Secs, true),
        "to": [PUBLIC],
        "cc": [format!("{actor}/followers")],
        "object": object,
    })
}

/// The activity announcing `change` of `r` to its organisation's followers, or `None` when
/// nobody follows it or nothing public changed. A `Create` has the id stored with `r`.
pub async fn outgoing(ctx: &Core, r: &Resource, change: Option<Change>) -> AppResult<Option<Outgoing>> {
    let Some(change) = change else { return Ok(None) };
    let inboxes = ctx.db.follower_inboxes(r.org_id).await?;
    if inboxes.is_empty() {
        return Ok(None);
    }
    let (kind, ap_id) = match change {
        Change::Created => ("Create", create_id(ctx, r)),
        Change::Updated => ("Update", format!("{}/activities/update/{}", ctx.config.base_url(), crate::db::new_uid())),
        Change::Removed => ("Delete", format!("{}/activities/delete/{}", ctx.config.base_url(), crate::db::new_uid())),
    };
    let activity = activity(ctx, r, kind, ap_id.clone(), object(ctx, r, change));
    let json = serde_json::to_string(&activity).map_err(AppError::internal)?;
    Ok(Some(Outgoing { org_id: Some(r.org_id), ap_id, json, inboxes }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_to_public_resources_are_announced() {
        assert_eq!(change(None, Some(Status::Published)), Some(Change::Created));
        assert_eq!(change(None, Some(Status::Draft)), None);
        assert_eq!(change(Some(Status::Draft), Some(Status::Published)), Some(Change::Created));
        assert_eq!(change(Some(Status::Published), Some(Status::Published)), Some(Change::Updated));
        assert_eq!(change(Some(Status::Published), Some(Status::Withdrawn)), Some(Change::Removed));
        assert_eq!(change(Some(Status::Published), None), Some(Change::Removed));
        assert_eq!(change(Some(Status::Withdrawn), None), None);
    }
}
