//! HTTP signatures on outgoing deliveries, as Mastodon makes and checks them
//! (draft-cavage-http-signatures-12: `rsa-sha256` over `(request-target) host date digest
//! content-type`, with a `SHA-256=` body digest). The signing string comes from
//! `http-signature-normalization`, the library the federation crate signs with, so what
//! the crate accepts is what we send; the RSA signature itself comes from aws-lc-rs, which
//! rustls already builds, and signs about five times faster than the pure-Rust `rsa` crate
//! (docs/PERFORMANCE.md).

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::SystemTime;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use http_signature_normalization::Config;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use sha2::{Digest, Sha256};
use url::Url;

use super::ACTIVITY_JSON;
use crate::error::{AppError, AppResult};

/// An actor's private key, ready to sign.
pub struct Signer {
    key: RsaKeyPair,
    key_id: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

impl Signer {
    /// From a PKCS#8 PEM private key (as actors' keys are stored). Parsing checks the key,
    /// which takes a few milliseconds: call it off the async runtime and keep the result.
    pub fn from_pem(pem: &str, key_id: String) -> AppResult<Signer> {
        let der = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
            .and_then(|k| k.to_pkcs8_der())
            .map_err(|e| AppError::internal(format!("unreadable private key: {e}")))?;
        let key = RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| AppError::internal(format!("bad key: {e}")))?;
        Ok(Signer { key, key_id, rng: SystemRandom::new() })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The headers of a signed POST of `body` to `url`, made at `now`: `Host`, `Date`,
    /// `Digest`, `Content-Type` and `Signature`. CPU-bound (about half a millisecond).
    pub fn sign_post(&self, url: &Url, body: &[u8], now: SystemTime) -> AppResult<Vec<(&'static str, String)>> {
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(AppError::internal("inbox URL without a host")),
        };
        let date = httpdate::fmt_http_date(now);
        let digest = format!("SHA-256={}", BASE64.encode(Sha256::digest(body)));
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path = format!("{path}?{q}");
        }
        let headers: BTreeMap<String, String> = [
            ("host".to_string(), host.clone()),
            ("date".to_string(), date.clone()),
            ("digest".to_string(), digest.clone()),
            ("content-type".to_string(), ACTIVITY_JSON.to_string()),
        ]
        .into();
        static CONFIG: LazyLock<Config> = LazyLock::new(|| Config::new().mastodon_compat());
        let unsigned =
            CONFIG.begin_sign("POST", &path, headers).map_err(|e| AppError::internal(format!("cannot sign: {e}")))?;
        // the library names every algorithm `hs2019`; verifiers such as Python's httpsig
        // accept only the name of the one used, as Mastodon sends it
        let signature = unsigned
            .sign(self.key_id.clone(), |signing_string| self.sign(signing_string.as_bytes()))?
            .signature_header()
            .replace("algorithm=\"hs2019\"", "algorithm=\"rsa-sha256\"");
        Ok(vec![
            ("host", host),
            ("date", date),
            ("digest", digest),
            ("content-type", ACTIVITY_JSON.to_string()),
            ("signature", signature),
        ])
    }

    /// The headers of a signed GET of `url` at `now` (a fetch, for servers that require
    /// authorized fetch): `Host`, `Date` and `Signature` over `(request-target) host date`.
    pub fn sign_get(&self, url: &Url, now: SystemTime) -> AppResult<Vec<(&'static str, String)>> {
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(AppError::internal("URL without a host")),
        };
        let date = httpdate::fmt_http_date(now);
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path = format!("{path}?{q}");
        }
        let headers: BTreeMap<String, String> =
            [("host".to_string(), host.clone()), ("date".to_string(), date.clone())].into();
        static CONFIG: LazyLock<Config> = LazyLock::new(|| Config::new().mastodon_compat());
        let unsigned =
            CONFIG.begin_sign("GET", &path, headers).map_err(|e| AppError::internal(format!("cannot sign: {e}")))?;
        let signature = unsigned
            .sign(self.key_id.clone(), |signing_string| self.sign(signing_string.as_bytes()))?
            .signature_header()
            .replace("algorithm=\"hs2019\"", "algorithm=\"rsa-sha256\"");
        Ok(vec![("host", host), ("date", date), ("signature", signature)])
    }

    /// Base64 of the RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> AppResult<String> {
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut sig)
            .map_err(|_| AppError::internal("RSA signing failed"))?;
        Ok(BASE64.encode(sig))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::{Pkcs1v15Sign, RsaPublicKey};

    #[test]
    fn signatures_verify_with_the_public_key_and_cover_the_mastodon_headers() {
        let pair = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
        let signer = Signer::from_pem(&pair.private_key, "https://a.example/orgs/x#main-key".into()).unwrap();
        let url = Url::parse("https://b.example:8443/inbox").unwrap();
        let body = br#"{"type":"Create"}"#;
        let headers = signer.sign_post(&url, body, SystemTime::UNIX_EPOCH).unwrap();
        let get = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(get("host"), "b.example:8443");
        assert_eq!(get("date"), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(get("digest"), format!("SHA-256={}", BASE64.encode(Sha256::digest(body))));
        let sig = get("signature");
        assert!(sig.contains(r#"keyId="https://a.example/orgs/x#main-key""#), "{sig}");
        assert!(sig.contains(r#"headers="(request-target) content-type date digest host""#), "{sig}");
        assert!(sig.contains(r#"algorithm="rsa-sha256""#), "{sig}");

        // the signature is over the signing string, checked with the `rsa` crate
        let b64 = sig.split("signature=\"").nth(1).unwrap().trim_end_matches('"');
        let signing_string = format!(
            "(request-target): post /inbox\ncontent-type: {ACTIVITY_JSON}\ndate: {}\ndigest: {}\nhost: {}",
            get("date"),
            get("digest"),
            get("host")
        );
        let public = RsaPublicKey::from_public_key_pem(&pair.public_key).unwrap();
        let hashed = Sha256::digest(signing_string.as_bytes());
        public.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, &BASE64.decode(b64).unwrap()).unwrap();
        assert!(public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(b"other"), &BASE64.decode(b64).unwrap())
            .is_err());
    }
}
