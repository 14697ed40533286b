//! The running instance: `Ctx`, the HTTP state handlers use (the domain's `Core` and the page
//! templates), and `serve`, which runs the web server, the delivery worker and housekeeping.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use tokio::net::TcpListener;

use crate::config::Config;
pub use crate::domain::Core;
use crate::http::templates::Templates;

/// What HTTP handlers use: the core, and the templates pages are rendered with. Handlers
/// that need only the core take `State<Core>` (`FromRef`).
#[derive(Clone)]
pub struct Ctx {
    pub core: Core,
    pub templates: Arc<Templates>,
    /// Calendars (`.ics`) as last written, by address, language and what they hold.
    pub calendars: Arc<crate::http::CalendarCache>,
}

impl Ctx {
    /// The core (`Core::build`) and the templates.
    pub async fn build(config: Config) -> anyhow::Result<Ctx> {
        Ctx::with_templates(Core::build(config).await?)
    }

    /// The HTTP state around a core: its templates are loaded (and checked) here.
    pub fn with_templates(core: Core) -> anyhow::Result<Ctx> {
        let templates = Arc::new(Templates::new(core.i18n.clone(), core.vocab.clone())?);
        Ok(Ctx { core, templates, calendars: Arc::default() })
    }
}

/// Handlers read the core's fields through the HTTP state, and pass it where the core is
/// asked for.
impl std::ops::Deref for Ctx {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl FromRef<Ctx> for Core {
    fn from_ref(ctx: &Ctx) -> Core {
        ctx.core.clone()
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
    // this node's previous run, if it died while sending, is gone (the address is ours now):
    // what it had claimed goes out at once
    if let Err(e) = ctx.db.release_claims(&ctx.node_id).await {
        tracing::warn!("could not give back the deliveries of this node's previous run: {e}");
    }
    let sweeper = tokio::spawn(sweep(ctx.core.clone()));
    // the search index is built now rather than at the first search (seconds at 100,000)
    let warm = ctx.core.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.index.sync(&warm.db).await {
            tracing::warn!("could not build the search index: {e}");
        }
    });
    let embargoes = tokio::spawn(crate::statements::embargo_worker(ctx.core.clone()));
    let backfills = tokio::spawn(crate::federation::backfill::worker(federation.clone()));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let worker = ctx
        .config
        .delivery_worker
        .then(|| tokio::spawn(crate::federation::delivery::worker(ctx.core.clone(), stopping)));
    let listener_task = tokio::spawn(crate::live::listen(ctx.core.clone()));
    let live = ctx.live.clone();
    // open agenda streams end first, or they would hold the graceful shutdown open
    let shutdown = async move {
        shutdown.await;
        live.close();
    };
    let app = crate::http::router(ctx, federation);
    // stop accepting, finish the requests in flight, then the deliveries in flight (they
    // take 10 s at most); whatever was not sent stays queued for the next start
    let result = serve_http(listener, app, shutdown).await;
    sweeper.abort();
    embargoes.abort();
    backfills.abort();
    listener_task.abort();
    let _ = stop.send(true);
    if let Some(mut w) = worker {
        if tokio::time::timeout(Duration::from_secs(20), &mut w).await.is_err() {
            w.abort();
        }
    }
    result
}

/// Serves `app` over HTTP/1.1 until `shutdown` completes, then lets the open requests finish.
/// It is `axum::serve` but for one setting: a header line without a valid name is dropped, as
/// nginx does by default, rather than the whole request refused with 400. Epicyon sends its
/// signing string's `(request-target)` as a header of its own, and hyper refused every one of
/// its deliveries.
async fn serve_http(
    listener: TcpListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // a client has 30 s to send its headers (slow-loris); keep-alive stays on
    http.ignore_invalid_headers(true).timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(30));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // out of file descriptors and the like: wait rather than spin
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Background housekeeping: forget expired sessions, old login failures, and federation
/// records, sign-ins and expired one-time links past their retention period.
async fn sweep(ctx: Core) {
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
        if let Err(e) = ctx.db.purge_people_records(cutoff).await {
            tracing::warn!("sign-in history sweep failed: {e}");
        }
        // a node further behind than this builds its search index again
        if let Err(e) = ctx.db.prune_library_changes(crate::index::KEEP_CHANGES).await {
            tracing::warn!("library changes sweep failed: {e}");
        }
    }
}
