//! Durable delivery. Sending an activity stores it with one delivery row per distinct
//! inbox; a worker claims due rows, signs and sends them with at most a few requests per
//! host at once, and retries failures with exponential backoff for three days. Nothing lives
//! only in memory: a restart picks up where it stopped.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use activitypub_federation::activity_sending::SendActivityTask;
use activitypub_federation::config::{Data, FederationConfig};
use activitypub_federation::protocol::context::WithContext;
use activitypub_federation::traits::{Activity, Object};
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::Semaphore;
use url::Url;

use super::apactor::ApActor;
use crate::app::Ctx;
use crate::db::federation::DueDelivery;
use crate::error::{AppError, AppResult};

/// Sends at once to one host, at most.
const PER_HOST: usize = 2;
/// Deliveries claimed per pass.
const BATCH: i64 = 64;
/// Give up on a delivery this long after its activity was made.
const GIVE_UP_AFTER_HOURS: i64 = 72;

/// Stores `activity` (with its `@context`) and queues it for `inboxes`.
pub async fn queue<A: Serialize + Activity>(
    ctx: &Ctx,
    actor: &ApActor,
    activity: &A,
    inboxes: Vec<String>,
) -> AppResult<()> {
    let json =
        serde_json::to_string(&WithContext::new(activity, super::protocol::context())).map_err(AppError::internal)?;
    let org_id = actor.org().map(|o| o.id);
    ctx.db.queue_activity(org_id, activity.id().as_str(), &json, &inboxes).await
}

/// A stored activity, sent as it was stored.
#[derive(Debug, Serialize)]
struct Stored {
    #[serde(skip)]
    id: Url,
    #[serde(skip)]
    actor: Url,
    #[serde(flatten)]
    json: Map<String, Value>,
}

#[async_trait::async_trait]
impl Activity for Stored {
    type DataType = Ctx;
    type Error = AppError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _: &Data<Ctx>) -> Result<(), AppError> {
        Ok(())
    }

    async fn receive(self, _: &Data<Ctx>) -> Result<(), AppError> {
        Ok(())
    }
}

/// Exponential backoff: 1 min, 2, 4 ... capped at 6 hours.
fn backoff(attempts: i32) -> chrono::Duration {
    chrono::Duration::seconds(60i64.saturating_mul(1i64 << attempts.clamp(0, 9)).min(6 * 3600))
}

async fn send_one(data: &Data<Ctx>, d: &DueDelivery) -> Result<(), String> {
    let value: Value = serde_json::from_str(&d.json).map_err(|e| e.to_string())?;
    let json = value.as_object().cloned().ok_or("stored activity is not an object")?;
    let id =
        json.get("id").and_then(Value::as_str).and_then(|s| Url::parse(s).ok()).ok_or("stored activity has no id")?;
    let actor_url = json.get("actor").and_then(Value::as_str).and_then(|s| Url::parse(s).ok()).ok_or("no actor")?;
    let actor = ApActor::read_from_id(actor_url.clone(), data)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("sending actor is gone")?;
    let inbox = Url::parse(&d.inbox).map_err(|e| e.to_string())?;
    let activity = Stored { id, actor: actor_url, json };
    let tasks = SendActivityTask::prepare(&activity, &actor, vec![inbox], data).await.map_err(|e| e.to_string())?;
    for task in tasks {
        task.sign_and_send(data).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// One pass over the due deliveries; returns how many were attempted.
pub async fn run_due(data: &Data<Ctx>) -> AppResult<usize> {
    let due = data.db.claim_deliveries(BATCH, chrono::Duration::minutes(5)).await?;
    let n = due.len();
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut set = tokio::task::JoinSet::new();
    for d in due {
        let permit = hosts.entry(d.host.clone()).or_insert_with(|| Arc::new(Semaphore::new(PER_HOST))).clone();
        let data = data.clone();
        set.spawn(async move {
            let _permit = permit.acquire_owned().await;
            let result = send_one(&data, &d).await;
            let db = &data.db;
            match result {
                Ok(()) => {
                    db.host_ok(&d.host).await?;
                    db.delivery_done(d.id).await
                }
                Err(e) => {
                    db.host_failed(&d.host).await?;
                    let age: chrono::Duration = chrono::Utc::now() - d.activity_created_at;
                    let next = (age < chrono::Duration::hours(GIVE_UP_AFTER_HOURS)).then(|| chrono::Utc::now() + backoff(d.attempts));
                    tracing::info!(host = %d.host, "delivery failed, {}: {e}", if next.is_some() { "will retry" } else { "giving up" });
                    db.delivery_failed(d.id, &e, next).await
                }
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r??;
    }
    Ok(n)
}

/// Delivers until nothing is due (tests drain queues with this instead of waiting).
pub async fn drain(ctx: &Ctx) -> AppResult<()> {
    let config = super::context::config(ctx).await?;
    let data = config.to_request_data();
    while run_due(&data).await? > 0 {}
    Ok(())
}

/// The background worker of `amicus serve`.
pub async fn worker(config: FederationConfig<Ctx>) {
    let data = config.to_request_data();
    loop {
        match run_due(&data).await {
            Ok(0) => tokio::time::sleep(Duration::from_secs(2)).await,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("delivery worker: {e}");
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0).num_seconds(), 60);
        assert_eq!(backoff(1).num_seconds(), 120);
        assert_eq!(backoff(30).num_seconds(), 6 * 3600);
    }
}
