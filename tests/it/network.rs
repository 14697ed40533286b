//! Several instances in one process, on loopback, under distinct host names
//! (alpha.localhost, beta.localhost, ...), federating over real HTTP with signatures.

use serde_json::{json, Value};

use crate::helpers::TestApp;

const AP: &str = "application/activity+json";

/// An instance named `<name>.localhost:<port>` on the development network.
pub async fn peer(name: &'static str) -> TestApp {
    peer_with(name, |_| {}).await
}

/// A `peer` with its configuration adjusted by `tweak` afterwards.
pub async fn peer_with(name: &'static str, tweak: impl FnOnce(&mut amicus::Config)) -> TestApp {
    TestApp::spawn_with(move |c| {
        let port = c.bind.rsplit(':').next().unwrap_or_default().to_string();
        c.domain = format!("{name}.localhost:{port}");
        c.dev_network = true;
        let loopback = std::net::IpAddr::from([127, 0, 0, 1]);
        c.resolve = ["alpha.localhost", "beta.localhost", "gamma.localhost"]
            .iter()
            .map(|h| (h.to_string(), loopback))
            .collect();
        c.delivery_worker = false;
        tweak(c);
    })
    .await
}

pub async fn count(app: &TestApp, path: &str) -> i64 {
    let v: Value = app.client.get(app.url(path)).header("accept", AP).send().await.unwrap().json().await.unwrap();
    v["totalItems"].as_i64().unwrap()
}

#[tokio::test]
async fn an_organisation_follows_another_instance_and_the_follow_is_accepted_then_undone() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    alpha.org_with_editor("redress", "amina").await;
    let token = beta.org_with_editor("trial", "bruno").await;

    let target = format!("redress@{}", alpha.ctx.config.domain);
    let res = beta.api_post(&token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["target"], format!("http://{}/orgs/redress", alpha.ctx.config.domain));

    // nothing has left beta yet: the Follow waits in its delivery queue
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 0);
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 1);
    assert_eq!(count(&beta, "/orgs/trial/following").await, 0, "counts once accepted");

    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(count(&beta, "/orgs/trial/following").await, 1);

    let res = beta
        .client
        .delete(beta.url("/api/v1/orgs/trial/following"))
        .bearer_auth(&token)
        .json(&json!({ "target": target }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 0);
    assert_eq!(count(&beta, "/orgs/trial/following").await, 0);
}

