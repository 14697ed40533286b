//! The community of practice's replies and thread settings (`crate::community`).

use chrono::{DateTime, Utc};

use super::{on_pool, Db};
use crate::error::AppResult;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Reply {
    #[serde(skip)]
    pub id: i64,
    pub uid: String,
    pub ap_id: String,
    #[serde(skip)]
    pub resource_id: Option<i64>,
    #[serde(skip)]
    pub event_id: Option<i64>,
    pub in_reply_to: String,
    #[serde(skip)]
    pub org_id: Option<i64>,
    pub author_ap_id: String,
    pub author_name: String,
    pub content: String,
    pub lang: Option<String>,
    pub public: bool,
    pub hidden: bool,
    pub local: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, uid, ap_id, resource_id, event_id, in_reply_to, org_id, author_ap_id, author_name, content, \
                       lang, public, hidden, local, created_at";

pub struct NewReply<'a> {
    pub uid: &'a str,
    pub ap_id: &'a str,
    pub resource_id: Option<i64>,
    pub event_id: Option<i64>,
    pub in_reply_to: &'a str,
    pub org_id: Option<i64>,
    pub author_ap_id: &'a str,
    pub author_name: &'a str,
    pub content: &'a str,
    pub lang: Option<&'a str>,
    pub public: bool,
    pub local: bool,
}

/// How the publishing organisation runs a thread.
#[derive(Debug, Clone, Copy, sqlx::FromRow, serde::Serialize)]
pub struct Thread {
    pub locked: bool,
    pub partners_only: bool,
    pub public_replies: bool,
}

impl Default for Thread {
    fn default() -> Self {
        Thread { locked: false, partners_only: false, public_replies: true }
    }
}

impl Db {
    /// Stores a reply; `None` when one with that id is here already.
    pub async fn insert_reply(&self, r: &NewReply<'_>) -> AppResult<Option<Reply>> {
        let sql = format!(
            "insert into replies (uid, ap_id, resource_id, event_id, in_reply_to, org_id, author_ap_id, author_name,
               content, lang, public, local, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             on conflict (ap_id) do nothing returning {COLUMNS}"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(r.uid).bind(r.ap_id).bind(r.resource_id).bind(r.event_id).bind(r.in_reply_to).bind(r.org_id)
            .bind(r.author_ap_id).bind(r.author_name).bind(r.content).bind(r.lang).bind(r.public).bind(r.local)
            .bind(Utc::now()).fetch_optional(p).await)?)
    }

    /// The replies under a publication (`resource_id`) or an event, oldest first.
    pub async fn replies_of(&self, resource_id: Option<i64>, event_id: Option<i64>) -> AppResult<Vec<Reply>> {
        let sql = format!(
            "select {COLUMNS} from replies where (resource_id = $1 or event_id = $2) order by created_at, id limit 2000"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(resource_id).bind(event_id).fetch_all(p).await)?)
    }

    pub async fn reply_by_ap_id(&self, ap_id: &str) -> AppResult<Option<Reply>> {
        let sql = format!("select {COLUMNS} from replies where ap_id = $1");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(ap_id).fetch_optional(p).await)?)
    }

    pub async fn reply_by_uid(&self, uid: &str) -> AppResult<Option<Reply>> {
        let sql = format!("select {COLUMNS} from replies where uid = $1");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(uid).fetch_optional(p).await)?)
    }

    pub async fn set_reply_hidden(&self, id: i64, hidden: bool) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update replies set hidden = $2 where id = $1")
            .bind(id).bind(hidden).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn delete_reply(&self, id: i64) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from replies where id = $1").bind(id).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// How the thread of an object is run, and whether anything was said in it: one query
    /// for a page whose thread is empty, as most are.
    pub async fn thread_and_any_reply(
        &self,
        object_ap_id: &str,
        resource_id: Option<i64>,
        event_id: Option<i64>,
    ) -> AppResult<(Thread, bool)> {
        // a thread nobody has set up has no row: its settings are the defaults
        let (locked, partners_only, public_replies, any): (Option<bool>, Option<bool>, Option<bool>, bool) = on_pool!(self, p => sqlx::query_as(
            "select t.locked, t.partners_only, t.public_replies,
               exists(select 1 from replies where resource_id = $2 or event_id = $3)
             from (select 1 as one) x left join threads t on t.object_ap_id = $1")
            .bind(object_ap_id).bind(resource_id).bind(event_id).fetch_one(p).await)?;
        let d = Thread::default();
        let thread = Thread {
            locked: locked.unwrap_or(d.locked),
            partners_only: partners_only.unwrap_or(d.partners_only),
            public_replies: public_replies.unwrap_or(d.public_replies),
        };
        Ok((thread, any))
    }

    pub async fn thread(&self, object_ap_id: &str) -> AppResult<Thread> {
        let t: Option<Thread> = on_pool!(self, p => sqlx::query_as(
            "select locked, partners_only, public_replies from threads where object_ap_id = $1")
            .bind(object_ap_id).fetch_optional(p).await)?;
        Ok(t.unwrap_or_default())
    }

    pub async fn set_thread(&self, object_ap_id: &str, t: Thread) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into threads (object_ap_id, locked, partners_only, public_replies) values ($1, $2, $3, $4)
             on conflict (object_ap_id) do update set locked = excluded.locked, partners_only = excluded.partners_only,
               public_replies = excluded.public_replies")
            .bind(object_ap_id).bind(t.locked).bind(t.partners_only).bind(t.public_replies).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Followers' inboxes of an organisation, with the host of each follower's actor.
    pub async fn follower_inboxes_with_hosts(&self, org_id: i64) -> AppResult<Vec<(String, String)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select distinct coalesce(shared_inbox, inbox), actor_id from followers where org_id = $1 and approved")
            .bind(org_id).fetch_all(p).await)?)
    }
}
