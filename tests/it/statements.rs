//! Statements: written, read, listed and embargoed through the API and pages; co-signed
//! across instances, with every signature checked against its signatory's own key.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::network::peer_with;

/// A joint statement in English and French.
pub fn statement(org: &str, title: &str) -> Value {
    json!({
        "org": org,
        "kind": "joint-statement",
        "original_language": "en",
        "translations": {
            "en": {"title": title, "summary": "States must arrest.", "body": "We, the undersigned, call on **all States**."},
            "fr": {"title": "Déclaration commune", "summary": "Les États doivent arrêter.", "body": "Nous, soussignées, appelons **tous les États**."}
        },
        "status": "published",
        "call_to_action": {"text": "Write to your foreign ministry", "url": "https://example.org/act", "deadline": "2027-03-01"},
        "targets": ["States Parties to the Rome Statute"],
        "hashtags": ["#MakingJusticeWork", "العدالة_الآن"],
        "themes": ["victims-participation"],
        "countries": ["ug"],
        "mechanisms": ["icc"],
        "case": "Prosecutor v. Kony",
        "external_signatories": ["Lawyers without Borders (Kampala chapter)"]
    })
}

async fn post_statement(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = app.api_post(token, "/api/v1/statements", body).await;
    let status = res.status();
    let v: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{v}");
    v
}

#[tokio::test]
async fn a_statement_is_written_read_listed_and_found_like_the_library() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("ccij", "amina").await;
    let s = post_statement(&app, &token, &statement("ccij", "Arrest now")).await;
    let id = s["id"].as_str().unwrap();
    assert!(s["url"].as_str().unwrap().ends_with(&format!("/s/{id}")), "{s}");
    assert_eq!(s["ap_id"], s["url"]);
    assert_eq!(s["kind"], "joint-statement");
    assert_eq!(s["version"], 1);
    let digest = s["digest"].as_str().unwrap().to_string();
    assert!(digest.starts_with("zQm"), "{digest}");
    assert_eq!(s["hashtags"], json!(["MakingJusticeWork", "العدالة_الآن"]));
    assert_eq!(s["call_to_action"]["deadline"], "2027-03-01");

    // a translation changed before anyone signed: a new digest, the same version
    let path = format!("/api/v1/statements/{id}");
    let res = app.api_patch(&token, &path, &json!({"translations": {"es": {"title": "Arresto ya"}}})).await;
    let patched: Value = res.json().await.unwrap();
    assert_eq!(patched["version"], 1, "{patched}");
    assert_ne!(patched["digest"], digest.as_str());
    assert_eq!(patched["translations"]["es"]["title"], "Arresto ya");
    assert_eq!(patched["targets"], json!(["States Parties to the Rome Statute"]), "kept");

    // listed by kind, with the library's filters; the library lists it beside resources
    let listed: Value =
        app.get("/api/v1/statements?kind=joint-statement&theme=victims-participation").await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let none: Value = app.get("/api/v1/statements?kind=press-release").await.json().await.unwrap();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    app.post_resource(&token, &crate::helpers::resource("ccij", "A guide")).await;
    let only: Value = app.get("/api/v1/statements").await.json().await.unwrap();
    assert_eq!(only["items"].as_array().unwrap().len(), 1, "resources are not statements");
    let all: Value = app.get("/api/v1/resources?q=arrest").await.json().await.unwrap();
    assert_eq!(all["items"][0]["id"], id, "{all}");
    let library = app.get("/library?type=joint-statement").await.text().await.unwrap();
    assert!(library.contains(&format!("href=\"/s/{id}\"")), "the card links to the statement's page");
    assert!(library.contains("Joint statement"));

    // its page: the call to action, whom it addresses, who signed (the lead, then those on
    // no server), and the digest; /r/ leads there
    let page = app.get(&format!("/s/{id}")).await.text().await.unwrap();
    for needle in [
        "Write to your foreign ministry",
        "States Parties to the Rome Statute",
        "ccij name",
        "Lawyers without Borders (Kampala chapter)",
        "not on the network",
        "#MakingJusticeWork",
        "Prosecutor v. Kony",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    let moved = app.client.get(app.url(&format!("/r/{id}?lang=fr"))).send().await.unwrap();
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], format!("/s/{id}?lang=fr"));
    let ar = app.get(&format!("/s/{id}?lang=ar")).await.text().await.unwrap();
    assert!(ar.contains("dir=\"rtl\"") && ar.contains("موقِّع"), "Arabic page");

    // the signatories of a statement nobody signed yet: none listed but the named ones
    let sig: Value = app.get(&format!("/api/v1/statements/{id}/signatories")).await.json().await.unwrap();
    assert_eq!(sig["items"], json!([]));
    assert_eq!(sig["external"], json!(["Lawyers without Borders (Kampala chapter)"]));

    // its organisation's feed carries it
    let feed = app.get("/library/feed.rss?type=joint-statement").await.text().await.unwrap();
    assert!(feed.contains("Arrest now") && feed.contains(&format!("&#x2f;s&#x2f;{id}")), "{feed}");

    let del = app.client.delete(app.url(&path)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(del.status(), 204);
    assert_eq!(app.get(&path).await.status(), 404);
}

