//! The agenda's events: one row each, with their texts, terms and related resources in
//! child tables (replaced whole on each change, in one transaction).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{on_pool, placeholders, Db};
use crate::error::AppResult;
use crate::model::event::{NewEvent, Organizer, Place};

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
    /// The end of the last occurrence of a recurring event (`end_utc` otherwise).
    pub last_end_utc: DateTime<Utc>,
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
    pub languages: Vec<String>,
    pub interpretation: Vec<String>,
    pub organizers: Vec<Organizer>,
    /// (lang, notes on access)
    pub accessibility: Vec<(String, String)>,
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
    last_end_utc: DateTime<Utc>,
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
    spoken_languages: String,
    interpretation: String,
    organizers: String,
}

/// How much of an event to load.
#[derive(Clone, Copy, PartialEq)]
enum Load {
    Whole,
    Calendar,
}

/// A comma-separated list as stored.
fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// Which events a list wants: instants (`from` inclusive of events, and series, still going
/// on), kind, organisation, terms (any of each scheme's), a text language, local or partners'
/// events, words of the title, summary or case number.
#[derive(Debug, Clone, Default)]
pub struct EventFilters {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub kind: Option<String>,
    pub org_id: Option<i64>,
    pub mechanisms: Vec<String>,
    pub themes: Vec<String>,
    pub countries: Vec<String>,
    pub language: Option<String>,
    /// `Some(true)`: this instance's events only; `Some(false)`: partners' only.
    pub local: Option<bool>,
    pub q: Option<String>,
    /// Past events: the latest first.
    pub newest_first: bool,
}

/// Counts of the events a filter finds.
#[derive(Debug, Clone, Default)]
pub struct EventFacets {
    pub total: i64,
    pub kinds: Vec<(String, i64)>,
    /// (handle, count)
    pub orgs: Vec<(String, i64)>,
    /// (scheme, term, count)
    pub terms: Vec<(String, String, i64)>,
    pub languages: Vec<(String, i64)>,
    /// ("local" | "partners", count)
    pub origins: Vec<(String, i64)>,
}

/// A value bound to a query built at run time.
enum Arg {
    Time(DateTime<Utc>),
    Text(String),
    Int(i64),
    Bool(bool),
}

/// Binds `Arg`s in order (a macro, as the query's type differs by database).
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args.iter() {
            q = match a {
                Arg::Time(t) => q.bind(*t),
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Int(i) => q.bind(*i),
                Arg::Bool(b) => q.bind(*b),
            };
        }
        q
    }};
}

