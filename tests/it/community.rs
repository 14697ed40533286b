//! The community of practice (issue 11): threads of replies under publications, across
//! instances and from Mastodon, run by the organisation that published the object.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::hardening::post_signed;
use crate::helpers::{TestApp, PASSWORD};
use crate::network::peer;

const AP: &str = "application/activity+json";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A Mastodon-like server on gamma.localhost: one person, whose notes it serves by id.
async fn mastodon(public_pem: String) -> (String, Arc<std::sync::Mutex<Vec<Value>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let actor = format!("http://gamma.localhost:{port}/users/lina");
    let notes: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let served = notes.clone();
    let doc = json!({"@context": ["https://www.w3.org/ns/activitystreams"], "id": actor, "type": "Person",
        "preferredUsername": "lina", "name": "Lina", "inbox": format!("{actor}/inbox"),
        "publicKey": {"id": format!("{actor}#main-key"), "owner": actor, "publicKeyPem": public_pem}});
    let app = axum::Router::new()
        .route("/users/lina", axum::routing::get(move || async move { ([("content-type", AP)], doc.to_string()) }))
        .route(
            "/users/lina/statuses/{n}",
            axum::routing::get(move |axum::extract::Path(n): axum::extract::Path<String>| {
                let served = served.clone();
                async move {
                    let found = served
                        .lock()
                        .unwrap()
                        .iter()
                        .find(|v| v["id"].as_str().unwrap().ends_with(&format!("/{n}")))
                        .cloned();
                    match found {
                        Some(v) => axum::response::IntoResponse::into_response(([("content-type", AP)], v.to_string())),
                        None => axum::response::IntoResponse::into_response(axum::http::StatusCode::NOT_FOUND),
                    }
                }
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (actor, notes)
}

fn reply(actor: &str, n: u32, parent: &str, text: &str, to: &str) -> Value {
    let note = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/statuses/{n}"),
        "type": "Note", "attributedTo": actor, "inReplyTo": parent, "content": format!("<p>{text}</p>"),
        "to": [to], "published": "2026-12-01T10:00:00Z"});
    note
}

fn create(actor: &str, note: &Value) -> Value {
    json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/activity", note["id"].as_str().unwrap()),
        "type": "Create", "actor": actor, "to": note["to"], "object": note})
}

async fn drain(apps: &[&TestApp]) {
    for _ in 0..3 {
        for a in apps {
            amicus::federation::delivery::drain(&a.ctx).await.unwrap();
        }
    }
}

