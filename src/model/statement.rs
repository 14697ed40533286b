//! A statement (joint statement, sign-on letter, open letter, press release...): a publication
//! of the library with what only statements have: a call to action, targets, hashtags, an
//! embargo, signatories, and the version and digest of the text they sign.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::resource::{NewResource, ResourceInput, TextInput};
use super::vocab::{self, Vocabularies};
use super::FieldError;

const MAX_TARGETS: usize = 20;
const MAX_HASHTAGS: usize = 10;
const MAX_EXTERNAL: usize = 500;
const MAX_LINE: usize = 200;
const MAX_CTA: usize = 500;

/// What a statement asks of its readers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallToAction {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub url: Option<String>,
    /// A date (`2027-03-01`).
    #[serde(default)]
    pub deadline: Option<String>,
}

/// The shape of `POST /api/v1/statements` and of a statement's `amicus export` line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub org: String,
    pub kind: String,
    pub original_language: String,
    pub translations: BTreeMap<String, TextInput>,
    #[serde(default)]
    pub status: Option<String>,
    /// RFC 3339 (`2027-01-15T09:00:00Z`); nothing is public or sent before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embargo_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_to_action: Option<CallToAction>,
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub hashtags: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub mechanisms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// Any organisation on an allowed instance may ask to sign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_signing: Option<bool>,
    /// Signatories on no server, named by the lead (shown as such).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_signatories: Vec<String>,
    /// The statement's own date (`YYYY-MM-DD`), as resources have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<bool>,
}

/// `PATCH /api/v1/statements/{id}`: every field optional; `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementPatch {
    pub kind: Option<String>,
    pub original_language: Option<String>,
    #[serde(default)]
    pub translations: BTreeMap<String, Option<TextInput>>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub embargo_until: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub call_to_action: Option<Option<CallToAction>>,
    pub targets: Option<Vec<String>>,
    pub hashtags: Option<Vec<String>>,
    pub themes: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub mechanisms: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub case: Option<Option<String>>,
    pub open_signing: Option<bool>,
    pub external_signatories: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub published: Option<Option<String>>,
    pub featured: Option<bool>,
    pub external_id: Option<String>,
}

