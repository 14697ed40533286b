//! The library pages: search with facets, a resource in the reader's language, and its files.
//! The editor's forms are in `editor`.

use axum::extract::{Path, RawQuery, State};
use axum::http::header;

use crate::federation::authorized::Signed;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Value};
use serde::Serialize;

use super::Page;
use crate::app::Ctx;
use crate::db::search::Facets;
use crate::error::{AppError, AppResult};
use crate::http::params::{query_string, LibraryParams};
use crate::library;
use crate::model::lang::{endonym, Lang};
use crate::model::resource::{Resource, Status};
use crate::model::vocab;

const PAGE: i64 = 20;

/// A resource as a line in a list, in the reader's language where possible.
pub fn card(r: &Resource, lang: Lang) -> Value {
    let text = r.text_for(lang.code());
    let shown = text.map(|t| t.lang.as_str()).unwrap_or_default();
    context! {
        uid => r.uid,
        title => text.map(|t| t.title.as_str()),
        summary => text.map(|t| t.summary.as_str()),
        text_lang => shown,
        text_dir => crate::model::lang::ContentLang::parse(shown, &[shown.to_string()]).map(|l| l.dir()).unwrap_or("auto"),
        resource_type => r.resource_type,
        path => r.path(),
        is_statement => r.statement.is_some(),
        year => r.year(),
        published => r.published_on,
        org_handle => r.org_handle,
        // the organisation's name in the reader's language when its profile gives one
        org_name => r.org_names.get(lang.code()).filter(|n| !n.is_empty()).unwrap_or(&r.org_name),
        status => r.status,
        languages => r.languages(),
        sensitive => r.sensitive,
    }
}

/// A result of a network search: a link to its page here when this instance has it, else to
/// its page on its own instance, which it names.
fn network_card(ctx: &Ctx, i: &crate::federation::partners::Item, uid: Option<&str>, lang: Lang) -> Value {
    let (text_lang, title) = i
        .titles
        .get_key_value(lang.code())
        .or_else(|| i.titles.get_key_value(&i.original_language))
        .or_else(|| i.titles.iter().next())
        .map(|(l, t)| (l.clone(), t.clone()))
        .unwrap_or_default();
    let dir = crate::model::lang::ContentLang::parse(&text_lang, std::slice::from_ref(&text_lang))
        .map(|l| l.dir())
        .unwrap_or("auto");
    let scheme = ctx.vocab.kind_scheme(&i.resource_type);
    let kind = ctx.vocab.label(scheme, &i.resource_type, lang);
    context! {
        href => uid.map(|u| format!("/r/{u}")).unwrap_or_else(|| i.url.clone()),
        here => uid.is_some(),
        title,
        summary => i.summaries.get(&text_lang).cloned().unwrap_or_default(),
        text_lang,
        text_dir => dir,
        kind,
        published => i.published,
        org => i.org,
        org_name => if i.org_name.is_empty() { i.org.clone() } else { i.org_name.clone() },
        origin => crate::federation::partners::origin_host(&i.id),
        languages => i.languages,
    }
}

/// A term of a facet (`partials/facets.html`, shared with the agenda).
#[derive(Serialize)]
pub(super) struct FacetLink {
    /// The term's id (a checkbox's value).
    pub value: String,
    pub label: String,
    pub count: i64,
    /// This page with the term added, or removed when active.
    pub href: String,
    pub active: bool,
    /// Narrower terms with results, when the facet shows its hierarchy.
    pub children: Vec<FacetLink>,
}

#[derive(Serialize)]
pub(super) struct FacetGroup {
    pub key: &'static str,
    pub title: String,
    /// Checkboxes (several terms at once) rather than links (one).
    pub multi: bool,
    pub links: Vec<FacetLink>,
    /// How many terms with results are not shown, and the page showing them all.
    pub hidden: usize,
    pub more: Option<String>,
}

/// A chosen term, shown above the results with a link that removes it.
#[derive(Serialize)]
pub(super) struct Chip {
    pub label: String,
    pub href: String,
}

/// Terms shown per facet before "more".
const FACET_TOP: usize = 8;

/// The library's URL with `pairs`.
fn library_href(pairs: &[(&str, String)]) -> String {
    format!("/library?{}", query_string(pairs))
}