/// `%` and `_` taken literally in a LIKE pattern (with `escape '\'`).
fn like_escaped(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

impl EventFilters {
    /// The `where` clause (on `events e`) and its arguments, numbered from `$1`.
    fn sql(&self) -> (String, Vec<Arg>) {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        let next = |a: Arg, args: &mut Vec<Arg>| {
            args.push(a);
            format!("${}", args.len())
        };
        if let Some(t) = self.from {
            conds.push(format!("e.last_end_utc >= {}", next(Arg::Time(t), &mut args)));
        }
        if let Some(t) = self.to {
            conds.push(format!("e.start_utc < {}", next(Arg::Time(t), &mut args)));
        }
        if let Some(k) = &self.kind {
            conds.push(format!("e.kind = {}", next(Arg::Text(k.clone()), &mut args)));
        }
        for (scheme, values) in [("mechanism", &self.mechanisms), ("theme", &self.themes), ("country", &self.countries)]
        {
            if values.is_empty() {
                continue;
            }
            let list: Vec<String> = values.iter().map(|v| next(Arg::Text(v.clone()), &mut args)).collect();
            conds.push(format!(
                "e.id in (select t.event_id from event_terms t where t.scheme = '{scheme}' and t.term in ({}))",
                list.join(", ")
            ));
        }
        if let Some(o) = self.org_id {
            conds.push(format!("e.org_id = {}", next(Arg::Int(o), &mut args)));
        }
        if let Some(l) = &self.language {
            conds.push(format!(
                "e.id in (select x.event_id from event_texts x where x.lang = {})",
                next(Arg::Text(l.clone()), &mut args)
            ));
        }
        if let Some(local) = self.local {
            conds.push(format!("e.local = {}", next(Arg::Bool(local), &mut args)));
        }
        if let Some(q) = self.q.as_deref() {
            // every word (folded as the text was) somewhere in its titles, summaries or case
            for word in crate::search::fold(q).split_whitespace().take(8) {
                let n = next(Arg::Text(format!("%{}%", like_escaped(word))), &mut args);
                conds.push(format!("e.search_text like {n} escape '\\'"));
            }
        }
        let where_ = if conds.is_empty() { String::new() } else { format!("where {}", conds.join(" and ")) };
        (where_, args)
    }
}

/// Writes an event's texts, terms and resources (after its old ones were deleted).
macro_rules! write_children {
    ($tx:ident, $id:expr, $e:expr, $resource_ids:expr) => {{
        for (lang, title, summary, description, html) in &$e.texts {
            let access = $e.accessibility.iter().find(|(l, _)| l == lang).map(|(_, a)| a.as_str()).unwrap_or_default();
            sqlx::query("insert into event_texts (event_id, lang, title, summary, description, description_html, accessibility) values ($1, $2, $3, $4, $5, $6, $7)")
                .bind($id).bind(lang).bind(title).bind(summary).bind(description).bind(html).bind(access).execute(&mut *$tx).await?;
        }
        sqlx::query("update events set spoken_languages = $1, interpretation = $2, organizers = $3 where id = $4")
            .bind($e.languages.join(",")).bind($e.interpretation.join(","))
            .bind(serde_json::to_string(&$e.organizers).unwrap_or_else(|_| "[]".into())).bind($id)
            .execute(&mut *$tx).await?;
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
    /// Stores a new event (this instance's, or a partner's as `origin` says); its id.
    pub async fn insert_event(
        &self,
        org_id: i64,
        uid: &str,
        e: &NewEvent,
        resource_ids: &[i64],
        origin: &Origin<'_>,
    ) -> AppResult<i64> {
        let now = Utc::now();
        let place = e.place.as_ref().map(|p| serde_json::to_string(p).unwrap_or_default());
        let (ap_id, remote_updated) = origin.remote.unzip();
        let id: Result<i64, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "insert into events (uid, org_id, kind, status, original_language, start_local, end_local, timezone, all_day,
                 start_utc, end_utc, place, online_url, case_name, case_number, session, source_url, registration_url, rrule,
                 sequence, local, created_at, updated_at, last_end_utc, search_text, ap_id, remote_updated,
                 previous_start_local, external_id)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 0, $20, $21, $21,
                 $22, $23, $24, $25, $26, $27)
                 returning id")
                .bind(uid).bind(org_id).bind(&e.kind).bind(&e.status).bind(&e.original_language).bind(&e.start_local)
                .bind(&e.end_local).bind(&e.timezone).bind(e.all_day).bind(e.start_utc).bind(e.end_utc).bind(&place)
                .bind(&e.online_url).bind(&e.case_name).bind(&e.case_number).bind(&e.session).bind(&e.source_url)
                .bind(&e.registration_url).bind(&e.rrule).bind(origin.remote.is_none()).bind(now).bind(e.last_end_utc)
                .bind(e.search_text()).bind(ap_id).bind(remote_updated.flatten()).bind(origin.previous_start)
                .bind(origin.external_id)
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
        remote_updated: Option<DateTime<Utc>>,
    ) -> AppResult<()> {
        let now = Utc::now();
        let place = e.place.as_ref().map(|p| serde_json::to_string(p).unwrap_or_default());
        let r: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "update events set kind = $1, status = $2, original_language = $3, start_local = $4, end_local = $5,
                 timezone = $6, all_day = $7, start_utc = $8, end_utc = $9, place = $10, online_url = $11, case_name = $12,
                 case_number = $13, session = $14, source_url = $15, registration_url = $16, rrule = $17,
                 previous_start_local = $18, sequence = sequence + 1, updated_at = $19, last_end_utc = $21,
                 search_text = $22, remote_updated = $23 where id = $20")
                .bind(&e.kind).bind(&e.status).bind(&e.original_language).bind(&e.start_local).bind(&e.end_local)
                .bind(&e.timezone).bind(e.all_day).bind(e.start_utc).bind(e.end_utc).bind(&place).bind(&e.online_url)
                .bind(&e.case_name).bind(&e.case_number).bind(&e.session).bind(&e.source_url).bind(&e.registration_url)
                .bind(&e.rrule).bind(previous_start).bind(now).bind(id).bind(e.last_end_utc).bind(e.search_text())
                .bind(remote_updated)
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

    /// Forgets every event of an organisation (a partner's actor that was deleted).
    pub async fn delete_events_of_org(&self, org_id: i64) -> AppResult<u64> {
        Ok(
            on_pool!(self, p => sqlx::query("delete from events where org_id = $1").bind(org_id).execute(p).await.map(|r| r.rows_affected()))?,
        )
    }

    pub async fn event_by_uid(&self, uid: &str) -> AppResult<Option<Event>> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar("select id from events where uid = $1").bind(uid).fetch_optional(p).await)?;
        Ok(match id {
            Some(id) => self.load_events(&[id]).await?.pop(),
            None => None,
        })
    }

    /// A page of events in start order (newest first for past events), and whether more follow.
    pub async fn list_events(&self, f: &EventFilters, offset: i64, limit: i64) -> AppResult<(Vec<Event>, bool)> {
        self.list_events_as(f, offset, limit, Load::Whole).await
    }

    /// Events for a calendar: what ICS shows of them (no descriptions, terms or related
    /// resources, which a calendar does not carry), so a feed of a thousand moves less.
    pub async fn list_calendar_events(&self, f: &EventFilters, limit: i64) -> AppResult<Vec<Event>> {
        Ok(self.list_events_as(f, 0, limit, Load::Calendar).await?.0)
    }

    async fn list_events_as(
        &self,
        f: &EventFilters,
        offset: i64,
        limit: i64,
        load: Load,
    ) -> AppResult<(Vec<Event>, bool)> {
        let (where_, args) = f.sql();
        let order = if f.newest_first { "e.start_utc desc, e.id desc" } else { "e.start_utc, e.id" };
        let sql =
            format!("select e.id from events e {where_} order by {order} limit {} offset {}", limit + 1, offset.max(0));
        let mut ids: Vec<i64> = on_pool!(self, p => {
            let q = bind_args!(sqlx::query_scalar::<_, i64>(&sql), &args);
            q.fetch_all(p).await
        })?;
        let more = ids.len() as i64 > limit;
        ids.truncate(limit as usize);
        Ok((self.load_events_as(&ids, load).await?, more))
    }

    /// What a list of events holds, in short: how many match `f` and when the latest of them
    /// changed. Two lists with the same fingerprint are the same list.
    pub async fn event_fingerprint(&self, f: &EventFilters) -> AppResult<(i64, Option<DateTime<Utc>>)> {
        let (where_, args) = f.sql();
        let sql = format!("select count(*), max(e.updated_at) from events e {where_}");
        let (n, latest): (i64, Option<DateTime<Utc>>) = on_pool!(self, p => {
            let q = bind_args!(sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(&sql), &args);
            q.fetch_one(p).await
        })?;
        Ok((n, latest))
    }

    /// How many events match `f`, by kind, organisation, term, language and origin.
    pub async fn event_facets(&self, f: &EventFilters) -> AppResult<EventFacets> {
        let (where_, args) = f.sql();
        let kinds = format!("select e.kind, count(*) from events e {where_} group by e.kind order by 2 desc, 1");
        let orgs = format!(
            "select o.handle, count(*) from events e join orgs o on o.id = e.org_id {where_} group by o.handle order by 2 desc, 1"
        );
        let terms = format!(
            "select t.scheme || ' ' || t.term, count(*) from event_terms t join events e on e.id = t.event_id {where_}
             group by t.scheme, t.term order by 2 desc, 1"
        );
        let langs = format!(
            "select x.lang, count(*) from event_texts x join events e on e.id = x.event_id {where_} group by x.lang order by 2 desc, 1"
        );
        let origin = format!(
            "select case when e.local then 'local' else 'partners' end, count(*) from events e {where_} group by e.local order by 1"
        );
        type Counts = Vec<(String, i64)>;
        let mut found: Vec<Counts> = Vec::new();
        for sql in [&kinds, &orgs, &terms, &langs, &origin] {
            found.push(on_pool!(self, p => {
                let q = bind_args!(sqlx::query_as::<_, (String, i64)>(sql), &args);
                q.fetch_all(p).await
            })?);
        }
        let [kinds, orgs, terms, languages, origins]: [Counts; 5] =
            found.try_into().map_err(|_| crate::error::AppError::internal("facet queries"))?;
        let total = kinds.iter().map(|(_, n)| n).sum();
        let terms = terms
            .into_iter()
            .filter_map(|(st, n)| st.split_once(' ').map(|(s, t)| (s.to_string(), t.to_string(), n)))
            .collect();
        Ok(EventFacets { total, kinds, orgs, terms, languages, origins })
    }

    /// Events by id, in the order given.
    pub async fn load_events(&self, ids: &[i64]) -> AppResult<Vec<Event>> {
        self.load_events_as(ids, Load::Whole).await
    }

    async fn load_events_as(&self, ids: &[i64], load: Load) -> AppResult<Vec<Event>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // the ids as one parameter (a page of a thousand events is one value, not a thousand
        // to parse and plan): an array for PostgreSQL, a JSON array for SQLite
        let list = match self {
            Db::Postgres(_) => "= any($1)",
            // one JSON array: the statement stays the same whatever the page's size, so it is
            // prepared once, not once per count of ids
            Db::Sqlite(_) => "in (select value from json_each($1))",
        };
        let rows_sql = format!(
            "select e.id, e.uid, e.org_id, o.handle as org_handle, e.kind, e.status, e.original_language, e.start_local,
             e.end_local, e.timezone, e.all_day, e.start_utc, e.end_utc, e.last_end_utc, e.previous_start_local, e.place, e.online_url,
             e.case_name, e.case_number, e.session, e.source_url, e.registration_url, e.rrule, e.sequence, e.local, e.ap_id,
             e.created_at, e.updated_at, e.spoken_languages, e.interpretation, e.organizers
             from events e join orgs o on o.id = e.org_id where e.id {list}"
        );
        let texts_sql = match load {
            Load::Whole => format!(
                "select event_id, lang, title, summary, description, description_html, accessibility from event_texts where event_id {list}"
            ),
            Load::Calendar => {
                format!("select event_id, lang, title, summary, '', '', '' from event_texts where event_id {list}")
            }
        };
        let whole = load == Load::Whole;
        let terms_sql =
            format!("select event_id, scheme, term from event_terms where event_id {list} order by scheme, term");
        let res_sql = format!(
            "select x.event_id, r.uid from event_resources x join resources r on r.id = x.resource_id where x.event_id {list} order by r.uid"
        );
        type TextRow = (i64, String, String, String, String, String, String);
        let (rows, texts, terms, resources) = match self {
            Db::Postgres(p) => {
                let ids = ids.to_vec();
                (
                    sqlx::query_as::<_, EventRow>(&rows_sql).bind(&ids).fetch_all(p).await?,
                    sqlx::query_as::<_, TextRow>(&texts_sql).bind(&ids).fetch_all(p).await?,
                    if whole {
                        sqlx::query_as::<_, (i64, String, String)>(&terms_sql).bind(&ids).fetch_all(p).await?
                    } else {
                        Vec::new()
                    },
                    if whole {
                        sqlx::query_as::<_, (i64, String)>(&res_sql).bind(&ids).fetch_all(p).await?
                    } else {
                        Vec::new()
                    },
                )
            }
            Db::Sqlite(p) => {
                let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
                (
                    sqlx::query_as::<_, EventRow>(&rows_sql).bind(&ids).fetch_all(p).await?,
                    sqlx::query_as::<_, TextRow>(&texts_sql).bind(&ids).fetch_all(p).await?,
                    if whole {
                        sqlx::query_as::<_, (i64, String, String)>(&terms_sql).bind(&ids).fetch_all(p).await?
                    } else {
                        Vec::new()
                    },
                    if whole {
                        sqlx::query_as::<_, (i64, String)>(&res_sql).bind(&ids).fetch_all(p).await?
                    } else {
                        Vec::new()
                    },
                )
            }
        };
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
                    last_end_utc: r.last_end_utc,
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
                    languages: split_list(&r.spoken_languages),
                    interpretation: split_list(&r.interpretation),
                    organizers: serde_json::from_str(&r.organizers).unwrap_or_default(),
                    accessibility: Vec::new(),
                };
                (r.id, e)
            })
            .collect();
        for (id, lang, title, summary, description, html, access) in texts {
            if let Some(e) = by_id.get_mut(&id) {
                if !access.is_empty() {
                    e.accessibility.push((lang.clone(), access));
                }
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

impl Db {
    /// Announces `payload` on a PostgreSQL channel (every node listening hears it).
    pub async fn notify(&self, channel: &str, payload: &str) -> AppResult<()> {
        if let Db::Postgres(p) = self {
            sqlx::query("select pg_notify($1, $2)").bind(channel).bind(payload).execute(p).await?;
        }
        Ok(())
    }

    /// A connection listening on a PostgreSQL channel.
    pub async fn listen(&self, channel: &str) -> AppResult<sqlx::postgres::PgListener> {
        match self {
            Db::Postgres(p) => {
                let mut l = sqlx::postgres::PgListener::connect_with(p).await?;
                l.listen(channel).await?;
                Ok(l)
            }
            Db::Sqlite(_) => Err(crate::error::AppError::internal("LISTEN needs PostgreSQL")),
        }
    }
}

/// Where a new event comes from, as stored with it.
#[derive(Debug, Default)]
pub struct Origin<'a> {
    /// A partner's: its ActivityPub id, and when its server says it last changed.
    pub remote: Option<(&'a str, Option<DateTime<Utc>>)>,
    /// The start a postponement replaced.
    pub previous_start: Option<&'a str>,
    /// Its UID in an imported calendar.
    pub external_id: Option<&'a str>,
}

/// A partner's event as its server last sent it.
pub struct RemoteEvent<'a> {
    pub org_id: i64,
    pub ap_id: &'a str,
    pub event: &'a NewEvent,
    /// When its server says it changed (`updated`): an older copy arriving late is ignored.
    pub updated: Option<DateTime<Utc>>,
    pub previous_start: Option<&'a str>,
}

/// What storing a partner's event did.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    New(String),
    Changed(String),
    /// A copy older than the one kept (a late arrival).
    Stale,
    /// The id is another actor's event.
    NotTheirs,
}

