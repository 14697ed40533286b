//! Instance configuration: built-in defaults, then an optional `amicus.toml`, then
//! `AMICUS_*` / `DATABASE_URL` environment variables, each overriding the one before.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Whom an instance federates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FederationMode {
    /// Everyone but blocked domains (`amicus federation block`).
    Open,
    /// Allowed domains only (`amicus federation allow`).
    Partners,
}

/// Everything an instance needs to know about itself. Built once at start-up.
#[derive(Clone)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub bind: String,
    /// The public host name (and port, if not 80/443) of this instance.
    pub domain: String,
    /// Where the database (by default) and uploaded files live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: u64,
    /// A browser session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// How long a request waits for a database connection before answering 503.
    pub db_timeout_ms: u64,
    /// Failed logins allowed per account in a 15-minute window.
    pub login_attempts: u32,
    /// Languages in which content may be written, beyond the four interface languages.
    pub extra_content_languages: Vec<String>,
    /// Optional JSON file of local vocabulary terms, merged over the shipped ones.
    pub vocabulary_file: Option<PathBuf>,
    /// Development and test network: allows http and loopback peers. Never on unless asked.
    pub dev_network: bool,
    /// Host names mapped to addresses by the HTTP client (`alpha.localhost=127.0.0.1`).
    pub resolve: Vec<(String, std::net::IpAddr)>,
    /// Whether `serve` runs the delivery worker (tests turn it off and drain queues themselves).
    pub delivery_worker: bool,
    pub federation_mode: FederationMode,
    /// Serve ActivityPub documents only to signed requests (HTML stays public).
    pub authorized_fetch: bool,
    /// Activities accepted per remote host per minute before the inbox answers 429.
    pub inbox_per_minute: u32,
    /// Days that records of received activities and of finished deliveries are kept.
    pub retention_days: i64,
    /// The SMTP server that sends invitation and reset links, if any:
    /// `smtps://user:password@mail.example:465` (TLS), `smtp://...:587` (STARTTLS, required),
    /// or `smtp://127.0.0.1:25?insecure` for a relay on this machine only.
    pub smtp_url: Option<String>,
    /// The sender of those e-mails (`Amicus <noreply@ngo.example>`).
    pub mail_from: Option<String>,
}

/// The file format: every key optional, the same names as the environment variables
/// without the `AMICUS_` prefix, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    domain: Option<String>,
    data: Option<PathBuf>,
    database_url: Option<String>,
    max_upload_mb: Option<u64>,
    session_idle_minutes: Option<i64>,
    db_timeout_ms: Option<u64>,
    login_attempts: Option<u32>,
    extra_content_languages: Option<Vec<String>>,
    vocabulary_file: Option<PathBuf>,
    dev_network: Option<bool>,
    resolve: Option<String>,
    federation_mode: Option<FederationMode>,
    authorized_fetch: Option<bool>,
    inbox_per_minute: Option<u32>,
    retention_days: Option<i64>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        let data_dir = PathBuf::from("./data");
        Config {
            bind: "127.0.0.1:8080".into(),
            domain: "localhost:8080".into(),
            database_url: default_database_url(&data_dir),
            data_dir,
            max_upload_bytes: 50 * 1024 * 1024,
            session_idle_minutes: 240,
            db_timeout_ms: 5_000,
            login_attempts: 5,
            extra_content_languages: Vec::new(),
            vocabulary_file: None,
            dev_network: false,
            resolve: Vec::new(),
            delivery_worker: true,
            federation_mode: FederationMode::Open,
            authorized_fetch: false,
            inbox_per_minute: 3000,
            retention_days: 30,
            smtp_url: None,
            mail_from: None,
        }
    }
}

fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}/amicus.db", data_dir.display())
}

