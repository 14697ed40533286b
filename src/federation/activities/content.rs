//! Publications from the actors an organisation follows: `Create` and `Update` (one `Publish`) of an
//! `Article`, `Page`, `Note`, `Event` or `Document` are stored as resources of this instance's
//! library, marked remote (`federation::remote` turns the objects into resources); `Delete`
//! by the object's own actor removes them; `Announce` stores the shared object as its author's.
//! Content from actors nobody here follows is ignored.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{AnnounceType, DeleteType};
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::Activity;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use crate::db::federation::RemoteActor;
use crate::db::resources::{RemoteRef, Write};
use crate::domain::Core;
use crate::error::AppError;
use crate::federation::apactor::ApActor;
use crate::federation::remote::{remote_files, to_resource};
use crate::federation::IGNORED;

/// `Create` or `Update`: received alike, since either leaves the object as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublishKind {
    Create,
    Update,
}

/// A `Create` or `Update` of an object.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Publish {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: PublishKind,
    pub actor: ObjectId<ApActor>,
    pub object: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc: Option<Value>,
}

const AUDIENCE: [&str; 3] = ["to", "cc", "audience"];

/// `object`, addressed as `activity` is when it says nothing of its own audience (Mobilizon
/// addresses the `Create`, not the `Event`).
pub(crate) fn with_audience_of(object: &Value, activity: &Value) -> Value {
    let mut object = object.clone();
    if let Some(o) = object.as_object_mut() {
        if AUDIENCE.iter().all(|k| !o.contains_key(*k)) {
            for k in AUDIENCE {
                if let Some(v) = activity.get(k) {
                    o.insert(k.to_string(), v.clone());
                }
            }
        }
    }
    object
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delete {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: DeleteType,
    pub actor: ObjectId<ApActor>,
    pub object: Value,
}

/// A share (boost) of an object, by an actor someone here follows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Announce {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    pub actor: ObjectId<ApActor>,
    pub object: Value,
}

/// The object's id, which must be on the sender's server.
fn object_id(object: &Value, actor: &Url) -> Result<Url, AppError> {
    let id = match object {
        Value::String(s) => s.as_str(),
        other => other.get("id").and_then(Value::as_str).ok_or(AppError::BadRequest("error-bad-activity"))?,
    };
    let url = Url::parse(id).map_err(|_| AppError::BadRequest("error-bad-activity"))?;
    verify_domains_match(&url, actor)?;
    Ok(url)
}

/// Whether `list` (a string or an array of strings or objects) names the public collection,
/// under any of the names servers use for it.
pub(crate) fn names_public(list: Option<&Value>) -> bool {
    let public = |s: &str| matches!(s, "https://www.w3.org/ns/activitystreams#Public" | "as:Public" | "Public");
    match list {
        Some(Value::String(s)) => public(s),
        Some(Value::Array(a)) => {
            a.iter().any(|v| v.as_str().or_else(|| v.get("id").and_then(Value::as_str)).is_some_and(public))
        }
        _ => false,
    }
}

/// Whether an object of `actor` may be kept in this instance's library, which anyone can
/// search: it is on the actor's own host, attributed to the actor (when it says), addressed to
/// the public, and, if it says who may search it (`searchableBy`), the public may.
pub(crate) fn consented(object: &Value, actor: &Url) -> bool {
    let Some(id) = object.get("id").and_then(Value::as_str).and_then(|s| Url::parse(s).ok()) else { return false };
    if verify_domains_match(&id, actor).is_err() {
        return false;
    }
    if object.get("attributedTo").is_some() && attributed_to(object).as_ref() != Some(actor) {
        return false;
    }
    let addressed = AUDIENCE.iter().any(|k| names_public(object.get(*k)));
    let searchable = object.get("searchableBy").is_none_or(|s| names_public(Some(s)));
    addressed && searchable
}

/// Whether the actor lets others index what it publishes (it did not say `indexable: false`
/// or `discoverable: false`).
async fn actor_consents(data: &Data<Core>, actor: &ObjectId<ApActor>) -> Result<bool, AppError> {
    Ok(actor.dereference(data).await?.remote().is_none_or(|r| r.indexable))
}

