//! The library's search index, in memory on each node: for every token, which resources have
//! it in which field, as compressed bitmaps (`roaring`), and for every filter value (type,
//! theme, mechanism, country, language, year, organisation) which resources have it.
//!
//! A search is then a few bitmap operations: the resources the viewer may see, intersected
//! with each query group and each filter; facet counts are intersection sizes; ranking adds,
//! per query group, the weight of the best field it matched in, times the group's rarity.
//! That holds the same at 100 resources and at 100,000 on SQLite and PostgreSQL alike, where
//! the databases' own full-text engines scored and counted every match (see
//! `docs/PERFORMANCE.md`).
//!
//! The database stays the record: `search_docs` holds each resource's tokens (made by
//! `crate::search`), and `library_changes` which resource each library version changed. A
//! node builds its index from the database when it starts, then before each search
//! reads the library's version and reloads what changed since the version it has; so every
//! node of a cluster answers from the same data. A resource that changes gets a new place
//! (an ordinal); the old one is dropped from the sets that say what is live, and the index
//! is rebuilt once as many places are dead as live.

use foldhash::HashMap;

use roaring::RoaringBitmap;

use crate::db::search::{Facets, Filters, IndexLabel, IndexRow, Sort, Viewer};
use crate::db::Db;
use crate::error::AppResult;

/// Fields, in the order of their weights: title and case numbers, summary, vocabulary labels,
/// body.
const FIELDS: usize = 4;
const WEIGHTS: [f32; FIELDS] = [10.0, 4.0, 3.0, 1.0];

/// Kinds of filter values, each with its own map.
const TYPE: usize = 0;
const THEME: usize = 1;
const MECHANISM: usize = 2;
const COUNTRY: usize = 3;
const LANG: usize = 4;
const YEAR: usize = 5;
const KINDS: usize = 6;

/// Changes applied one by one up to this many; past it, the index is built again.
const MOST_CHANGES: i64 = 20_000;
/// Changes the database keeps for nodes to catch up with.
pub const KEEP_CHANGES: i64 = MOST_CHANGES;
/// Resources read per query when changes are applied.
const CHUNK: usize = 500;

/// Which resources have a token, per field. Most tokens of a large library are in one
/// resource only (a case number, a number in a title): those take a few bytes, not four
/// bitmaps. A resource is in one field's set only, the best it has the token in.
enum Postings {
    /// One resource, in one field.
    One(u8, u32),
    Many(Box<[RoaringBitmap; FIELDS]>),
}

impl Postings {
    /// Adds `ord` in `field`.
    fn push(&mut self, field: usize, ord: u32) {
        match self {
            Postings::One(f, o) => {
                let mut many: Box<[RoaringBitmap; FIELDS]> = Box::default();
                many[usize::from(*f)].insert(*o);
                many[field].insert(ord);
                *self = Postings::Many(many);
            }
            Postings::Many(fields) => {
                // a resource added has the highest ordinal yet: appended at the end. `append`
                // reads the set's greatest value first, which in a dense container means
                // scanning its empty end; still, measured, a build takes half the time it takes
                // with `insert` (9.2 s against 21.4 s at 100,000 resources)
                if fields[field].append([ord]).is_err() {
                    fields[field].insert(ord);
                }
            }
        }
    }

    /// Adds the resources of each field to `into`.
    fn add_to(&self, into: &mut [RoaringBitmap; FIELDS]) {
        match self {
            Postings::One(f, o) => {
                into[usize::from(*f)].insert(*o);
            }
            Postings::Many(fields) => {
                for (into, from) in into.iter_mut().zip(fields.iter()) {
                    *into |= from;
                }
            }
        }
    }
}

#[derive(Default)]
struct Inner {
    /// The library version this index reflects; None before it is first built.
    version: Option<i64>,
    /// Ordinal to resource id.
    ids: Vec<i64>,
    /// Ordinal to publication date as a number, `yyyymmdd` (`2010` is 20100000), 0 if none.
    dates: Vec<u32>,
    /// Resource id to its live ordinal.
    ords: HashMap<i64, u32>,
    /// The live ordinals, and which of them everyone may see. The other sets may still hold
    /// dead ordinals: every search starts from these two, so they never count.
    live: RoaringBitmap,
    public: RoaringBitmap,
    local: RoaringBitmap,
    statements: RoaringBitmap,
    words: HashMap<Box<str>, Postings>,
    labels: [HashMap<Box<str>, RoaringBitmap>; KINDS],
    orgs: HashMap<i64, RoaringBitmap>,
}

