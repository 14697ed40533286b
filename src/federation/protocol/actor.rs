//! Actors as other servers see them: an `Organization` per organisation, and one
//! `Application` for the instance.

use std::collections::BTreeMap;

use serde::Serialize;

/// `publicKey` of an actor; the key id is always `<actor>#main-key`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: String,
    pub owner: String,
    pub public_key_pem: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub media_type: String,
    pub url: String,
}

/// An actor document (`Organization` or `Application`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub preferred_username: String,
    pub name: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub name_map: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub summary_map: BTreeMap<String, String>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    pub inbox: String,
    pub outbox: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured: Option<String>,
    /// Its upcoming events (FEP-8a8e).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upcoming_events: Option<String>,
    pub endpoints: Endpoints,
    pub public_key: PublicKey,
    /// The Ed25519 key its co-signatures are proved with (FEP-521a `Multikey`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assertion_method: Vec<serde_json::Value>,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

/// Any actor as read from another server: only what following and verifying need.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorObject {
    pub id: url::Url,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub inbox: url::Url,
    #[serde(default)]
    pub endpoints: Option<ActorEndpoints>,
    pub public_key: KeyRef,
    /// Keys for integrity proofs (FEP-521a): a `Multikey` or a list of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertion_method: Option<serde_json::Value>,
    /// Read leniently (any JSON): a malformed value must not make the actor unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upcoming_events: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexable: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<serde_json::Value>,
}

/// `publicKey` of an actor: the key itself (Mastodon, Amicus), or the id of a key document
/// served apart (`{"type": "CryptographicKey", "owner": ..., "publicKeyPem": ...}`, as
/// activitypub-bot and others publish), which is fetched.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum KeyRef {
    Embedded(ActorKey),
    Id(url::Url),
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorEndpoints {
    #[serde(default)]
    pub shared_inbox: Option<url::Url>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorKey {
    pub id: String,
    pub owner: url::Url,
    pub public_key_pem: String,
}