/// The facets beside (on a phone, above) the results. Single-choice facets are links; the
/// multi-choice ones (themes, mechanisms, countries) are checkboxes, the top terms by count,
/// or with `?more=<facet>` every term with results, themes and mechanisms as their hierarchy.
fn facet_groups(ctx: &Ctx, page: &Page, params: &LibraryParams, facets: &Facets, more: &str) -> Vec<FacetGroup> {
    let base = params.pairs();
    let toggle = |key: &'static str, value: &str| {
        let active = base.iter().any(|(k, v)| *k == key && v == value);
        let mut pairs: Vec<(&str, String)> = base
            .iter()
            .filter(|(k, v)| *k != key || (MULTI.contains(k) && v != value))
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        if !active {
            pairs.push((key, value.to_string()));
        }
        (library_href(&pairs), active)
    };
    let link = |key: &'static str, value: &str, label: String, count: i64| {
        let (href, active) = toggle(key, value);
        FacetLink { value: value.to_string(), label, count, href, active, children: Vec::new() }
    };
    let single = |key: &'static str, title: &str, links: Vec<FacetLink>| {
        let total = links.len();
        let all = more == key;
        let mut links = links;
        let hidden = if all { 0 } else { total.saturating_sub(FACET_TOP) };
        if !all {
            // the chosen term stays in view even when it is not among the first
            let chosen = links.iter().position(|l| l.active).filter(|p| *p >= FACET_TOP);
            let chosen = chosen.map(|p| links.remove(p));
            links.truncate(FACET_TOP);
            links.extend(chosen);
        }
        FacetGroup { key, title: page.t(ctx, title), multi: false, links, hidden, more: more_href(&base, key, hidden) }
    };
    let multi = |key: &'static str, scheme: &str, title: &str, counts: &[(String, i64)]| {
        let count_of = |id: &str| counts.iter().find(|(t, _)| t == id).map(|(_, n)| *n);
        let chosen: Vec<&String> = base.iter().filter(|(k, _)| *k == key).map(|(_, v)| v).collect();
        let label = |id: &str| ctx.vocab.label(scheme, id, page.lang).to_string();
        let shown = counts.len() + chosen.iter().filter(|c| count_of(c).is_none()).count();
        if more == key {
            let links = if scheme == vocab::COUNTRY {
                let mut all: Vec<FacetLink> = counts.iter().map(|(id, n)| link(key, id, label(id), *n)).collect();
                all.extend(chosen.iter().filter(|c| count_of(c).is_none()).map(|c| link(key, c, label(c), 0)));
                all.sort_by(|a, b| a.label.cmp(&b.label));
                all
            } else {
                tree(ctx, scheme, None, &|id| {
                    let n = count_of(id);
                    (n.is_some() || chosen.iter().any(|c| *c == id)).then(|| link(key, id, label(id), n.unwrap_or(0)))
                })
            };
            return FacetGroup { key, title: page.t(ctx, title), multi: true, links, hidden: 0, more: None };
        }
        let mut links: Vec<FacetLink> =
            counts.iter().take(FACET_TOP).map(|(id, n)| link(key, id, label(id), *n)).collect();
        for c in &chosen {
            if !links.iter().any(|l| &&l.value == c) {
                links.push(link(key, c, label(c), count_of(c).unwrap_or(0)));
            }
        }
        let hidden = shown.saturating_sub(links.len());
        FacetGroup { key, title: page.t(ctx, title), multi: true, links, hidden, more: more_href(&base, key, hidden) }
    };
    vec![
        single(
            "type",
            "facet-type",
            facets
                .types
                .iter()
                .map(|(id, n)| {
                    link("type", id, ctx.vocab.label(ctx.vocab.kind_scheme(id), id, page.lang).to_string(), *n)
                })
                .collect(),
        ),
        multi("theme", vocab::THEME, "facet-theme", &facets.themes),
        multi("mechanism", vocab::MECHANISM, "facet-mechanism", &facets.mechanisms),
        multi("country", vocab::COUNTRY, "facet-country", &facets.countries),
        single(
            "language",
            "facet-language",
            facets
                .languages
                .iter()
                .map(|(l, n)| link("language", l, endonym(l).unwrap_or(l).to_string(), *n))
                .collect(),
        ),
        single("year", "facet-year", facets.years.iter().map(|(y, n)| link("year", y, y.clone(), *n)).collect()),
        single("org", "facet-org", facets.orgs.iter().map(|(h, name, n)| link("org", h, name.clone(), *n)).collect()),
    ]
}