/// Stores an object found while paging an actor's collections (`federation::backfill`),
/// checked by `consented` already.
pub(crate) async fn store_backfilled(
    data: &Data<Core>,
    actor: &ObjectId<ApActor>,
    object: &Value,
) -> Result<(), AppError> {
    store(data, actor, object, None, true).await
}

/// Forgets the copy of `id` (a resource or an event) that `actor` sent: it is no longer public
/// or its actor no longer consents, so it leaves every index here at once.
async fn purge(data: &Data<Core>, id: &Url, actor: &Url) -> Result<(), AppError> {
    if crate::federation::events::delete_remote(data, id, actor).await? {
        return Ok(());
    }
    if let Some((local_id, owner)) = data.db.resource_id_by_ap_id(id.as_str()).await? {
        if data.db.org_ap_id(owner).await?.as_deref() == Some(actor.as_str()) {
            let orphans = data.db.delete_resource(local_id, None).await?;
            crate::library::remove_files(data, orphans).await?;
        }
    }
    Ok(())
}

/// Forgets every publication and event of a partner's actor (it was deleted).
pub(crate) async fn purge_actor(data: &Data<Core>, actor: &Url) -> Result<(), AppError> {
    let Some(org) = data.db.org_by_ap_id(actor.as_str()).await?.filter(|o| !o.local) else { return Ok(()) };
    for id in data.db.resource_ids_of_org(org.id).await? {
        let orphans = data.db.delete_resource(id, None).await?;
        crate::library::remove_files(data, orphans).await?;
    }
    data.db.delete_events_of_org(org.id).await?;
    Ok(())
}

/// Whether some organisation here follows `actor`: only then is its content kept.
async fn followed(data: &Data<Core>, actor: &Url) -> Result<bool, AppError> {
    data.db.is_followed(actor.as_str()).await
}

/// The row standing for the remote actor, as the organisation of its resources.
pub(crate) async fn remote_org(data: &Data<Core>, actor: &RemoteActor) -> Result<i64, AppError> {
    let host = crate::federation::partners::origin_host(&actor.ap_id);
    let name = actor.preferred_username.clone().unwrap_or_else(|| "actor".into());
    let handle = format!("{name}@{host}");
    let display = actor.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| handle.clone());
    Ok(data.db.upsert_remote_org(&actor.ap_id, &handle, &display).await?.id)
}

/// The first actor an object is `attributedTo`.
fn attributed_to(object: &Value) -> Option<Url> {
    let v = object.get("attributedTo")?;
    let s = match v {
        Value::String(s) => Some(s.as_str()),
        Value::Array(a) => a.iter().find_map(|x| x.as_str().or_else(|| x.get("id").and_then(Value::as_str))),
        Value::Object(_) => v.get("id").and_then(Value::as_str),
        _ => None,
    }?;
    Url::parse(s).ok()
}

/// A shared object: fetched from its own server (whatever the announcer embedded), kept as
/// its author's, not the announcer's.
async fn store_shared(data: &Data<Core>, object: &Value) -> Result<(), AppError> {
    let id = match object {
        Value::String(s) => Url::parse(s).map_err(|_| AppError::BadRequest("error-bad-activity"))?,
        other => other
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok())
            .ok_or(AppError::BadRequest("error-bad-activity"))?,
    };
    use activitypub_federation::error::Error as E;
    let fetched: Value = match activitypub_federation::fetch::fetch_object_http::<Core, Value>(&id, data).await {
        Ok(f) if f.object.get("type").and_then(Value::as_str) != Some("Tombstone") => f.object,
        // gone at its own server (a relay passes deletions on this way): so is the copy here
        Ok(_) | Err(E::NotFound | E::ObjectDeleted(_)) => {
            if let Some((_, owner)) = data.db.resource_id_by_ap_id(id.as_str()).await? {
                let owner = data.db.org_ap_id(owner).await?.and_then(|o| Url::parse(&o).ok());
                if let Some(owner) = owner.filter(|o| crate::federation::net::same_host(o, &id)) {
                    purge(data, &id, &owner).await?;
                }
            }
            return Err(AppError::BadRequest(IGNORED));
        }
        Err(e) => return Err(e.into()),
    };
    let author = attributed_to(&fetched).ok_or(AppError::BadRequest(IGNORED))?;
    verify_domains_match(&id, &author)?;
    store(data, &ObjectId::from(author), &fetched, None, true).await
}

