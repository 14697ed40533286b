//! What the library's search reads from the database: the search documents and facts of
//! each resource that the in-memory index (`crate::index`) is built from, and the changes
//! that keep it current on every node. Searching itself happens in memory, the same way on
//! both databases.

use futures_util::TryStreamExt;

use super::{on_pool, Db};
use crate::error::AppResult;
use crate::search::Query;

/// Who is looking: decides whether drafts and withdrawn resources are listed.
#[derive(Debug, Clone, Default)]
pub enum Viewer {
    /// Published resources only.
    #[default]
    Public,
    /// Published resources, plus everything of these organisations.
    Member(Vec<i64>),
    /// Everything (instance admins).
    Admin,
}

/// Filters of the library, already checked against the vocabularies. Vocabulary filters
/// hold the term and its narrower terms.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub query: Query,
    /// The order of results: best match first when there is a query, else newest first.
    pub sort: Sort,
    pub resource_type: Option<String>,
    /// Statements only (`/api/v1/statements`).
    pub statements_only: bool,
    pub themes: Vec<String>,
    pub mechanisms: Vec<String>,
    pub countries: Vec<String>,
    pub lang: Option<String>,
    pub org_id: Option<i64>,
    pub year: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub viewer: Viewer,
    /// Only what this instance's own organisations published (partner search answers).
    pub local_only: bool,
}

/// The order of results, by the document's own date (`published_on`), or by relevance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first with a query; newest first without one.
    #[default]
    Relevance,
    Newest,
    Oldest,
}

/// Counts per value of each facet, over everything the filters match.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Facets {
    pub total: i64,
    pub types: Vec<(String, i64)>,
    pub themes: Vec<(String, i64)>,
    pub mechanisms: Vec<(String, i64)>,
    pub countries: Vec<(String, i64)>,
    pub languages: Vec<(String, i64)>,
    pub years: Vec<(String, i64)>,
    /// (handle, name, count)
    pub orgs: Vec<(String, String, i64)>,
}

/// One resource as the index needs it: who may see it, what it is, and its search tokens.
#[derive(Debug, sqlx::FromRow)]
pub struct IndexRow {
    pub id: i64,
    /// Published and not under embargo (`1`), else `0`.
    pub public: i64,
    pub org_id: i64,
    /// Its organisation is one of this instance's (`1`).
    pub local: i64,
    /// It is a joint statement (`1`).
    pub statement: i64,
    pub resource_type: String,
    pub published_on: Option<String>,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub tags: String,
    pub keywords: String,
}

/// A label of a resource that the library filters and counts by: `theme`, `mechanism` or
/// `country` with a vocabulary term, or `lang` with a language it is written in.
#[derive(Debug, sqlx::FromRow)]
pub struct IndexLabel {
    pub resource_id: i64,
    pub kind: String,
    pub value: String,
}

const INDEX_ROWS: &str = "select r.id,
    cast(case when r.status = 'published' and r.hidden_until is null then 1 else 0 end as bigint) as public,
    r.org_id, cast(case when o.local then 1 else 0 end as bigint) as local,
    cast(case when st.resource_id is null then 0 else 1 end as bigint) as statement,
    r.resource_type, r.published_on,
    coalesce(d.title, '') as title, coalesce(d.summary, '') as summary, coalesce(d.body, '') as body,
    coalesce(d.tags, '') as tags, coalesce(d.keywords, '') as keywords
    from resources r join orgs o on o.id = r.org_id
    left join statements st on st.resource_id = r.id
    left join search_docs d on d.resource_id = r.id";

const INDEX_LABELS: &str = "select resource_id, scheme as kind, term as value from resource_terms
    where scheme in ('theme', 'mechanism', 'country') {terms}
    union all select resource_id, 'lang', lang from resource_texts {texts}";

/// `where r.id in ($1, ...)` for a list of ids (numbers only, so they are written in).
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

impl Db {
    /// Every resource (`ids` None) or those of `ids`, one at a time to `each`: a library of
    /// 100,000 resources is not held in memory twice while the index is built from it.
    pub async fn index_rows(&self, ids: Option<&[i64]>, each: impl FnMut(IndexRow) + Send) -> AppResult<()> {
        let sql = match ids {
            Some(ids) => format!("{INDEX_ROWS} where r.id in ({})", id_list(ids)),
            None => INDEX_ROWS.to_string(),
        };
        self.each_row(&sql, ids.is_none(), each).await
    }

    /// The labels of every resource, or of those of `ids`, one at a time to `each`.
    pub async fn index_labels(&self, ids: Option<&[i64]>, each: impl FnMut(IndexLabel) + Send) -> AppResult<()> {
        let (terms, texts) = match ids {
            Some(ids) => {
                let list = id_list(ids);
                (format!("and resource_id in ({list})"), format!("where resource_id in ({list})"))
            }
            None => (String::new(), String::new()),
        };
        let sql = INDEX_LABELS.replace("{terms}", &terms).replace("{texts}", &texts);
        self.each_row(&sql, ids.is_none(), each).await
    }

    /// The rows of `sql`, one at a time to `each`, as they arrive. A `scan` of every
    /// resource reads each page once: on SQLite it goes through a small page cache, so that
    /// the connection does not keep megabytes of pages it will not read again (4.7 MB at
    /// 10,000 resources, measured with massif).
    async fn each_row<T>(&self, sql: &str, scan: bool, mut each: impl FnMut(T) + Send) -> AppResult<()>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let small = scan && matches!(self, Db::Sqlite(_));
        on_pool!(self, p => async {
            let mut conn = p.acquire().await?;
            let mut before = 0i64;
            if small {
                before = sqlx::query_scalar("pragma cache_size").fetch_one(&mut *conn).await?;
                sqlx::query("pragma cache_size = -256").execute(&mut *conn).await?;
            }
            let streamed = async {
                let mut rows = sqlx::query_as::<_, T>(sql).fetch(&mut *conn);
                while let Some(row) = rows.try_next().await? {
                    each(row);
                }
                Ok::<_, sqlx::Error>(())
            }
            .await;
            if small {
                sqlx::query(&format!("pragma cache_size = {before}")).execute(&mut *conn).await?;
            }
            streamed
        }.await)?;
        Ok(())
    }

    /// The library's version: it changes with every change to any resource (a trigger).
    pub async fn library_version(&self) -> AppResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select n from library_version where id = 1").fetch_one(p).await)?)
    }

    /// The resources changed by the versions after `after` up to `upto`, or None when the
    /// log no longer holds all of them (pruned): the reader must then start again.
    pub async fn library_changes(&self, after: i64, upto: i64) -> AppResult<Option<Vec<i64>>> {
        let rows: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(
            "select resource_id from library_changes where n > $1 and n <= $2 order by n")
            .bind(after).bind(upto).fetch_all(p).await)?;
        Ok((rows.len() as i64 == upto - after).then_some(rows))
    }

    /// Forgets the changes older than the last `keep`.
    pub async fn prune_library_changes(&self, keep: i64) -> AppResult<u64> {
        let n = on_pool!(self, p => sqlx::query(
            "delete from library_changes where n <= (select n from library_version where id = 1) - $1")
            .bind(keep).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n)
    }

    /// The handle and name of organisations, by id (facet labels).
    pub async fn org_labels(&self, ids: &[i64]) -> AppResult<Vec<(i64, String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("select id, handle, name from orgs where id in ({})", id_list(ids));
        Ok(on_pool!(self, p => sqlx::query_as(&sql).fetch_all(p).await)?)
    }
}
