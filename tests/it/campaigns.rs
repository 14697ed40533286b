//! Campaigns: a page, a feed and a followable Group gathering statements, resources and
//! events of several organisations, added by organisers or proposed by partners.

use serde_json::{json, Value};

use crate::network::peer_with;
use crate::statements::statement;

pub fn campaign(org: &str) -> Value {
    json!({
        "org": org,
        "handle": "makingjusticework",
        "hashtag": "#MakingJusticeWork",
        "original_language": "en",
        "translations": {
            "en": {"title": "Making Justice Work", "goals": "Universal ratification.\nArrests.", "call_to_action": "Ask your government to ratify"},
            "ar": {"title": "لنجعل العدالة تعمل", "goals": "المصادقة العالمية."}
        },
        "call_to_action_url": "https://example.org/ratify",
        "starts_on": "2026-07-17",
        "ends_on": "2027-07-17",
        "status": "published"
    })
}

#[tokio::test]
async fn a_campaign_gathers_partners_work_and_its_group_announces_it_to_followers() {
    let alpha = peer_with("alpha", |_| {}).await;
    let beta = peer_with("beta", |_| {}).await;
    let lead = alpha.org_with_editor("ccij", "amina").await;
    let partner = alpha.org_with_editor("redress", "rasha").await;
    let b = beta.org_with_editor("watch", "bruno").await;
    let apps = [&alpha, &beta];

    let res = alpha.api_post(&lead, "/api/v1/campaigns", &campaign("ccij")).await;
    let status = res.status();
    let c: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap();
    assert_eq!(c["hashtag"], "MakingJusticeWork");
    assert_eq!(c["actor"], format!("http://{}/orgs/makingjusticework", alpha.ctx.config.domain));

    // its actor is a Group, which beta follows as Mastodon or Lemmy would
    let actor: Value = alpha
        .client
        .get(alpha.url("/orgs/makingjusticework"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["type"], "Group");
    let names = [(&alpha, "alpha"), (&beta, "beta")];
    crate::federation::check_example("group.json", &crate::network::example(&names, &actor));
    let target = format!("makingjusticework@{}", alpha.ctx.config.domain);
    let res = beta.api_post(&b, "/api/v1/orgs/watch/following", &json!({ "target": target })).await;
    assert_eq!(res.status(), 202);
    crate::statements::drain(&apps).await;
    assert_eq!(crate::network::count(&alpha, "/orgs/makingjusticework/followers").await, 1);
    // the campaign is not an organisation of the directory
    let orgs: Value = alpha.get("/api/v1/orgs").await.json().await.unwrap();
    assert!(!orgs.to_string().contains("makingjusticework"), "{orgs}");

    // an organiser adds a statement: approved, and announced by the campaign to its followers
    let s: Value =
        alpha.api_post(&lead, "/api/v1/statements", &statement("ccij", "Arrest now")).await.json().await.unwrap();
    let items = format!("/api/v1/campaigns/{id}/items");
    let res = alpha.api_post(&lead, &items, &json!({ "ap_id": s["ap_id"] })).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["state"], "approved");
    let sent = crate::network::sent(&alpha, "makingjusticework").await;
    let announce = sent.iter().find(|a| a["type"] == "Announce").expect("the group announced it");
    assert_eq!(announce["object"], s["ap_id"]);
    assert_eq!(announce["actor"], c["actor"]);
    crate::federation::check_example("announce-campaign.json", &crate::network::example(&names, announce));
    crate::statements::drain(&apps).await;
    let at_beta: Value = beta.api_get(&b, "/api/v1/statements").await.json().await.unwrap();
    assert_eq!(at_beta["items"][0]["ap_id"], s["ap_id"], "the follower's server received it: {at_beta}");

    // a partner proposes its guide; the organisers approve it
    let guide = alpha.post_resource(&partner, &crate::helpers::resource("redress", "Survivors' guide")).await;
    let guide_id = guide["url"].as_str().unwrap().to_string();
    let res = alpha.api_post(&partner, &items, &json!({ "ap_id": guide_id, "org": "redress" })).await;
    assert_eq!(res.json::<Value>().await.unwrap()["state"], "proposed");
    let public: Value = alpha.get(&format!("/api/v1/campaigns/{id}")).await.json().await.unwrap();
    assert_eq!(public["items"].as_array().unwrap().len(), 1, "a proposal is not public");
    let res = alpha.api_post(&partner, &format!("{items}/approve"), &json!({ "ap_id": guide_id })).await;
    assert_eq!(res.status(), 403, "only the organisers approve");
    let res = alpha.api_post(&lead, &format!("{items}/approve"), &json!({ "ap_id": guide_id })).await;
    assert_eq!(res.status(), 204);

    // the page shows everything, with the organisations taking part, a follow form and a feed
    let page = alpha.get(&format!("/c/{id}")).await.text().await.unwrap();
    for needle in [
        "Making Justice Work",
        "#MakingJusticeWork",
        "Arrest now",
        "Survivors&#x27; guide",
        "ccij name",
        "redress name",
        "action=\"/orgs/makingjusticework/follow\"",
        "feed.rss",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    let ar = alpha.get(&format!("/c/{id}?lang=ar")).await.text().await.unwrap();
    assert!(ar.contains("لنجعل العدالة تعمل") && ar.contains("dir=\"rtl\""));
    let feed = alpha.get(&format!("/c/{id}/feed.rss?lang=en")).await.text().await.unwrap();
    assert!(feed.contains("Arrest now") && feed.contains("Survivors"), "{feed}");
    assert!(alpha.get("/campaigns").await.text().await.unwrap().contains("Making Justice Work"));
    // the group's profile address leads to the campaign's page
    let res = alpha.client.get(alpha.url("/orgs/makingjusticework")).send().await.unwrap();
    assert_eq!(res.headers()["location"], format!("/c/{id}"));
}

#[tokio::test]
async fn bad_campaign_input_is_refused_by_field() {
    let alpha = peer_with("alpha", |_| {}).await;
    let lead = alpha.org_with_editor("ccij", "amina").await;
    for (field, value, code) in [
        ("hashtag", json!("two words"), "err-bad-hashtag"),
        ("handle", json!("X"), "err-bad-handle"),
        ("ends_on", json!("2020-01-01"), "err-end-before-start"),
        ("call_to_action_url", json!("javascript:alert(1)"), "err-bad-url"),
    ] {
        let mut body = campaign("ccij");
        body[field] = value;
        let res = alpha.api_post(&lead, "/api/v1/campaigns", &body).await;
        assert_eq!(res.status(), 422, "{field}");
        let problem: Value = res.json().await.unwrap();
        assert!(problem["errors"].as_array().unwrap().iter().any(|e| e["code"] == code), "{field}: {problem}");
    }
    let c: Value = alpha.api_post(&lead, "/api/v1/campaigns", &campaign("ccij")).await.json().await.unwrap();
    // a handle taken (by the campaign, or by an organisation)
    let res = alpha.api_post(&lead, "/api/v1/campaigns", &campaign("ccij")).await;
    assert_eq!(res.status(), 422);
    // something this instance does not hold cannot be added
    let id = c["id"].as_str().unwrap();
    let res = alpha
        .api_post(&lead, &format!("/api/v1/campaigns/{id}/items"), &json!({ "ap_id": "https://elsewhere.example/r/1" }))
        .await;
    assert_eq!(res.status(), 422);
    // a banner needs its description
    let form = reqwest::multipart::Form::new()
        .text("lang", "en")
        .part("file", reqwest::multipart::Part::bytes(png()).file_name("banner.png"));
    let res = alpha
        .client
        .post(alpha.url(&format!("/api/v1/campaigns/{id}/banner")))
        .bearer_auth(&lead)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let form = reqwest::multipart::Form::new()
        .text("alt", "Judges of the Court in session")
        .part("file", reqwest::multipart::Part::bytes(png()).file_name("banner.png"));
    let res = alpha
        .client
        .post(alpha.url(&format!("/api/v1/campaigns/{id}/banner")))
        .bearer_auth(&lead)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let page = alpha.get(&format!("/c/{id}")).await.text().await.unwrap();
    assert!(page.contains("alt=\"Judges of the Court in session\""));
    assert_eq!(alpha.get(&format!("/c/{id}/banner")).await.status(), 200);
    // drafts are their organisation's alone
    let res = alpha.api_patch(&lead, &format!("/api/v1/campaigns/{id}"), &json!({ "status": "draft" })).await;
    assert_eq!(res.status(), 200);
    assert_eq!(alpha.get(&format!("/c/{id}")).await.status(), 404);
}

/// A small PNG.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(4, 2, image::Rgb([200, 30, 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_campaign_is_made_filled_and_deleted_in_the_browser() {
    use crate::helpers::{TestApp, PASSWORD};
    let app = TestApp::spawn().await;
    let lead = app.org_with_editor("ccij", "amina").await;
    let partner = app.org_with_editor("redress", "rasha").await;
    let st = app.api_post(&lead, "/api/v1/statements", &statement("ccij", "Arrest now")).await;
    let st: Value = st.json().await.unwrap();
    let guide = app.post_resource(&partner, &crate::helpers::resource("redress", "A guide for survivors")).await;
    assert_eq!(app.login("amina", PASSWORD).await.status(), 303);
    let csrf = app.csrf().await;
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let mut form: Vec<(&str, String)> = vec![("csrf", csrf.clone())];
        form.extend(fields);
        app.client.post(app.url(&path)).form(&form).send()
    };
    let fields = |hashtag: &str| {
        vec![
            ("org", "ccij".to_string()),
            ("handle", "makingjusticework".to_string()),
            ("hashtag", hashtag.to_string()),
            ("original_language", "en".to_string()),
            ("text_lang", "en".to_string()),
            ("title", "Making Justice Work".to_string()),
            ("goals", "Universal ratification.".to_string()),
            ("call_to_action", "Ask your government to ratify".to_string()),
            ("cta_url", "https://example.org/ratify".to_string()),
            ("starts_on", "2026-07-17".to_string()),
            ("ends_on", "2027-07-17".to_string()),
            ("status", "published".to_string()),
        ]
    };
    assert!(app.get("/campaigns").await.text().await.unwrap().contains("href=\"/campaigns/new\""));
    assert!(app.get("/campaigns/new").await.text().await.unwrap().contains("name=\"handle\""));
    let res = post("/campaigns/new".into(), fields("#not a tag")).await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#f-hashtag\"") && html.contains("Universal ratification."), "kept: {html}");
    let res = post("/campaigns/new".into(), fields("#MakingJusticeWork")).await.unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let uid = to.strip_prefix("/c/").and_then(|r| r.split('?').next()).unwrap().to_string();

    // the organisers add their statement at once; a partner proposes her guide
    let st_url = st["url"].as_str().unwrap().to_string();
    let res = post(format!("/c/{uid}/items"), vec![("action", "add".into()), ("ap_id", st_url.clone())]).await.unwrap();
    assert_eq!(res.status(), 303);
    let res = post(
        format!("/c/{uid}/items"),
        vec![("action", "add".into()), ("ap_id", "https://elsewhere.example/r/x".into())],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422, "an item this instance does not hold is refused");
    let rasha = TestApp::client_of(&app);
    assert_eq!(rasha.login_as("rasha", PASSWORD).await, 303);
    let page = rasha.get(&format!("/c/{uid}")).await;
    assert!(page.contains("Propose a statement, resource or event"), "{page}");
    let guide_url = guide["url"].as_str().unwrap().to_string();
    let res =
        rasha.post(&format!("/c/{uid}/items"), &[("action", "add"), ("org", "redress"), ("ap_id", &guide_url)]).await;
    assert!(res.headers()["location"].to_str().unwrap().contains("done=item-proposed"));
    assert!(
        !rasha.get(&format!("/c/{uid}")).await.contains("A guide for survivors"),
        "not before the organisers approve"
    );
    let res = rasha.post(&format!("/c/{uid}/items"), &[("action", "approve"), ("ap_id", &guide_url)]).await;
    assert!(res.status() == 403 || res.status() == 404, "a partner cannot approve: {}", res.status());
    let page = app.get(&format!("/c/{uid}")).await.text().await.unwrap();
    assert!(page.contains("Proposed") || page.contains(&guide_url), "{page}");
    let res = post(format!("/c/{uid}/items"), vec![("action", "approve".into()), ("ap_id", guide_url.clone())])
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = rasha.get(&format!("/c/{uid}")).await;
    assert!(
        page.contains("A guide for survivors") && page.contains("Arrest now") && page.contains("redress name"),
        "{page}"
    );

    // a French text, then a banner with its description
    let mut fr = fields("#MakingJusticeWork");
    for f in fr.iter_mut() {
        match f.0 {
            "text_lang" => f.1 = "fr".into(),
            "title" => f.1 = "Pour une justice qui fonctionne".into(),
            "goals" => f.1 = "Ratification universelle.".into(),
            _ => {}
        }
    }
    let res = post(format!("/c/{uid}/edit"), fr).await.unwrap();
    assert_eq!(res.status(), 303);
    let c: Value = app.get(&format!("/api/v1/campaigns/{uid}")).await.json().await.unwrap();
    assert_eq!(c["translations"]["fr"]["title"], "Pour une justice qui fonctionne", "{c}");
    assert_eq!(c["translations"]["en"]["title"], "Making Justice Work", "kept");
    let upload = |alt: &str| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("alt", alt.to_string())
            .part("file", reqwest::multipart::Part::bytes(png()).file_name("banner.png"))
    };
    let res = app.client.post(app.url(&format!("/c/{uid}/banner"))).multipart(upload("")).send().await.unwrap();
    assert_eq!(res.status(), 422, "a banner needs its description");
    let res = app
        .client
        .post(app.url(&format!("/c/{uid}/banner")))
        .multipart(upload("Marchers in The Hague"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(app.get(&format!("/c/{uid}")).await.text().await.unwrap().contains("alt=\"Marchers in The Hague\""));

    // deleted after a question
    assert!(app
        .get(&format!("/c/{uid}/delete"))
        .await
        .text()
        .await
        .unwrap()
        .contains("Delete this campaign for good?"));
    let res = post(format!("/c/{uid}/delete"), vec![("confirmed", "1".into())]).await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.get(&format!("/c/{uid}")).await.status(), 404);
}