impl Config {
    /// Reads `amicus.toml` (or the file named by `AMICUS_CONFIG`) if present, then the
    /// process environment.
    pub fn load() -> anyhow::Result<Config> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let path = env.get("AMICUS_CONFIG").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("amicus.toml"));
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => {
                Some(toml::from_str::<FileConfig>(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !env.contains_key("AMICUS_CONFIG") => None,
            Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        };
        Config::from_sources(file.unwrap_or_default(), &env)
    }

    fn from_sources(file: FileConfig, env: &HashMap<String, String>) -> anyhow::Result<Config> {
        let mut c = Config::default();
        let mut database_url = file.database_url;
        if let Some(v) = file.bind {
            c.bind = v;
        }
        if let Some(v) = file.domain {
            c.domain = v;
        }
        if let Some(v) = file.data {
            c.data_dir = v;
        }
        if let Some(v) = file.max_upload_mb {
            c.max_upload_bytes = v * 1024 * 1024;
        }
        if let Some(v) = file.session_idle_minutes {
            c.session_idle_minutes = v;
        }
        if let Some(v) = file.db_timeout_ms {
            c.db_timeout_ms = v;
        }
        if let Some(v) = file.login_attempts {
            c.login_attempts = v;
        }
        if let Some(v) = file.extra_content_languages {
            c.extra_content_languages = v;
        }
        c.vocabulary_file = file.vocabulary_file;
        if let Some(v) = file.dev_network {
            c.dev_network = v;
        }
        if let Some(v) = file.federation_mode {
            c.federation_mode = v;
        }
        if let Some(v) = file.authorized_fetch {
            c.authorized_fetch = v;
        }
        if let Some(v) = file.inbox_per_minute {
            c.inbox_per_minute = v;
        }
        if let Some(v) = file.retention_days {
            c.retention_days = v;
        }
        c.smtp_url = file.smtp_url;
        c.mail_from = file.mail_from;
        let mut resolve = file.resolve;

        let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        if let Some(v) = get("AMICUS_BIND") {
            c.bind = v;
        }
        if let Some(v) = get("AMICUS_DOMAIN") {
            c.domain = v;
        }
        if let Some(v) = get("AMICUS_DATA") {
            c.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("DATABASE_URL") {
            database_url = Some(v);
        }
        if let Some(v) = get("AMICUS_MAX_UPLOAD_MB") {
            c.max_upload_bytes = parse_num::<u64>("AMICUS_MAX_UPLOAD_MB", &v)? * 1024 * 1024;
        }
        if let Some(v) = get("AMICUS_SESSION_IDLE_MINUTES") {
            c.session_idle_minutes = parse_num("AMICUS_SESSION_IDLE_MINUTES", &v)?;
        }
        if let Some(v) = get("AMICUS_DB_TIMEOUT_MS") {
            c.db_timeout_ms = parse_num("AMICUS_DB_TIMEOUT_MS", &v)?;
        }
        if let Some(v) = get("AMICUS_LOGIN_ATTEMPTS") {
            c.login_attempts = parse_num("AMICUS_LOGIN_ATTEMPTS", &v)?;
        }
        if let Some(v) = get("AMICUS_EXTRA_CONTENT_LANGUAGES") {
            c.extra_content_languages = v.split(',').map(|s| s.trim().to_string()).collect();
        }
        if let Some(v) = get("AMICUS_VOCABULARY_FILE") {
            c.vocabulary_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("AMICUS_FEDERATION_MODE") {
            c.federation_mode = match v.trim() {
                "open" => FederationMode::Open,
                "partners" => FederationMode::Partners,
                other => anyhow::bail!("AMICUS_FEDERATION_MODE must be open or partners, not {other:?}"),
            };
        }
        if let Some(v) = get("AMICUS_INBOX_PER_MINUTE") {
            c.inbox_per_minute = parse_num("AMICUS_INBOX_PER_MINUTE", &v)?;
        }
        if let Some(v) = get("AMICUS_RETENTION_DAYS") {
            c.retention_days = parse_num("AMICUS_RETENTION_DAYS", &v)?;
        }
        if let Some(v) = get("AMICUS_AUTHORIZED_FETCH") {
            c.authorized_fetch = matches!(v.trim(), "true" | "1" | "yes");
        }
        if let Some(v) = get("AMICUS_DEV_NETWORK") {
            c.dev_network = matches!(v.trim(), "true" | "1" | "yes");
        }
        if let Some(v) = get("AMICUS_RESOLVE") {
            resolve = Some(v);
        }
        if let Some(v) = get("AMICUS_SMTP_URL") {
            c.smtp_url = Some(v).filter(|v| !v.trim().is_empty());
        }
        if let Some(v) = get("AMICUS_MAIL_FROM") {
            c.mail_from = Some(v).filter(|v| !v.trim().is_empty());
        }
        if let Some(r) = resolve {
            c.resolve = parse_resolve(&r)?;
        }
        c.database_url = database_url.unwrap_or_else(|| default_database_url(&c.data_dir));
        c.validate()?;
        Ok(c)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres:")
            || self.database_url.starts_with("postgresql:"))
        {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://");
        }
        if self.domain.is_empty() || self.domain.contains('/') {
            anyhow::bail!("AMICUS_DOMAIN must be a host name, optionally with a port (for example amicus.example.org)");
        }
        if self.retention_days <= 0 {
            anyhow::bail!("retention_days must be positive");
        }
        if self.session_idle_minutes <= 0 {
            anyhow::bail!("session_idle_minutes must be positive");
        }
        Ok(())
    }

    /// `http` for `localhost` and `*.localhost` (development), `https` for everything else.
    pub fn scheme(&self) -> &'static str {
        let host = self.domain.split(':').next().unwrap_or_default();
        if host == "localhost" || host.ends_with(".localhost") {
            "http"
        } else {
            "https"
        }
    }

    /// The absolute URL of this instance, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.domain)
    }

    /// Cookies are marked `Secure` whenever the instance is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.scheme() == "https"
    }

    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    pub fn is_postgres(&self) -> bool {
        !self.database_url.starts_with("sqlite:")
    }
}