#[tokio::test]
async fn following_an_unknown_or_malformed_target_is_a_clear_error() {
    let beta = peer("beta").await;
    let token = beta.org_with_editor("trial", "bruno").await;
    for target in ["nobody", "ghost@alpha.localhost:1"] {
        let res = beta.api_post(&token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
        assert_eq!(res.status(), 422, "{target}");
    }
}

/// beta's "trial" follows alpha's "redress", and alpha accepts.
async fn beta_follows_alpha(alpha: &TestApp, beta: &TestApp) -> String {
    let beta_token = beta.org_with_editor("trial", "bruno").await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    let res = beta.api_post(&beta_token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    assert_eq!(res.status(), 202);
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(count(beta, "/orgs/trial/following").await, 1);
    beta_token
}

#[tokio::test]
async fn publishing_editing_and_withdrawing_are_delivered_to_followers() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    beta_follows_alpha(&alpha, &beta).await;

    // a draft is not announced; publishing it is
    let mut body = crate::helpers::resource("redress", "Practical guide");
    body["status"] = json!("draft");
    body["translations"]["es"] = json!({"title": "Guía práctica", "summary": "Paso a paso.", "body": "Texto."});
    let r = alpha.post_resource(&token, &body).await;
    let uid = r["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/resources/{uid}");
    alpha.api_patch(&token, &path, &json!({"status": "published"})).await;
    alpha.api_patch(&token, &path, &json!({"translations": {"fr": {"title": "Guide pratique"}}})).await;
    alpha.api_patch(&token, &path, &json!({"status": "withdrawn"})).await;

    let org = alpha.ctx.db.org_by_handle("redress").await.unwrap().unwrap();
    let sent: Vec<Value> =
        alpha.ctx.db.sent_activities(org.id).await.unwrap().iter().map(|j| serde_json::from_str(j).unwrap()).collect();
    let kinds: Vec<&str> = sent.iter().map(|a| a["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["Accept", "Create", "Update", "Delete"]);
    let create = &sent[1];
    assert_eq!(create["object"]["type"], "Article");
    assert_eq!(create["object"]["nameMap"].as_object().unwrap().len(), 3);
    assert_eq!(sent[2]["object"]["nameMap"]["fr"], "Guide pratique");
    assert_eq!(sent[3]["object"]["type"], "Tombstone");

    let pending = alpha.ctx.db.delivery_status().await.unwrap();
    assert_eq!(pending.pending, 3, "one delivery per activity: beta's shared inbox");
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let done = alpha.ctx.db.delivery_status().await.unwrap();
    assert_eq!((done.pending, done.failed), (0, 0));
    assert_eq!(done.done, 4);
    // one inbox gets them in order: the withdrawal, sent last, is not overtaken
    assert!(search(&beta, "practical").await.is_empty(), "the withdrawal arrived last");
}

pub async fn search(app: &TestApp, q: &str) -> Vec<Value> {
    let url = format!("/api/v1/resources?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
    let page: Value = app.get(&url).await.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_partners_publications_appear_in_the_followers_library_in_every_language() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    beta_follows_alpha(&alpha, &beta).await;

    let mut body = crate::helpers::resource("redress", "Reparations for survivors of torture");
    body["translations"]["es"] =
        json!({"title": "Reparaciones para sobrevivientes", "summary": "Paso a paso.", "body": "Texto."});
    body["themes"] = json!(["reparations", "torture"]);
    let r = alpha.post_resource(&token, &body).await;
    let uid = r["id"].as_str().unwrap().to_string();
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();

    // beta's library, facets and search show it, in its three languages, marked with its origin
    let found = search(&beta, "reparaciones").await;
    assert_eq!(found.len(), 1, "found by its Spanish title");
    let copy = &found[0];
    assert_eq!(copy["org"], format!("redress@{}", alpha.ctx.config.domain));
    assert_eq!(search(&beta, "دليل").await.len(), 1, "and by its Arabic title");
    let html = beta.get("/library?theme=torture").await.text().await.unwrap();
    assert!(html.contains("Reparations for survivors of torture"));
    let page = beta.get(&format!("/r/{}", copy["id"].as_str().unwrap())).await.text().await.unwrap();
    assert!(page.contains("Published on another server") && page.contains(&uid), "links to its origin: {page}");
    let full: Value =
        beta.get(&format!("/api/v1/resources/{}", copy["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(full["translations"].as_object().unwrap().len(), 3);
    assert!(full["themes"].as_array().unwrap().contains(&json!("torture")));

    // an added translation propagates
    let path = format!("/api/v1/resources/{uid}");
    alpha
        .api_patch(&token, &path, &json!({"translations": {"fr": {"title": "Réparations pour les survivants"}}}))
        .await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(search(&beta, "réparations survivants").await.len(), 1);
    let full: Value =
        beta.get(&format!("/api/v1/resources/{}", copy["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(full["translations"]["fr"]["title"], "Réparations pour les survivants");

    // a withdrawal removes it
    alpha.api_patch(&token, &path, &json!({"status": "withdrawn"})).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert!(search(&beta, "reparaciones").await.is_empty());
}

#[tokio::test]
async fn the_inbox_refuses_bad_input_with_the_right_status() {
    let alpha = peer("alpha").await;
    alpha.org_with_editor("redress", "amina").await;
    let post = |path: &'static str, body: Vec<u8>| {
        alpha.client.post(alpha.url(path)).header("content-type", "application/activity+json").body(body).send()
    };
    // over 1 MiB
    assert_eq!(post("/inbox", vec![b' '; 1024 * 1024 + 10]).await.unwrap().status(), 413);
    // not JSON
    assert_eq!(post("/orgs/redress/inbox", b"{\"type\": \"Follow\",".to_vec()).await.unwrap().status(), 400);
    // JSON, but unsigned
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://beta.localhost:1/activities/1",
        "type": "Follow",
        "actor": "http://beta.localhost:1/orgs/trial",
        "object": format!("http://{}/orgs/redress", alpha.ctx.config.domain),
    });
    let res = post("/inbox", follow.to_string().into_bytes()).await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 0);
}

#[tokio::test]
async fn a_replayed_activity_is_accepted_once_and_not_acted_on_again() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    alpha.org_with_editor("redress", "amina").await;
    let token = beta_follows_alpha(&alpha, &beta).await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    let res = beta
        .client
        .delete(beta.url("/api/v1/orgs/trial/following"))
        .bearer_auth(&token)
        .json(&json!({ "target": target }));
    assert_eq!(res.send().await.unwrap().status(), 204);
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 0);

    // the old Follow arrives again, as a retrying or malicious sender would send it
    let sql = "update deliveries set state = 'pending' where activity_id in
               (select id from activities where ap_id like '%/follows/%')";
    let requeued = match &beta.ctx.db {
        amicus::db::Db::Sqlite(p) => sqlx::query(sql).execute(p).await.unwrap().rows_affected(),
        amicus::db::Db::Postgres(p) => sqlx::query(sql).execute(p).await.unwrap().rows_affected(),
    };
    assert_eq!(requeued, 1);
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    let status = beta.ctx.db.delivery_status().await.unwrap();
    assert_eq!(status.failed, 0, "the replay was answered 2xx");
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 0, "and not acted on");
}

/// A server on loopback that answers every inbox POST with `status`.
async fn sink(status: u16) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new()
        .route("/inbox", axum::routing::post(move || async move { axum::http::StatusCode::from_u16(status).unwrap() }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

async fn follower_at(app: &TestApp, org: &str, port: u16) {
    follower_on(app, org, "gamma.localhost", port).await;
}

/// A follower of `org` whose inbox is `http://<host>:<port>/inbox`.
pub async fn follower_on(app: &TestApp, org: &str, host: &str, port: u16) {
    let org = app.ctx.db.org_by_handle(org).await.unwrap().unwrap();
    let actor = crate::helpers::remote_actor(
        &format!("http://{host}:{port}/users/someone"),
        &format!("http://{host}:{port}/inbox"),
    );
    app.ctx.db.add_follower(org.id, &actor, true, &format!("http://{host}/follow/1")).await.unwrap();
}

/// A server on loopback that keeps what is posted to its inbox, taking `delay_ms` to answer.
pub async fn recording_sink(delay_ms: u64) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/inbox",
        axum::routing::post(move |body: String| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(serde_json::from_str::<Value>(&body).unwrap());
                tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
                axum::http::StatusCode::ACCEPTED
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, got)
}

#[tokio::test]
async fn a_host_answering_500_is_retried_and_one_answering_410_is_not() {
    let alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let failing = sink(500).await;
    follower_at(&alpha, "redress", failing).await;
    alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let s = alpha.ctx.db.delivery_status().await.unwrap();
    assert_eq!((s.pending, s.done, s.failed), (1, 0, 0), "500: kept, to be retried later");
    let hosts = alpha.ctx.db.host_status().await.unwrap();
    assert_eq!(hosts, vec![("gamma.localhost".to_string(), 1, 0, false)]);
    // the instance admin sees it on the federation page, and only they do
    alpha.user("root", amicus::model::user::Role::Admin).await;
    assert_eq!(alpha.get("/admin/federation").await.status(), 401);
    alpha.login("amina", crate::helpers::PASSWORD).await;
    assert_eq!(alpha.get("/admin/federation").await.status(), 403);
    alpha.login("root", crate::helpers::PASSWORD).await;
    let page = alpha.get("/admin/federation").await.text().await.unwrap();
    assert!(page.contains("gamma.localhost") && page.contains("1 waiting"), "{page}");
    // `amicus federation retry` (or the page's button) sends it again now
    assert_eq!(alpha.ctx.db.retry_host("gamma.localhost").await.unwrap(), 1);
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(alpha.ctx.db.delivery_status().await.unwrap().pending, 1);

    let alpha2 = peer("alpha").await;
    let token2 = alpha2.org_with_editor("redress", "amina").await;
    let gone = sink(410).await;
    follower_at(&alpha2, "redress", gone).await;
    alpha2.post_resource(&token2, &crate::helpers::resource("redress", "Guide")).await;
    amicus::federation::delivery::drain(&alpha2.ctx).await.unwrap();
    let s = alpha2.ctx.db.delivery_status().await.unwrap();
    assert_eq!((s.pending, s.failed), (0, 1), "410 is final: not retried");
}

#[tokio::test]
async fn a_host_answering_401_408_or_429_is_retried() {
    for status in [401u16, 408, 429] {
        let alpha = peer("alpha").await;
        let token = alpha.org_with_editor("redress", "amina").await;
        let port = sink(status).await;
        follower_at(&alpha, "redress", port).await;
        alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
        amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
        let s = alpha.ctx.db.delivery_status().await.unwrap();
        assert_eq!((s.pending, s.done, s.failed), (1, 0, 0), "{status}: kept, to be retried");
        // the host answered, so it is not counted as failing
        let hosts = alpha.ctx.db.host_status().await.unwrap();
        assert_eq!(hosts, vec![("gamma.localhost".to_string(), 1, 0, false)], "{status}");
    }
}

#[tokio::test]
async fn a_delivery_pending_when_an_instance_stops_is_delivered_after_it_restarts() {
    let alpha = peer("alpha").await;
    let mut beta = peer("beta").await;
    alpha.org_with_editor("redress", "amina").await;
    let token = beta.org_with_editor("trial", "bruno").await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    let res = beta.api_post(&token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    assert_eq!(res.status(), 202);
    assert_eq!(beta.ctx.db.delivery_status().await.unwrap().pending, 1);

    beta.restart().await;
    assert_eq!(beta.ctx.db.delivery_status().await.unwrap().pending, 1, "the queue survived the restart");
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 1);
}

#[tokio::test]
async fn a_blocked_domain_gets_nothing_and_is_refused() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let alpha_token = alpha.org_with_editor("redress", "amina").await;
    let beta_token = beta.org_with_editor("trial", "bruno").await;
    alpha.ctx.db.set_federation_rule("beta.localhost", Some("block")).await.unwrap();

    // beta's Follow is refused at alpha's inbox (403: final, beta does not retry)
    let target = format!("redress@{}", alpha.ctx.config.domain);
    beta.api_post(&beta_token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 0);
    let s = beta.ctx.db.delivery_status().await.unwrap();
    assert_eq!((s.pending, s.failed), (0, 1), "a 403 is final");

    // and alpha cannot reach beta either
    let res = alpha
        .api_post(
            &alpha_token,
            "/api/v1/orgs/redress/following",
            &json!({ "target": format!("trial@{}", beta.ctx.config.domain) }),
        )
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn partners_only_mode_federates_with_allowed_domains_alone() {
    let alpha = TestApp::spawn_with(|c| {
        let port = c.bind.rsplit(':').next().unwrap_or_default().to_string();
        c.domain = format!("alpha.localhost:{port}");
        c.dev_network = true;
        c.resolve = vec![("beta.localhost".into(), std::net::IpAddr::from([127, 0, 0, 1]))];
        c.delivery_worker = false;
        c.federation_mode = amicus::config::FederationMode::Partners;
    })
    .await;
    let beta = peer("beta").await;
    alpha.org_with_editor("redress", "amina").await;
    let beta_token = beta.org_with_editor("trial", "bruno").await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    beta.api_post(&beta_token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 0, "beta is not a partner yet");

    alpha.ctx.db.set_federation_rule("beta.localhost", Some("allow")).await.unwrap();
    beta.api_post(&beta_token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 1);
}

#[tokio::test]
async fn gamma_follows_beta_and_receives_betas_share_of_alphas_resource() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let gamma = peer("gamma").await;
    let alpha_token = alpha.org_with_editor("redress", "amina").await;
    let beta_token = beta_follows_alpha(&alpha, &beta).await;
    let gamma_token = gamma.org_with_editor("fidh", "chloe").await;
    let target = format!("trial@{}", beta.ctx.config.domain);
    gamma.api_post(&gamma_token, "/api/v1/orgs/fidh/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&gamma.ctx).await.unwrap();
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&gamma, "/orgs/fidh/following").await, 1);

    alpha.post_resource(&alpha_token, &crate::helpers::resource("redress", "Universal jurisdiction handbook")).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let on_beta = search(&beta, "universal jurisdiction handbook").await;
    assert_eq!(on_beta.len(), 1);
    assert!(search(&gamma, "universal jurisdiction handbook").await.is_empty(), "gamma does not follow alpha");

    // beta shares alpha's resource with its followers
    let res = beta
        .api_post(
            &beta_token,
            &format!("/api/v1/resources/{}/share", on_beta[0]["id"].as_str().unwrap()),
            &json!({"org": "trial"}),
        )
        .await;
    assert_eq!(res.status(), 202);
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    let on_gamma = search(&gamma, "universal jurisdiction handbook").await;
    assert_eq!(on_gamma.len(), 1, "gamma received the share");
    assert_eq!(on_gamma[0]["org"], format!("redress@{}", alpha.ctx.config.domain), "kept as alpha's, not beta's");
}

#[tokio::test]
async fn authorized_fetch_refuses_an_unsigned_get_and_serves_a_signed_one() {
    let alpha = peer_with("alpha", |c| c.authorized_fetch = true).await;
    let beta = peer("beta").await;
    alpha.org_with_editor("redress", "amina").await;
    let token = beta.org_with_editor("trial", "bruno").await;

    // unsigned: 401 for the actor and its collections, the page and the instance actor stay public
    for path in ["/orgs/redress", "/orgs/redress/outbox", "/orgs/redress/followers"] {
        let res = alpha.client.get(alpha.url(path)).header("accept", AP).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
    }
    assert_eq!(alpha.client.get(alpha.url("/orgs/redress")).send().await.unwrap().status(), 200);
    assert_eq!(alpha.client.get(alpha.url("/actor")).header("accept", AP).send().await.unwrap().status(), 200);

    // beta's fetches are signed by its instance actor, so it can resolve and follow alpha
    let target = format!("redress@{}", alpha.ctx.config.domain);
    let res = beta.api_post(&token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    assert_eq!(res.status(), 202);
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count_signed(&alpha).await, 1);
}

/// alpha's follower count, read from its database (its collections need a signature).
async fn count_signed(alpha: &TestApp) -> i64 {
    let org = alpha.ctx.db.org_by_handle("redress").await.unwrap().unwrap();
    alpha.ctx.db.org_counts(org.id).await.unwrap().1
}

#[tokio::test]
async fn follow_requests_wait_for_an_admin_who_approves_or_rejects_them() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    alpha.org_with_editor("redress", "amina").await;
    alpha.login("amina", crate::helpers::PASSWORD).await;
    let csrf = alpha.csrf().await;
    let form = [("csrf", csrf.as_str()), ("name", "REDRESS"), ("manually_approves_followers", "on")];
    assert_eq!(alpha.client.post(alpha.url("/orgs/redress/edit")).form(&form).send().await.unwrap().status(), 303);
    let actor: Value = alpha.get_ap("/orgs/redress", AP).await.json().await.unwrap();
    assert_eq!(actor["manuallyApprovesFollowers"], true);

    let token = beta.org_with_editor("trial", "bruno").await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    beta.api_post(&token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 0, "held for approval");
    assert_eq!(count(&beta, "/orgs/trial/following").await, 0);

    let page = alpha.get("/orgs/redress/federation").await.text().await.unwrap();
    let beta_actor = format!("http://{}/orgs/trial", beta.ctx.config.domain);
    assert!(page.contains(&beta_actor.replace('/', "&#x2f;")) || page.contains(&beta_actor), "the request is listed");
    let approve = [("csrf", csrf.as_str()), ("action", "approve"), ("actor", beta_actor.as_str())];
    let res = alpha.client.post(alpha.url("/orgs/redress/federation")).form(&approve).send().await.unwrap();
    assert_eq!(res.status(), 303);
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 1);
    assert_eq!(count(&beta, "/orgs/trial/following").await, 1);

    // the page is for the organisation's admins only
    assert_eq!(reqwest::get(alpha.url("/orgs/redress/federation")).await.unwrap().status(), 401);
}