/// Stores (or replaces) a statement sent by `inviter` with its invitation to sign.
pub(crate) async fn store_statement(
    data: &Data<Core>,
    inviter: &ObjectId<ApActor>,
    object: &Value,
) -> Result<(), AppError> {
    if object.get("amicus:digest").is_none() {
        return Err(AppError::BadRequest("error-bad-activity"));
    }
    store(data, inviter, object, None, false).await
}

/// Stores (or replaces) the remote object as a resource. `activity`, when given, is recorded
/// as received in the same transaction (and a replay of it changes nothing). With `consent`,
/// an object that is not public, or whose actor asks not to be indexed, is not kept, and a
/// copy kept before is forgotten (its actor made it private, or withdrew consent).
async fn store(
    data: &Data<Core>,
    actor: &ObjectId<ApActor>,
    object: &Value,
    activity: Option<&Url>,
    consent: bool,
) -> Result<(), AppError> {
    let id = object_id(object, actor.inner())?;
    let object = match object {
        // an id alone: fetch it (signed, through the crate's checks)
        Value::String(_) => {
            let fetched: Value = activitypub_federation::fetch::fetch_object_http(&id, data).await?.object;
            fetched
        }
        other => other.clone(),
    };
    // another actor's object, even of the same server, is not this actor's to send
    if object.get("attributedTo").is_some() && attributed_to(&object).as_ref() != Some(actor.inner()) {
        return Err(AppError::BadRequest("error-bad-activity"));
    }
    if consent && (!consented(&object, actor.inner()) || !actor_consents(data, actor).await?) {
        purge(data, &id, actor.inner()).await?;
        return Err(AppError::BadRequest(IGNORED));
    }
    if object.get("type").and_then(Value::as_str) == Some("Event") {
        // an event joins the partners' agenda, not the library
        let sender = actor.dereference(data).await?;
        let remote = sender.remote().ok_or(AppError::BadRequest(IGNORED))?;
        let org_id = remote_org(data, remote).await?;
        if let Some(a) = activity {
            if data.db.was_received(a.as_str()).await? {
                return Ok(());
            }
        }
        crate::federation::events::store_remote(data, org_id, &object, &id).await?;
        if let Some(a) = activity {
            data.db.mark_received(a.as_str()).await?;
        }
        return Ok(());
    }
    let (resource, url) = to_resource(&data.vocab, &data.config.extra_content_languages, &object)?;
    let sender = actor.dereference(data).await?;
    let remote = sender.remote().ok_or(AppError::BadRequest(IGNORED))?;
    let org_id = remote_org(data, remote).await?;
    let doc = crate::library::index_doc(data, &resource);
    let files = remote_files(&object, &id, resource.original_language.as_str(), data.config.dev_network);
    let origin = RemoteRef {
        ap_id: id.to_string(),
        origin_url: if url.is_empty() { id.to_string() } else { url },
        files,
        activity: activity.map(Url::to_string),
    };
    // twice at most: a Create and an Update of one object arriving at once both find it new,
    // and the second to write finds it taken, and then writes over the first
    let mut tries = 0;
    loop {
        tries += 1;
        let existing = data.db.resource_id_by_ap_id(id.as_str()).await?;
        if let Some((_, owner)) = existing {
            if owner != org_id {
                return Err(AppError::BadRequest("error-bad-activity"));
            }
        }
        let write = Write {
            id: existing.map(|(id, _)| id),
            uid: None,
            org_id,
            resource: &resource,
            doc: &doc,
            outgoing: None,
            remote: Some(&origin),
            // when its own server says it was published, or when it arrived here
            published_at: Some(
                object
                    .get("published")
                    .and_then(Value::as_str)
                    .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
                    .map(|p| p.with_timezone(&chrono::Utc))
                    .filter(|p| *p <= chrono::Utc::now())
                    .unwrap_or_else(chrono::Utc::now),
            ),
            create_id: None,
            idempotency_key: None,
        };
        match data.db.write_resources(&[write]).await {
            Err(AppError::Conflict(_)) if existing.is_none() && tries < 2 => continue,
            Err(e) => return Err(e),
            Ok(written) => {
                // a statement's signatories, each checked against its signer's key
                if let (Some((rid, _)), Some(_)) = (written.first(), &resource.statement) {
                    crate::statements::sync_signatures(data, *rid, &id, &object).await?;
                }
                return Ok(());
            }
        }
    }
}

