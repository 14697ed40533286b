//! `Create`, `Update`, `Delete` and `Announce` as Amicus sends them: one shape, addressed to
//! the public and the sender's followers (and whoever else `cc` names), told apart by type and
//! object. `Create` and `Update` carry the `Article` (or `Note` teaser) as it is now; `Delete`
//! its `TombstoneRef`; `Announce` the shared object's id.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Addressed<O> {
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

/// A resource made public: what the outbox lists and its id dereferences to.
pub type Create<O> = Addressed<O>;

impl<O> Addressed<O> {
    /// `kind` (`Create`, `Update`, `Delete`, `Announce`) of `object` by `actor`.
    pub fn new(kind: &'static str, id: String, actor: String, published: String, cc: Vec<String>, object: O) -> Self {
        Addressed {
            context: super::context(),
            id,
            kind,
            actor,
            published,
            to: vec![super::super::objects::PUBLIC.to_string()],
            cc,
            object,
        }
    }
}
