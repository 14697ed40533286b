//! Applications to join the instance, messages to its admins, and the directory's query.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};
use crate::error::AppResult;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Application {
    #[serde(skip)]
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub handle: String,
    pub country: Option<String>,
    pub website: Option<String>,
    pub contact: String,
    pub why: String,
    pub lang: String,
    /// pending, approved or declined
    pub state: String,
    pub message: Option<String>,
    #[serde(skip)]
    pub invite_secret: Option<String>,
    pub created_at: DateTime<Utc>,
}

const APPLICATION_COLUMNS: &str =
    "id, uid, name, handle, country, website, contact, why, lang, state, message, invite_secret, created_at";

pub struct NewApplication<'a> {
    pub uid: &'a str,
    pub name: &'a str,
    pub handle: &'a str,
    pub country: Option<&'a str>,
    pub website: Option<&'a str>,
    pub contact: &'a str,
    pub why: &'a str,
    pub lang: &'a str,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ContactMessage {
    pub id: i64,
    pub name: String,
    pub contact: String,
    pub body: String,
    pub lang: String,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

/// An organisation as the directory lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub handle: String,
    pub name: String,
    pub names: String,
    pub descriptions: String,
    pub local: bool,
    pub ap_id: Option<String>,
    pub country: Option<String>,
}

/// The directory's filters; terms hold the chosen term and its narrower ones.
#[derive(Debug, Clone, Default)]
pub struct DirectoryFilters {
    pub country: Option<String>,
    pub themes: Vec<String>,
    pub mechanisms: Vec<String>,
    pub lang: Option<String>,
}

const PUBLISHED: &str = "r.status = 'published' and r.hidden_until is null";

impl Db {
    pub async fn insert_application(&self, a: &NewApplication<'_>) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into applications (uid, name, handle, country, website, contact, why, lang, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(a.uid).bind(a.name).bind(a.handle).bind(a.country).bind(a.website).bind(a.contact).bind(a.why)
            .bind(a.lang).bind(Utc::now()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn application(&self, uid: &str) -> AppResult<Option<Application>> {
        let sql = format!("select {APPLICATION_COLUMNS} from applications where uid = $1");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(uid).fetch_optional(p).await)?)
    }

    /// Pending applications first, then the latest decided ones.
    pub async fn applications(&self, limit: i64) -> AppResult<Vec<Application>> {
        let sql = format!(
            "select {APPLICATION_COLUMNS} from applications
             order by (state = 'pending') desc, created_at desc limit $1"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(limit).fetch_all(p).await)?)
    }

    pub async fn pending_applications(&self) -> AppResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select count(*) from applications where state = 'pending'")
            .fetch_one(p).await)?)
    }

    /// Records the decision on a pending application; false if it was decided already.
    pub async fn decide_application(
        &self,
        uid: &str,
        state: &str,
        message: Option<&str>,
        invite_secret: Option<&str>,
        org_id: Option<i64>,
    ) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query(
            "update applications set state = $2, message = $3, invite_secret = $4, org_id = $5, decided_at = $6
             where uid = $1 and state = 'pending'")
            .bind(uid).bind(state).bind(message).bind(invite_secret).bind(org_id).bind(Utc::now())
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn insert_contact_message(&self, name: &str, contact: &str, body: &str, lang: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into contact_messages (name, contact, body, lang, created_at) values ($1, $2, $3, $4, $5)")
            .bind(name).bind(contact).bind(body).bind(lang).bind(Utc::now()).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn contact_messages(&self, limit: i64) -> AppResult<Vec<ContactMessage>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select id, name, contact, body, lang, read, created_at from contact_messages order by created_at desc limit $1")
            .bind(limit).fetch_all(p).await)?)
    }

    pub async fn unread_contact_messages(&self) -> AppResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select count(*) from contact_messages where not read")
            .fetch_one(p).await)?)
    }

    /// Marks a message read, or deletes it.
    pub async fn contact_message_action(&self, id: i64, delete: bool) -> AppResult<()> {
        let sql = if delete {
            "delete from contact_messages where id = $1"
        } else {
            "update contact_messages set read = true where id = $1"
        };
        on_pool!(self, p => sqlx::query(sql).bind(id).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn set_org_country(&self, org_id: i64, country: Option<&str>) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update orgs set country = $2 where id = $1")
            .bind(org_id).bind(country).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The organisations of this instance and the partners' it knows (never campaigns), by
    /// name, filtered by where they work from or what they publish about, and in which language.
    pub async fn directory(&self, f: &DirectoryFilters) -> AppResult<Vec<Listed>> {
        let mut args: Vec<String> = Vec::new();
        let mut arg = |v: &str| {
            args.push(v.to_string());
            format!("${}", args.len())
        };
        let mut conds = vec!["o.kind = 'organization'".to_string()];
        let publishes = |cond: String| {
            format!("exists (select 1 from resources r join resource_terms t on t.resource_id = r.id where r.org_id = o.id and {PUBLISHED} and {cond})")
        };
        if let Some(c) = &f.country {
            let a = arg(c);
            conds.push(format!("(o.country = {a} or {})", publishes(format!("t.scheme = 'country' and t.term = {a}"))));
        }
        for (scheme, terms) in [("theme", &f.themes), ("mechanism", &f.mechanisms)] {
            if !terms.is_empty() {
                let list = terms.iter().map(|t| arg(t)).collect::<Vec<_>>().join(", ");
                conds.push(publishes(format!("t.scheme = '{scheme}' and t.term in ({list})")));
            }
        }
        if let Some(l) = &f.lang {
            let a = arg(l);
            conds.push(format!(
                "exists (select 1 from resources r join resource_texts x on x.resource_id = r.id where r.org_id = o.id and {PUBLISHED} and x.lang = {a})"
            ));
        }
        let sql = format!(
            "select o.handle, o.name, o.names, o.descriptions, o.local, o.ap_id, o.country from orgs o
             where {} order by o.local desc, lower(o.name) limit 1000",
            conds.join(" and ")
        );
        Ok(on_pool!(self, p => {
            let mut q = sqlx::query_as::<_, Listed>(&sql);
            for a in &args {
                q = q.bind(a.as_str());
            }
            q.fetch_all(p).await
        })?)
    }
}