/// `alpha.localhost=127.0.0.1,beta.localhost=127.0.0.1`
fn parse_resolve(s: &str) -> anyhow::Result<Vec<(String, std::net::IpAddr)>> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (host, addr) =
                pair.split_once('=').ok_or_else(|| anyhow::anyhow!("AMICUS_RESOLVE: {pair:?} is not host=address"))?;
            let ip =
                addr.trim().parse().map_err(|_| anyhow::anyhow!("AMICUS_RESOLVE: {addr:?} is not an IP address"))?;
            Ok((host.trim().to_ascii_lowercase(), ip))
        })
        .collect()
}

fn parse_num<T: std::str::FromStr>(key: &str, v: &str) -> anyhow::Result<T> {
    v.trim().parse().map_err(|_| anyhow::anyhow!("{key} must be a number, not {v:?}"))
}

/// Hides the password a database URL may carry.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("domain", &self.domain)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .finish_non_exhaustive()
    }
}

/// What `amicus config default` prints: every setting, commented, with its default.
pub const DEFAULT_FILE: &str = r#"# amicus.toml: every key is optional. Environment variables override this file:
# AMICUS_BIND, AMICUS_DOMAIN, AMICUS_DATA, DATABASE_URL, AMICUS_MAX_UPLOAD_MB, ...
# The file is read from the current directory, or from the path in AMICUS_CONFIG.

# Address and port the server listens on (AMICUS_BIND).
# bind = "127.0.0.1:8080"

# Public host name of this instance, with the port if it is not 443 (AMICUS_DOMAIN).
# It is part of every organisation's address (@handle@domain) and cannot change later.
# domain = "localhost:8080"

# Directory for the SQLite database and uploaded files (AMICUS_DATA).
# data = "./data"

# Database (DATABASE_URL). Defaults to sqlite://<data>/amicus.db, created on first run.
# database_url = "postgres://amicus@127.0.0.1:5432/amicus"

# Largest accepted upload, in MiB (AMICUS_MAX_UPLOAD_MB).
# max_upload_mb = 50

# Minutes of inactivity after which a browser session ends (AMICUS_SESSION_IDLE_MINUTES).
# session_idle_minutes = 240

# Milliseconds a request waits for the database before answering 503 (AMICUS_DB_TIMEOUT_MS).
# db_timeout_ms = 5000

