use amicus::model::user::Role;
use serde_json::json;

use crate::helpers::{resource, TestApp, PASSWORD};

#[tokio::test]
async fn arabic_pages_are_right_to_left_and_the_language_is_negotiated() {
    let app = TestApp::spawn().await;
    let html = app.get("/library?lang=ar").await.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains("مكتبة الموارد"));
    // a browser without the language cookie: q-weights decide, not header order
    let fresh = reqwest::Client::new();
    let get = |accept: &'static str| fresh.get(app.url("/library")).header("accept-language", accept).send();
    let html = get("en;q=0.2, fr;q=0.9, es;q=0.5").await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr" dir="ltr">"#));
    let html = get("de, es-MX;q=0.8").await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<html lang="es""#));
}

#[tokio::test]
async fn a_language_chosen_once_is_remembered_by_cookie() {
    let app = TestApp::spawn().await;
    let res = app.get("/library?lang=fr").await;
    assert!(res.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("lang=fr")));
    let html = app.get_lang("/orgs", "en").await.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr""#));
}

#[tokio::test]
async fn pages_send_a_strict_content_security_policy_and_no_referrer() {
    let app = TestApp::spawn().await;
    let res = app.get("/library").await;
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"));
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let html = res.text().await.unwrap();
    assert!(!html.contains("http://") || !html.contains("<script src=\"http"), "no third-party assets");
    assert!(html.contains("class=\"skip\""), "skip link");
    assert!(html.contains("<main id=\"main\""), "main landmark");
}

#[tokio::test]
async fn unknown_pages_get_a_404_page_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let res = app.get_lang("/no/such/page", "es").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Página no encontrada"));
}