#[async_trait::async_trait]
impl Activity for Publish {
    type DataType = Core;
    type Error = AppError;
    ids!();

    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        object_id(&self.object, self.actor.inner()).map(|_| ())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let addressing = serde_json::json!({"to": self.to, "cc": self.cc});
        let object = with_audience_of(&self.object, &addressing);
        // a reply joins the thread of what it answers, from whoever the thread takes it
        if object.get("inReplyTo").is_some_and(|r| !r.is_null()) {
            return crate::federation::replies::receive(data, self.actor.inner(), &object, None).await;
        }
        // a change to an object kept here (a statement this instance was asked to sign, say)
        // is taken from its author even when nobody here follows it
        let kept = match object_id(&self.object, self.actor.inner()) {
            Ok(id) => data.db.resource_id_by_ap_id(id.as_str()).await?.is_some(),
            Err(_) => false,
        };
        let member = crate::federation::relay::from_member(data, self.actor.inner()).await?;
        if !kept && !member && !followed(data, self.actor.inner()).await? {
            return Err(AppError::BadRequest(IGNORED));
        }
        // recorded as received with the resource, in one transaction (see InboxActivity)
        store(data, &self.actor, &object, Some(&self.id), true).await?;
        // a relay passes what a member sent on to the other members
        if member {
            let id = object_id(&object, self.actor.inner())?;
            crate::federation::relay::pass(data, id.as_str(), self.actor.inner()).await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Activity for Announce {
    type DataType = Core;
    type Error = AppError;
    ids!();

    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        // a reply passed on by the organisation that published what it answers
        if self.object.get("inReplyTo").is_some_and(|r| !r.is_null()) {
            return crate::federation::replies::receive_announced(data, self.actor.inner(), &self.object).await;
        }
        // a boost of one of ours (counted, when it is public), from anyone
        if super::react::count(data, "announce", self.actor.inner(), &self.object, &self.id).await? {
            return Ok(());
        }
        // what a relay this instance subscribed to announces is taken as if followed
        if !followed(data, self.actor.inner()).await?
            && !crate::federation::relay::is_relay(data, self.actor.inner()).await?
        {
            return Err(AppError::BadRequest(IGNORED));
        }
        store_shared(data, &self.object).await
    }
}

#[async_trait::async_trait]
impl Activity for Delete {
    type DataType = Core;
    type Error = AppError;
    ids!();

    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        object_id(&self.object, self.actor.inner()).map(|_| ())
    }

    /// Removes the copy. Only the object's own actor can delete it here, never another
    /// actor of the same server.
    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let id = object_id(&self.object, self.actor.inner())?;
        if &id == self.actor.inner() {
            // the actor itself is gone: so are its signatures, and every copy of what it
            // published leaves the library, the agenda and search here at once
            crate::statements::signatory_gone(data, &id).await?;
            return purge_actor(data, &id).await;
        }
        if crate::federation::events::delete_remote(data, &id, self.actor.inner()).await? {
            return Ok(());
        }
        if crate::federation::replies::deleted(data, &id, self.actor.inner()).await? {
            return Ok(());
        }
        if let Some((local_id, owner)) = data.db.resource_id_by_ap_id(id.as_str()).await? {
            if data.db.org_ap_id(owner).await?.as_deref() != Some(self.actor.inner().as_str()) {
                return Err(AppError::Forbidden);
            }
            let orphans = data.db.delete_resource(local_id, None).await?;
            crate::library::remove_files(data, orphans).await?;
        }
        // a relay tells the other members, who find it gone at its own server
        if crate::federation::relay::from_member(data, self.actor.inner()).await? {
            crate::federation::relay::pass(data, id.as_str(), self.actor.inner()).await?;
        }
        Ok(())
    }
}
