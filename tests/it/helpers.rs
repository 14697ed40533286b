//! `TestApp`: one instance on 127.0.0.1:0 with a fresh database, and typed helpers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amicus::model::user::{OrgRole, Role};
use amicus::{accounts, Config, Ctx};
use reqwest::{Client, Response};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};

pub const PASSWORD: &str = "correct horse battery staple";

/// A fresh PostgreSQL database on the test server, dropped when the guard goes.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create(server: &str) -> PgDatabase {
        let name = format!("amicus_test_{}", amicus::db::new_uid());
        let mut conn =
            <sqlx::PgConnection as sqlx::Connection>::connect(server).await.expect("connect to test postgres");
        sqlx::Executor::execute(&mut conn, format!("create database {name}").as_str()).await.expect("create database");
        let mut url = url::Url::parse(server).expect("postgres url");
        url.set_path(&name);
        PgDatabase { admin_url: server.to_string(), name, url: url.to_string() }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok(mut c) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
                    let _ = sqlx::Executor::execute(
                        &mut c,
                        format!("drop database if exists {name} with (force)").as_str(),
                    )
                    .await;
                }
            });
        })
        .join();
    }
}

pub fn postgres_server() -> Option<String> {
    std::env::var("AMICUS_TEST_POSTGRES").ok().filter(|s| !s.is_empty())
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub ctx: Ctx,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// Stops the server and starts it again on the same port, database and data directory,
    /// as an operator restarting the service would.
    pub async fn restart(&mut self) {
        self.server.abort();
        let _ = (&mut self.server).await;
        let config = (*self.ctx.config).clone();
        self.ctx.db.close().await;
        let listener = TcpListener::bind(&config.bind).await.expect("rebind the same port");
        let ctx = Ctx::build(config).await.expect("build instance again");
        self.server = tokio::spawn({
            let ctx = ctx.clone();
            async move {
                let _ = amicus::serve(listener, ctx, std::future::pending()).await;
            }
        });
        self.ctx = ctx;
    }

    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Spawns with the configuration adjusted by `tweak` (after defaults are set).
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let pg = match postgres_server() {
            Some(server) => Some(PgDatabase::create(&server).await),
            None => None,
        };
        TestApp::spawn_on(pg, tweak).await
    }

    pub async fn spawn_on(pg: Option<PgDatabase>, tweak: impl FnOnce(&mut Config)) -> TestApp {
        // internal errors are logged, and shown with `cargo test -- --nocapture`
        let _ = tracing_subscriber::fmt().with_env_filter("amicus=warn").with_test_writer().try_init();
        let dir = tempfile::tempdir().expect("tempdir");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut config = Config {
            bind: format!("127.0.0.1:{port}"),
            domain: format!("localhost:{port}"),
            data_dir: dir.path().to_path_buf(),
            database_url: match &pg {
                Some(db) => db.url.clone(),
                None => format!("sqlite://{}/amicus.db", dir.path().display()),
            },
            // generous: many tests build instances at once on two cores
            db_timeout_ms: 15_000,
            ..Config::default()
        };
        tweak(&mut config);
        let ctx = Ctx::build(config).await.expect("build instance");
        let server = tokio::spawn({
            let ctx = ctx.clone();
            async move {
                let _ = amicus::serve(listener, ctx, std::future::pending()).await;
            }
        });
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        TestApp { base: format!("http://127.0.0.1:{port}"), client, ctx, _dir: dir, _pg: pg, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_lang(&self, path: &str, accept_language: &str) -> Response {
        self.client.get(self.url(path)).header("accept-language", accept_language).send().await.expect("GET")
    }

    /// Creates a user (through the same code as the CLI).
    pub async fn user(&self, name: &str, role: Role) {
        accounts::create_user(&self.ctx, name, PASSWORD, role).await.expect("create user");
    }

    /// An organisation with `editor` as its admin, and an API token for that editor.
    pub async fn org_with_editor(&self, handle: &str, editor: &str) -> String {
        self.user(editor, Role::Editor).await;
        accounts::create_org(&self.ctx, handle, &format!("{handle} name"), None).await.expect("create org");
        accounts::add_member(&self.ctx, handle, editor, OrgRole::Admin).await.expect("add member");
        accounts::create_token(&self.ctx, editor).await.expect("token")
    }

    pub async fn api_post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("POST")
    }

    pub async fn api_patch(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client.patch(self.url(path)).bearer_auth(token).json(body).send().await.expect("PATCH")
    }

    pub async fn api_get(&self, token: &str, path: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("GET")
    }

    /// Creates a resource through the API and returns its JSON.
    pub async fn post_resource(&self, token: &str, body: &Value) -> Value {
        let res = self.api_post(token, "/api/v1/resources", body).await;
        let status = res.status();
        let json: Value = res.json().await.expect("json");
        assert_eq!(status, 201, "{json}");
        json
    }

    /// Logs in through the HTML form, keeping the session cookie in the client.
    pub async fn login(&self, username: &str, password: &str) -> Response {
        let csrf = self.csrf().await;
        self.client
            .post(self.url("/login"))
            .form(&[("csrf", csrf.as_str()), ("username", username), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("login")
    }

    /// The CSRF token of this client, read from a form of the login page.
    pub async fn csrf(&self) -> String {
        let html = self.get("/login").await.text().await.expect("text");
        let start = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        html[start..].split('"').next().expect("csrf value").to_string()
    }
}

/// A resource body in the shape of the API, with an English and an Arabic text.
pub fn resource(org: &str, title: &str) -> Value {
    json!({
        "org": org,
        "type": "practical-guide",
        "original_language": "en",
        "translations": {
            "en": {"title": title, "summary": "How survivors can take part, step by step.", "body": "Survivors may **apply** to participate."},
            "ar": {"title": "دليل عملي", "summary": "كيف يشارك الناجون خطوة بخطوة.", "body": "يجوز للناجين التقدم بطلب."}
        },
        "themes": ["victims-participation"],
        "mechanisms": ["icc"],
        "countries": ["ug"],
        "published": "2025-06-02",
        "status": "published"
    })
}

/// A small PDF whose information dictionary names its author.
pub fn pdf_with_author() -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(dictionary! {}, b"BT ET".to_vec()));
    let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content, "MediaBox" => vec![0.into(), 0.into(), 100.into(), 100.into()] });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let info = doc.add_object(dictionary! { "Author" => Object::string_literal("Secret Witness Name"), "Producer" => Object::string_literal("Leaky Writer") });
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A second browser on the same instance, with its own cookies.
pub struct Browser {
    base: String,
    client: Client,
}