/// The index of one node.
#[derive(Default)]
pub struct SearchIndex {
    inner: std::sync::RwLock<Inner>,
    /// One refresh at a time; others wait for it and then find the index current.
    refreshing: tokio::sync::Mutex<()>,
}

/// A page of results: resource ids, best first, whether more follow, and the facet counts
/// when asked for.
pub struct Found {
    pub ids: Vec<i64>,
    pub more: bool,
    pub facets: Option<Facets>,
}

/// `yyyy`, `yyyy-mm` or `yyyy-mm-dd` (and anything after) as a number that sorts the way
/// the text does; 0 when it does not start with a year.
fn date_key(date: &str) -> u32 {
    let digits =
        |s: Option<&str>| s.filter(|s| s.bytes().all(|b| b.is_ascii_digit())).and_then(|s| s.parse::<u32>().ok());
    let Some(year) = digits(date.get(..4)) else { return 0 };
    let month = digits(date.get(5..7)).unwrap_or(0);
    let day = digits(date.get(8..10)).unwrap_or(0);
    year * 10_000 + month * 100 + day
}

impl Inner {
    fn add(&mut self, row: IndexRow) {
        if let Some(old) = self.ords.remove(&row.id) {
            self.live.remove(old);
            self.public.remove(old);
        }
        let ord = self.ids.len() as u32;
        self.ids.push(row.id);
        self.dates.push(row.published_on.as_deref().map(date_key).unwrap_or(0));
        self.ords.insert(row.id, ord);
        self.live.insert(ord);
        if row.public == 1 {
            self.public.insert(ord);
        }
        if row.local == 1 {
            self.local.insert(ord);
        }
        if row.statement == 1 {
            self.statements.insert(ord);
        }
        self.orgs.entry(row.org_id).or_default().insert(ord);
        self.label(TYPE, &row.resource_type, ord);
        if let Some(year) = row.published_on.as_deref().and_then(|d| d.get(..4)) {
            self.label(YEAR, year, ord);
        }
        // each token once per resource, in the best field it is in (title and keywords, that
        // is case numbers, weigh the same): ranking counts a word once, in its best field, so
        // the same resource in a lesser field's set would only take room
        let mut best: HashMap<&str, u8> = HashMap::default();
        for (field, text) in [(0, &row.title), (0, &row.keywords), (1, &row.summary), (2, &row.tags), (3, &row.body)] {
            for token in text.split_ascii_whitespace() {
                best.entry(token).or_insert(field);
            }
        }
        for (token, field) in best {
            match self.words.get_mut(token) {
                Some(p) => p.push(usize::from(field), ord),
                None => {
                    self.words.insert(token.into(), Postings::One(field, ord));
                }
            }
        }
    }

    fn label(&mut self, kind: usize, value: &str, ord: u32) {
        match self.labels[kind].get_mut(value) {
            Some(b) => {
                // labels of a resource come after all the resources of a build: not in order
                b.insert(ord);
            }
            None => {
                self.labels[kind].insert(value.into(), RoaringBitmap::from_iter([ord]));
            }
        }
    }

    fn add_label(&mut self, l: IndexLabel) {
        let kind = match l.kind.as_str() {
            "theme" => THEME,
            "mechanism" => MECHANISM,
            "country" => COUNTRY,
            "lang" => LANG,
            _ => return,
        };
        // labels are read after their resources: one the index has not got is skipped
        if let Some(&ord) = self.ords.get(&l.resource_id) {
            self.label(kind, &l.value, ord);
        }
    }

    fn remove(&mut self, id: i64) {
        if let Some(old) = self.ords.remove(&id) {
            self.live.remove(old);
            self.public.remove(old);
        }
    }

    /// Lets go of the room maps and lists kept to grow into.
    fn shrink(&mut self) {
        for map in &mut self.labels {
            map.shrink_to_fit();
        }
        self.words.shrink_to_fit();
        self.orgs.shrink_to_fit();
        self.ords.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.dates.shrink_to_fit();
    }

    fn dead(&self) -> u64 {
        self.ids.len() as u64 - self.live.len()
    }

    /// The resources of any of `values` of a kind.
    fn any_of(&self, kind: usize, values: &[String]) -> RoaringBitmap {
        let mut b = RoaringBitmap::new();
        for v in values {
            if let Some(x) = self.labels[kind].get(v.as_str()) {
                b |= x;
            }
        }
        b
    }

