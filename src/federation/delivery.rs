//! Durable delivery. Sending an activity stores it with one delivery row per distinct
//! inbox; a worker claims due rows, signs and sends them with at most a few requests per
//! host at once, and retries failures with exponential backoff for three days. Nothing lives
//! only in memory: a restart picks up where it stopped.
//!
//! No host holds up the others: a claim takes at most `PER_HOST` rows of a host and none of a
//! host that already has requests in flight, so every claimed row is sent at once; a request
//! unanswered after `SLOW` stops counting against the slots, so hanging hosts never hold slots
//! that others wait for; a host that does not answer is backed off as a whole (its other
//! deliveries wait with the one that failed). Each attempt ends within the
//! client's 10 s timeout, so a claim's lease is short (`LEASE`): deliveries claimed by a
//! process that died are sent by another, or after a restart, within a minute.
//!
//! Sending is ours rather than the federation crate's, for two reasons: the crate treats
//! every 4xx but 408 and 429 as delivered, where a 401 (a key the receiver has not fetched
//! yet, a clock out of step) must be retried; and signing with aws-lc-rs is several times
//! faster than with the crate's `rsa` (docs/PERFORMANCE.md).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use activitypub_federation::protocol::context::WithContext;
use activitypub_federation::traits::Activity;
use serde::Serialize;
use tokio::task::JoinSet;
use url::Url;

use super::apactor::ApActor;
use super::signing::Signer;
use crate::db::deliveries::{DueDelivery, Finish, Finished};
use crate::domain::Core;
use crate::error::{AppError, AppResult};

/// Sends at once to one host, at most.
const PER_HOST: i64 = 2;
/// Deliveries in flight at once, at most: requests waiting on slow servers are cheap.
const IN_FLIGHT: usize = 128;
/// Requests waiting on servers slower than `SLOW` do not count against `IN_FLIGHT` (they
/// cost a socket, not work), up to this many in all: hanging servers never hold up the rest.
const IN_FLIGHT_MAX: usize = 1024;
/// An answer slower than this marks its request slow.
const SLOW: Duration = Duration::from_secs(2);
/// A claimed delivery comes back to the queue after this if its claimer died: well over the
/// longest an attempt takes (the client's 10 s timeout, and signing).
const LEASE: Duration = Duration::from_secs(60);
/// Give up on a delivery this long after its activity was made.
const GIVE_UP_AFTER_HOURS: i64 = 72;
/// The longest a 429's `Retry-After` may push an attempt back.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);

/// Stores `activity` (with its `@context`) and queues it for `inboxes`.
pub async fn queue<A: Serialize + Activity>(
    ctx: &Core,
    actor: &ApActor,
    activity: &A,
    inboxes: Vec<String>,
) -> AppResult<()> {
    let json =
        serde_json::to_string(&WithContext::new(activity, super::protocol::context())).map_err(AppError::internal)?;
    let org_id = actor.org().map(|o| o.id);
    ctx.db.queue_activity(org_id, activity.id().as_str(), &json, &inboxes).await?;
    ctx.delivery_bell.notify_one();
    Ok(())
}

/// Exponential backoff: 1 min, 2, 4 ... capped at 6 hours.
fn backoff(attempts: i32) -> chrono::Duration {
    chrono::Duration::seconds(60i64.saturating_mul(1i64 << attempts.clamp(0, 9)).min(6 * 3600))
}

/// What an attempt came to, before the retry policy is applied.
#[derive(Debug, PartialEq)]
enum Attempt {
    Delivered,
    /// The host answered, but asks us to come back: 401, 408, 429 (with its `Retry-After`).
    Later(String, Option<Duration>),
    /// No answer: refused connection, timeout, 5xx.
    Unanswered(String),
    /// The host answered and will never take it: any other 4xx, a redirect, or our policy.
    Refused(String),
}

/// Classifies an inbox's answer: 2xx delivered; 401, 408 and 429 retried although the
/// host answered; other 4xx (and 3xx: we do not follow redirects with a signed body) final;
/// 5xx retried as if the host had not answered.
fn classify(status: reqwest::StatusCode, retry_after: Option<&str>) -> Attempt {
    let why = format!("HTTP {}", status.as_u16());
    match status.as_u16() {
        200..=299 => Attempt::Delivered,
        401 | 408 => Attempt::Later(why, None),
        429 => Attempt::Later(why, retry_after.and_then(parse_retry_after)),
        500..=599 => Attempt::Unanswered(why),
        _ => Attempt::Refused(why),
    }
}

