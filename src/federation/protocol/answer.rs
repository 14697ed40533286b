//! `Accept` and `Reject` of a `Follow`: one shape, told apart by its type.

use activitypub_federation::fetch::object_id::ObjectId;
use serde::{Deserialize, Serialize};
use url::Url;

use super::follow::FollowRef;
use crate::federation::apactor::ApActor;

/// Whether a follow request was accepted or rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnswerKind {
    Accept,
    Reject,
}

/// `Accept` or `Reject` of a `Follow`: received alike, but for what becomes of the follow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: AnswerKind,
    pub actor: ObjectId<ApActor>,
    pub object: FollowRef,
}
