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