/// `Retry-After` in seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => httpdate::parse_http_date(value).ok()?.duration_since(SystemTime::now()).unwrap_or_default(),
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// The retry policy: what to record for an attempt on `d`.
fn finish(d: &DueDelivery, attempt: Attempt) -> Finished {
    let now = chrono::Utc::now();
    let retry = |error: String, at_least: Option<Duration>| {
        if now - d.activity_created_at >= chrono::Duration::hours(GIVE_UP_AFTER_HOURS) {
            return Finish::Failed { error: format!("{error}; gave up after {GIVE_UP_AFTER_HOURS} hours") };
        }
        let mut wait = backoff(d.attempts);
        if let Some(asked) = at_least.and_then(|a| chrono::Duration::from_std(a).ok()) {
            wait = wait.max(asked);
        }
        Finish::Retry { error, at: now + wait }
    };
    let (host_answered, finish) = match attempt {
        Attempt::Delivered => (true, Finish::Done),
        Attempt::Later(e, after) => (true, retry(e, after)),
        Attempt::Unanswered(e) => (false, retry(e, None)),
        Attempt::Refused(error) => (true, Finish::Failed { error }),
    };
    if let Finish::Retry { error, .. } | Finish::Failed { error } = &finish {
        // the host only: an inbox URL names a person who follows the organisation
        tracing::info!(host = %d.host, "delivery not accepted: {error}");
    }
    Finished { id: d.id, host: d.host.clone(), host_answered, finish }
}

/// Signs and posts one delivery.
async fn attempt(
    client: &reqwest::Client,
    dev_network: bool,
    slow: Arc<AtomicUsize>,
    signer: Arc<Signer>,
    d: &DueDelivery,
) -> Attempt {
    let Ok(inbox) = Url::parse(&d.inbox) else {
        return Attempt::Refused("unparseable inbox URL".into());
    };
    if super::net::check_url(&inbox, dev_network).is_err() {
        return Attempt::Refused("not an https URL on a host name".into());
    }
    let body = d.json.clone().into_bytes();
    let signed = {
        let (inbox, body) = (inbox.clone(), body.clone());
        tokio::task::spawn_blocking(move || signer.sign_post(&inbox, &body, SystemTime::now())).await
    };
    let headers = match signed {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => return Attempt::Unanswered(format!("signing: {e}")),
        Err(e) => return Attempt::Unanswered(format!("signing: {e}")),
    };
    let mut request = client.post(inbox).body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let sending = request.send();
    tokio::pin!(sending);
    let answer = match tokio::time::timeout(SLOW, &mut sending).await {
        Ok(answer) => answer,
        Err(_) => {
            // a slow server: its request no longer counts against the worker's slots
            slow.fetch_add(1, Ordering::SeqCst);
            let answer = sending.await;
            slow.fetch_sub(1, Ordering::SeqCst);
            answer
        }
    };
    match answer {
        Ok(res) => {
            let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
            classify(res.status(), retry_after.as_deref())
        }
        Err(e) if e.is_timeout() => Attempt::Unanswered("timed out".into()),
        // without the URL: it would reach the logs and the admin page
        Err(e) => Attempt::Unanswered(format!("{}", e.without_url())),
    }
}

/// Senders' keys, parsed once: `None` is the instance actor.
#[derive(Default)]
struct Signers(HashMap<Option<i64>, Arc<Signer>>);

impl Signers {
    /// The signer of `d`, whose activity's `actor` names the key.
    async fn get(&mut self, ctx: &Core, d: &DueDelivery) -> AppResult<Arc<Signer>> {
        if let Some(s) = self.0.get(&d.org_id) {
            return Ok(s.clone());
        }
        #[derive(serde::Deserialize)]
        struct Sender {
            actor: String,
        }
        let actor = serde_json::from_str::<Sender>(&d.json).map_err(AppError::internal)?.actor;
        let pem = match d.org_id {
            None => ctx.db.instance_keys().await?.map(|(_, private)| private),
            Some(id) => ctx.db.org_private_key(id).await?,
        };
        let pem = pem.ok_or_else(|| AppError::internal("the sender has no key"))?;
        let key_id = format!("{actor}#main-key");
        let signer = Arc::new(tokio::task::spawn_blocking(move || Signer::from_pem(&pem, key_id)).await??);
        self.0.insert(d.org_id, signer.clone());
        Ok(signer)
    }
}

