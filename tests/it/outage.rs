//! The database going away and coming back, through a TCP proxy in front of PostgreSQL.
//! SQLite is a file inside the process and cannot be "down", so this test is marked ignored
//! (and listed as such by `cargo test`); the PostgreSQL run includes it with
//! `-- --include-ignored`, as the README says.

use crate::helpers::{postgres_server, PgDatabase, Proxy, TestApp};

#[tokio::test]
#[ignore = "needs PostgreSQL (AMICUS_TEST_POSTGRES): SQLite cannot go down"]
async fn a_database_outage_answers_503_and_the_server_recovers() {
    let server = postgres_server().expect("this test needs PostgreSQL: set AMICUS_TEST_POSTGRES");
    let db = PgDatabase::create(&server).await;
    let target = url::Url::parse(&db.url).unwrap();
    let proxy = Proxy::start(format!("{}:{}", target.host_str().unwrap(), target.port().unwrap_or(5432))).await;
    let mut via_proxy = target.clone();
    via_proxy.set_port(Some(proxy.port)).unwrap();
    let url = via_proxy.to_string();
    let app = TestApp::spawn_on(Some(db), |c| {
        c.database_url = url;
        c.db_timeout_ms = 1_000;
    })
    .await;
    assert_eq!(app.get("/library").await.status(), 200);

    proxy.down();
    let res = app.get_lang("/library", "fr").await;
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("Temporairement indisponible"));
    assert_eq!(app.get("/healthz").await.status(), 503);
    let api = app.get("/api/v1/resources").await;
    assert_eq!(api.status(), 503);
    assert_eq!(api.headers()["content-type"], "application/problem+json");

    proxy.up();
    assert_eq!(app.get("/library").await.status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);
}
