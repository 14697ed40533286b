//! Partner search: the libraries of partner instances searched at once, from any of them.
//!
//! Each instance answers `GET /federation/search` (advertised in NodeInfo `metadata`) with
//! what its own organisations published, for requests signed by a partner's actor; a search
//! with `scope=network` asks every partner in parallel, signed by the instance actor (never by
//! the person searching), within `TIMEOUT`, and merges the answers with the local results by
//! reciprocal-rank fusion. FEDERATION.md specifies the exchange. Queries are never logged.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

use super::authorized::Signed;
use super::policy::Policy;
use crate::app::Ctx;
use crate::db::search::Viewer;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::http::params::LibraryParams;
use crate::model::stored::Resource;
use crate::model::vocab;

/// How long a partner has to answer, discovery included.
pub const TIMEOUT: Duration = Duration::from_millis(1500);
/// The largest answer read from a partner.
pub const MAX_ANSWER: usize = 2 * 1024 * 1024;
/// The most items taken from one partner's answer.
pub const MAX_ITEMS: usize = 50;
/// Results per page, on every instance.
pub const PAGE: i64 = 20;
/// The path of the endpoint on Amicus instances (others advertise their own).
pub const PATH: &str = "/federation/search";

/// One search result as instances exchange it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// Its ActivityPub id, on the answering instance's host.
    pub id: String,
    /// Its page, on the same host.
    pub url: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    /// `handle@host` of the organisation that published it.
    pub org: String,
    #[serde(default)]
    pub org_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<String>,
    pub original_language: String,
    pub languages: Vec<String>,
    #[serde(default)]
    pub titles: BTreeMap<String, String>,
    #[serde(default)]
    pub summaries: BTreeMap<String, String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub mechanisms: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub published: Option<String>,
}

/// `host` or `host:port` of a URL.
pub fn origin_host(u: &str) -> String {
    match Url::parse(u) {
        Ok(u) => match u.port() {
            Some(p) => format!("{}:{p}", u.host_str().unwrap_or_default()),
            None => u.host_str().unwrap_or_default().to_string(),
        },
        Err(_) => String::new(),
    }
}

/// A resource of this instance's index as a result: a copy keeps its own id and page.
pub fn item_of(ctx: &Core, r: &Resource) -> Item {
    let own = format!("{}{}", ctx.config.base_url(), r.path());
    let id = r.ap_id.clone().unwrap_or_else(|| own.clone());
    let url = if r.local { own } else { r.origin_url.clone().unwrap_or_else(|| id.clone()) };
    let org = if r.local { format!("{}@{}", r.org_handle, ctx.config.domain) } else { r.org_handle.clone() };
    let terms = |scheme| r.terms_of(scheme).map(str::to_string).collect::<Vec<_>>();
    Item {
        id,
        url,
        resource_type: r.resource_type.clone(),
        org,
        org_name: r.org_name.clone(),
        attributed_to: r.local.then(|| super::actors::org_id(ctx, &r.org_handle)),
        original_language: r.original_language.clone(),
        languages: r.texts.iter().map(|t| t.lang.clone()).collect(),
        titles: r.texts.iter().map(|t| (t.lang.clone(), t.title.clone())).collect(),
        summaries: r
            .texts
            .iter()
            .filter(|t| !t.summary.is_empty())
            .map(|t| (t.lang.clone(), t.summary.clone()))
            .collect(),
        themes: terms(vocab::THEME),
        mechanisms: terms(vocab::MECHANISM),
        countries: terms(vocab::COUNTRY),
        published: r.published_on.clone(),
    }
}

