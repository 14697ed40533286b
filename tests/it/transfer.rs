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
