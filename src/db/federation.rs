//! Federation state: remote actors, followers and following, sent activities and their
//! deliveries, and the ids of activities received. Claiming due deliveries is the one
//! place where the dialects differ: PostgreSQL uses `for update skip locked`, so several
//! nodes never claim the same row; SQLite has one writer and needs no more than a lease.

use chrono::{DateTime, Duration, Utc};

use super::{on_pool, placeholders, Db};
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
}

/// A delivery a worker has claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: i64,
    pub inbox: String,
    pub host: String,
    pub attempts: i32,
    pub org_id: Option<i64>,
    pub json: String,
    pub activity_created_at: DateTime<Utc>,
}

/// What became of a delivery a worker sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Finish {
    Done,
    /// Try again at this time.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    /// Final: not tried again.
    Failed {
        error: String,
    },
}

/// The outcome of one attempt, recorded with others in one transaction.
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: i64,
    pub host: String,
    /// Whether the host answered at all (a 4xx is an answer; a refused connection, a
    /// timeout or a 5xx is not): three days without an answer mark it dead.
    pub host_answered: bool,
    pub finish: Finish,
}

/// Counts for `amicus federation status`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DeliveryStatus {
    pub pending: i64,
    pub failed: i64,
    pub done: i64,
}

/// An activity to store with its deliveries, in the same transaction as the content it
/// announces: publishing and queueing succeed or fail together.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub org_id: Option<i64>,
    pub ap_id: String,
    pub json: String,
    pub inboxes: Vec<String>,
}

