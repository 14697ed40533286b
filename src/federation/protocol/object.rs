//! What every resource object starts with, `Article` or the teaser `Note`: its context when it
//! stands alone, id, type, author, audience and dates.

use serde::Serialize;
use serde_json::Value;

/// The first fields of a resource object, flattened into it (in this order, on the wire).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectHead {
    /// Present when the object is a document of its own; absent inside an activity.
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
}
