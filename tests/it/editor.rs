//! The editor never loses work: every way a save can fail gives the form back as it was
//! sent, and every action says that it happened.

use crate::helpers::{TestApp, PASSWORD};

const BODY: &str = "Three weeks of interviews I will not type again.";

fn fields<'a>(csrf: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("org", "redress"),
        ("type", "practical-guide"),
        ("original_language", "en"),
        ("title", title),
        ("summary", "Short."),
        ("body", BODY),
        ("themes", "torture"),
        ("published", "2024-03"),
    ]
}

/// The value of the `name` hidden field the page carries.
fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    Some(html[at..].split('"').next()?.replace("&#x2f;", "/"))
}

#[tokio::test]
async fn an_expired_session_asks_to_log_in_and_brings_the_form_back_as_typed() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.login("amina", PASSWORD).await;
    let csrf = app.csrf().await;
    // the session ends while she types (idle timeout, or "log out everywhere" elsewhere)
    let user = app.ctx.db.user_by_username("amina").await.unwrap().unwrap();
    app.ctx.db.delete_user_sessions(user.id).await.unwrap();

    let res = app.client.post(app.url("/r/new")).form(&fields(&csrf, "Guide on sessions")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("Your session ended before the form was saved"), "{html}");
    assert!(html.contains(r#"name="password""#));
    assert_eq!(hidden(&html, "keep.body").as_deref(), Some(BODY));
    assert_eq!(hidden(&html, "next").as_deref(), Some("/r/new"));

    // logging in again sends what the page carried, and the form comes back unsaved
    let mut login: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("username".into(), "amina".into()),
        ("password".into(), PASSWORD.into()),
        ("next".into(), "/r/new".into()),
    ];
    for (k, v) in fields("", "Guide on sessions").into_iter().skip(1) {
        login.push((format!("keep.{k}"), v.to_string()));
    }
    let res = app.client.post(app.url("/login")).form(&login).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("You are signed in again"));
    assert!(html.contains("Guide on sessions") && html.contains(BODY) && html.contains(r#"value="2024-03""#));
    assert_eq!(app.ctx.db.count_resources().await.unwrap(), 0, "nothing is saved before she checks it");

    // and saving it now works, with a confirmation
    let res = app.client.post(app.url("/r/new")).form(&fields(&csrf, "Guide on sessions")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("done=saved"));
    assert!(app.get(&location).await.text().await.unwrap().contains("Saved."));
}

#[tokio::test]
async fn a_wrong_password_on_the_way_back_keeps_carrying_the_form() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    let csrf = app.csrf().await;
    let login = [
        ("csrf", csrf.as_str()),
        ("username", "amina"),
        ("password", "wrong"),
        ("next", "/r/new"),
        ("keep.title", "Still here"),
        ("keep.body", BODY),
    ];
    let res = app.client.post(app.url("/login")).form(&login).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert_eq!(hidden(&html, "keep.body").as_deref(), Some(BODY));
    assert_eq!(hidden(&html, "keep.title").as_deref(), Some("Still here"));
}

#[tokio::test]
async fn an_expired_form_comes_back_with_the_text_and_a_fresh_token() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.login("amina", PASSWORD).await;
    let res = app.client.post(app.url("/r/new")).form(&fields("stale-token", "Guide on tokens")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("The form has expired") && html.contains("Everything you typed is still in the form"));
    assert!(html.contains("Guide on tokens") && html.contains(BODY));
    // the form carries the browser's real token: sending it again saves
    let token = hidden(&html, "csrf").unwrap();
    let res = app.client.post(app.url("/r/new")).form(&fields(&token, "Guide on tokens")).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn a_database_outage_while_saving_keeps_the_text() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.login("amina", PASSWORD).await;
    let csrf = app.csrf().await;
    app.ctx.db.close().await;
    let res = app.client.post(app.url("/r/new")).form(&fields(&csrf, "Guide on outages")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let html = res.text().await.unwrap();
    assert!(html.contains("Temporarily unavailable") && html.contains("Guide on outages") && html.contains(BODY));
}

