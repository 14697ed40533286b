//! `Undo` of a `Follow`: the follower takes it back.

use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::UndoType;
use serde::{Deserialize, Serialize};
use url::Url;

use super::follow::FollowRef;
use crate::federation::apactor::ApActor;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Undo {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub actor: ObjectId<ApActor>,
    pub object: FollowRef,
}