/// An activity as an example: hosts of the instances replaced by stable names, and the
/// random parts of ids (which only the shape check ignores anyway) left as they are.
pub fn example(apps: &[(&TestApp, &str)], v: &Value) -> Value {
    let mut text = v.to_string();
    for (app, name) in apps {
        text = text.replace(&format!("http://{}", app.ctx.config.domain), &format!("https://{name}.example"));
    }
    let mut v: Value = serde_json::from_str(&text).unwrap();
    fn dates(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    match k.as_str() {
                        "published" | "updated" | "deleted" | "created" | "amicus:signedAt" if val.is_string() => {
                            *val = json!("2026-01-01T00:00:00Z")
                        }
                        "proofValue" if val.is_string() => *val = json!("z…"),
                        "publicKeyPem" if val.is_string() => *val = json!("-----BEGIN PUBLIC KEY-----…"),
                        "publicKeyMultibase" if val.is_string() => *val = json!("z6Mk…"),
                        _ => dates(val),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(dates),
            _ => {}
        }
    }
    dates(&mut v);
    v
}

pub async fn sent(app: &TestApp, org: &str) -> Vec<Value> {
    let org = app.ctx.db.org_by_handle(org).await.unwrap().unwrap();
    app.ctx.db.sent_activities(org.id).await.unwrap().iter().map(|j| serde_json::from_str(j).unwrap()).collect()
}

