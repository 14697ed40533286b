//! Discovery and actor documents: what Mastodon and other servers read first.

use serde_json::Value;

use crate::helpers::{TestApp, PASSWORD};

const AP: &str = "application/activity+json";

impl TestApp {
    /// `http://localhost:<port>`: the instance's own name for itself.
    pub fn public_base(&self) -> String {
        format!("http://{}", self.ctx.config.domain)
    }

    pub async fn get_ap(&self, path: &str, accept: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("accept", accept).send().await.unwrap()
    }
}

#[tokio::test]
async fn webfinger_finds_organisations_and_the_instance_actor() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    let domain = app.ctx.config.domain.clone();
    let res = app.get(&format!("/.well-known/webfinger?resource=acct:redress@{domain}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/jrd+json");
    let jrd: Value = res.json().await.unwrap();
    assert_eq!(jrd["subject"], format!("acct:redress@{domain}"));
    let me = jrd["links"].as_array().unwrap().iter().find(|l| l["rel"] == "self").unwrap();
    assert_eq!(me["type"], AP);
    assert_eq!(me["href"], format!("{}/orgs/redress", app.public_base()));
    // each alias once (the organisation's page is its actor's URL)
    assert_eq!(jrd["aliases"], serde_json::json!([format!("{}/orgs/redress", app.public_base())]));

    // by actor URL too, and the instance actor by its name or the site's root
    let by_url: Value = app
        .get(&format!("/.well-known/webfinger?resource={}/orgs/redress", app.public_base()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_url["subject"], format!("acct:redress@{domain}"));
    let instance: Value =
        app.get(&format!("/.well-known/webfinger?resource=acct:instance.actor@{domain}")).await.json().await.unwrap();
    assert_eq!(instance["links"][0]["href"], format!("{}/actor", app.public_base()));

    // as Epicyon 1.7 asks (captured from a running Epicyon): its `acct:` drops the port, and it
    // falls back to the Mastodon-style profile address
    let (host, _) = domain.rsplit_once(':').expect("the test domain has a port");
    for resource in [format!("acct:redress@{host}"), format!("{}/@redress", app.public_base())] {
        let res = app.get(&format!("/.well-known/webfinger?resource={resource}")).await;
        assert_eq!(res.status(), 200, "{resource}");
        let jrd: Value = res.json().await.unwrap();
        assert_eq!(jrd["subject"], format!("acct:redress@{domain}"), "{resource}");
    }

    assert_eq!(app.get(&format!("/.well-known/webfinger?resource=acct:nobody@{domain}")).await.status(), 404);
    assert_eq!(app.get("/.well-known/webfinger?resource=acct:redress@elsewhere.example").await.status(), 404);
    assert_eq!(
        app.get(&format!("/.well-known/webfinger?resource=acct:redress@{host}.evil.example")).await.status(),
        404
    );
    assert_eq!(app.get("/.well-known/webfinger").await.status(), 400);
}

#[tokio::test]
async fn an_organisation_is_an_actor_by_content_negotiation() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.login("amina", PASSWORD).await;
    let csrf = app.csrf().await;
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "REDRESS"),
        ("name_ar", "ريدرس"),
        ("description_en", "Justice for <survivors>"),
    ];
    app.client.post(app.url("/orgs/redress/edit")).form(&form).send().await.unwrap();

    for accept in [
        AP,
        "application/activity+json, application/ld+json",
        r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#,
    ] {
        let res = app.get_ap("/orgs/redress", accept).await;
        assert_eq!(res.status(), 200, "{accept}");
        assert_eq!(res.headers()["content-type"], AP);
        let actor: Value = res.json().await.unwrap();
        let id = format!("{}/orgs/redress", app.public_base());
        assert_eq!(actor["type"], "Organization");
        assert_eq!(actor["id"], id);
        assert_eq!(actor["preferredUsername"], "redress");
        assert_eq!(actor["name"], "REDRESS");
        assert_eq!(actor["nameMap"]["ar"], "ريدرس");
        assert_eq!(actor["summary"], "<p>Justice for &lt;survivors&gt;</p>");
        assert_eq!(actor["inbox"], format!("{id}/inbox"));
        assert_eq!(actor["outbox"], format!("{id}/outbox"));
        assert_eq!(actor["followers"], format!("{id}/followers"));
        assert_eq!(actor["featured"], format!("{id}/featured"));
        assert_eq!(actor["endpoints"]["sharedInbox"], format!("{}/inbox", app.public_base()));
        assert_eq!(actor["publicKey"]["id"], format!("{id}#main-key"));
        assert!(actor["publicKey"]["publicKeyPem"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(actor["manuallyApprovesFollowers"], false);
        assert_eq!(actor["discoverable"], true);
        assert_eq!(actor["indexable"], true);
        assert_eq!(actor["@context"][0], "https://www.w3.org/ns/activitystreams");
    }
    let html = app.get_ap("/orgs/redress", "text/html,application/xhtml+xml,*/*;q=0.8").await;
    assert!(html.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(html.headers()["vary"].to_str().unwrap().contains("Accept"));
}

#[tokio::test]
async fn the_instance_actor_and_nodeinfo_describe_the_server() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    app.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    let actor: Value = app.get_ap("/actor", AP).await.json().await.unwrap();
    assert_eq!(actor["type"], "Application");
    assert!(actor["publicKey"]["publicKeyPem"].as_str().unwrap().contains("PUBLIC KEY"));

    let links: Value = app.get("/.well-known/nodeinfo").await.json().await.unwrap();
    let href = links["links"][0]["href"].as_str().unwrap();
    assert_eq!(links["links"][0]["rel"], "http://nodeinfo.diaspora.software/ns/schema/2.1");
    let path = href.strip_prefix(&app.public_base()).unwrap();
    let info: Value = app.get(path).await.json().await.unwrap();
    assert_eq!(info["version"], "2.1");
    assert_eq!(info["software"]["name"], "amicus");
    assert!(info["software"]["repository"].as_str().unwrap().starts_with("https://"));
    assert_eq!(info["protocols"], serde_json::json!(["activitypub"]));
    assert_eq!(info["usage"]["localPosts"], 1);
    assert_eq!(info["usage"]["users"]["total"], 1);

    let host_meta = app.get("/.well-known/host-meta").await.text().await.unwrap();
    assert!(host_meta.contains("/.well-known/webfinger?resource={uri}"));
    let context: Value = app.get("/ns/context.jsonld").await.json().await.unwrap();
    assert_eq!(context["@context"]["amicus"], "https://w3id.org/amicus#");
}

/// Replaces what changes from run to run (host, ids, dates, keys, digests) so that a
/// document can be compared with, or written as, an example in `federation/examples/`.
pub fn normalise(app: &TestApp, v: &Value, uids: &[&str]) -> Value {
    let mut text = v.to_string().replace(&app.public_base(), "https://amicus.example");
    for (i, uid) in uids.iter().enumerate() {
        text = text.replace(uid, &format!("uid{i}"));
    }
    let mut v: Value = serde_json::from_str(&text).unwrap();
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    match k.as_str() {
                        "published" | "updated" | "deleted" | "created" | "amicus:signedAt" if val.is_string() => {
                            *val = Value::String("2026-01-01T00:00:00Z".into())
                        }
                        "publicKeyPem" => *val = Value::String("-----BEGIN PUBLIC KEY-----…".into()),
                        "publicKeyMultibase" if val.is_string() => *val = Value::String("z6Mk…".into()),
                        "proofValue" if val.is_string() => *val = Value::String("z…".into()),
                        _ => walk(val),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

/// The document must have exactly the example's keys, recursively, with values of the same
/// JSON types; `AMICUS_WRITE_EXAMPLES=1` rewrites the example from the code instead.
pub fn check_example(name: &str, actual: &Value) {
    fn same_shape(path: &str, a: &Value, e: &Value) -> Result<(), String> {
        match (a, e) {
            (Value::Object(a), Value::Object(e)) => {
                let (ka, ke): (Vec<_>, Vec<_>) = (a.keys().collect(), e.keys().collect());
                if ka != ke {
                    return Err(format!("{path}: keys {ka:?} differ from the example's {ke:?}"));
                }
                a.iter().try_for_each(|(k, v)| same_shape(&format!("{path}.{k}"), v, &e[k]))
            }
            (Value::Array(a), Value::Array(e)) => match (a.first(), e.first()) {
                (Some(x), Some(y)) => same_shape(&format!("{path}[0]"), x, y),
                (None, None) => Ok(()),
                _ => Err(format!("{path}: one array is empty and the other not")),
            },
            (a, e) if std::mem::discriminant(a) == std::mem::discriminant(e) => Ok(()),
            _ => Err(format!("{path}: {a} is not the same kind of value as {e}")),
        }
    }
    // `federation/write-examples.sh` names a directory to write what the code emits to,
    // instead of comparing it: the tests themselves never change the examples
    if let Ok(dir) = std::env::var("AMICUS_EXAMPLES_OUT") {
        let out = std::path::Path::new(&dir).join(name);
        std::fs::write(out, serde_json::to_string_pretty(actual).unwrap() + "\n").unwrap();
        return;
    }
    let path = format!("{}/federation/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let example: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    if let Err(e) = same_shape("$", actual, &example) {
        panic!("{name} no longer matches what Amicus emits: {e}");
    }
    // and field by field, once the random parts of ids are set aside
    if let Err(e) = same_values("$", &stable(actual), &stable(&example)) {
        panic!("{name} no longer matches what Amicus emits: {e}");
    }
}

/// A random uid (16 lowercase letters and digits, which may be all letters, as a path segment
/// or after a dot in one) in any string becomes `{uid}`.
fn stable(v: &Value) -> Value {
    fn uids(s: &str) -> String {
        let mut out = String::new();
        let mut run = String::new();
        let flush = |run: &mut String, out: &mut String| {
            // a uid is a path segment, or follows one (`/activities/update/<statement>.<uid>`)
            let random = run.len() == 16 && (out.ends_with('/') || out.ends_with('.'));
            out.push_str(if random { "{uid}" } else { run.as_str() });
            run.clear();
        };
        for c in s.chars() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                run.push(c);
            } else {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
        flush(&mut run, &mut out);
        out
    }
    match v {
        Value::String(s) => Value::String(uids(s)),
        Value::Array(items) => Value::Array(items.iter().map(stable).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), stable(v))).collect()),
        other => other.clone(),
    }
}