fn replies_in(html: &str) -> usize {
    html.matches(r#"class="reply""#).count()
}

#[tokio::test]
async fn partners_and_mastodon_discuss_a_publication_and_its_organisation_moderates_the_thread() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let alpha_token = alpha.org_with_editor("redress", "amina").await;
    let r =
        alpha.post_resource(&alpha_token, &crate::helpers::resource("redress", "Guide to the Kampala hearing")).await;
    let object = r["url"].as_str().unwrap().to_string();
    let path = format!("/r/{}", r["id"].as_str().unwrap());
    let beta_token = beta.org_with_editor("trial", "bruno").await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    beta.api_post(&beta_token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    crate::partners::backfilled(&beta, &format!("http://{}/orgs/redress", alpha.ctx.config.domain)).await;
    drain(&[&alpha, &beta]).await;
    let copy = crate::network::search(&beta, "kampala").await;
    let copy_path = format!("/r/{}", copy[0]["id"].as_str().unwrap());

    // a member of a partner organisation replies on its copy; the thread lives at alpha
    let bruno = TestApp::client_of(&beta);
    bruno.login_as("bruno", PASSWORD).await;
    let page = bruno.get(&copy_path).await;
    assert!(page.contains("id=\"discussion\"") && page.contains("Reply as"), "{page}");
    let res = bruno
        .post(
            "/thread",
            &[
                ("object", &object),
                ("action", "reply"),
                ("org", "trial"),
                ("content", "Will interpretation into Acholi be provided?"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    drain(&[&alpha, &beta]).await;
    let reader = TestApp::client_of(&alpha);
    let html = reader.get(&path).await;
    assert!(html.contains("Will interpretation into Acholi be provided?") && html.contains("trial name"), "{html}");

    // the publishing organisation answers: its partners see it
    let amina = TestApp::client_of(&alpha);
    amina.login_as("amina", PASSWORD).await;
    let res = amina
        .post(
            "/thread",
            &[("object", &object), ("action", "reply"), ("org", "redress"), ("content", "Yes, and into Luo.")],
        )
        .await;
    assert_eq!(res.status(), 303);
    drain(&[&alpha, &beta]).await;
    let html = TestApp::client_of(&beta).get(&copy_path).await;
    assert!(html.contains("Yes, and into Luo.") && html.contains("Will interpretation into Acholi"), "{html}");
    assert_eq!(replies_in(&html), 2);

    // a Mastodon user replies in public: in alpha's thread, and passed on to beta (fetched
    // from Mastodon, not taken on alpha's word)
    let keys = amicus::federation::keys::generate().await.unwrap();
    let (lina, notes) = mastodon(keys.public_key.clone()).await;
    let signer = amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{lina}#main-key")).unwrap();
    let note = reply(&lina, 1, &object, "Thank you, sharing with our network.", PUBLIC);
    notes.lock().unwrap().push(note.clone());
    assert!(post_signed(&alpha, &signer, &create(&lina, &note)).await.status().is_success());
    drain(&[&alpha, &beta]).await;
    assert!(reader.get(&path).await.contains("Thank you, sharing with our network."));
    assert!(TestApp::client_of(&beta).get(&copy_path).await.contains("Thank you, sharing with our network."));

    // alpha's editors hide it: gone for readers here and on the partner's copy
    let uid = alpha.ctx.db.reply_by_ap_id(note["id"].as_str().unwrap()).await.unwrap().unwrap().uid;
    let res = amina.post("/thread", &[("object", &object), ("action", "hide"), ("reply", &uid)]).await;
    assert_eq!(res.status(), 303);
    drain(&[&alpha, &beta]).await;
    assert!(!reader.get(&path).await.contains("Thank you, sharing"));
    assert!(amina.get(&path).await.contains("Thank you, sharing"), "its moderators still see it, marked hidden");
    assert!(!TestApp::client_of(&beta).get(&copy_path).await.contains("Thank you, sharing"));
    // a partner's editor cannot moderate alpha's thread
    let res = bruno.post("/thread", &[("object", &object), ("action", "delete"), ("reply", &uid)]).await;
    assert_eq!(res.status(), 403);
    // nor can anyone remove a reply from a thread it does not run
    let asked = beta
        .ctx
        .db
        .replies_of(beta.ctx.db.resource_id_by_uid(copy[0]["id"].as_str().unwrap()).await.unwrap(), None)
        .await
        .unwrap();
    let bruno_reply = asked.iter().find(|r| r.local).unwrap().ap_id.clone();
    let forged = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{lina}#remove"), "type": "Remove",
        "actor": lina, "object": bruno_reply, "target": object});
    assert_eq!(post_signed(&beta, &signer, &forged).await.status(), 403);
    assert!(beta.ctx.db.reply_by_ap_id(&bruno_reply).await.unwrap().is_some());

    // public replies from outside the network turned off, and partners only: Mastodon's next
    // reply is not kept, and the thread is no longer public
    let res = amina.post("/thread", &[("object", &object), ("action", "settings"), ("partners_only", "on")]).await;
    assert_eq!(res.status(), 303);
    let note2 = reply(&lina, 2, &object, "Second thoughts from outside", PUBLIC);
    assert!(post_signed(&alpha, &signer, &create(&lina, &note2)).await.status().is_success());
    let html = TestApp::client_of(&alpha).get(&path).await;
    assert!(html.contains("Sign in as a member") && !html.contains("Yes, and into Luo."), "{html}");
    assert!(
        amina.get(&path).await.contains("Yes, and into Luo.") && !amina.get(&path).await.contains("Second thoughts")
    );

    // a reply refused here (too long) comes back with its text, so that nothing typed is lost
    let long = format!("A long question. {}", "x".repeat(amicus::community::MAX_REPLY));
    let res = amina
        .post("/thread", &[("object", &object), ("action", "reply"), ("org", "redress"), ("content", &long)])
        .await;
    assert_eq!(res.status(), 422);
    let again = res.text().await.unwrap();
    assert!(again.contains("was not sent") && again.contains(&format!(">{long}</textarea>")), "{again}");

    // locked: a partner's reply is not taken
    amina.post("/thread", &[("object", &object), ("action", "settings"), ("locked", "on")]).await;
    bruno
        .post(
            "/thread",
            &[("object", &object), ("action", "reply"), ("org", "trial"), ("content", "One more question")],
        )
        .await;
    drain(&[&alpha, &beta]).await;
    assert!(!amina.get(&path).await.contains("One more question"));
    let page = amina.get(&path).await;
    assert!(page.contains("closed to new replies") && !page.contains("Your reply"));

    // what alpha sent, as federation/examples/ shows it
    let apps = [(&alpha, "alpha"), (&beta, "beta")];
    let from_alpha = crate::network::sent(&alpha, "redress").await;
    let kind = |k: &str| from_alpha.iter().find(|a| a["type"] == k).cloned().unwrap();
    let mastodon_base = lina.trim_end_matches("/users/lina");
    for (name, activity) in [
        ("create-reply.json", kind("Create")),
        ("announce-reply.json", kind("Announce")),
        ("remove-reply.json", kind("Remove")),
    ] {
        let activity: Value =
            serde_json::from_str(&activity.to_string().replace(mastodon_base, "https://mastodon.example")).unwrap();
        crate::federation::check_example(name, &crate::network::example(&apps, &activity));
    }

    // the author deletes its reply: gone everywhere
    let del = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{lina}#delete-1"), "type": "Delete",
        "actor": lina, "object": note["id"]});
    assert!(post_signed(&alpha, &signer, &del).await.status().is_success());
    assert!(alpha.ctx.db.reply_by_ap_id(note["id"].as_str().unwrap()).await.unwrap().is_none());
}

