//! `Update`: a public resource changed (a translation, terms, a file).

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Update<O> {
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

impl<O> Update<O> {
    pub fn new(id: String, actor: String, published: String, cc: Vec<String>, object: O) -> Self {
        Update {
            context: super::context(),
            id,
            kind: "Update",
            actor,
            published,
            to: vec![super::super::objects::PUBLIC.to_string()],
            cc,
            object,
        }
    }
}
