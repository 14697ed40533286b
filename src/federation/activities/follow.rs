//! Receiving `Follow`, and the `Accept`, `Reject` and `Undo` that answer or take it back (their
//! wire shapes are in `protocol`).

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_urls_match;
use activitypub_federation::traits::Activity;
use url::Url;

use super::new_id;
use crate::domain::Core;
use crate::error::AppError;
use crate::federation::apactor::{local_handle, ApActor};
use crate::federation::delivery;
pub use crate::federation::protocol::answer::{Answer, AnswerKind};
pub use crate::federation::protocol::follow::{AnonymousFollow, Follow, FollowRef};
pub use crate::federation::protocol::undo::Undo;
use crate::federation::IGNORED;

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
        // a subscription to this instance as a relay
        if crate::federation::relay::is_relay_follow(data, self.object.inner()) {
            return Ok(());
        }
        // only organisations of this instance can be followed here
        local_handle(data, self.object.inner()).map(|_| ()).ok_or(AppError::BadRequest(IGNORED))
    }

    /// Records the follower, then answers `Accept` (or waits for an admin's approval).
    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        if crate::federation::relay::is_relay_follow(data, self.object.inner()) {
            let follow = serde_json::to_value(&self).map_err(AppError::internal)?;
            return crate::federation::relay::member_follows(data, &follow, self.actor.inner()).await;
        }
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

    /// Only the followed actor answers its follow requests; a relay answers a follow of the
    /// public collection (and only a relay this instance subscribed to counts, in `receive`).
    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        if let Some((_, followed)) = self.object.actors() {
            if followed.as_str() != crate::federation::objects::PUBLIC {
                verify_urls_match(followed, self.actor.inner())?;
            }
        }
        Ok(())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let actor = self.actor.inner().as_str();
        // a relay answering this instance's subscription
        let instance = crate::federation::actors::instance_id(data);
        let ours = match &self.object {
            FollowRef::Id(id) => data.db.relays().await?.iter().any(|(a, _, f, _)| a == actor && f == id.as_str()),
            other => other.actors().is_some_and(|(follower, _)| follower.as_str() == instance),
        };
        if ours {
            match self.kind {
                AnswerKind::Accept => data.db.accept_relay(actor).await?,
                AnswerKind::Reject => data.db.remove_relay(actor).await?,
            };
            return Ok(());
        }
        let org = local_follower(data, &self.object).await?;
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
        if crate::federation::relay::is_relay_follow(data, followed) {
            return crate::federation::relay::member_leaves(data, self.actor.inner()).await;
        }
        let handle = local_handle(data, followed).ok_or(AppError::BadRequest(IGNORED))?;
        if let Some(org) = data.db.org_by_handle(&handle).await? {
            data.db.remove_follower(org.id, self.actor.inner().as_str()).await?;
        }
        Ok(())
    }
}
