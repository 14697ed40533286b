//! `Join` of an event: nobody joins an event here, so it is answered `Ignore`, as FEP-8a8e
//! asks of a server that takes no participants (an event's registration link, when it has
//! one, is its `externalParticipationUrl`).

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::JoinType;
use activitypub_federation::traits::Activity;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use crate::domain::Core;
use crate::error::AppError;
use crate::federation::apactor::ApActor;
use crate::federation::IGNORED;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Join {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: JoinType,
    pub actor: ObjectId<ApActor>,
    pub object: Value,
}

impl Join {
    /// The event joined, which must be on this instance.
    fn event(&self, data: &Data<Core>) -> Result<Url, AppError> {
        let id = match &self.object {
            Value::String(s) => s.as_str(),
            other => other.get("id").and_then(Value::as_str).unwrap_or_default(),
        };
        Url::parse(id)
            .ok()
            .filter(|u| u.as_str().starts_with(&format!("{}/e/", data.config.base_url())))
            .ok_or(AppError::BadRequest(IGNORED))
    }
}

#[async_trait::async_trait]
impl Activity for Join {
    type DataType = Core;
    type Error = AppError;
    ids!();

    async fn verify(&self, data: &Data<Core>) -> Result<(), AppError> {
        self.event(data).map(|_| ())
    }

    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let event = self.event(data)?;
        let joiner = self.actor.dereference(data).await?;
        let inbox = joiner.remote().ok_or(AppError::BadRequest(IGNORED))?.inbox.clone();
        let join = serde_json::to_value(&self).map_err(AppError::internal)?;
        crate::federation::events::ignore_join(data, &join, &event, &inbox).await
    }
}
