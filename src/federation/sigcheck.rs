//! What a signature must cover before its cryptography is even looked at, as strict as
//! Mastodon: `(request-target)`, `host` and `date` (or `(created)`) among the signed headers,
//! and `digest` for a request with a body; the signed date within an hour of now, in either
//! direction; and a `keyId` on the same host as the actor it speaks for. The federation crate
//! (inbox) and `authorized` (fetches) then check the signature itself.

use std::time::{Duration, SystemTime};

use axum::http::HeaderMap;
use url::Url;

use crate::error::{AppError, AppResult};

/// How far a signed date may be from now, either way.
pub const CLOCK_SKEW: Duration = Duration::from_secs(3600);

/// The parameters of a `Signature` header that the checks need.
#[derive(Debug, PartialEq, Eq)]
pub struct SignatureParams {
    pub key_id: String,
    pub headers: Vec<String>,
    pub created: Option<u64>,
}

/// Parses `keyId="…",algorithm="…",headers="…",signature="…"`.
pub fn parse(header: &str) -> Option<SignatureParams> {
    let mut key_id = None;
    let mut headers = None;
    let mut created = None;
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=')?;
        let name = name.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match name.as_str() {
            "keyid" => key_id = Some(value.to_string()),
            "headers" => headers = Some(value.split_whitespace().map(str::to_ascii_lowercase).collect()),
            "created" => created = value.parse().ok(),
            _ => {}
        }
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    // without a `headers` list, only `date` is signed (draft-cavage)
    Some(SignatureParams { key_id: key_id?, headers: headers.unwrap_or_else(|| vec!["date".into()]), created })
}

/// Checks what the signature of a request covers and when it was made; returns its
/// parameters. `with_body`: a POST, whose body must be covered by a signed `digest`.
pub fn check(headers: &HeaderMap, with_body: bool, now: SystemTime) -> AppResult<SignatureParams> {
    let header = headers.get("signature").and_then(|v| v.to_str().ok()).ok_or(AppError::Unauthorized)?;
    let params = parse(header).ok_or(AppError::Unauthorized)?;
    let signed = |h: &str| params.headers.iter().any(|x| x == h);
    let dated = signed("date") || signed("(created)");
    if !signed("(request-target)") || !signed("host") || !dated || (with_body && !signed("digest")) {
        return Err(AppError::Unauthorized);
    }
    let when = if signed("(created)") {
        SystemTime::UNIX_EPOCH + Duration::from_secs(params.created.ok_or(AppError::Unauthorized)?)
    } else {
        let date = headers.get("date").and_then(|v| v.to_str().ok()).ok_or(AppError::Unauthorized)?;
        httpdate::parse_http_date(date).map_err(|_| AppError::Unauthorized)?
    };
    let skew = now.duration_since(when).or_else(|e| Ok::<_, AppError>(e.duration()))?;
    if skew > CLOCK_SKEW {
        return Err(AppError::Unauthorized);
    }
    Ok(params)
}

/// Whether a key id is on the actor's own host (and port): a key of another server never
/// speaks for this actor.
pub fn key_on_actors_host(key_id: &str, actor: &Url) -> bool {
    Url::parse(key_id).is_ok_and(|k| super::net::same_host(actor, &k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn request(sig_headers: &str, date: SystemTime) -> HeaderMap {
        let mut h = HeaderMap::new();
        let sig = format!(
            r#"keyId="https://a.example/u#main-key",algorithm="rsa-sha256",headers="{sig_headers}",signature="AAA=""#
        );
        h.insert("signature", HeaderValue::from_str(&sig).unwrap());
        h.insert("date", HeaderValue::from_str(&httpdate::fmt_http_date(date)).unwrap());
        h
    }

    #[test]
    fn parameters_are_read_with_or_without_quotes() {
        let p = parse(
            r#"keyId="https://a.example/u#k", headers="(request-target) host date",created=1700000000,signature="x=""#,
        )
        .unwrap();
        assert_eq!(p.key_id, "https://a.example/u#k");
        assert_eq!(p.headers, ["(request-target)", "host", "date"]);
        assert_eq!(p.created, Some(1_700_000_000));
        assert_eq!(parse(r#"keyId="k",signature="s""#).unwrap().headers, ["date"]);
        assert!(parse(r#"signature="s""#).is_none());
    }

    #[test]
    fn the_target_host_date_and_digest_must_be_signed_and_the_date_recent() {
        let now = SystemTime::now();
        let all = "(request-target) host date digest";
        assert!(check(&request(all, now), true, now).is_ok());
        assert!(check(&request("(request-target) host date", now), false, now).is_ok());
        assert!(check(&request("(request-target) host date", now), true, now).is_err(), "body unsigned");
        assert!(check(&request("host date digest", now), true, now).is_err(), "target unsigned");
        assert!(check(&request("(request-target) date digest", now), true, now).is_err(), "host unsigned");
        assert!(check(&request("(request-target) host digest", now), true, now).is_err(), "date unsigned");
        let hours = |h: u64| Duration::from_secs(h * 3600);
        assert!(check(&request(all, now + hours(2)), true, now).is_err(), "two hours ahead");
        assert!(check(&request(all, now - hours(2)), true, now).is_err(), "two hours old");
        assert!(check(&request(all, now - Duration::from_secs(1800)), true, now).is_ok(), "half an hour");
        assert!(check(&HeaderMap::new(), true, now).is_err(), "unsigned");
    }

    #[test]
    fn a_key_of_another_host_does_not_speak_for_the_actor() {
        let actor = Url::parse("https://a.example/users/x").unwrap();
        assert!(key_on_actors_host("https://a.example/users/x#main-key", &actor));
        assert!(key_on_actors_host("https://a.example/users/x/publickey", &actor));
        assert!(!key_on_actors_host("https://b.example/users/x#main-key", &actor));
        assert!(!key_on_actors_host("not a url", &actor));
    }
}
