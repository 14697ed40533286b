//! `Follow`, and the `Accept`, `Reject` and `Undo` that answer or take it back.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{FollowType, UndoType};
use activitypub_federation::protocol::verification::verify_urls_match;
use activitypub_federation::traits::Activity;
use serde::{Deserialize, Serialize};
use url::Url;

use super::new_id;
use crate::domain::Core;
use crate::error::AppError;
use crate::federation::apactor::{local_handle, ApActor};
use crate::federation::delivery;
use crate::federation::protocol::actor_ref;
use crate::federation::IGNORED;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: FollowType,
    #[serde(deserialize_with = "actor_ref")]
    pub actor: ObjectId<ApActor>,
    #[serde(deserialize_with = "actor_ref")]
    pub object: ObjectId<ApActor>,
}

/// A `Follow` embedded in an answer without an id of its own: matched by actor and object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnonymousFollow {
    #[serde(rename = "type")]
    pub kind: FollowType,
    #[serde(deserialize_with = "actor_ref")]
    pub actor: ObjectId<ApActor>,
    #[serde(deserialize_with = "actor_ref")]
    pub object: ObjectId<ApActor>,
}

/// The `object` of an answer: the `Follow` itself (as Mastodon sends it, with the actors as
/// ids or, as Fedify sends it, as objects), without its id, or its id alone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FollowRef {
    Embedded(Follow),
    Anonymous(AnonymousFollow),
    Id(Url),
}

impl FollowRef {
    /// The follower and the followed, when the follow is embedded.
    fn actors(&self) -> Option<(&Url, &Url)> {
        match self {
            FollowRef::Embedded(f) => Some((f.actor.inner(), f.object.inner())),
            FollowRef::Anonymous(f) => Some((f.actor.inner(), f.object.inner())),
            FollowRef::Id(_) => None,
        }
    }
}

/// Whether a follow request was accepted or rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnswerKind {
    Accept,
    Reject,
}

/// `Accept` or `Reject` of a `Follow`: received alike, but for what becomes of the follow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: AnswerKind,
    pub actor: ObjectId<ApActor>,
    pub object: FollowRef,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Undo {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub actor: ObjectId<ApActor>,
    pub object: FollowRef,
}

/// The local organisation a follow answer is about, and the remote actor it names.
async fn local_follower(data: &Data<Core>, follow: &FollowRef) -> Result<crate::model::org::Org, AppError> {
    let url = match (follow, follow.actors()) {
        (_, Some((follower, _))) => follower.clone(),
        // our follow ids are <base>/orgs/<handle>/follows/<uid>
        (FollowRef::Id(id), None) => id.clone(),
        _ => return Err(AppError::BadRequest(IGNORED)),
    };
    let handle = local_handle(data, &url).ok_or(AppError::BadRequest(IGNORED))?;
    data.db.org_by_handle(&handle).await?.ok_or(AppError::BadRequest(IGNORED))
}

#[async_trait::async_trait]
impl Activity for Follow {
    type DataType = Core;
    type Error = AppError;

    ids!();

    async fn verify(&self, data: &Data<Core>) -> Result<(), AppError> {
        // only organisations of this instance can be followed here
        local_handle(data, self.object.inner()).map(|_| ()).ok_or(AppError::BadRequest(IGNORED))
    }

    /// Records the follower, then answers `Accept` (or waits for an admin's approval).
    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let handle = local_handle(data, self.object.inner()).ok_or(AppError::BadRequest(IGNORED))?;
        let org = data.db.org_by_handle(&handle).await?.ok_or(AppError::BadRequest(IGNORED))?;
        let follower = self.actor.dereference(data).await?;
        let remote = follower.remote().ok_or(AppError::BadRequest(IGNORED))?.clone();
        let approved = !org.manually_approves_followers;
        data.db.add_follower(org.id, &remote, approved, self.id.as_str()).await?;
        if approved {
            let local = ApActor::local(data, org).await?;
            let accept = Answer {
                id: new_id(data, "accept")?,
                kind: AnswerKind::Accept,
                actor: ObjectId::from(local_id(&local)),
                object: FollowRef::Embedded(self),
            };
            delivery::queue(data, &local, &accept, vec![remote.inbox.clone()]).await?;
        }
        Ok(())
    }
}

fn local_id(a: &ApActor) -> Url {
    use activitypub_federation::traits::Object;
    a.id().clone()
}

#[async_trait::async_trait]
impl Activity for Answer {
    type DataType = Core;
    type Error = AppError;

    ids!();

    /// Only the followed actor answers its follow requests.
    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        if let Some((_, followed)) = self.object.actors() {
            verify_urls_match(followed, self.actor.inner())?;
        }
        Ok(())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let org = local_follower(data, &self.object).await?;
        let actor = self.actor.inner().as_str();
        match self.kind {
            AnswerKind::Accept => data.db.accept_following(org.id, actor).await?,
            AnswerKind::Reject => data.db.remove_following(org.id, actor).await?,
        };
        Ok(())
    }
}

#[async_trait::async_trait]
impl Activity for Undo {
    type DataType = Core;
    type Error = AppError;

    ids!();

    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        match self.object.actors() {
            Some((follower, _)) => Ok(verify_urls_match(follower, self.actor.inner())?),
            None => Ok(()),
        }
    }

    /// `Undo(Follow)`: the actor no longer follows the organisation.
    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let Some((_, followed)) = self.object.actors() else { return Err(AppError::BadRequest(IGNORED)) };
        let handle = local_handle(data, followed).ok_or(AppError::BadRequest(IGNORED))?;
        if let Some(org) = data.db.org_by_handle(&handle).await? {
            data.db.remove_follower(org.id, self.actor.inner().as_str()).await?;
        }
        Ok(())
    }
}
