//! An organisation following another actor, on Amicus or any ActivityPub server, by handle
//! (`name@domain`) or URL; and unfollowing it.

use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use activitypub_federation::kinds::activity::{FollowType, UndoType};
use activitypub_federation::traits::Object;
use url::Url;

use super::activities::follow::{Answer, AnswerKind, Follow, FollowRef, Undo};
use super::activities::new_id;
use super::apactor::ApActor;
use super::context::Fed;
use super::delivery;
use crate::error::{AppError, AppResult};
use crate::model::org::Org;

/// Finds the actor a person typed: `@name@domain`, `name@domain` or an actor URL.
pub(crate) async fn resolve(fed: &Fed, target: &str) -> AppResult<ApActor> {
    let target = target.trim();
    let actor = if target.starts_with("http://") || target.starts_with("https://") {
        let url = Url::parse(target).map_err(|_| AppError::invalid("target", "err-bad-target", target))?;
        super::lenient::actor(&fed.0, &url).await
    } else {
        let acct = target.trim_start_matches('@');
        if !acct.contains('@') {
            return Err(AppError::invalid("target", "err-bad-target", target));
        }
        match webfinger_resolve_actor::<_, ApActor>(acct, &fed.0).await {
            // the crate gives up on an actor served as plain application/ld+json: look again
            Err(AppError::BadRequest(_)) => super::lenient::webfinger(&fed.0, acct).await,
            other => other,
        }
    };
    // say why: refused here, unreachable, not ActivityPub, unreadable, or unknown there
    actor.map_err(|e| match e {
        AppError::Forbidden => AppError::invalid("target", "err-target-refused", target),
        AppError::RemoteUnavailable(_) => AppError::invalid("target", "err-target-unreachable", target),
        AppError::BadRequest("error-remote-not-activitypub") => {
            AppError::invalid("target", "err-target-not-activitypub", target)
        }
        AppError::BadRequest("error-remote-unparseable") => {
            AppError::invalid("target", "err-target-unparseable", target)
        }
        AppError::BadRequest(_) => AppError::invalid("target", "err-target-not-found", target),
        other => other,
    })
}

/// Sends `Follow` from `org` to `target`; the follow counts once the target accepts.
pub async fn follow(fed: &Fed, org: Org, target: &str) -> AppResult<String> {
    let remote = resolve(fed, target).await?;
    let Some(actor) = remote.remote().cloned() else {
        return Err(AppError::invalid("target", "err-target-local", target));
    };
    let local = ApActor::local(&fed.0, org.clone()).await?;
    let id = Url::parse(&format!("{}/follows/{}", local.id(), crate::db::new_uid())).map_err(AppError::internal)?;
    let follow = Follow {
        id: id.clone(),
        kind: FollowType::Follow,
        actor: ObjectId::from(local.id().clone()),
        object: ObjectId::from(remote.id().clone()),
    };
    fed.0.db.add_following(org.id, &actor.ap_id, id.as_str()).await?;
    delivery::queue(&fed.0, &local, &follow, vec![actor.inbox.clone()]).await?;
    // what it published before today, not only from now on
    super::backfill::request(&fed.0, &actor.ap_id).await?;
    Ok(actor.ap_id)
}

/// Sends `Undo(Follow)` and forgets the follow.
pub async fn unfollow(fed: &Fed, org: Org, target: &str) -> AppResult<()> {
    let remote = resolve(fed, target).await?;
    let Some(actor) = remote.remote().cloned() else { return Err(AppError::NotFound) };
    let (_, follow_id, _) = fed.0.db.following_of(org.id, &actor.ap_id).await?.ok_or(AppError::NotFound)?;
    let local = ApActor::local(&fed.0, org.clone()).await?;
    let follow = Follow {
        id: Url::parse(&follow_id).map_err(AppError::internal)?,
        kind: FollowType::Follow,
        actor: ObjectId::from(local.id().clone()),
        object: ObjectId::from(remote.id().clone()),
    };
    let undo = Undo {
        id: new_id(&fed.0, "undo")?,
        kind: UndoType::Undo,
        actor: ObjectId::from(local.id().clone()),
        object: FollowRef::Embedded(follow),
    };
    fed.0.db.remove_following(org.id, &actor.ap_id).await?;
    delivery::queue(&fed.0, &local, &undo, vec![actor.inbox.clone()]).await
}

/// Answers a follow request held for approval: `Accept` (the actor becomes a follower) or
/// `Reject` (the request is forgotten).
pub async fn answer(fed: &Fed, org: Org, actor_id: &str, accept: bool) -> AppResult<()> {
    let requests = fed.0.db.followers_of(org.id).await?;
    let (_, follow_id, approved) = requests.into_iter().find(|(a, _, _)| a == actor_id).ok_or(AppError::NotFound)?;
    if approved && accept {
        return Ok(());
    }
    let follower = fed.0.db.remote_actor(actor_id).await?.ok_or(AppError::NotFound)?;
    let local = ApActor::local(&fed.0, org.clone()).await?;
    let follow = Follow {
        id: Url::parse(follow_id.as_deref().unwrap_or(actor_id)).map_err(AppError::internal)?,
        kind: FollowType::Follow,
        actor: ObjectId::from(Url::parse(actor_id).map_err(AppError::internal)?),
        object: ObjectId::from(local.id().clone()),
    };
    let kind = if accept {
        fed.0.db.approve_follower(org.id, actor_id).await?;
        AnswerKind::Accept
    } else {
        fed.0.db.remove_follower(org.id, actor_id).await?;
        AnswerKind::Reject
    };
    let answer = Answer {
        id: new_id(&fed.0, if accept { "accept" } else { "reject" })?,
        kind,
        actor: ObjectId::from(local.id().clone()),
        object: FollowRef::Embedded(follow),
    };
    delivery::queue(&fed.0, &local, &answer, vec![follower.inbox.clone()]).await
}