    /// Everything the filters match, as the viewer may see it, with each query group's
    /// matches per field (for ranking) and its weight.
    fn matching(&self, f: &Filters) -> (RoaringBitmap, Vec<(f32, [RoaringBitmap; FIELDS])>) {
        let mut m = match &f.viewer {
            Viewer::Public => self.public.clone(),
            Viewer::Member(orgs) => {
                let mut m = self.public.clone();
                for o in orgs {
                    if let Some(b) = self.orgs.get(o) {
                        m |= b & &self.live;
                    }
                }
                m
            }
            Viewer::Admin => self.live.clone(),
        };
        let mut groups = Vec::with_capacity(f.query.groups.len());
        let total = self.live.len() as f32;
        for group in &f.query.groups {
            let mut fields: [RoaringBitmap; FIELDS] = Default::default();
            for variant in group {
                if let Some(p) = self.words.get(variant.as_str()) {
                    p.add_to(&mut fields);
                }
            }
            let mut any = RoaringBitmap::new();
            for b in &fields {
                any |= b;
            }
            // rarer words weigh more (the idf of BM25)
            let n = any.intersection_len(&self.live) as f32;
            let weight = (1.0 + (total - n + 0.5) / (n + 0.5)).ln();
            m &= any;
            groups.push((weight, fields));
        }
        if f.local_only {
            m &= &self.local;
        }
        if f.statements_only {
            m &= &self.statements;
        }
        if let Some(t) = &f.resource_type {
            m &= self.any_of(TYPE, std::slice::from_ref(t));
        }
        for (kind, values) in [(THEME, &f.themes), (MECHANISM, &f.mechanisms), (COUNTRY, &f.countries)] {
            if !values.is_empty() {
                m &= self.any_of(kind, values);
            }
        }
        if let Some(l) = &f.lang {
            m &= self.any_of(LANG, std::slice::from_ref(l));
        }
        if let Some(o) = f.org_id {
            m &= self.orgs.get(&o).cloned().unwrap_or_default();
        }
        if let Some(y) = &f.year {
            m &= self.any_of(YEAR, std::slice::from_ref(y));
        }
        if f.since.is_some() || f.until.is_some() {
            let since = f.since.as_deref().map(date_key).unwrap_or(0);
            let until = f.until.as_deref().map(date_key).unwrap_or(u32::MAX);
            m.retain(|ord| {
                let d = self.dates[ord as usize];
                d != 0 && d >= since && d <= until
            });
        }
        (m, groups)
    }

    /// One page of `m`, best first: by score when there is a query and relevance is asked
    /// for, then by date (newest first, or oldest first), undated last.
    fn page(
        &self,
        f: &Filters,
        m: &RoaringBitmap,
        groups: &[(f32, [RoaringBitmap; FIELDS])],
        offset: usize,
        limit: usize,
    ) -> (Vec<i64>, bool) {
        let rank = !groups.is_empty() && f.sort == Sort::Relevance;
        let mut scores = Vec::new();
        if rank {
            scores = vec![0f32; self.ids.len()];
            for (weight, fields) in groups {
                // each group counts once per resource, in the best field it is in
                let mut seen = RoaringBitmap::new();
                for (field, b) in fields.iter().enumerate() {
                    let hit = if field + 1 == FIELDS { m - &seen } else { (b & m) - &seen };
                    for ord in &hit {
                        scores[ord as usize] += weight * WEIGHTS[field];
                    }
                    seen |= hit;
                }
            }
        }
        let oldest = f.sort == Sort::Oldest;
        let mut keyed: Vec<(f32, u32, i64, u32)> = m
            .iter()
            .map(|ord| {
                let score = if rank { scores[ord as usize] } else { 0.0 };
                let date = self.dates[ord as usize];
                // oldest first: flip dates so the same descending order serves, undated last
                let date = if oldest && date != 0 { u32::MAX - date } else { date };
                let id = self.ids[ord as usize];
                (score, date, if oldest { -id } else { id }, ord)
            })
            .collect();
        let order = |a: &(f32, u32, i64, u32), b: &(f32, u32, i64, u32)| {
            b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2))
        };
        let want = offset + limit + 1;
        if keyed.len() > want {
            keyed.select_nth_unstable_by(want - 1, order);
            keyed.truncate(want);
        }
        keyed.sort_unstable_by(order);
        let more = keyed.len() > offset + limit;
        let ids = keyed.iter().skip(offset).take(limit).map(|k| self.ids[k.3 as usize]).collect();
        (ids, more)
    }

    /// Counts per value of each facet over `m`; organisations by id.
    fn facets(&self, m: &RoaringBitmap) -> (Facets, Vec<(i64, i64)>) {
        let count = |kind: usize| -> Vec<(String, i64)> {
            let mut v: Vec<(String, i64)> = self.labels[kind]
                .iter()
                .map(|(k, b)| (k.to_string(), m.intersection_len(b) as i64))
                .filter(|x| x.1 > 0)
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let mut years = count(YEAR);
        years.sort_by(|a, b| b.0.cmp(&a.0));
        let facets = Facets {
            total: m.len() as i64,
            types: count(TYPE),
            themes: count(THEME),
            mechanisms: count(MECHANISM),
            countries: count(COUNTRY),
            languages: count(LANG),
            years,
            orgs: Vec::new(),
        };
        let orgs = self.orgs.iter().map(|(o, b)| (*o, m.intersection_len(b) as i64)).filter(|x| x.1 > 0).collect();
        (facets, orgs)
    }
}