impl Db {
    /// Stores or replaces a partner's event, by its ActivityPub id.
    pub async fn upsert_remote_event(&self, r: &RemoteEvent<'_>) -> AppResult<Stored> {
        let existing: Option<(i64, String, i64, Option<DateTime<Utc>>)> = on_pool!(self, p =>
            sqlx::query_as("select id, uid, org_id, remote_updated from events where ap_id = $1")
                .bind(r.ap_id).fetch_optional(p).await)?;
        match existing {
            Some((_, _, owner, _)) if owner != r.org_id => Ok(Stored::NotTheirs),
            Some((_, _, _, Some(kept))) if r.updated.is_some_and(|u| u < kept) => Ok(Stored::Stale),
            Some((id, uid, _, _)) => {
                self.update_event(id, r.event, &[], r.previous_start, r.updated).await?;
                Ok(Stored::Changed(uid))
            }
            None => {
                let uid = super::new_uid();
                let origin =
                    Origin { remote: Some((r.ap_id, r.updated)), previous_start: r.previous_start, external_id: None };
                match self.insert_event(r.org_id, &uid, r.event, &[], &origin).await {
                    Ok(_) => Ok(Stored::New(uid)),
                    // a Create and an Update arriving at once: the other one stored it
                    Err(crate::error::AppError::Conflict(_)) => Ok(Stored::Stale),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// A partner's event by its ActivityPub id.
    pub async fn event_by_ap_id(&self, ap_id: &str) -> AppResult<Option<Event>> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar("select id from events where ap_id = $1").bind(ap_id).fetch_optional(p).await)?;
        Ok(match id {
            Some(id) => self.load_events(&[id]).await?.pop(),
            None => None,
        })
    }
}

impl Db {
    /// The uid of `org_id`'s event imported with this external id (an ICS UID).
    pub async fn event_uid_by_external_id(&self, org_id: i64, external_id: &str) -> AppResult<Option<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select uid from events where org_id = $1 and external_id = $2")
            .bind(org_id).bind(external_id).fetch_optional(p).await)?)
    }
}
