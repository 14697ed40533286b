//! Fetching an actor that the federation crate refuses only for its media type: Epicyon and
//! others serve actors as `application/ld+json` without the ActivityStreams profile. Such a
//! document is accepted when it is an ActivityStreams document (its `@context` names
//! ActivityStreams), with every other check kept: https (or the development network), a public
//! address, the federation policy, a signed fetch, a body of at most 1 MiB, an `id` equal to
//! the address asked for, and the actor's own checks (`ApActor::verify`).

use std::time::SystemTime;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Object;
use serde_json::Value;
use url::Url;

use super::apactor::ApActor;
use super::protocol::actor::ActorObject;
use super::signing::Signer;
use crate::domain::Core;
use crate::error::{AppError, AppResult};

const MAX_BODY: usize = 1024 * 1024;
const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

/// The actor at `url`: through the crate, or, when the crate refuses its media type, through
/// `fetch_actor`.
pub async fn actor(data: &Data<Core>, url: &Url) -> AppResult<ApActor> {
    match ObjectId::<ApActor>::from(url.clone()).dereference(data).await {
        Err(AppError::BadRequest("error-remote-not-activitypub")) => fetch_actor(data, url).await,
        other => other,
    }
}

/// The actor a WebFinger account (`name@domain`) names, looked up directly: its `self` link of
/// an ActivityPub media type, with or without the profile.
pub async fn webfinger(data: &Data<Core>, acct: &str) -> AppResult<ApActor> {
    let (_, domain) = acct.rsplit_once('@').ok_or(AppError::BadRequest("error-remote-not-found"))?;
    let scheme = if data.config.dev_network { "http" } else { "https" };
    let resource: String = url::form_urlencoded::byte_serialize(format!("acct:{acct}").as_bytes()).collect();
    let url = Url::parse(&format!("{scheme}://{domain}/.well-known/webfinger?resource={resource}"))
        .map_err(|_| AppError::BadRequest("error-remote-not-found"))?;
    super::net::check_url(&url, data.config.dev_network)?;
    let res = data
        .http
        .get(url)
        .header("accept", "application/jrd+json, application/json")
        .send()
        .await
        .map_err(|e| AppError::RemoteUnavailable(e.without_url().to_string()))?;
    if !res.status().is_success() {
        return Err(AppError::BadRequest("error-remote-not-found"));
    }
    let body = res.bytes().await.map_err(|e| AppError::RemoteUnavailable(e.without_url().to_string()))?;
    if body.len() > MAX_BODY {
        return Err(AppError::BadRequest("error-remote-unparseable"));
    }
    let jrd: Value = serde_json::from_slice(&body).map_err(|_| AppError::BadRequest("error-remote-unparseable"))?;
    let href = jrd["links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["rel"] == "self" && l["type"].as_str().is_some_and(activitypub_media_type))
        .find_map(|l| l["href"].as_str().and_then(|h| Url::parse(h).ok()))
        .ok_or(AppError::BadRequest("error-remote-not-found"))?;
    // the actor must be on the host that answered for the account
    if href.host_str() != Some(domain.split(':').next().unwrap_or_default()) {
        return Err(AppError::BadRequest("error-remote-unparseable"));
    }
    actor(data, &href).await
}

/// Whether `doc`'s `@context` names ActivityStreams.
fn is_activitystreams(doc: &Value) -> bool {
    match doc.get("@context") {
        Some(Value::String(s)) => s == AS_CONTEXT,
        Some(Value::Array(items)) => items.iter().any(|c| c.as_str() == Some(AS_CONTEXT)),
        _ => false,
    }
}

/// Whether a media type is one an ActivityPub document may be served as.
fn activitypub_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    matches!(essence.as_str(), "application/activity+json" | "application/ld+json")
}