/// `GET /federation/search?q=...` (the library's filters and `cursor`): what this instance's
/// own organisations published, for a partner. The request must be signed by an actor of a
/// partner (a domain allowed by name); the query is not logged, and the answer is not cached.
pub async fn endpoint(State(ctx): State<Ctx>, signed: Signed, RawQuery(q): RawQuery) -> AppResult<Response> {
    let key = signed.verified_key().await?;
    let rules = Policy::of(&ctx).rules().await?;
    if !rules.is_partner(key.host_str().unwrap_or_default()) {
        return Err(AppError::Forbidden);
    }
    let params = LibraryParams::parse(q.as_deref(), true);
    let offset = params.offset()?;
    let mut filters = params.filters(&ctx).await?;
    filters.viewer = Viewer::Public;
    filters.local_only = true;
    filters.org_id = None;
    let found = ctx.index.search(&ctx.db, &filters, offset, PAGE, false).await?;
    let (ids, more) = (found.ids, found.more);
    let items: Vec<Item> = ctx.db.load_resources(&ids, false).await?.iter().map(|r| item_of(&ctx, r)).collect();
    let body = json!({"items": items, "next": more.then(|| (offset + PAGE).to_string())});
    Ok(([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], body.to_string())
        .into_response())
}

/// What one partner answered.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub host: String,
    /// `ok`, `timeout` or `error`
    pub status: &'static str,
    pub count: usize,
    #[serde(skip)]
    pub items: Vec<Item>,
    #[serde(skip)]
    pub more: bool,
}

/// Where each partner's search endpoint is, as its NodeInfo says, for an hour (five minutes
/// when it could not be found).
#[derive(Default)]
pub struct Endpoints(std::sync::Mutex<HashMap<String, (Instant, Option<Url>)>>);

impl Endpoints {
    fn get(&self, origin: &str) -> Option<Option<Url>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(origin).filter(|(until, _)| *until > Instant::now()).map(|(_, u)| u.clone())
    }

    fn put(&self, origin: &str, endpoint: Option<Url>) {
        let ttl = if endpoint.is_some() { 3600 } else { 300 };
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(origin.to_string(), (Instant::now() + Duration::from_secs(ttl), endpoint));
    }
}

/// One actor of each host that actors are known from, as last read, with the newest actor's
/// row id then: a network search reads that id, not every actor, unless an actor came since.
/// (SQLite may give a new actor the id of a newest one deleted before it; until the next
/// actor arrives, that host is then asked at its allowed name, as before it was known.)
#[derive(Default)]
pub struct KnownHosts(std::sync::Mutex<Option<(i64, std::sync::Arc<Vec<String>>)>>);

impl KnownHosts {
    async fn get(&self, ctx: &Core) -> AppResult<std::sync::Arc<Vec<String>>> {
        let newest = ctx.db.newest_remote_actor().await?;
        if let Some((at, hosts)) = &*self.0.lock().unwrap_or_else(|e| e.into_inner()) {
            if *at == newest {
                return Ok(hosts.clone());
            }
        }
        let hosts = std::sync::Arc::new(ctx.db.one_actor_per_host().await?);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((newest, hosts.clone()));
        Ok(hosts)
    }
}

/// The partner instances: the origins of the actors known here on a domain allowed by name,
/// and each allowed domain itself when no actor of that very host is known.
pub async fn partners(ctx: &Core) -> AppResult<Vec<Url>> {
    let rules = Policy::of(ctx).rules().await?;
    let own = ctx.config.domain.clone();
    let scheme = if ctx.config.dev_network { "http" } else { "https" };
    let mut origins: Vec<Url> = Vec::new();
    fn push(origins: &mut Vec<Url>, u: Url) {
        if !origins.iter().any(|o| o.origin() == u.origin()) {
            origins.push(u);
        }
    }
    for ap_id in ctx.partner_hosts.get(ctx).await?.iter() {
        let Ok(u) = Url::parse(ap_id) else { continue };
        if rules.is_partner(u.host_str().unwrap_or_default()) && origin_host(u.as_str()) != own {
            if let Ok(o) = Url::parse(&u.origin().ascii_serialization()) {
                push(&mut origins, o);
            }
        }
    }
    let known_hosts: Vec<String> = origins.iter().filter_map(|o| o.host_str().map(str::to_string)).collect();
    for domain in rules.allowed() {
        // a rule with a port says where that partner is; one without, unless an actor of that
        // very host is known, is tried at its name
        let host = domain.split(':').next().unwrap_or_default().to_string();
        if domain == own || (!domain.contains(':') && known_hosts.contains(&host)) {
            continue;
        }
        if let Ok(o) = Url::parse(&format!("{scheme}://{domain}/")) {
            push(&mut origins, o);
        }
    }
    Ok(origins)
}

