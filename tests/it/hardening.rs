//! What an independent security review and tests against other servers found, each as a test
//! that failed before its fix: outbound requests only to public or listed addresses, strict
//! signatures, ownership of deletions, the inbox's allowance counted after verification,
//! logins that slow guessers without locking the owner out, Fedify's Accept, graceful SIGTERM.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use crate::helpers::{TestApp, PASSWORD};
use crate::network::{count, peer, search};

const AP: &str = "application/activity+json";

/// A TCP listener on loopback that counts the connections made to it and answers nothing
/// useful: what matters is whether anything connected at all.
async fn connection_counter() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                let _ = socket.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await;
            });
        }
    });
    (port, seen)
}

#[tokio::test]
async fn no_request_leaves_for_a_loopback_address_that_is_not_listed() {
    let alpha = peer("alpha").await;
    let (port, seen) = connection_counter().await;
    // gamma.localhost is listed in AMICUS_RESOLVE: it may be loopback, and is reached
    let _ = alpha.ctx.http.get(format!("http://gamma.localhost:{port}/")).send().await;
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    // `localhost` resolves to 127.0.0.1 but is not listed: refused when connecting
    let refused = alpha.ctx.http.get(format!("http://localhost:{port}/")).send().await;
    assert!(refused.is_err());
    // an IP literal never reaches the resolver: refused before any request
    for url in [format!("http://127.0.0.1:{port}/file.pdf"), format!("http://localhost:{port}/file.pdf")] {
        assert!(amicus::federation::files::fetch(&alpha.ctx, &url, 1000).await.is_err(), "{url}");
    }
    assert_eq!(seen.load(Ordering::SeqCst), 1, "nothing connected but the listed name");

    // a follower whose inbox is on an unlisted loopback name gets nothing
    let token = alpha.org_with_editor("redress", "amina").await;
    crate::network::follower_on(&alpha, "redress", "localhost", port).await;
    alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn outside_the_development_network_only_https_to_public_addresses_leaves() {
    let app = TestApp::spawn().await;
    let (port, seen) = connection_counter().await;
    for url in [
        format!("https://localhost:{port}/file.pdf"),
        format!("http://localhost:{port}/file.pdf"),
        format!("https://127.0.0.1:{port}/file.pdf"),
    ] {
        assert!(amicus::federation::files::fetch(&app.ctx, &url, 1000).await.is_err(), "{url}");
    }
    assert!(app.ctx.http.get(format!("https://localhost:{port}/")).send().await.is_err());
    assert_eq!(seen.load(Ordering::SeqCst), 0);
}

/// `body` posted to `to`'s shared inbox, signed by the key of `from`'s organisation `org`,
/// at `when`, under `key_id` (the organisation's own by default).
pub async fn signed_post(
    from: &TestApp,
    org: &str,
    to: &TestApp,
    body: &Value,
    when: SystemTime,
    key_id: Option<String>,
) -> reqwest::Response {
    let record = from.ctx.db.org_by_handle(org).await.unwrap().unwrap();
    let actor = format!("http://{}/orgs/{org}", from.ctx.config.domain);
    let key = from.ctx.db.org_private_key(record.id).await.unwrap().unwrap();
    let key_id = key_id.unwrap_or_else(|| format!("{actor}#main-key"));
    let signer = amicus::federation::signing::Signer::from_pem(&key, key_id).unwrap();
    let inbox = url::Url::parse(&to.url("/inbox")).unwrap();
    let text = body.to_string();
    let headers = signer.sign_post(&inbox, text.as_bytes(), when).unwrap();
    let mut req = to.client.post(inbox).body(text);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.send().await.unwrap()
}

/// `activity` posted to `to`'s shared inbox, signed by `signer` as of now.
pub async fn post_signed(
    to: &TestApp,
    signer: &amicus::federation::signing::Signer,
    activity: &Value,
) -> reqwest::Response {
    let url = url::Url::parse(&to.url("/inbox")).unwrap();
    let body = activity.to_string();
    let mut req = to.client.post(url.clone()).body(body.clone());
    for (name, value) in signer.sign_post(&url, body.as_bytes(), SystemTime::now()).unwrap() {
        req = req.header(name, value);
    }
    req.send().await.unwrap()
}

fn note(actor: &str, n: u32, text: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/create/{n}"), "type": "Create", "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"id": format!("{actor}/notes/{n}"), "type": "Note", "attributedTo": actor,
                   "content": format!("<p>{text}</p>")}
    })
}

/// alpha's `redress` follows beta's `trial`, and beta's answer has been delivered.
async fn alpha_follows_trial(alpha: &TestApp, beta: &TestApp) -> String {
    let token = alpha.org_with_editor("redress", "amina").await;
    beta.org_with_editor("trial", "bruno").await;
    let target = format!("trial@{}", beta.ctx.config.domain);
    let res = alpha.api_post(&token, "/api/v1/orgs/redress/following", &json!({ "target": target })).await;
    assert_eq!(res.status(), 202);
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    token
}

