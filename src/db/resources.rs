//! Library resources: writing them (with their translations, terms, authors and search
//! document, in one transaction) and reading them back.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::attachments::{replace_remote_files_in_tx, AttachmentRow, ATTACHMENT_COLUMNS};
use super::deliveries::{queue_in_tx, Outgoing};
use super::statements::{write_statement_in_tx, StatementRow};
use super::{new_uid, on_pool, placeholders, Db};
use crate::error::{AppError, AppResult};
use crate::model::resource::{Attachment, NewResource, Resource, Status, StoredText};
use crate::search::IndexDoc;

/// One resource to write: a new one when `id` is `None` (with `uid` if already chosen).
/// `outgoing` is the activity announcing the change, stored in the same transaction;
/// `remote` marks a resource received from another server.
pub struct Write<'a> {
    pub id: Option<i64>,
    pub uid: Option<&'a str>,
    pub org_id: i64,
    pub resource: &'a NewResource,
    pub doc: &'a IndexDoc,
    pub outgoing: Option<&'a Outgoing>,
    pub remote: Option<&'a RemoteRef>,
    /// When the resource was made public (kept from its first publication); `None` while it
    /// has never been.
    pub published_at: Option<DateTime<Utc>>,
    /// The id of the `Create` that makes it public, when this write does.
    pub create_id: Option<&'a str>,
    /// The API client's `Idempotency-Key` of a new resource.
    pub idempotency_key: Option<&'a str>,
}

/// Where a remote resource comes from, the files its server lists, and the id of the activity
/// that brought it: recorded as received in the same transaction, and if it had been received
/// already, the write is skipped (a replay changes nothing).
pub struct RemoteRef {
    pub ap_id: String,
    pub origin_url: String,
    pub files: Vec<Attachment>,
    pub activity: Option<String>,
}

// The search document: the tokens of each field, read by the in-memory index (`crate::index`).
const INDEX: &str = "insert into search_docs (resource_id, title, summary, body, tags, keywords)
    values ($1, $2, $3, $4, $5, $6)
    on conflict (resource_id) do update set title = excluded.title, summary = excluded.summary,
    body = excluded.body, tags = excluded.tags, keywords = excluded.keywords";

#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: i64,
    uid: String,
    org_id: i64,
    org_handle: String,
    org_name: String,
    org_names: String,
    external_id: Option<String>,
    resource_type: String,
    original_language: String,
    status: String,
    sensitive: bool,
    reading_level: Option<String>,
    licence: Option<String>,
    published_on: Option<String>,
    featured: bool,
    local: bool,
    ap_id: Option<String>,
    origin_url: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    create_id: Option<String>,
    hidden_until: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct TextRow {
    resource_id: i64,
    lang: String,
    title: String,
    summary: String,
    body: String,
    body_html: String,
}

/// The columns of a resource's row, with its organisation's handle and names.
const RESOURCE_ROWS: &str = "select r.id, r.uid, r.org_id, o.handle as org_handle, o.name as org_name, o.names as org_names,
    r.external_id, r.resource_type, r.original_language, r.status, r.sensitive, r.reading_level, r.licence, r.published_on,
    r.featured, r.local, r.ap_id, r.origin_url, r.created_at, r.updated_at, r.published_at, r.create_id, r.hidden_until
    from resources r join orgs o on o.id = r.org_id";