impl SearchIndex {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Brings the index up to the library's current version: builds it the first time, when
    /// too much changed or too much of it is dead, else reloads the resources that changed.
    pub async fn sync(&self, db: &Db) -> AppResult<()> {
        let version = db.library_version().await?;
        if self.read().version == Some(version) {
            return Ok(());
        }
        let _one = self.refreshing.lock().await;
        let (have, dead, live) = {
            let inner = self.read();
            (inner.version, inner.dead(), inner.live.len())
        };
        let version = db.library_version().await?;
        if have == Some(version) {
            return Ok(());
        }
        let changes = match have {
            Some(have) if version - have <= MOST_CHANGES && dead <= live.max(1_000) => {
                db.library_changes(have, version).await?
            }
            _ => None,
        };
        match changes {
            Some(mut ids) => {
                ids.sort_unstable();
                ids.dedup();
                for chunk in ids.chunks(CHUNK) {
                    let mut rows = Vec::new();
                    db.index_rows(Some(chunk), |r| rows.push(r)).await?;
                    let mut labels = Vec::new();
                    db.index_labels(Some(chunk), |l| labels.push(l)).await?;
                    let mut inner = self.write();
                    for id in chunk {
                        inner.remove(*id);
                    }
                    for r in rows {
                        inner.add(r);
                    }
                    for l in labels {
                        inner.add_label(l);
                    }
                }
                self.write().version = Some(version);
            }
            None => {
                let started = std::time::Instant::now();
                let mut fresh = Inner::default();
                db.index_rows(None, |r| fresh.add(r)).await?;
                db.index_labels(None, |l| fresh.add_label(l)).await?;
                fresh.shrink();
                tracing::info!(
                    "search index built: {} resources in {} ms",
                    fresh.live.len(),
                    started.elapsed().as_millis()
                );
                fresh.version = Some(version);
                *self.write() = fresh;
            }
        }
        Ok(())
    }