#[tokio::test]
async fn bad_statements_get_a_problem_naming_each_field() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("ccij", "amina").await;
    let cases = [
        ("kind", json!("briefing-note"), "err-unknown-term"),
        ("embargo_until", json!("tomorrow morning"), "err-bad-embargo"),
        ("hashtags", json!(["two words"]), "err-bad-hashtag"),
        ("call_to_action", json!({"text": "Act", "url": "javascript:alert(1)"}), "err-bad-url"),
        ("targets", json!(vec!["x"; 21]), "err-too-many"),
    ];
    for (field, value, code) in cases {
        let mut body = statement("ccij", "Bad");
        body[field] = value;
        let res = app.api_post(&token, "/api/v1/statements", &body).await;
        assert_eq!(res.status(), 422, "{field}");
        let problem: Value = res.json().await.unwrap();
        let errors = problem["errors"].as_array().unwrap();
        assert!(errors.iter().any(|e| e["code"] == code), "{field}: {problem}");
    }
    // a resource's editor does not reach a statement, nor the reverse
    let s = post_statement(&app, &token, &statement("ccij", "Good")).await;
    let res = app
        .api_patch(&token, &format!("/api/v1/resources/{}", s["id"].as_str().unwrap()), &json!({"licence": "x"}))
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn an_embargoed_statement_is_hidden_and_unsent_until_its_time_then_goes_out() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("ccij", "amina").await;
    // a follower on another server, so that what is sent can be seen
    crate::network::follower_on(&app, "ccij", "sink.localhost", 9).await;
    let until = chrono::Utc::now() + chrono::Duration::seconds(3);
    let mut body = statement("ccij", "Under embargo");
    body["embargo_until"] = json!(until.to_rfc3339());
    let s = post_statement(&app, &token, &body).await;
    let id = s["id"].as_str().unwrap();
    assert_eq!(s["embargoed"], true, "{s}");
    assert_eq!(s["status"], "published");

    // nobody else sees it, nothing lists it, nothing is sent
    assert_eq!(app.get(&format!("/api/v1/statements/{id}")).await.status(), 404);
    assert_eq!(app.get(&format!("/s/{id}")).await.status(), 404);
    let ap = app
        .client
        .get(app.url(&format!("/s/{id}")))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(ap.status(), 404);
    let listed: Value = app.get("/api/v1/statements").await.json().await.unwrap();
    assert_eq!(listed["items"], json!([]));
    assert_eq!(crate::network::sent(&app, "ccij").await.len(), 0, "no Create before the embargo");
    // its organisation sees it, and is told it is under embargo
    let own = app.api_get(&token, &format!("/api/v1/statements/{id}")).await;
    assert_eq!(own.status(), 200);

    // when the time comes it is public and its Create goes out, once
    let mut public = false;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if app.get(&format!("/api/v1/statements/{id}")).await.status() == 200 {
            public = true;
            break;
        }
    }
    assert!(public, "the embargo lifted");
    let sent = crate::network::sent(&app, "ccij").await;
    let creates: Vec<&Value> = sent.iter().filter(|a| a["type"] == "Create").collect();
    assert_eq!(creates.len(), 1, "{sent:?}");
    assert_eq!(creates[0]["object"]["id"], s["url"]);
    let got: Value = app.get(&format!("/api/v1/statements/{id}")).await.json().await.unwrap();
    assert_eq!(got["embargoed"], false);
}

/// Four instances: alpha leads; beta and gamma sign; delta watches through a follow.
async fn network() -> (TestApp, TestApp, TestApp, TestApp) {
    let with_delta = |c: &mut amicus::Config| {
        c.resolve.push(("delta.localhost".into(), std::net::IpAddr::from([127, 0, 0, 1])));
    };
    let alpha = peer_with("alpha", with_delta).await;
    let beta = peer_with("beta", with_delta).await;
    let gamma = peer_with("gamma", with_delta).await;
    let delta = peer_with("delta", with_delta).await;
    (alpha, beta, gamma, delta)
}

pub async fn drain(apps: &[&TestApp]) {
    // each round may queue answers on another instance: three rounds settle any exchange here
    for _ in 0..3 {
        for a in apps {
            amicus::federation::delivery::drain(&a.ctx).await.unwrap();
        }
    }
}

/// The statement as an instance that holds a copy lists it: (its local id, its JSON).
async fn copy_of(app: &TestApp, token: &str, ap_id: &str) -> (String, Value) {
    let list: Value = app.api_get(token, "/api/v1/statements").await.json().await.unwrap();
    let item = list["items"].as_array().unwrap().iter().find(|s| s["ap_id"] == ap_id).cloned();
    let item = item.unwrap_or_else(|| panic!("no copy of {ap_id} in {list}"));
    (item["id"].as_str().unwrap().to_string(), item)
}

async fn signatories(app: &TestApp, id: &str) -> Vec<Value> {
    let v: Value = app.get(&format!("/api/v1/statements/{id}/signatories")).await.json().await.unwrap();
    v["items"].as_array().unwrap_or_else(|| panic!("{v}")).clone()
}