#[tokio::test]
async fn one_actor_of_a_server_cannot_delete_anothers_object() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    alpha_follows_trial(&alpha, &beta).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    beta.org_with_editor("other", "olga").await;
    let trial = format!("http://{}/orgs/trial", beta.ctx.config.domain);
    let other = format!("http://{}/orgs/other", beta.ctx.config.domain);
    let res =
        signed_post(&beta, "trial", &alpha, &note(&trial, 1, "Testimony of the hearing"), SystemTime::now(), None)
            .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(search(&alpha, "testimony").await.len(), 1);

    // another organisation of the same server deletes trial's note
    let delete = |actor: &str, n: u32| {
        json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/delete/{n}"),
               "type": "Delete", "actor": actor, "object": format!("{trial}/notes/1")})
    };
    let res = signed_post(&beta, "other", &alpha, &delete(&other, 1), SystemTime::now(), None).await;
    assert_eq!(res.status(), 403);
    assert_eq!(search(&alpha, "testimony").await.len(), 1, "the note is still there");
    // nor rewrite it, even when alpha follows it too
    let amina = amicus::accounts::create_token(&alpha.ctx, "amina").await.unwrap();
    let target = json!({ "target": format!("other@{}", beta.ctx.config.domain) });
    alpha.api_post(&amina, "/api/v1/orgs/redress/following", &target).await;
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let update = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{other}/update/1"),
        "type": "Update", "actor": other,
        "object": {"id": format!("{trial}/notes/1"), "type": "Note", "attributedTo": trial, "content": "<p>Retracted</p>"}});
    let res = signed_post(&beta, "other", &alpha, &update, SystemTime::now(), None).await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert!(search(&alpha, "retracted").await.is_empty());
    assert_eq!(search(&alpha, "testimony").await.len(), 1);
    // its own actor can
    let res = signed_post(&beta, "trial", &alpha, &delete(&trial, 2), SystemTime::now(), None).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(search(&alpha, "testimony").await.is_empty());
}

#[tokio::test]
async fn signatures_must_be_recent_by_the_actors_own_key_and_activities_need_an_id() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    alpha_follows_trial(&alpha, &beta).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    let trial = format!("http://{}/orgs/trial", beta.ctx.config.domain);
    let hours = |h: u64| Duration::from_secs(h * 3600);

    let future = note(&trial, 1, "From the future");
    let ahead = signed_post(&beta, "trial", &alpha, &future, SystemTime::now() + hours(2), None).await;
    assert_eq!(ahead.status(), 401, "a date two hours ahead");
    let past = note(&trial, 2, "From the past");
    let old = signed_post(&beta, "trial", &alpha, &past, SystemTime::now() - hours(2), None).await;
    assert_eq!(old.status(), 401, "a date two hours old");
    // the right key, but named on another host
    let elsewhere = Some("http://gamma.localhost:1/orgs/trial#main-key".to_string());
    let res = signed_post(&beta, "trial", &alpha, &note(&trial, 3, "Another host"), SystemTime::now(), elsewhere).await;
    assert_eq!(res.status(), 401);
    assert!(search(&alpha, "future").await.is_empty() && search(&alpha, "host").await.is_empty());

    // without an id, refused rather than accepted and ignored
    let mut anonymous = note(&trial, 4, "Anonymous");
    anonymous.as_object_mut().unwrap().remove("id");
    let res = signed_post(&beta, "trial", &alpha, &anonymous, SystemTime::now(), None).await;
    assert_eq!(res.status(), 400);

    // unsigned: 401 as problem+json, not the login page
    let res = alpha.client.post(alpha.url("/inbox")).header("content-type", AP).body(note(&trial, 5, "x").to_string());
    let res = res.send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    // a recent one by the actor's own key is taken
    let res = signed_post(&beta, "trial", &alpha, &note(&trial, 6, "Present"), SystemTime::now(), None).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(search(&alpha, "present").await.len(), 1);
}