impl Db {
    /// Writes resources in one transaction and returns their (id, uid), in order (leaving out
    /// a remote one whose activity had been received already). Import uses batches; the API
    /// and pages write one at a time.
    pub async fn write_resources(&self, writes: &[Write<'_>]) -> AppResult<Vec<(i64, String)>> {
        let now = Utc::now();
        let result: Result<Vec<(i64, String)>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let mut out = Vec::with_capacity(writes.len());
            for w in writes {
                let r = w.resource;
                if let Some(activity) = w.remote.and_then(|x| x.activity.as_deref()) {
                    let fresh = sqlx::query(
                        "insert into received_activities (ap_id, received_at) values ($1, $2) on conflict (ap_id) do nothing")
                        .bind(activity).bind(now).execute(&mut *tx).await?.rows_affected();
                    if fresh == 0 {
                        continue;
                    }
                }
                // under embargo: hidden from all but its organisation until then
                let hidden = r.statement.as_ref().and_then(|st| st.embargo_until).filter(|t| *t > now);
                let (id, uid) = match w.id {
                    Some(id) => {
                        let uid: String = sqlx::query_scalar(
                            "update resources set external_id = $1, resource_type = $2, original_language = $3, status = $4,
                             sensitive = $5, reading_level = $6, licence = $7, published_on = $8, updated_at = $9,
                             featured = $11, published_at = coalesce(published_at, $12), create_id = coalesce($13, create_id),
                             hidden_until = $14
                             where id = $10 returning uid")
                            .bind(&r.external_id).bind(&r.resource_type).bind(r.original_language.as_str())
                            .bind(r.status.as_str()).bind(r.sensitive).bind(&r.reading_level).bind(&r.licence)
                            .bind(&r.published_on).bind(now).bind(id).bind(r.featured).bind(w.published_at).bind(w.create_id)
                            .bind(hidden)
                            .fetch_one(&mut *tx).await?;
                        for table in ["resource_texts", "resource_terms", "resource_authors"] {
                            sqlx::query(&format!("delete from {table} where resource_id = $1")).bind(id).execute(&mut *tx).await?;
                        }
                        (id, uid)
                    }
                    None => {
                        let uid = w.uid.map(str::to_string).unwrap_or_else(new_uid);
                        let id: i64 = sqlx::query_scalar(
                            "insert into resources (uid, org_id, external_id, resource_type, original_language, status,
                             sensitive, reading_level, licence, published_on, created_at, updated_at, featured, local, ap_id,
                             origin_url, published_at, create_id, idempotency_key, hidden_until)
                             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                             returning id")
                            .bind(&uid).bind(w.org_id).bind(&r.external_id).bind(&r.resource_type)
                            .bind(r.original_language.as_str()).bind(r.status.as_str()).bind(r.sensitive)
                            .bind(&r.reading_level).bind(&r.licence).bind(&r.published_on).bind(now).bind(r.featured)
                            .bind(w.remote.is_none()).bind(w.remote.map(|x| x.ap_id.as_str()))
                            .bind(w.remote.map(|x| x.origin_url.as_str())).bind(w.published_at).bind(w.create_id)
                            .bind(w.idempotency_key).bind(hidden)
                            .fetch_one(&mut *tx).await?;
                        (id, uid)
                    }
                };
                for t in &r.texts {
                    sqlx::query("insert into resource_texts (resource_id, lang, title, summary, body, body_html) values ($1, $2, $3, $4, $5, $6)")
                        .bind(id).bind(t.lang.as_str()).bind(&t.title).bind(&t.summary).bind(&t.body).bind(&t.body_html)
                        .execute(&mut *tx).await?;
                }
                for (scheme, term) in &r.terms {
                    sqlx::query("insert into resource_terms (resource_id, scheme, term) values ($1, $2, $3)")
                        .bind(id).bind(scheme).bind(term).execute(&mut *tx).await?;
                }
                for (i, name) in r.authors.iter().enumerate() {
                    sqlx::query("insert into resource_authors (resource_id, position, name) values ($1, $2, $3)")
                        .bind(id).bind(i as i32).bind(name).execute(&mut *tx).await?;
                }
                if let Some(st) = &r.statement {
                    write_statement_in_tx!(tx, id, st);
                }
                let d = w.doc;
                sqlx::query(INDEX)
                    .bind(id).bind(&d.title).bind(&d.summary).bind(&d.body).bind(&d.tags).bind(&d.keywords)
                    .execute(&mut *tx).await?;
                if let Some(outgoing) = w.outgoing {
                    queue_in_tx!(tx, outgoing);
                }
                if let Some(remote) = w.remote {
                    // a new resource has no files to replace: only the inserts are needed
                    replace_remote_files_in_tx!(tx, id, &remote.files, now, w.id.is_some());
                }
                out.push((id, uid));
            }
            tx.commit().await?;
            Ok(out)
        }.await);
        result.map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Conflict("external_id"),
            other => other,
        })
    }

    /// Changes a resource's status (and when it was made public), with the activity
    /// announcing it if any.
    pub async fn set_resource_status(
        &self,
        id: i64,
        status: Status,
        published_at: Option<DateTime<Utc>>,
        create_id: Option<&str>,
        outgoing: Option<&Outgoing>,
    ) -> AppResult<()> {
        let r: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("update resources set status = $1, updated_at = $2, published_at = $4,
                         create_id = coalesce($5, create_id) where id = $3")
                .bind(status.as_str()).bind(Utc::now()).bind(id).bind(published_at).bind(create_id)
                .execute(&mut *tx).await?;
            if let Some(outgoing) = outgoing {
                queue_in_tx!(tx, outgoing);
            }
            tx.commit().await
        }.await);
        Ok(r?)
    }

    /// Deletes a resource with everything that hangs off it; returns the SHA-256 of files
    /// no other attachment uses any more, for the caller to remove from the store.
    pub async fn delete_resource(&self, id: i64, outgoing: Option<&Outgoing>) -> AppResult<Vec<String>> {
        let orphans: Result<Vec<String>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // write first: on sqlite a transaction that reads first cannot take the write lock
            // later while another writer is busy ("database is locked")
            sqlx::query("delete from search_docs where resource_id = $1").bind(id).execute(&mut *tx).await?;
            let shas: Vec<String> = sqlx::query_scalar(
                "select sha256 from attachments where resource_id = $1 and sha256 <> ''
                 union select thumb_sha256 from attachments where resource_id = $1 and thumb_sha256 is not null")
                .bind(id).fetch_all(&mut *tx).await?;
            sqlx::query("delete from resources where id = $1").bind(id).execute(&mut *tx).await?;
            if let Some(outgoing) = outgoing {
                queue_in_tx!(tx, outgoing);
            }
            let mut orphans = Vec::new();
            for sha in shas {
                let used: i64 = sqlx::query_scalar("select count(*) from attachments where sha256 = $1 or thumb_sha256 = $1").bind(&sha).fetch_one(&mut *tx).await?;
                let logo: i64 = sqlx::query_scalar("select count(*) from orgs where logo_sha256 = $1").bind(&sha).fetch_one(&mut *tx).await?;
                if used == 0 && logo == 0 {
                    orphans.push(sha);
                }
            }
            tx.commit().await?;
            Ok(orphans)
        }.await);
        Ok(orphans?)
    }

    pub async fn resource_id_by_uid(&self, uid: &str) -> AppResult<Option<i64>> {
        Ok(
            on_pool!(self, p => sqlx::query_scalar("select id from resources where uid = $1").bind(uid).fetch_optional(p).await)?,
        )
    }

    /// The resource an import line updates: same organisation, same external id (or, for
    /// lines written by `amicus export` of a record that had none, the same uid).
    pub async fn resource_id_by_external_id(&self, org_id: i64, external_id: &str) -> AppResult<Option<i64>> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "select id from resources where org_id = $1 and (external_id = $2 or (external_id is null and uid = $2))")
            .bind(org_id).bind(external_id).fetch_optional(p).await)?)
    }

    /// One resource, whole: its row found by its uid directly, not its id first (one query
    /// fewer for every page and object that shows a resource).
    pub async fn resource_by_uid(&self, uid: &str) -> AppResult<Option<Resource>> {
        let sql = format!("{RESOURCE_ROWS} where r.uid = $1");
        let row: Option<ResourceRow> = on_pool!(self, p => sqlx::query_as(&sql).bind(uid).fetch_optional(p).await)?;
        let Some(row) = row else { return Ok(None) };
        let id = row.id;
        Ok(self.complete_resources(vec![row], &[id], true).await?.pop())
    }

    /// Loads full resources, in the order of `ids`. Without `with_body`, bodies are left
    /// empty (listing pages do not need them).
    pub async fn load_resources(&self, ids: &[i64], with_body: bool) -> AppResult<Vec<Resource>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(1, ids.len());
        let rows_sql = format!("{RESOURCE_ROWS} where r.id in ({list})");
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query_as::<_, ResourceRow>(&rows_sql);
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(p).await
        })?;
        self.complete_resources(rows, ids, with_body).await
    }

    /// Resources from their rows: their texts, terms, authors, files and statement, in the
    /// order of `ids`.
    async fn complete_resources(
        &self,
        rows: Vec<ResourceRow>,
        ids: &[i64],
        with_body: bool,
    ) -> AppResult<Vec<Resource>> {
        let list = placeholders(1, ids.len());
        let body = if with_body { "body, body_html" } else { "'' as body, '' as body_html" };
        let texts_sql = format!(
            "select resource_id, lang, title, summary, {body} from resource_texts where resource_id in ({list})"
        );
        let terms_sql = format!(
            "select resource_id, scheme, term from resource_terms where resource_id in ({list}) order by scheme, term"
        );
        let authors_sql =
            format!("select resource_id, name from resource_authors where resource_id in ({list}) order by position");
        let att_sql = format!("select {ATTACHMENT_COLUMNS} from attachments where resource_id in ({list}) order by id");
        let statements_sql =
            format!("select {} from statements where resource_id in ({list})", super::statements::STATEMENT_COLUMNS);
        let (texts, terms, authors, atts, statements) = on_pool!(self, p => {
            let mut q2 = sqlx::query_as::<_, TextRow>(&texts_sql);
            let mut q3 = sqlx::query_as::<_, (i64, String, String)>(&terms_sql);
            let mut q4 = sqlx::query_as::<_, (i64, String)>(&authors_sql);
            let mut q5 = sqlx::query_as::<_, AttachmentRow>(&att_sql);
            let mut q6 = sqlx::query_as::<_, StatementRow>(&statements_sql);
            for id in ids {
                q6 = q6.bind(id);
                q2 = q2.bind(id);
                q3 = q3.bind(id);
                q4 = q4.bind(id);
                q5 = q5.bind(id);
            }
            (q2.fetch_all(p).await?, q3.fetch_all(p).await?, q4.fetch_all(p).await?, q5.fetch_all(p).await?,
             q6.fetch_all(p).await?)
        });
        let mut by_id: HashMap<i64, Resource> = rows
            .into_iter()
            .map(|r| {
                let res = Resource {
                    id: r.id,
                    uid: r.uid,
                    org_id: r.org_id,
                    org_handle: r.org_handle,
                    org_name: r.org_name,
                    org_names: serde_json::from_str(&r.org_names).unwrap_or_default(),
                    external_id: r.external_id,
                    resource_type: r.resource_type,
                    original_language: r.original_language,
                    status: Status::parse(&r.status).unwrap_or(Status::Draft),
                    sensitive: r.sensitive,
                    reading_level: r.reading_level,
                    licence: r.licence,
                    published_on: r.published_on,
                    featured: r.featured,
                    local: r.local,
                    ap_id: r.ap_id,
                    origin_url: r.origin_url,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                    published_at: r.published_at,
                    create_id: r.create_id,
                    hidden_until: r.hidden_until,
                    statement: None,
                    signatures: Vec::new(),
                    texts: Vec::new(),
                    terms: Vec::new(),
                    authors: Vec::new(),
                    attachments: Vec::new(),
                };
                (r.id, res)
            })
            .collect();
        for t in texts {
            if let Some(r) = by_id.get_mut(&t.resource_id) {
                r.texts.push(StoredText {
                    lang: t.lang,
                    title: t.title,
                    summary: t.summary,
                    body: t.body,
                    body_html: t.body_html,
                });
            }
        }
        for (id, scheme, term) in terms {
            if let Some(r) = by_id.get_mut(&id) {
                r.terms.push((scheme, term));
            }
        }
        for (id, name) in authors {
            if let Some(r) = by_id.get_mut(&id) {
                r.authors.push(name);
            }
        }
        for a in atts {
            if let Some(r) = by_id.get_mut(&a.resource_id) {
                r.attachments.push(a.into());
            }
        }
        let mut statement_ids = Vec::new();
        for st in statements {
            if let Some(r) = by_id.get_mut(&st.resource_id) {
                statement_ids.push(st.resource_id);
                r.statement = Some(st.into());
            }
        }
        // who signed is part of a statement wherever it is shown in full
        if with_body {
            for (id, s) in self.signatures_of(&statement_ids).await? {
                if let Some(r) = by_id.get_mut(&id) {
                    r.signatures.push(s);
                }
            }
        }
        for r in by_id.values_mut() {
            let original = r.original_language.clone();
            r.texts.sort_by_key(|t| (t.lang != original, t.lang.clone()));
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// The (local id, organisation) of a resource received from another server.
    /// The resource an API request with `key` created in organisation `org_id`.
    pub async fn resource_id_by_idempotency_key(&self, org_id: i64, key: &str) -> AppResult<Option<i64>> {
        Ok(
            on_pool!(self, p => sqlx::query_scalar("select id from resources where org_id = $1 and idempotency_key = $2")
            .bind(org_id).bind(key).fetch_optional(p).await)?,
        )
    }

    /// The resource whose publication `Create` has id `create_id`.
    pub async fn resource_id_by_create_id(&self, create_id: &str) -> AppResult<Option<i64>> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select id from resources where create_id = $1 and local")
            .bind(create_id).fetch_optional(p).await)?)
    }

    pub async fn resource_id_by_ap_id(&self, ap_id: &str) -> AppResult<Option<(i64, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as("select id, org_id from resources where ap_id = $1")
            .bind(ap_id).fetch_optional(p).await)?)
    }

    /// Every resource id of an organisation, oldest first.
    pub async fn resource_ids_of_org(&self, org_id: i64) -> AppResult<Vec<i64>> {
        Ok(
            on_pool!(self, p => sqlx::query_scalar("select id from resources where org_id = $1 order by id").bind(org_id).fetch_all(p).await)?,
        )
    }

    /// Published resources an organisation pinned, newest first.
    pub async fn featured_ids(&self, org_id: i64) -> AppResult<Vec<i64>> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "select id from resources where org_id = $1 and featured and status = 'published' and hidden_until is null order by updated_at desc, id desc limit 20")
            .bind(org_id).fetch_all(p).await)?)
    }

    /// (published resources, approved followers, followed actors) of an organisation.
    pub async fn org_counts(&self, org_id: i64) -> AppResult<(i64, i64, i64)> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select (select count(*) from resources where org_id = $1 and status = 'published' and hidden_until is null),
                    (select count(*) from followers where org_id = $1 and approved),
                    (select count(*) from following where org_id = $1 and accepted)")
            .bind(org_id).fetch_one(p).await)?)
    }

    /// (organisations, published resources), for NodeInfo.
    pub async fn public_counts(&self) -> AppResult<(i64, i64)> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select (select count(*) from orgs), (select count(*) from resources where status = 'published' and hidden_until is null)")
            .fetch_one(p).await)?)
    }

    pub async fn count_resources(&self) -> AppResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select count(*) from resources").fetch_one(p).await)?)
    }

    /// The addresses a sitemap lists: this instance's own published resources (uid, last
    /// change), most recently changed first, at most `limit`.
    pub async fn sitemap_resources(&self, limit: i64) -> AppResult<Vec<(String, chrono::DateTime<Utc>, bool)>> {
        let rows = on_pool!(self, p => sqlx::query_as::<_, (String, chrono::DateTime<Utc>, bool)>(
            "select uid, updated_at, exists (select 1 from statements s where s.resource_id = resources.id)
             from resources where status = 'published' and hidden_until is null and local = $1 order by updated_at desc limit $2")
            .bind(true).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }
}
