//! Sent activities and their deliveries: queued with the change that causes them, claimed by
//! the delivery workers, settled, and the health of the hosts they go to. Claiming is where the
//! dialects differ: PostgreSQL uses `for update skip locked` (and checks the lease again on the
//! locked row), so several nodes never claim the same row; SQLite has one writer and takes its
//! claim in one statement.

use chrono::{DateTime, Duration, Utc};

use super::{on_pool, placeholders, Db};
use crate::error::AppResult;

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
        let out: &$crate::db::deliveries::Outgoing = $out;
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

impl Db {
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

    /// Claims up to `limit` due deliveries for `owner` (a node) for `lease` (they come back
    /// if the claimer dies): at most `per_host` of any one host, and none of the hosts in
    /// `busy` (which already have requests in flight), so that every row claimed can be sent
    /// at once.
    pub async fn claim_deliveries(
        &self,
        owner: &str,
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
            format!("and d.host not in ({})", placeholders(7, busy.len()))
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
                     claimed as (update deliveries set lease_until = $3, lease_owner = $6
                       where id in (select id from due) returning id)
                     {select} (select id from claimed)"
                );
                let mut q =
                    sqlx::query_as(&sql).bind(now).bind(limit).bind(until).bind(a_day_ago).bind(per_host).bind(owner);
                for h in busy {
                    q = q.bind(*h);
                }
                q.fetch_all(p).await?
            }
            Db::Sqlite(p) => {
                // one statement, so the write lock is taken at once: a read-then-write
                // transaction could not upgrade its lock while another writer is busy
                let sql = format!(
                    "update deliveries set lease_until = $3, lease_owner = $6 where id in ({ranked}) returning id"
                );
                let mut q = sqlx::query_scalar(&sql)
                    .bind(now)
                    .bind(limit)
                    .bind(until)
                    .bind(a_day_ago)
                    .bind(per_host)
                    .bind(owner);
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

    /// Gives back the deliveries `owner` had claimed and not settled: called when a node starts,
    /// so that what its previous run was sending when it died goes out at once rather than
    /// when the lease runs out. Safe with several nodes: only this node's claims, and its
    /// previous run is gone (it held the same address, which this one has just bound).
    pub async fn release_claims(&self, owner: &str) -> AppResult<u64> {
        Ok(on_pool!(self, p => sqlx::query(
            "update deliveries set lease_until = null, lease_owner = null where lease_owner = $1 and state = 'pending'")
            .bind(owner).execute(p).await.map(|r| r.rows_affected()))?)
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
    /// What the instance actor sent (relay subscriptions and announcements), oldest first.
    pub async fn instance_sent_activities(&self) -> AppResult<Vec<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select json from activities where org_id is null order by id")
            .fetch_all(p).await)?)
    }

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

    /// Marks as superseded (done, not sent) the deliveries still waiting, and not being sent,
    /// of activities whose id starts with `prefix` other than `newest`, to `inboxes`: only the
    /// newest of a series of full-state `Update`s needs to go. Returns how many.
    pub async fn supersede_deliveries(&self, prefix: &str, newest: &str, inboxes: &[String]) -> AppResult<u64> {
        if inboxes.is_empty() {
            return Ok(0);
        }
        let now = Utc::now();
        // compared exactly (a range or LIKE would follow PostgreSQL's collation or SQLite's case rules)
        let len = prefix.chars().count() as i64;
        let mut total = 0;
        for chunk in inboxes.chunks(200) {
            let sql = format!(
                "update deliveries set state = 'done', last_error = 'superseded', lease_until = null, updated_at = $1
                 where state = 'pending' and (lease_until is null or lease_until < $1) and inbox in ({})
                 and exists (select 1 from activities a where a.id = deliveries.activity_id
                             and substr(a.ap_id, 1, cast($3 as integer)) = $2 and a.ap_id <> $4)",
                super::placeholders(5, chunk.len())
            );
            total += on_pool!(self, p => {
                let mut q = sqlx::query(&sql).bind(now).bind(prefix).bind(len).bind(newest);
                for inbox in chunk {
                    q = q.bind(inbox);
                }
                q.execute(p).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(total)
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
