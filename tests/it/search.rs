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
    assert!(html.contains("theme=torture"));
}
