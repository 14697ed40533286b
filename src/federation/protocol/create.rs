//! `Create`: a resource made public, with the object as it is now.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Create<O> {
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

impl<O> Create<O> {
    pub fn new(id: String, actor: String, published: String, cc: Vec<String>, object: O) -> Self {
        Create {
            context: super::context(),
            id,
            kind: "Create",
            actor,
            published,
            to: vec![super::super::objects::PUBLIC.to_string()],
            cc,
            object,
        }
    }
}
