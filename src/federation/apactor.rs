//! Actors as the federation crate sees them: a local organisation (which can sign) or an
//! actor of another server (stored in `remote_actors`, refreshed when stale).

use activitypub_federation::config::Data;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::{Actor, Object};
use chrono::{DateTime, Utc};
use url::Url;

use super::actors::org_id;
use super::protocol::actor::{ActorEndpoints, ActorKey, ActorObject, KeyRef};
use crate::db::federation::RemoteActor;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::org::Org;

/// `Debug` is written by hand below, so that no log line can print a private key.
#[derive(Clone)]
pub enum ApActor {
    Local {
        id: Url,
        org: Org,
        private_key: Option<String>,
        shared_inbox: Url,
    },
    Remote {
        id: Url,
        actor: RemoteActor,
    },
    /// The instance's own `Application` actor, which signs fetches.
    Instance {
        id: Url,
        public_key: String,
        private_key: String,
    },
}

impl std::fmt::Debug for ApActor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use activitypub_federation::traits::Object;
        f.debug_struct("ApActor").field("id", &self.id().as_str()).finish_non_exhaustive()
    }
}

impl ApActor {
    /// A local organisation with its signing key.
    pub async fn local(ctx: &Core, org: Org) -> AppResult<ApActor> {
        let id = Url::parse(&org_id(ctx, &org.handle)).map_err(AppError::internal)?;
        let private_key = ctx.db.org_private_key(org.id).await?;
        let shared_inbox = Url::parse(&format!("{}/inbox", ctx.config.base_url())).map_err(AppError::internal)?;
        Ok(ApActor::Local { id, org, private_key, shared_inbox })
    }

    /// The instance actor, with its keys.
    pub async fn instance(ctx: &Core) -> AppResult<ApActor> {
        let (public_key, private_key) =
            ctx.db.instance_keys().await?.ok_or_else(|| AppError::internal("no instance key"))?;
        let id = Url::parse(&super::actors::instance_id(ctx)).map_err(AppError::internal)?;
        Ok(ApActor::Instance { id, public_key, private_key })
    }

    pub fn remote(&self) -> Option<&RemoteActor> {
        match self {
            ApActor::Remote { actor, .. } => Some(actor),
            _ => None,
        }
    }

    pub fn org(&self) -> Option<&Org> {
        match self {
            ApActor::Local { org, .. } => Some(org),
            _ => None,
        }
    }
}

/// The handle of a local organisation URL (`<base>/orgs/<handle>` and what lies under it), if it
/// is one. The Mastodon-style profile address `<base>/@<handle>` names the organisation too:
/// Epicyon puts it, not the actor's id, in the `object` of its `Follow`, and Mastodon accepts it.
/// Only a handle this instance could have given is one: the rows of partners' organisations
/// (`name@host`) live under `/orgs/` too, and a remote payload must never reach them this way.
pub fn local_handle(ctx: &Core, url: &Url) -> Option<String> {
    let base = ctx.config.base_url();
    let handle = match url.as_str().strip_prefix(&format!("{base}/orgs/")) {
        Some(rest) => rest.split(['/', '?', '#']).next()?,
        None => url.as_str().strip_prefix(&format!("{base}/@")).filter(|h| !h.contains(['/', '?', '#']))?,
    };
    crate::model::org::Handle::parse(handle).ok().map(|h| h.as_str().to_string())
}

#[async_trait::async_trait]
impl Object for ApActor {
    type DataType = Core;
    type Kind = ActorObject;
    type Error = AppError;

    fn id(&self) -> &Url {
        match self {
            ApActor::Local { id, .. } | ApActor::Remote { id, .. } | ApActor::Instance { id, .. } => id,
        }
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        self.remote().map(|a| a.fetched_at)
    }

    async fn read_from_id(object_id: Url, data: &Data<Core>) -> Result<Option<Self>, AppError> {
        if object_id.as_str() == super::actors::instance_id(data) {
            return Ok(Some(ApActor::instance(data).await?));
        }
        if let Some(handle) = local_handle(data, &object_id) {
            return match data.db.org_by_handle(&handle).await?.filter(|o| o.local) {
                Some(org) => Ok(Some(ApActor::local(data, org).await?)),
                None => Ok(None),
            };
        }
        Ok(data.db.remote_actor(object_id.as_str()).await?.map(|actor| ApActor::Remote { id: object_id, actor }))
    }

    async fn into_json(self, _data: &Data<Core>) -> Result<ActorObject, AppError> {
        let id = self.id().clone();
        let key = ActorKey {
            id: format!("{id}#main-key"),
            owner: id.clone(),
            public_key_pem: self.public_key_pem().to_string(),
        };
        let (kind, username, name) = match &self {
            ApActor::Local { org, .. } => {
                ("Organization".to_string(), Some(org.handle.clone()), Some(org.name.clone()))
            }
            ApActor::Remote { actor, .. } => (actor.kind.clone(), actor.preferred_username.clone(), actor.name.clone()),
            ApActor::Instance { .. } => {
                ("Application".to_string(), Some(super::actors::INSTANCE_NAME.to_string()), None)
            }
        };
        Ok(ActorObject {
            id,
            kind,
            preferred_username: username,
            name,
            inbox: self.inbox(),
            endpoints: Some(ActorEndpoints { shared_inbox: self.shared_inbox() }),
            public_key: KeyRef::Embedded(key),
            assertion_method: None,
            outbox: None,
            featured: None,
            upcoming_events: None,
            indexable: None,
            discoverable: None,
        })
    }

