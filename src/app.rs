//! The running instance: `Ctx` (what every handler may use), start-up, and `serve`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::Db;
use crate::http::limits::{HostLimiter, LoginLimiter};
use crate::http::templates::Templates;
use crate::i18n::I18n;
use crate::model::vocab::Vocabularies;
use crate::search::Analyzer;
use crate::storage::{LocalStore, Store};

/// Shared state of one instance. Cheap to clone; nothing global, so several instances can
/// run in one process (the tests do).
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub config: Arc<Config>,
    pub vocab: Arc<Vocabularies>,
    pub i18n: Arc<I18n>,
    pub templates: Arc<Templates>,
    pub analyzer: Arc<Analyzer>,
    pub store: Arc<dyn Store>,
    pub login_limiter: Arc<LoginLimiter>,
    /// Inbox requests per remote host.
    pub inbox_limiter: Arc<HostLimiter>,
    /// Remote hosts heard from this minute (whether they were marked dead is checked once).
    pub hosts_heard: Arc<HostLimiter>,
    /// The one client for other servers (deliveries, fetches, partners' files), with the
    /// development network's name mappings.
    pub http: reqwest::Client,
    /// Remote files being fetched, so that two readers share one fetch.
    pub fetching: Arc<crate::library::Fetching>,
    /// Memory-heavy work (decoding and re-encoding uploaded images, cleaning documents): one
    /// at a time per core, so that several large uploads at once cannot exhaust memory.
    pub heavy_work: Arc<tokio::sync::Semaphore>,
    /// Rung when deliveries are queued, so the worker sends them at once.
    pub delivery_bell: Arc<tokio::sync::Notify>,
    /// The key of device cookies (`accounts::login`), derived from the instance's private
    /// key so that it survives restarts and is the same on every node.
    pub device_key: Arc<[u8; 32]>,
    /// A real argon2 hash of nothing, checked when a login names an unknown account so
    /// that it takes as long as a wrong password.
    pub dummy_hash: Arc<str>,
}

impl Ctx {
    /// Connects to the database, runs the migrations and loads vocabularies, strings and
    /// templates. Fails early, with the reason, if any of them is broken.
    pub async fn build(config: Config) -> anyhow::Result<Ctx> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", config.data_dir.display()))?;
        let db = Db::connect(&config.database_url, Duration::from_millis(config.db_timeout_ms)).await?;
        db.migrate().await?;
        crate::federation::keys::ensure(&db).await?;
        let vocab = Arc::new(Vocabularies::load(config.vocabulary_file.as_deref())?);
        let i18n = Arc::new(I18n::new()?);
        let templates = Arc::new(Templates::new(i18n.clone(), vocab.clone())?);
        let store: Arc<dyn Store> = Arc::new(LocalStore::new(&config.files_dir()));
        let login_limiter = Arc::new(LoginLimiter::new(config.login_attempts));
        let inbox_limiter = Arc::new(HostLimiter::new(config.inbox_per_minute));
        let http = crate::federation::context::http_client(&config)?;
        let device_key = {
            use sha2::Digest;
            let (_, private) = db.instance_keys().await?.ok_or_else(|| anyhow::anyhow!("no instance key"))?;
            let mut h = sha2::Sha256::new();
            h.update(b"amicus device cookies\n");
            h.update(private.as_bytes());
            Arc::new(<[u8; 32]>::from(h.finalize()))
        };
        let dummy_hash = crate::accounts::hash_password(crate::http::extract::new_secret()).await?.into();
        Ok(Ctx {
            db,
            config: Arc::new(config),
            vocab,
            i18n,
            templates,
            analyzer: Arc::new(Analyzer::default()),
            store,
            login_limiter,
            inbox_limiter,
            hosts_heard: Arc::new(HostLimiter::new(1)),
            http,
            fetching: Arc::default(),
            heavy_work: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            )),
            delivery_bell: Arc::new(tokio::sync::Notify::new()),
            device_key,
            dummy_hash,
        })
    }
}

/// Serves HTTP on `listener` until `shutdown` completes, then finishes open requests. The
/// delivery worker runs alongside unless the configuration turns it off.
pub async fn serve(
    listener: TcpListener,
    ctx: Ctx,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let federation = crate::federation::context::config(&ctx).await.map_err(std::io::Error::other)?;
    let sweeper = tokio::spawn(sweep(ctx.clone()));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let worker =
        ctx.config.delivery_worker.then(|| tokio::spawn(crate::federation::delivery::worker(ctx.clone(), stopping)));
    let app = crate::http::router(ctx, federation);
    // stop accepting, finish the requests in flight, then the deliveries in flight (they
    // take 10 s at most); whatever was not sent stays queued for the next start
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    sweeper.abort();
    let _ = stop.send(true);
    if let Some(mut w) = worker {
        if tokio::time::timeout(Duration::from_secs(20), &mut w).await.is_err() {
            w.abort();
        }
    }
    result
}

/// Background housekeeping: forget expired sessions, old login failures, and federation
/// records past their retention period.
async fn sweep(ctx: Ctx) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = ctx.db.purge_sessions(ctx.config.session_idle_minutes).await {
            tracing::warn!("session sweep failed: {e}");
        }
        ctx.login_limiter.forget_old();
        ctx.inbox_limiter.forget_old();
        ctx.hosts_heard.forget_old();
        let cutoff = chrono::Utc::now() - chrono::Duration::days(ctx.config.retention_days);
        if let Err(e) = ctx.db.purge_federation_records(cutoff).await {
            tracing::warn!("federation records sweep failed: {e}");
        }
    }
}