fn same_values(path: &str, a: &Value, e: &Value) -> Result<(), String> {
    match (a, e) {
        (Value::Object(a), Value::Object(e)) => {
            a.iter().try_for_each(|(k, v)| same_values(&format!("{path}.{k}"), v, &e[k]))
        }
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => {
            a.iter().zip(e).enumerate().try_for_each(|(i, (x, y))| same_values(&format!("{path}[{i}]"), x, y))
        }
        (a, e) if a == e => Ok(()),
        _ => Err(format!("{path}: {a} differs from the example's {e}")),
    }
}

#[tokio::test]
async fn a_resource_is_an_article_in_every_language_with_its_files() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut body = crate::helpers::resource("redress", "Victims' participation at the ICC");
    body["translations"]["fr"] =
        serde_json::json!({"title": "Participation des victimes", "summary": "Pas à pas.", "body": "Texte."});
    body["themes"] = serde_json::json!(["victims-participation", "enforced-disappearance"]);
    let r = app.post_resource(&token, &body).await;
    let uid = r["id"].as_str().unwrap();
    let form = reqwest::multipart::Form::new()
        .text("lang", "en")
        .part("file", reqwest::multipart::Part::bytes(crate::helpers::pdf_with_author()).file_name("guide.pdf"));
    let a: Value = app
        .client
        .post(app.url(&format!("/api/v1/resources/{uid}/attachments")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let res = app.get_ap(&format!("/r/{uid}"), AP).await;
    assert_eq!(res.headers()["content-type"], AP);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["type"], "Article");
    assert_eq!(doc["attributedTo"], format!("{}/orgs/redress", app.public_base()));
    assert_eq!(doc["name"], "Victims' participation at the ICC");
    // the original language first in every map, as Mastodon reads the first
    let first_key = |m: &Value| m.as_object().unwrap().keys().next().unwrap().clone();
    assert_eq!(first_key(&doc["nameMap"]), "en");
    assert_eq!(first_key(&doc["contentMap"]), "en");
    assert_eq!(doc["nameMap"]["ar"], "دليل عملي");
    assert_eq!(doc["nameMap"]["fr"], "Participation des victimes");
    assert_eq!(doc["url"][0]["hreflang"], "en");
    assert_eq!(doc["attachment"][0]["type"], "Document");
    assert_eq!(doc["attachment"][0]["mediaType"], "application/pdf");
    assert_eq!(doc["attachment"][0]["size"], a["size"]);
    assert!(doc["attachment"][0]["digestMultibase"].as_str().unwrap().starts_with("zQm"));
    let tags: Vec<&str> = doc["tag"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(tags.contains(&"#EnforcedDisappearance"));
    assert!(doc["amicus:theme"]
        .as_array()
        .unwrap()
        .contains(&Value::from("https://w3id.org/amicus/vocab/theme/victims-participation")));
    assert_eq!(doc["preview"]["type"], "Note");
    check_example("article.json", &normalise(&app, &doc, &[uid, a["id"].as_str().unwrap()]));

    let actor: Value = app.get_ap("/orgs/redress", AP).await.json().await.unwrap();
    check_example("organization.json", &normalise(&app, &actor, &[]));

    // withdrawn: 410 with a Tombstone
    app.api_patch(&token, &format!("/api/v1/resources/{uid}"), &serde_json::json!({"status": "withdrawn"})).await;
    let gone = app.get_ap(&format!("/r/{uid}"), AP).await;
    assert_eq!(gone.status(), 410);
    let tomb: Value = gone.json().await.unwrap();
    assert_eq!(tomb["type"], "Tombstone");
    check_example("tombstone.json", &normalise(&app, &tomb, &[uid]));
}

#[tokio::test]
async fn survivor_testimony_federates_only_as_a_teaser_behind_a_content_warning() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut body = crate::helpers::resource("redress", "Testimony of a survivor from Tarnaka");
    body["type"] = serde_json::json!("survivor-testimony");
    body["content_warnings"] = serde_json::json!(["sexual-violence"]);
    body["translations"]["en"]["body"] = serde_json::json!("What happened in the detention centre.");
    let r = app.post_resource(&token, &body).await;
    let uid = r["id"].as_str().unwrap();
    let doc: Value = app.get_ap(&format!("/r/{uid}"), AP).await.json().await.unwrap();
    assert_eq!(doc["type"], "Note");
    assert_eq!(doc["sensitive"], true);
    assert_eq!(doc["summary"], "Content warning: Sexual violence");
    assert!(doc["summaryMap"]["ar"].as_str().unwrap().contains("تحذير"));
    let text = doc.to_string();
    assert!(!text.contains("Tarnaka") && !text.contains("detention centre"), "{text}");
    check_example("note-teaser.json", &normalise(&app, &doc, &[uid]));

    let mut draft = crate::helpers::resource("redress", "Draft");
    draft["status"] = serde_json::json!("draft");
    let d = app.post_resource(&token, &draft).await;
    assert_eq!(app.get_ap(&format!("/r/{}", d["id"].as_str().unwrap()), AP).await.status(), 404);
}