#[tokio::test]
async fn partners_co_sign_across_instances_and_everyone_who_has_it_sees_who_signed() {
    let (alpha, beta, gamma, delta) = network().await;
    let lead = alpha.org_with_editor("ccij", "amina").await;
    let b = beta.org_with_editor("redress", "bruno").await;
    let g = gamma.org_with_editor("trial", "gala").await;
    let d = delta.org_with_editor("watch", "dora").await;
    let apps = [&alpha, &beta, &gamma, &delta];

    // delta follows the lead organisation
    let target = format!("ccij@{}", alpha.ctx.config.domain);
    let res = delta.api_post(&d, "/api/v1/orgs/watch/following", &json!({ "target": target })).await;
    assert_eq!(res.status(), 202);
    drain(&apps).await;

    let s = post_statement(&alpha, &lead, &statement("ccij", "Arrest now")).await;
    let (id, ap_id) = (s["id"].as_str().unwrap().to_string(), s["ap_id"].as_str().unwrap().to_string());
    drain(&apps).await;

    // invitations by handle; one to nobody, one to a server that does not exist
    let path = format!("/api/v1/statements/{id}/invitations");
    for who in [format!("redress@{}", beta.ctx.config.domain), format!("trial@{}", gamma.ctx.config.domain)] {
        let res = alpha.api_post(&lead, &path, &json!({ "target": who })).await;
        assert_eq!(res.status(), 202, "{who}: {}", res.text().await.unwrap());
    }
    let res = alpha.api_post(&lead, &path, &json!({ "target": format!("ghost@{}", beta.ctx.config.domain) })).await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "err-target-not-found", "{problem}");
    drain(&apps).await;

    // beta's editors see the invitation, with the exact text's digest
    let inv: Value = beta.api_get(&b, "/api/v1/orgs/redress/invitations").await.json().await.unwrap();
    let item = &inv["items"][0];
    assert_eq!(item["statement"]["ap_id"], ap_id.as_str(), "{inv}");
    assert_eq!(item["statement"]["digest"], s["digest"]);
    assert_eq!(item["statement"]["version"], 1);
    assert_eq!(item["from"], format!("http://{}/orgs/ccij", alpha.ctx.config.domain));
    let inv_id = item["id"].as_str().unwrap();
    // the copy is readable by its editors
    let copy_page = beta
        .api_get(
            &b,
            item["statement"]["url"]
                .as_str()
                .unwrap()
                .split_once("/s/")
                .map(|(_, u)| format!("/api/v1/statements/{u}"))
                .unwrap()
                .as_str(),
        )
        .await;
    assert_eq!(copy_page.status(), 200);

    // a stale digest is refused; the right one signs
    let accept = format!("/api/v1/orgs/redress/invitations/{inv_id}/accept");
    let res = beta.api_post(&b, &accept, &json!({ "digest": "zQmNotTheTextYouRead" })).await;
    assert_eq!(res.status(), 422);
    let res = beta.api_post(&b, &accept, &json!({ "digest": s["digest"] })).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    drain(&apps).await;

    let on_alpha = signatories(&alpha, &id).await;
    assert_eq!(on_alpha.len(), 1, "{on_alpha:?}");
    assert_eq!(on_alpha[0]["org"], format!("@redress@{}", beta.ctx.config.domain));
    assert_eq!(on_alpha[0]["verified"], true);
    assert_eq!(on_alpha[0]["version"], 1);

    // gamma's editor signs in the browser, from the invitations page that shows the exact text
    gamma.login("gala", crate::helpers::PASSWORD).await;
    let page = gamma.get("/orgs/trial/invitations").await.text().await.unwrap();
    assert!(page.contains("We, the undersigned") && page.contains(s["digest"].as_str().unwrap()), "{page}");
    let inv: Value = gamma.api_get(&g, "/api/v1/orgs/trial/invitations").await.json().await.unwrap();
    let inv_id = inv["items"][0]["id"].as_str().unwrap().to_string();
    let csrf = gamma.csrf().await;
    let digest = s["digest"].as_str().unwrap();
    let form =
        [("csrf", csrf.as_str()), ("invitation", &inv_id), ("digest", digest), ("action", "sign"), ("announce", "1")];
    let res = gamma.client.post(gamma.url("/orgs/trial/invitations")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(gamma.get("/orgs/trial/invitations").await.text().await.unwrap().contains("No invitation is waiting"));
    drain(&apps).await;
    assert_eq!(signatories(&alpha, &id).await.len(), 2);

    // what was sent and served is the federation contract's examples
    let names = [(&alpha, "lead"), (&beta, "beta"), (&gamma, "gamma"), (&delta, "delta")];
    let check = |file: &str, v: &Value| crate::federation::check_example(file, &crate::network::example(&names, v));
    let lead_sent = crate::network::sent(&alpha, "ccij").await;
    check("invite.json", lead_sent.iter().find(|a| a["type"] == "Invite").unwrap());
    let update = lead_sent.iter().rev().find(|a| a["type"] == "Update").unwrap();
    assert_eq!(update["object"]["amicus:signatories"]["totalItems"], 3, "two signatories and one on no server");
    check("update-statement.json", update);
    let beta_sent = crate::network::sent(&beta, "redress").await;
    let accept = beta_sent.iter().find(|a| a["type"] == "Accept").unwrap();
    assert_eq!(accept["proof"]["cryptosuite"], "eddsa-jcs-2022");
    check("accept-signature.json", accept);
    let served: Value = alpha
        .client
        .get(alpha.url(&format!("/s/{id}")))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    check("statement.json", &served);

    // the watcher and both signatories see both signatures, each checked against its own key
    for (app, token) in [(&delta, &d), (&beta, &b), (&gamma, &g)] {
        let (copy, _) = copy_of(app, token, &ap_id).await;
        let list = signatories(app, &copy).await;
        let orgs: Vec<&str> = list.iter().map(|x| x["org"].as_str().unwrap()).collect();
        assert_eq!(list.len(), 2, "{} sees {orgs:?}", app.ctx.config.domain);
        assert!(list.iter().all(|x| x["verified"] == true));
        let page = app.get(&format!("/s/{copy}")).await.text().await.unwrap();
        assert!(page.contains("redress name") && page.contains("trial name"), "signatories on the page");
    }

    // the text changes: version 2; both signed version 1 until they confirm again
    let res = alpha
        .api_patch(
            &lead,
            &format!("/api/v1/statements/{id}"),
            &json!({"translations": {"en": {"title": "Arrest now", "body": "We call on all States, again."}}}),
        )
        .await;
    let v2: Value = res.json().await.unwrap();
    assert_eq!(v2["version"], 2, "{v2}");
    assert_ne!(v2["digest"], s["digest"]);
    let page = alpha.get(&format!("/s/{id}")).await.text().await.unwrap();
    assert!(page.contains("signed version 1"), "earlier signatures are marked");
    drain(&apps).await;
    // each signatory is invited to confirm the new version; gamma does, beta does not (yet)
    let inv: Value = gamma.api_get(&g, "/api/v1/orgs/trial/invitations").await.json().await.unwrap();
    assert_eq!(inv["items"][0]["statement"]["version"], 2, "{inv}");
    let inv_id = inv["items"][0]["id"].as_str().unwrap().to_string();
    let res = gamma
        .api_post(&g, &format!("/api/v1/orgs/trial/invitations/{inv_id}/accept"), &json!({ "digest": v2["digest"] }))
        .await;
    assert_eq!(res.status(), 202);
    drain(&apps).await;
    let versions: Vec<(String, i64)> = signatories(&alpha, &id)
        .await
        .iter()
        .map(|x| (x["org"].as_str().unwrap().to_string(), x["version"].as_i64().unwrap()))
        .collect();
    assert!(versions.contains(&(format!("@trial@{}", gamma.ctx.config.domain), 2)), "{versions:?}");
    assert!(versions.contains(&(format!("@redress@{}", beta.ctx.config.domain), 1)), "{versions:?}");

    // beta withdraws its signature: gone from the list everywhere
    let (beta_copy, _) = copy_of(&beta, &b, &ap_id).await;
    let res = beta
        .api_post(&b, &format!("/api/v1/statements/{beta_copy}/signatures/withdraw"), &json!({ "org": "redress" }))
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    drain(&apps).await;
    let left = signatories(&alpha, &id).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["org"], format!("@trial@{}", gamma.ctx.config.domain));
    let (delta_copy, _) = copy_of(&delta, &d, &ap_id).await;
    assert_eq!(signatories(&delta, &delta_copy).await.len(), 1, "the watcher sees the withdrawal");

    // the lead's server goes away: what was verified stays verified where it was copied
    drop(alpha);
    let kept = signatories(&delta, &delta_copy).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["verified"], true);
}

