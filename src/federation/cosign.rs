//! Co-signing statements across instances (FEDERATION.md, "Co-signed statements").
//!
//! - The lead invites: `Invite{actor: lead, object: <statement>, target: org}`.
//! - The invited organisation signs: `Accept{object: <invite id>, amicus:statement, amicus:version,
//!   amicus:digest}` with a FEP-8b32 `eddsa-jcs-2022` proof by its `assertionMethod` key; or
//!   declines: `Reject{object: <invite id>, amicus:statement}`.
//! - On an open sign-on, any organisation asks: `Join{object: <statement>, amicus:statement,
//!   amicus:version, amicus:digest}` with the same proof; the lead answers `Accept` or `Reject`
//!   of the `Join`.
//! - A signatory withdraws: `Undo{object: <its Accept or Join id>, amicus:statement}`.
//!
//! The signed acceptance travels whole inside the statement's `amicus:signatories`, so that any
//! server holding the statement checks every signature itself, against each signatory's key.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::Activity;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

use super::apactor::ApActor;
use super::integrity;
use super::IGNORED;
use crate::domain::Core;
use crate::error::{AppError, AppResult};

tokio::task_local! {
    /// The activity being received, exactly as it arrived (with its `@context` and `proof`):
    /// a proof is checked over the document its signer made, not over our reading of it.
    pub static RECEIVED: Value;
}

/// The `@context` of co-signing activities: small, as every acceptance travels inside its
/// statement.
pub fn cosign_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/data-integrity/v2",
        {"amicus": "https://w3id.org/amicus#"}
    ])
}

/// An acceptance of an invitation to sign (before its proof): the signer, the invitation, and
/// the statement, version and digest signed.
pub fn acceptance(id: &str, actor: &str, invite: &str, statement: &str, version: i64, digest: &str) -> Value {
    json!({
        "@context": cosign_context(),
        "id": id,
        "type": "Accept",
        "actor": actor,
        "object": invite,
        "amicus:statement": statement,
        "amicus:version": version,
        "amicus:digest": digest,
    })
}

/// A request to sign an open statement (before its proof).
pub fn request(id: &str, actor: &str, statement: &str, version: i64, digest: &str) -> Value {
    json!({
        "@context": cosign_context(),
        "id": id,
        "type": "Join",
        "actor": actor,
        "object": statement,
        "amicus:statement": statement,
        "amicus:version": version,
        "amicus:digest": digest,
    })
}

/// A `Reject` (a declined invitation or request), an `Undo` (a withdrawn signature) or the
/// lead's `Accept` of a request: no proof, the HTTP signature is enough.
pub fn answer(kind: &str, id: &str, actor: &str, object: &str, statement: &str) -> Value {
    json!({
        "@context": cosign_context(),
        "id": id,
        "type": kind,
        "actor": actor,
        "object": object,
        "amicus:statement": statement,
    })
}

/// An invitation to sign, with the statement as it is now.
pub fn invite(id: &str, lead: &str, statement: Value, target: &str) -> Value {
    json!({
        "@context": super::protocol::context(),
        "id": id,
        "type": "Invite",
        "actor": lead,
        "object": statement,
        "target": target,
        "to": [target],
    })
}

/// A signed acceptance (or request) that holds: made by `actor` for `statement`, with a proof
/// by `actor`'s own key over exactly this document.
#[derive(Debug, Clone)]
pub struct Checked {
    pub id: String,
    pub version: i64,
    pub digest: String,
    pub signed_at: Option<DateTime<Utc>>,
}

