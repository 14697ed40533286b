//! The agenda's events: one row each, with their texts, terms and related resources in
//! child tables (replaced whole on each change, in one transaction).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{on_pool, placeholders, Db};
use crate::error::AppResult;
use crate::model::event::{NewEvent, Place};

/// An event as stored, with what hangs off it.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub org_handle: String,
    pub kind: String,
    pub status: String,
    pub original_language: String,
    pub start_local: String,
    pub end_local: Option<String>,
    pub timezone: String,
    pub all_day: bool,
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
    pub previous_start_local: Option<String>,
    pub place: Option<Place>,
    pub online_url: Option<String>,
    pub case_name: Option<String>,
    pub case_number: Option<String>,
    pub session: Option<String>,
    pub source_url: Option<String>,
    pub registration_url: Option<String>,
    pub rrule: Option<String>,
    pub sequence: i64,
    pub local: bool,
    pub ap_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// (lang, title, summary, description, description_html), the original language first.
    pub texts: Vec<(String, String, String, String, String)>,
    /// (scheme, term)
    pub terms: Vec<(String, String)>,
    /// uids of related resources
    pub resources: Vec<String>,
}

impl Event {
    /// The text in `lang`, or else the original one: (lang, title, summary, description, html).
    pub fn text_for(&self, lang: &str) -> Option<&(String, String, String, String, String)> {
        self.texts.iter().find(|t| t.0 == lang).or_else(|| self.texts.first())
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    uid: String,
    org_id: i64,
    org_handle: String,
    kind: String,
    status: String,
    original_language: String,
    start_local: String,
    end_local: Option<String>,
    timezone: String,
    all_day: bool,
    start_utc: DateTime<Utc>,
    end_utc: DateTime<Utc>,
    previous_start_local: Option<String>,
    place: Option<String>,
    online_url: Option<String>,
    case_name: Option<String>,
    case_number: Option<String>,
    session: Option<String>,
    source_url: Option<String>,
    registration_url: Option<String>,
    rrule: Option<String>,
    sequence: i64,
    local: bool,
    ap_id: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Which events a list wants: instants (`from` inclusive of events still going on), kind,
/// organisation, and terms (any of each scheme's).
#[derive(Debug, Clone, Default)]
pub struct EventFilters {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub kind: Option<String>,
    pub org_id: Option<i64>,
    pub mechanisms: Vec<String>,
    pub themes: Vec<String>,
    pub countries: Vec<String>,
}

/// Writes an event's texts, terms and resources (after its old ones were deleted).
macro_rules! write_children {
    ($tx:ident, $id:expr, $e:expr, $resource_ids:expr) => {{
        for (lang, title, summary, description, html) in &$e.texts {
            sqlx::query("insert into event_texts (event_id, lang, title, summary, description, description_html) values ($1, $2, $3, $4, $5, $6)")
                .bind($id).bind(lang).bind(title).bind(summary).bind(description).bind(html).execute(&mut *$tx).await?;
        }
        for (scheme, term) in &$e.terms {
            sqlx::query("insert into event_terms (event_id, scheme, term) values ($1, $2, $3)")
                .bind($id).bind(scheme).bind(term).execute(&mut *$tx).await?;
        }
        for rid in $resource_ids {
            sqlx::query("insert into event_resources (event_id, resource_id) values ($1, $2)")
                .bind($id).bind(rid).execute(&mut *$tx).await?;
        }
    }};
}

impl Db {
    /// Stores a new local event; its id.
    pub async fn insert_event(&self, org_id: i64, uid: &str, e: &NewEvent, resource_ids: &[i64]) -> AppResult<i64> {
        let now = Utc::now();
        let place = e.place.as_ref().map(|p| serde_json::to_string(p).unwrap_or_default());
        let id: Result<i64, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "insert into events (uid, org_id, kind, status, original_language, start_local, end_local, timezone, all_day,
                 start_utc, end_utc, place, online_url, case_name, case_number, session, source_url, registration_url, rrule,
                 sequence, local, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 0, $20, $21, $21)
                 returning id")
                .bind(uid).bind(org_id).bind(&e.kind).bind(&e.status).bind(&e.original_language).bind(&e.start_local)
                .bind(&e.end_local).bind(&e.timezone).bind(e.all_day).bind(e.start_utc).bind(e.end_utc).bind(&place)
                .bind(&e.online_url).bind(&e.case_name).bind(&e.case_number).bind(&e.session).bind(&e.source_url)
                .bind(&e.registration_url).bind(&e.rrule).bind(true).bind(now)
                .fetch_one(&mut *tx).await?;
            write_children!(tx, id, e, resource_ids);
            tx.commit().await?;
            Ok(id)
        }.await);
        Ok(id?)
    }

    /// Replaces an event's fields and children; `previous_start` is kept when it is postponed
    /// or rescheduled; `sequence` goes up by one.
    pub async fn update_event(
        &self,
        id: i64,
        e: &NewEvent,
        resource_ids: &[i64],
        previous_start: Option<&str>,
    ) -> AppResult<()> {
        let now = Utc::now();
        let place = e.place.as_ref().map(|p| serde_json::to_string(p).unwrap_or_default());
        let r: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "update events set kind = $1, status = $2, original_language = $3, start_local = $4, end_local = $5,
                 timezone = $6, all_day = $7, start_utc = $8, end_utc = $9, place = $10, online_url = $11, case_name = $12,
                 case_number = $13, session = $14, source_url = $15, registration_url = $16, rrule = $17,
                 previous_start_local = $18, sequence = sequence + 1, updated_at = $19 where id = $20")
                .bind(&e.kind).bind(&e.status).bind(&e.original_language).bind(&e.start_local).bind(&e.end_local)
                .bind(&e.timezone).bind(e.all_day).bind(e.start_utc).bind(e.end_utc).bind(&place).bind(&e.online_url)
                .bind(&e.case_name).bind(&e.case_number).bind(&e.session).bind(&e.source_url).bind(&e.registration_url)
                .bind(&e.rrule).bind(previous_start).bind(now).bind(id)
                .execute(&mut *tx).await?;
            for table in ["event_texts", "event_terms", "event_resources"] {
                sqlx::query(&format!("delete from {table} where event_id = $1")).bind(id).execute(&mut *tx).await?;
            }
            write_children!(tx, id, e, resource_ids);
            tx.commit().await
        }.await);
        Ok(r?)
    }

    pub async fn delete_event(&self, id: i64) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from events where id = $1").bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn event_by_uid(&self, uid: &str) -> AppResult<Option<Event>> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar("select id from events where uid = $1").bind(uid).fetch_optional(p).await)?;
        Ok(match id {
            Some(id) => self.load_events(&[id]).await?.pop(),
            None => None,
        })
    }

    /// A page of events in start order, and whether more follow.
    pub async fn list_events(&self, f: &EventFilters, offset: i64, limit: i64) -> AppResult<(Vec<Event>, bool)> {
        // arguments are bound in this order: the instants, the texts, the organisation
        let mut conds: Vec<String> = Vec::new();
        let times: Vec<DateTime<Utc>> = f.from.into_iter().chain(f.to).collect();
        let mut n = 0;
        if f.from.is_some() {
            n += 1;
            conds.push(format!("e.end_utc >= ${n}"));
        }
        if f.to.is_some() {
            n += 1;
            conds.push(format!("e.start_utc < ${n}"));
        }
        let mut texts: Vec<String> = Vec::new();
        if let Some(k) = &f.kind {
            texts.push(k.clone());
            conds.push(format!("e.kind = ${}", n + texts.len()));
        }
        for (scheme, values) in [("mechanism", &f.mechanisms), ("theme", &f.themes), ("country", &f.countries)] {
            if values.is_empty() {
                continue;
            }
            let mut list = Vec::new();
            for v in values {
                texts.push(v.clone());
                list.push(format!("${}", n + texts.len()));
            }
            conds.push(format!(
                "e.id in (select t.event_id from event_terms t where t.scheme = '{scheme}' and t.term in ({}))",
                list.join(", ")
            ));
        }
        n += texts.len();
        let org = f.org_id;
        if org.is_some() {
            conds.push(format!("e.org_id = ${}", n + 1));
        }
        let where_ = if conds.is_empty() { String::new() } else { format!("where {}", conds.join(" and ")) };
        let sql = format!(
            "select e.id from events e {where_} order by e.start_utc, e.id limit {} offset {}",
            limit + 1,
            offset.max(0)
        );
        let mut ids: Vec<i64> = on_pool!(self, p => {
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            for t in &times {
                q = q.bind(*t);
            }
            for t in &texts {
                q = q.bind(t);
            }
            if let Some(o) = org {
                q = q.bind(o);
            }
            q.fetch_all(p).await
        })?;
        let more = ids.len() as i64 > limit;
        ids.truncate(limit as usize);
        Ok((self.load_events(&ids).await?, more))
    }

    /// Events by id, in the order given.
    pub async fn load_events(&self, ids: &[i64]) -> AppResult<Vec<Event>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(1, ids.len());
        let rows_sql = format!(
            "select e.id, e.uid, e.org_id, o.handle as org_handle, e.kind, e.status, e.original_language, e.start_local,
             e.end_local, e.timezone, e.all_day, e.start_utc, e.end_utc, e.previous_start_local, e.place, e.online_url,
             e.case_name, e.case_number, e.session, e.source_url, e.registration_url, e.rrule, e.sequence, e.local, e.ap_id,
             e.created_at, e.updated_at from events e join orgs o on o.id = e.org_id where e.id in ({list})"
        );
        let texts_sql = format!(
            "select event_id, lang, title, summary, description, description_html from event_texts where event_id in ({list})"
        );
        let terms_sql =
            format!("select event_id, scheme, term from event_terms where event_id in ({list}) order by scheme, term");
        let res_sql = format!(
            "select x.event_id, r.uid from event_resources x join resources r on r.id = x.resource_id where x.event_id in ({list}) order by r.uid"
        );
        type TextRow = (i64, String, String, String, String, String);
        let (rows, texts, terms, resources) = on_pool!(self, p => {
            let mut q1 = sqlx::query_as::<_, EventRow>(&rows_sql);
            let mut q2 = sqlx::query_as::<_, TextRow>(&texts_sql);
            let mut q3 = sqlx::query_as::<_, (i64, String, String)>(&terms_sql);
            let mut q4 = sqlx::query_as::<_, (i64, String)>(&res_sql);
            for id in ids {
                q1 = q1.bind(id);
                q2 = q2.bind(id);
                q3 = q3.bind(id);
                q4 = q4.bind(id);
            }
            (q1.fetch_all(p).await?, q2.fetch_all(p).await?, q3.fetch_all(p).await?, q4.fetch_all(p).await?)
        });
        let mut by_id: HashMap<i64, Event> = rows
            .into_iter()
            .map(|r| {
                let e = Event {
                    id: r.id,
                    uid: r.uid,
                    org_id: r.org_id,
                    org_handle: r.org_handle,
                    kind: r.kind,
                    status: r.status,
                    original_language: r.original_language,
                    start_local: r.start_local,
                    end_local: r.end_local,
                    timezone: r.timezone,
                    all_day: r.all_day,
                    start_utc: r.start_utc,
                    end_utc: r.end_utc,
                    previous_start_local: r.previous_start_local,
                    place: r.place.and_then(|p| serde_json::from_str(&p).ok()),
                    online_url: r.online_url,
                    case_name: r.case_name,
                    case_number: r.case_number,
                    session: r.session,
                    source_url: r.source_url,
                    registration_url: r.registration_url,
                    rrule: r.rrule,
                    sequence: r.sequence,
                    local: r.local,
                    ap_id: r.ap_id,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                    texts: Vec::new(),
                    terms: Vec::new(),
                    resources: Vec::new(),
                };
                (r.id, e)
            })
            .collect();
        for (id, lang, title, summary, description, html) in texts {
            if let Some(e) = by_id.get_mut(&id) {
                e.texts.push((lang, title, summary, description, html));
            }
        }
        for (id, scheme, term) in terms {
            if let Some(e) = by_id.get_mut(&id) {
                e.terms.push((scheme, term));
            }
        }
        for (id, uid) in resources {
            if let Some(e) = by_id.get_mut(&id) {
                e.resources.push(uid);
            }
        }
        let mut out: Vec<Event> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        for e in &mut out {
            let original = e.original_language.clone();
            e.texts.sort_by_key(|t| (t.0 != original, t.0.clone()));
        }
        Ok(out)
    }

    /// The ids of resources with these uids (those that exist).
    pub async fn resource_ids_by_uid(&self, uids: &[String]) -> AppResult<Vec<(String, i64)>> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("select uid, id from resources where uid in ({})", placeholders(1, uids.len()));
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
            for u in uids {
                q = q.bind(u);
            }
            q.fetch_all(p).await
        })?;
        Ok(rows)
    }
}