/// An acceptance of `invite` as `org` of `from` would make it, with a proof by `private`
/// (its own key unless another is given) named `key_id`.
async fn acceptance(
    from: &TestApp,
    org: &str,
    invite: &str,
    statement: &Value,
    key: Option<(&str, &str)>,
    id_host: Option<&str>,
) -> Value {
    use amicus::federation::{cosign, integrity};
    let actor = format!("http://{}/orgs/{org}", from.ctx.config.domain);
    let record = from.ctx.db.org_by_handle(org).await.unwrap().unwrap();
    let (_, own) = from.ctx.db.org_signing_key(record.id).await.unwrap().unwrap();
    let own_id = integrity::key_id(&actor);
    let (key_id, private) = key.unwrap_or((&own_id, &own));
    let host = id_host.unwrap_or(&from.ctx.config.domain);
    let id = format!("http://{host}/activities/accept/{}", amicus::db::new_uid());
    let doc = cosign::acceptance(
        &id,
        &actor,
        invite,
        statement["ap_id"].as_str().unwrap(),
        statement["version"].as_i64().unwrap(),
        statement["digest"].as_str().unwrap(),
    );
    integrity::sign(doc, key_id, private).unwrap()
}

#[tokio::test]
async fn forged_or_stale_acceptances_are_refused_and_never_listed() {
    let alpha = peer_with("alpha", |_| {}).await;
    let beta = peer_with("beta", |_| {}).await;
    let gamma = peer_with("gamma", |_| {}).await;
    let lead = alpha.org_with_editor("ccij", "amina").await;
    let b = beta.org_with_editor("redress", "bruno").await;
    gamma.org_with_editor("trial", "gala").await;
    let apps = [&alpha, &beta, &gamma];
    let s = post_statement(&alpha, &lead, &statement("ccij", "Arrest now")).await;
    let id = s["id"].as_str().unwrap();
    let path = format!("/api/v1/statements/{id}/invitations");
    let res = alpha.api_post(&lead, &path, &json!({ "target": format!("redress@{}", beta.ctx.config.domain) })).await;
    assert_eq!(res.status(), 202);
    drain(&apps).await;
    let rid = alpha.ctx.db.resource_id_by_uid(id).await.unwrap().unwrap();
    let invite = alpha.ctx.db.signatures_of(&[rid]).await.unwrap()[0].1.invite_id.clone().unwrap();
    let (_, other_private) = amicus::federation::integrity::generate().unwrap();
    let trial_actor = format!("http://{}/orgs/trial", gamma.ctx.config.domain);
    let trial_key = amicus::federation::integrity::key_id(&trial_actor);
    let trial_record = gamma.ctx.db.org_by_handle("trial").await.unwrap().unwrap();
    let (_, trial_private) = gamma.ctx.db.org_signing_key(trial_record.id).await.unwrap().unwrap();
    let beta_actor = format!("http://{}/orgs/redress", beta.ctx.config.domain);
    let beta_key = amicus::federation::integrity::key_id(&beta_actor);
    let mut stale = s.clone();
    stale["digest"] = json!("zQmAnotherTextAltogether");

    let cases: Vec<(&str, &TestApp, &str, Value)> = vec![
        // another organisation answers beta's invitation, with a good proof of its own
        ("not the invited organisation", &gamma, "trial", acceptance(&gamma, "trial", &invite, &s, None, None).await),
        // beta's answer, proved with a key beta does not publish
        (
            "a key not its own",
            &beta,
            "redress",
            acceptance(&beta, "redress", &invite, &s, Some((&beta_key, &other_private)), None).await,
        ),
        // beta's answer, proved with another domain's key
        (
            "another domain's key",
            &beta,
            "redress",
            acceptance(&beta, "redress", &invite, &s, Some((&trial_key, &trial_private)), None).await,
        ),
        // beta's answer for a text that is not the statement's
        ("a stale digest", &beta, "redress", acceptance(&beta, "redress", &invite, &stale, None, None).await),
        // an acceptance made on another domain than its signer's
        (
            "an id on another domain",
            &beta,
            "redress",
            acceptance(&beta, "redress", &invite, &s, None, Some(&gamma.ctx.config.domain)).await,
        ),
    ];
    for (why, from, org, body) in cases {
        let res = crate::hardening::signed_post(from, org, &alpha, &body, std::time::SystemTime::now(), None).await;
        let status = res.status();
        assert!(status.is_client_error(), "{why}: {status}");
        let listed = signatories(&alpha, id).await;
        assert!(listed.is_empty(), "{why}: {listed:?}");
    }

    // the genuine acceptance, through beta's API, is listed
    let inv: Value = beta.api_get(&b, "/api/v1/orgs/redress/invitations").await.json().await.unwrap();
    let inv_id = inv["items"][0]["id"].as_str().unwrap();
    let res = beta
        .api_post(&b, &format!("/api/v1/orgs/redress/invitations/{inv_id}/accept"), &json!({ "digest": s["digest"] }))
        .await;
    assert_eq!(res.status(), 202);
    drain(&apps).await;
    assert_eq!(signatories(&alpha, id).await.len(), 1);

    // the signatory's actor is deleted: its signature no longer counts
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{beta_actor}#delete"), "type": "Delete", "actor": beta_actor, "object": beta_actor,
    });
    let res =
        crate::hardening::signed_post(&beta, "redress", &alpha, &delete, std::time::SystemTime::now(), None).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(signatories(&alpha, id).await.is_empty());
}