/// The facets that take several terms.
const MULTI: &[&str] = &["theme", "mechanism", "country"];

/// Every facet, by its query parameter (`?more=` names one of them).
const FACETS: &[&str] = &["type", "theme", "mechanism", "country", "language", "year", "org"];

/// This page showing every term of facet `key`, when some are hidden.
fn more_href(base: &[(&'static str, String)], key: &'static str, hidden: usize) -> Option<String> {
    (hidden > 0).then(|| {
        let mut pairs = base.to_vec();
        pairs.push(("more", key.to_string()));
        format!("{}#facet-{key}", library_href(&pairs))
    })
}

/// The terms under `parent` (the top when `None`) that `make` keeps, each with its own kept
/// narrower terms; a term left out still shows the kept terms below it, in its place.
fn tree(ctx: &Ctx, scheme: &str, parent: Option<&str>, make: &dyn Fn(&str) -> Option<FacetLink>) -> Vec<FacetLink> {
    let Some(s) = ctx.vocab.scheme(scheme) else { return Vec::new() };
    let mut out = Vec::new();
    for t in s.terms.iter().filter(|t| t.broader.as_deref() == parent) {
        let children = tree(ctx, scheme, Some(&t.id), make);
        match make(&t.id) {
            Some(mut l) => {
                l.children = children;
                out.push(l);
            }
            None => out.extend(children),
        }
    }
    out
}

/// The chosen filters as removable chips.
fn chips(ctx: &Ctx, page: &Page, params: &LibraryParams) -> Vec<Chip> {
    let base = params.pairs();
    base.iter()
        .enumerate()
        .filter(|(_, (k, _))| *k != "q")
        .map(|(i, (k, v))| {
            let label = match *k {
                "type" => ctx.vocab.label(ctx.vocab.kind_scheme(v), v, page.lang).to_string(),
                "theme" => ctx.vocab.label(vocab::THEME, v, page.lang).to_string(),
                "mechanism" => ctx.vocab.label(vocab::MECHANISM, v, page.lang).to_string(),
                "country" => ctx.vocab.label(vocab::COUNTRY, v, page.lang).to_string(),
                "language" => endonym(v).unwrap_or(v).to_string(),
                _ => v.clone(),
            };
            let rest: Vec<(&str, String)> =
                base.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, (k, v))| (*k, v.clone())).collect();
            Chip { label, href: library_href(&rest) }
        })
        .collect()
}