#[tokio::test]
async fn login_works_and_a_wrong_password_is_refused_then_rate_limited() {
    let app = TestApp::spawn_with(|c| c.login_attempts = 3).await;
    app.user("amina", Role::Editor).await;
    for _ in 0..3 {
        let res = app.login("amina", "wrong password!").await;
        assert_eq!(res.status(), 401);
        assert!(res.text().await.unwrap().contains("Wrong username or password"));
    }
    // even the right password is refused while the account is locked
    assert_eq!(app.login("amina", PASSWORD).await.status(), 429);

    let app = TestApp::spawn().await;
    app.user("amina", Role::Editor).await;
    let res = app.login("amina", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("amicus_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let html = app.get("/library").await.text().await.unwrap();
    assert!(html.contains("Log out (amina)"));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.user("amina", Role::Editor).await;
    let res =
        app.client.post(app.url("/login")).form(&[("username", "amina"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("The form has expired"));
}

#[tokio::test]
async fn an_editor_creates_a_resource_with_the_form_and_invalid_input_loses_nothing() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.login("amina", PASSWORD).await;
    let csrf = app.csrf().await;
    let long = "s".repeat(501);
    let bad = [
        ("csrf", csrf.as_str()),
        ("org", "redress"),
        ("type", "practical-guide"),
        ("original_language", "en"),
        ("title", "My careful title"),
        ("summary", long.as_str()),
        ("body", "A long body I do not want to type again."),
        ("themes", "torture"),
        ("themes", "enforced-disappearance"),
        ("status", "published"),
    ];
    let res = app.client.post(app.url("/r/new")).form(&bad).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("The summary is too long"));
    assert!(html.contains("My careful title") && html.contains("A long body I do not want to type again."));
    assert!(html.contains(r#"value="enforced-disappearance" selected"#));

    let mut good = bad.to_vec();
    good[5] = ("summary", "Short.");
    let res = app.client.post(app.url("/r/new")).form(&good).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let page = app.get(&location).await.text().await.unwrap();
    assert!(page.contains("My careful title"));
    assert!(page.contains("Enforced disappearance"));
}

#[tokio::test]
async fn a_resource_page_offers_its_other_languages_and_says_when_one_is_missing() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Practical guide")).await;
    let path = format!("/r/{}", r["id"].as_str().unwrap());
    let ar = app.get(&format!("{path}?lang=ar")).await.text().await.unwrap();
    assert!(ar.contains("دليل عملي") && ar.contains(r#"dir="rtl""#));
    assert!(ar.contains("?lang=en") && ar.contains("English"));
    let fr = app.get(&format!("{path}?lang=fr")).await.text().await.unwrap();
    assert!(fr.contains("pas disponible en Français"));
    assert!(fr.contains("Practical guide"));
}

#[tokio::test]
async fn a_withdrawn_resource_answers_410_to_readers() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Old guide")).await;
    let id = r["id"].as_str().unwrap();
    app.api_patch(&token, &format!("/api/v1/resources/{id}"), &json!({"status": "withdrawn"})).await;
    let res = app.get(&format!("/r/{id}")).await;
    assert_eq!(res.status(), 410);
    let html = res.text().await.unwrap();
    assert!(html.contains("withdrawn by its publisher") && !html.contains("Survivors may"));
    assert_eq!(app.get(&format!("/api/v1/resources/{id}")).await.status(), 410);
    // its organisation still sees it, to publish it again
    assert_eq!(app.api_get(&token, &format!("/api/v1/resources/{id}")).await.status(), 200);
}

#[tokio::test]
async fn the_members_list_is_visible_to_members_only() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.user("outsider", Role::Editor).await;
    assert_eq!(app.get("/orgs/redress/members").await.status(), 401);
    app.login("outsider", PASSWORD).await;
    assert_eq!(app.get("/orgs/redress/members").await.status(), 403);
    let member = TestApp::spawn().await;
    member.org_with_editor("redress", "amina").await;
    member.login("amina", PASSWORD).await;
    let res = member.get("/orgs/redress/members").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("amina"));
}

#[tokio::test]
async fn an_org_admin_edits_the_multilingual_profile() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.login("amina", PASSWORD).await;
    let csrf = app.csrf().await;
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "REDRESS"),
        ("website", "https://redress.org"),
        ("name_ar", "ريدرس"),
        ("description_ar", "العدالة للناجين من التعذيب"),
        ("description_en", "Justice for survivors of torture"),
    ];
    let res = app.client.post(app.url("/orgs/redress/edit")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let ar = app.get("/orgs/redress?lang=ar").await.text().await.unwrap();
    assert!(ar.contains("ريدرس") && ar.contains("العدالة للناجين"));
    assert!(ar.contains("لا متابعين"), "the follower count, in Arabic plural rules");
    let bad = [("csrf", csrf.as_str()), ("name", "REDRESS"), ("website", "javascript:alert(1)")];
    let res = app.client.post(app.url("/orgs/redress/edit")).form(&bad).send().await.unwrap();
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn feeds_follow_the_library_filters_and_language() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    app.post_resource(&token, &resource("redress", "Practical guide")).await;
    let mut other = resource("redress", "A treaty");
    other["type"] = json!("treaty-or-instrument");
    app.post_resource(&token, &other).await;
    let rss = app.get("/library/feed.rss?type=practical-guide").await;
    assert!(rss.headers()["content-type"].to_str().unwrap().starts_with("application/rss+xml"));
    let rss = rss.text().await.unwrap();
    assert!(rss.contains("<title>Practical guide</title>") && !rss.contains("A treaty"));
    let atom = app.get("/orgs/redress/feed.atom?lang=ar").await.text().await.unwrap();
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"") && atom.contains("دليل عملي"));
}

