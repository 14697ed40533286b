//! Backfill: what an actor published before an organisation here followed it. Its `featured`,
//! `outbox` and `upcomingEvents` collections are paged (signed by the instance actor, as every
//! fetch) and each public object of its own is stored as if it had been delivered: the same
//! checks, the same upsert by ActivityPub id, so fetching twice, or after an `Update`, changes
//! nothing. One row per actor in `backfills` holds its progress; a worker on each node takes
//! pending ones, and `amicus federation backfill` runs one at once.
//!
//! A hostile or broken server cannot hold it: pages must be on the actor's host and are seen
//! once (a loop ends), at most `MAX_PAGES` pages and `MAX_ITEMS` items are read, each page is at
//! most `MAX_PAGE_BODY`, and objects of other hosts or other actors are skipped.

use std::collections::HashSet;
use std::time::Duration;

use activitypub_federation::config::{Data, FederationConfig};
use activitypub_federation::fetch::object_id::ObjectId;
use serde_json::Value;
use url::Url;

use super::activities::content;
use super::apactor::ApActor;
use crate::db::federation::Backfill;
use crate::domain::Core;
use crate::error::{AppError, AppResult};

pub const MAX_PAGES: usize = 2_000;
pub const MAX_ITEMS: usize = 20_000;
const MAX_PAGE_BODY: usize = 4 * 1024 * 1024;

/// Asks for `actor`'s earlier publications; the worker fetches them.
pub async fn request(ctx: &Core, actor: &str) -> AppResult<()> {
    ctx.db.request_backfill(actor).await?;
    ctx.backfill_bell.notify_one();
    Ok(())
}

/// Fetches again, now, the earlier publications of `target` (`name@domain` or an actor URL),
/// which an organisation here must follow (`amicus federation backfill`).
pub async fn now(data: &Data<Core>, target: &str) -> AppResult<Backfill> {
    let actor = super::follow::resolve(&super::context::Fed(data.clone()), target).await?;
    let id = actor.remote().map(|r| r.ap_id.clone()).ok_or(AppError::invalid("target", "err-target-local", target))?;
    if !data.db.is_followed(&id).await? {
        return Err(AppError::invalid("target", "err-not-followed", target));
    }
    run(data, &id).await
}