fn nullable<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl StatementInput {
    pub fn apply(&mut self, p: StatementPatch) {
        super::apply_translations(&mut self.translations, p.translations);
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = p.$f { self.$f = v; } )* };
        }
        set!(kind, original_language, targets, hashtags, themes, countries, mechanisms, external_signatories);
        set!(embargo_until, call_to_action, case, published);
        if p.status.is_some() {
            self.status = p.status;
        }
        if p.open_signing.is_some() {
            self.open_signing = p.open_signing;
        }
        if p.featured.is_some() {
            self.featured = p.featured;
        }
        if p.external_id.is_some() {
            self.external_id = p.external_id;
        }
    }

    /// The library's part of the statement: its texts, terms and status, typed by its kind.
    pub fn resource_input(&self) -> ResourceInput {
        ResourceInput {
            external_id: self.external_id.clone(),
            org: self.org.clone(),
            resource_type: self.kind.clone(),
            original_language: self.original_language.clone(),
            translations: self.translations.clone(),
            themes: self.themes.clone(),
            mechanisms: self.mechanisms.clone(),
            countries: self.countries.clone(),
            published: self.published.clone(),
            status: self.status.clone(),
            featured: self.featured,
            sensitive: Some(false),
            ..ResourceInput::default()
        }
    }

    /// Checks every field: the library's part as a resource's (its kind a statement kind),
    /// then what only statements have. The version and digest are the caller's to set.
    pub fn validate(&self, vocab: &Vocabularies, extra_langs: &[String]) -> Result<NewResource, Vec<FieldError>> {
        let mut errors = Vec::new();
        let r = self.resource_input().validate_typed(vocab, extra_langs, (vocab::STATEMENT_KIND, "kind"), &mut errors);
        let fields = self.validate_statement(&mut errors);
        match r {
            Some(mut r) if errors.is_empty() => {
                r.statement = Some(fields);
                Ok(r)
            }
            _ => Err(errors),
        }
    }

    /// Checks what only statements have (the library's part is checked as a resource's).
    pub fn validate_statement(&self, errors: &mut Vec<FieldError>) -> StatementFields {
        let line = |errors: &mut Vec<FieldError>, field: &str, v: &str, max: usize| -> Option<String> {
            let v = v.trim();
            if v.chars().count() > max {
                errors.push(FieldError::new(field, "err-too-long", &max.to_string()));
            }
            (!v.is_empty()).then(|| v.to_string())
        };
        let list = |errors: &mut Vec<FieldError>, field: &str, values: &[String], max: usize| -> Vec<String> {
            if values.len() > max {
                errors.push(FieldError::new(field, "err-too-many", &max.to_string()));
            }
            let mut out: Vec<String> = Vec::new();
            for v in values.iter().take(max) {
                if let Some(v) = line(errors, field, v, MAX_LINE) {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
            out
        };
        let embargo_until = self.embargo_until.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| {
            DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
                errors.push(FieldError::new("embargo_until", "err-bad-embargo", s));
                None
            })
        });
        let call_to_action = self.call_to_action.as_ref().and_then(|c| {
            let text = line(errors, "call_to_action.text", &c.text, MAX_CTA).unwrap_or_default();
            let url = c.url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
            if let Some(u) = &url {
                let ok = url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https")) && u.len() <= 2000;
                if !ok {
                    errors.push(FieldError::new("call_to_action.url", "err-bad-url", u));
                }
            }
            let deadline = c.deadline.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
            if let Some(d) = &deadline {
                if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                    errors.push(FieldError::new("call_to_action.deadline", "err-bad-date", d));
                }
            }
            (!text.is_empty() || url.is_some() || deadline.is_some()).then_some(CallToAction { text, url, deadline })
        });
        let targets = list(errors, "targets", &self.targets, MAX_TARGETS);
        let mut hashtags = Vec::new();
        if self.hashtags.len() > MAX_HASHTAGS {
            errors.push(FieldError::new("hashtags", "err-too-many", &MAX_HASHTAGS.to_string()));
        }
        for h in self.hashtags.iter().take(MAX_HASHTAGS) {
            match clean_hashtag(h) {
                Some(tag) if !hashtags.contains(&tag) => hashtags.push(tag),
                Some(_) => {}
                None => errors.push(FieldError::new("hashtags", "err-bad-hashtag", h)),
            }
        }
        let case_name = self.case.as_deref().and_then(|c| line(errors, "case", c, MAX_LINE));
        let external_signatories = list(errors, "external_signatories", &self.external_signatories, MAX_EXTERNAL);
        StatementFields {
            version: 1,
            digest: String::new(),
            embargo_until,
            call_to_action,
            targets,
            hashtags,
            case_name,
            open_signing: self.open_signing.unwrap_or(false),
            external_signatories,
        }
    }
}

/// A hashtag as it is kept: without its `#`, letters (in any script), digits and `_` only.
pub fn clean_hashtag(h: &str) -> Option<String> {
    let t = h.trim().trim_start_matches('#');
    let ok = !t.is_empty() && t.chars().count() <= 100 && t.chars().all(|c| c.is_alphanumeric() || c == '_');
    ok.then(|| t.to_string())
}

/// What only a statement has, checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StatementFields {
    pub version: i64,
    /// What signatories sign (see [`text_digest`]).
    pub digest: String,
    pub embargo_until: Option<DateTime<Utc>>,
    pub call_to_action: Option<CallToAction>,
    pub targets: Vec<String>,
    pub hashtags: Vec<String>,
    pub case_name: Option<String>,
    pub open_signing: bool,
    pub external_signatories: Vec<String>,
}

/// How far an organisation has got with signing a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureState {
    Invited,
    Requested,
    Signed,
    Declined,
    Withdrawn,
}

impl SignatureState {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureState::Invited => "invited",
            SignatureState::Requested => "requested",
            SignatureState::Signed => "signed",
            SignatureState::Declined => "declined",
            SignatureState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<SignatureState> {
        Some(match s {
            "invited" => SignatureState::Invited,
            "requested" => SignatureState::Requested,
            "signed" => SignatureState::Signed,
            "declined" => SignatureState::Declined,
            "withdrawn" => SignatureState::Withdrawn,
            _ => return None,
        })
    }
}

