//! The network (issue 11): backfill of what partners published before they were followed,
//! consent, partner search, directory, joining.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::network::{peer, search};

const AP: &str = "application/activity+json";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Waits for the backfill of `actor` on `app` to end, and returns it.
pub async fn backfilled(app: &TestApp, actor: &str) -> amicus::db::federation::Backfill {
    for _ in 0..600 {
        if let Some(b) = app.ctx.db.backfill(actor).await.unwrap() {
            if b.state == "done" || b.state == "failed" {
                return b;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the backfill of {actor} did not end");
}

/// Every item of an API list, following `next`.
pub async fn all(app: &TestApp, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&cursor={c}"),
            None => path.to_string(),
        };
        let page: Value = app.get(&url).await.json().await.unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(n) => cursor = Some(n.to_string()),
            None => return items,
        }
    }
}

async fn follow(app: &TestApp, token: &str, org: &str, target: &str) {
    let res = app.api_post(token, &format!("/api/v1/orgs/{org}/following"), &json!({ "target": target })).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn a_followed_partners_earlier_library_and_agenda_are_fetched_once_however_often_it_is_followed() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    // published before anyone followed: nothing was delivered
    for i in 0..45 {
        let mut body =
            crate::helpers::resource("redress", &format!("Amicus brief number {i} on enforced disappearance"));
        body["featured"] = json!(i == 3);
        alpha.post_resource(&token, &body).await;
    }
    let mut draft = crate::helpers::resource("redress", "Unfinished amicus brief");
    draft["status"] = json!("draft");
    alpha.post_resource(&token, &draft).await;
    let mut hearing = crate::events::hearing();
    hearing["start"] = json!("2031-03-04T09:30");
    hearing["end"] = json!("2031-03-04T16:30");
    hearing.as_object_mut().unwrap().remove("rrule");
    assert_eq!(alpha.api_post(&token, "/api/v1/events", &hearing).await.status(), 201);

    let beta_token = beta.org_with_editor("trial", "bruno").await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    follow(&beta, &beta_token, "trial", &target).await;
    let actor = format!("http://{}/orgs/redress", alpha.ctx.config.domain);
    let b = backfilled(&beta, &actor).await;
    assert_eq!(b.state, "done", "{b:?}");
    assert_eq!(b.stored, 45 + 1 + 1, "45 from the outbox (one of them featured too) and the hearing: {b:?}");
    let items = all(&beta, "/api/v1/resources?q=amicus+brief").await;
    assert_eq!(items.len(), 45, "every published brief once, not the draft");
    let events: Value = beta.get("/api/v1/events?origin=partners&from=2030-01-01").await.json().await.unwrap();
    assert_eq!(events["items"].as_array().unwrap().len(), 1);

    // the API and the organisation's federation page show how far it got
    let following: Value = beta.api_get(&beta_token, "/api/v1/orgs/trial/following").await.json().await.unwrap();
    assert_eq!(following["items"][0]["target"], actor);
    assert_eq!(following["items"][0]["backfill"]["state"], "done");
    assert_eq!(following["items"][0]["backfill"]["stored"], 47);
    let browser = TestApp::client_of(&beta);
    browser.login_as("bruno", crate::helpers::PASSWORD).await;
    let html = browser.get("/orgs/trial/federation").await;
    assert!(html.contains("Earlier publications fetched: 47 kept, 0 left out"), "{html}");

    // following again, a change on the partner, and the command line: still one copy each
    follow(&beta, &beta_token, "trial", &target).await;
    backfilled(&beta, &actor).await;
    assert_eq!(all(&beta, "/api/v1/resources?q=amicus+brief").await.len(), 45);
    let data = amicus::federation::context::config(&beta.ctx).await.unwrap().to_request_data();
    let again = amicus::federation::backfill::now(&data, &target).await.unwrap();
    assert_eq!((again.state.as_str(), again.stored), ("done", 47));
    assert_eq!(all(&beta, "/api/v1/resources?q=amicus+brief").await.len(), 45);
    let events: Value = beta.get("/api/v1/events?origin=partners&from=2030-01-01").await.json().await.unwrap();
    assert_eq!(events["items"].as_array().unwrap().len(), 1);

    // an actor nobody here follows is not fetched on request
    let err = amicus::federation::backfill::now(&data, &format!("nobody@{}", alpha.ctx.config.domain)).await;
    assert!(err.is_err());
}

