use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn titles(app: &TestApp, q: &str) -> Vec<String> {
    let url = format!("/api/v1/resources?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
    let page: Value = app.get(&url).await.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["translations"][i["original_language"].as_str().unwrap()]["title"].as_str().unwrap().to_string())
        .collect()
}

async fn library(app: &TestApp) -> String {
    let token = app.org_with_editor("redress", "amina").await;
    let docs = [
        ("ar", "التَّعْذِيبُ في مراكز الاحتجاز", "شهادات عن التعذيب وسوء المعاملة.", "theme-free", "torture"),
        (
            "fr",
            "Les disparitions forcées au Mexique",
            "Procès et recherche des personnes disparues.",
            "",
            "enforced-disappearance",
        ),
        ("en", "Reparations for victims of sexual violence", "Judgments ordering reparations.", "", "reparations"),
        ("en", "Decision in ICC-01/14-01/21", "The decision in case ICC-01/14-01/21.", "", "fair-trial"),
        ("en", "Decision in ICC-01/14-01/22", "Another case, ICC-01/14-01/22.", "", "fair-trial"),
    ];
    for (lang, title, summary, _, theme) in docs {
        let body = json!({
            "org": "redress", "type": "briefing-note", "original_language": lang,
            "translations": {lang: {"title": title, "summary": summary, "body": ""}},
            "themes": [theme], "status": "published"
        });
        app.post_resource(&token, &body).await;
    }
    token
}

#[tokio::test]
async fn arabic_queries_match_with_or_without_diacritics_and_article() {
    let app = TestApp::spawn().await;
    library(&app).await;
    for q in ["التعذيب", "تعذيب", "التَّعذيب", "تعـــذيب", "مراكز"] {
        let found = titles(&app, q).await;
        assert_eq!(found, vec!["التَّعْذِيبُ في مراكز الاحتجاز".to_string()], "query {q}");
    }
}

#[tokio::test]
async fn french_and_spanish_ignore_accents_and_english_stems() {
    let app = TestApp::spawn().await;
    library(&app).await;
    assert_eq!(titles(&app, "disparitions forcees").await, vec!["Les disparitions forcées au Mexique"]);
    assert_eq!(titles(&app, "MÉXIQUE").await, vec!["Les disparitions forcées au Mexique"]);
    assert_eq!(titles(&app, "reparation victim").await, vec!["Reparations for victims of sexual violence"]);
}

#[tokio::test]
async fn a_query_in_one_language_finds_resources_tagged_in_another() {
    let app = TestApp::spawn().await;
    library(&app).await;
    // the Arabic resource carries the theme "torture", labelled in all four languages
    assert!(titles(&app, "torture").await.contains(&"التَّعْذِيبُ في مراكز الاحتجاز".to_string()));
    assert!(titles(&app, "desaparición forzada").await.contains(&"Les disparitions forcées au Mexique".to_string()));
}

#[tokio::test]
async fn case_numbers_match_exactly() {
    let app = TestApp::spawn().await;
    library(&app).await;
    assert_eq!(titles(&app, "ICC-01/14-01/21").await, vec!["Decision in ICC-01/14-01/21"]);
    assert_eq!(titles(&app, "icc-01/14-01/22").await, vec!["Decision in ICC-01/14-01/22"]);
}

#[tokio::test]
async fn results_rank_title_matches_first() {
    let app = TestApp::spawn().await;
    let token = library(&app).await;
    let body = json!({"org": "redress", "type": "briefing-note", "original_language": "en",
        "translations": {"en": {"title": "Annual review", "summary": "", "body": "A footnote mentions reparations once."}}, "status": "published"});
    app.post_resource(&token, &body).await;
    let found = titles(&app, "reparations").await;
    assert_eq!(found.first().map(String::as_str), Some("Reparations for victims of sexual violence"));
    assert!(found.contains(&"Annual review".to_string()));
}