impl TestApp {
    pub fn client_of(app: &TestApp) -> Browser {
        Browser::with_agent(app, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    }
}

impl Browser {
    /// A browser whose `User-Agent` is `agent`.
    pub fn with_agent(app: &TestApp, agent: &str) -> Browser {
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(agent)
            .build()
            .expect("client");
        Browser { base: app.base.clone(), client }
    }

    pub async fn get(&self, path: &str) -> String {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("GET").text().await.expect("text")
    }

    pub async fn get_response(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("GET")
    }

    /// Posts a form as the page would, with this browser's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let html = self.get("/login").await;
        let start = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        let csrf = html[start..].split('"').next().expect("csrf value").to_string();
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.client.post(format!("{}{path}", self.base)).form(&form).send().await.expect("POST")
    }

    /// Posts JSON as a page's script would, with this browser's CSRF token in `X-CSRF-Token`
    /// (or a wrong one when `csrf` is false).
    pub async fn post_json(&self, path: &str, csrf: bool, body: &serde_json::Value) -> Response {
        let html = self.get("/login").await;
        let start = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        let token =
            if csrf { html[start..].split('"').next().expect("csrf value").to_string() } else { "forged".into() };
        self.client
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// Logs in and returns the status of the answer.
    pub async fn login_as(&self, username: &str, password: &str) -> u16 {
        let html = self.get("/login").await;
        let start = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        let csrf = html[start..].split('"').next().expect("csrf value").to_string();
        let form = [("csrf", csrf.as_str()), ("username", username), ("password", password), ("next", "/")];
        self.client.post(format!("{}/login", self.base)).form(&form).send().await.expect("login").status().as_u16()
    }
}

/// Forwards connections to a server (PostgreSQL, another instance) while up; while down, cuts every open connection and
/// refuses new ones.
pub struct Proxy {
    pub port: u16,
    target: Arc<Mutex<String>>,
    up: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    pub async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let target = Arc::new(Mutex::new(target));
        let (u, c, t) = (up.clone(), conns.clone(), target.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !u.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = t.lock().unwrap().clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                c.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy { port, target, up, conns }
    }

    /// Forwards new connections to `target` from now on.
    pub fn retarget(&self, target: String) {
        *self.target.lock().unwrap() = target;
    }

    pub fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    pub fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A remote actor as the database keeps it: a Person at `ap_id`, named by the last part of its
/// address, whose inbox is `inbox`.
pub fn remote_actor(ap_id: &str, inbox: &str) -> amicus::db::federation::RemoteActor {
    let url = url::Url::parse(ap_id).unwrap();
    amicus::db::federation::RemoteActor {
        id: 0,
        ap_id: ap_id.into(),
        kind: "Person".into(),
        preferred_username: url.path_segments().and_then(|mut s| s.next_back()).map(str::to_string),
        name: None,
        inbox: inbox.into(),
        shared_inbox: None,
        public_key: String::new(),
        domain: url.host_str().unwrap().into(),
        fetched_at: chrono::Utc::now(),
        assertion_key_id: None,
        assertion_key: None,
        outbox: None,
        featured: None,
        upcoming_events: None,
        indexable: true,
    }
}