#[tokio::test]
async fn an_open_statement_takes_requests_the_lead_approves_and_each_signatory_shares_it() {
    let alpha = peer_with("alpha", |_| {}).await;
    let beta = peer_with("beta", |_| {}).await;
    let lead = alpha.org_with_editor("ccij", "amina").await;
    let b = beta.org_with_editor("redress", "bruno").await;
    let apps = [&alpha, &beta];
    // beta's organisation follows the lead (so it holds the statement), and has a follower
    // of its own on another server, to whom it shares what it signs
    let target = format!("ccij@{}", alpha.ctx.config.domain);
    beta.api_post(&b, "/api/v1/orgs/redress/following", &json!({ "target": target })).await;
    drain(&apps).await;
    crate::network::follower_on(&beta, "redress", "sink.localhost", 9).await;

    let mut body = statement("ccij", "Open letter");
    body["kind"] = json!("open-letter");
    body["open_signing"] = json!(true);
    let s = post_statement(&alpha, &lead, &body).await;
    let id = s["id"].as_str().unwrap();
    drain(&apps).await;
    let (copy, _) = copy_of(&beta, &b, s["ap_id"].as_str().unwrap()).await;

    // beta asks to sign (a Join with its proof); the lead sees the request, not yet a signature
    let res = beta
        .api_post(
            &b,
            &format!("/api/v1/statements/{copy}/signatures"),
            &json!({ "org": "redress", "digest": s["digest"] }),
        )
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    drain(&apps).await;
    assert!(signatories(&alpha, id).await.is_empty());
    let asked: Value =
        alpha.api_get(&lead, &format!("/api/v1/statements/{id}/invitations")).await.json().await.unwrap();
    assert_eq!(asked["items"][0]["state"], "requested", "{asked}");

    // the lead approves: listed everywhere, verified, and beta shares it with its followers
    let acct = format!("redress@{}", beta.ctx.config.domain);
    let res =
        alpha.api_post(&lead, &format!("/api/v1/statements/{id}/requests/approve"), &json!({ "org": acct })).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    drain(&apps).await;
    let on_alpha = signatories(&alpha, id).await;
    assert_eq!(on_alpha.len(), 1);
    assert_eq!(on_alpha[0]["verified"], true);
    assert_eq!(signatories(&beta, &copy).await.len(), 1);
    let shared = crate::network::sent(&beta, "redress").await;
    let announce = shared.iter().find(|a| a["type"] == "Announce").expect("beta announced it");
    assert_eq!(announce["object"], s["ap_id"]);

    // a closed statement takes no request
    let closed = post_statement(&alpha, &lead, &statement("ccij", "Closed")).await;
    drain(&apps).await;
    let (closed_copy, _) = copy_of(&beta, &b, closed["ap_id"].as_str().unwrap()).await;
    let res = beta
        .api_post(
            &b,
            &format!("/api/v1/statements/{closed_copy}/signatures"),
            &json!({ "org": "redress", "digest": closed["digest"] }),
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_thousand_invitations_at_once_and_invitations_nobody_can_receive() {
    let alpha = peer_with("alpha", |_| {}).await;
    let lead = alpha.org_with_editor("ccij", "amina").await;
    let s = post_statement(&alpha, &lead, &statement("ccij", "Many")).await;
    let id = s["id"].as_str().unwrap();
    // a thousand organisations on this instance, invited in one request
    let mut targets = Vec::new();
    for i in 0..1000 {
        let handle = format!("ngo{i}");
        alpha.ctx.db.insert_org(&handle, &format!("NGO {i}"), "-", "-").await.unwrap();
        targets.push(handle);
    }
    let started = std::time::Instant::now();
    let res =
        alpha.api_post(&lead, &format!("/api/v1/statements/{id}/invitations"), &json!({ "targets": targets })).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["invited"], 1000, "{body}");
    assert_eq!(body["invalid"], json!([]));
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let sent: Value = alpha.api_get(&lead, &format!("/api/v1/statements/{id}/invitations")).await.json().await.unwrap();
    assert_eq!(sent["items"].as_array().unwrap().len(), 1000);
    let ngo = alpha.ctx.db.org_by_handle("ngo999").await.unwrap().unwrap();
    assert_eq!(alpha.ctx.db.invitations_of(ngo.id).await.unwrap().len(), 1);
    // a target that can be no organisation is named in the answer; the rest are invited
    let res = alpha
        .api_post(
            &lead,
            &format!("/api/v1/statements/{id}/invitations"),
            &json!({ "targets": ["ngo1", "not a handle"] }),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["invalid"], json!(["not a handle"]), "{body}");
    // more than a thousand is refused whole
    let too_many: Vec<String> = (0..1001).map(|i| format!("ngo{i}")).collect();
    let res =
        alpha.api_post(&lead, &format!("/api/v1/statements/{id}/invitations"), &json!({ "targets": too_many })).await;
    assert_eq!(res.status(), 422);

    // an organisation on a blocked server, and one that does not exist, are refused by name
    alpha.ctx.db.set_federation_rule("beta.localhost", Some("block")).await.unwrap();
    for (target, code) in [("trial@beta.localhost", "err-target-refused"), ("nobody", "err-target-not-found")] {
        let res =
            alpha.api_post(&lead, &format!("/api/v1/statements/{id}/invitations"), &json!({ "target": target })).await;
        assert_eq!(res.status(), 422, "{target}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["code"], code, "{target}: {problem}");
    }
}

#[tokio::test]
async fn statements_export_and_import_back_unchanged_beside_resources() {
    use amicus::model::lang::Lang;
    use amicus::transfer;
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("ccij", "amina").await;
    let s = post_statement(&app, &token, &statement("ccij", "Arrest now")).await;
    app.post_resource(&token, &crate::helpers::resource("ccij", "A guide")).await;
    // a campaign gathering the statement, with an item proposed and one of a partner's server
    let c = app.api_post(&token, "/api/v1/campaigns", &crate::campaigns::campaign("ccij")).await;
    let c: Value = c.json().await.unwrap();
    let items = format!("/api/v1/campaigns/{}/items", c["id"].as_str().unwrap());
    assert_eq!(app.api_post(&token, &items, &json!({ "ap_id": s["ap_id"] })).await.status(), 201);
    let mut first = Vec::new();
    assert_eq!(transfer::export(&app.ctx, "ccij", &mut first).await.unwrap(), 3);
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(text.lines().any(|l| l.contains("\"kind\":\"joint-statement\"")), "{text}");
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["campaign"]["handle"], "makingjusticework", "campaigns come last: {last}");
    assert_eq!(last["items"], json!([{"ap_id": s["ap_id"], "kind": "resource", "state": "approved"}]));

    let other = TestApp::spawn().await;
    amicus::accounts::create_org(&other.ctx, "ccij", "CCIJ", None).await.unwrap();
    let report = transfer::import(&other.ctx, "ccij", Lang::En, first.as_slice(), |_| {}).await.unwrap();
    assert_eq!((report.created, report.errors.len()), (3, 0), "{:?}", report.errors);
    let again = transfer::import(&other.ctx, "ccij", Lang::En, first.as_slice(), |_| {}).await.unwrap();
    assert_eq!((again.created, again.updated), (0, 3), "a re-import updates");
    let imported: Value = other.get("/api/v1/campaigns").await.json().await.unwrap();
    assert_eq!(imported["items"][0]["translations"]["ar"]["title"], "لنجعل العدالة تعمل", "{imported}");
    assert_eq!(other.get("/orgs/makingjusticework").await.status(), 303, "its actor exists: its page leads to /c/");

    // a campaign line that is wrong is reported by its line, and the others still go in
    let bad = format!(
        "{}\n{}\n",
        json!({"campaign": {"org": "ccij", "handle": "x!", "hashtag": "#ok", "original_language": "en", "translations": {"en": {"title": "T"}}}}),
        json!({"campaign": {"org": "ccij", "handle": "second", "hashtag": "#ok", "original_language": "en", "translations": {"en": {"title": "T"}}},
               "items": [{"ap_id": "javascript:alert(1)", "kind": "resource"}]})
    );
    let report = transfer::import(&other.ctx, "ccij", Lang::En, bad.as_bytes(), |_| {}).await.unwrap();
    let lines: Vec<usize> = report.errors.iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![1, 2], "{:?}", report.errors);
    let mut second = Vec::new();
    transfer::export(&other.ctx, "ccij", &mut second).await.unwrap();
    assert_eq!(text, String::from_utf8(second).unwrap());
    let listed: Value = other.get("/api/v1/statements").await.json().await.unwrap();
    assert_eq!(listed["items"][0]["digest"], s["digest"], "the same text has the same digest");
}