/// A GET signed by the instance actor, as every fetch of ours is: https (or the development
/// network), a public address, the federation policy, at most `max_body` bytes, within
/// `timeout`. Returns the media type and the body. `Forbidden` when the policy refuses the host.
pub async fn signed_get(
    data: &Core,
    url: &Url,
    accept: &str,
    max_body: usize,
    timeout: std::time::Duration,
) -> AppResult<(String, Vec<u8>)> {
    super::net::check_url(url, data.config.dev_network)?;
    if !super::policy::Policy::of(data).allows(url.host_str().unwrap_or_default()).await? {
        return Err(AppError::Forbidden);
    }
    let (_, private_key) = data.db.instance_keys().await?.ok_or_else(|| AppError::internal("no instance key"))?;
    let key_id = format!("{}#main-key", super::actors::instance_id(data));
    let signed = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || Signer::from_pem(&private_key, key_id)?.sign_get(&url, SystemTime::now()))
            .await??
    };
    let mut request = data.http.get(url.clone()).header("accept", accept).timeout(timeout);
    for (name, value) in signed {
        request = request.header(name, value);
    }
    let unreachable = |e: reqwest::Error| AppError::RemoteUnavailable(e.without_url().to_string());
    let read = async {
        let mut res = request.send().await.map_err(unreachable)?;
        if !res.status().is_success() {
            return Err(AppError::RemoteUnavailable(format!("HTTP {}", res.status().as_u16())));
        }
        let content_type =
            res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > max_body {
                return Err(AppError::BadRequest("error-remote-unparseable"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((content_type, body))
    };
    // the client's own timeout covers the answer's start; this covers a body sent slowly
    tokio::time::timeout(timeout, read).await.map_err(|_| AppError::RemoteUnavailable("timeout".into()))?
}

/// The ActivityStreams document at `url` (any of its media types), fetched by `signed_get`.
pub async fn activity_document(data: &Core, url: &Url, max_body: usize) -> AppResult<Value> {
    let (content_type, body) = signed_get(data, url, ACCEPT, max_body, std::time::Duration::from_secs(10)).await?;
    if !activitypub_media_type(&content_type) {
        return Err(AppError::BadRequest("error-remote-not-activitypub"));
    }
    let doc: Value = serde_json::from_slice(&body).map_err(|_| AppError::BadRequest("error-remote-unparseable"))?;
    if !is_activitystreams(&doc) {
        return Err(AppError::BadRequest("error-remote-not-activitypub"));
    }
    Ok(doc)
}

const ACCEPT: &str =
    r#"application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams""#;

async fn fetch_actor(data: &Data<Core>, url: &Url) -> AppResult<ApActor> {
    let doc = activity_document(data, url, MAX_BODY).await?;
    let json: ActorObject =
        serde_json::from_value(doc).map_err(|_| AppError::BadRequest("error-remote-unparseable"))?;
    if &json.id != url {
        return Err(AppError::BadRequest("error-remote-unparseable"));
    }
    ApActor::verify(&json, url, data).await?;
    ApActor::from_json(json, data).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ld_json_without_the_profile_is_an_activitypub_media_type_and_html_is_not() {
        assert!(activitypub_media_type("application/ld+json"));
        assert!(activitypub_media_type("application/ld+json; charset=utf-8"));
        assert!(activitypub_media_type(r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#));
        assert!(activitypub_media_type("Application/Activity+JSON"));
        assert!(!activitypub_media_type("text/html"));
        assert!(!activitypub_media_type("application/json"));
    }

    #[test]
    fn only_activitystreams_documents_are_taken() {
        assert!(is_activitystreams(&serde_json::json!({"@context": AS_CONTEXT})));
        assert!(is_activitystreams(&serde_json::json!({"@context": [AS_CONTEXT, {"x": "y"}]})));
        assert!(!is_activitystreams(&serde_json::json!({"@context": "https://schema.org"})));
        assert!(!is_activitystreams(&serde_json::json!({"id": "x"})));
    }
}
