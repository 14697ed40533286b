//! Relays, in the common relay protocol (pub-relay, ActivityRelay): an instance subscribes by
//! a `Follow` of the public collection from its instance actor to the relay's actor; the
//! relay answers `Accept`, then `Announce`s (by id) the public objects its members send it.
//!
//! Subscribing (`amicus federation relay subscribe`, the admin page): what a subscribed relay
//! announces is kept here as if an organisation followed its author, with every usual check
//! (the object is fetched from its own server, the policy applies), and this instance's public
//! library objects go to the relay as they go to followers.
//!
//! Relay mode (a coalition's hub, `amicus federation relay serve on`): instances of partners
//! (the allowlist) may subscribe to this instance's actor; what one sends is kept here and
//! announced to all the others; a new member is sent everything public this instance holds.

use activitypub_federation::config::Data;
use serde_json::{json, Value};
use url::Url;

use super::actors::instance_id;
use super::objects::PUBLIC;
use super::policy::Policy;
use super::protocol::context;
use crate::domain::Core;
use crate::error::{AppError, AppResult};

const SETTING: &str = "relay_mode";
/// The most objects a new member is sent at once.
pub const WELCOME_MAX: i64 = 20_000;

/// Whether this instance acts as a relay.
pub async fn serving(ctx: &Core) -> AppResult<bool> {
    Ok(ctx.db.setting(SETTING).await?.as_deref() == Some("on"))
}

pub async fn serve(ctx: &Core, on: bool) -> AppResult<()> {
    ctx.db.set_setting(SETTING, if on { "on" } else { "off" }).await
}

fn new_id(ctx: &Core, kind: &str) -> AppResult<String> {
    super::activities::new_id(ctx, kind).map(String::from)
}

/// Subscribes this instance to the relay at `target` (its actor's address, or an inbox whose
/// actor is at `/actor`, as relays publish them).
pub async fn subscribe(data: &Data<Core>, target: &str) -> AppResult<String> {
    let mut url = Url::parse(target.trim()).map_err(|_| AppError::invalid("relay", "err-bad-url", target))?;
    // relays are usually given by their inbox: their actor is beside it
    if url.path() == "/inbox" {
        url.set_path("/actor");
    }
    let relay = super::lenient::actor(data, &url)
        .await
        .map_err(|_| AppError::invalid("relay", "err-target-unreachable", target))?;
    let remote = relay.remote().ok_or(AppError::invalid("relay", "err-target-local", target))?.clone();
    let inbox = remote.shared_inbox.clone().unwrap_or(remote.inbox.clone());
    let follow_id = new_id(data, "follow")?;
    let follow =
        json!({"@context": context(), "id": follow_id, "type": "Follow", "actor": instance_id(data), "object": PUBLIC});
    data.db.add_relay(&remote.ap_id, &inbox, &follow_id).await?;
    data.db.queue_activity(None, &follow_id, &follow.to_string(), std::slice::from_ref(&inbox)).await?;
    data.delivery_bell.notify_one();
    Ok(remote.ap_id)
}

/// Ends a subscription: `Undo` of the follow.
pub async fn unsubscribe(ctx: &Core, actor: &str) -> AppResult<()> {
    let Some((_, inbox, follow_id, _)) = ctx.db.relays().await?.into_iter().find(|(a, ..)| a == actor) else {
        return Err(AppError::NotFound);
    };
    let undo_id = new_id(ctx, "undo")?;
    let undo = json!({"@context": context(), "id": undo_id, "type": "Undo", "actor": instance_id(ctx),
        "object": {"id": follow_id, "type": "Follow", "actor": instance_id(ctx), "object": PUBLIC}});
    ctx.db.remove_relay(actor).await?;
    ctx.db.queue_activity(None, &undo_id, &undo.to_string(), &[inbox]).await?;
    ctx.delivery_bell.notify_one();
    Ok(())
}

/// Whether `actor` is a relay this instance subscribed to and that accepted.
pub async fn is_relay(ctx: &Core, actor: &Url) -> AppResult<bool> {
    Ok(ctx.db.relays().await?.iter().any(|(a, _, _, ok)| *ok && a == actor.as_str()))
}

