//! Authorized fetch: with `AMICUS_AUTHORIZED_FETCH=true`, ActivityPub documents are served
//! only to requests signed by an actor of a server this instance federates with (as
//! Mastodon's AUTHORIZED_FETCH). HTML pages stay public, and so does the instance actor,
//! whose key others need to check our own signatures.

use std::collections::BTreeMap;
use std::time::Duration;

use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Actor;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, Uri};
use base64::Engine;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use url::Url;

use super::apactor::ApActor;
use super::context::Fed;
use super::protocol::actor::ActorKey;
use crate::error::{AppError, AppResult};

/// The public key a `keyId` names: the key of the actor at the URL before `#main-key`
/// (Mastodon, Amicus; GoToSocial answers its key URL with the actor), or a key document of
/// its own (`CryptographicKey` with an `owner`, as activitypub-bot serves), whose owner must
/// be on the key's host and is fetched too.
async fn public_key(fed: &Fed, key_id: &str) -> AppResult<String> {
    let key = Url::parse(key_id).map_err(|_| AppError::Unauthorized)?;
    let mut actor_url = key.clone();
    actor_url.set_fragment(None);
    let refused = |e: AppError| match e {
        AppError::Forbidden => AppError::Forbidden,
        _ => AppError::Unauthorized,
    };
    match super::lenient::actor(&fed.0, &actor_url).await {
        Ok(actor) => Ok(actor.public_key_pem().to_string()),
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(_) => {
            let doc: ActorKey = activitypub_federation::fetch::fetch_object_http(&key, &fed.0)
                .await
                .map_err(|e| refused(e.into()))?
                .object;
            if !super::net::same_host(&key, &doc.owner) {
                return Err(AppError::Unauthorized);
            }
            // the owner must exist and be one this instance federates with
            ObjectId::<ApActor>::from(doc.owner.clone()).dereference(&fed.0).await.map_err(refused)?;
            Ok(doc.public_key_pem)
        }
    }
}

/// Checks the request's HTTP signature when the instance requires one: it must cover
/// `(request-target)`, `host` and `date`, made within the hour (`sigcheck`).
pub async fn require(fed: &Fed, method: &Method, uri: &Uri, headers: &HeaderMap) -> AppResult<()> {
    if !fed.0.config.authorized_fetch {
        return Ok(());
    }
    verify(fed, method, uri, headers).await.map(|_| ())
}

/// Checks the request's HTTP signature whatever the instance's settings, and returns the
/// `keyId` it was made with (whose actor is on a server this instance federates with).
pub async fn verify(fed: &Fed, method: &Method, uri: &Uri, headers: &HeaderMap) -> AppResult<Url> {
    let params = super::sigcheck::check(headers, false, std::time::SystemTime::now())?;
    let mut map = BTreeMap::new();
    for (name, value) in headers {
        if let Ok(v) = value.to_str() {
            map.insert(name.to_string(), v.to_string());
        }
    }
    let pem = public_key(fed, &params.key_id).await?;
    let public_key = RsaPublicKey::from_public_key_pem(&pem).map_err(|_| AppError::Unauthorized)?;
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let config = http_signature_normalization::Config::new().set_expiration(Duration::from_secs(3600));
    let verified = config
        .begin_verify(method.as_str(), path_and_query, map)
        .map_err(|_| AppError::Unauthorized)?
        .verify(|sig, signing_string| {
            base64::engine::general_purpose::STANDARD
                .decode(sig)
                .ok()
                .map(|bytes| {
                    public_key
                        .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(signing_string.as_bytes()), &bytes)
                        .is_ok()
                })
                .unwrap_or(false)
        });
    if verified {
        Url::parse(&params.key_id).map_err(|_| AppError::Unauthorized)
    } else {
        Err(AppError::Unauthorized)
    }
}

/// A request as authorized fetch needs it: federation data, method, URI and headers.
pub struct Signed(Fed, Method, Uri, HeaderMap);

impl Signed {
    /// Passes when authorized fetch is off or the request carries a valid signature.
    pub async fn check(&self) -> AppResult<()> {
        require(&self.0, &self.1, &self.2, &self.3).await
    }

    /// Checks the signature whatever the settings; the `keyId` it was made with.
    pub async fn verified_key(&self) -> AppResult<Url> {
        verify(&self.0, &self.1, &self.2, &self.3).await
    }

    /// Whether the request asks for ActivityPub JSON.
    pub fn wants_activity_json(&self) -> bool {
        super::wants_activity_json(&self.3)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let fed = Fed::from_request_parts(parts, state).await?;
        Ok(Signed(fed, parts.method.clone(), parts.uri.clone(), parts.headers.clone()))
    }
}
