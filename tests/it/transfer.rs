use amicus::model::lang::Lang;
use amicus::transfer;

use crate::helpers::TestApp;

const STARTER: &str = include_str!("../../assets/starter-library.jsonl");

#[tokio::test]
async fn the_starter_library_imports_without_error_and_reimport_updates() {
    let app = TestApp::spawn().await;
    amicus::accounts::create_org(&app.ctx, "starter", "Starter library", None).await.unwrap();
    let report = transfer::import(&app.ctx, "starter", Lang::En, STARTER.as_bytes(), |_| {}).await.unwrap();
    assert_eq!(report.errors, vec![]);
    assert_eq!(report.created, 72);
    let again = transfer::import(&app.ctx, "starter", Lang::En, STARTER.as_bytes(), |_| {}).await.unwrap();
    assert_eq!((again.created, again.updated), (0, 72));
    assert_eq!(app.ctx.db.count_resources().await.unwrap(), 72);
    // and it is searchable in Arabic
    let page: serde_json::Value =
        app.get("/api/v1/resources?q=%D9%86%D8%B8%D8%A7%D9%85%20%D8%B1%D9%88%D9%85%D8%A7").await.json().await.unwrap();
    assert!(!page["items"].as_array().unwrap().is_empty());

    // the documents' own dates: newest document first, the year facet, the pages
    let all: Vec<serde_json::Value> = STARTER.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let dated = all
        .iter()
        .filter(|r| r["published"].as_str().is_some_and(|d| amicus::model::resource::document_date(d).is_some()));
    assert!(dated.count() >= 70, "the starter library carries real dates");
    let newest: serde_json::Value = app.get("/api/v1/resources").await.json().await.unwrap();
    assert_eq!(newest["items"][0]["external_id"], "starter-al-hassan-judgment-2024");
    let oldest: serde_json::Value = app.get("/api/v1/resources?sort=oldest").await.json().await.unwrap();
    assert_eq!(oldest["items"][0]["external_id"], "starter-genocide-convention");
    // a search can be ordered by date too, instead of by relevance
    let dated: serde_json::Value = app.get("/api/v1/resources?q=geneva&sort=newest").await.json().await.unwrap();
    let dates: Vec<&str> = dated["items"].as_array().unwrap().iter().filter_map(|i| i["published"].as_str()).collect();
    assert!(dates.len() > 3 && dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    assert_eq!(app.get("/api/v1/resources?sort=sideways").await.status(), 422);
    let geneva: serde_json::Value = app.get("/api/v1/resources?year=1949").await.json().await.unwrap();
    assert_eq!(geneva["items"].as_array().unwrap().len(), 4);
    let library = app.get("/library?lang=fr").await.text().await.unwrap();
    assert!(library.contains("26 juin 2024"), "cards show the document's date in the reader's language");
    let rome = app.get("/library?q=rome+statute&lang=es").await.text().await.unwrap();
    assert!(rome.contains(r#"<time datetime="1998-07-17">17 de julio de 1998</time>"#));
    let atom = app.get("/library/feed.atom?year=1998").await.text().await.unwrap();
    assert!(atom.contains("<dc:date>1998-07-17</dc:date>"), "{atom}");
}

#[tokio::test]
async fn export_writes_what_import_reads_back_unchanged() {
    let app = TestApp::spawn().await;
    amicus::accounts::create_org(&app.ctx, "starter", "Starter library", None).await.unwrap();
    transfer::import(&app.ctx, "starter", Lang::En, STARTER.as_bytes(), |_| {}).await.unwrap();
    let mut first = Vec::new();
    transfer::export(&app.ctx, "starter", &mut first).await.unwrap();

    let other = TestApp::spawn().await;
    amicus::accounts::create_org(&other.ctx, "starter", "Starter library", None).await.unwrap();
    let report = transfer::import(&other.ctx, "starter", Lang::En, first.as_slice(), |_| {}).await.unwrap();
    assert_eq!((report.created, report.errors.len()), (72, 0));
    let mut second = Vec::new();
    transfer::export(&other.ctx, "starter", &mut second).await.unwrap();
    assert_eq!(String::from_utf8(first).unwrap(), String::from_utf8(second).unwrap());
}

#[tokio::test]
async fn bad_lines_are_reported_by_number_and_good_lines_still_import() {
    let app = TestApp::spawn().await;
    amicus::accounts::create_org(&app.ctx, "starter", "Starter library", None).await.unwrap();
    let mut lines: Vec<String> = STARTER.lines().take(3).map(str::to_string).collect();
    lines.insert(1, "{not json".into());
    lines.insert(3, lines[2].replace("\"type\": \"treaty-or-instrument\"", "\"type\": \"pamphlet\""));
    lines[3] = lines[3].replace("starter-elements-of-crimes", "starter-broken");
    let input = lines.join("\n");
    let report = transfer::import(&app.ctx, "starter", Lang::En, input.as_bytes(), |_| {}).await.unwrap();
    assert_eq!(report.created, 3);
    let numbers: Vec<usize> = report.errors.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, vec![2, 4]);
    assert!(report.errors[1].1.contains("pamphlet"));
}