/// `GET /library` (and `/`): search, facets, results.
pub async fn index(State(ctx): State<Ctx>, page: Page, RawQuery(query): RawQuery) -> AppResult<Html<String>> {
    let params = LibraryParams::parse(query.as_deref(), false);
    let more = url::form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "more")
        .map(|(_, v)| v.into_owned())
        .filter(|v| FACETS.contains(&v.as_str()))
        .unwrap_or_default();
    let offset = params.offset()?;
    let filters = params.filters(&ctx).await?;
    // with `scope=network`, partners are asked while this instance searches (facets stay local)
    let partners = async {
        if params.network() {
            crate::federation::partners::ask_partners(&ctx, &params.partner_query()).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (results, sources) =
        tokio::join!(library::search(&ctx, page.user.as_ref(), filters, offset, PAGE, true), partners);
    let results = results?;
    let network = sources?.map(|s| library::fuse(&ctx, &results, s));
    let facets = results.facets.clone().unwrap_or_default();
    let pairs = params.pairs();
    let page_link = |o: i64| {
        let mut p = pairs.clone();
        if o > 0 {
            p.push(("cursor", o.to_string()));
        }
        format!("/library?{}", query_string(&p))
    };
    let feed_query = query_string(&pairs);
    // one search box: events whose titles, summaries or case match are listed too, typed
    let events = if params.q.trim().is_empty() || offset > 0 {
        Vec::new()
    } else {
        let f = crate::db::events::EventFilters { q: Some(params.q.clone()), ..Default::default() };
        let (found, _) = crate::agenda::list(&ctx, &f, 0, 5).await?;
        found
            .iter()
            .map(|e| {
                let t = e.text_for(page.lang.code());
                context! {
                    uid => e.uid,
                    title => t.map(|t| t.1.clone()),
                    text_lang => t.map(|t| t.0.clone()),
                    kind => ctx.vocab.label(crate::model::event::EVENT_KIND, &e.kind, page.lang),
                    when => crate::federation::events::when_where(&ctx, e, page.lang),
                    case_number => e.case_number,
                    status => e.status,
                }
            })
            .collect::<Vec<_>>()
    };
    page.render(
        &ctx,
        "library/index.html",
        context! {
            events,
            q => params.q,
            total => facets.total,
            items => results.items.iter().map(|r| card(r, page.lang)).collect::<Vec<_>>(),
            network => network.as_ref().map(|n| n.items.iter().map(|(i, uid)| network_card(&ctx, i, uid.as_deref(), page.lang)).collect::<Vec<_>>()),
            silent => network.as_ref().map(|n| n.sources.iter().filter(|s| s.status != "ok").map(|s| s.host.clone()).collect::<Vec<_>>()).unwrap_or_default(),
            partners_asked => network.as_ref().map(|n| n.sources.len()).unwrap_or_default(),
            scope_network => params.network(),
            groups => facet_groups(&ctx, &page, &params, &facets, &more),
            chips => chips(&ctx, &page, &params),
            hidden_pairs => pairs.iter().filter(|(k, _)| !MULTI.contains(k)).map(|(k, v)| context! { name => k, value => v }).collect::<Vec<_>>(),
            multi_pairs => pairs.iter().filter(|(k, _)| MULTI.contains(k)).map(|(k, v)| context! { name => k, value => v }).collect::<Vec<_>>(),
            sort => params.sort,
            open_filters => !more.is_empty(),
            filtered => !pairs.is_empty(),
            next => (results.more || network.as_ref().is_some_and(|n| n.more)).then(|| page_link(offset + PAGE)),
            prev => (offset > 0).then(|| page_link((offset - PAGE).max(0))),
            feed_query => feed_query,
        },
    )
}

/// `GET /r/{uid}`: the resource in the reader's language (`?text=` picks another one).
pub async fn show(
    State(ctx): State<Ctx>,
    page: Page,
    signed: Signed,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    show_publication(ctx, page, signed, uid, query, false).await
}

/// `GET /s/{uid}`: a statement, with its signatories, call to action and targets.
pub async fn show_statement(
    State(ctx): State<Ctx>,
    page: Page,
    signed: Signed,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    show_publication(ctx, page, signed, uid, query, true).await
}

async fn show_publication(
    ctx: Ctx,
    page: Page,
    signed: Signed,
    uid: String,
    query: Option<String>,
    as_statement: bool,
) -> AppResult<Response> {
    if signed.wants_activity_json() {
        signed.check().await?;
        let r = ctx.db.resource_by_uid(&uid).await?.ok_or(AppError::NotFound)?;
        if r.statement.is_some() != as_statement {
            return Err(AppError::NotFound);
        }
        return Ok(crate::federation::objects::resource_response(&ctx, &r));
    }
    let r = library::get(&ctx, page.user.as_ref(), &uid).await?;
    if r.statement.is_some() != as_statement {
        let q = query.map(|q| format!("?{q}")).unwrap_or_default();
        return Ok(axum::response::Redirect::permanent(&format!("{}{q}", r.path())).into_response());
    }
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    // a text asked for that this resource does not have is said, not silently replaced
    let asked = param("text");
    let no_such_text = asked.clone().filter(|l| !r.has_lang(l));
    let wanted = asked.filter(|l| r.has_lang(l)).unwrap_or_else(|| page.lang.code().to_string());
    let text = r.text_for(&wanted).ok_or(AppError::NotFound)?;
    let can_edit = match &page.user {
        Some(u) => crate::accounts::org_role(&ctx, u, r.org_id).await?.is_some_and(|role| role.can_edit()),
        None => false,
    };
    // the organisations of this instance this reader edits: they may share it as them (once
    // published) and, for a statement, sign it as them
    let editing: Vec<String> = match &page.user {
        Some(u) => ctx
            .db
            .orgs_of_user(u.id)
            .await?
            .into_iter()
            .filter(|(_, _, role)| role.can_edit())
            .map(|(_, handle, _)| handle)
            .collect(),
        None => Vec::new(),
    };
    let share_as: Vec<String> = if r.status == Status::Published { editing.clone() } else { Vec::new() };
    let shared = param("shared")
        .filter(|h| share_as.contains(h))
        .map(|org| context! { org => org, sent => param("sent").as_deref() == Some("1") });
    let others: Vec<Value> = r
        .languages()
        .into_iter()
        .filter(|l| *l != text.lang)
        .map(|l| {
            let href = match crate::model::resource::ui_lang(l) {
                Some(ui) => format!("{}?lang={}", r.path(), ui.code()),
                None => format!("{}?text={l}", r.path()),
            };
            context! { code => l, name => endonym(l).unwrap_or(l), href => href }
        })
        .collect();
    let terms = |scheme: &'static str| {
        r.terms_of(scheme)
            .map(|t| context! { id => t, label => ctx.vocab.label(scheme, t, page.lang) })
            .collect::<Vec<_>>()
    };
    // boosts and likes from the fediverse: how many, never who
    let (boosts, likes) = match r.local {
        true => ctx.db.reaction_counts(&crate::federation::objects::object_id(&ctx, &r)).await?,
        false => (0, 0),
    };
    // the discussion under it, once it is public
    let thread = match r.status == Status::Published && r.hidden_until.is_none() {
        true => Some(
            crate::community::view(&ctx, page.user.as_ref(), &crate::community::Target::of_resource(&ctx, &r)).await?,
        ),
        false => None,
    };
    let html = page.render(
        &ctx,
        "library/resource.html",
        context! {
            thread,
            r => card(&r, page.lang),
            text => context! { lang => text.lang, title => text.title, summary => text.summary, body_html => text.body_html,
                               dir => crate::model::lang::ContentLang::parse(&text.lang, std::slice::from_ref(&text.lang)).map(|l| l.dir()).unwrap_or("auto") },
            // only when there is truly no text in the reader's language
            missing_lang => (!r.has_lang(page.lang.code())).then(|| page.lang.code()),
            no_such_text => no_such_text,
            published_here => r.published_at.map(|t| t.to_rfc3339()),
            others => others,
            attachments => r.attachments,
            themes => terms(vocab::THEME),
            mechanisms => terms(vocab::MECHANISM),
            countries => terms(vocab::COUNTRY),
            audiences => terms(vocab::AUDIENCE),
            warnings => terms(vocab::CONTENT_WARNING),
            reading_level => r.reading_level,
            authors => r.authors,
            licence => r.licence,
            can_edit => can_edit,
            share_as => share_as,
            shared => shared,
            // a link only to a web address, whatever was stored
            origin => r.origin_url.as_ref().and_then(|u| url::Url::parse(u).ok()).filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| context! { url => u.as_str(), host => u.host_str().map(str::to_string) }),
            withdrawn => r.status == Status::Withdrawn,
            draft => r.status == Status::Draft,
            statement => statement_view(&ctx, &r, can_edit, &editing),
            boosts => boosts,
            likes => likes,
        },
    )?;
    Ok(html.into_response())
}

