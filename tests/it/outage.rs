//! The database going away and coming back, through a TCP proxy in front of PostgreSQL.
//! SQLite is a file inside the process and cannot be "down", so on SQLite this test has
//! nothing to exercise and says so.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{postgres_server, PgDatabase, TestApp};

/// Forwards connections to PostgreSQL while up; while down, cuts every open connection and
/// refuses new ones.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (u, c) = (up.clone(), conns.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !u.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                c.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy { port, up, conns }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_database_outage_answers_503_and_the_server_recovers() {
    let Some(server) = postgres_server() else {
        eprintln!("SQLite cannot go down; this test runs on PostgreSQL (AMICUS_TEST_POSTGRES)");
        return;
    };
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