/// The search endpoint `origin` advertises in its NodeInfo (`metadata.amicus.partnerSearch`),
/// on its own host.
async fn discover(ctx: &Core, origin: &Url) -> AppResult<Url> {
    let key = origin.as_str().to_string();
    if let Some(known) = ctx.partner_endpoints.get(&key) {
        return known.ok_or(AppError::BadRequest("error-remote-not-found"));
    }
    let found = async {
        let links_url = origin.join("/.well-known/nodeinfo").map_err(AppError::internal)?;
        let (_, body) = super::lenient::signed_get(ctx, &links_url, "application/json", 64 * 1024, TIMEOUT).await?;
        let links: Value =
            serde_json::from_slice(&body).map_err(|_| AppError::BadRequest("error-remote-unparseable"))?;
        let href = links["links"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["href"].as_str().and_then(|h| Url::parse(h).ok()))
            .find(|h| super::net::same_host(origin, h))
            .ok_or(AppError::BadRequest("error-remote-not-found"))?;
        let (_, body) = super::lenient::signed_get(ctx, &href, "application/json", 256 * 1024, TIMEOUT).await?;
        let info: Value =
            serde_json::from_slice(&body).map_err(|_| AppError::BadRequest("error-remote-unparseable"))?;
        info["metadata"]["amicus"]["partnerSearch"]
            .as_str()
            .and_then(|s| Url::parse(s).ok())
            .filter(|u| super::net::same_host(origin, u))
            .ok_or(AppError::BadRequest("error-remote-not-found"))
    }
    .await;
    match &found {
        Ok(u) => ctx.partner_endpoints.put(&key, Some(u.clone())),
        // unreachable now is not "no endpoint": ask again next time
        Err(AppError::BadRequest(_)) => ctx.partner_endpoints.put(&key, None),
        Err(_) => {}
    }
    found
}

