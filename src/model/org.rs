//! Organisations: handles and profile fields.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::FieldError;

/// An organisation handle: `@handle@domain` on the fediverse, so lowercase ASCII letters,
/// digits and `_`, 2 to 30 characters, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle(String);

impl Handle {
    pub fn parse(s: &str) -> Result<Handle, FieldError> {
        let h = s.trim().trim_start_matches('@');
        let ok = (2..=30).contains(&h.len())
            && h.starts_with(|c: char| c.is_ascii_lowercase())
            && h.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Handle(h.to_string()))
        } else {
            Err(FieldError::new("handle", "err-bad-handle", s))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An organisation as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Org {
    #[serde(skip)]
    pub id: i64,
    pub handle: String,
    pub name: String,
    /// Name per language code; `name` is the fallback.
    pub names: BTreeMap<String, String>,
    /// Plain-text description per language code.
    pub descriptions: BTreeMap<String, String>,
    pub website: Option<String>,
    #[serde(skip)]
    pub logo_sha256: Option<String>,
    #[serde(skip)]
    pub logo_media_type: Option<String>,
    /// PEM, for the actor document; `None` only for organisations created before federation.
    #[serde(skip)]
    pub public_key: Option<String>,
    /// Its Ed25519 key (multibase) for co-signatures; for a remote one, as its actor lists it.
    #[serde(skip)]
    pub signing_public: Option<String>,
    /// `organization`, or `campaign` for a campaign's Group actor.
    #[serde(skip)]
    pub kind: String,
    pub manually_approves_followers: bool,
    /// False for an organisation on another server, whose resources this instance keeps.
    pub local: bool,
    /// The ActivityPub id of a remote organisation.
    pub ap_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Org {
    pub fn name_in(&self, lang: &str) -> &str {
        self.names.get(lang).filter(|n| !n.is_empty()).unwrap_or(&self.name)
    }

    pub fn description_in(&self, lang: &str) -> Option<&str> {
        self.descriptions
            .get(lang)
            .or_else(|| self.descriptions.get("en"))
            .or_else(|| self.descriptions.values().next())
            .map(String::as_str)
            .filter(|d| !d.is_empty())
    }
}

/// Checks a display name.
pub fn check_name(field: &str, name: &str) -> Result<String, FieldError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(FieldError::new(field, "err-empty-name", ""));
    }
    if n.chars().count() > 120 {
        return Err(FieldError::new(field, "err-too-long", "120"));
    }
    Ok(n.to_string())
}

/// Checks a website address: http or https only.
pub fn check_website(s: &str) -> Result<Option<String>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match url::Url::parse(s) {
        Ok(u) if (u.scheme() == "https" || u.scheme() == "http") && u.host().is_some() => Ok(Some(u.to_string())),
        _ => Err(FieldError::new("website", "err-bad-url", s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_lowercase_ascii() {
        assert_eq!(Handle::parse("@redress").unwrap().as_str(), "redress");
        assert!(Handle::parse("Redress").is_err());
        assert!(Handle::parse("r").is_err());
        assert!(Handle::parse("1abc").is_err());
        assert!(Handle::parse("a-b").is_err());
        assert!(Handle::parse("trial_intl").is_ok());
    }

    #[test]
    fn websites_must_be_http() {
        assert!(check_website("javascript:alert(1)").is_err());
        assert_eq!(check_website("https://redress.org").unwrap().as_deref(), Some("https://redress.org/"));
        assert_eq!(check_website("").unwrap(), None);
    }
}