# Failed logins allowed per account within 15 minutes (AMICUS_LOGIN_ATTEMPTS).
# login_attempts = 5

# Content languages accepted besides ar, en, fr and es (AMICUS_EXTRA_CONTENT_LANGUAGES,
# comma-separated), as ISO 639-1 codes.
# extra_content_languages = ["fa", "ps", "uk"]

# A JSON file of extra vocabulary terms, in the format of assets/vocabularies.json
# (AMICUS_VOCABULARY_FILE). Shipped terms cannot be renamed or removed.
# vocabulary_file = "./data/vocabularies.local.json"

# Whom to federate with (AMICUS_FEDERATION_MODE): "open" (everyone but domains blocked with
# `amicus federation block`) or "partners" (only domains allowed with `amicus federation allow`).
# federation_mode = "open"

# Authorized fetch (AMICUS_AUTHORIZED_FETCH): answer unsigned requests for ActivityPub documents
# with 401, as Mastodon's AUTHORIZED_FETCH does. HTML pages stay public.
# authorized_fetch = false

# Activities accepted from one remote server per minute before its requests get 429
# (AMICUS_INBOX_PER_MINUTE).
# inbox_per_minute = 3000

# Days that the records of received activities and of finished deliveries (which name other
# servers' inboxes) are kept before they are deleted (AMICUS_RETENTION_DAYS).
# retention_days = 30

# E-mail (AMICUS_SMTP_URL, AMICUS_MAIL_FROM). Without it the instance sends no mail: invitation
# and reset links are shown to whoever creates them, to pass on by any channel. With it, they
# are also e-mailed, and people who gave an address can reset a forgotten password themselves.
# "smtps://user:password@mail.example:465" (TLS), "smtp://user:password@mail.example:587"
# (STARTTLS, required), or "smtp://127.0.0.1:25?insecure" for a relay on this machine only.
# smtp_url = ""
# mail_from = "Amicus <noreply@ngo.example>"

# Development network (AMICUS_DEV_NETWORK): allow http and loopback peers, to federate several
# instances on one machine. Never enable it on a server that faces the internet.
# dev_network = false

# Host names the HTTP client maps to addresses, with the development network
# (AMICUS_RESOLVE, comma-separated): "alpha.localhost=127.0.0.1,beta.localhost=127.0.0.1"
# resolve = ""
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_file_and_database_follows_data_dir() {
        let file: FileConfig = toml::from_str("bind = \"0.0.0.0:9000\"\ndata = \"/srv/amicus\"").unwrap();
        let env = HashMap::from([("AMICUS_DOMAIN".to_string(), "ngo.example".to_string())]);
        let c = Config::from_sources(file, &env).unwrap();
        assert_eq!(c.bind, "0.0.0.0:9000");
        assert_eq!(c.domain, "ngo.example");
        assert_eq!(c.database_url, "sqlite:///srv/amicus/amicus.db");
        assert_eq!(c.base_url(), "https://ngo.example");
    }

    #[test]
    fn the_commented_default_file_parses() {
        let file: FileConfig = toml::from_str(DEFAULT_FILE).unwrap();
        assert!(file.bind.is_none());
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let c = Config { database_url: "postgres://amicus:secret@db/amicus".into(), ..Config::default() };
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn the_dev_network_is_off_unless_asked_and_names_map_to_addresses() {
        assert!(!Config::default().dev_network);
        let env = HashMap::from([
            ("AMICUS_DEV_NETWORK".to_string(), "true".to_string()),
            ("AMICUS_RESOLVE".to_string(), "alpha.localhost=127.0.0.1, beta.localhost=127.0.0.1".to_string()),
        ]);
        let c = Config::from_sources(FileConfig::default(), &env).unwrap();
        assert!(c.dev_network);
        assert_eq!(c.resolve.len(), 2);
        assert!(parse_resolve("alpha.localhost").is_err());
    }

    #[test]
    fn localhost_is_served_over_http() {
        let c = Config { domain: "alpha.localhost:8001".into(), ..Config::default() };
        assert_eq!(c.scheme(), "http");
        assert!(!c.secure_cookies());
    }
}