/// Claims and sends due deliveries, keeping up to `IN_FLIGHT` in flight and at most
/// `PER_HOST` per host, and records outcomes as they come in. With `until_idle` it returns
/// once nothing is due or in flight; otherwise it runs until `stop`.
async fn pump(ctx: &Core, until_idle: bool, stop: &mut tokio::sync::watch::Receiver<bool>) -> AppResult<()> {
    let policy = super::policy::Policy::of(ctx);
    let mut signers = Signers::default();
    // requests in flight per host: such hosts get no new claims until they are done
    let mut busy: HashMap<String, usize> = HashMap::new();
    let mut flying: JoinSet<Finished> = JoinSet::new();
    let slow = Arc::new(AtomicUsize::new(0));
    let lease = chrono::Duration::from_std(LEASE).map_err(AppError::internal)?;
    loop {
        let stopping = *stop.borrow();
        if stopping && flying.is_empty() {
            return Ok(());
        }
        // claims are made in batches (when half the slots are free): each is one query
        let working = flying.len().saturating_sub(slow.load(Ordering::SeqCst));
        if !stopping && working < IN_FLIGHT / 2 && flying.len() < IN_FLIGHT_MAX {
            let room = (IN_FLIGHT - working).min(IN_FLIGHT_MAX - flying.len()) as i64;
            let busy_hosts: Vec<&str> = busy.keys().map(String::as_str).collect();
            let due = ctx.db.claim_deliveries(&ctx.node_id, room, PER_HOST, &busy_hosts, lease).await?;
            let rules = if due.is_empty() { None } else { Some(policy.rules().await?) };
            for d in due {
                if rules.as_ref().is_some_and(|r| !r.allows(&d.host)) {
                    flying.spawn(async move { finish(&d, Attempt::Refused("refused by federation policy".into())) });
                    continue;
                }
                let signer = match signers.get(ctx, &d).await {
                    Ok(s) => s,
                    Err(e) => {
                        // left claimed: it comes back when the lease runs out
                        tracing::warn!(org = ?d.org_id, "cannot sign a delivery: {e}");
                        continue;
                    }
                };
                *busy.entry(d.host.clone()).or_default() += 1;
                let (client, slow) = (ctx.http.clone(), slow.clone());
                let dev_network = ctx.config.dev_network;
                flying.spawn(async move {
                    let result = attempt(&client, dev_network, slow, signer, &d).await;
                    finish(&d, result)
                });
            }
        }
        // look for room again now and then: requests to slow servers stop counting after `SLOW`
        let next = tokio::select! {
            done = flying.join_next() => done,
            _ = tokio::time::sleep(SLOW / 4), if !flying.is_empty() => continue,
        };
        let Some(first) = next else {
            if until_idle {
                return Ok(());
            }
            // woken when something is queued here; other nodes' work and retries coming
            // due are found by looking again every few seconds
            tokio::select! {
                _ = ctx.delivery_bell.notified() => {}
                _ = stop.changed() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
            continue;
        };
        let mut done = vec![first?];
        while let Some(more) = flying.try_join_next() {
            done.push(more?);
        }
        for f in &done {
            if let Some(n) = busy.get_mut(&f.host) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    busy.remove(&f.host);
                }
            }
        }
        ctx.db.finish_deliveries(&done).await?;
    }
}

/// Delivers until nothing is due (tests drain queues with this instead of waiting).
pub async fn drain(ctx: &Core) -> AppResult<()> {
    let (_keep, mut never) = tokio::sync::watch::channel(false);
    pump(ctx, true, &mut never).await
}

/// The background worker of `amicus serve`, until `stop` turns true: then it claims nothing
/// more and returns once the deliveries in flight are settled.
pub async fn worker(ctx: Core, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match pump(&ctx, false, &mut stop).await {
            Ok(()) => return,
            Err(_) if *stop.borrow() => return,
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
    fn answers_are_classified_as_the_fediverse_expects() {
        let c = |code: u16| classify(reqwest::StatusCode::from_u16(code).unwrap(), None);
        assert_eq!(c(202), Attempt::Delivered);
        assert_eq!(c(401), Attempt::Later("HTTP 401".into(), None));
        assert_eq!(c(408), Attempt::Later("HTTP 408".into(), None));
        assert_eq!(c(503), Attempt::Unanswered("HTTP 503".into()));
        assert_eq!(c(410), Attempt::Refused("HTTP 410".into()));
        assert_eq!(c(301), Attempt::Refused("HTTP 301".into()));
        let limited = classify(reqwest::StatusCode::TOO_MANY_REQUESTS, Some("120"));
        assert_eq!(limited, Attempt::Later("HTTP 429".into(), Some(Duration::from_secs(120))));
        assert_eq!(parse_retry_after("999999"), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0).num_seconds(), 60);
        assert_eq!(backoff(1).num_seconds(), 120);
        assert_eq!(backoff(30).num_seconds(), 6 * 3600);
    }
}
