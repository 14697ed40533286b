//! Everything ActivityPub: actors and their keys, discovery (WebFinger, NodeInfo,
//! host-meta), and the JSON-LD served to other servers. `activitypub_federation` is used
//! only inside this module, so an upgrade of the crate stays local.

pub mod activities;
pub mod actors;
pub mod apactor;
pub mod authorized;
pub mod backfill;
mod collections;
pub mod context;
pub mod cosign;
pub mod delivery;
pub mod events;
pub mod files;
pub mod follow;
mod inbox;
pub mod integrity;
pub mod keys;
mod lenient;
pub mod net;
mod nodeinfo;
pub mod objects;
pub mod partners;
pub mod policy;
pub mod protocol;
pub mod publish;
pub mod relay;
pub mod remote;
pub mod remote_event;
pub mod replies;
mod sent;
pub mod share;
pub mod sigcheck;
pub mod signing;
mod webfinger;

use axum::extract::DefaultBodyLimit;
use axum::http::header::ACCEPT;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;

use crate::app::Ctx;

/// The media type every ActivityPub document is served with.
pub const ACTIVITY_JSON: &str = "application/activity+json";

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger::webfinger))
        .route("/.well-known/host-meta", get(webfinger::host_meta))
        .route("/.well-known/nodeinfo", get(nodeinfo::links))
        .route("/nodeinfo/2.1", get(nodeinfo::nodeinfo))
        .route("/actor", get(actors::instance))
        .route(partners::PATH, get(partners::endpoint))
        .route("/n/{uid}", get(replies::show))
        .route("/orgs/{handle}/outbox", get(collections::outbox))
        .route("/orgs/{handle}/featured", get(collections::featured))
        .route("/orgs/{handle}/events", get(events::upcoming))
        .route("/orgs/{handle}/followers", get(collections::followers))
        .route("/orgs/{handle}/following", get(collections::following))
        .route("/activities/{kind}/{uid}", get(sent::show))
        .route("/ns/context.jsonld", get(protocol::context_document))
        .route("/inbox", post(inbox::receive))
        .route("/orgs/{handle}/inbox", post(inbox::receive).layer(DefaultBodyLimit::max(inbox::MAX_BODY)))
}

/// Whether a request asks for ActivityPub JSON rather than HTML: `application/activity+json`,
/// or `application/ld+json` with the ActivityStreams profile, anywhere in `Accept` (Mastodon
/// sends both, with parameters; equality checks miss them).
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers.get_all(ACCEPT).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("application/activity+json")
            || (v.contains("application/ld+json") && v.contains("https://www.w3.org/ns/activitystreams"))
    })
}

/// How the crate's errors reach clients, decided by their type (and, for the policy, by
/// which of our own two answers it gave): signature and digest failures are 401 (on the
/// receiving path the crate's `Other` errors come only from checking a signature or parsing a
/// key); an activity of a type Amicus does not handle is accepted and ignored; another server
/// that cannot be reached, or the policy's rules that cannot be read, are 503, so that a sender
/// tries again rather than dropping the activity for good; anything wrong with what another
/// server sent is a 400 that says what.
impl From<activitypub_federation::error::Error> for crate::error::AppError {
    fn from(e: activitypub_federation::error::Error) -> Self {
        use activitypub_federation::error::Error as E;
        match e {
            E::ActivityBodyDigestInvalid | E::ActivitySignatureInvalid | E::SignError(_) | E::Other(_) => {
                Self::Unauthorized
            }
            E::UrlVerificationError(m) if m == policy::REFUSED => Self::Forbidden,
            E::UrlVerificationError(m) if m == policy::UNAVAILABLE => Self::Unavailable(m.to_string()),
            E::ParseReceivedActivity { .. } | E::NotFound | E::ObjectDeleted(_) => Self::BadRequest(IGNORED),
            E::ReqwestMiddleware(ref inner) => Self::RemoteUnavailable(inner.to_string()),
            E::Reqwest(inner) => Self::RemoteUnavailable(inner.without_url().to_string()),
            E::RequestLimit | E::IoError(_) | E::StopActivityQueue(_) | E::ActivityQueueError(_) => {
                Self::RemoteUnavailable(e.to_string())
            }
            E::FetchInvalidContentType(_) => Self::BadRequest("error-remote-not-activitypub"),
            E::FetchWrongId(_) | E::ParseFetchedObject(..) | E::ResponseBodyLimit | E::Utf8(_) => {
                Self::BadRequest("error-remote-unparseable")
            }
            E::WebfingerResolveFailed(_) => Self::BadRequest("error-remote-not-found"),
            E::UrlVerificationError(_) | E::ResolveInternalIpError(..) | E::DomainResolveError(_) | E::UrlParse(_) => {
                Self::BadRequest("error-remote-refused")
            }
            E::SerializeOutgoingActivity(..) => Self::internal(e),
        }
    }
}

/// The marker of an activity accepted but deliberately not acted on.
pub const IGNORED: &str = "activity-ignored";

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn mastodon_and_ld_json_accept_headers_are_recognised() {
        let accept = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT, HeaderValue::from_static(v));
            wants_activity_json(&h)
        };
        assert!(accept("application/activity+json, application/ld+json"));
        assert!(accept(r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#));
        assert!(!accept("application/ld+json"));
        assert!(!accept("text/html,application/xhtml+xml,*/*;q=0.8"));
    }
}