/// Runs pending backfills one after another, woken when one is asked for.
pub async fn worker(config: FederationConfig<Core>) {
    let data = config.to_request_data();
    if let Err(e) = data.db.release_backfills(&data.node_id).await {
        tracing::warn!("backfills: {e}");
    }
    loop {
        match data.db.claim_backfill(&data.node_id).await {
            Ok(Some(actor)) => {
                if let Err(e) = run(&data, &actor).await {
                    tracing::info!(actor = %actor, "backfill failed: {e}");
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("backfills: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = data.backfill_bell.notified() => {}
        }
    }
}

/// Fetches `actor`'s featured items, outbox and upcoming events, recording progress as it goes.
/// The row ends `done` (even with items skipped) or `failed` with the reason.
pub async fn run(data: &Data<Core>, actor: &str) -> AppResult<Backfill> {
    let mut b = Backfill {
        actor_ap_id: actor.to_string(),
        state: "running".into(),
        pages: 0,
        stored: 0,
        skipped: 0,
        total: None,
        error: None,
    };
    data.db.request_backfill(actor).await?;
    data.db.backfill_progress(&b).await?;
    let result = walk_all(data, actor, &mut b).await;
    match &result {
        Ok(()) => b.state = "done".into(),
        Err(e) => {
            tracing::info!(actor = %actor, "backfill failed: {e}");
            b.state = "failed".into();
            b.error = Some(reason(e).into());
        }
    }
    data.db.backfill_progress(&b).await?;
    result.map(|()| b)
}

/// Why a backfill ended, as the id of a message shown in the reader's language (with the
/// actor's address as `value`).
fn reason(e: &AppError) -> &'static str {
    match e {
        AppError::Forbidden => "err-target-refused",
        AppError::RemoteUnavailable(_) | AppError::Unavailable(_) => "err-target-unreachable",
        AppError::BadRequest("error-remote-not-activitypub") => "err-target-not-activitypub",
        AppError::BadRequest("error-remote-unparseable") => "err-target-unparseable",
        AppError::Invalid(errors) => errors.first().map(|f| f.code).unwrap_or("err-target-not-found"),
        AppError::BadRequest(_) | AppError::NotFound | AppError::Gone => "err-target-not-found",
        _ => "error-internal",
    }
}

async fn walk_all(data: &Data<Core>, actor: &str, b: &mut Backfill) -> AppResult<()> {
    let id = Url::parse(actor).map_err(|_| AppError::invalid("target", "err-bad-target", actor))?;
    // fresh: the collections may be new since the actor was last read
    let fetched = ObjectId::<ApActor>::from(id.clone()).dereference_forced(data).await?;
    let remote = fetched.remote().cloned().ok_or(AppError::invalid("target", "err-target-local", actor))?;
    if !remote.indexable {
        // it asked not to be indexed: nothing of it is kept here beyond what followers see
        b.error = Some("backfill-not-indexable".into());
        return Ok(());
    }
    let mut walk = Walk { data, actor: id, seen: HashSet::new(), items: 0, b };
    for collection in [&remote.featured, &remote.outbox, &remote.upcoming_events].into_iter().flatten() {
        let Ok(url) = Url::parse(collection) else { continue };
        walk.collection(url).await?;
    }
    Ok(())
}

struct Walk<'a> {
    data: &'a Data<Core>,
    actor: Url,
    /// pages and collections already read: a loop in `next` ends here
    seen: HashSet<String>,
    items: usize,
    b: &'a mut Backfill,
}

impl Walk<'_> {
    async fn fetch(&mut self, url: &Url) -> AppResult<Option<Value>> {
        if !super::net::same_host(&self.actor, url) || !self.seen.insert(url.to_string()) {
            return Ok(None);
        }
        if self.seen.len() > MAX_PAGES {
            return Ok(None);
        }
        let doc = super::lenient::activity_document(self.data, url, MAX_PAGE_BODY).await?;
        self.b.pages += 1;
        Ok(Some(doc))
    }

    /// A collection and its pages: `first`, then each page's `next`, as long as they are new
    /// pages of the actor's host and items remain to take.
    async fn collection(&mut self, url: Url) -> AppResult<()> {
        let Some(doc) = self.fetch(&url).await? else { return Ok(()) };
        if let Some(n) = doc.get("totalItems").and_then(Value::as_i64).filter(|n| *n >= 0) {
            self.b.total = Some(self.b.total.unwrap_or(0).saturating_add(n.min(MAX_ITEMS as i64)));
        }
        let mut page = Some(doc.clone());
        // the items may be on the collection itself, its `first` page embedded, or by address
        match doc.get("first") {
            Some(Value::String(s)) => {
                self.page(&doc).await;
                page = match Url::parse(s) {
                    Ok(u) => self.fetch(&u).await?,
                    Err(_) => None,
                };
            }
            Some(first @ Value::Object(_)) => {
                self.page(&doc).await;
                page = Some(first.clone());
            }
            _ => {}
        }
        while let Some(p) = page.take() {
            if self.items >= MAX_ITEMS {
                break;
            }
            self.page(&p).await;
            self.data.db.backfill_progress(self.b).await?;
            let next = p.get("next").and_then(|n| n.as_str().or_else(|| n.get("id").and_then(Value::as_str)));
            if let Some(next) = next.and_then(|n| Url::parse(n).ok()) {
                page = self.fetch(&next).await?;
            }
        }
        Ok(())
    }

    /// The items of one page, each stored or counted as skipped.
    async fn page(&mut self, page: &Value) {
        let items = ["orderedItems", "items"]
            .iter()
            .find_map(|k| page.get(*k).and_then(Value::as_array))
            .cloned()
            .unwrap_or_default();
        for item in items {
            if self.items >= MAX_ITEMS {
                return;
            }
            self.items += 1;
            match self.item(&item).await {
                Ok(true) => self.b.stored += 1,
                Ok(false) => self.b.skipped += 1,
                Err(e) => {
                    tracing::debug!(actor = %self.actor, "backfill item skipped: {e}");
                    self.b.skipped += 1;
                }
            }
        }
    }

    /// One item: a `Create` or `Update` of an object, or the object itself (featured items,
    /// events), or its address. Shares (`Announce`) are other actors' and are left out.
    async fn item(&mut self, item: &Value) -> AppResult<bool> {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or_default();
        let object = match kind {
            "Create" | "Update" => {
                let by = item.get("actor").and_then(|a| a.as_str().or_else(|| a.get("id").and_then(Value::as_str)));
                if by != Some(self.actor.as_str()) {
                    return Ok(false);
                }
                let object = item.get("object").cloned().unwrap_or(Value::Null);
                content::with_audience_of(&object, item)
            }
            "" if item.is_string() => item.clone(),
            "Announce" | "Delete" | "Like" | "Undo" | "Follow" | "Accept" | "Reject" | "Add" | "Remove" => {
                return Ok(false)
            }
            _ => item.clone(),
        };
        let object = match object {
            Value::String(s) => {
                let url = Url::parse(&s).map_err(|_| AppError::BadRequest("error-bad-activity"))?;
                if !super::net::same_host(&self.actor, &url) {
                    return Ok(false);
                }
                super::lenient::activity_document(self.data, &url, super::inbox::MAX_BODY).await?
            }
            Value::Object(_) => object,
            _ => return Ok(false),
        };
        if !content::consented(&object, &self.actor) {
            return Ok(false);
        }
        content::store_backfilled(self.data, &ObjectId::from(self.actor.clone()), &object).await?;
        Ok(true)
    }
}