    /// Searches: one page of resource ids, and the facet counts when `with_facets`.
    pub async fn search(&self, db: &Db, f: &Filters, offset: i64, limit: i64, with_facets: bool) -> AppResult<Found> {
        self.sync(db).await?;
        let (offset, limit) = (offset.max(0) as usize, limit.max(0) as usize);
        let (ids, more, counts) = {
            let inner = self.read();
            let (m, groups) = inner.matching(f);
            let (ids, more) = inner.page(f, &m, &groups, offset, limit);
            (ids, more, with_facets.then(|| inner.facets(&m)))
        };
        let facets = match counts {
            Some((mut facets, orgs)) => {
                let ids: Vec<i64> = orgs.iter().map(|o| o.0).collect();
                let names: HashMap<i64, (String, String)> =
                    db.org_labels(&ids).await?.into_iter().map(|(id, h, n)| (id, (h, n))).collect();
                facets.orgs = orgs
                    .into_iter()
                    .filter_map(|(id, n)| names.get(&id).map(|(h, name)| (h.clone(), name.clone(), n)))
                    .collect();
                facets.orgs.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
                Some(facets)
            }
            None => None,
        };
        Ok(Found { ids, more, facets })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Query;

    fn row(id: i64, org_id: i64, public: bool, date: &str, title: &str, body: &str) -> IndexRow {
        IndexRow {
            id,
            public: public.into(),
            org_id,
            local: 1,
            statement: 0,
            resource_type: "report".into(),
            published_on: (!date.is_empty()).then(|| date.to_string()),
            title: title.into(),
            summary: String::new(),
            body: body.into(),
            tags: String::new(),
            keywords: String::new(),
        }
    }

    fn query(words: &[&str]) -> Filters {
        let groups = words.iter().map(|w| vec![w.to_string()]).collect();
        Filters { query: Query { groups }, ..Filters::default() }
    }

    fn ids(inner: &Inner, f: &Filters) -> Vec<i64> {
        let (m, groups) = inner.matching(f);
        inner.page(f, &m, &groups, 0, 10).0
    }

    #[test]
    fn a_title_match_ranks_first_and_dates_break_ties() {
        let mut inner = Inner::default();
        inner.add(row(1, 1, true, "2020", "other", "tortur"));
        inner.add(row(2, 1, true, "2010", "tortur", ""));
        inner.add(row(3, 1, true, "2015", "other", "tortur"));
        inner.add(row(4, 1, true, "", "other", "tortur"));
        assert_eq!(ids(&inner, &query(&["tortur"])), [2, 1, 3, 4]);
        let oldest = Filters { sort: Sort::Oldest, ..query(&["tortur"]) };
        assert_eq!(ids(&inner, &oldest), [2, 3, 1, 4]);
        // every group must match
        assert_eq!(ids(&inner, &query(&["tortur", "other"])), [1, 3, 4]);
        assert!(ids(&inner, &query(&["nothing"])).is_empty());
    }

    #[test]
    fn a_word_is_kept_once_per_resource_in_its_best_field() {
        let mut inner = Inner::default();
        inner.add(row(1, 1, true, "2020", "tortur tortur", "tortur tortur report"));
        inner.add(row(2, 1, true, "2021", "other", "tortur report tortur"));
        inner.add(row(3, 1, true, "2022", "report", "tortur"));
        let Some(Postings::Many(fields)) = inner.words.get("tortur") else { panic!("tortur is in three resources") };
        let kept: Vec<Vec<u32>> = fields.iter().map(|b| b.iter().collect()).collect();
        // the title's set has the first; the body's set the two others, each once
        assert_eq!(kept, [vec![0], vec![], vec![], vec![1, 2]]);
        let Some(Postings::Many(fields)) = inner.words.get("report") else { panic!("report is in three resources") };
        let kept: Vec<Vec<u32>> = fields.iter().map(|b| b.iter().collect()).collect();
        assert_eq!(kept, [vec![2], vec![], vec![], vec![0, 1]]);
        // a title match still ranks first, and a body match counts once
        assert_eq!(ids(&inner, &query(&["tortur"])), [1, 3, 2]);
        // one word in the title and one in the body each: a tie, the newer first
        assert_eq!(ids(&inner, &query(&["tortur", "report"])), [3, 1, 2]);
    }

    #[test]
    fn a_changed_resource_is_found_by_its_new_words_and_counted_once() {
        let mut inner = Inner::default();
        inner.add(row(1, 1, true, "2020", "colombia", ""));
        inner.add(row(2, 1, true, "2021", "peru", ""));
        inner.add(row(1, 1, true, "2020", "chile", ""));
        assert!(ids(&inner, &query(&["colombia"])).is_empty());
        assert_eq!(ids(&inner, &query(&["chile"])), [1]);
        let (m, _) = inner.matching(&Filters::default());
        let (facets, orgs) = inner.facets(&m);
        assert_eq!(facets.total, 2);
        assert_eq!(facets.types, [("report".to_string(), 2)]);
        assert_eq!(orgs, [(1, 2)]);
        inner.remove(2);
        assert!(ids(&inner, &query(&["peru"])).is_empty());
        assert_eq!(inner.dead(), 2);
    }

    #[test]
    fn drafts_are_seen_by_their_organisation_and_admins_only() {
        let mut inner = Inner::default();
        inner.add(row(1, 1, true, "2020", "report", ""));
        inner.add(row(2, 1, false, "2020", "report", ""));
        inner.add(row(3, 2, false, "2020", "report", ""));
        assert_eq!(ids(&inner, &query(&["report"])), [1]);
        let member = Filters { viewer: Viewer::Member(vec![1]), ..query(&["report"]) };
        assert_eq!(ids(&inner, &member), [2, 1]);
        let admin = Filters { viewer: Viewer::Admin, ..query(&["report"]) };
        assert_eq!(ids(&inner, &admin), [3, 2, 1]);
    }

    #[test]
    fn dates_sort_as_their_text_does() {
        assert_eq!(date_key("2010"), 20_100_000);
        assert_eq!(date_key("2010-05"), 20_100_500);
        assert_eq!(date_key("2010-05-01"), 20_100_501);
        assert_eq!(date_key("2010-05-01T00:00:00Z"), 20_100_501);
        assert_eq!(date_key("soon"), 0);
        assert_eq!(date_key(""), 0);
        assert!(date_key("2009-12-31") < date_key("2010"));
    }
}