#[tokio::test]
async fn an_editor_translates_attaches_publishes_and_withdraws_with_the_forms() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut body = resource("redress", "Practical guide");
    body["status"] = json!("draft");
    let r = app.post_resource(&token, &body).await;
    let uid = r["id"].as_str().unwrap();
    app.login("amina", PASSWORD).await;
    let csrf = app.csrf().await;

    // the edit form for a language without text yet is empty, the metadata filled in
    let form = app.get(&format!("/r/{uid}/edit?text=fr")).await.text().await.unwrap();
    assert!(
        form.contains(r#"name="text_lang" value="fr""#) && form.contains(r#"value="victims-participation" selected"#)
    );
    let translate = [
        ("csrf", csrf.as_str()),
        ("text_lang", "fr"),
        ("org", "redress"),
        ("type", "practical-guide"),
        ("original_language", "en"),
        ("title", "Guide pratique"),
        ("summary", "Comment participer."),
        ("body", "Les victimes peuvent participer."),
        ("themes", "victims-participation"),
    ];
    let res = app.client.post(app.url(&format!("/r/{uid}/edit"))).form(&translate).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let got: serde_json::Value = app.api_get(&token, &format!("/api/v1/resources/{uid}")).await.json().await.unwrap();
    assert_eq!(got["translations"]["fr"]["title"], "Guide pratique");
    assert_eq!(got["translations"]["ar"]["title"], "دليل عملي");

    let pdf = crate::helpers::pdf_with_author();
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("lang", "fr")
        .part("file", reqwest::multipart::Part::bytes(pdf).file_name("guide.pdf"));
    let res = app.client.post(app.url(&format!("/r/{uid}/attachments"))).multipart(multipart).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let edit = app.get(&format!("/r/{uid}/edit")).await.text().await.unwrap();
    assert!(edit.contains("guide.pdf"), "the edit page lists the file");

    assert_eq!(app.client.get(app.url(&format!("/r/{uid}"))).send().await.unwrap().status(), 200);
    assert_eq!(
        reqwest::get(app.url(&format!("/r/{uid}"))).await.unwrap().status(),
        404,
        "a draft is hidden from the public"
    );
    let publish = [("csrf", csrf.as_str()), ("action", "publish")];
    let res = app.client.post(app.url(&format!("/r/{uid}/status"))).form(&publish).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let public = reqwest::get(app.url(&format!("/r/{uid}?lang=fr"))).await.unwrap().text().await.unwrap();
    assert!(public.contains("Guide pratique") && public.contains("guide.pdf"));
    let withdraw = [("csrf", csrf.as_str()), ("action", "withdraw")];
    app.client.post(app.url(&format!("/r/{uid}/status"))).form(&withdraw).send().await.unwrap();
    assert_eq!(reqwest::get(app.url(&format!("/r/{uid}"))).await.unwrap().status(), 410);
}

#[tokio::test]
async fn an_org_admin_uploads_a_logo_and_nothing_else_passes_as_one() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    app.login("amina", PASSWORD).await;
    let csrf = app.csrf().await;
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(4, 4, image::Rgb([0, 90, 160])))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        app.client.post(app.url("/orgs/redress/logo")).multipart(form).send()
    };
    assert_eq!(upload(png.into_inner(), "logo.png").await.unwrap().status(), 303);
    let logo = app.get("/orgs/redress/logo").await;
    assert_eq!(logo.headers()["content-type"], "image/png");
    let pdf = b"%PDF-1.4\n%%EOF".to_vec();
    assert_eq!(upload(pdf, "logo.png").await.unwrap().status(), 415);
}

