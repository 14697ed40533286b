//! `Delete`: a resource withdrawn or deleted; the object is its `Tombstone`.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Delete<O> {
    #[serde(rename = "@context")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actor: String,
    pub published: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub object: O,
}

impl<O> Delete<O> {
    pub fn new(id: String, actor: String, published: String, cc: Vec<String>, object: O) -> Self {
        Delete {
            context: super::context(),
            id,
            kind: "Delete",
            actor,
            published,
            to: vec![super::super::objects::PUBLIC.to_string()],
            cc,
            object,
        }
    }
}
