//! `Tombstone`: what a withdrawn resource's address answers, and the object of a `Delete`.

use serde::Serialize;
use serde_json::Value;

/// The document served with 410 at a withdrawn resource's address.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    #[serde(rename = "@context")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub former_type: &'static str,
    pub deleted: String,
}

/// The object of a `Delete`: the id, typed.
#[derive(Debug, Clone, Serialize)]
pub struct TombstoneRef {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}
