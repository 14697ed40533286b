use serde_json::{json, Value};

use crate::helpers::{resource, TestApp};

#[tokio::test]
async fn health_check_answers_when_the_database_is_up() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_resource_is_created_read_updated_and_deleted_through_the_api() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let created = app.post_resource(&token, &resource("redress", "Victims' participation")).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["url"], format!("http://localhost:{}/r/{id}", app.base.rsplit(':').next().unwrap()));
    assert_eq!(created["translations"]["ar"]["title"], "دليل عملي");

    // a translation added alone keeps everything else
    let patched: Value = app
        .api_patch(
            &token,
            &format!("/api/v1/resources/{id}"),
            &json!({"translations": {"fr": {"title": "Participation des victimes"}}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(patched["translations"]["fr"]["title"], "Participation des victimes");
    assert_eq!(patched["translations"]["en"]["title"], "Victims' participation");
    assert_eq!(patched["themes"], json!(["victims-participation"]));

    let got: Value = app.get(&format!("/api/v1/resources/{id}")).await.json().await.unwrap();
    assert_eq!(got["translations"].as_object().unwrap().len(), 3);

    // null clears a field; leaving it out keeps it
    let path = format!("/api/v1/resources/{id}");
    let set: Value = app.api_patch(&token, &path, &json!({"licence": "CC BY 4.0"})).await.json().await.unwrap();
    assert_eq!(set["licence"], "CC BY 4.0");
    let kept: Value = app.api_patch(&token, &path, &json!({"sensitive": false})).await.json().await.unwrap();
    assert_eq!(kept["licence"], "CC BY 4.0");
    let cleared: Value = app.api_patch(&token, &path, &json!({"licence": null})).await.json().await.unwrap();
    assert_eq!(cleared["licence"], Value::Null, "{cleared}");

    let del = app.client.delete(app.url(&format!("/api/v1/resources/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(del.status(), 204);
    assert_eq!(app.get(&format!("/api/v1/resources/{id}")).await.status(), 404);
}

#[tokio::test]
async fn bad_input_gets_a_problem_document_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let cases = [
        ("type", json!("pamphlet"), "err-unknown-term"),
        ("original_language", json!("klingon"), "err-unsupported-language"),
        ("themes", json!(["not-a-theme"]), "err-unknown-term"),
    ];
    for (field, value, code) in cases {
        let mut body = resource("redress", "Guide");
        body[field] = value;
        let res = app.api_post(&token, "/api/v1/resources", &body).await;
        assert_eq!(res.status(), 422, "{field}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let problem: Value = res.json().await.unwrap();
        assert!(
            problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == field && e["code"] == code),
            "{problem}"
        );
    }
    let mut empty_title = resource("redress", "Guide");
    empty_title["translations"]["en"]["title"] = json!("  ");
    let problem: Value = app.api_post(&token, "/api/v1/resources", &empty_title).await.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "translations.en.title");

    let mut long_summary = resource("redress", "Guide");
    long_summary["translations"]["en"]["summary"] = json!("x".repeat(501));
    let res = app.api_post(&token, "/api/v1/resources", &long_summary).await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "err-summary-too-long");
}

#[tokio::test]
async fn error_messages_follow_accept_language() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut body = resource("redress", "Guide");
    body["type"] = json!("pamphlet");
    let res = app
        .client
        .post(app.url("/api/v1/resources"))
        .bearer_auth(&token)
        .header("accept-language", "ar")
        .json(&body)
        .send()
        .await
        .unwrap();
    let problem: Value = res.json().await.unwrap();
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("ليس مصطلحا"), "{problem}");
}

#[tokio::test]
async fn malformed_json_is_400_and_missing_or_wrong_tokens_are_401() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let res = app
        .client
        .post(app.url("/api/v1/resources"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"org\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    let res = app.client.post(app.url("/api/v1/resources")).json(&resource("redress", "x")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = app.api_post("not-a-token", "/api/v1/resources", &resource("redress", "x")).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn editing_another_organisations_resource_is_forbidden() {
    let app = TestApp::spawn().await;
    let a = app.org_with_editor("redress", "amina").await;
    let b = app.org_with_editor("trial", "bruno").await;
    let created = app.post_resource(&a, &resource("redress", "Guide")).await;
    let id = created["id"].as_str().unwrap();
    let res = app.api_patch(&b, &format!("/api/v1/resources/{id}"), &json!({"status": "withdrawn"})).await;
    assert_eq!(res.status(), 403);
    let res = app.api_post(&b, "/api/v1/resources", &resource("redress", "Not mine")).await;
    assert_eq!(res.status(), 403);
    let still: Value = app.get(&format!("/api/v1/resources/{id}")).await.json().await.unwrap();
    assert_eq!(still["status"], "published");
}

#[tokio::test]
async fn scripts_in_a_body_are_sanitised_away() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut body = resource("redress", "Guide");
    body["translations"]["en"]["body"] =
        json!("Hello <script>alert('x')</script><img src=x onerror=alert(1)> **world**");
    let created = app.post_resource(&token, &body).await;
    let html = created["translations"]["en"]["body_html"].as_str().unwrap();
    assert!(!html.contains("script") && !html.contains("onerror") && !html.contains("<img"), "{html}");
    assert!(html.contains("<strong>world</strong>"));
    let page = app.get(&format!("/r/{}", created["id"].as_str().unwrap())).await.text().await.unwrap();
    assert!(!page.contains("alert("));
}