    async fn verify(json: &ActorObject, expected_domain: &Url, _data: &Data<Core>) -> Result<(), AppError> {
        verify_domains_match(&json.id, expected_domain)?;
        verify_domains_match(&json.inbox, expected_domain)?;
        match &json.public_key {
            KeyRef::Embedded(key) if key.owner != json.id => Err(AppError::BadRequest("error-bad-activity")),
            KeyRef::Id(key) if !super::net::same_host(&json.id, key) => Err(AppError::BadRequest("error-bad-activity")),
            _ => Ok(()),
        }
    }

    async fn from_json(json: ActorObject, data: &Data<Core>) -> Result<Self, AppError> {
        let assertion = assertion_key(&json.id, json.assertion_method.as_ref());
        // a collection elsewhere than the actor's own host is not the actor's to offer
        let own = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .and_then(serde_json::Value::as_str)
                .and_then(|s| Url::parse(s).ok())
                .filter(|u| super::net::same_host(&json.id, u))
                .map(|u| u.to_string())
        };
        let (outbox, featured, upcoming_events) = (own(&json.outbox), own(&json.featured), own(&json.upcoming_events));
        // only an explicit `false` withholds consent: most servers say nothing
        let said_no = |v: &Option<serde_json::Value>| v.as_ref().and_then(serde_json::Value::as_bool) == Some(false);
        let indexable = !said_no(&json.indexable) && !said_no(&json.discoverable);
        let public_key = match json.public_key {
            KeyRef::Embedded(key) => key.public_key_pem,
            KeyRef::Id(key) => key_document(data, &key, &json.id).await?.public_key_pem,
        };
        let record = RemoteActor {
            id: 0,
            ap_id: json.id.to_string(),
            kind: json.kind,
            preferred_username: json.preferred_username,
            name: json.name,
            inbox: json.inbox.to_string(),
            // a shared inbox elsewhere than the actor's own host is ignored: deliveries for its
            // followers would go to a server the actor does not speak for
            shared_inbox: json
                .endpoints
                .and_then(|e| e.shared_inbox)
                .filter(|u| super::net::same_host(&json.id, u))
                .map(|u| u.to_string()),
            public_key,
            domain: json.id.host_str().unwrap_or_default().to_string(),
            fetched_at: Utc::now(),
            assertion_key_id: assertion.as_ref().map(|(id, _)| id.clone()),
            assertion_key: assertion.map(|(_, key)| key),
            outbox,
            featured,
            upcoming_events,
            indexable,
        };
        let actor = data.db.upsert_remote_actor(&record).await?;
        Ok(ApActor::Remote { id: json.id, actor })
    }
}

/// The Ed25519 `Multikey` an actor lists in `assertionMethod` (id, publicKeyMultibase): one
/// it controls, whose id is on its own host.
fn assertion_key(actor: &Url, method: Option<&serde_json::Value>) -> Option<(String, String)> {
    let keys: Vec<&serde_json::Value> = match method? {
        serde_json::Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    keys.into_iter().find_map(|k| {
        let field = |f: &str| k.get(f).and_then(serde_json::Value::as_str);
        let id = Url::parse(field("id")?).ok()?;
        let ok = field("type") == Some("Multikey")
            && field("controller") == Some(actor.as_str())
            && super::net::same_host(actor, &id)
            && super::integrity::decode_public(field("publicKeyMultibase")?).is_some();
        ok.then(|| (id.to_string(), field("publicKeyMultibase").unwrap_or_default().to_string()))
    })
}

/// A key document (`CryptographicKey`) of `owner`, fetched through the crate's checks: it
/// must be on the owner's host and name the owner.
pub async fn key_document(data: &Data<Core>, key: &Url, owner: &Url) -> Result<ActorKey, AppError> {
    if !super::net::same_host(owner, key) {
        return Err(AppError::Unauthorized);
    }
    let doc: ActorKey = activitypub_federation::fetch::fetch_object_http(key, data).await?.object;
    if &doc.owner != owner {
        return Err(AppError::Unauthorized);
    }
    Ok(doc)
}

impl Actor for ApActor {
    fn public_key_pem(&self) -> &str {
        match self {
            ApActor::Local { org, .. } => org.public_key.as_deref().unwrap_or_default(),
            ApActor::Remote { actor, .. } => &actor.public_key,
            ApActor::Instance { public_key, .. } => public_key,
        }
    }

    fn private_key_pem(&self) -> Option<String> {
        match self {
            ApActor::Local { private_key, .. } => private_key.clone(),
            ApActor::Remote { .. } => None,
            ApActor::Instance { private_key, .. } => Some(private_key.clone()),
        }
    }

    fn inbox(&self) -> Url {
        match self {
            ApActor::Local { id, .. } | ApActor::Instance { id, .. } => {
                let mut u = id.clone();
                u.set_path(&format!("{}/inbox", id.path()));
                u
            }
            ApActor::Remote { actor, id } => Url::parse(&actor.inbox).unwrap_or_else(|_| id.clone()),
        }
    }

    fn shared_inbox(&self) -> Option<Url> {
        match self {
            ApActor::Local { shared_inbox, .. } => Some(shared_inbox.clone()),
            ApActor::Remote { actor, .. } => actor.shared_inbox.as_deref().and_then(|s| Url::parse(s).ok()),
            ApActor::Instance { .. } => None,
        }
    }
}