#[tokio::test]
async fn every_activity_amicus_sends_matches_its_example() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let gamma = peer("gamma").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let beta_token = beta_follows_alpha(&alpha, &beta).await;
    let gamma_token = gamma.org_with_editor("fidh", "chloe").await;
    gamma
        .api_post(
            &gamma_token,
            "/api/v1/orgs/fidh/following",
            &json!({ "target": format!("trial@{}", beta.ctx.config.domain) }),
        )
        .await;
    amicus::federation::delivery::drain(&gamma.ctx).await.unwrap();
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();

    let r = alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    let path = format!("/api/v1/resources/{}", r["id"].as_str().unwrap());
    alpha.api_patch(&token, &path, &json!({"translations": {"fr": {"title": "Guide"}}})).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let copy = &search(&beta, "guide").await[0];
    beta.api_post(
        &beta_token,
        &format!("/api/v1/resources/{}/share", copy["id"].as_str().unwrap()),
        &json!({"org": "trial"}),
    )
    .await;
    alpha.api_patch(&token, &path, &json!({"status": "withdrawn"})).await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    beta.client
        .delete(beta.url("/api/v1/orgs/trial/following"))
        .bearer_auth(&beta_token)
        .json(&json!({ "target": target }))
        .send()
        .await
        .unwrap();
    // redress asks to approve followers, and rejects gamma's request
    alpha.login("amina", crate::helpers::PASSWORD).await;
    let csrf = alpha.csrf().await;
    let form = [("csrf", csrf.as_str()), ("name", "REDRESS"), ("manually_approves_followers", "on")];
    alpha.client.post(alpha.url("/orgs/redress/edit")).form(&form).send().await.unwrap();
    gamma.api_post(&gamma_token, "/api/v1/orgs/fidh/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&gamma.ctx).await.unwrap();
    let gamma_actor = format!("http://{}/orgs/fidh", gamma.ctx.config.domain);
    let reject = [("csrf", csrf.as_str()), ("action", "reject"), ("actor", gamma_actor.as_str())];
    let res = alpha.client.post(alpha.url("/orgs/redress/federation")).form(&reject).send().await.unwrap();
    assert_eq!(res.status(), 303);

    let apps = [(&alpha, "alpha"), (&beta, "beta"), (&gamma, "gamma")];
    let from_alpha = sent(&alpha, "redress").await;
    let from_beta = sent(&beta, "trial").await;
    let kind = |list: &[Value], k: &str| list.iter().find(|a| a["type"] == k).cloned().unwrap();
    for (name, activity) in [
        ("accept.json", kind(&from_alpha, "Accept")),
        ("reject.json", kind(&from_alpha, "Reject")),
        ("update.json", kind(&from_alpha, "Update")),
        ("delete.json", kind(&from_alpha, "Delete")),
        ("follow.json", kind(&from_beta, "Follow")),
        ("announce.json", kind(&from_beta, "Announce")),
        ("undo.json", kind(&from_beta, "Undo")),
    ] {
        crate::federation::check_example(name, &example(&apps, &activity));
    }
}

#[tokio::test]
async fn two_processes_sharing_a_database_never_send_the_same_delivery_twice() {
    let alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let (port, received) = recording_sink(0).await;
    follower_at(&alpha, "redress", port).await;
    for i in 0..20 {
        alpha.post_resource(&token, &crate::helpers::resource("redress", &format!("Guide {i}"))).await;
    }
    // a second node: the same configuration, database and data directory
    let second = amicus::Ctx::build((*alpha.ctx.config).clone()).await.unwrap();
    let (a, b) =
        tokio::join!(amicus::federation::delivery::drain(&alpha.ctx), amicus::federation::delivery::drain(&second));
    a.unwrap();
    b.unwrap();
    assert_eq!(received.lock().unwrap().len(), 20);
    assert_eq!(alpha.ctx.db.delivery_status().await.unwrap().done, 20);
}