#[tokio::test]
async fn the_library_page_shows_facets_and_results() {
    let app = TestApp::spawn().await;
    library(&app).await;
    let html = app.get("/library?q=ICC-01%2F14-01%2F21").await.text().await.unwrap();
    assert!(html.contains("One resource"));
    let html = app.get("/library?lang=fr").await.text().await.unwrap();
    assert!(html.contains("5 ressources"));
    assert!(html.contains("Note d&#x27;information") || html.contains("Note d'information"));
    assert!(html.contains(r#"name="theme" value="torture""#));
}

#[tokio::test]
async fn filters_take_several_terms_show_chips_and_list_every_term_on_demand() {
    let app = TestApp::spawn().await;
    let token = library(&app).await;
    // countries, to have more terms than the facet shows at first
    for c in ["sy", "ir", "kp", "cd", "ps", "ru", "ve", "la", "md", "tz"] {
        let body = json!({"org": "redress", "type": "thematic-report", "original_language": "en",
            "translations": {"en": {"title": format!("Report on {c}"), "summary": "", "body": ""}},
            "countries": [c], "themes": ["war-crimes"], "status": "published"});
        app.post_resource(&token, &body).await;
    }
    // two themes of one facet: either matches
    let html = app.get("/library?theme=torture&theme=reparations&lang=en").await.text().await.unwrap();
    assert!(html.contains("2 resources"), "{html}");
    assert!(html.contains(r#"name="theme" value="torture" checked"#));
    // each chosen term is a chip whose link removes only it
    // (minijinja writes "/" as "&#x2f;" in attributes)
    assert!(html.contains(r#"library?theme=reparations" class="chip">"#), "{html}");
    assert!(html.contains(r#"library?theme=torture" class="chip">"#));
    // the filters come before the results in the page, collapsed on a phone
    assert!(html.find(r#"<details class="filters""#).unwrap() < html.find(r#"id="results-h""#).unwrap());

    // countries: the top ones, then "more" lists all, by their natural names
    let html = app.get("/library?lang=en").await.text().await.unwrap();
    assert!(html.contains("Show all (2 more)") && html.contains("more=country#facet-country"));
    let all = app.get("/library?lang=en&more=country").await.text().await.unwrap();
    for name in ["Syria", "Iran", "North Korea", "Democratic Republic of the Congo", "Palestine", "Laos", "Tanzania"] {
        assert!(all.contains(&format!("<bdi>{name}</bdi>")), "{name}");
    }
    assert!(!all.contains("Show all ("));
    assert!(all.contains(r#"<details class="filters" id="filters" open>"#), "asking for more opens the filters");
    let ar = app.get("/library?lang=ar&country=sy").await.text().await.unwrap();
    assert!(ar.contains("<bdi>سوريا</bdi>"));

    // the theme hierarchy: a narrower term sits inside its broader one
    let body = json!({"org": "redress", "type": "briefing-note", "original_language": "en",
        "translations": {"en": {"title": "Hospitals", "summary": "", "body": ""}},
        "themes": ["attacks-on-hospitals"], "status": "published"});
    app.post_resource(&token, &body).await;
    let themes = app.get("/library?lang=en&more=theme").await.text().await.unwrap();
    let broader = themes.find(r#"value="war-crimes""#).unwrap();
    let narrower = themes.find(r#"value="attacks-on-hospitals""#).unwrap();
    assert!(broader < narrower && themes[broader..narrower].contains("<ul>"), "nested under its broader term");
    // several countries and themes at once, as the form sends them
    let res = app.get("/library?country=sy&country=ir&theme=war-crimes&lang=en").await.text().await.unwrap();
    assert!(res.contains("2 resources"));
    // a bad term among good ones is still a clear error
    assert_eq!(app.get("/api/v1/resources?theme=torture&theme=nonsense").await.status(), 422);
}

/// Each node keeps its own index in memory: a second node on the same database must see what
/// the first writes, changes, withdraws and deletes, and start again when it fell further
/// behind than the change log reaches.
#[tokio::test]
async fn two_nodes_on_one_database_search_the_same_library() {
    let app = TestApp::spawn().await;
    let token = library(&app).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second_base = format!("http://{}", listener.local_addr().unwrap());
    let second = amicus::Ctx::build((*app.ctx.config).clone()).await.unwrap();
    tokio::spawn({
        let second = second.clone();
        async move {
            let _ = amicus::serve(listener, second, std::future::pending()).await;
        }
    });
    let on_second = |q: &str| {
        let url = format!(
            "{second_base}/api/v1/resources?q={}",
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let client = app.client.clone();
        async move {
            let page: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["translations"]["en"]["title"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(on_second("reparations").await, vec![json!("Reparations for victims of sexual violence")]);

    // written on the first node, found on the second
    let body = json!({"org": "redress", "type": "briefing-note", "original_language": "en",
        "translations": {"en": {"title": "Reparations in Colombia", "summary": "", "body": ""}}, "status": "published"});
    let created = app.post_resource(&token, &body).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(on_second("colombia").await, vec![json!("Reparations in Colombia")]);

    // changed: found by its new words only
    let path = format!("/api/v1/resources/{id}");
    let res = app
        .api_patch(
            &token,
            &path,
            &json!({"translations": {"en": {"title": "Reparations in Peru", "summary": "", "body": ""}}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(on_second("colombia").await.is_empty());
    assert_eq!(on_second("peru").await, vec![json!("Reparations in Peru")]);

    // the second node falls behind a pruned log: it builds its index again
    app.ctx.db.prune_library_changes(0).await.unwrap();
    let del = app.client.delete(app.url(&path)).bearer_auth(&token).send().await.unwrap();
    assert!(del.status().is_success());
    assert!(on_second("peru").await.is_empty());
    assert_eq!(on_second("reparations").await, vec![json!("Reparations for victims of sexual violence")]);
    // and the first node, which applied every change one by one, agrees
    assert_eq!(titles(&app, "reparations").await, vec!["Reparations for victims of sexual violence".to_string()]);
}
