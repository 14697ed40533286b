//! Replies on the wire. A reply is a `Note` with `inReplyTo` (Mastodon's shape), sent in a
//! `Create` by the replying organisation: to the followers of the organisation that published
//! the object when the object is ours (they are the partners that have it), else to that
//! organisation's inbox. The publishing organisation's instance passes each reply it accepts
//! on to its followers in an `Announce` of the note, takes one out with `Remove` (hidden or
//! deleted by its moderators), and limits a partners-only thread to followers on partner hosts.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::RemoveType;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::Activity;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

use super::actors::org_id;
use super::apactor::ApActor;
use super::authorized::Signed;
use super::objects::PUBLIC;
use super::policy::Policy;
use super::protocol::{activity_json, context};
use super::IGNORED;
use crate::community::{self, Target, MAX_REPLY};
use crate::db::replies::{NewReply, Reply};
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::org::Org;

/// The note of a reply, as it goes out.
fn note(ctx: &Core, r: &Reply, owner: &str) -> Value {
    let (to, cc) = if r.public {
        (json!([PUBLIC]), json!([format!("{owner}/followers"), owner]))
    } else {
        (json!([format!("{owner}/followers")]), json!([owner]))
    };
    let html = format!("<p>{}</p>", html_escape(&r.content).replace('\n', "<br>"));
    let mut n = json!({
        "id": r.ap_id,
        "type": "Note",
        "attributedTo": r.author_ap_id,
        "inReplyTo": r.in_reply_to,
        "content": html,
        "published": r.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "url": format!("{}/n/{}", ctx.config.base_url(), r.uid),
        "to": to,
        "cc": cc,
    });
    if !r.local {
        n["url"] = json!(r.ap_id);
    }
    if let Some(lang) = &r.lang {
        n["contentMap"] = json!({ lang.clone(): html });
    }
    n
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The actor id of the organisation that published `t`.
async fn owner_of(ctx: &Core, t: &Target) -> AppResult<String> {
    if t.local {
        let org = ctx.db.org_by_id(t.org_id).await?.ok_or(AppError::NotFound)?;
        Ok(org_id(ctx, &org.handle))
    } else {
        ctx.db.org_ap_id(t.org_id).await?.ok_or(AppError::NotFound)
    }
}

/// The inboxes of the followers of `org` that may read a reply: all of them, or for a
/// partners-only one those on partner hosts.
async fn readers(ctx: &Core, org_id: i64, public: bool) -> AppResult<Vec<String>> {
    let rules = Policy::of(ctx).rules().await?;
    let mut inboxes: Vec<String> = ctx
        .db
        .follower_inboxes_with_hosts(org_id)
        .await?
        .into_iter()
        .filter(|(_, actor)| {
            public || Url::parse(actor).is_ok_and(|u| rules.is_partner(u.host_str().unwrap_or_default()))
        })
        .map(|(inbox, _)| inbox)
        .collect();
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

/// Sends a reply written here: `Create` of its note.
pub async fn send_reply(ctx: &Core, from: &Org, t: &Target, r: &Reply) -> AppResult<()> {
    let owner = owner_of(ctx, t).await?;
    let inboxes = if t.local {
        readers(ctx, t.org_id, r.public).await?
    } else {
        let actor = ctx.db.remote_actor(&owner).await?.ok_or(AppError::NotFound)?;
        vec![actor.shared_inbox.unwrap_or(actor.inbox)]
    };
    if inboxes.is_empty() {
        return Ok(());
    }
    let n = note(ctx, r, &owner);
    let id = String::from(super::activities::new_id(ctx, "create")?);
    let activity = json!({"@context": context(), "id": id, "type": "Create", "actor": org_id(ctx, &from.handle),
        "to": n["to"], "cc": n["cc"], "object": n});
    ctx.db.queue_activity(Some(from.id), &id, &activity.to_string(), &inboxes).await
}

/// Passes a reply the publishing organisation accepted on to its followers: `Announce` of the
/// note (embedded; readers fetch it from its author's server when it is not the announcer's).
pub async fn pass_on(ctx: &Core, owner: &Org, t: &Target, r: &Reply) -> AppResult<()> {
    let inboxes = readers(ctx, owner.id, r.public).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor = org_id(ctx, &owner.handle);
    let n = note(ctx, r, &actor);
    let id = String::from(super::activities::new_id(ctx, "announce")?);
    let activity = json!({"@context": context(), "id": id, "type": "Announce", "actor": actor,
        "to": n["to"], "cc": n["cc"], "object": n, "target": t.ap_id});
    ctx.db.queue_activity(Some(owner.id), &id, &activity.to_string(), &inboxes).await
}

/// Takes a reply out of the thread on the partners' copies: `Remove` by the publishing
/// organisation, `target` the object.
pub async fn send_remove(ctx: &Core, owner: &Org, t: &Target, r: &Reply) -> AppResult<()> {
    let inboxes = readers(ctx, owner.id, true).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor = org_id(ctx, &owner.handle);
    let id = String::from(super::activities::new_id(ctx, "remove")?);
    let activity = json!({"@context": context(), "id": id, "type": "Remove", "actor": actor,
        "to": [PUBLIC], "object": r.ap_id, "target": t.ap_id});
    ctx.db.queue_activity(Some(owner.id), &id, &activity.to_string(), &inboxes).await
}

fn str_or_id(v: Option<&Value>) -> Option<&str> {
    v.and_then(|v| v.as_str().or_else(|| v.get("id").and_then(Value::as_str)))
}

/// A reply from another server, by `actor`, received directly (`via` none) or passed on by the
/// organisation that published the object (`via`). Kept when the thread takes it: open, and
/// from a partner, a follower, or anyone when it is public and the thread takes public replies.
pub async fn receive(data: &Data<Core>, actor: &Url, object: &Value, via: Option<&Url>) -> Result<(), AppError> {
    let id =
        str_or_id(Some(object)).and_then(|s| Url::parse(s).ok()).ok_or(AppError::BadRequest("error-bad-activity"))?;
    verify_domains_match(&id, actor)?;
    if str_or_id(object.get("attributedTo")).is_some_and(|a| a != actor.as_str()) {
        return Err(AppError::BadRequest("error-bad-activity"));
    }
    let parent = str_or_id(object.get("inReplyTo")).ok_or(AppError::BadRequest(IGNORED))?;
    let Some(t) = community::find_target(data, parent).await? else { return Err(AppError::BadRequest(IGNORED)) };
    if data.db.reply_by_ap_id(id.as_str()).await?.is_some() {
        return Ok(());
    }
    let thread = data.db.thread(&t.ap_id).await?;
    if thread.locked {
        return Err(AppError::BadRequest(IGNORED));
    }
    let public = ["to", "cc", "audience"].iter().any(|k| super::activities::content::names_public(object.get(*k)));
    let owner = owner_of(data, &t).await?;
    let allowed = if t.local {
        let partner = Policy::of(data).rules().await?.is_partner(actor.host_str().unwrap_or_default());
        let follower = data.db.is_follower(t.org_id, actor.as_str()).await?;
        partner || (!thread.partners_only && (follower || (thread.public_replies && public)))
    } else {
        via.is_some_and(|v| v.as_str() == owner) || actor.as_str() == owner
    };
    if !allowed {
        return Err(AppError::BadRequest(IGNORED));
    }
    if !community::room_for_one_more(data, &t) {
        return Err(AppError::RateLimited(60));
    }
    let html = object
        .get("content")
        .and_then(Value::as_str)
        .or_else(|| {
            object.get("contentMap").and_then(Value::as_object).and_then(|m| m.values().find_map(Value::as_str))
        })
        .unwrap_or_default();
    let content: String =
        super::remote::plain(&html.replace("<br>", "\n").replace("</p><p>", "\n\n")).chars().take(MAX_REPLY).collect();
    if content.trim().is_empty() {
        return Err(AppError::BadRequest(IGNORED));
    }
    let lang = object
        .get("contentMap")
        .and_then(Value::as_object)
        .and_then(|m| m.keys().next().cloned())
        .filter(|l| l.len() <= 10);
    let author = ObjectId::<ApActor>::from(actor.clone()).dereference(data).await?;
    let name = author
        .remote()
        .map(|a| {
            let user = a.preferred_username.clone().unwrap_or_default();
            a.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| format!("{user}@{}", a.domain))
        })
        .unwrap_or_default();
    let uid = crate::db::new_uid();
    let stored = data
        .db
        .insert_reply(&NewReply {
            uid: &uid,
            ap_id: id.as_str(),
            resource_id: t.resource_id,
            event_id: t.event_id,
            in_reply_to: parent,
            org_id: None,
            author_ap_id: actor.as_str(),
            author_name: &name.chars().take(200).collect::<String>(),
            content: &content,
            lang: lang.as_deref(),
            public: public && !thread.partners_only,
            local: false,
        })
        .await?;
    if let (Some(r), true) = (stored, t.local) {
        let org = data.db.org_by_id(t.org_id).await?.ok_or(AppError::NotFound)?;
        pass_on(data, &org, &t, &r).await?;
    }
    Ok(())
}

/// An `Announce` of a reply by the organisation that published the object: the note is taken
/// as its author's, fetched from the author's server unless the announcer's server is it.
pub async fn receive_announced(data: &Data<Core>, announcer: &Url, object: &Value) -> Result<(), AppError> {
    let id =
        str_or_id(Some(object)).and_then(|s| Url::parse(s).ok()).ok_or(AppError::BadRequest("error-bad-activity"))?;
    if data.db.reply_by_ap_id(id.as_str()).await?.is_some() {
        return Ok(());
    }
    let note = if super::net::same_host(&id, announcer) {
        object.clone()
    } else {
        activitypub_federation::fetch::fetch_object_http::<Core, Value>(&id, data).await?.object
    };
    let author =
        str_or_id(note.get("attributedTo")).and_then(|a| Url::parse(a).ok()).ok_or(AppError::BadRequest(IGNORED))?;
    receive(data, &author, &note, Some(announcer)).await
}

/// A reply deleted by its author: gone here, and from the partners' copies of our threads.
pub async fn deleted(data: &Data<Core>, id: &Url, actor: &Url) -> Result<bool, AppError> {
    let Some(r) = data.db.reply_by_ap_id(id.as_str()).await? else { return Ok(false) };
    if r.author_ap_id != actor.as_str() {
        return Err(AppError::Forbidden);
    }
    let t = community::find_target(data, &r.in_reply_to).await?;
    data.db.delete_reply(r.id).await?;
    if let Some(t) = t.filter(|t| t.local) {
        let org = data.db.org_by_id(t.org_id).await?.ok_or(AppError::NotFound)?;
        send_remove(data, &org, &t, &r).await?;
    }
    Ok(true)
}

/// `Remove` of a reply from a thread, by the organisation that published the object.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Remove {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: RemoveType,
    pub actor: ObjectId<ApActor>,
    pub object: Value,
    #[serde(default)]
    pub target: Option<Value>,
}