/// A fixture of another server with its example hosts and ids replaced.
fn fixture(name: &str, replace: &[(&str, &str)]) -> Value {
    let mut text =
        std::fs::read_to_string(format!("{}/federation/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    for (from, to) in replace {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn boosts_and_likes_from_the_fediverse_are_counted_not_listed() {
    let alpha = peer_with("alpha", |_| {}).await;
    let beta = peer_with("beta", |_| {}).await;
    let lead = alpha.org_with_editor("ccij", "amina").await;
    beta.org_with_editor("fan", "bruno").await;
    let s = post_statement(&alpha, &lead, &statement("ccij", "Arrest now")).await;
    let url = s["url"].as_str().unwrap().to_string();
    let fan = format!("http://{}/orgs/fan", beta.ctx.config.domain);
    let shape = |name: &str, n: &str| {
        fixture(
            name,
            &[
                ("https://amicus.example/s/q7mz3k2d9x4p8wna", &url),
                ("https://amicus.example/r/q7mz3k2d9x4p8wna", &url),
                ("https://mastodon.example/users/amina", &fan),
                ("4512", n),
                ("111", n),
            ],
        )
    };
    let send = |body: Value| {
        let (beta, alpha) = (&beta, &alpha);
        async move { crate::hardening::signed_post(beta, "fan", alpha, &body, std::time::SystemTime::now(), None).await }
    };
    // Mastodon's Like, twice (counted once), and its Announce
    for body in
        [shape("mastodon-like.json", "1"), shape("mastodon-like.json", "2"), shape("mastodon-announce.json", "3")]
    {
        let res = send(body).await;
        assert_eq!(res.status(), 202);
    }
    let id = s["id"].as_str().unwrap();
    let page = alpha.get(&format!("/s/{id}")).await.text().await.unwrap();
    assert!(page.contains("1 boost on the fediverse") && page.contains("1 like"), "counted");
    assert!(!page.contains(&fan) && !page.contains("fan name"), "never who");
    // Mastodon's Undo of its Like
    let res = send(shape("mastodon-undo-like.json", "1")).await;
    assert_eq!(res.status(), 202);
    let page = alpha.get(&format!("/s/{id}")).await.text().await.unwrap();
    assert!(page.contains("0 likes"), "taken back");

    // a like of an event of the agenda counts and shows on its page too
    let event: Value = alpha
        .api_post(
            &lead,
            "/api/v1/events",
            &json!({"org": "ccij", "kind": "hearing-trial", "original_language": "en",
            "translations": {"en": {"title": "Trial hearing"}}, "start": "2030-03-04T09:30", "end": "2030-03-04T16:30",
            "timezone": "Europe/Amsterdam"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let event_url = format!("http://{}/e/{}", alpha.ctx.config.domain, event["id"].as_str().unwrap());
    let like = fixture(
        "mastodon-like.json",
        &[
            ("https://amicus.example/s/q7mz3k2d9x4p8wna", &event_url),
            ("https://mastodon.example/users/amina", &fan),
            ("4512", "7"),
        ],
    );
    assert_eq!(send(like).await.status(), 202);
    let page = alpha.get(&format!("/e/{}", event["id"].as_str().unwrap())).await.text().await.unwrap();
    assert!(page.contains("1 like"), "the event's page counts it");

    // a boost of a draft is not counted
    let mut draft = statement("ccij", "Draft");
    draft["status"] = json!("draft");
    let d = post_statement(&alpha, &lead, &draft).await;
    let boost = fixture(
        "mastodon-announce.json",
        &[
            ("https://amicus.example/r/q7mz3k2d9x4p8wna", d["url"].as_str().unwrap()),
            ("https://mastodon.example/users/amina", &fan),
            ("111", "9"),
        ],
    );
    assert_eq!(send(boost).await.status(), 202);
    let draft_url = d["url"].as_str().unwrap();
    assert_eq!(alpha.ctx.db.reaction_counts(draft_url).await.unwrap(), (0, 0));
    assert_eq!(alpha.ctx.db.reaction_counts(&url).await.unwrap(), (1, 0));

    // Lemmy's Announce of a community post: a partner's content, kept only when followed
    let lemmy = fixture("lemmy-announce-page.json", &[("https://amicus.example/s/q7mz3k2d9x4p8wna", &url)]);
    let parsed: amicus::federation::activities::InboxActivity = serde_json::from_value(lemmy).unwrap();
    assert!(matches!(parsed, amicus::federation::activities::InboxActivity::Announce(_)));
}

#[tokio::test]
async fn a_reader_shares_to_their_own_server_typed_once_without_javascript() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("ccij", "amina").await;
    let s = post_statement(&app, &token, &statement("ccij", "Arrest now")).await;
    let id = s["id"].as_str().unwrap();
    let page = app.get(&format!("/s/{id}")).await.text().await.unwrap();
    assert!(
        page.contains("action=\"/share\"") && page.contains("mailto:?subject=Arrest%20now"),
        "share form and e-mail"
    );

    let res = app.get(&format!("/share?u=/s/{id}&server=@me@Mastodon.Social")).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("https://mastodon.social/share?text=Arrest+now%0A"), "{to}");
    assert!(to.contains(&format!("%2Fs%2F{id}")), "{to}");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("share_server=mastodon.social;") && cookie.contains("HttpOnly"), "{cookie}");

    // the next time, the remembered server is used without asking
    let again = app
        .client
        .get(app.url(&format!("/share?u=/s/{id}&server=")))
        .header("cookie", "share_server=mastodon.social")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    // without one, the reader is asked; a server name that is none is refused in their language
    let fresh = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(fresh.get(app.url(&format!("/share?u=/s/{id}"))).send().await.unwrap().status(), 200);
    let bad = fresh.get(app.url(&format!("/share?u=/s/{id}&server=javascript:alert(1)"))).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    // only a public publication of this instance can be shared from here
    let mut draft = statement("ccij", "Draft");
    draft["status"] = json!("draft");
    let d = post_statement(&app, &token, &draft).await;
    for bad in [format!("/s/{}", d["id"].as_str().unwrap()), "https://evil.example/x".into(), "/s/../../etc".into()] {
        let res = app.get(&format!("/share?u={bad}&server=mastodon.social")).await;
        assert_eq!(res.status(), 404, "{bad}");
    }
}

/// The `Location` of a redirect.
fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_statement_is_written_signed_confirmed_and_withdrawn_in_the_browser() {
    use crate::helpers::PASSWORD;
    let app = TestApp::spawn().await;
    app.org_with_editor("ccij", "amina").await;
    let domain = app.ctx.config.domain.clone();
    let acct = |h: &str| format!("@{h}@{domain}");
    app.org_with_editor("redress", "rasha").await;
    app.org_with_editor("watch", "bruno").await;
    let lead = TestApp::client_of(&app);
    assert_eq!(lead.login_as("amina", PASSWORD).await, 303);

    let form = |hashtags: &'static str| {
        vec![
            ("org", "ccij"),
            ("kind", "joint-statement"),
            ("original_language", "en"),
            ("title", "Arrest now"),
            ("summary", "States must arrest."),
            ("body", "We, the undersigned, call on all States."),
            ("themes", "victims-participation"),
            ("cta_text", "Write to your foreign ministry"),
            ("cta_url", "https://example.org/act"),
            ("cta_deadline", "2027-03-01"),
            ("targets", "States Parties to the Rome Statute\n\nThe Assembly of States Parties"),
            ("hashtags", hashtags),
            ("case", "Prosecutor v. Kony"),
            ("open_signing", "on"),
            ("external", "Lawyers without Borders (Kampala chapter)"),
            ("embargo_until", ""),
            ("status", "published"),
        ]
    };
    // a bad hashtag: the form comes back as typed, the field named
    let page = lead.get("/s/new").await;
    assert!(page.contains("name=\"open_signing\"") && page.contains("Joint statement"), "{page}");
    let res = lead.post("/s/new", &form("#MakingJusticeWork #no-dashes")).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#f-hashtags\"") && html.contains("Write to your foreign ministry"), "{html}");

    let res = lead.post("/s/new", &form("#MakingJusticeWork, العدالة_الآن")).await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    let uid = to.strip_prefix("/s/").and_then(|r| r.split('?').next()).unwrap().to_string();
    let s: Value = app.get(&format!("/api/v1/statements/{uid}")).await.json().await.unwrap();
    assert_eq!(s["hashtags"], json!(["MakingJusticeWork", "العدالة_الآن"]), "{s}");
    assert_eq!(s["targets"], json!(["States Parties to the Rome Statute", "The Assembly of States Parties"]));
    assert_eq!(s["call_to_action"]["deadline"], "2027-03-01");
    assert_eq!(s["open_signing"], true);
    assert_eq!(s["external_signatories"], json!(["Lawyers without Borders (Kampala chapter)"]));
    let digest = s["digest"].as_str().unwrap().to_string();

    // the lead invites redress from the statement's page
    let page = lead.get(&format!("/s/{uid}")).await;
    assert!(
        page.contains("Invite organisations to sign") && page.contains("/s/{uid}/edit".replace("{uid}", &uid).as_str())
    );
    let res = lead.post(&format!("/s/{uid}/signatories"), &[("action", "invite"), ("targets", "redress\n")]).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("done=invited"));
    let res = lead.post(&format!("/s/{uid}/signatories"), &[("action", "invite"), ("targets", "nobody-here")]).await;
    assert_eq!(res.status(), 422, "an unknown organisation is refused by name");

    // redress's editor signs the digest she read, from the page
    let partner = TestApp::client_of(&app);
    assert_eq!(partner.login_as("rasha", PASSWORD).await, 303);
    let page = partner.get(&format!("/s/{uid}")).await;
    assert!(page.contains("Sign as redress"), "{page}");
    let res = partner
        .post(&format!("/s/{uid}/signatories"), &[("action", "sign"), ("org", "redress"), ("digest", "zQmStale")])
        .await;
    assert_eq!(res.status(), 422, "a digest that is not the current one signs nothing");
    let res = partner
        .post(&format!("/s/{uid}/signatories"), &[("action", "sign"), ("org", "redress"), ("digest", &digest)])
        .await;
    assert_eq!(res.status(), 303);
    let list = signatories(&app, &uid).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!((list[0]["org"].as_str(), list[0]["verified"].as_bool()), (Some(acct("redress").as_str()), Some(true)));

    // watch asks to sign the open statement; the lead approves on the page
    let third = TestApp::client_of(&app);
    assert_eq!(third.login_as("bruno", PASSWORD).await, 303);
    let res = third
        .post(&format!("/s/{uid}/signatories"), &[("action", "sign"), ("org", "watch"), ("digest", &digest)])
        .await;
    assert_eq!(res.status(), 303);
    assert!(third.get(&format!("/s/{uid}")).await.contains("watch asked to sign"));
    let page = lead.get(&format!("/s/{uid}")).await;
    assert!(page.contains("asks to sign"), "{page}");
    let res = lead.post(&format!("/s/{uid}/signatories"), &[("action", "approve"), ("signer", &acct("watch"))]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(signatories(&app, &uid).await.len(), 2);

    // the lead changes the text in the editor: version 2, redress asked to confirm
    let edit = lead.get(&format!("/s/{uid}/edit?text=en")).await;
    assert!(edit.contains("Arrest now") && edit.contains("makes a new version"), "{edit}");
    let mut changed = form("#MakingJusticeWork");
    changed.retain(|(k, _)| *k != "org" && *k != "original_language");
    changed.extend([("text_lang", "en"), ("original_language", "en"), ("org", "ccij")]);
    for f in changed.iter_mut() {
        if f.0 == "body" {
            f.1 = "We, the undersigned, call on all States to arrest.";
        }
    }
    let res = lead.post(&format!("/s/{uid}/edit"), &changed).await;
    assert_eq!(res.status(), 303);
    let s: Value = app.get(&format!("/api/v1/statements/{uid}")).await.json().await.unwrap();
    assert_eq!(s["version"], 2, "{s}");
    let page = partner.get(&format!("/s/{uid}")).await;
    assert!(page.contains("Confirm version 2 as redress") && page.contains("signed version 1"), "{page}");
    let new_digest = s["digest"].as_str().unwrap();
    let res = partner
        .post(&format!("/s/{uid}/signatories"), &[("action", "sign"), ("org", "redress"), ("digest", new_digest)])
        .await;
    assert_eq!(res.status(), 303);
    let list = signatories(&app, &uid).await;
    assert!(list.iter().any(|s| s["org"] == acct("redress").as_str() && s["version"] == 2), "{list:?}");

    // and withdraws
    let res = partner.post(&format!("/s/{uid}/signatories"), &[("action", "withdraw"), ("org", "redress")]).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("done=signature-withdrawn"));
    let list = signatories(&app, &uid).await;
    assert!(!list.iter().any(|s| s["org"] == acct("redress").as_str()), "{list:?}");
    // someone else's organisation cannot be signed for
    let res = third.post(&format!("/s/{uid}/signatories"), &[("action", "withdraw"), ("org", "redress")]).await;
    assert!(res.status() == 403 || res.status() == 404, "{}", res.status());
}

