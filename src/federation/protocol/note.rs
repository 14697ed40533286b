//! `Note`: what a sensitive resource is to other servers, a neutral line and a link behind a
//! content warning.

use serde::Serialize;
use serde_json::{Map, Value};

use super::object::ObjectHead;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteTeaser {
    #[serde(flatten)]
    pub head: ObjectHead,
    pub sensitive: bool,
    /// The content warning in the original language; `summaryMap` has every language.
    pub summary: String,
    pub summary_map: Map<String, Value>,
    pub content: String,
    pub url: String,
    #[serde(rename = "amicus:contentWarning")]
    pub content_warning: Vec<String>,
}
