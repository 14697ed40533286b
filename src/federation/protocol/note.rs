//! `Note`: what a sensitive resource is to other servers, a neutral line and a link behind a
//! content warning.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteTeaser {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub attributed_to: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub published: String,
    pub updated: String,
    pub sensitive: bool,
    /// The content warning in the original language; `summaryMap` has every language.
    pub summary: String,
    pub summary_map: Map<String, Value>,
    pub content: String,
    pub url: String,
    #[serde(rename = "amicus:contentWarning")]
    pub content_warning: Vec<String>,
}
