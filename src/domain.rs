//! The domain's state of one instance: database, configuration, vocabularies, strings, search
//! analyser, file store, the HTTP client for other servers, the delivery bell and the limits.
//! The library, accounts, transfer, federation and the CLI use it; nothing here knows of
//! HTTP handlers or templates (those are `app::Ctx`).

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::db::Db;
use crate::i18n::I18n;
use crate::limits::{HostLimiter, LoginLimiter};
use crate::model::vocab::Vocabularies;
use crate::search::Analyzer;
use crate::storage::{LocalStore, Store};

/// The domain state of one instance. Cheap to clone; nothing global, so several instances
/// can run in one process (the tests do).
#[derive(Clone)]
pub struct Core {
    pub db: Db,
    pub config: Arc<Config>,
    pub vocab: Arc<Vocabularies>,
    /// Strings in four languages: content warnings sent to other servers, import reports.
    pub i18n: Arc<I18n>,
    pub analyzer: Arc<Analyzer>,
    pub store: Arc<dyn Store>,
    pub login_limiter: Arc<LoginLimiter>,
    /// Password checks, one per core at once, in kept memory.
    pub passwords: Arc<crate::accounts::PasswordChecker>,
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
    /// Rung when a publication is embargoed, so the embargo worker knows when it ends.
    pub embargo_bell: Arc<tokio::sync::Notify>,
    /// Rung when an actor's earlier publications are asked for (`federation::backfill`).
    pub backfill_bell: Arc<tokio::sync::Notify>,
    /// Partners' search endpoints, as their NodeInfo gave them.
    pub partner_endpoints: Arc<crate::federation::partners::Endpoints>,
    /// One actor of each host known here, for finding partners (`federation::partners`).
    pub partner_hosts: Arc<crate::federation::partners::KnownHosts>,
    /// The join and contact forms, per instance (`joining`).
    pub forms_limiter: Arc<HostLimiter>,
    /// Replies per thread and minute (`community`).
    pub reply_limiter: Arc<HostLimiter>,
    /// The library's search index on this node (`index`).
    pub index: Arc<crate::index::SearchIndex>,
    /// The key of device cookies (`accounts::login`), derived from the instance's private
    /// key so that it survives restarts and is the same on every node.
    pub device_key: Arc<[u8; 32]>,
    /// This node, as the owner of the deliveries it claims: its host name and listening
    /// address, which no other running node shares.
    pub node_id: Arc<str>,
    /// A real argon2 hash of nothing, checked when a login names an unknown account so
    /// that it takes as long as a wrong password.
    pub dummy_hash: Arc<str>,
    /// The SMTP server's client, when the instance sends mail.
    pub mailer: Option<Arc<crate::mail::Mailer>>,
    /// This instance as a WebAuthn relying party (passkeys).
    pub webauthn: Arc<webauthn_rs::Webauthn>,
    /// The agenda pages open on this node, told of changes as they happen.
    pub live: Arc<crate::live::Live>,
}

impl Core {
    /// Connects to the database, runs the migrations and loads vocabularies and strings.
    /// Fails early, with the reason, if any of them is broken.
    pub async fn build(config: Config) -> anyhow::Result<Core> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", config.data_dir.display()))?;
        let db = Db::connect(&config.database_url, Duration::from_millis(config.db_timeout_ms)).await?;
        db.migrate().await?;
        let (_, private) = crate::federation::keys::ensure(&db).await?;
        let vocab = Arc::new(Vocabularies::load(config.vocabulary_file.as_deref())?);
        let i18n = Arc::new(I18n::new()?);
        let store: Arc<dyn Store> = Arc::new(LocalStore::new(&config.files_dir()));
        let http = crate::federation::context::http_client(&config)?;
        let device_key = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update(b"amicus device cookies\n");
            h.update(private.as_bytes());
            Arc::new(<[u8; 32]>::from(h.finalize()))
        };
        let dummy_hash = crate::accounts::hash_password(crate::accounts::new_secret()).await?.into();
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let node_id = format!("{}/{}", host.trim(), config.bind).into();
        let mailer = crate::mail::Mailer::from_config(&config)?.map(Arc::new);
        let webauthn = Arc::new(crate::passkeys::relying_party(&config)?);
        Ok(Core {
            node_id,
            db,
            vocab,
            i18n,
            analyzer: Arc::new(Analyzer::default()),
            store,
            login_limiter: Arc::new(LoginLimiter::new(config.login_attempts)),
            passwords: Arc::default(),
            inbox_limiter: Arc::new(HostLimiter::new(config.inbox_per_minute)),
            hosts_heard: Arc::new(HostLimiter::new(1)),
            http,
            fetching: Arc::default(),
            heavy_work: Arc::new(tokio::sync::Semaphore::new(cores)),
            delivery_bell: Arc::new(tokio::sync::Notify::new()),
            embargo_bell: Arc::new(tokio::sync::Notify::new()),
            backfill_bell: Arc::new(tokio::sync::Notify::new()),
            partner_endpoints: Arc::default(),
            partner_hosts: Arc::default(),
            forms_limiter: Arc::new(HostLimiter::new(6)),
            reply_limiter: Arc::new(HostLimiter::new(crate::community::THREAD_PER_MINUTE)),
            index: Arc::default(),
            device_key,
            dummy_hash,
            mailer,
            webauthn,
            live: Arc::default(),
            config: Arc::new(config),
        })
    }
}