#[async_trait::async_trait]
impl Activity for Remove {
    type DataType = Core;
    type Error = AppError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let id = str_or_id(Some(&self.object)).ok_or(AppError::BadRequest("error-bad-activity"))?;
        let Some(r) = data.db.reply_by_ap_id(id).await? else { return Err(AppError::BadRequest(IGNORED)) };
        let Some(t) = community::find_target(data, &r.in_reply_to).await? else {
            return Err(AppError::BadRequest(IGNORED));
        };
        // only the organisation that published the object runs its thread
        if t.local || owner_of(data, &t).await? != self.actor.inner().as_str() {
            return Err(AppError::Forbidden);
        }
        data.db.delete_reply(r.id).await
    }
}

/// `GET /n/{uid}`: a reply written here, as a `Note` for ActivityPub clients (one of a
/// partners-only thread to partners alone), else its thread's page.
pub async fn show(State(ctx): State<Core>, signed: Signed, Path(uid): Path<String>) -> AppResult<Response> {
    let r = ctx.db.reply_by_uid(&uid).await?.filter(|r| r.local && !r.hidden).ok_or(AppError::NotFound)?;
    let t = community::find_target(&ctx, &r.in_reply_to).await?.ok_or(AppError::NotFound)?;
    if !signed.wants_activity_json() {
        if !r.public {
            return Err(AppError::NotFound);
        }
        return Ok(Redirect::to(&format!("{}#reply-{uid}", t.path)).into_response());
    }
    if r.public {
        signed.check().await?;
    } else {
        let key = signed.verified_key().await?;
        if !Policy::of(&ctx).rules().await?.is_partner(key.host_str().unwrap_or_default()) {
            return Err(AppError::NotFound);
        }
    }
    let owner = owner_of(&ctx, &t).await?;
    let mut n = note(&ctx, &r, &owner);
    n["@context"] = context();
    Ok(activity_json(&n))
}
