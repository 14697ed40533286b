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

/// Whether some organisation here follows `actor`: only then is its content kept.
async fn followed(data: &Data<Core>, actor: &Url) -> Result<bool, AppError> {
    data.db.is_followed(actor.as_str()).await
}

/// The row standing for the remote actor, as the organisation of its resources.
pub(crate) async fn remote_org(data: &Data<Core>, actor: &RemoteActor) -> Result<i64, AppError> {
    let url = Url::parse(&actor.ap_id).map_err(AppError::internal)?;
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
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
    let fetched: Value = activitypub_federation::fetch::fetch_object_http(&id, data).await?.object;
    let author = attributed_to(&fetched).ok_or(AppError::BadRequest(IGNORED))?;
    verify_domains_match(&id, &author)?;
    store(data, &ObjectId::from(author), &fetched, None).await
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
    store(data, inviter, object, None).await
}

/// Stores (or replaces) the remote object as a resource. `activity`, when given, is recorded
/// as received in the same transaction (and a replay of it changes nothing).
async fn store(
    data: &Data<Core>,
    actor: &ObjectId<ApActor>,
    object: &Value,
    activity: Option<&Url>,
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
        // a change to an object kept here (a statement this instance was asked to sign, say)
        // is taken from its author even when nobody here follows it
        let kept = match object_id(&self.object, self.actor.inner()) {
            Ok(id) => data.db.resource_id_by_ap_id(id.as_str()).await?.is_some(),
            Err(_) => false,
        };
        if !kept && !followed(data, self.actor.inner()).await? {
            return Err(AppError::BadRequest(IGNORED));
        }
        // recorded as received with the resource, in one transaction (see InboxActivity)
        store(data, &self.actor, &self.object, Some(&self.id)).await
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
        // a boost of one of ours (counted, when it is public), from anyone
        if super::react::count(data, "announce", self.actor.inner(), &self.object, &self.id).await? {
            return Ok(());
        }
        if !followed(data, self.actor.inner()).await? {
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
            // the actor itself is gone: so are its signatures
            return crate::statements::signatory_gone(data, &id).await;
        }
        if crate::federation::events::delete_remote(data, &id, self.actor.inner()).await? {
            return Ok(());
        }
        if let Some((local_id, owner)) = data.db.resource_id_by_ap_id(id.as_str()).await? {
            if data.db.org_ap_id(owner).await?.as_deref() != Some(self.actor.inner().as_str()) {
                return Err(AppError::Forbidden);
            }
            data.db.delete_resource(local_id, None).await?;
        }
        Ok(())
    }
}