#[tokio::test]
async fn a_storm_of_replies_to_one_object_is_held_back_not_lost() {
    let alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let r = alpha.post_resource(&token, &crate::helpers::resource("redress", "Statement on the verdict")).await;
    let object = r["url"].as_str().unwrap().to_string();
    let keys = amicus::federation::keys::generate().await.unwrap();
    let (lina, _) = mastodon(keys.public_key.clone()).await;
    let signer = amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{lina}#main-key")).unwrap();
    let mut statuses = Vec::new();
    for n in 0..(amicus::community::THREAD_PER_MINUTE + 20) {
        let note = reply(&lina, 100 + n, &object, &format!("Storm reply {n}"), PUBLIC);
        statuses.push(post_signed(&alpha, &signer, &create(&lina, &note)).await.status().as_u16());
    }
    let taken = statuses.iter().filter(|s| **s == 202).count();
    let held = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(taken, amicus::community::THREAD_PER_MINUTE as usize, "{statuses:?}");
    assert_eq!(held, 20, "the rest are asked to come back later: {statuses:?}");
    let rid = alpha.ctx.db.resource_id_by_uid(r["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(alpha.ctx.db.replies_of(rid, None).await.unwrap().len(), taken);
}

#[tokio::test]
async fn a_reply_in_mastodons_own_shape_joins_an_events_thread_as_plain_text() {
    let alpha = peer("alpha").await;
    let token = alpha.org_with_editor("redress", "amina").await;
    let res = alpha.api_post(&token, "/api/v1/events", &crate::events::hearing()).await;
    assert_eq!(res.status(), 201);
    let event: Value = res.json().await.unwrap();
    let object = format!("http://{}/e/{}", alpha.ctx.config.domain, event["id"].as_str().unwrap());
    let keys = amicus::federation::keys::generate().await.unwrap();
    let (lina, notes) = mastodon(keys.public_key.clone()).await;
    let base = lina.trim_end_matches("/users/lina").to_string();
    // Mastodon's Create(Note), as its serializers write it, made a reply to the hearing
    let text = std::fs::read_to_string(format!(
        "{}/federation/fixtures/mastodon-create-note.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("https://mastodon.example/users/amina", &lina)
    .replace("https://mastodon.example", &base)
    .replace("/statuses/110", "/statuses/7");
    let mut create: Value = serde_json::from_str(&text).unwrap();
    create["object"]["inReplyTo"] = json!(object);
    notes.lock().unwrap().push(create["object"].clone());
    let signer = amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{lina}#main-key")).unwrap();
    assert!(post_signed(&alpha, &signer, &create).await.status().is_success());
    let html = TestApp::client_of(&alpha).get(&format!("/e/{}", event["id"].as_str().unwrap())).await;
    assert!(html.contains("Hearing on enforced disappearance tomorrow in Geneva #CED"), "{html}");
    assert!(html.contains("Lina") && !html.contains("alert(1)"));
    assert_eq!(replies_in(&html), 1);
}