#[tokio::test]
async fn a_signatory_on_the_lead_s_own_instance_shows_on_every_copy() {
    let alpha = peer_with("alpha", |_| {}).await;
    let beta = peer_with("beta", |_| {}).await;
    let apps = [&alpha, &beta];
    let lead = alpha.org_with_editor("ccij", "amina").await;
    let rasha = alpha.org_with_editor("redress", "rasha").await;
    let b = beta.org_with_editor("watch", "bruno").await;
    let s = post_statement(&alpha, &lead, &statement("ccij", "Arrest now")).await;
    let (id, ap_id) = (s["id"].as_str().unwrap(), s["ap_id"].as_str().unwrap());
    let path = format!("/api/v1/statements/{id}/invitations");
    for target in ["redress".to_string(), format!("watch@{}", beta.ctx.config.domain)] {
        assert_eq!(alpha.api_post(&lead, &path, &json!({ "target": target })).await.status(), 202);
    }
    drain(&apps).await;
    for (app, token, org) in [(&alpha, &rasha, "redress"), (&beta, &b, "watch")] {
        let inv: Value = app.api_get(token, &format!("/api/v1/orgs/{org}/invitations")).await.json().await.unwrap();
        let inv_id = inv["items"][0]["id"].as_str().unwrap_or_else(|| panic!("{org}: {inv}"));
        let accept = format!("/api/v1/orgs/{org}/invitations/{inv_id}/accept");
        let res = app.api_post(token, &accept, &json!({ "digest": s["digest"], "announce": false })).await;
        assert_eq!(res.status(), 202);
        drain(&apps).await;
    }
    let (copy, _) = copy_of(&beta, &b, ap_id).await;
    let on_beta = signatories(&beta, &copy).await;
    let mut seen: Vec<(String, String)> = on_beta
        .iter()
        .filter(|s| s["verified"] == true)
        .map(|s| (s["org"].as_str().unwrap().to_string(), s["actor"].as_str().unwrap().to_string()))
        .collect();
    seen.sort();
    let (a, bd) = (&alpha.ctx.config.domain, &beta.ctx.config.domain);
    let want = vec![
        (format!("@redress@{a}"), format!("http://{a}/orgs/redress")),
        // its own organisation, with its actor
        (format!("@watch@{bd}"), format!("http://{bd}/orgs/watch")),
    ];
    assert_eq!(seen, want, "{on_beta:?}");
}