#[tokio::test]
async fn the_inbox_allowance_is_spent_only_by_the_verified_sender() {
    let alpha = crate::network::peer_with("alpha", |c| c.inbox_per_minute = 2).await;
    let beta = peer("beta").await;
    alpha_follows_trial(&alpha, &beta).await;
    let trial = format!("http://{}/orgs/trial", beta.ctx.config.domain);
    // strangers naming beta's actor, unsigned, spend nothing of beta's allowance
    for n in 0..5 {
        let body = note(&trial, 100 + n, "Forged").to_string();
        let res = alpha.client.post(alpha.url("/inbox")).header("content-type", AP).body(body).send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
    for n in 0..2 {
        let res = signed_post(&beta, "trial", &alpha, &note(&trial, n, "Allowed"), SystemTime::now(), None).await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    let res = signed_post(&beta, "trial", &alpha, &note(&trial, 9, "Too many"), SystemTime::now(), None).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn fedifys_accept_with_the_follower_embedded_completes_the_follow() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    alpha_follows_trial(&alpha, &beta).await;
    // beta's own Accept is never sent: a Fedify server answers instead, in its shape
    let fixture =
        std::fs::read_to_string(format!("{}/federation/fixtures/fedify-accept.json", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .replace("https://fedify.example/users/bot", &format!("http://{}/orgs/trial", beta.ctx.config.domain))
            .replace("https://amicus.example", &format!("http://{}", alpha.ctx.config.domain));
    let mut accept: Value = serde_json::from_str(&fixture).unwrap();
    // the Follow's id is the one alpha sent
    let sent =
        alpha.ctx.db.sent_activities(alpha.ctx.db.org_by_handle("redress").await.unwrap().unwrap().id).await.unwrap();
    let follow: Value = serde_json::from_str(sent.iter().find(|j| j.contains("\"Follow\"")).unwrap()).unwrap();
    accept["object"]["id"] = follow["id"].clone();
    assert_eq!(count(&alpha, "/orgs/redress/following").await, 0);
    let res = signed_post(&beta, "trial", &alpha, &accept, SystemTime::now(), None).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(count(&alpha, "/orgs/redress/following").await, 1);
}

/// Posts a login form for amina from `client` to the instance at `base`.
async fn login(base: String, client: reqwest::Client, password: &'static str) -> reqwest::Response {
    let html = client.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[start..].split('"').next().unwrap().to_string();
    let form = [("csrf", csrf.as_str()), ("username", "amina"), ("password", password), ("next", "/")];
    client.post(format!("{base}/login")).form(&form).send().await.unwrap()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn guessing_a_password_slows_the_guesser_and_never_locks_the_owner_out() {
    let app = TestApp::spawn().await;
    app.user("amina", amicus::model::user::Role::Editor).await;
    let owner = browser();
    let res = login(app.base.clone(), owner.clone(), PASSWORD).await;
    assert_eq!(res.status(), 303, "her phone, which she has used before");

    // 64 guesses at once: five are checked, the rest must wait
    let attacker = browser();
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let (base, attacker) = (app.base.clone(), attacker.clone());
        guesses.spawn(async move { login(base, attacker, "wrong password").await.status().as_u16() });
    }
    let statuses = guesses.join_all().await;
    // five, and one more per second of waits passed if the machine spread the 64 out that long
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!((5..=7).contains(&checked), "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 64 - checked);

    // the right password on a new device waits like anyone else, and is told how long
    let res = login(app.base.clone(), browser(), PASSWORD).await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait));
    assert!(res.text().await.unwrap().contains("seconds"));
    // on her own phone, she gets in at once
    assert_eq!(login(app.base.clone(), owner, PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let bind = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_amicus"))
        .arg("serve")
        .env("AMICUS_CONFIG", dir.path().join("none.toml"))
        .env("AMICUS_DATA", dir.path())
        .env("AMICUS_BIND", bind.to_string())
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while client.get(format!("http://{bind}/healthz")).send().await.is_err() {
        assert!(std::time::Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let killed = std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "still running after SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "exited with {status}: a signal death is not a graceful stop");
}

#[tokio::test]
async fn records_of_received_activities_and_finished_deliveries_are_purged_after_retention() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    alpha_follows_trial(&alpha, &beta).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    let rows = |app: &TestApp, table: &'static str| {
        let db = app.ctx.db.clone();
        async move {
            let sql = format!("select count(*) from {table}");
            match &db {
                amicus::db::Db::Sqlite(p) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await.unwrap(),
                amicus::db::Db::Postgres(p) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await.unwrap(),
            }
        }
    };
    assert!(rows(&beta, "received_activities").await > 0);
    assert!(rows(&alpha, "deliveries").await > 0);
    // not yet old enough
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    assert_eq!(beta.ctx.db.purge_federation_records(month_ago).await.unwrap(), 0);
    let later = chrono::Utc::now() + chrono::Duration::days(1);
    beta.ctx.db.purge_federation_records(later).await.unwrap();
    alpha.ctx.db.purge_federation_records(later).await.unwrap();
    assert_eq!(rows(&beta, "received_activities").await, 0);
    assert_eq!(rows(&alpha, "deliveries").await, 0);
    // the follow itself is kept
    assert_eq!(count(&alpha, "/orgs/redress/following").await, 1);
}

#[tokio::test]
async fn published_is_when_a_resource_was_made_public_not_when_its_draft_began() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut draft = crate::helpers::resource("redress", "Guide drafted long ago");
    draft["status"] = json!("draft");
    let r = app.post_resource(&token, &draft).await;
    let uid = r["id"].as_str().unwrap();
    // the draft was begun in 2020
    let sql = "update resources set created_at = $1";
    let then = chrono::DateTime::parse_from_rfc3339("2020-01-02T03:04:05Z").unwrap().with_timezone(&chrono::Utc);
    match &app.ctx.db {
        amicus::db::Db::Sqlite(p) => sqlx::query(sql).bind(then).execute(p).await.unwrap().rows_affected(),
        amicus::db::Db::Postgres(p) => sqlx::query(sql).bind(then).execute(p).await.unwrap().rows_affected(),
    };
    let res = app.api_patch(&token, &format!("/api/v1/resources/{uid}"), &json!({"status": "published"})).await;
    assert_eq!(res.status(), 200);
    let year = chrono::Utc::now().format("%Y-").to_string();
    let object: Value =
        app.client.get(app.url(&format!("/r/{uid}"))).header("accept", AP).send().await.unwrap().json().await.unwrap();
    let published = object["published"].as_str().unwrap();
    assert!(published.starts_with(&year), "{published}");
    let atom = app.get("/library/feed.atom").await.text().await.unwrap();
    assert!(atom.contains(&format!("<published>{year}")), "{atom}");
    assert!(!atom.contains("2020-01-02"));
    // withdrawn and published again, it keeps its first publication
    let path = format!("/api/v1/resources/{uid}");
    app.api_patch(&token, &path, &json!({"status": "withdrawn"})).await;
    app.api_patch(&token, &path, &json!({"status": "published"})).await;
    let again: Value =
        app.client.get(app.url(&format!("/r/{uid}"))).header("accept", AP).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["published"], published);
}

#[tokio::test]
async fn an_activity_whose_effect_failed_is_acted_on_when_the_sender_retries() {
    let alpha = peer("alpha").await;
    // alpha reaches beta through a proxy that can cut it off, as an outage would
    let proxy = Arc::new(crate::helpers::Proxy::start(String::new()).await);
    let set_target = proxy.clone();
    let beta = TestApp::spawn_with(move |c| {
        set_target.retarget(c.bind.clone());
        c.domain = format!("beta.localhost:{}", set_target.port);
        c.dev_network = true;
        c.resolve = vec![("alpha.localhost".into(), std::net::IpAddr::from([127, 0, 0, 1]))];
        c.delivery_worker = false;
    })
    .await;
    alpha_follows_trial(&alpha, &beta).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    assert_eq!(count(&alpha, "/orgs/redress/following").await, 1);
    let bruno = amicus::accounts::create_token(&beta.ctx, "bruno").await.unwrap();
    let r = beta.post_resource(&bruno, &crate::helpers::resource("trial", "Shared hearing notes")).await;
    let object = format!("http://{}/r/{}", beta.ctx.config.domain, r["id"].as_str().unwrap());
    let trial = format!("http://{}/orgs/trial", beta.ctx.config.domain);
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{trial}/announce/1"), "type": "Announce", "actor": trial, "object": object,
        "to": ["https://www.w3.org/ns/activitystreams#Public"]
    });
    // beta cannot be reached when alpha fetches the shared object: try again later
    proxy.down();
    let res = signed_post(&beta, "trial", &alpha, &announce, SystemTime::now(), None).await;
    assert_eq!(res.status(), 503, "{}", res.text().await.unwrap());
    assert!(search(&alpha, "hearing").await.is_empty());
    // the sender retries the same activity once beta is back: it is acted on, not a replay
    proxy.up();
    let res = signed_post(&beta, "trial", &alpha, &announce, SystemTime::now(), None).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(search(&alpha, "hearing").await.len(), 1);
    // and a true replay is accepted and changes nothing
    let res = signed_post(&beta, "trial", &alpha, &announce, SystemTime::now(), None).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(search(&alpha, "hearing").await.len(), 1);
}

#[tokio::test]
async fn a_server_that_never_answers_holds_up_no_other() {
    let loopback = std::net::IpAddr::from([127, 0, 0, 1]);
    let alpha = TestApp::spawn_with(move |c| {
        c.dev_network = true;
        c.resolve = vec![("hang.localhost".into(), loopback), ("quick.localhost".into(), loopback)];
        c.delivery_worker = false;
    })
    .await;
    let token = alpha.org_with_editor("redress", "amina").await;
    // a server that accepts connections and never answers, with 150 followers of redress
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_port = hanging.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hanging.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    let org = alpha.ctx.db.org_by_handle("redress").await.unwrap().unwrap();
    for i in 0..150 {
        let actor = crate::helpers::remote_actor(
            &format!("http://hang.localhost:{hang_port}/users/{i}"),
            &format!("http://hang.localhost:{hang_port}/users/{i}/inbox"),
        );
        alpha.ctx.db.add_follower(org.id, &actor, true, &format!("http://hang.localhost/follow/{i}")).await.unwrap();
    }
    // and one follower on a server that answers at once
    let (quick_port, received) = crate::network::recording_sink(0).await;
    crate::network::follower_on(&alpha, "redress", "quick.localhost", quick_port).await;
    alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    assert_eq!(alpha.ctx.db.delivery_status().await.unwrap().pending, 151);

    let started = std::time::Instant::now();
    let ctx = alpha.ctx.clone();
    let drained = tokio::spawn(async move { amicus::federation::delivery::drain(&ctx).await.unwrap() });
    while received.lock().unwrap().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(5), "the answering server waited on the hanging one");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // the hanging server times out twice, and its other deliveries are backed off with them
    // rather than each waiting ten seconds in turn
    tokio::time::timeout(Duration::from_secs(30), drained).await.unwrap().unwrap();
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    let status = alpha.ctx.db.delivery_status().await.unwrap();
    assert_eq!((status.done, status.pending), (1, 150));
}