/// One organisation's signature (or invitation to sign) of a statement.
#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    #[serde(skip)]
    pub org_id: i64,
    /// The organisation's handle here: `name` for one of this instance, `name@host` else.
    pub handle: String,
    pub name: String,
    /// The actor (ActivityPub id) of an organisation on another server; see [`Signature::actor_id`].
    pub actor: String,
    pub local: bool,
    pub state: SignatureState,
    /// The version signed.
    pub version: Option<i64>,
    pub digest: Option<String>,
    pub invite_id: Option<String>,
    pub accept_id: Option<String>,
    /// The Data Integrity proof of its acceptance (JSON).
    #[serde(skip)]
    pub proof: Option<String>,
    pub verified: bool,
    pub signed_at: Option<DateTime<Utc>>,
}

impl Signature {
    /// The organisation's actor id: as stored for one on another server, made from its handle
    /// for one of this instance (`base` is this instance's base URL).
    pub fn actor_id(&self, base: &str) -> String {
        match self.local {
            true => format!("{base}/orgs/{}", self.handle),
            false => self.actor.clone(),
        }
    }

    /// `@name@host`, the organisation's address on the fediverse.
    pub fn acct(&self, domain: &str) -> String {
        if self.local {
            format!("@{}@{domain}", self.handle)
        } else {
            format!("@{}", self.handle)
        }
    }
}

/// The digest signatories sign: a base58btc multihash (`zQm…`) of the SHA-256 of the
/// JSON Canonicalization Scheme (RFC 8785) form of `{"contentMap", "nameMap", "version"}`,
/// the body (HTML, as federated) and title in every language.
pub fn text_digest(titles: &BTreeMap<String, String>, bodies: &BTreeMap<String, String>, version: i64) -> String {
    let doc = serde_json::json!({ "nameMap": titles, "contentMap": bodies, "version": version });
    multihash(&jcs(&doc))
}

/// The base58btc sha2-256 multihash of `bytes`.
pub fn multihash(bytes: &str) -> String {
    let mut m = vec![0x12, 0x20];
    m.extend(Sha256::digest(bytes.as_bytes()));
    format!("z{}", bs58::encode(m).into_string())
}

/// RFC 8785 canonical JSON: object members sorted by their names' UTF-16 code units, no
/// whitespace, strings escaped as ECMAScript does (which serde_json matches). Numbers are
/// written as serde_json writes them, which RFC 8785 agrees with for the integers used here.
pub fn jcs(v: &Value) -> String {
    let mut out = String::new();
    write_jcs(v, &mut out);
    out
}

fn write_jcs(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write_jcs(&m[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_jcs(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_members_and_escapes_as_rfc_8785() {
        let v = serde_json::json!({"b": [1, "\u{1}é\n"], "a": {"z": true, "é": null, "A": "\"/"}});
        assert_eq!(jcs(&v), r#"{"a":{"A":"\"/","z":true,"é":null},"b":[1,"\u0001é\n"]}"#);
    }

    #[test]
    fn the_digest_changes_with_any_language_and_with_the_version() {
        let t = BTreeMap::from([("en".to_string(), "Title".to_string())]);
        let b = BTreeMap::from([("en".to_string(), "<p>Body</p>".to_string())]);
        let d1 = text_digest(&t, &b, 1);
        assert!(d1.starts_with("zQm"), "{d1}");
        assert_eq!(d1, text_digest(&t, &b, 1));
        assert_ne!(d1, text_digest(&t, &b, 2));
        let mut b2 = b.clone();
        b2.insert("ar".into(), "<p>نص</p>".into());
        assert_ne!(d1, text_digest(&t, &b2, 1));
    }

    #[test]
    fn hashtags_keep_letters_of_any_script() {
        assert_eq!(clean_hashtag("#MakingJusticeWork").as_deref(), Some("MakingJusticeWork"));
        assert_eq!(clean_hashtag("العدالة_الآن").as_deref(), Some("العدالة_الآن"));
        assert_eq!(clean_hashtag("two words"), None);
        assert_eq!(clean_hashtag("#"), None);
    }

    #[test]
    fn bad_fields_are_all_reported() {
        let input = StatementInput {
            embargo_until: Some("tomorrow".into()),
            call_to_action: Some(CallToAction {
                text: "Sign".into(),
                url: Some("javascript:alert(1)".into()),
                deadline: Some("2027-13-01".into()),
            }),
            hashtags: vec!["ok".into(), "not ok".into()],
            targets: vec!["x".repeat(201)],
            ..StatementInput::default()
        };
        let mut errors = Vec::new();
        input.validate_statement(&mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["embargo_until", "call_to_action.url", "call_to_action.deadline", "hashtags", "targets"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }
}