/// What the page of a statement shows besides a resource's: the embargo (to its
/// organisation), the call to action, whom it addresses, its hashtags, its version and
/// digest, and who signed it. Its organisation's editors (`member`) also see who was invited
/// and who asks to sign; the editors of other organisations here (`editing`) may sign it as
/// them (when invited, or when it is open) or withdraw their signature.
fn statement_view(ctx: &Ctx, r: &Resource, member: bool, editing: &[String]) -> Option<Value> {
    use crate::model::statement::SignatureState;
    let st = r.statement.as_ref()?;
    let sig = |s: &crate::model::statement::Signature| {
        context! {
            name => s.name, acct => s.acct(&ctx.config.domain), actor => s.actor_id(&ctx.config.base_url()),
            verified => s.verified, version => s.version,
            // signed before the text last changed: it counts for that version until confirmed
            earlier => s.version.is_some_and(|v| v < st.version),
            state => s.state,
        }
    };
    let signed: Vec<Value> = r.signatures.iter().filter(|s| s.state == SignatureState::Signed).map(sig).collect();
    let pending: Vec<Value> = if member {
        r.signatures.iter().filter(|s| s.state != SignatureState::Signed).map(sig).collect()
    } else {
        Vec::new()
    };
    let requests: Vec<Value> = match member && r.local {
        true => r.signatures.iter().filter(|s| s.state == SignatureState::Requested).map(sig).collect(),
        false => Vec::new(),
    };
    let sign_as: Vec<Value> = editing
        .iter()
        .filter(|h| **h != r.org_handle)
        .filter_map(|h| {
            let s = r.signatures.iter().find(|s| s.local && s.handle == *h);
            let state = s.map(|s| s.state);
            let signed = state == Some(SignatureState::Signed);
            // signed an earlier version of the text: asked to confirm this one
            let earlier = signed && s.and_then(|s| s.version).is_some_and(|v| v < st.version);
            let can_sign = match state {
                Some(SignatureState::Signed) => earlier,
                Some(SignatureState::Requested) => false,
                Some(SignatureState::Invited) => true,
                _ => st.open_signing,
            };
            let requested = state == Some(SignatureState::Requested);
            (can_sign || signed || requested)
                .then(|| context! { org => h, can_sign, signed, earlier, requested, version => st.version })
        })
        .collect();
    Some(context! {
        version => st.version,
        digest => st.digest,
        embargo => r.hidden_until.map(|t| t.to_rfc3339()),
        cta => st.call_to_action,
        targets => st.targets,
        hashtags => st.hashtags,
        case_name => st.case_name,
        open_signing => st.open_signing,
        signed => signed,
        pending => pending,
        external => st.external_signatories,
        count => r.signatures.iter().filter(|s| s.state == SignatureState::Signed).count() + st.external_signatories.len() + 1,
        manage => member && r.local && r.status != Status::Withdrawn,
        requests => requests,
        sign_as => sign_as,
    })
}

