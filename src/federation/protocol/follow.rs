//! `Follow`: an actor asks to follow an organisation, or an organisation another actor; and
//! the forms a `Follow` takes inside the answers to it.

use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::FollowType;
use serde::{Deserialize, Serialize};
use url::Url;

use super::actor_ref;
use crate::federation::apactor::ApActor;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: FollowType,
    #[serde(deserialize_with = "actor_ref")]
    pub actor: ObjectId<ApActor>,
    #[serde(deserialize_with = "actor_ref")]
    pub object: ObjectId<ApActor>,
}

/// A `Follow` embedded in an answer without an id of its own: matched by actor and object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnonymousFollow {
    #[serde(rename = "type")]
    pub kind: FollowType,
    #[serde(deserialize_with = "actor_ref")]
    pub actor: ObjectId<ApActor>,
    #[serde(deserialize_with = "actor_ref")]
    pub object: ObjectId<ApActor>,
}

/// The `object` of an answer: the `Follow` itself (as Mastodon sends it, with the actors as
/// ids or, as Fedify sends it, as objects), without its id, or its id alone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FollowRef {
    Embedded(Follow),
    Anonymous(AnonymousFollow),
    Id(Url),
}

impl FollowRef {
    /// The follower and the followed, when the follow is embedded.
    pub fn actors(&self) -> Option<(&Url, &Url)> {
        match self {
            FollowRef::Embedded(f) => Some((f.actor.inner(), f.object.inner())),
            FollowRef::Anonymous(f) => Some((f.actor.inner(), f.object.inner())),
            FollowRef::Id(_) => None,
        }
    }
}