#[tokio::test]
async fn the_outbox_lists_the_activities_delivered_and_their_ids_dereference() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    beta.org_with_editor("trial", "bruno").await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    let bruno = amicus::accounts::create_token(&beta.ctx, "bruno").await.unwrap();
    beta.api_post(&bruno, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    amicus::federation::delivery::drain(&beta.ctx).await.unwrap();
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let r = alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    let path = format!("/api/v1/resources/{}", r["id"].as_str().unwrap());
    alpha.api_patch(&token, &path, &json!({"translations": {"fr": {"title": "Guide pratique"}}})).await;
    let org = alpha.ctx.db.org_by_handle("redress").await.unwrap().unwrap();
    let sent: Vec<Value> =
        alpha.ctx.db.sent_activities(org.id).await.unwrap().iter().map(|j| serde_json::from_str(j).unwrap()).collect();
    let of = |kind: &str| sent.iter().find(|a| a["type"] == kind).unwrap().clone();
    let (accept, create, update) = (of("Accept"), of("Create"), of("Update"));

    let get = |url: &str| {
        let path = url.strip_prefix(&format!("http://{}", alpha.ctx.config.domain)).unwrap().to_string();
        alpha.client.get(alpha.url(&path)).header("accept", AP).send()
    };
    let outbox: Value = get(&format!("http://{}/orgs/redress/outbox?page=1", alpha.ctx.config.domain))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(outbox["orderedItems"][0]["id"], create["id"], "the outbox shows the Create followers received");
    for activity in [&create, &update] {
        let res = get(activity["id"].as_str().unwrap()).await.unwrap();
        assert_eq!(res.status(), 200, "{}", activity["id"]);
        let got: Value = res.json().await.unwrap();
        assert_eq!(got["id"], activity["id"]);
        assert_eq!(got["type"], activity["type"]);
    }
    // who follows whom is not served
    assert_eq!(get(accept["id"].as_str().unwrap()).await.unwrap().status(), 404);
    // withdrawn, its Create is gone; published again, it is a new Create
    alpha.api_patch(&token, &path, &json!({"status": "withdrawn"})).await;
    assert_eq!(get(create["id"].as_str().unwrap()).await.unwrap().status(), 410);
    alpha.api_patch(&token, &path, &json!({"status": "published"})).await;
    let again: Vec<String> = alpha.ctx.db.sent_activities(org.id).await.unwrap();
    let creates: Vec<Value> =
        again.iter().map(|j| serde_json::from_str::<Value>(j).unwrap()).filter(|a| a["type"] == "Create").collect();
    assert_eq!(creates.len(), 2);
    assert_ne!(creates[0]["id"], creates[1]["id"]);
    assert_eq!(get(creates[1]["id"].as_str().unwrap()).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_retried_publication_with_an_idempotency_key_is_created_once() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let body = crate::helpers::resource("redress", "Statement on the hearing");
    let post = |key: &'static str| {
        app.client
            .post(app.url("/api/v1/resources"))
            .bearer_auth(&token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    // the client never saw the first answer (a 503, a dropped connection) and sends it again
    let first: Value = post("5b0c3e2a-retry").await.unwrap().json().await.unwrap();
    let (a, b) = tokio::join!(post("5b0c3e2a-retry"), post("5b0c3e2a-retry"));
    for res in [a.unwrap(), b.unwrap()] {
        assert_eq!(res.status(), 201);
        let again: Value = res.json().await.unwrap();
        assert_eq!(again["id"], first["id"]);
    }
    assert_eq!(search(&app, "statement").await.len(), 1);
    // another key is another publication; a malformed key is refused
    let other = post("another-key").await.unwrap();
    assert_eq!(other.status(), 201);
    assert_eq!(search(&app, "statement").await.len(), 2);
    let bad = app.client.post(app.url("/api/v1/resources")).bearer_auth(&token).header("idempotency-key", "a b");
    assert_eq!(bad.json(&body).send().await.unwrap().status(), 422);
}

/// An Epicyon 1.7 server: its actor (captured from a running Epicyon) is served as
/// `application/ld+json` without the ActivityStreams profile, as Epicyon does; it records what
/// reaches its inbox.
async fn epicyon(key_pem: String) -> (u16, Arc<std::sync::Mutex<Vec<Value>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://gamma.localhost:{port}");
    let fixture =
        std::fs::read_to_string(format!("{}/federation/fixtures/epicyon-person.json", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .replace("https://epicyon.example", &base);
    let mut actor: Value = serde_json::from_str(&fixture).unwrap();
    actor["publicKey"]["publicKeyPem"] = json!(key_pem);
    let jrd = json!({"subject": format!("acct:bot@gamma.localhost:{port}"),
                     "links": [{"rel": "self", "type": AP, "href": format!("{base}/users/bot")}]});
    let got = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = got.clone();
    let signatures = got.clone();
    let app = axum::Router::new()
        .route("/.well-known/webfinger", axum::routing::get(move || async move { axum::Json(jrd) }))
        .route(
            "/users/bot",
            axum::routing::get(move |headers: axum::http::HeaderMap| {
                let (keep, actor) = (signatures.clone(), actor.clone());
                async move {
                    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
                    keep.lock()
                        .unwrap()
                        .push(json!({"signature": header("signature"), "user_agent": header("user-agent")}));
                    ([("content-type", "application/ld+json")], actor.to_string())
                }
            }),
        )
        .route(
            "/users/bot/inbox",
            axum::routing::post(move |body: String| {
                let keep = keep.clone();
                async move {
                    keep.lock().unwrap().push(serde_json::from_str::<Value>(&body).unwrap());
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
async fn an_actor_served_as_plain_ld_json_can_be_followed() {
    let alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let keys = amicus::federation::keys::generate().await.unwrap();
    let (port, inbox) = epicyon(keys.public_key.clone()).await;
    let target = json!({"target": format!("bot@gamma.localhost:{port}")});
    let res = alpha.api_post(&token, "/api/v1/orgs/redress/following", &target).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    // every fetch of the actor was signed, naming its algorithm as Mastodon does
    let fetches: Vec<Value> = inbox.lock().unwrap().iter().filter(|v| v.get("signature").is_some()).cloned().collect();
    assert!(!fetches.is_empty());
    for f in &fetches {
        let sig = f["signature"].as_str().unwrap();
        assert!(sig.contains(r#"algorithm="rsa-sha256""#), "{sig}");
        assert!(sig.contains("(request-target)") && sig.contains("host") && sig.contains("date"), "{sig}");
        // and said who calls, as Mastodon does (Epicyon reads the instance from it)
        let agent = f["user_agent"].as_str().unwrap();
        assert_eq!(agent, format!("Amicus/{} (+http://{}/)", env!("CARGO_PKG_VERSION"), alpha.ctx.config.domain));
    }
    let follow = inbox.lock().unwrap().iter().find(|v| v["type"] == "Follow").cloned().expect("the Follow arrived");
    assert_eq!(follow["type"], "Follow");

    // it accepts, signing with its key
    let actor = format!("http://gamma.localhost:{port}/users/bot");
    let accept = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}#accepts/1"),
                        "type": "Accept", "actor": actor, "object": follow});
    let signer = amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{actor}#main-key")).unwrap();
    assert!(post_signed(&alpha, &signer, &accept).await.status().is_success());
    assert_eq!(count(&alpha, "/orgs/redress/following").await, 1);
}

/// A server in activitypub-bot 0.51's shape (its `lib/routes/user.js`): its actor's `publicKey`
/// is a `CryptographicKey` whose id is a document served apart, at `/publickey`, and its
/// signatures name that document as `keyId`. With `key_by_url`, the actor gives the key by its
/// id alone, as other servers do.
async fn key_document_server(key_pem: String, key_by_url: bool) -> (u16, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://gamma.localhost:{port}");
    let read = |name: &str| {
        let text = std::fs::read_to_string(format!("{}/federation/fixtures/{name}", env!("CARGO_MANIFEST_DIR")));
        serde_json::from_str::<Value>(&text.unwrap().replace("https://bots.example", &base)).unwrap()
    };
    let mut actor = read("activitypub-bot-person.json");
    let mut key = read("activitypub-bot-key.json");
    key["publicKeyPem"] = json!(key_pem);
    actor["publicKey"] = if key_by_url { key["id"].clone() } else { key.clone() };
    let app = axum::Router::new()
        .route("/user/ok", axum::routing::get(move || async move { ([("content-type", AP)], actor.to_string()) }))
        .route(
            "/user/ok/publickey",
            axum::routing::get(move || async move { ([("content-type", AP)], key.to_string()) }),
        )
        .route("/user/ok/inbox", axum::routing::post(|| async { axum::http::StatusCode::ACCEPTED }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, format!("{base}/user/ok"))
}

#[tokio::test]
async fn a_server_whose_keys_are_documents_of_their_own_can_follow_and_fetch() {
    for key_by_url in [false, true] {
        a_server_whose_keys_are_documents_can_follow_and_fetch(key_by_url).await;
    }
}

async fn a_server_whose_keys_are_documents_can_follow_and_fetch(key_by_url: bool) {
    let alpha = crate::network::peer_with("alpha", |c| c.authorized_fetch = true).await;
    alpha.org_with_editor("redress", "amina").await;
    let keys = amicus::federation::keys::generate().await.unwrap();
    let (_, actor) = key_document_server(keys.public_key.clone(), key_by_url).await;
    let signer =
        amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{actor}/publickey")).unwrap();

    // a signed fetch naming the key document is served under authorized fetch
    let org_url = url::Url::parse(&format!("http://{}/orgs/redress", alpha.ctx.config.domain)).unwrap();
    let mut req = alpha.client.get(alpha.url("/orgs/redress")).header("accept", AP);
    for (name, value) in signer.sign_get(&org_url, SystemTime::now()).unwrap() {
        if name != "host" {
            req = req.header(name, value);
        }
    }
    let res = req.header("host", alpha.ctx.config.domain.clone()).send().await.unwrap();
    assert_eq!(res.status(), 200);

    // and its Follow, signed the same way, is accepted
    let follow = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/follow/1"),
                        "type": "Follow", "actor": actor, "object": org_url.as_str()});
    let res = post_signed(&alpha, &signer, &follow).await;
    assert!(res.status().is_success(), "{}", res.status());
    let org = alpha.ctx.db.org_by_handle("redress").await.unwrap().unwrap();
    assert_eq!(alpha.ctx.db.org_counts(org.id).await.unwrap().1, 1, "one follower");
}

#[tokio::test]
async fn a_third_of_followers_servers_hanging_does_not_hold_up_the_rest() {
    let loopback = std::net::IpAddr::from([127, 0, 0, 1]);
    let hosts: Vec<String> = (0..400).map(|i| format!("f{i}.localhost")).collect();
    let resolve: Vec<(String, std::net::IpAddr)> = hosts.iter().map(|h| (h.clone(), loopback)).collect();
    let alpha = TestApp::spawn_with(move |c| {
        c.dev_network = true;
        c.resolve = resolve;
        c.delivery_worker = false;
    })
    .await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_port = hanging.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hanging.accept().await {
            held.push(socket);
        }
    });
    let (quick_port, received) = crate::network::recording_sink(0).await;
    for (i, host) in hosts.iter().enumerate() {
        let port = if i % 3 == 0 { hang_port } else { quick_port };
        crate::network::follower_on(&alpha, "redress", host, port).await;
    }
    alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    let answering = hosts.len() - hosts.len().div_ceil(3);
    let started = std::time::Instant::now();
    let ctx = alpha.ctx.clone();
    let drain = tokio::spawn(async move { amicus::federation::delivery::drain(&ctx).await });
    while received.lock().unwrap().len() < answering {
        assert!(
            started.elapsed() < Duration::from_secs(7),
            "{} of {answering} answering servers reached: they waited on the hanging ones",
            received.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drain.abort();
}

#[tokio::test]
async fn deliveries_claimed_by_a_process_that_died_go_out_as_soon_as_it_restarts() {
    let mut alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let (port, received) = crate::network::recording_sink(0).await;
    crate::network::follower_on(&alpha, "redress", "gamma.localhost", port).await;
    alpha.post_resource(&token, &crate::helpers::resource("redress", "Guide")).await;
    // the process claims the delivery, then dies before sending it
    let lease = chrono::Duration::minutes(1);
    let claimed = alpha.ctx.db.claim_deliveries(&alpha.ctx.node_id, 10, 2, &[], lease).await.unwrap();
    assert_eq!(claimed.len(), 1);
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    assert!(received.lock().unwrap().is_empty(), "leased: nobody else sends it meanwhile");
    // started again on the same address, it sends at once, not a minute later
    alpha.restart().await;
    let started = std::time::Instant::now();
    while received.lock().unwrap().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "still waiting for the lease");
        amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(received.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_actor_served_as_plain_ld_json_can_follow_from_its_first_activity() {
    let alpha = peer("alpha").await;
    alpha.org_with_editor("redress", "amina").await;
    let keys = amicus::federation::keys::generate().await.unwrap();
    let (port, _) = epicyon(keys.public_key.clone()).await;
    let actor = format!("http://gamma.localhost:{port}/users/bot");
    let follow = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/follow/1"),
                        "type": "Follow", "actor": actor,
                        "object": format!("http://{}/orgs/redress", alpha.ctx.config.domain)});
    let signer = amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{actor}#main-key")).unwrap();
    let res = post_signed(&alpha, &signer, &follow).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 1);
}

/// A partner's organisation has a row here too, under the handle `name@host`. A `Follow`
/// naming it by `/orgs/name@host` or `/@name@host` must not make this instance record a
/// follower for it, or answer in its name.
#[tokio::test]
async fn a_follow_of_a_partners_organisation_row_is_ignored() {
    let alpha = peer("alpha").await;
    alpha.org_with_editor("redress", "amina").await;
    let partner = alpha
        .ctx
        .db
        .upsert_remote_org("https://other.example/users/trial", "trial@other.example", "Trial")
        .await
        .unwrap();
    let keys = amicus::federation::keys::generate().await.unwrap();
    let (port, _) = epicyon(keys.public_key.clone()).await;
    let actor = format!("http://gamma.localhost:{port}/users/bot");
    let signer = amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{actor}#main-key")).unwrap();
    let domain = alpha.ctx.config.domain.clone();
    for (i, object) in
        [format!("http://{domain}/orgs/trial@other.example"), format!("http://{domain}/@trial@other.example")]
            .iter()
            .enumerate()
    {
        let follow = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/follow/{i}"),
                            "type": "Follow", "actor": actor, "object": object});
        let res = post_signed(&alpha, &signer, &follow).await;
        assert!(res.status().is_client_error() || res.status() == 202, "{object}: {}", res.status());
    }
    assert!(
        alpha.ctx.db.followers_of(partner.id).await.unwrap().is_empty(),
        "no follower recorded for the partner's row"
    );
}

/// Epicyon 1.7's `Follow`, captured from a running Epicyon following an Amicus organisation,
/// sent as Epicyon sends it: its `object` is the organisation's Mastodon-style address
/// `/@handle` rather than its id, it signs `content-type` and `content-length` too, and it
/// sends its signing string's `(request-target)` as a header line of its own, which is no valid
/// header name. Before, hyper refused the request with 400 and the address was unknown.
#[tokio::test]
async fn epicyon_follows_as_it_really_does() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let alpha = peer("alpha").await;
    alpha.org_with_editor("redress", "amina").await;
    let keys = amicus::federation::keys::generate().await.unwrap();
    let (port, inbox) = epicyon(keys.public_key.clone()).await;
    let fixture =
        std::fs::read_to_string(format!("{}/federation/fixtures/epicyon-follow.json", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .replace("https://epicyon.example", &format!("http://gamma.localhost:{port}"))
            .replace("https://amicus.example", &format!("http://{}", alpha.ctx.config.domain));
    let follow: Value = serde_json::from_str(&fixture).unwrap();
    assert_eq!(follow["object"], format!("http://{}/@redress", alpha.ctx.config.domain));
    let body = follow.to_string();

    let addr = alpha.url("").trim_start_matches("http://").trim_end_matches('/').to_string();
    let date = httpdate::fmt_http_date(SystemTime::now());
    let digest = {
        use base64::Engine;
        use sha2::Digest;
        format!("SHA-256={}", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body.as_bytes())))
    };
    let signed = format!(
        "(request-target): post /orgs/redress/inbox\nhost: {addr}\ndate: {date}\ndigest: {digest}\n\
         content-type: application/activity+json\ncontent-length: {}",
        body.len()
    );
    let key_id = format!("http://gamma.localhost:{port}/users/bot#main-key");
    let signer = amicus::federation::signing::Signer::from_pem(&keys.private_key, key_id.clone()).unwrap();
    let signature = format!(
        r#"keyId="{key_id}",algorithm="rsa-sha256",headers="(request-target) host date digest content-type content-length",signature="{}""#,
        signer.sign(signed.as_bytes()).unwrap()
    );
    // the header lines in Epicyon's order, `(request-target)` included
    let request = format!(
        "POST /orgs/redress/inbox HTTP/1.1\r\nUser-Agent: Epicyon/1.7.0; +http://gamma.localhost:{port}/\r\n\
         Accept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: close\r\n\
         (request-target): post /orgs/redress/inbox\r\nhost: {addr}\r\ndate: {date}\r\ndigest: {digest}\r\n\
         Content-Length: {}\r\ncontent-type: application/activity+json\r\nsignature: {signature}\r\n\r\n{body}",
        body.len()
    );
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.unwrap();
    let status = answer.split(' ').nth(1).unwrap_or_default().to_string();
    assert!(status.starts_with('2'), "{answer}");
    assert_eq!(count(&alpha, "/orgs/redress/followers").await, 1);

    // the Accept goes back with Epicyon's own Follow in it, its object as Epicyon wrote it
    amicus::federation::delivery::drain(&alpha.ctx).await.unwrap();
    let accept = inbox.lock().unwrap().iter().find(|v| v["type"] == "Accept").cloned().expect("an Accept");
    assert_eq!(accept["object"]["id"], follow["id"]);
    assert_eq!(accept["object"]["object"], follow["object"]);
    assert_eq!(accept["actor"], format!("http://{}/orgs/redress", alpha.ctx.config.domain));
    // and people who type the address land on the organisation
    let res = alpha.client.get(alpha.url("/@redress")).send().await.unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()["location"], "/orgs/redress");
    assert_eq!(alpha.client.get(alpha.url("/@nobody")).send().await.unwrap().status(), 404);
}