/// Truncates `s` to `n` characters.
fn cut(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// A partner's answer, checked: JSON of the documented shape, and only items whose id and
/// page are on the partner's own host (a partner answers for what it owns, nothing else),
/// with every text bounded.
pub fn parse_answer(origin: &Url, body: &[u8]) -> AppResult<(Vec<Item>, bool)> {
    let doc: Value = serde_json::from_slice(body).map_err(|_| AppError::BadRequest("error-remote-unparseable"))?;
    let list = doc.get("items").and_then(Value::as_array).ok_or(AppError::BadRequest("error-remote-unparseable"))?;
    let own = |u: &str| Url::parse(u).is_ok_and(|u| super::net::same_host(origin, &u));
    let mut items = Vec::new();
    for v in list.iter().take(MAX_ITEMS) {
        let Ok(mut item) = serde_json::from_value::<Item>(v.clone()) else { continue };
        if !own(&item.id) || !own(&item.url) {
            continue;
        }
        item.attributed_to = item.attributed_to.filter(|a| own(a));
        item.titles = item.titles.iter().take(10).map(|(l, t)| (cut(l, 10), cut(t, 300))).collect();
        item.summaries = item.summaries.iter().take(10).map(|(l, t)| (cut(l, 10), cut(t, 1000))).collect();
        if item.titles.is_empty() {
            continue;
        }
        item.languages = item.languages.iter().take(10).map(|l| cut(l, 10)).collect();
        item.org = cut(&item.org, 200);
        item.org_name = cut(&item.org_name, 200);
        item.resource_type = cut(&item.resource_type, 100);
        item.original_language = cut(&item.original_language, 10);
        for list in [&mut item.themes, &mut item.mechanisms, &mut item.countries] {
            list.truncate(50);
            for t in list.iter_mut() {
                *t = cut(t, 100);
            }
        }
        item.published = item.published.map(|p| cut(&p, 10));
        items.push(item);
    }
    let more = doc.get("next").is_some_and(|n| !n.is_null());
    Ok((items, more))
}

/// Asks one partner, within `TIMEOUT` in all.
async fn ask(ctx: &Core, origin: Url, query: &str) -> Source {
    let host = origin_host(origin.as_str());
    let work = async {
        let mut url = discover(ctx, &origin).await?;
        url.set_query((!query.is_empty()).then_some(query));
        let (_, body) = super::lenient::signed_get(ctx, &url, "application/json", MAX_ANSWER, TIMEOUT).await?;
        parse_answer(&origin, &body)
    };
    let (status, items, more) = match tokio::time::timeout(TIMEOUT, work).await {
        Err(_) => ("timeout", Vec::new(), false),
        Ok(Err(AppError::RemoteUnavailable(e))) if e.contains("timed out") || e == "timeout" => {
            ("timeout", Vec::new(), false)
        }
        Ok(Err(_)) => ("error", Vec::new(), false),
        Ok(Ok((items, more))) => ("ok", items, more),
    };
    Source { host, status, count: items.len(), items, more }
}

/// Asks every partner at once with the library's query string (`LibraryParams::partner_query`).
pub async fn ask_partners(ctx: &Core, query: &str) -> AppResult<Vec<Source>> {
    let origins = partners(ctx).await?;
    Ok(futures_util::future::join_all(origins.into_iter().map(|o| ask(ctx, o, query))).await)
}

/// Reciprocal-rank fusion (k = 60) of ranked lists, one item per ActivityPub id: an item's
/// score is the sum over the lists of 1 / (60 + its rank there), and the first list's copy of
/// an item is the one kept. Ties keep the order of the lists.
pub fn fuse(lists: Vec<Vec<Item>>) -> Vec<Item> {
    const K: f64 = 60.0;
    let mut scores: HashMap<String, (f64, usize)> = HashMap::new();
    let mut kept: Vec<Item> = Vec::new();
    for list in lists {
        for (rank, item) in list.into_iter().enumerate() {
            let add = 1.0 / (K + rank as f64 + 1.0);
            match scores.get_mut(&item.id) {
                Some((s, _)) => *s += add,
                None => {
                    scores.insert(item.id.clone(), (add, kept.len()));
                    kept.push(item);
                }
            }
        }
    }
    let mut order: Vec<(f64, usize)> = scores.into_values().collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut slots: Vec<Option<Item>> = kept.into_iter().map(Some).collect();
    order.into_iter().filter_map(|(_, i)| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> Item {
        Item {
            id: id.into(),
            url: id.into(),
            resource_type: "briefing-note".into(),
            org: "o@h".into(),
            org_name: String::new(),
            attributed_to: None,
            original_language: "en".into(),
            languages: vec!["en".into()],
            titles: [("en".to_string(), "t".to_string())].into(),
            summaries: BTreeMap::new(),
            themes: vec![],
            mechanisms: vec![],
            countries: vec![],
            published: None,
        }
    }

    #[test]
    fn fusion_ranks_what_several_lists_agree_on_first_and_keeps_one_copy() {
        let local = vec![item("https://a/1"), item("https://a/2"), item("https://b/9")];
        let b = vec![item("https://b/9"), item("https://b/8")];
        let c = vec![item("https://c/5")];
        let fused = fuse(vec![local, b, c]);
        let ids: Vec<&str> = fused.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, vec!["https://b/9", "https://a/1", "https://c/5", "https://a/2", "https://b/8"]);
    }

    #[test]
    fn a_partners_answer_keeps_only_its_own_objects_and_bounds_every_text() {
        let origin = Url::parse("https://b.example/").unwrap();
        let long = "x".repeat(5000);
        let body = json!({"items": [
            {"id": "https://b.example/r/1", "url": "https://b.example/r/1", "type": "briefing-note", "org": "o@b.example",
             "originalLanguage": "en", "languages": ["en"], "titles": {"en": long}},
            {"id": "https://evil.example/r/2", "url": "https://b.example/r/2", "type": "t", "org": "o",
             "originalLanguage": "en", "languages": ["en"], "titles": {"en": "planted"}},
            {"id": "https://b.example/r/3", "url": "javascript:alert(1)", "type": "t", "org": "o",
             "originalLanguage": "en", "languages": ["en"], "titles": {"en": "bad link"}},
            {"garbage": true}
        ], "next": "20"});
        let (items, more) = parse_answer(&origin, body.to_string().as_bytes()).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].titles["en"].chars().count(), 300);
        assert!(more);
        assert!(parse_answer(&origin, b"<html>").is_err());
        assert!(parse_answer(&origin, b"{\"items\": 3}").is_err());
    }
}