#[tokio::test]
async fn two_amicus_serve_processes_on_one_database_share_the_deliveries() {
    let alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    // slow enough that both processes have work in flight at once
    let (port, received) = recording_sink(20).await;
    // ten followers on ten hosts, so the two processes can work side by side
    let mut resolve = Vec::new();
    for i in 0..10 {
        let host = format!("f{i}.gamma.localhost");
        resolve.push(format!("{host}=127.0.0.1"));
        follower_on(&alpha, "redress", &host, port).await;
    }
    for i in 0..5 {
        alpha.post_resource(&token, &crate::helpers::resource("redress", &format!("Guide {i}"))).await;
    }
    assert_eq!(alpha.ctx.db.delivery_status().await.unwrap().pending, 50);

    // two real `amicus serve` processes: the same domain, database and data directory
    let config = &alpha.ctx.config;
    let spawn = || {
        let bind = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_amicus"))
            .arg("serve")
            .env("AMICUS_CONFIG", config.data_dir.join("none.toml"))
            .env("AMICUS_DATA", &config.data_dir)
            .env("DATABASE_URL", &config.database_url)
            .env("AMICUS_DOMAIN", &config.domain)
            .env("AMICUS_BIND", bind.to_string())
            .env("AMICUS_DEV_NETWORK", "true")
            .env("AMICUS_RESOLVE", resolve.join(","))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    std::fs::write(config.data_dir.join("none.toml"), "").unwrap();
    let mut nodes = [spawn(), spawn()];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while alpha.ctx.db.delivery_status().await.unwrap().done < 50 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // a graceful stop settles every delivery in flight: a duplicate, if there were one,
    // would have arrived by the time both have exited
    for n in &nodes {
        let term = std::process::Command::new("kill").arg("-TERM").arg(n.id().to_string()).status().unwrap();
        assert!(term.success());
    }
    for n in &mut nodes {
        assert!(n.wait().unwrap().success());
    }
    assert_eq!(alpha.ctx.db.delivery_status().await.unwrap().done, 50);
    assert_eq!(received.lock().unwrap().len(), 50, "each delivery sent exactly once");
}

#[tokio::test]
async fn an_editor_shares_a_resource_from_its_page() {
    let alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let r = alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    let uid = r["id"].as_str().unwrap();
    let page = format!("/r/{uid}");
    // readers who edit no organisation see no form to share it as one (only the reader's own)
    assert!(!alpha.get(&page).await.text().await.unwrap().contains(&format!("/r/{uid}/share\"")));
    alpha.login("amina", crate::helpers::PASSWORD).await;
    let html = alpha.get(&page).await.text().await.unwrap();
    assert!(html.contains(&format!("action=\"/r/{uid}/share\"")), "{html}");
    let csrf = alpha.csrf().await;

    // nobody follows yet: nothing is sent, and the page says so
    let form = [("csrf", csrf.as_str()), ("org", "redress")];
    let res = alpha.client.post(alpha.url(&format!("/r/{uid}/share"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(alpha.get(&to).await.text().await.unwrap().contains("Nobody follows"));

    let (port, got) = recording_sink(0).await;
    follower_at(&alpha, "redress", port).await;
    let res = alpha.client.post(alpha.url(&format!("/r/{uid}/share"))).form(&form).send().await.unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(alpha.get(&to).await.text().await.unwrap().contains("Shared with the followers of"));
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["type"], "Announce");
    assert_eq!(got[0]["object"], format!("http://{}/r/{uid}", alpha.ctx.config.domain));

    // without the form's token, or as an organisation one does not edit: refused
    let res =
        alpha.client.post(alpha.url(&format!("/r/{uid}/share"))).form(&[("org", "redress")]).send().await.unwrap();
    assert_eq!(res.status(), 400);
    alpha.ctx.db.upsert_remote_org("http://x.example/orgs/other", "other@x.example", "Other").await.unwrap();
    let form = [("csrf", csrf.as_str()), ("org", "other@x.example")];
    let res = alpha.client.post(alpha.url(&format!("/r/{uid}/share"))).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

/// Sets the declared digest of the instance's (one) remote file; returns the one it had.
async fn file_digest(app: &TestApp, digest: Option<&str>) -> Option<String> {
    let (get, set) = ("select remote_digest from attachments", "update attachments set remote_digest = $1");
    match &app.ctx.db {
        amicus::db::Db::Sqlite(p) => {
            let old = sqlx::query_scalar(get).fetch_one(p).await.unwrap();
            sqlx::query(set).bind(digest).execute(p).await.unwrap();
            old
        }
        amicus::db::Db::Postgres(p) => {
            let old = sqlx::query_scalar(get).fetch_one(p).await.unwrap();
            sqlx::query(set).bind(digest).execute(p).await.unwrap();
            old
        }
    }
}

#[tokio::test]
async fn a_partners_files_are_listed_and_fetched_through_the_followers_instance() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    beta_follows_alpha(&alpha, &beta).await;
    let r = alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide with a file")).await;
    let uid = r["id"].as_str().unwrap();
    let form = reqwest::multipart::Form::new()
        .text("lang", "en")
        .part("file", reqwest::multipart::Part::bytes(crate::helpers::pdf_with_author()).file_name("guide.pdf"));
    let res = alpha
        .client
        .post(alpha.url(&format!("/api/v1/resources/{uid}/attachments")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let original: Value = res.json().await.unwrap();
    let original_bytes = alpha.get(&format!("/files/{}/guide.pdf", original["id"].as_str().unwrap())).await;
    let original_bytes = original_bytes.bytes().await.unwrap();
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();

    let copy = &search(&beta, "guide").await[0];
    let copy: Value =
        beta.get(&format!("/api/v1/resources/{}", copy["id"].as_str().unwrap())).await.json().await.unwrap();
    let file = &copy["attachments"][0];
    assert_eq!(file["name"], "guide.pdf");
    assert_eq!(file["sha256"], "", "not fetched until someone asks for it");
    // a partner's resource is served as ActivityPub JSON by its own server only
    let copy_page = format!("/r/{}", copy["id"].as_str().unwrap());
    assert_eq!(beta.get_ap(&copy_page, AP).await.status(), 404);
    assert_eq!(beta.get(&copy_page).await.status(), 200);
    let path = file["url"].as_str().unwrap().split_once("/files/").map(|(_, p)| format!("/files/{p}")).unwrap();
    // a file that is not the one its server declared is refused, and not kept
    let declared = file_digest(&beta, Some(&"0".repeat(64))).await;
    assert_eq!(beta.get(&path).await.status(), 503);
    file_digest(&beta, declared.as_deref()).await;
    // the reader asks beta; beta fetches it from alpha, checks the digest and keeps it
    let res = beta.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap(), original_bytes);
    let again: Value =
        beta.get(&format!("/api/v1/resources/{}", copy["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(again["attachments"][0]["sha256"], original["sha256"]);
    // and it is served from beta's store from then on
    assert_eq!(beta.get(&path).await.bytes().await.unwrap(), original_bytes);
}

#[tokio::test]
async fn a_partners_file_asked_for_by_two_readers_at_once_is_fetched_once() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    beta_follows_alpha(&alpha, &beta).await;
    let r = alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide with a file")).await;
    let form = reqwest::multipart::Form::new()
        .text("lang", "en")
        .part("file", reqwest::multipart::Part::bytes(crate::helpers::pdf_with_author()).file_name("guide.pdf"));
    let uid = r["id"].as_str().unwrap();
    let url = alpha.url(&format!("/api/v1/resources/{uid}/attachments"));
    assert_eq!(alpha.client.post(url).bearer_auth(&token).multipart(form).send().await.unwrap().status(), 201);
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let copy = &search(&beta, "guide").await[0];
    let copy: Value =
        beta.get(&format!("/api/v1/resources/{}", copy["id"].as_str().unwrap())).await.json().await.unwrap();
    let file = &copy["attachments"][0];
    let path = file["url"].as_str().unwrap().split_once("/files/").map(|(_, p)| format!("/files/{p}")).unwrap();

    // the partner's server answers slowly and counts how often it is asked
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let pdf = crate::helpers::pdf_with_author();
    let counter = asked.clone();
    let app = axum::Router::new().route(
        "/guide.pdf",
        axum::routing::get(move || {
            let (counter, pdf) = (counter.clone(), pdf.clone());
            async move {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                ([("content-type", "application/pdf")], pdf)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let sql = "update attachments set remote_url = $1, remote_digest = null";
    let moved = format!("http://gamma.localhost:{port}/guide.pdf");
    match &beta.ctx.db {
        amicus::db::Db::Sqlite(p) => sqlx::query(sql).bind(&moved).execute(p).await.unwrap().rows_affected(),
        amicus::db::Db::Postgres(p) => sqlx::query(sql).bind(&moved).execute(p).await.unwrap().rows_affected(),
    };
    let (one, two) = tokio::join!(beta.get(&path), beta.get(&path));
    assert_eq!((one.status().as_u16(), two.status().as_u16()), (200, 200));
    assert_eq!(one.bytes().await.unwrap(), two.bytes().await.unwrap());
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn content_whose_object_is_on_another_server_than_its_actor_is_refused() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    beta.org_with_editor("trial", "bruno").await;
    let target = format!("trial@{}", beta.ctx.config.domain);
    alpha.api_post(&token, "/api/v1/orgs/redress/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();

    // beta's organisation, signing with its own key, sends content claiming to be gamma's
    let org = beta.ctx.db.org_by_handle("trial").await.unwrap().unwrap();
    let actor = format!("http://{}/orgs/trial", beta.ctx.config.domain);
    let key = beta.ctx.db.org_private_key(org.id).await.unwrap().unwrap();
    let signer = amicus::federation::signing::Signer::from_pem(&key, format!("{actor}#main-key")).unwrap();
    let inbox = url::Url::parse(&alpha.url("/inbox")).unwrap();
    let post = |object_host: String, n: u32| {
        let body = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}/create/{n}"), "type": "Create", "actor": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {"id": format!("http://{object_host}/objects/{n}"), "type": "Note", "attributedTo": actor,
                       "content": format!("<p>Forged statement {n}</p>")}
        })
        .to_string();
        let headers = signer.sign_post(&inbox, body.as_bytes(), std::time::SystemTime::now()).unwrap();
        let mut req = alpha.client.post(inbox.clone()).body(body);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        req.send()
    };
    let res = post("gamma.localhost:1".into(), 1).await.unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    assert!(search(&alpha, "forged").await.is_empty());
    // the same from its own server is taken
    let res = post(beta.ctx.config.domain.clone(), 2).await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(search(&alpha, "forged").await.len(), 1);

    // deleted, then the old Create replayed: it does not come back
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/delete/2"), "type": "Delete", "actor": actor,
        "object": format!("http://{}/objects/2", beta.ctx.config.domain)
    })
    .to_string();
    let headers = signer.sign_post(&inbox, delete.as_bytes(), std::time::SystemTime::now()).unwrap();
    let mut req = alpha.client.post(inbox.clone()).body(delete);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    assert!(req.send().await.unwrap().status().is_success());
    assert!(search(&alpha, "forged").await.is_empty());
    let res = post(beta.ctx.config.domain.clone(), 2).await.unwrap();
    assert!(res.status().is_success(), "a replay is accepted: {}", res.status());
    assert!(search(&alpha, "forged").await.is_empty(), "and not acted on");
}

async fn mark_dead(app: &TestApp, host: &str, since: chrono::DateTime<chrono::Utc>) {
    let sql = "insert into federation_hosts (host, failure_days, last_failure_day, dead, updated_at)
               values ($1, 3, '2026-01-01', true, $2)
               on conflict (host) do update set dead = true, failure_days = 3, updated_at = $2";
    match &app.ctx.db {
        amicus::db::Db::Sqlite(p) => sqlx::query(sql).bind(host).bind(since).execute(p).await.map(drop).unwrap(),
        amicus::db::Db::Postgres(p) => sqlx::query(sql).bind(host).bind(since).execute(p).await.map(drop).unwrap(),
    }
}

#[tokio::test]
async fn a_dead_host_is_tried_once_a_day_and_revived_when_it_answers_or_sends() {
    let alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let port = sink(202).await;
    follower_at(&alpha, "redress", port).await;
    alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;

    // dead since just now: nothing is sent
    mark_dead(&alpha, "gamma.localhost", chrono::Utc::now()).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(alpha.ctx.db.delivery_status().await.unwrap().pending, 1);
    assert!(alpha.ctx.db.host_status().await.unwrap()[0].3, "still dead");

    // a day later it is tried again, answers, and is alive
    mark_dead(&alpha, "gamma.localhost", chrono::Utc::now() - chrono::Duration::hours(25)).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(alpha.ctx.db.delivery_status().await.unwrap().done, 1);
    assert!(alpha.ctx.db.host_status().await.unwrap().is_empty(), "no longer failing");

    // a dead server that sends us an activity is alive too
    let beta = peer("beta").await;
    let beta_token = beta.org_with_editor("trial", "bruno").await;
    mark_dead(&alpha, "beta.localhost", chrono::Utc::now()).await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    beta.api_post(&beta_token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    let hosts = alpha.ctx.db.host_status().await.unwrap();
    let s = beta.ctx.db.delivery_status().await.unwrap();
    assert!(hosts.iter().all(|(h, _, _, dead)| h != "beta.localhost" || !dead), "{hosts:?} {s:?}");
}

/// Posts `body` to `app`'s shared inbox, signed by `signer`.
async fn signed_post(app: &TestApp, signer: &amicus::federation::signing::Signer, body: &Value) -> reqwest::Response {
    let inbox = url::Url::parse(&app.url("/inbox")).unwrap();
    let body = body.to_string();
    let headers = signer.sign_post(&inbox, body.as_bytes(), std::time::SystemTime::now()).unwrap();
    let mut req = app.client.post(inbox.clone()).body(body);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.send().await.unwrap()
}

async fn org_signer(app: &TestApp, handle: &str) -> (String, amicus::federation::signing::Signer) {
    let org = app.ctx.db.org_by_handle(handle).await.unwrap().unwrap();
    let actor = format!("http://{}/orgs/{handle}", app.ctx.config.domain);
    let key = app.ctx.db.org_private_key(org.id).await.unwrap().unwrap();
    let signer = amicus::federation::signing::Signer::from_pem(&key, format!("{actor}#main-key")).unwrap();
    (actor, signer)
}

fn hearing() -> Value {
    json!({"org": "redress", "kind": "hearing-trial", "original_language": "en",
        "translations": {"en": {"title": "Trial hearing in the Said case", "summary": "Witnesses for the defence.",
                                "accessibility": "Step-free public gallery; captions in English."},
                         "fr": {"title": "Audience dans l’affaire Said"}},
        "languages": ["en", "fr"], "interpretation": ["ar", "sg"],
        "organizers": [{"name": "International Criminal Court", "url": "https://www.icc-cpi.int/"}],
        "start": "2027-03-04T09:30", "end": "2027-03-04T16:30", "timezone": "Europe/Amsterdam",
        "place": {"name": "International Criminal Court", "street": "Oude Waalsdorperweg 10",
                  "locality": "The Hague", "postal_code": "2597 AK", "country": "nl"},
        "online_url": "https://www.icc-cpi.int/", "mechanisms": ["icc"], "themes": ["war-crimes"],
        "case": {"name": "The Prosecutor v. Mahamat Said Abdel Kani", "number": "ICC-01/14-01/21"},
        "source_url": "https://www.icc-cpi.int/calendar", "registration_url": "https://www.icc-cpi.int/visit",
        "rrule": "FREQ=WEEKLY;COUNT=4"})
}

async fn partners_events(app: &TestApp) -> Vec<Value> {
    let v: Value = app.get("/api/v1/events?origin=partners&from=2026-01-01").await.json().await.unwrap();
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn events_reach_followers_as_fep_8a8e_events_and_join_their_agenda_live() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    beta_follows_alpha(&alpha, &beta).await;
    let e: Value = alpha.api_post(&token, "/api/v1/events", &hearing()).await.json().await.unwrap();
    let id = e["id"].as_str().unwrap();
    let path = format!("/api/v1/events/{id}");
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();

    // on beta: a partner's event, in its own zone, with its place, terms, case and series
    let got = partners_events(&beta).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let copy = &got[0];
    assert_eq!(copy["ap_id"], e["ap_id"]);
    assert_eq!(
        (copy["start"].as_str(), copy["timezone"].as_str()),
        (Some("2027-03-04T09:30"), Some("Europe/Amsterdam"))
    );
    assert_eq!(copy["translations"]["fr"]["title"], "Audience dans l’affaire Said");
    assert_eq!(copy["place"]["locality"], "The Hague");
    assert_eq!(copy["mechanisms"], json!(["icc"]));
    assert_eq!(copy["case"]["number"], "ICC-01/14-01/21");
    assert_eq!(copy["rrule"], "FREQ=WEEKLY;COUNT=4");
    assert_eq!(copy["registration_url"], "https://www.icc-cpi.int/visit");
    assert_eq!((copy["languages"].clone(), copy["interpretation"].clone()), (json!(["en", "fr"]), json!(["ar", "sg"])));
    assert_eq!(
        copy["organizers"],
        json!([{"name": "International Criminal Court", "url": "https://www.icc-cpi.int/"}])
    );
    assert_eq!(copy["translations"]["en"]["accessibility"], "Step-free public gallery; captions in English.");
    // its calendar UID is the event's ActivityPub id on both instances
    let ics = beta.get(&format!("/e/{}.ics", copy["id"].as_str().unwrap())).await.text().await.unwrap();
    assert!(ics.contains(&format!("UID:{}", e["ap_id"].as_str().unwrap())), "{ics}");

    // a postponement reaches an agenda open on beta, live
    let listening = tokio::spawn(crate::events::sse_messages(beta.get("/agenda/live").await, 1));
    crate::events::listening_now(&beta).await;
    let res = alpha
        .api_patch(
            &token,
            &path,
            &json!({"status": "postponed", "start": "2027-04-08T09:30", "end": "2027-04-08T16:30"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let heard = listening.await.unwrap();
    assert_eq!(heard.len(), 1);
    assert_eq!((heard[0].1["change"].as_str(), heard[0].1["status"].as_str()), (Some("postponed"), Some("postponed")));
    let copy = &partners_events(&beta).await[0];
    assert_eq!(copy["status"], "postponed");
    assert_eq!(copy["start"], "2027-04-08T09:30");
    assert_eq!(copy["previous_start"], "2027-03-04T09:30");
    // cancelled: kept, marked, an Update and not a Delete
    alpha.api_patch(&token, &path, &json!({"status": "cancelled"})).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(partners_events(&beta).await[0]["status"], "cancelled");

    // the Event by content negotiation, and the organisation's upcoming events
    let event: Value = alpha
        .client
        .get(alpha.url(&format!("/e/{id}")))
        .header("accept", AP)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(event["type"], "Event");
    assert_eq!(event["eventStatus"], "https://w3id.org/fep/8a8e/EventCancelled");
    assert_eq!(event["ical:status"], "CANCELLED");
    assert_eq!(event["startTime"], "2027-04-08T09:30:00+02:00");
    assert_eq!(event["previousStartTime"], "2027-03-04T09:30:00+01:00");
    assert!(event["content"].as_str().unwrap().contains("8 April 2027, 09:30–16:30 (Europe/Amsterdam)"), "{event}");
    assert!(event["contentMap"]["fr"].as_str().unwrap().contains("8 avril 2027"), "{event}");
    let actor: Value =
        alpha.client.get(alpha.url("/orgs/redress")).header("accept", AP).send().await.unwrap().json().await.unwrap();
    assert!(actor["upcomingEvents"].as_str().unwrap().ends_with("/orgs/redress/events"));
    let upcoming: Value = alpha
        .client
        .get(alpha.url("/orgs/redress/events"))
        .header("accept", AP)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(upcoming["orderedItems"][0]["id"], e["ap_id"]);

    // beta's organisation asks to join: answered Ignore, as FEP-8a8e asks
    let (beta_actor, signer) = org_signer(&beta, "trial").await;
    let join = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{beta_actor}/join/1"), "type": "Join", "actor": beta_actor, "object": e["ap_id"]});
    assert!(signed_post(&alpha, &signer, &join).await.status().is_success());

    alpha.client.delete(alpha.url(&path)).bearer_auth(&token).send().await.unwrap();
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert!(partners_events(&beta).await.is_empty());

    let from_alpha = sent(&alpha, "redress").await;
    let of = |kind: &str, object: &str| {
        from_alpha
            .iter()
            .find(|a| a["type"] == kind && (object.is_empty() || a["object"]["type"] == object))
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} {object}"))
    };
    let apps = [(&alpha, "alpha"), (&beta, "beta")];
    for (name, activity) in [
        ("event.json", event.clone()),
        ("create-event.json", of("Create", "Event")),
        ("update-event.json", of("Update", "Event")),
        ("delete-event.json", of("Delete", "Tombstone")),
        ("ignore.json", of("Ignore", "")),
        ("upcoming-events.json", upcoming.clone()),
    ] {
        crate::federation::check_example(name, &example(&apps, &activity));
    }
}

/// A fixture of another server, as if `actor` (an organisation of `app`) had sent it.
fn fixture_from(name: &str, their_actor: &str, their_host: &str, app: &TestApp, actor: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/federation/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let text = text.replace(their_actor, actor).replace(their_host, &format!("http://{}", app.ctx.config.domain));
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn mobilizon_and_gancio_events_join_the_agenda_and_bad_ones_are_refused() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    beta.org_with_editor("trial", "bruno").await;
    let target = format!("trial@{}", beta.ctx.config.domain);
    alpha.api_post(&token, "/api/v1/orgs/redress/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    let (actor, signer) = org_signer(&beta, "trial").await;
    let mobilizon = |name: &str| {
        fixture_from(name, "https://mobilizon.example/@justice_collective", "https://mobilizon.example", &beta, &actor)
    };
    let gancio = |name: &str| {
        fixture_from(name, "https://gancio.example/federation/u/relay", "https://gancio.example", &beta, &actor)
    };

    // Mobilizon: created, then cancelled; a late replay of the older Create changes nothing
    let create = mobilizon("mobilizon-create-event.json");
    assert!(signed_post(&alpha, &signer, &create).await.status().is_success());
    let got = partners_events(&alpha).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0]["start"].as_str(), got[0]["timezone"].as_str()),
        (Some("2026-08-30T18:00"), Some("Europe/Paris"))
    );
    assert_eq!(got[0]["place"]["locality"], "Paris");
    assert!(signed_post(&alpha, &signer, &mobilizon("mobilizon-update-event-cancelled.json"))
        .await
        .status()
        .is_success());
    assert_eq!(partners_events(&alpha).await[0]["status"], "cancelled");
    let mut replay = create.clone();
    replay["id"] = json!(format!("{}/again", create["id"].as_str().unwrap()));
    assert!(signed_post(&alpha, &signer, &replay).await.status().is_success());
    assert_eq!(partners_events(&alpha).await[0]["status"], "cancelled", "an older copy does not undo a newer one");

    // Gancio: its zone from the offset; an update moves it and adds the stream
    assert!(signed_post(&alpha, &signer, &gancio("gancio-create-event.json")).await.status().is_success());
    assert!(signed_post(&alpha, &signer, &gancio("gancio-update-event.json")).await.status().is_success());
    let got = partners_events(&alpha).await;
    let screening = got.iter().find(|e| e["translations"]["en"]["title"] == "Screening: the Habré trial").unwrap();
    assert_eq!(screening["start"], "2026-12-13T18:30");
    assert_eq!(screening["online_url"], "https://stream.gancio.example/lux");
    let page = alpha.get("/agenda?lang=en&tz=Europe/Rome").await.text().await.unwrap();
    assert!(page.contains("Screening: the Habré trial") && page.contains("2026-12-13 18:30"), "{page}");

    // bad events: refused with a reason, nothing stored
    let mut bad = gancio("gancio-create-event.json");
    bad["object"]["id"] = json!(format!("http://{}/federation/m/43", beta.ctx.config.domain));
    for (i, (key, value, status)) in [
        ("startTime", Value::Null, 400),
        ("startTime", json!("tomorrow at noon"), 400),
        ("location", json!(42), 400),
        ("startTime", json!("9999-12-12T19:00:00+01:00"), 422),
    ]
    .into_iter()
    .enumerate()
    {
        let mut b = bad.clone();
        b["id"] = json!(format!("{actor}/bad/{i}"));
        if value.is_null() {
            b["object"].as_object_mut().unwrap().remove(key);
        } else {
            b["object"][key] = value;
        }
        let res = signed_post(&alpha, &signer, &b).await;
        assert_eq!(res.status().as_u16(), status, "{key}: {}", res.text().await.unwrap());
    }
    assert_eq!(partners_events(&alpha).await.len(), 2);

    // a hundred updates in a burst: each newer one wins, the calendar stays whole
    let mut update = gancio("gancio-update-event.json");
    for n in 0..100 {
        update["id"] = json!(format!("{actor}/burst/{n}"));
        update["object"]["name"] = json!(format!("Screening, version {n}"));
        update["object"]["updated"] = json!(format!("2026-11-30T10:{:02}:{:02}Z", n / 60, n % 60));
        let res = signed_post(&alpha, &signer, &update).await;
        assert!(res.status().is_success() || res.status() == 429, "{}", res.status());
    }
    let got = partners_events(&alpha).await;
    let last =
        got.iter().find(|e| e["translations"]["en"]["title"].as_str().unwrap().starts_with("Screening")).unwrap();
    assert_eq!(last["translations"]["en"]["title"], "Screening, version 99");
    let ics = alpha.get("/agenda.ics?from=2026-01-01").await.text().await.unwrap();
    assert!(ics.contains("SUMMARY:Screening\\, version 99") && ics.ends_with("END:VCALENDAR\r\n"), "{ics}");

    // a copy dated in the future (a wrong clock) does not freeze the event
    update["id"] = json!(format!("{actor}/future"));
    update["object"]["name"] = json!("Screening, from the future");
    update["object"]["updated"] = json!("2099-01-01T00:00:00Z");
    assert!(signed_post(&alpha, &signer, &update).await.status().is_success());
    update["id"] = json!(format!("{actor}/present"));
    update["object"]["name"] = json!("Screening, corrected");
    update["object"]["updated"] = json!(chrono::Utc::now().to_rfc3339());
    assert!(signed_post(&alpha, &signer, &update).await.status().is_success());
    let got = partners_events(&alpha).await;
    assert!(got.iter().any(|e| e["translations"]["en"]["title"] == "Screening, corrected"), "{got:?}");

    // the Delete of its own actor removes it
    let delete = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/delete/42"),
        "type": "Delete", "actor": actor, "object": update["object"]["id"]});
    assert!(signed_post(&alpha, &signer, &delete).await.status().is_success());
    assert_eq!(partners_events(&alpha).await.len(), 1);
}
