//! `Article`: a published resource, every language in its maps, its files and terms.

use serde::Serialize;
use serde_json::{Map, Value};

use super::object::ObjectHead;

/// A resource as an `Article`. Field order is the order on the wire.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    #[serde(flatten)]
    pub head: ObjectHead,
    /// The title in the original language; `nameMap` has every language.
    pub name: String,
    pub name_map: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub summary_map: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    pub content_map: Map<String, Value>,
    #[serde(rename = "amicus:originalLanguage")]
    pub original_language: String,
    pub media_type: &'static str,
    /// The page in each language.
    pub url: Vec<Link>,
    pub attachment: Vec<Document>,
    pub tag: Vec<Hashtag>,
    pub preview: Preview,
    #[serde(rename = "amicus:resourceType")]
    pub resource_type: String,
    #[serde(rename = "amicus:theme")]
    pub theme: Vec<String>,
    #[serde(rename = "amicus:mechanism")]
    pub mechanism: Vec<String>,
    #[serde(rename = "amicus:country")]
    pub country: Vec<String>,
    #[serde(rename = "amicus:intendedAudience")]
    pub intended_audience: Vec<String>,
    #[serde(rename = "amicus:readingLevel", skip_serializing_if = "Option::is_none")]
    pub reading_level: Option<String>,
    #[serde(rename = "amicus:dateIssued", skip_serializing_if = "Option::is_none")]
    pub date_issued: Option<String>,
    #[serde(rename = "schema:license", skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    pub sensitive: bool,
    /// A statement's version, digest, signatories, call to action and targets.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementPart>,
}

/// What only a statement has.
#[derive(Debug, Clone, Serialize)]
pub struct StatementPart {
    /// Goes up when the text changes after someone signed.
    #[serde(rename = "amicus:version")]
    pub version: i64,
    /// What signatories sign: `zQm…`, the sha2-256 multihash of the JCS form of
    /// `{"contentMap", "nameMap", "version"}`.
    #[serde(rename = "amicus:digest")]
    pub digest: String,
    /// Not public before (only sent, embedded in an `Invite`, to those asked to sign).
    #[serde(rename = "amicus:embargoUntil", skip_serializing_if = "Option::is_none")]
    pub embargo_until: Option<String>,
    #[serde(rename = "amicus:signatories")]
    pub signatories: Signatories,
    #[serde(rename = "amicus:callToAction", skip_serializing_if = "Option::is_none")]
    pub call_to_action: Option<CallToActionObject>,
    /// Whom the statement addresses ("States Parties to the Rome Statute").
    #[serde(rename = "amicus:target", skip_serializing_if = "Vec::is_empty")]
    pub target: Vec<String>,
    #[serde(rename = "amicus:caseName", skip_serializing_if = "Option::is_none")]
    pub case_name: Option<String>,
    /// Any organisation may ask to sign (`Join`).
    #[serde(rename = "amicus:openSigning")]
    pub open_signing: bool,
}

/// The signatories, in the order they signed, then those on no server.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signatories {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub total_items: usize,
    pub ordered_items: Vec<SignatoryItem>,
}

/// One signatory: an organisation's actor with its acceptance and the proof it carried, or
/// (`amicus:external`) an organisation on no server, named by the lead.
#[derive(Debug, Clone, Serialize)]
pub struct SignatoryItem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(rename = "amicus:version", skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(rename = "amicus:signedAt", skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// The signed acceptance itself (an `Accept` or `Join` with its proof), for anyone to check.
    #[serde(rename = "amicus:acceptance", skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<serde_json::Value>,
    #[serde(rename = "amicus:external", skip_serializing_if = "Option::is_none")]
    pub external: Option<bool>,
}

/// What a statement asks readers to do, by when.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToActionObject {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

/// The page of a resource in one language.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub href: String,
    pub media_type: &'static str,
    pub hreflang: String,
}

/// A file of a resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub media_type: String,
    pub url: String,
    pub size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_multibase: Option<String>,
    #[serde(rename = "schema:inLanguage")]
    pub in_language: String,
}

/// A theme as a hashtag, for servers that show only those.
#[derive(Debug, Clone, Serialize)]
pub struct Hashtag {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub href: String,
}

/// What Mastodon shows of an article: its title and summary.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub content: String,
}
