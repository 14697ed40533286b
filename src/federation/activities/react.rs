//! `Like` and `Announce` of this instance's publications, from anywhere on the fediverse, and
//! their `Undo`: counted per object, never listed. Only what is public counts: a boost of a
//! draft or of a statement under embargo is ignored.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{LikeType, UndoType};
use activitypub_federation::traits::Activity;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use crate::domain::Core;
use crate::error::AppError;
use crate::federation::apactor::ApActor;
use crate::federation::IGNORED;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Like {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: LikeType,
    pub actor: ObjectId<ApActor>,
    pub object: Value,
}

/// The id an activity's `object` names, embedded or not.
pub fn named(object: &Value) -> Option<&str> {
    match object {
        Value::String(s) => Some(s),
        other => other.get("id").and_then(Value::as_str),
    }
}

/// Whether `id` is a publication of this instance that the public may see (a resource, a
/// statement, an event), so that reactions to it count.
pub async fn public_here(ctx: &Core, id: &str) -> Result<bool, AppError> {
    let base = ctx.config.base_url();
    let Some(rest) = id.strip_prefix(&base) else { return Ok(false) };
    let uid = |p: &str| rest.strip_prefix(p).map(|u| u.split(['?', '#', '/']).next().unwrap_or_default().to_string());
    if let Some(uid) = uid("/r/").or_else(|| uid("/s/")) {
        let r = ctx.db.resource_by_uid(&uid).await?;
        return Ok(r.is_some_and(|r| r.local && crate::statements::is_public(&r)));
    }
    if let Some(uid) = uid("/e/") {
        return Ok(ctx.db.event_by_uid(&uid).await?.is_some_and(|e| e.local));
    }
    Ok(false)
}

/// Counts a reaction of `kind` to `object` when it is public here; false when it is not ours.
pub async fn count(ctx: &Core, kind: &str, actor: &Url, object: &Value, activity: &Url) -> Result<bool, AppError> {
    let Some(id) = named(object) else { return Ok(false) };
    if !id.starts_with(&ctx.config.base_url()) {
        return Ok(false);
    }
    if public_here(ctx, id).await? {
        ctx.db.add_reaction(id, actor.as_str(), kind, activity.as_str()).await?;
    }
    Ok(true)
}

#[async_trait::async_trait]
impl Activity for Like {
    type DataType = Core;
    type Error = AppError;
    ids!();

    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        if count(data, "like", self.actor.inner(), &self.object, &self.id).await? {
            Ok(())
        } else {
            Err(AppError::BadRequest(IGNORED))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReactionKind {
    Like,
    Announce,
}

/// The reaction an `Undo` takes back, embedded as Mastodon sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReactionRef {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: ReactionKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UndoReaction {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub actor: ObjectId<ApActor>,
    pub object: ReactionRef,
}

#[async_trait::async_trait]
impl Activity for UndoReaction {
    type DataType = Core;
    type Error = AppError;
    ids!();

    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        data.db.remove_reaction(self.actor.inner().as_str(), self.object.id.as_str()).await
    }
}
