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

    assert_eq!(app.get(&format!("/.well-known/webfinger?resource=acct:nobody@{domain}")).await.status(), 404);
    assert_eq!(app.get("/.well-known/webfinger?resource=acct:redress@elsewhere.example").await.status(), 404);
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