#[tokio::test]
async fn a_long_arabic_text_at_the_limit_is_read_not_refused() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.login("amina", PASSWORD).await;
    let csrf = app.csrf().await;
    // 200,000 Arabic letters: 2.4 MB once form-encoded
    let body = "ع".repeat(200_000);
    let mut form = fields(&csrf, "تقرير طويل");
    form[6] = ("body", &body);
    let res = app.client.post(app.url("/r/new")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    // one letter more is an error in the form, with the text kept
    let body = "ع".repeat(200_001);
    form[6] = ("body", &body);
    let res = app.client.post(app.url("/r/new")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("تقرير طويل"));
}

#[tokio::test]
async fn uploads_state_their_limit_and_refusals_show_inside_the_editor() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 64 * 1024).await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &crate::helpers::resource("redress", "Guide with files")).await;
    let uid = r["id"].as_str().unwrap();
    app.login("amina", PASSWORD).await;
    let edit = app.get(&format!("/r/{uid}/edit")).await.text().await.unwrap();
    assert!(edit.contains("Largest file: 64 KB.") && edit.contains(r#"accept=".pdf,"#));
    let csrf = app.csrf().await;

    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("lang", "en")
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        app.client.post(app.url(&format!("/r/{uid}/attachments"))).multipart(form).send()
    };
    let res = upload(vec![b'x'; 200 * 1024], "big.pdf").await.unwrap();
    assert_eq!(res.status(), 413);
    let html = res.text().await.unwrap();
    assert!(html.contains("Guide with files") && html.contains(r#"id="problem""#), "{html}");

    let res = upload(b"#!/bin/sh\necho hello\n".to_vec(), "script.sh").await.unwrap();
    assert_eq!(res.status(), 415);
    assert!(res.text().await.unwrap().contains(r#"id="f-file""#));

    let res = upload(crate::helpers::pdf_with_author(), "guide.pdf").await.unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(app.get(&location).await.text().await.unwrap().contains("File uploaded."));
}

#[tokio::test]
async fn withdrawing_and_deleting_ask_first_and_then_say_so() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &crate::helpers::resource("redress", "Guide to withdraw")).await;
    let uid = r["id"].as_str().unwrap();
    app.login("amina", PASSWORD).await;
    let page = app.get(&format!("/r/{uid}")).await.text().await.unwrap();
    assert!(page.contains(&format!(r#"href="/r/{uid}/status?action=withdraw""#)));

    let confirm = app.get(&format!("/r/{uid}/status?action=withdraw")).await.text().await.unwrap();
    assert!(confirm.contains("Withdraw this resource?") && confirm.contains(r#"name="action" value="withdraw""#));
    let still = app.api_get(&token, &format!("/api/v1/resources/{uid}")).await.json::<serde_json::Value>().await;
    assert_eq!(still.unwrap()["status"], "published", "asking changes nothing");

    let csrf = app.csrf().await;
    let res = app
        .client
        .post(app.url(&format!("/r/{uid}/status")))
        .form(&[("csrf", csrf.as_str()), ("action", "withdraw")])
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(app.get(&location).await.text().await.unwrap().contains("Withdrawn."));

    let confirm = app.get(&format!("/r/{uid}/delete")).await.text().await.unwrap();
    assert!(confirm.contains("cannot be undone"));
    let res = app
        .client
        .post(app.url(&format!("/r/{uid}/delete")))
        .form(&[("csrf", csrf.as_str()), ("confirmed", "1")])
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/orgs/redress?done=deleted");
    assert!(app.get(&location).await.text().await.unwrap().contains("Deleted."));
}

#[tokio::test]
async fn the_summary_states_its_limit_and_the_editor_names_the_language_being_edited() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &crate::helpers::resource("redress", "Guide in two languages")).await;
    let uid = r["id"].as_str().unwrap();
    app.login("amina", PASSWORD).await;
    let html = app.get(&format!("/r/{uid}/edit?text=ar&lang=fr")).await.text().await.unwrap();
    assert!(html.contains("Texte en العربية") && html.contains("Enregistrer (العربية)"));
    assert!(html.contains("Au plus 500 caractères.") && html.contains(r#"src="/static/editor.js""#));
    let res = app.get(&format!("/r/{uid}/edit?text=xx")).await;
    assert_eq!(res.status(), 422);
    let script = app.get("/static/editor.js").await;
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
}
