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
use crate::app::Ctx;
use crate::error::{AppError, AppResult};

/// The actor a `keyId` names: the URL before `#main-key` (Mastodon, Amicus), or the key URL
/// itself, which GoToSocial answers with its actor.
fn key_owner(signature: &str) -> Option<Url> {
    let start = signature.find("keyId=\"")? + 7;
    let end = signature[start..].find('"')? + start;
    let key_id = &signature[start..end];
    Url::parse(key_id.split('#').next()?).ok()
}

/// Checks the request's HTTP signature when the instance requires one.
pub async fn require(fed: &Fed, method: &Method, uri: &Uri, headers: &HeaderMap) -> AppResult<()> {
    if !fed.0.config.authorized_fetch {
        return Ok(());
    }
    let mut map = BTreeMap::new();
    for (name, value) in headers {
        if let Ok(v) = value.to_str() {
            map.insert(name.to_string(), v.to_string());
        }
    }
    let signature = map.get("signature").ok_or(AppError::Unauthorized)?;
    let owner = key_owner(signature).ok_or(AppError::Unauthorized)?;
    let actor = ObjectId::<ApActor>::from(owner).dereference(&fed.0).await.map_err(|e| match e {
        AppError::Forbidden => AppError::Forbidden,
        _ => AppError::Unauthorized,
    })?;
    let public_key = RsaPublicKey::from_public_key_pem(actor.public_key_pem()).map_err(|_| AppError::Unauthorized)?;
    map.entry("host".into()).or_insert_with(|| fed.0.config.domain.clone());
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
        Ok(())
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

    /// Whether the request asks for ActivityPub JSON.
    pub fn wants_activity_json(&self) -> bool {
        super::wants_activity_json(&self.3)
    }
}

impl FromRequestParts<Ctx> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        let fed = Fed::from_request_parts(parts, ctx).await?;
        Ok(Signed(fed, parts.method.clone(), parts.uri.clone(), parts.headers.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_name_their_actor() {
        let s = r#"keyId="https://a.example/orgs/x#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="abc""#;
        assert_eq!(key_owner(s).unwrap().as_str(), "https://a.example/orgs/x");
        let gts = r#"keyId="https://g.example/users/y/main-key",signature="abc""#;
        assert_eq!(key_owner(gts).unwrap().as_str(), "https://g.example/users/y/main-key");
        assert!(key_owner("signature=\"x\"").is_none());
    }
}
