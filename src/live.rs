//! The live agenda: a change to an event (created, changed, postponed, cancelled, deleted;
//! here or by a partner) reaches every open agenda and event page at once, over
//! Server-Sent Events (`/agenda/live`).
//!
//! With PostgreSQL a change is announced with `NOTIFY` and every node `LISTEN`s, so a page
//! open on one node hears of a change made on another without sticky sessions. With SQLite
//! there is one node and the announcement goes straight to its open pages.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use crate::domain::Core;

/// The PostgreSQL channel of the agenda's changes.
pub const CHANNEL: &str = "amicus_agenda";

/// What one message of `/agenda/live` says: which event, and what happened to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Change {
    /// The event's id (`/e/{id}`).
    pub id: String,
    /// `created`, `updated`, `rescheduled`, `postponed`, `cancelled`, `deleted`, or another
    /// status it took (`moved-online`, `tentative`, `scheduled`).
    pub change: String,
    /// Its status now (empty once deleted).
    pub status: String,
}

/// The open pages of this node, as receivers of changes.
pub struct Live {
    changes: broadcast::Sender<Arc<str>>,
    closing: watch::Sender<bool>,
    /// With PostgreSQL: whether this node is listening for the other nodes' changes now.
    listening: std::sync::atomic::AtomicBool,
}

impl Default for Live {
    fn default() -> Live {
        // a page that falls this far behind reloads (it is told it lagged)
        let (changes, _) = broadcast::channel(256);
        let (closing, _) = watch::channel(false);
        Live { changes, closing, listening: Default::default() }
    }
}

impl Live {
    /// A new open page: the changes to come, and the signal that the server is stopping.
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<str>>, watch::Receiver<bool>) {
        (self.changes.subscribe(), self.closing.subscribe())
    }

    /// Ends every open stream (the server is stopping; browsers reconnect to another node).
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }

    /// How many pages are open here.
    pub fn open(&self) -> usize {
        self.changes.receiver_count()
    }

    /// Whether changes made on other nodes reach this one's pages now (always with SQLite).
    pub fn hears_all_nodes(&self, postgres: bool) -> bool {
        !postgres || self.listening.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn deliver(&self, json: &str) {
        // no receiver is not an error: nobody has the agenda open
        let _ = self.changes.send(Arc::from(json));
    }
}

/// Tells every open page, on every node, of a change. A failure to announce is logged,
/// never the change's failure: a reload shows the same.
pub async fn announce(core: &Core, change: Change) {
    let Ok(json) = serde_json::to_string(&change) else { return };
    if core.db.is_postgres() {
        if let Err(e) = core.db.notify(CHANNEL, &json).await {
            tracing::warn!("could not announce a change to the agenda: {e}");
        }
    } else {
        core.live.deliver(&json);
    }
}

/// With PostgreSQL: listens for the changes every node announces and passes them to this
/// node's open pages, reconnecting when the connection drops. Returns at once with SQLite.
pub async fn listen(core: Core) {
    if !core.db.is_postgres() {
        return;
    }
    loop {
        match core.db.listen(CHANNEL).await {
            Ok(mut listener) => {
                core.live.listening.store(true, std::sync::atomic::Ordering::Relaxed);
                loop {
                    match listener.recv().await {
                        Ok(n) => core.live.deliver(n.payload()),
                        Err(e) => {
                            tracing::warn!("the agenda's change listener stopped: {e}");
                            break;
                        }
                    }
                }
                core.live.listening.store(false, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => tracing::warn!("cannot listen for the agenda's changes: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
