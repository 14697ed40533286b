//! Announcing changes to a resource to its organisation's followers: `Create` when it is
//! published, `Update` when a published resource changes (a translation added, say), `Delete`
//! when it is withdrawn or deleted. The activity is built before the content is written, so
//! that both are stored in one transaction.

use chrono::{SecondsFormat, Utc};
use serde_json::Value;

use super::actors::org_id;
use super::objects::{embedded_object, object_id};
use super::protocol::activity::{Addressed, Create};
use super::protocol::tombstone::TombstoneRef;
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
pub fn create_activity(ctx: &Core, r: &Resource) -> Create<Value> {
    let actor = org_id(ctx, &r.org_handle);
    // a Create is dated by the publication it makes
    let published = time(r.published_at.unwrap_or(r.updated_at));
    let cc = vec![format!("{actor}/followers")];
    Addressed::new("Create", create_id(ctx, r), actor, published, cc, embedded_object(ctx, r))
}

fn time(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The activity announcing `change` of `r` to its organisation's followers, or `None` when
/// nobody follows it or nothing public changed. A `Create` has the id stored with `r`; an
/// `Update` or `Delete` is dated now.
pub async fn outgoing(ctx: &Core, r: &Resource, change: Option<Change>) -> AppResult<Option<Outgoing>> {
    let Some(change) = change else { return Ok(None) };
    let mut inboxes = ctx.db.follower_inboxes(r.org_id).await?;
    // the relays this instance subscribed to pass its public library on
    for relay in super::relay::inboxes(ctx).await? {
        if !inboxes.contains(&relay) {
            inboxes.push(relay);
        }
    }
    if inboxes.is_empty() {
        return Ok(None);
    }
    let actor = org_id(ctx, &r.org_handle);
    let cc = vec![format!("{actor}/followers")];
    let new_id = |kind: &str| format!("{}/activities/{kind}/{}", ctx.config.base_url(), crate::db::new_uid());
    let (ap_id, json) = match change {
        Change::Created => {
            let activity = create_activity(ctx, r);
            (activity.id.clone(), serde_json::to_string(&activity))
        }
        Change::Updated => {
            let activity =
                Addressed::new("Update", new_id("update"), actor, time(Utc::now()), cc, embedded_object(ctx, r));
            (activity.id.clone(), serde_json::to_string(&activity))
        }
        Change::Removed => {
            let object = TombstoneRef { id: object_id(ctx, r), kind: "Tombstone" };
            let activity = Addressed::new("Delete", new_id("delete"), actor, time(Utc::now()), cc, object);
            (activity.id.clone(), serde_json::to_string(&activity))
        }
    };
    let json = json.map_err(AppError::internal)?;
    Ok(Some(Outgoing { org_id: Some(r.org_id), ap_id, json, inboxes }))
}

/// An `Update` of `r` (a statement whose signatories changed) for `inboxes` besides its
/// organisation's followers, who get it only once it is public.
/// `Update`s made here have ids that start with [`update_series`] of their resource, so that a
/// newer one can stand for those still waiting (they all carry the whole object).
pub async fn update_for(ctx: &Core, r: &Resource, inboxes: Vec<String>) -> AppResult<Option<Outgoing>> {
    let mut all = inboxes;
    if r.public_status() == Status::Published {
        all.extend(ctx.db.follower_inboxes(r.org_id).await?);
    }
    all.sort();
    all.dedup();
    if all.is_empty() {
        return Ok(None);
    }
    let actor = org_id(ctx, &r.org_handle);
    let cc = vec![format!("{actor}/followers")];
    let id = format!("{}{}", update_series(ctx, r), crate::db::new_uid());
    let activity = Addressed::new("Update", id.clone(), actor, time(Utc::now()), cc, embedded_object(ctx, r));
    let json = serde_json::to_string(&activity).map_err(AppError::internal)?;
    Ok(Some(Outgoing { org_id: Some(r.org_id), ap_id: id, json, inboxes: all }))
}

/// The start of the ids of the `Update`s of `r` that [`update_for`] makes.
pub fn update_series(ctx: &Core, r: &Resource) -> String {
    format!("{}/activities/update/{}.", ctx.config.base_url(), r.uid)
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
