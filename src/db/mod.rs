//! The only place with SQL. `Db` is SQLite or PostgreSQL, chosen from `DATABASE_URL`;
//! the same SQL text serves both (lowercase, `$n` placeholders), and the few places where
//! the dialects differ branch visibly, as in claiming deliveries (`deliveries`). Full-text
//! search is not here: it runs in memory (`crate::index`) over what `search` reads.

pub mod attachments;
pub mod campaigns;
pub mod deliveries;
pub mod events;
pub mod federation;
pub mod joining;
pub mod orgs;
pub mod people;
pub mod replies;
pub mod resources;
pub mod search;
pub mod sessions;
pub mod statements;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::AppResult;

/// A connection pool to one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same sqlx code against whichever pool `db` holds: the body is written once
/// and compiled once per backend, so it may only use SQL both dialects accept.
/// `on_pool!(db, pool => sqlx::query("...").execute(pool).await)`
#[macro_export]
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub use on_pool;

impl Db {
    /// Connects (creating the SQLite file and its directory on first run) without running
    /// migrations. Connections are made lazily, so a database that is down at start-up
    /// shows up as 503s and `/healthz` failures rather than a crash loop.
    pub async fn connect(url: &str, timeout: Duration) -> anyhow::Result<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if let Some(parent) = Path::new(opts.get_filename()).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)?;
                }
            }
            let pool = SqlitePoolOptions::new().max_connections(8).acquire_timeout(timeout).connect_with(opts).await?;
            Ok(Db::Sqlite(pool))
        } else {
            let pool = PgPoolOptions::new().max_connections(16).acquire_timeout(timeout).connect_lazy(url)?;
            Ok(Db::Postgres(pool))
        }
    }

    /// Applies the migrations of the configured backend (`migrations/<backend>`).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Answers whether the database can be reached right now.
    pub async fn ping(&self) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("select 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Refreshes the planner's statistics, after a bulk import: PostgreSQL picks poor plans
    /// for search on tables it believes empty, until autovacuum gets round to them.
    pub async fn analyze(&self) -> AppResult<()> {
        match self {
            Db::Sqlite(p) => sqlx::query("pragma optimize").execute(p).await.map(|_| ())?,
            Db::Postgres(p) => sqlx::query("analyze").execute(p).await.map(|_| ())?,
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

/// `$first, $first+1, ...` for an `in (...)` list of `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A random, URL-safe identifier: 16 characters of lowercase base32 (80 bits).
pub fn new_uid() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..16).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}
