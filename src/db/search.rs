//! Listing and full-text search over the library, with facet counts. The dialects differ
//! here most: SQLite matches an FTS5 table and ranks with `bm25`, PostgreSQL
//! matches a `tsvector` and ranks with `ts_rank`. Both index the same tokens (see
//! `crate::search`), so they find the same documents.

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

/// What everyone may see: published, and not under embargo.
const PUBLIC: &str = "(r.status = 'published' and r.hidden_until is null)";

enum Arg {
    Text(String),
    Int(i64),
}

/// SQL text with its arguments, numbered as they are pushed.
#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    fn text_list(&mut self, values: &[String]) -> String {
        values.iter().map(|v| self.arg(Arg::Text(v.clone()))).collect::<Vec<_>>().join(", ")
    }
}

/// Binds every argument of `sql` to a query built from `$q` (query or query_as).
macro_rules! bind_all {
    ($q:expr, $sql:expr) => {{
        let mut q = $q;
        for a in &$sql.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

impl Db {
    /// `from ... where ...` of every library query: the matching resources as `r`.
    fn matching(&self, f: &Filters) -> Sql {
        let mut s = Sql::default();
        let mut from = String::from("from resources r");
        let mut conds: Vec<String> = Vec::new();
        if !f.query.is_empty() {
            if self.is_postgres() {
                // `offset 0` keeps the match a separate step, answered from the GIN index,
                // instead of a filter applied while walking another index.
                let q = s.arg(Arg::Text(f.query.tsquery()));
                from.push_str(&format!(
                    " join (select resource_id, head from resource_search where doc @@ {q}::tsquery offset 0) s on s.resource_id = r.id"
                ));
            } else {
                // `cross join` makes SQLite run the full-text match once and look resources up
                // by rowid, instead of matching once per resource (300 ms against 3 ms at 10,000).
                from = "from resource_fts cross join resources r on r.id = resource_fts.rowid".into();
                let q = s.arg(Arg::Text(f.query.fts5()));
                conds.push(format!("resource_fts match {q}"));
            }
        }
        match &f.viewer {
            Viewer::Public => conds.push(PUBLIC.into()),
            Viewer::Member(orgs) if !orgs.is_empty() => {
                let list = orgs.iter().map(|o| s.arg(Arg::Int(*o))).collect::<Vec<_>>().join(", ");
                conds.push(format!("({PUBLIC} or r.org_id in ({list}))"));
            }
            Viewer::Member(_) => conds.push(PUBLIC.into()),
            Viewer::Admin => {}
        }
        if f.local_only {
            conds.push("r.org_id in (select o.id from orgs o where o.local)".into());
        }
        if f.statements_only {
            conds.push("r.id in (select st.resource_id from statements st)".into());
        }
        if let Some(t) = &f.resource_type {
            let a = s.arg(Arg::Text(t.clone()));
            conds.push(format!("r.resource_type = {a}"));
        }
        for (scheme, values) in [("theme", &f.themes), ("mechanism", &f.mechanisms), ("country", &f.countries)] {
            if !values.is_empty() {
                let list = s.text_list(values);
                conds.push(format!(
                    "r.id in (select t.resource_id from resource_terms t where t.scheme = '{scheme}' and t.term in ({list}))"
                ));
            }
        }
        if let Some(l) = &f.lang {
            let a = s.arg(Arg::Text(l.clone()));
            conds.push(format!("r.id in (select x.resource_id from resource_texts x where x.lang = {a})"));
        }
        if let Some(o) = f.org_id {
            let a = s.arg(Arg::Int(o));
            conds.push(format!("r.org_id = {a}"));
        }
        if let Some(y) = &f.year {
            let a = s.arg(Arg::Text(y.clone()));
            conds.push(format!("substr(r.published_on, 1, 4) = {a}"));
        }
        if let Some(d) = &f.since {
            let a = s.arg(Arg::Text(d.clone()));
            conds.push(format!("r.published_on >= {a}"));
        }
        if let Some(d) = &f.until {
            let a = s.arg(Arg::Text(d.clone()));
            conds.push(format!("r.published_on <= {a}"));
        }
        s.text = from;
        if !conds.is_empty() {
            s.text.push_str(" where ");
            s.text.push_str(&conds.join(" and "));
        }
        s
    }

    /// PostgreSQL prices a sequential scan of `resource_search` as cheap because it does not
    /// count decompressing every document, and picks it over the GIN index for broad queries
    /// (36 ms against 1 ms at 10,000 resources). Within the search's own transaction it is
    /// told not to. Nothing to do on SQLite.
    fn text_index_hint(&self, f: &Filters) -> Option<&'static str> {
        (self.is_postgres() && !f.query.is_empty()).then_some("set local enable_seqscan = off")
    }

    /// One page of matching resource ids, best first (by relevance when there is a query,
    /// then by publication date), and whether more follow.
    pub async fn search_ids(&self, f: &Filters, offset: i64, limit: i64) -> AppResult<(Vec<i64>, bool)> {
        let mut s = self.matching(f);
        let order = match (f.query.is_empty() || f.sort != Sort::Relevance, self.is_postgres()) {
            (true, _) => String::new(),
            // the tsquery is the first argument
            (false, true) => "ts_rank(s.head, $1::tsquery) desc, ".to_string(),
            (false, false) => "bm25(resource_fts, 10.0, 4.0, 1.0, 3.0, 10.0), ".to_string(),
        };
        // undated documents last either way
        let dates = if f.sort == Sort::Oldest {
            "(r.published_on is null), r.published_on asc, r.id asc"
        } else {
            "coalesce(r.published_on, '') desc, r.id desc"
        };
        let lim = s.arg(Arg::Int(limit + 1));
        let off = s.arg(Arg::Int(offset));
        let sql = format!("select r.id {} order by {order}{dates} limit {lim} offset {off}", s.text);
        let hint = self.text_index_hint(f);
        let mut ids: Vec<i64> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            if let Some(h) = hint {
                sqlx::query(h).execute(&mut *tx).await?;
            }
            let ids = bind_all!(sqlx::query_scalar::<_, i64>(&sql), s).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(ids)
        }.await)?;
        let more = ids.len() as i64 > limit;
        ids.truncate(limit as usize);
        Ok((ids, more))
    }

    /// Facet counts over everything the filters match, in one query: the matching set is
    /// computed once (`materialized`, which both SQLite >= 3.35 and PostgreSQL >= 12 honour)
    /// and every facet counts over it.
    pub async fn facets(&self, f: &Filters) -> AppResult<Facets> {
        let s = self.matching(f);
        let sql = format!(
            "with m as materialized (select r.id, r.resource_type, r.org_id, r.published_on {})
             select 'type', m.resource_type, '', count(*) from m group by m.resource_type
             union all
             select t.scheme, t.term, '', count(*) from resource_terms t join m on m.id = t.resource_id
               where t.scheme in ('theme', 'mechanism', 'country') group by t.scheme, t.term
             union all
             select 'lang', x.lang, '', count(*) from resource_texts x join m on m.id = x.resource_id group by x.lang
             union all
             select 'year', substr(m.published_on, 1, 4), '', count(*) from m where m.published_on is not null
               group by substr(m.published_on, 1, 4)
             union all
             select 'org', o.handle, o.name, count(*) from m join orgs o on o.id = m.org_id group by o.handle, o.name",
            s.text
        );
        let hint = self.text_index_hint(f);
        let rows: Vec<(String, String, String, i64)> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            if let Some(h) = hint {
                sqlx::query(h).execute(&mut *tx).await?;
            }
            let rows = bind_all!(sqlx::query_as(&sql), s).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows)
        }.await)?;
        let mut facets = Facets::default();
        for (kind, value, name, n) in rows {
            match kind.as_str() {
                "type" => {
                    facets.total += n;
                    facets.types.push((value, n));
                }
                "theme" => facets.themes.push((value, n)),
                "mechanism" => facets.mechanisms.push((value, n)),
                "country" => facets.countries.push((value, n)),
                "lang" => facets.languages.push((value, n)),
                "year" => facets.years.push((value, n)),
                _ => facets.orgs.push((value, name, n)),
            }
        }
        let by_count = |a: &(String, i64), b: &(String, i64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
        for list in [
            &mut facets.types,
            &mut facets.themes,
            &mut facets.mechanisms,
            &mut facets.countries,
            &mut facets.languages,
        ] {
            list.sort_by(by_count);
        }
        facets.years.sort_by(|a, b| b.0.cmp(&a.0));
        facets.orgs.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        Ok(facets)
    }
}

impl Db {
    /// The library's version: it changes with every change to any resource (a trigger).
    pub async fn library_version(&self) -> AppResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select n from library_version where id = 1").fetch_one(p).await)?)
    }
}