#[tokio::test]
async fn logging_out_everywhere_ends_the_sessions_on_other_devices() {
    let app = TestApp::spawn().await;
    app.user("amina", Role::Editor).await;
    let laptop = TestApp::client_of(&app);
    app.login("amina", PASSWORD).await;
    let phone_login = laptop.login_as("amina", PASSWORD).await;
    assert_eq!(phone_login, 303);
    assert!(app.get("/library").await.text().await.unwrap().contains("Log out (amina)"));
    let csrf = app.csrf().await;
    let res =
        app.client.post(app.url("/logout")).form(&[("csrf", csrf.as_str()), ("everywhere", "1")]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(!laptop.get("/library").await.contains("Log out (amina)"), "the other device is logged out too");
}

#[tokio::test]
async fn language_notices_appear_only_when_true_and_unknown_languages_are_named() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Practical guide")).await;
    let path = format!("/r/{}", r["id"].as_str().unwrap());
    // an English reader who picks the Arabic text is not told English is missing
    let ar_text = app.get_lang(&format!("{path}?text=ar"), "en").await.text().await.unwrap();
    assert!(ar_text.contains("دليل عملي") && !ar_text.contains("not available in"), "{ar_text}");
    // a text the resource does not have is said, not silently replaced
    let xx = app.get_lang(&format!("{path}?text=de"), "en").await.text().await.unwrap();
    assert!(xx.contains("This resource has no text in “de”"));
    // an interface language Amicus does not speak is said too
    let page = app.get(&format!("{path}?lang=de")).await.text().await.unwrap();
    assert!(page.contains("“de” is not one of the interface languages"));
    let library = app.get("/library?lang=zz").await.text().await.unwrap();
    assert!(library.contains("“zz” is not one of the interface languages"));
}

#[tokio::test]
async fn the_little_things_favicon_robots_sitemap_cards_remote_follow_and_arabic_commas() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut body = resource("redress", "Practical guide");
    body["themes"] = json!(["torture", "enforced-disappearance"]);
    let r = app.post_resource(&token, &body).await;
    let uid = r["id"].as_str().unwrap();

    let base = app.ctx.config.base_url();
    let ico = app.get("/favicon.ico").await;
    assert_eq!(ico.headers()["content-type"], "image/x-icon");
    assert!(app.get("/favicon.svg").await.text().await.unwrap().starts_with("<svg"));
    let robots = app.get("/robots.txt").await.text().await.unwrap();
    assert!(robots.contains("Disallow: /account") && robots.contains(&format!("Sitemap: {}/sitemap.xml", base)));
    let sitemap = app.get("/sitemap.xml").await.text().await.unwrap();
    assert!(sitemap.contains(&format!("<loc>{}/r/{uid}</loc>", base)));
    assert!(sitemap.contains(&format!("<loc>{}/orgs/redress</loc>", base)));

    // a link pasted in Signal or Mastodon shows a title and a summary
    let page = app.get(&format!("/r/{uid}")).await.text().await.unwrap();
    assert!(page.contains(r#"<meta property="og:title" content="Practical guide">"#));
    assert!(page.contains(r#"<meta name="twitter:card" content="summary">"#));
    assert!(page.contains(r#"<meta property="og:description""#));
    let org = app.get("/orgs/redress").await.text().await.unwrap();
    assert!(org.contains(r#"<meta property="og:type" content="profile">"#));

    // remote follow: the reader's own server's follow page, nothing fetched here
    assert!(org.contains(r#"action="/orgs/redress/follow""#));
    let res = app.get("/orgs/redress/follow?server=%40me%40Mastodon.Social").await;
    assert_eq!(res.status(), 303);
    let domain = app.ctx.config.domain.clone();
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("https://mastodon.social/authorize_interaction?uri=acct%3Aredress%40{}", domain.replace(':', "%3A"))
    );
    let res = app.get("/orgs/redress/follow?server=localhost%2Fevil").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("is not a server name"));

    // cards name the organisation in the reader's language when its profile has that name
    let org_id = app.ctx.db.org_by_handle("redress").await.unwrap().unwrap().id;
    let profile = amicus::db::orgs::OrgProfile {
        name: "Redress".into(),
        names: [("fr".to_string(), "Réparation".to_string())].into_iter().collect(),
        ..Default::default()
    };
    app.ctx.db.update_org_profile(org_id, &profile).await.unwrap();
    let fr = app.get("/library?lang=fr").await.text().await.unwrap();
    assert!(fr.contains("<bdi>Réparation</bdi>"));

    // Arabic lists take the Arabic comma
    let ar = app.get(&format!("/r/{uid}?lang=ar")).await.text().await.unwrap();
    assert!(ar.contains("</a>، <a"), "the Arabic comma separates the themes");
}