#[tokio::test]
async fn signatures_arriving_together_send_each_server_only_the_newest_list() {
    let alpha = peer_with("alpha", |_| {}).await;
    let beta = peer_with("beta", |_| {}).await;
    let apps = [&alpha, &beta];
    let lead = alpha.org_with_editor("ccij", "amina").await;
    let mut here = Vec::new();
    for (org, editor) in [("redress", "rasha"), ("trial", "tariq"), ("watch", "wafa")] {
        here.push((org, alpha.org_with_editor(org, editor).await));
    }
    let b = beta.org_with_editor("partner", "bruno").await;
    let s = post_statement(&alpha, &lead, &statement("ccij", "Arrest now")).await;
    let (id, ap_id) = (s["id"].as_str().unwrap(), s["ap_id"].as_str().unwrap());
    // one by one: several at once are looked up in the background
    let path = format!("/api/v1/statements/{id}/invitations");
    for target in ["redress".to_string(), "trial".into(), "watch".into(), format!("partner@{}", beta.ctx.config.domain)]
    {
        assert_eq!(alpha.api_post(&lead, &path, &json!({ "target": target })).await.status(), 202);
    }
    drain(&apps).await;
    let accept = |org: &str, inv: &Value| {
        format!(
            "/api/v1/orgs/{org}/invitations/{}/accept",
            inv["items"][0]["id"].as_str().unwrap_or_else(|| panic!("{org}: {inv}"))
        )
    };
    let inv: Value = beta.api_get(&b, "/api/v1/orgs/partner/invitations").await.json().await.unwrap();
    let res = beta.api_post(&b, &accept("partner", &inv), &json!({ "digest": s["digest"], "announce": false })).await;
    assert_eq!(res.status(), 202);
    drain(&apps).await;

    // three organisations here sign before anything is sent: beta is owed one list, not three
    for (org, token) in &here {
        let inv: Value = alpha.api_get(token, &format!("/api/v1/orgs/{org}/invitations")).await.json().await.unwrap();
        let res = alpha.api_post(token, &accept(org, &inv), &json!({ "digest": s["digest"], "announce": false })).await;
        assert_eq!(res.status(), 202);
    }
    let waiting = alpha.ctx.db.host_status().await.unwrap();
    let to_beta: i64 = waiting.iter().filter(|h| h.0 == "beta.localhost").map(|h| h.1).sum();
    assert_eq!(to_beta, 1, "{waiting:?}");
    drain(&apps).await;
    let (copy, _) = copy_of(&beta, &b, ap_id).await;
    assert_eq!(signatories(&beta, &copy).await.len(), 4, "the newest list has every signature");
}