/// A hostile server on gamma.localhost: its actors' outboxes are built by `outbox(name, page)`.
async fn hostile(
    outbox: impl Fn(&str, &str, Option<u64>) -> Option<Value> + Send + Sync + 'static,
    indexable: bool,
    public_pem: String,
) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://gamma.localhost:{port}");
    let outbox = Arc::new(outbox);
    let app = axum::Router::new().route(
        "/users/{name}/{*rest}",
        axum::routing::get({
            let base = base.clone();
            move |axum::extract::Path((name, rest)): axum::extract::Path<(String, String)>,
                  axum::extract::RawQuery(q): axum::extract::RawQuery| {
                let (base, outbox) = (base.clone(), outbox.clone());
                async move {
                    let page = q.and_then(|q| q.strip_prefix("page=").and_then(|p| p.parse().ok()));
                    let actor = format!("{base}/users/{name}");
                    match (rest.as_str(), outbox(&actor, &name, page)) {
                        ("outbox", Some(doc)) => ([("content-type", AP)], doc.to_string()).into_response(),
                        _ => axum::http::StatusCode::NOT_FOUND.into_response(),
                    }
                }
            }
        }),
    );
    let app = app.route(
        "/users/{name}",
        axum::routing::get(move |axum::extract::Path(name): axum::extract::Path<String>| {
            let (base, pem) = (base.clone(), public_pem.clone());
            async move {
                let id = format!("{base}/users/{name}");
                let actor = json!({"@context": ["https://www.w3.org/ns/activitystreams"], "id": id, "type": "Person",
                    "preferredUsername": name, "inbox": format!("{id}/inbox"), "outbox": format!("{id}/outbox"),
                    "indexable": indexable,
                    "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem}});
                ([("content-type", AP)], actor.to_string())
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

use axum::response::IntoResponse;

fn note(actor: &str, id: &str, text: &str, to: &str) -> Value {
    json!({"type": "Create", "actor": actor, "id": format!("{id}/activity"),
           "object": {"id": id, "type": "Note", "attributedTo": actor, "to": [to], "content": text,
                      "published": "2026-01-01T00:00:00Z"}})
}

#[tokio::test]
async fn a_hostile_outbox_with_a_loop_a_flood_and_foreign_or_private_items_cannot_hold_a_backfill() {
    let beta = peer("beta").await;
    let token = beta.org_with_editor("trial", "bruno").await;
    let keys = amicus::federation::keys::generate().await.unwrap();
    let port = hostile(
        |actor, name, page| {
            let outbox = format!("{actor}/outbox");
            Some(match (name, page) {
                (_, None) => json!({"@context": "https://www.w3.org/ns/activitystreams", "id": outbox,
                    "type": "OrderedCollection", "totalItems": 100_000, "first": format!("{outbox}?page=1")}),
                // a loop: page 2 leads back to page 1
                ("loop", Some(p)) => json!({"@context": "https://www.w3.org/ns/activitystreams",
                    "id": format!("{outbox}?page={p}"), "type": "OrderedCollectionPage",
                    "next": format!("{outbox}?page={}", if p == 1 { 2 } else { 1 }),
                    "orderedItems": if p == 1 { vec![
                        note(actor, &format!("{actor}/notes/1"), "Testimony on enforced disappearance", PUBLIC),
                        note(actor, "http://evil.localhost/notes/2", "Planted testimony", PUBLIC),
                        note(actor, &format!("{actor}/notes/3"), "Followers-only testimony", &format!("{actor}/followers")),
                        json!({"type": "Announce", "actor": actor, "id": format!("{actor}/a/1"), "object": "http://evil.localhost/x"}),
                    ] } else { vec![] }}),
                // a flood: page after page of a thousand items, for ever
                (_, Some(p)) => json!({"@context": "https://www.w3.org/ns/activitystreams",
                    "id": format!("{outbox}?page={p}"), "type": "OrderedCollectionPage",
                    "next": format!("{outbox}?page={}", p + 1),
                    "orderedItems": (0..1000).map(|i| note(actor, &format!("http://evil.localhost/n/{p}/{i}"), "x", PUBLIC)).collect::<Vec<_>>()}),
            })
        },
        true,
        keys.public_key.clone(),
    )
    .await;

    let looped = format!("http://gamma.localhost:{port}/users/loop");
    follow(&beta, &token, "trial", &looped).await;
    let b = backfilled(&beta, &looped).await;
    assert_eq!(b.state, "done", "{b:?}");
    assert_eq!((b.stored, b.skipped, b.pages), (1, 3, 3), "{b:?}");
    assert_eq!(search(&beta, "testimony").await.len(), 1, "only the actor's own public note");

    let flood = format!("http://gamma.localhost:{port}/users/flood");
    follow(&beta, &token, "trial", &flood).await;
    let b = backfilled(&beta, &flood).await;
    assert_eq!(b.state, "done", "{b:?}");
    assert_eq!(b.stored, 0);
    assert_eq!(b.skipped as usize, amicus::federation::backfill::MAX_ITEMS, "it stops at the cap: {b:?}");
}

#[tokio::test]
async fn an_actor_that_asks_not_to_be_indexed_is_not_and_a_deleted_actor_leaves_no_trace() {
    let beta = peer("beta").await;
    let token = beta.org_with_editor("trial", "bruno").await;
    let keys = amicus::federation::keys::generate().await.unwrap();
    let outbox = |actor: &str, _: &str, _: Option<u64>| {
        Some(json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/outbox"),
            "type": "OrderedCollection", "totalItems": 1,
            "orderedItems": [note(actor, &format!("{actor}/notes/1"), "Testimony on arbitrary detention", PUBLIC)]}))
    };
    let shy = hostile(outbox, false, keys.public_key.clone()).await;
    let open = hostile(outbox, true, keys.public_key.clone()).await;

    let shy_actor = format!("http://gamma.localhost:{shy}/users/shy");
    follow(&beta, &token, "trial", &shy_actor).await;
    let b = backfilled(&beta, &shy_actor).await;
    assert_eq!((b.state.as_str(), b.stored), ("done", 0), "{b:?}");
    assert_eq!(b.error.as_deref(), Some("backfill-not-indexable"));
    assert!(search(&beta, "arbitrary detention").await.is_empty());

    let open_actor = format!("http://gamma.localhost:{open}/users/open");
    follow(&beta, &token, "trial", &open_actor).await;
    assert_eq!(backfilled(&beta, &open_actor).await.stored, 1);
    assert_eq!(search(&beta, "arbitrary detention").await.len(), 1);

    // a Create of a followers-only note is not kept either
    let signer =
        amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{open_actor}#main-key")).unwrap();
    let mut private = note(
        &open_actor,
        &format!("{open_actor}/notes/9"),
        "Private testimony on torture",
        &format!("{open_actor}/followers"),
    );
    private["@context"] = json!("https://www.w3.org/ns/activitystreams");
    let res = crate::hardening::post_signed(&beta, &signer, &private).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(search(&beta, "private testimony").await.is_empty());

    // the actor is deleted: everything of it leaves the library at once
    let delete = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{open_actor}#delete"),
        "type": "Delete", "actor": open_actor, "object": open_actor, "to": [PUBLIC]});
    let res = crate::hardening::post_signed(&beta, &signer, &delete).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(search(&beta, "arbitrary detention").await.is_empty());
}

/// How a fake partner answers its search endpoint.
#[derive(Clone, Copy)]
enum Partner {
    Slow,
    Garbage,
    Huge,
    Foreign,
}

/// A partner instance on gamma.localhost that advertises its search endpoint in NodeInfo as
/// Amicus does and answers it as `how` says; it keeps the headers of each search request.
async fn fake_partner(how: Partner) -> (u16, Arc<std::sync::Mutex<Vec<axum::http::HeaderMap>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://gamma.localhost:{port}");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = seen.clone();
    let links = json!({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": format!("{base}/nodeinfo/2.1")}]});
    let info = json!({"version": "2.1", "metadata": {"amicus": {"partnerSearch": format!("{base}/search")}}});
    let app = axum::Router::new()
        .route("/.well-known/nodeinfo", axum::routing::get(move || async move { axum::Json(links) }))
        .route("/nodeinfo/2.1", axum::routing::get(move || async move { axum::Json(info) }))
        .route(
            "/search",
            axum::routing::get(move |headers: axum::http::HeaderMap| {
                let (keep, base) = (keep.clone(), base.clone());
                async move {
                    keep.lock().unwrap().push(headers);
                    match how {
                        Partner::Slow => {
                            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                            "{}".to_string().into_response()
                        }
                        Partner::Garbage => "<html>not json".into_response(),
                        Partner::Huge => {
                            let mut big = String::from("{\"items\": [");
                            big.push_str(&"\"x\",".repeat(10 * 1024 * 1024 / 4));
                            big.push_str("\"x\"]}");
                            big.into_response()
                        }
                        Partner::Foreign => axum::Json(json!({"items": [
                            {"id": "http://alpha.localhost/r/planted", "url": format!("{base}/r/1"), "type": "briefing-note",
                             "org": "x@gamma.localhost", "originalLanguage": "en", "languages": ["en"],
                             "titles": {"en": "Planted amicus brief"}}], "next": null}))
                        .into_response(),
                    }
                }
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, seen)
}

fn port_of(app: &TestApp) -> String {
    app.ctx.config.domain.rsplit(':').next().unwrap().to_string()
}

async fn network(app: &TestApp, q: &str) -> Value {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let res = app.get(&format!("/api/v1/resources?q={q}&scope=network")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn source<'a>(page: &'a Value, host: &str) -> &'a Value {
    page["sources"].as_array().unwrap().iter().find(|s| s["host"] == host).unwrap_or_else(|| panic!("{host}: {page}"))
}

#[tokio::test]
async fn a_search_of_the_network_merges_partners_answers_and_says_which_did_not_answer() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let alpha_token = alpha.org_with_editor("redress", "amina").await;
    let beta_token = beta.org_with_editor("trial", "bruno").await;
    let mut brief = crate::helpers::resource("redress", "Amicus brief on enforced disappearance");
    brief["themes"] = json!(["enforced-disappearance"]);
    let brief = alpha.post_resource(&alpha_token, &brief).await;
    let mut local = crate::helpers::resource("trial", "Amicus curiae in the Mampuján case");
    local["original_language"] = json!("es");
    local["translations"] =
        json!({"es": {"title": "Amicus curiae en el caso Mampuján", "summary": "Resumen.", "body": "Texto."}});
    beta.post_resource(&beta_token, &local).await;

    // NodeInfo says where the endpoint is
    let info: Value = alpha.get("/nodeinfo/2.1").await.json().await.unwrap();
    let endpoint = info["metadata"]["amicus"]["partnerSearch"].as_str().unwrap().to_string();
    assert_eq!(endpoint, format!("http://{}/federation/search", alpha.ctx.config.domain));
    // which answers nobody unsigned
    let res = alpha.get("/federation/search?q=amicus").await;
    assert_eq!(res.status(), 401);

    let (slow, _) = fake_partner(Partner::Slow).await;
    let (garbage, _) = fake_partner(Partner::Garbage).await;
    let (huge, _) = fake_partner(Partner::Huge).await;
    let (foreign, asked) = fake_partner(Partner::Foreign).await;
    for rule in [format!("alpha.localhost:{}", port_of(&alpha))]
        .into_iter()
        .chain([slow, garbage, huge, foreign].iter().map(|p| format!("gamma.localhost:{p}")))
    {
        beta.ctx.db.set_federation_rule(&rule, Some("allow")).await.unwrap();
    }

    // alpha does not count beta as a partner yet: it refuses, and the answer is partial
    let page = network(&beta, "amicus").await;
    assert_eq!(source(&page, &alpha.ctx.config.domain)["status"], "error");
    assert_eq!(page["partial"], true);

    alpha.ctx.db.set_federation_rule("beta.localhost", Some("allow")).await.unwrap();
    let started = std::time::Instant::now();
    let page = network(&beta, "amicus").await;
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the slow partner is not waited for");
    assert_eq!(page["partial"], true);
    let alpha_host = alpha.ctx.config.domain.clone();
    assert_eq!(source(&page, &alpha_host)["status"], "ok");
    assert_eq!(source(&page, &alpha_host)["count"], 1);
    assert_eq!(source(&page, &format!("gamma.localhost:{slow}"))["status"], "timeout");
    assert_eq!(source(&page, &format!("gamma.localhost:{garbage}"))["status"], "error");
    assert_eq!(source(&page, &format!("gamma.localhost:{huge}"))["status"], "error");
    let foreign_source = source(&page, &format!("gamma.localhost:{foreign}"));
    assert_eq!((foreign_source["status"].as_str(), foreign_source["count"].as_i64()), (Some("ok"), Some(0)));
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page}");
    let from_alpha = items.iter().find(|i| i["origin"] == alpha_host).unwrap();
    assert_eq!(from_alpha["url"], brief["url"], "its page on its own instance");
    assert_eq!(from_alpha["languages"], json!(["en", "ar"]));
    assert!(from_alpha["id"].is_null(), "not on this instance");
    let here = items.iter().find(|i| i["origin"] == beta.ctx.config.domain).unwrap();
    assert!(here["id"].is_string() && here["languages"] == json!(["es"]));
    // no planted object of another host
    assert!(!page.to_string().contains("Planted"));
    // signed by the instance actor, nothing of the person searching
    let headers = asked.lock().unwrap().last().cloned().unwrap();
    let signature = headers["signature"].to_str().unwrap();
    assert!(signature.contains(&format!("keyId=\"http://{}/actor#main-key\"", beta.ctx.config.domain)), "{signature}");
    assert!(headers.get("cookie").is_none() && headers.get("authorization").is_none());
    // the library page shows the same, linking to the partner's page, and says who was silent
    let html = beta.get("/library?q=amicus&scope=network").await.text().await.unwrap();
    assert!(html.contains("Amicus brief on enforced disappearance"), "{html}");
    assert!(html.contains(&format!("href=\"{}\"", brief["url"].as_str().unwrap().replace('/', "&#x2f;"))), "{html}");
    assert!(html.contains("These results may be incomplete") && html.contains(&format!("gamma.localhost:{slow}")));

    // the filters go along; the organisation filter stays here
    let page: Value = beta.get("/api/v1/resources?q=amicus&scope=network&language=es").await.json().await.unwrap();
    assert!(page["items"].as_array().unwrap().iter().all(|i| i["origin"] != alpha_host), "{page}");

    // once beta has alpha's brief too, it is listed once, with its id here
    let target = format!("redress@{alpha_host}");
    let res = beta.api_post(&beta_token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    assert_eq!(res.status(), 202);
    backfilled(&beta, &format!("http://{alpha_host}/orgs/redress")).await;
    let page = network(&beta, "enforced disappearance").await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert!(items[0]["id"].is_string());
    assert!(items[0]["url"].as_str().unwrap().starts_with(brief["url"].as_str().unwrap()), "{page}");

    // withdrawn at alpha: gone from alpha's answers at once
    let uid = brief["id"].as_str().unwrap();
    alpha.api_patch(&alpha_token, &format!("/api/v1/resources/{uid}"), &json!({"status": "withdrawn"})).await;
    let page = network(&beta, "enforced disappearance").await;
    assert_eq!(source(&page, &alpha_host)["count"], 0);
}

#[tokio::test]
async fn a_query_in_one_language_finds_resources_tagged_with_the_concept_in_another() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut english = crate::helpers::resource("redress", "Medical documentation guide");
    english["translations"] = json!({"en": english["translations"]["en"].clone()});
    english["themes"] = json!(["torture"]);
    app.post_resource(&token, &english).await;
    let mut spanish = crate::helpers::resource("redress", "x");
    spanish["original_language"] = json!("es");
    spanish["translations"] =
        json!({"es": {"title": "Guía para familias que buscan", "summary": "Paso a paso.", "body": "Texto."}});
    spanish["themes"] = json!(["enforced-disappearance"]);
    app.post_resource(&token, &spanish).await;

    let found = search(&app, "تعذيب").await;
    assert_eq!(found.len(), 1, "the Arabic label of the theme finds the English-only guide");
    assert_eq!(found[0]["languages"], json!(["en"]));
    let found = search(&app, "disparition forcée").await;
    assert_eq!(found.len(), 1, "the French label finds the Spanish-only guide");
    assert_eq!(found[0]["languages"], json!(["es"]));
    assert_eq!(search(&app, "desaparición forzada").await.len(), 1);
}

#[tokio::test]
async fn browsers_can_add_the_library_search_and_follow_a_search_as_a_feed() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    app.post_resource(&token, &crate::helpers::resource("redress", "Amicus brief on torture")).await;
    app.post_resource(&token, &crate::helpers::resource("redress", "Annual report")).await;

    let res = app.get("/opensearch.xml").await;
    assert_eq!(res.headers()["content-type"], "application/opensearchdescription+xml; charset=utf-8");
    let xml = res.text().await.unwrap();
    let base = format!("http://{}", app.ctx.config.domain);
    assert!(xml.contains(&format!(r#"template="{base}/library?q={{searchTerms}}""#)), "{xml}");
    assert!(
        xml.contains(&format!(r#"type="application/rss+xml" template="{base}/library/feed.rss?q={{searchTerms}}""#))
    );
    let short = xml.split("<ShortName>").nth(1).unwrap().split("</ShortName>").next().unwrap();
    assert!(short.chars().count() <= 16, "OpenSearch allows 16 characters: {short}");
    let page = app.get("/library").await.text().await.unwrap();
    assert!(page.contains(r#"<link rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml""#));

    for feed in ["/library/feed.rss?q=amicus", "/library/feed.atom?q=amicus"] {
        let body = app.get(feed).await.text().await.unwrap();
        assert!(body.contains("Amicus brief on torture") && !body.contains("Annual report"), "{feed}: {body}");
    }

    // the library page offers partners' libraries too, and says none was asked here
    let page = app.get("/library?q=amicus&scope=network").await.text().await.unwrap();
    assert!(page.contains(r#"name="scope" value="network" checked"#), "{page}");
    assert!(page.contains("Amicus brief on torture"));
    assert!(page.contains("0 partner libraries asked"));
}

async fn drain_all(apps: &[&TestApp]) {
    for _ in 0..4 {
        for a in apps {
            amicus::federation::delivery::drain(&a.ctx).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_coalition_relay_passes_its_members_public_library_to_each_other_and_a_new_member_gets_it_at_once() {
    let hub = peer("gamma").await;
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let relay_actor = format!("http://{}/actor", hub.ctx.config.domain);
    let alpha_data = amicus::federation::context::config(&alpha.ctx).await.unwrap().to_request_data();
    let beta_data = amicus::federation::context::config(&beta.ctx).await.unwrap().to_request_data();

    // not a relay yet: the subscription is refused
    amicus::federation::relay::subscribe(&alpha_data, &format!("http://{}/inbox", hub.ctx.config.domain))
        .await
        .unwrap();
    drain_all(&[&alpha, &hub]).await;
    assert!(alpha.ctx.db.relays().await.unwrap().is_empty(), "rejected");

    // a relay for its partners
    amicus::federation::relay::serve(&hub.ctx, true).await.unwrap();
    for host in ["alpha.localhost", "beta.localhost"] {
        hub.ctx.db.set_federation_rule(host, Some("allow")).await.unwrap();
    }
    amicus::federation::relay::subscribe(&alpha_data, &relay_actor).await.unwrap();
    drain_all(&[&alpha, &hub]).await;
    assert!(alpha.ctx.db.relays().await.unwrap()[0].3, "accepted");
    let members = hub.ctx.db.relay_members().await.unwrap();
    assert_eq!(members[0].0, format!("http://{}/actor", alpha.ctx.config.domain), "the instance actor follows");

    let mut first = crate::helpers::resource("redress", "Amicus brief to the Inter-American Court");
    first["themes"] = json!(["enforced-disappearance"]);
    alpha.post_resource(&token, &first).await;
    drain_all(&[&alpha, &hub]).await;
    assert_eq!(search(&hub, "inter-american").await.len(), 1, "the relay keeps what members send");

    // a new member gets the network's public library at once, though it follows nobody
    amicus::federation::relay::subscribe(&beta_data, &relay_actor).await.unwrap();
    drain_all(&[&beta, &hub, &alpha]).await;
    assert_eq!(search(&beta, "inter-american").await.len(), 1);

    // then each new publication, and its withdrawal
    let second =
        alpha.post_resource(&token, &crate::helpers::resource("redress", "Communication to the Working Group")).await;
    drain_all(&[&alpha, &hub, &beta]).await;
    assert_eq!(search(&beta, "working group").await.len(), 1);
    let uid = second["id"].as_str().unwrap();
    alpha.api_patch(&token, &format!("/api/v1/resources/{uid}"), &json!({"status": "withdrawn"})).await;
    drain_all(&[&alpha, &hub, &beta]).await;
    assert!(search(&hub, "working group").await.is_empty());
    assert!(search(&beta, "working group").await.is_empty(), "gone at its source, so gone here");

    // a relay announcing an object of a domain beta blocks: refused, nothing kept
    beta.ctx.db.set_federation_rule("blocked.localhost", Some("block")).await.unwrap();
    let (_, private) = hub.ctx.db.instance_keys().await.unwrap().unwrap();
    let signer = amicus::federation::signing::Signer::from_pem(&private, format!("{relay_actor}#main-key")).unwrap();
    let announce = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{relay_actor}#a1"),
        "type": "Announce", "actor": relay_actor, "to": [PUBLIC], "object": "http://blocked.localhost/notes/1"});
    let res = crate::hardening::post_signed(&beta, &signer, &announce).await;
    assert!(res.status() == 202 || res.status().is_client_error(), "{}", res.status());
    assert_eq!(beta.ctx.db.public_ap_ids(100).await.unwrap().len(), 1, "only the brief");

    // what the relay protocol looks like, as federation/examples/ shows it
    let apps = [(&hub, "hub"), (&alpha, "alpha"), (&beta, "beta")];
    let parse = |list: Vec<String>| list.iter().map(|j| serde_json::from_str::<Value>(j).unwrap()).collect::<Vec<_>>();
    let from_beta = parse(beta.ctx.db.instance_sent_activities().await.unwrap());
    let from_hub = parse(hub.ctx.db.instance_sent_activities().await.unwrap());
    let kind = |list: &[Value], k: &str| list.iter().find(|a| a["type"] == k).cloned().unwrap();
    for (name, activity) in [
        ("follow-relay.json", kind(&from_beta, "Follow")),
        ("accept-relay.json", kind(&from_hub, "Accept")),
        ("announce-relay.json", kind(&from_hub, "Announce")),
    ] {
        crate::federation::check_example(name, &crate::network::example(&apps, &activity));
    }

    // leaving the relay
    amicus::federation::relay::unsubscribe(&beta.ctx, &relay_actor).await.unwrap();
    drain_all(&[&beta, &hub]).await;
    assert_eq!(hub.ctx.db.relay_members().await.unwrap().len(), 1);
}

#[tokio::test]
async fn facet_counts_follow_every_change_to_the_library() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    app.post_resource(&token, &crate::helpers::resource("redress", "First guide")).await;
    let count = |html: String| html.split("id=\"results-h\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(count(app.get("/library?lang=en").await.text().await.unwrap()), "One resource");
    // the same page again is the same
    assert_eq!(count(app.get("/library?lang=en").await.text().await.unwrap()), "One resource");
    let second = app.post_resource(&token, &crate::helpers::resource("redress", "Second guide")).await;
    assert_eq!(count(app.get("/library?lang=en").await.text().await.unwrap()), "2 resources");
    let uid = second["id"].as_str().unwrap();
    app.api_patch(&token, &format!("/api/v1/resources/{uid}"), &json!({"status": "withdrawn"})).await;
    assert_eq!(count(app.get("/library?lang=en").await.text().await.unwrap()), "One resource");
    let res = app.client.delete(app.url(&format!("/api/v1/resources/{uid}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        count(app.get("/library?theme=victims-participation&lang=en").await.text().await.unwrap()),
        "One resource"
    );
    assert_eq!(count(app.get("/library?lang=en").await.text().await.unwrap()), "One resource");
}

#[tokio::test]
async fn a_partner_is_asked_where_its_actors_are_as_soon_as_one_is_known() {
    let beta = peer("beta").await;
    beta.ctx.db.set_federation_rule("gamma.localhost", Some("allow")).await.unwrap();
    let origins = || async {
        let found = amicus::federation::partners::partners(&beta.ctx).await.unwrap();
        found.iter().map(|u| u.to_string()).collect::<Vec<_>>()
    };
    // no actor of that host is known: it is tried at its name
    assert_eq!(origins().await, ["http://gamma.localhost/"]);
    // one becomes known, on a port: the next search, and those after it, ask there
    let actor = amicus::db::federation::RemoteActor {
        kind: "Organization".into(),
        ..crate::helpers::remote_actor(
            "http://gamma.localhost:4567/actors/redress",
            "http://gamma.localhost:4567/inbox",
        )
    };
    beta.ctx.db.upsert_remote_actor(&actor).await.unwrap();
    assert_eq!(origins().await, ["http://gamma.localhost:4567/"]);
    assert_eq!(origins().await, ["http://gamma.localhost:4567/"]);
    // a host that is no longer allowed is no longer asked, known actors or not
    beta.ctx.db.set_federation_rule("gamma.localhost", None).await.unwrap();
    assert!(origins().await.is_empty());
}