/// Checks a signed acceptance against the statement it must be for and its signer's key
/// (`key_id`, `public`): the kind, the signer, the statement, the domain of its id, the proof.
pub fn check(doc: &Value, actor: &str, statement: &str, key: Option<(&str, &str)>) -> Result<Checked, &'static str> {
    let field = |k: &str| doc.get(k).and_then(Value::as_str);
    if !matches!(field("type"), Some("Accept" | "Join")) {
        return Err("not an acceptance");
    }
    if field("actor") != Some(actor) || field("amicus:statement") != Some(statement) {
        return Err("another signer or another statement");
    }
    let id = field("id").and_then(|i| Url::parse(i).ok()).ok_or("no id")?;
    let actor_url = Url::parse(actor).map_err(|_| "bad actor")?;
    if !super::net::same_host(&id, &actor_url) {
        return Err("made on another domain");
    }
    let (key_id, public) = key.ok_or("the signer publishes no key")?;
    integrity::verify(doc, key_id, public).map_err(|_| "the proof does not hold")?;
    let created = doc.pointer("/proof/created").and_then(Value::as_str);
    Ok(Checked {
        id: id.to_string(),
        version: doc.get("amicus:version").and_then(Value::as_i64).ok_or("no version")?,
        digest: field("amicus:digest").ok_or("no digest")?.to_string(),
        signed_at: created.and_then(|c| DateTime::parse_from_rfc3339(c).ok()).map(|t| t.with_timezone(&Utc)),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CosignKind {
    Accept,
    Reject,
    Undo,
    Join,
}

/// A co-signing activity: told from a follow's answer by its `amicus:statement`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cosign {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: CosignKind,
    pub actor: ObjectId<ApActor>,
    pub object: Value,
    #[serde(rename = "amicus:statement")]
    pub statement: Url,
}

impl Cosign {
    /// The id its `object` names (an invitation, a request, an acceptance, a statement).
    fn object_id(&self) -> Option<String> {
        match &self.object {
            Value::String(s) => Some(s.clone()),
            other => other.get("id").and_then(Value::as_str).map(str::to_string),
        }
    }
}

#[async_trait::async_trait]
impl Activity for Cosign {
    type DataType = Core;
    type Error = AppError;
    super::activities::ids!();

    async fn verify(&self, _data: &Data<Core>) -> Result<(), AppError> {
        verify_domains_match(&self.id, self.actor.inner())?;
        Ok(())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let raw = RECEIVED.try_with(Value::clone).unwrap_or(Value::Null);
        let object = self.object_id().ok_or(AppError::BadRequest("error-bad-activity"))?;
        crate::statements::received(data, self.kind, self.actor.inner(), &object, &self.statement, &raw, &self.id).await
    }
}

/// An `Invite` to sign a statement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invite {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: activitypub_federation::kinds::activity::InviteType,
    pub actor: ObjectId<ApActor>,
    pub object: Value,
    pub target: Url,
}

#[async_trait::async_trait]
impl Activity for Invite {
    type DataType = Core;
    type Error = AppError;
    super::activities::ids!();

    /// Only an organisation here can be invited, to a statement on the inviter's own server.
    async fn verify(&self, data: &Data<Core>) -> Result<(), AppError> {
        super::apactor::local_handle(data, &self.target).ok_or(AppError::BadRequest(IGNORED))?;
        let statement = self.object.get("id").and_then(Value::as_str).and_then(|s| Url::parse(s).ok());
        let statement = statement.ok_or(AppError::BadRequest("error-bad-activity"))?;
        verify_domains_match(&statement, self.actor.inner())?;
        Ok(())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let handle = super::apactor::local_handle(data, &self.target).ok_or(AppError::BadRequest(IGNORED))?;
        let org = data.db.org_by_handle(&handle).await?.filter(|o| o.local).ok_or(AppError::BadRequest(IGNORED))?;
        super::activities::content::store_statement(data, &self.actor, &self.object).await?;
        crate::statements::invited(data, &org, self.actor.inner().as_str(), &self.object, self.id.as_str()).await
    }
}

/// The signer's key as this instance knows it, fetching its actor when unknown: (key id,
/// public multibase).
pub async fn signer_key(data: &Data<Core>, actor: &Url) -> AppResult<Option<(String, String)>> {
    let a: ApActor = ObjectId::<ApActor>::from(actor.clone()).dereference(data).await?;
    Ok(match a {
        ApActor::Local { org, id, .. } => org.signing_public.map(|k| (integrity::key_id(id.as_str()), k)),
        ApActor::Remote { actor, .. } => actor.assertion_key_id.zip(actor.assertion_key),
        ApActor::Instance { .. } => None,
    })
}
