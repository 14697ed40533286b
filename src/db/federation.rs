//! Federation state: remote actors, followers and following, the ids of activities
//! received, and the federation policy's rules. Sent activities and their deliveries are in
//! `deliveries`.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};
use crate::error::AppResult;

/// An actor on another server, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemoteActor {
    pub id: i64,
    pub ap_id: String,
    pub kind: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub public_key: String,
    pub domain: String,
    pub fetched_at: DateTime<Utc>,
    /// Its Ed25519 key for integrity proofs (FEP-521a), if it publishes one: (id, multibase).
    pub assertion_key_id: Option<String>,
    pub assertion_key: Option<String>,
    /// Its `outbox`, `featured` and `upcomingEvents` collections, when on its own host.
    pub outbox: Option<String>,
    pub featured: Option<String>,
    pub upcoming_events: Option<String>,
    /// False when it asks not to be indexed (`indexable: false` or `discoverable: false`).
    pub indexable: bool,
}

const REMOTE_COLUMNS: &str =
    "id, ap_id, kind, preferred_username, name, inbox, shared_inbox, public_key, domain, fetched_at, assertion_key_id, assertion_key,
     outbox, featured, upcoming_events, indexable";

impl Db {
    pub async fn upsert_remote_actor(&self, a: &RemoteActor) -> AppResult<RemoteActor> {
        let sql = format!(
            "insert into remote_actors (ap_id, kind, preferred_username, name, inbox, shared_inbox, public_key, domain, fetched_at,
               assertion_key_id, assertion_key, outbox, featured, upcoming_events, indexable)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             on conflict (ap_id) do update set kind = excluded.kind, preferred_username = excluded.preferred_username,
               name = excluded.name, inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
               public_key = excluded.public_key, fetched_at = excluded.fetched_at,
               assertion_key_id = excluded.assertion_key_id, assertion_key = excluded.assertion_key,
               outbox = excluded.outbox, featured = excluded.featured, upcoming_events = excluded.upcoming_events,
               indexable = excluded.indexable
             returning {REMOTE_COLUMNS}"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(&a.ap_id).bind(&a.kind).bind(&a.preferred_username).bind(&a.name).bind(&a.inbox)
            .bind(&a.shared_inbox).bind(&a.public_key).bind(&a.domain).bind(a.fetched_at)
            .bind(&a.assertion_key_id).bind(&a.assertion_key)
            .bind(&a.outbox).bind(&a.featured).bind(&a.upcoming_events).bind(a.indexable)
            .fetch_one(p).await)?)
    }

    /// One actor id per host known here (any of them: what is wanted is where the host is).
    pub async fn one_actor_per_host(&self) -> AppResult<Vec<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select min(ap_id) from remote_actors group by domain")
            .fetch_all(p).await)?)
    }

    /// The row id of the newest remote actor (0 when none): it changes when an actor is
    /// first stored.
    pub async fn newest_remote_actor(&self) -> AppResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select coalesce(max(id), 0) from remote_actors")
            .fetch_one(p).await)?)
    }

    pub async fn remote_actor(&self, ap_id: &str) -> AppResult<Option<RemoteActor>> {
        let sql = format!("select {REMOTE_COLUMNS} from remote_actors where ap_id = $1");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(ap_id).fetch_optional(p).await)?)
    }

    /// Records an activity id; false if it had been seen before (a replay).
    /// Forgets what is older than `cutoff`: the ids of received activities (a replay that old
    /// fails the signature's date check anyway), finished deliveries, and sent activities
    /// with no delivery left. Returns how many rows went.
    pub async fn purge_federation_records(&self, cutoff: DateTime<Utc>) -> AppResult<u64> {
        let mut n = 0;
        for sql in [
            "delete from received_activities where received_at < $1",
            "delete from deliveries where state in ('done', 'failed') and updated_at < $1",
            "delete from activities where created_at < $1
               and not exists (select 1 from deliveries d where d.activity_id = activities.id)",
        ] {
            n += on_pool!(self, p => sqlx::query(sql).bind(cutoff).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(n)
    }

    /// Whether the activity `ap_id` was received (and acted on) already.
    pub async fn was_received(&self, ap_id: &str) -> AppResult<bool> {
        let found: Option<i32> = on_pool!(self, p => sqlx::query_scalar("select 1 from received_activities where ap_id = $1")
            .bind(ap_id).fetch_optional(p).await)?;
        Ok(found.is_some())
    }

    pub async fn mark_received(&self, ap_id: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query(
            "insert into received_activities (ap_id, received_at) values ($1, $2) on conflict (ap_id) do nothing")
            .bind(ap_id).bind(Utc::now()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn add_follower(
        &self,
        org_id: i64,
        actor: &RemoteActor,
        approved: bool,
        follow_id: &str,
    ) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into followers (org_id, actor_id, inbox, shared_inbox, approved, follow_activity_id, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (org_id, actor_id) do update set inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
               follow_activity_id = excluded.follow_activity_id")
            .bind(org_id).bind(&actor.ap_id).bind(&actor.inbox).bind(&actor.shared_inbox).bind(approved)
            .bind(follow_id).bind(Utc::now()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// (actor id, follow activity id, approved) of an organisation's followers and requests.
    pub async fn followers_of(&self, org_id: i64) -> AppResult<Vec<(String, Option<String>, bool)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select actor_id, follow_activity_id, approved from followers where org_id = $1 order by approved, created_at desc")
            .bind(org_id).fetch_all(p).await)?)
    }

    /// Approves a waiting follow request; false if there was none.
    pub async fn approve_follower(&self, org_id: i64, actor_id: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query("update followers set approved = true where org_id = $1 and actor_id = $2 and not approved")
            .bind(org_id).bind(actor_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    pub async fn remove_follower(&self, org_id: i64, actor_id: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query("delete from followers where org_id = $1 and actor_id = $2")
            .bind(org_id).bind(actor_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Distinct inboxes of an organisation's approved followers, shared inboxes preferred.
    pub async fn follower_inboxes(&self, org_id: i64) -> AppResult<Vec<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "select distinct coalesce(shared_inbox, inbox) from followers where org_id = $1 and approved order by 1")
            .bind(org_id).fetch_all(p).await)?)
    }

    /// Whether any organisation here follows `actor` (accepted or not yet).
    /// Whether `actor` is an approved follower of organisation `org_id`.
    pub async fn is_follower(&self, org_id: i64, actor: &str) -> AppResult<bool> {
        let found: Option<i32> = on_pool!(self, p => sqlx::query_scalar(
            "select 1 from followers where org_id = $1 and actor_id = $2 and approved")
            .bind(org_id).bind(actor).fetch_optional(p).await)?;
        Ok(found.is_some())
    }

    pub async fn is_followed(&self, actor: &str) -> AppResult<bool> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar("select count(*) from following where target_id = $1")
            .bind(actor).fetch_one(p).await)?;
        Ok(n > 0)
    }

    pub async fn add_following(&self, org_id: i64, target: &str, follow_id: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into following (org_id, target_id, accepted, follow_activity_id, created_at) values ($1, $2, false, $3, $4)
             on conflict (org_id, target_id) do update set follow_activity_id = excluded.follow_activity_id")
            .bind(org_id).bind(target).bind(follow_id).bind(Utc::now()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks a follow as accepted by its target; false if there was no such request.
    pub async fn accept_following(&self, org_id: i64, target: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query("update following set accepted = true where org_id = $1 and target_id = $2")
            .bind(org_id).bind(target).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// (target, follow activity id) of a follow, if the organisation follows `target`.
    pub async fn following_of(&self, org_id: i64, target: &str) -> AppResult<Option<(String, String, bool)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select target_id, follow_activity_id, accepted from following where org_id = $1 and target_id = $2")
            .bind(org_id).bind(target).fetch_optional(p).await)?)
    }

    pub async fn remove_following(&self, org_id: i64, target: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query("delete from following where org_id = $1 and target_id = $2")
            .bind(org_id).bind(target).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Every (domain, policy) rule.
    pub async fn federation_rules(&self) -> AppResult<Vec<(String, String)>> {
        Ok(
            on_pool!(self, p => sqlx::query_as("select domain, policy from federation_domains order by domain").fetch_all(p).await)?,
        )
    }

    pub async fn set_federation_rule(&self, domain: &str, policy: Option<&str>) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from federation_domains where domain = $1")
            .bind(domain).execute(p).await.map(|r| r.rows_affected()))?;
        if let Some(policy) = policy {
            on_pool!(self, p => sqlx::query("insert into federation_domains (domain, policy, created_at) values ($1, $2, $3)")
                .bind(domain).bind(policy).bind(Utc::now()).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}

/// How far fetching an actor's earlier publications has got.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Backfill {
    pub actor_ap_id: String,
    /// pending, running, done or failed
    pub state: String,
    pub pages: i64,
    pub stored: i64,
    pub skipped: i64,
    /// What the actor's collections say they hold, when they say it.
    pub total: Option<i64>,
    /// Why it stopped or kept nothing: a message id (`err-target-unreachable`,
    /// `backfill-not-indexable`...).
    pub error: Option<String>,
}

const BACKFILL_COLUMNS: &str = "actor_ap_id, state, pages, stored, skipped, total, error";

impl Db {
    /// Asks for `actor`'s earlier publications to be fetched (again): pending, from nothing.
    pub async fn request_backfill(&self, actor: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into backfills (actor_ap_id, state, requested_at) values ($1, 'pending', $2)
             on conflict (actor_ap_id) do update set state = 'pending', pages = 0, stored = 0, skipped = 0,
               total = null, error = null, claimed_by = null, requested_at = excluded.requested_at, finished_at = null")
            .bind(actor).bind(Utc::now()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Takes the oldest pending backfill for node `node`, if there is one.
    pub async fn claim_backfill(&self, node: &str) -> AppResult<Option<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "update backfills set state = 'running', claimed_by = $1
             where actor_ap_id = (select actor_ap_id from backfills where state = 'pending' order by requested_at limit 1)
               and state = 'pending'
             returning actor_ap_id")
            .bind(node).fetch_optional(p).await)?)
    }

    /// Backfills this node was running when it stopped go back to pending.
    pub async fn release_backfills(&self, node: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update backfills set state = 'pending' where state = 'running' and claimed_by = $1")
            .bind(node).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn backfill_progress(&self, b: &Backfill) -> AppResult<()> {
        let finished = matches!(b.state.as_str(), "done" | "failed").then(Utc::now);
        on_pool!(self, p => sqlx::query(
            "update backfills set state = $2, pages = $3, stored = $4, skipped = $5, total = $6, error = $7,
               finished_at = $8 where actor_ap_id = $1")
            .bind(&b.actor_ap_id).bind(&b.state).bind(b.pages).bind(b.stored).bind(b.skipped).bind(b.total)
            .bind(&b.error).bind(finished).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn backfill(&self, actor: &str) -> AppResult<Option<Backfill>> {
        let sql = format!("select {BACKFILL_COLUMNS} from backfills where actor_ap_id = $1");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(actor).fetch_optional(p).await)?)
    }

    /// Whom `org_id` follows (actor id, accepted), with how far fetching their earlier
    /// publications has got.
    pub async fn following_with_backfill(&self, org_id: i64) -> AppResult<Vec<(String, bool, Option<Backfill>)>> {
        let rows: Vec<(String, bool)> = on_pool!(self, p => sqlx::query_as(
            "select target_id, accepted from following where org_id = $1 order by created_at desc")
            .bind(org_id).fetch_all(p).await)?;
        let mut out = Vec::with_capacity(rows.len());
        for (target, accepted) in rows {
            let b = self.backfill(&target).await?;
            out.push((target, accepted, b));
        }
        Ok(out)
    }
}

impl Db {
    pub async fn add_relay(&self, actor: &str, inbox: &str, follow_id: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into relays (actor_ap_id, inbox, follow_id, accepted, created_at) values ($1, $2, $3, false, $4)
             on conflict (actor_ap_id) do update set inbox = excluded.inbox, follow_id = excluded.follow_id, accepted = false")
            .bind(actor).bind(inbox).bind(follow_id).bind(Utc::now()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Marks the relay whose subscription was `follow_id` (or, without one, `actor`) accepted.
    pub async fn accept_relay(&self, actor: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query("update relays set accepted = true where actor_ap_id = $1")
            .bind(actor).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn remove_relay(&self, actor: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query("delete from relays where actor_ap_id = $1")
            .bind(actor).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// (actor, inbox, follow id, accepted) of each relay subscribed to.
    pub async fn relays(&self) -> AppResult<Vec<(String, String, String, bool)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select actor_ap_id, inbox, follow_id, accepted from relays order by created_at").fetch_all(p).await)?)
    }

    pub async fn add_relay_member(&self, actor: &str, inbox: &str, host: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query(
            "insert into relay_members (actor_ap_id, inbox, host, created_at) values ($1, $2, $3, $4)
             on conflict (actor_ap_id) do update set inbox = excluded.inbox")
            .bind(actor).bind(inbox).bind(host).bind(Utc::now()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn remove_relay_member(&self, actor: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from relay_members where actor_ap_id = $1")
            .bind(actor).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// (actor, inbox, host) of each instance subscribed to this relay.
    pub async fn relay_members(&self) -> AppResult<Vec<(String, String, String)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select actor_ap_id, inbox, host from relay_members order by created_at").fetch_all(p).await)?)
    }

    /// Ids of the public publications kept here that came from `hosts` or were made here: what
    /// a relay gives a new member.
    /// (ap_id of a copy, uid, statement) of each, newest first.
    pub async fn public_ap_ids(&self, limit: i64) -> AppResult<Vec<(Option<String>, String, bool)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select r.ap_id, r.uid, exists (select 1 from statements s where s.resource_id = r.id)
             from resources r where r.status = 'published' and r.hidden_until is null
             order by r.id desc limit $1").bind(limit).fetch_all(p).await)?)
    }
}