/// Inserts `$out` (an `&Outgoing`) and one delivery per distinct inbox inside the open
/// transaction `$tx`, on either backend. Errors are `sqlx::Error`s for the caller's `?`.
macro_rules! queue_in_tx {
    ($tx:ident, $out:expr) => {{
        let out: &$crate::db::federation::Outgoing = $out;
        let now = chrono::Utc::now();
        let id: i64 = sqlx::query_scalar(
            "insert into activities (ap_id, org_id, json, created_at) values ($1, $2, $3, $4) returning id",
        )
        .bind(&out.ap_id)
        .bind(out.org_id)
        .bind(&out.json)
        .bind(now)
        .fetch_one(&mut *$tx)
        .await?;
        let mut inboxes: Vec<&String> = out.inboxes.iter().collect();
        inboxes.sort();
        inboxes.dedup();
        // many rows per statement: a publication to thousands of servers is one short transaction
        for chunk in inboxes.chunks(200) {
            let rows: Vec<String> =
                (0..chunk.len()).map(|i| format!("($1, ${}, ${}, $2, $2, $2)", 3 + 2 * i, 4 + 2 * i)).collect();
            let sql = format!(
                "insert into deliveries (activity_id, inbox, host, next_attempt_at, created_at, updated_at) values {}",
                rows.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(id).bind(now);
            for inbox in chunk {
                let host =
                    url::Url::parse(inbox).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
                q = q.bind(inbox.as_str()).bind(host);
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use queue_in_tx;

/// A delivery `d` that is due ($1 = now), not leased, not to a dead host (but for one try a
/// day, $4 = a day ago, to see whether it is back), and the first still pending to its
/// inbox: one inbox gets its activities one at a time, in order.
const CLAIMABLE: &str = "d.state = 'pending' and d.next_attempt_at <= $1
     and (d.lease_until is null or d.lease_until < $1)
     and d.host not in (select host from federation_hosts where dead and updated_at > $4)
     and not exists (select 1 from deliveries e where e.inbox = d.inbox and e.state = 'pending' and e.id < d.id)";

/// Counts a failure of host $1, once per day ($2); the third day marks it dead.
const HOST_FAILED: &str = "insert into federation_hosts (host, failure_days, last_failure_day, dead, updated_at)
     values ($1, 1, $2, false, $3)
     on conflict (host) do update set
       failure_days = case when federation_hosts.last_failure_day = $2 then federation_hosts.failure_days
                           else federation_hosts.failure_days + 1 end,
       dead = case when federation_hosts.last_failure_day = $2 then federation_hosts.dead
                   else federation_hosts.failure_days + 1 >= 3 end,
       last_failure_day = $2, updated_at = $3";

/// The `n` hosts $2, $3 ... answered ($1 = now): those failing or dead are alive again.
fn revive_hosts(n: usize) -> String {
    format!(
        "update federation_hosts set failure_days = 0, dead = false, updated_at = $1
         where (failure_days > 0 or dead) and host in ({})",
        placeholders(2, n)
    )
}

const REMOTE_COLUMNS: &str =
    "id, ap_id, kind, preferred_username, name, inbox, shared_inbox, public_key, domain, fetched_at";

impl Db {
    pub async fn upsert_remote_actor(&self, a: &RemoteActor) -> AppResult<RemoteActor> {
        let sql = format!(
            "insert into remote_actors (ap_id, kind, preferred_username, name, inbox, shared_inbox, public_key, domain, fetched_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (ap_id) do update set kind = excluded.kind, preferred_username = excluded.preferred_username,
               name = excluded.name, inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
               public_key = excluded.public_key, fetched_at = excluded.fetched_at
             returning {REMOTE_COLUMNS}"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(&a.ap_id).bind(&a.kind).bind(&a.preferred_username).bind(&a.name).bind(&a.inbox)
            .bind(&a.shared_inbox).bind(&a.public_key).bind(&a.domain).bind(a.fetched_at)
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

    /// Stores an activity and one pending delivery per distinct inbox, in one transaction.
    pub async fn queue_activity(
        &self,
        org_id: Option<i64>,
        ap_id: &str,
        json: &str,
        inboxes: &[String],
    ) -> AppResult<()> {
        let out = Outgoing { org_id, ap_id: ap_id.to_string(), json: json.to_string(), inboxes: inboxes.to_vec() };
        let r: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            queue_in_tx!(tx, &out);
            tx.commit().await
        }.await);
        Ok(r?)
    }

    /// Claims up to `limit` due deliveries for `lease` (they come back if the claimer dies):
    /// at most `per_host` of any one host, and none of the hosts in `busy` (which already
    /// have requests in flight), so that every row claimed can be sent at once.
    pub async fn claim_deliveries(
        &self,
        limit: i64,
        per_host: i64,
        busy: &[&str],
        lease: Duration,
    ) -> AppResult<Vec<DueDelivery>> {
        let now = Utc::now();
        let until = now + lease;
        let a_day_ago = now - Duration::hours(24);
        let not_busy = if busy.is_empty() {
            String::new()
        } else {
            format!("and d.host not in ({})", placeholders(6, busy.len()))
        };
        let ranked = format!(
            "select id from (select d.id, d.next_attempt_at,
                row_number() over (partition by d.host order by d.next_attempt_at, d.id) as n
                from deliveries d where {CLAIMABLE} {not_busy}) ranked
             where n <= $5 order by next_attempt_at limit $2"
        );
        let select = "select d.id, d.inbox, d.host, d.attempts, a.org_id, a.json, a.created_at as activity_created_at
                      from deliveries d join activities a on a.id = d.activity_id where d.id in";
        let rows: Vec<DueDelivery> = match self {
            Db::Postgres(p) => {
                let sql = format!(
                    // the lease is checked again on the locked row itself: a row another node
                    // claimed between this one's snapshot and its lock is passed over
                    "with due as (select id from deliveries d where id in ({ranked})
                       and d.state = 'pending' and (d.lease_until is null or d.lease_until < $1)
                       for update skip locked),
                     claimed as (update deliveries set lease_until = $3 where id in (select id from due) returning id)
                     {select} (select id from claimed)"
                );
                let mut q = sqlx::query_as(&sql).bind(now).bind(limit).bind(until).bind(a_day_ago).bind(per_host);
                for h in busy {
                    q = q.bind(*h);
                }
                q.fetch_all(p).await?
            }
            Db::Sqlite(p) => {
                // one statement, so the write lock is taken at once: a read-then-write
                // transaction could not upgrade its lock while another writer is busy
                let sql = format!("update deliveries set lease_until = $3 where id in ({ranked}) returning id");
                let mut q = sqlx::query_scalar(&sql).bind(now).bind(limit).bind(until).bind(a_day_ago).bind(per_host);
                for h in busy {
                    q = q.bind(*h);
                }
                let ids: Vec<i64> = q.fetch_all(p).await?;
                let ids = serde_json::to_string(&ids).map_err(crate::error::AppError::internal)?;
                sqlx::query_as(&format!("{select} (select value from json_each($1))")).bind(ids).fetch_all(p).await?
            }
        };
        Ok(rows)
    }

    /// Records what became of sent deliveries, and what it says of their hosts, in one
    /// transaction (one write on SQLite however many were sent).
    pub async fn finish_deliveries(&self, done: &[Finished]) -> AppResult<()> {
        if done.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let today = now.format("%Y-%m-%d").to_string();
        let mut answered: Vec<&str> = done.iter().filter(|f| f.host_answered).map(|f| f.host.as_str()).collect();
        let mut silent: Vec<&str> = done.iter().filter(|f| !f.host_answered).map(|f| f.host.as_str()).collect();
        answered.sort_unstable();
        answered.dedup();
        silent.sort_unstable();
        silent.dedup();
        silent.retain(|h| answered.binary_search(h).is_err());
        let r: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // the usual outcome, delivered, in few statements
            let delivered: Vec<i64> = done.iter().filter(|f| f.finish == Finish::Done).map(|f| f.id).collect();
            for chunk in delivered.chunks(500) {
                let sql = format!(
                    "update deliveries set state = 'done', lease_until = null, updated_at = $1 where id in ({})",
                    placeholders(2, chunk.len()));
                let mut q = sqlx::query(&sql).bind(now);
                for id in chunk {
                    q = q.bind(id);
                }
                q.execute(&mut *tx).await?;
            }
            for f in done {
                let (state, next_at, error) = match &f.finish {
                    Finish::Done => continue,
                    Finish::Retry { error, at } => ("pending", *at, error),
                    Finish::Failed { error } => ("failed", now, error),
                };
                let error: String = error.chars().take(500).collect();
                sqlx::query(
                    "update deliveries set state = $1, attempts = attempts + 1, next_attempt_at = $2, lease_until = null,
                     last_error = $3, updated_at = $4 where id = $5")
                    .bind(state).bind(next_at).bind(error).bind(now).bind(f.id)
                    .execute(&mut *tx).await?;
            }
            for chunk in answered.chunks(500) {
                let sql = revive_hosts(chunk.len());
                let mut q = sqlx::query(&sql).bind(now);
                for host in chunk {
                    q = q.bind(*host);
                }
                q.execute(&mut *tx).await?;
            }
            for host in &silent {
                sqlx::query(HOST_FAILED).bind(host).bind(&today).bind(now).execute(&mut *tx).await?;
                // a host that does not answer is backed off as a whole: its other deliveries
                // wait as long as the one that failed, instead of each timing out in turn
                let retry_at = done.iter().filter(|f| f.host == *host).filter_map(|f| match &f.finish {
                    Finish::Retry { at, .. } => Some(*at),
                    _ => None,
                }).max();
                if let Some(at) = retry_at {
                    sqlx::query("update deliveries set next_attempt_at = $1
                                 where host = $2 and state = 'pending' and next_attempt_at < $1
                                 and (lease_until is null or lease_until < $3)")
                        .bind(at).bind(host).bind(now).execute(&mut *tx).await?;
                }
            }
            tx.commit().await
        }.await);
        Ok(r?)
    }

    /// The JSON of an activity this instance sent, while it is kept.
    pub async fn sent_activity(&self, ap_id: &str) -> AppResult<Option<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select json from activities where ap_id = $1")
            .bind(ap_id).fetch_optional(p).await)?)
    }

    /// The JSON of activities an organisation sent, oldest first.
    pub async fn sent_activities(&self, org_id: i64) -> AppResult<Vec<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select json from activities where org_id = $1 order by id")
            .bind(org_id).fetch_all(p).await)?)
    }

    /// `host` answered, or sent an activity: if it was failing or dead, it is alive again.
    pub async fn host_ok(&self, host: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(&revive_hosts(1)).bind(Utc::now()).bind(host).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Revives a host and puts its failed deliveries back in the queue; returns how many.
    pub async fn retry_host(&self, host: &str) -> AppResult<u64> {
        let now = Utc::now();
        self.host_ok(host).await?;
        Ok(on_pool!(self, p => sqlx::query(
            "update deliveries set state = 'pending', attempts = 0, next_attempt_at = $2, lease_until = null, updated_at = $2
             where host = $1 and state in ('pending', 'failed')")
            .bind(host).bind(now).execute(p).await.map(|r| r.rows_affected()))?)
    }

    /// (host, pending, failed, dead) for every host with work left or trouble.
    pub async fn host_status(&self) -> AppResult<Vec<(String, i64, i64, bool)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select h.host,
                    (select count(*) from deliveries d where d.host = h.host and d.state = 'pending'),
                    (select count(*) from deliveries d where d.host = h.host and d.state = 'failed'),
                    coalesce((select f.dead from federation_hosts f where f.host = h.host), false)
             from (select host from deliveries where state in ('pending', 'failed')
                   union select host from federation_hosts where dead or failure_days > 0) h
             order by h.host")
            .fetch_all(p).await)?)
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

    pub async fn delivery_status(&self) -> AppResult<DeliveryStatus> {
        let rows: Vec<(String, i64)> = on_pool!(self, p => sqlx::query_as(
            "select state, count(*) from deliveries group by state").fetch_all(p).await)?;
        let mut s = DeliveryStatus::default();
        for (state, n) in rows {
            match state.as_str() {
                "pending" => s.pending = n,
                "failed" => s.failed = n,
                _ => s.done = n,
            }
        }
        Ok(s)
    }
}