/// `GET /files/{uid}/{name}`: an attachment, if its resource may be seen, streamed from
/// disk with `Range` (seeking in audio and video), `If-None-Match` (its SHA-256 is its ETag)
/// and `If-Modified-Since` honoured.
pub async fn download(
    State(ctx): State<Ctx>,
    page: Page,
    Path((uid, _name)): Path<(String, String)>,
    request: axum::extract::Request,
) -> AppResult<Response> {
    let (resource_uid, mut a) = ctx.db.attachment_by_uid(&uid).await?.ok_or(AppError::NotFound)?;
    let r = library::get(&ctx, page.user.as_ref(), &resource_uid).await?;
    let path = library::attachment_file(&ctx, &mut a).await?;
    let inline = a.media_type.starts_with("image/")
        || a.media_type.starts_with("audio/")
        || a.media_type.starts_with("video/")
        || a.media_type == "application/pdf";
    let disposition =
        format!("{}; filename*=UTF-8''{}", if inline { "inline" } else { "attachment" }, urlencode(&a.name));
    let cache = if r.public_status() == Status::Published { "public, max-age=86400" } else { "private, no-store" };
    let etag = format!("\"{}\"", a.sha256);
    let mut res = if request.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        axum::http::StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mime = a.media_type.parse().map_err(AppError::internal)?;
        let served = tower::ServiceExt::oneshot(tower_http::services::ServeFile::new_with_mime(path, &mime), request);
        served.await.map_err(AppError::internal)?.map(axum::body::Body::new)
    };
    let headers = res.headers_mut();
    for (name, value) in
        [(header::CONTENT_DISPOSITION, disposition), (header::CACHE_CONTROL, cache.to_string()), (header::ETAG, etag)]
    {
        headers.insert(name, value.parse().map_err(AppError::internal)?);
    }
    Ok(res)
}

/// `GET /thumbs/{uid}`: an image attachment's preview, to whoever may see its resource.
pub async fn thumbnail(State(ctx): State<Ctx>, page: Page, Path(uid): Path<String>) -> AppResult<Response> {
    let (resource_uid, a) = ctx.db.attachment_by_uid(&uid).await?.ok_or(AppError::NotFound)?;
    let r = library::get(&ctx, page.user.as_ref(), &resource_uid).await?;
    let sha = a.thumb.ok_or(AppError::NotFound)?;
    let store = ctx.store.clone();
    let bytes = tokio::task::spawn_blocking(move || store.get(&sha)).await??;
    let media_type = if bytes.starts_with(b"\x89PNG") { "image/png" } else { "image/jpeg" };
    let cache = if r.public_status() == Status::Published { "public, max-age=86400" } else { "private, no-store" };
    Ok(([(header::CONTENT_TYPE, media_type), (header::CACHE_CONTROL, cache)], bytes).into_response())
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}