/// The inboxes of the relays that accepted this instance: they get its public library objects.
pub async fn inboxes(ctx: &Core) -> AppResult<Vec<String>> {
    Ok(ctx.db.relays().await?.into_iter().filter(|(.., ok)| *ok).map(|(_, inbox, ..)| inbox).collect())
}

/// A follow addressed to the relay: of the public collection, or of this instance's actor.
pub fn is_relay_follow(ctx: &Core, object: &Url) -> bool {
    object.as_str() == PUBLIC || object.as_str() == instance_id(ctx)
}

/// A `Follow` of this relay by another instance's actor: taken from partners only, in relay
/// mode, and answered `Accept` (else `Reject`). A new member is sent everything public here.
pub async fn member_follows(data: &Data<Core>, follow: &Value, actor: &Url) -> Result<(), AppError> {
    let remote = activitypub_federation::fetch::object_id::ObjectId::<super::apactor::ApActor>::from(actor.clone())
        .dereference(data)
        .await?;
    let remote = remote.remote().ok_or(AppError::BadRequest(super::IGNORED))?.clone();
    let host = actor.host_str().unwrap_or_default().to_string();
    let partner = Policy::of(data).rules().await?.is_partner(&host);
    let ok = serving(data).await? && partner;
    let inbox = remote.shared_inbox.clone().unwrap_or(remote.inbox.clone());
    let answer_id = new_id(data, if ok { "accept" } else { "reject" })?;
    let answer = json!({"@context": context(), "id": answer_id, "type": if ok { "Accept" } else { "Reject" },
        "actor": instance_id(data), "object": follow});
    let fresh = ok && data.db.add_relay_member(actor.as_str(), &inbox, &host).await?;
    data.db.queue_activity(None, &answer_id, &answer.to_string(), std::slice::from_ref(&inbox)).await?;
    if fresh {
        welcome(data, &inbox).await?;
    }
    data.delivery_bell.notify_one();
    Ok(())
}

/// `Undo` of a member's follow: it leaves the relay.
pub async fn member_leaves(ctx: &Core, actor: &Url) -> AppResult<()> {
    ctx.db.remove_relay_member(actor.as_str()).await
}

/// Sends a new member the public library held here, newest first, one `Announce` per object.
async fn welcome(ctx: &Core, inbox: &str) -> AppResult<()> {
    let base = ctx.config.base_url();
    for (ap_id, uid, statement) in ctx.db.public_ap_ids(WELCOME_MAX).await? {
        let object = ap_id.unwrap_or_else(|| format!("{base}{}", crate::model::stored::path_of(&uid, statement)));
        announce(ctx, &object, &[inbox.to_string()]).await?;
    }
    Ok(())
}

async fn announce(ctx: &Core, object: &str, inboxes: &[String]) -> AppResult<()> {
    let id = new_id(ctx, "announce")?;
    let actor = instance_id(ctx);
    let activity = json!({"@context": context(), "id": id, "type": "Announce", "actor": actor,
        "to": [PUBLIC], "cc": [format!("{actor}/followers")], "object": object});
    ctx.db.queue_activity(None, &id, &activity.to_string(), inboxes).await
}

/// Whether `actor` is on the host of an instance subscribed to this relay (relay mode).
pub async fn from_member(ctx: &Core, actor: &Url) -> AppResult<bool> {
    if !serving(ctx).await? {
        return Ok(false);
    }
    let host = actor.host_str().unwrap_or_default();
    Ok(ctx.db.relay_members().await?.iter().any(|(_, _, h)| h == host))
}

/// Relays `object` (sent by a member on `from_host`) to every other member.
pub async fn pass(ctx: &Core, object: &str, from: &Url) -> AppResult<()> {
    let host = from.host_str().unwrap_or_default();
    let inboxes: Vec<String> =
        ctx.db.relay_members().await?.into_iter().filter(|(_, _, h)| h != host).map(|(_, inbox, _)| inbox).collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    announce(ctx, object, &inboxes).await?;
    ctx.delivery_bell.notify_one();
    Ok(())
}
