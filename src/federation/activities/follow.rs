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
