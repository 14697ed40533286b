//! `Announce`: an organisation shares a resource (its own or a partner's); the object is its id.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Announce<O> {
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

impl<O> Announce<O> {
    pub fn new(id: String, actor: String, published: String, cc: Vec<String>, object: O) -> Self {
        Announce {
            context: super::context(),
            id,
            kind: "Announce",
            actor,
            published,
            to: vec![super::super::objects::PUBLIC.to_string()],
            cc,
            object,
        }
    }
}