#[tokio::test]
async fn the_outbox_pages_published_resources_and_featured_holds_pinned_ones() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut uids = Vec::new();
    for i in 0..22 {
        let r = app.post_resource(&token, &crate::helpers::resource("redress", &format!("Guide {i}"))).await;
        uids.push(r["id"].as_str().unwrap().to_string());
    }
    let mut draft = crate::helpers::resource("redress", "Draft");
    draft["status"] = serde_json::json!("draft");
    app.post_resource(&token, &draft).await;

    let outbox: Value = app.get_ap("/orgs/redress/outbox", AP).await.json().await.unwrap();
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 22);
    let first = outbox["first"].as_str().unwrap().strip_prefix(&app.public_base()).unwrap().to_string();
    let page: Value = app.get_ap(&first, AP).await.json().await.unwrap();
    assert_eq!(page["type"], "OrderedCollectionPage");
    let items = page["orderedItems"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(items[0]["type"], "Create");
    assert_eq!(items[0]["object"]["type"], "Article");
    assert_eq!(items[0]["actor"], format!("{}/orgs/redress", app.public_base()));
    // the item is the Create followers received; on the page, it takes the page's context
    let mut item = serde_json::Map::new();
    item.insert("@context".into(), page["@context"].clone());
    item.extend(items[0].as_object().unwrap().clone());
    let object_uid = items[0]["object"]["id"].as_str().unwrap().rsplit('/').next().unwrap();
    let create_uid = items[0]["id"].as_str().unwrap().rsplit('/').next().unwrap();
    check_example("create.json", &normalise(&app, &Value::Object(item), &[object_uid, create_uid]));
    let next = page["next"].as_str().unwrap().strip_prefix(&app.public_base()).unwrap().to_string();
    let last: Value = app.get_ap(&next, AP).await.json().await.unwrap();
    assert_eq!(last["orderedItems"].as_array().unwrap().len(), 2);
    assert!(last.get("next").is_none());

    app.api_patch(&token, &format!("/api/v1/resources/{}", uids[3]), &serde_json::json!({"featured": true})).await;
    let featured: Value = app.get_ap("/orgs/redress/featured", AP).await.json().await.unwrap();
    assert_eq!(featured["totalItems"], 1);
    assert_eq!(featured["orderedItems"][0]["name"], "Guide 3");

    for which in ["followers", "following"] {
        let c: Value = app.get_ap(&format!("/orgs/redress/{which}"), AP).await.json().await.unwrap();
        assert_eq!(c["totalItems"], 0);
        assert!(c.get("orderedItems").is_none() && c.get("first").is_none(), "counts only");
    }
}
