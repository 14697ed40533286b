//! The directory, joining the instance and writing to its admins (issue 11).

use amicus::model::user::Role;
use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};
use crate::network::peer;

/// A form time stamp made `seconds` ago, as the page would have given it.
fn token(app: &TestApp, seconds: i64) -> String {
    amicus::joining::form_token_at(&app.ctx, chrono::Utc::now().timestamp() - seconds)
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html.find(start).unwrap_or_else(|| panic!("{start} not in {html}")) + start.len();
    html[i..].split(end).next().unwrap()
}

#[tokio::test]
async fn an_organisation_applies_to_join_and_the_admins_approve_or_decline_without_e_mail() {
    let app = TestApp::spawn().await;
    app.user("root", Role::Admin).await;
    let visitor = TestApp::client_of(&app);
    let html = visitor.get("/join").await;
    assert!(html.contains(r#"name="homepage""#) && html.contains(r#"name="token""#));
    let fresh = between(&html, r#"name="token" value=""#, "\"").to_string();
    let old = token(&app, 60);
    let form = |t: &str, name: &str| {
        vec![
            ("name", name.to_string()),
            ("handle", String::new()),
            ("country", "co".into()),
            ("website", "https://coljuristas.example".into()),
            ("contact", "Signal +57 300 000 0000".into()),
            ("why", "We document enforced disappearances in Colombia.".into()),
            ("token", t.to_string()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let v = &visitor;
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            v.post("/join", &f).await
        }
    };

    // a bot: sent at once, or with the hidden field filled, or a forged stamp
    let res = post(form(&fresh, "Comisión Colombiana de Juristas")).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Sent too fast") && page.contains("Comisión Colombiana de Juristas"), "kept: {page}");
    let mut trap = form(&old, "Spam Org");
    trap.push(("homepage", "http://spam.example".into()));
    assert!(post(trap).await.text().await.unwrap().contains("a field meant to stay empty was filled"));
    assert_eq!(post(form("123.forged", "Spam Org")).await.status(), 422);
    // a 1 MB field: a clear error, and nothing typed lost
    let mut huge = form(&old, "Comisión Colombiana de Juristas");
    huge[5].1 = "x".repeat(1024 * 1024);
    let res = post(huge).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Too long: at most 5000 characters") && page.contains("Signal +57 300 000 0000"));

    // a person
    let res = post(form(&old, "Comisión Colombiana de Juristas")).await;
    assert_eq!(res.status(), 303);
    let status_page = res.headers()["location"].to_str().unwrap().to_string();
    assert!(status_page.starts_with("/join/") && status_page.len() > 30, "an unguessable address: {status_page}");
    let res = visitor.get_response(&status_page).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.text().await.unwrap().contains("Waiting for the admins"));
    let res = post(form(&old, "Fondation Sans Nom")).await;
    let declined_page = res.headers()["location"].to_str().unwrap().to_string();

    // the admins review them
    let admin = TestApp::client_of(&app);
    assert_eq!(admin.login_as("root", PASSWORD).await, 303);
    let list = admin.get("/admin/applications").await;
    assert!(
        list.contains("We document enforced disappearances in Colombia.")
            && list.contains("comision_colombiana_de_jurista"),
        "{list}"
    );
    assert_eq!(visitor.get_response("/admin/applications").await.status(), 401);
    let uid = status_page.trim_start_matches("/join/");
    let res = admin
        .post("/admin/applications", &[("uid", uid), ("action", "approve"), ("handle", "ccj"), ("message", "Welcome.")])
        .await;
    assert_eq!(res.status(), 303);
    let org = app.ctx.db.org_by_handle("ccj").await.unwrap().expect("the organisation exists");
    assert!(org.local);
    let page = visitor.get(&status_page).await;
    assert!(page.contains("Approved") && page.contains("Welcome."));
    let link = between(&page, "&#x2f;invite&#x2f;", "\"").to_string();
    let invitation = visitor.get(&format!("/invite/{link}")).await;
    assert!(invitation.contains("Comisión Colombiana de Juristas"), "{invitation}");
    // deciding twice is refused
    let again = admin.post("/admin/applications", &[("uid", uid), ("action", "decline"), ("message", "")]).await;
    assert_eq!(again.status(), 409);
    let other = declined_page.trim_start_matches("/join/");
    let res = admin
        .post(
            "/admin/applications",
            &[("uid", other), ("action", "decline"), ("message", "We only host human-rights organisations.")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = visitor.get(&declined_page).await;
    assert!(page.contains("Declined") && page.contains("We only host human-rights organisations."));

    // the directory lists the new organisation, with its country
    let dir = visitor.get("/orgs?country=co").await;
    assert!(dir.contains("Comisión Colombiana de Juristas") && dir.contains("Colombia"), "{dir}");

    // a flood: past six a minute for the instance, refused with 429 and the text kept
    let mut last = 0;
    for i in 0..6 {
        last = post(form(&old, &format!("Flood {i}"))).await.status().as_u16();
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn a_message_to_the_admins_reaches_their_page_and_spam_does_not() {
    let app = TestApp::spawn().await;
    app.user("root", Role::Admin).await;
    let visitor = TestApp::client_of(&app);
    let old = token(&app, 10);
    let res = visitor
        .post(
            "/contact",
            &[
                ("name", "Lina"),
                ("contact", "lina@example.org"),
                ("body", "Your hearing page lists the wrong date."),
                ("token", &old),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(visitor.get("/contact?done=message-sent").await.contains("Your message was sent to the admins."));
    let spam = visitor.post("/contact", &[("body", "Buy now"), ("token", &old), ("homepage", "x")]).await;
    assert_eq!(spam.status(), 422);
    let empty = visitor.post("/contact", &[("body", ""), ("token", &old)]).await;
    assert_eq!(empty.status(), 422);

    let admin = TestApp::client_of(&app);
    admin.login_as("root", PASSWORD).await;
    let page = admin.get("/admin/messages").await;
    assert!(page.contains("Your hearing page lists the wrong date.") && !page.contains("Buy now"));
    assert!(page.contains("unread"));
    let id = app.ctx.db.contact_messages(10).await.unwrap()[0].id.to_string();
    admin.post("/admin/messages", &[("id", &id), ("action", "read")]).await;
    assert!(!admin.get("/admin/messages").await.contains("<strong>unread"));
    admin.post("/admin/messages", &[("id", &id), ("action", "delete")]).await;
    assert!(admin.get("/admin/messages").await.contains("No messages."));
}

#[tokio::test]
async fn the_directory_lists_partners_organisations_filtered_by_what_they_publish_with_follow_buttons() {
    let alpha = peer("alpha").await;
    let beta = peer("beta").await;
    let alpha_token = alpha.org_with_editor("redress", "amina").await;
    let mut r = crate::helpers::resource("redress", "Torture survivors guide");
    r["themes"] = json!(["torture"]);
    alpha.post_resource(&alpha_token, &r).await;
    let beta_token = beta.org_with_editor("trial", "bruno").await;
    beta.org_with_editor("quiet", "quinn").await;
    let target = format!("redress@{}", alpha.ctx.config.domain);
    let res = beta.api_post(&beta_token, "/api/v1/orgs/trial/following", &json!({ "target": target })).await;
    assert_eq!(res.status(), 202);
    crate::partners::backfilled(&beta, &format!("http://{}/orgs/redress", alpha.ctx.config.domain)).await;

    let visitor = TestApp::client_of(&beta);
    let all = visitor.get("/orgs").await;
    assert!(all.contains("trial name") && all.contains("quiet name") && all.contains("redress name"), "{all}");
    for filter in ["theme=torture", "theme=crimes-and-violations", "language=ar", "country=ug", "mechanism=icc"] {
        let page = visitor.get(&format!("/orgs?{filter}")).await;
        assert!(page.contains("redress name") && !page.contains("quiet name"), "{filter}: {page}");
    }
    assert!(!visitor.get("/orgs?language=es").await.contains("redress name"));
    assert!(!all.contains("/directory/follow"), "no follow form for someone who cannot follow");

    let bruno = TestApp::client_of(&beta);
    bruno.login_as("bruno", PASSWORD).await;
    let page = bruno.get("/orgs").await;
    assert!(
        page.contains(r#"action="&#x2f;directory&#x2f;follow""#) || page.contains(r#"action="/directory/follow""#),
        "{page}"
    );
    let actor = format!("http://{}/orgs/redress", alpha.ctx.config.domain);
    let res = bruno.post("/directory/follow", &[("org", "trial"), ("target", &actor)]).await;
    assert_eq!(res.status(), 303);
    // not on behalf of an organisation one does not run
    let res = bruno.post("/directory/follow", &[("org", "quiet"), ("target", &actor)]).await;
    assert_eq!(res.status(), 403);
}