#[tokio::test]
async fn drafts_are_visible_only_to_their_organisation() {
    let app = TestApp::spawn().await;
    let a = app.org_with_editor("redress", "amina").await;
    let b = app.org_with_editor("trial", "bruno").await;
    let mut body = resource("redress", "Embargoed report");
    body["status"] = json!("draft");
    let created = app.post_resource(&a, &body).await;
    let path = format!("/api/v1/resources/{}", created["id"].as_str().unwrap());
    assert_eq!(app.get(&path).await.status(), 404);
    assert_eq!(app.api_get(&b, &path).await.status(), 404);
    assert_eq!(app.api_get(&a, &path).await.status(), 200);
    let public: Value = app.get("/api/v1/resources").await.json().await.unwrap();
    assert_eq!(public["items"].as_array().unwrap().len(), 0);
    let own: Value = app.api_get(&a, "/api/v1/resources").await.json().await.unwrap();
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_list_filters_and_pages_with_a_cursor() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    for i in 0..25 {
        let mut body = resource("redress", &format!("Guide {i}"));
        if i % 5 == 0 {
            body["type"] = json!("case-law-summary");
            body["countries"] = json!(["SY"]);
            body["themes"] = json!(["attacks-on-hospitals"]);
        }
        app.post_resource(&token, &body).await;
    }
    let first: Value = app.get("/api/v1/resources").await.json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let next = first["next"].as_str().unwrap();
    let second: Value = app.get(&format!("/api/v1/resources?cursor={next}")).await.json().await.unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 5);
    assert!(second["next"].is_null());

    for q in ["type=case-law-summary", "country=sy", "theme=war-crimes", "org=redress&lang=ar&type=case-law-summary"] {
        let page: Value = app.get(&format!("/api/v1/resources?{q}")).await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 5, "{q}");
    }
    let none: Value = app.get("/api/v1/resources?lang=fr").await.json().await.unwrap();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    assert_eq!(app.get("/api/v1/resources?theme=bogus").await.status(), 422);
    assert_eq!(app.get("/api/v1/resources?lang=xx").await.status(), 422);
    // the name the pages and feeds use works here too
    let same: Value = app.get("/api/v1/resources?language=fr").await.json().await.unwrap();
    assert_eq!(same["items"], none["items"]);
    assert_eq!(app.get("/api/v1/resources?language=xx").await.status(), 422);
}

#[tokio::test]
async fn organisations_and_vocabularies_are_served() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    let org: Value = app.get("/api/v1/orgs/redress").await.json().await.unwrap();
    assert_eq!(org["handle"], "redress");
    assert_eq!(app.get("/api/v1/orgs/nobody").await.status(), 404);
    let vocab: Value = app.get("/api/v1/vocabularies").await.json().await.unwrap();
    let schemes = vocab["schemes"].as_array().unwrap();
    assert!(schemes.len() >= 12);
    let rt = schemes.iter().find(|s| s["id"] == "resource-type").unwrap();
    assert_eq!(rt["terms"].as_array().unwrap().len(), 16);
    assert_eq!(rt["terms"][0]["labels"]["ar"], "مذكرة إحاطة");
}

#[tokio::test]
async fn an_instance_extends_the_vocabularies_with_its_own_terms() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("local.json");
    let labels =
        json!({"ar": "سجون سرية", "en": "Secret prisons", "fr": "Prisons secrètes", "es": "Cárceles secretas"});
    let local = json!({"schemes": [{"id": "theme", "labels": labels, "terms": [
        {"id": "secret-prisons", "labels": labels, "broader": "detainees", "notation": null}
    ]}]});
    std::fs::write(&file, local.to_string()).unwrap();
    let app = TestApp::spawn_with(|c| c.vocabulary_file = Some(file.clone())).await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut body = resource("redress", "Black sites");
    body["themes"] = json!(["secret-prisons"]);
    app.post_resource(&token, &body).await;
    // narrower terms count under their parent
    let found: Value = app.get("/api/v1/resources?theme=detainees").await.json().await.unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let vocab: Value = app.get("/api/v1/vocabularies").await.json().await.unwrap();
    let themes = vocab["schemes"].as_array().unwrap().iter().find(|s| s["id"] == "theme").unwrap();
    assert!(themes["terms"].as_array().unwrap().iter().any(|t| t["id"] == "secret-prisons"));
    // the Arabic label is searchable
    let ar: Value = app.get("/api/v1/resources?q=%D8%B3%D8%AC%D9%88%D9%86").await.json().await.unwrap();
    assert_eq!(ar["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_unauthenticated_write_is_401_before_its_body_is_judged_and_methods_answer_problems() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    // no token: 401 whatever the body, never a hint of how it would be judged
    for (ctype, body) in [("application/json", "{not json"), ("text/plain", "hello"), ("application/json", "{}")] {
        let res = app
            .client
            .post(app.url("/api/v1/resources"))
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{ctype} {body}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    // with a token, a body that is not JSON is named as such, not as a refused file
    let res = app
        .client
        .post(app.url("/api/v1/resources"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["title"], "The request body must be JSON");
    // a method an address does not answer is problem+json too, with Allow
    let res = app.client.put(app.url("/api/v1/resources")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(res.headers().get("allow").is_some_and(|a| a.to_str().unwrap().contains("POST")));
    let res = app.client.delete(app.url("/library")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.text().await.unwrap().contains("This address does not accept that method"));
}
