//! A library resource: its input shape (API body, import line), validation, and the
//! read model pages and the API render.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::lang::{ContentLang, Lang};
use super::text::render_markdown;
use super::vocab::{self, Vocabularies};
use super::FieldError;

pub const MAX_TITLE: usize = 300;
pub const MAX_SUMMARY: usize = 500;
pub const MAX_BODY: usize = 200_000;
const MAX_AUTHORS: usize = 20;
const MAX_TERMS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Published,
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            "withdrawn" => Some(Status::Withdrawn),
            _ => None,
        }
    }
}

/// One language's text, as written by an editor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextInput {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
}

/// The shape of `POST /api/v1/resources`, of each `amicus import` line and of each
/// `amicus export` line. Vocabulary fields hold term ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub org: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub original_language: String,
    pub translations: BTreeMap<String, TextInput>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub mechanisms: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading_level: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content_warnings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// Pinned to the organisation's profile (its actor's `featured` collection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<bool>,
}

/// `PATCH /api/v1/resources/{id}`: every field optional. A translation given replaces
/// that language alone; `null` removes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourcePatch {
    #[serde(rename = "type")]
    pub resource_type: Option<String>,
    pub original_language: Option<String>,
    #[serde(default)]
    pub translations: BTreeMap<String, Option<TextInput>>,
    pub themes: Option<Vec<String>>,
    pub mechanisms: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub audiences: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub reading_level: Option<Option<String>>,
    pub content_warnings: Option<Vec<String>>,
    pub sensitive: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub published: Option<Option<String>>,
    pub authors: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub licence: Option<Option<String>>,
    pub status: Option<String>,
    pub external_id: Option<String>,
    pub featured: Option<bool>,
}

/// A field that may be absent (`None`: unchanged), `null` (`Some(None)`: cleared) or set.
/// Serde alone reads `null` as absent.
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl ResourceInput {
    /// Applies a partial update on top of this input.
    pub fn apply(&mut self, p: ResourcePatch) {
        if let Some(v) = p.resource_type {
            self.resource_type = v;
        }
        if let Some(v) = p.original_language {
            self.original_language = v;
        }
        for (lang, text) in p.translations {
            match text {
                Some(t) => {
                    self.translations.insert(lang, t);
                }
                None => {
                    self.translations.remove(&lang);
                }
            }
        }
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = p.$f { self.$f = v; } )* };
        }
        set!(themes, mechanisms, countries, audiences, reading_level, content_warnings, published, authors, licence);
        if let Some(v) = p.sensitive {
            self.sensitive = Some(v);
        }
        if let Some(v) = p.status {
            self.status = Some(v);
        }
        if let Some(v) = p.external_id {
            self.external_id = Some(v);
        }
        if let Some(v) = p.featured {
            self.featured = Some(v);
        }
    }
}

/// A validated text, with its Markdown rendered to sanitised HTML.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub lang: ContentLang,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub body_html: String,
}

/// A resource that passed validation and can be stored.
#[derive(Debug, Clone)]
pub struct NewResource {
    pub external_id: Option<String>,
    pub resource_type: String,
    pub original_language: ContentLang,
    pub texts: Vec<Text>,
    /// (scheme, term id) pairs, deduplicated.
    pub terms: Vec<(String, String)>,
    pub reading_level: Option<String>,
    pub sensitive: bool,
    pub published_on: Option<String>,
    pub authors: Vec<String>,
    pub licence: Option<String>,
    pub status: Status,
    pub featured: bool,
}

impl ResourceInput {
    /// Checks every field, collecting all problems rather than stopping at the first.
    pub fn validate(&self, vocab: &Vocabularies, extra_langs: &[String]) -> Result<NewResource, Vec<FieldError>> {
        let mut errors = Vec::new();
        let resource_type = self.resource_type.trim().to_string();
        if !vocab.contains(vocab::RESOURCE_TYPE, &resource_type) {
            errors.push(FieldError::new("type", "err-unknown-term", &self.resource_type));
        }
        let original = ContentLang::parse(&self.original_language, extra_langs);
        if original.is_none() {
            errors.push(FieldError::new("original_language", "err-unsupported-language", &self.original_language));
        }
        let mut texts = Vec::new();
        if self.translations.is_empty() {
            errors.push(FieldError::new("translations", "err-no-translation", ""));
        }
        for (code, t) in &self.translations {
            let field = format!("translations.{code}");
            let Some(lang) = ContentLang::parse(code, extra_langs) else {
                errors.push(FieldError::new(&field, "err-unsupported-language", code));
                continue;
            };
            let title = t.title.trim();
            if title.is_empty() {
                errors.push(FieldError::new(&format!("{field}.title"), "err-empty-title", ""));
            } else if title.chars().count() > MAX_TITLE {
                errors.push(FieldError::new(&format!("{field}.title"), "err-too-long", &MAX_TITLE.to_string()));
            }
            let summary = t.summary.trim();
            if summary.chars().count() > MAX_SUMMARY {
                errors.push(FieldError::new(
                    &format!("{field}.summary"),
                    "err-summary-too-long",
                    &MAX_SUMMARY.to_string(),
                ));
            }
            if t.body.chars().count() > MAX_BODY {
                errors.push(FieldError::new(&format!("{field}.body"), "err-too-long", &MAX_BODY.to_string()));
            }
            texts.push(Text {
                lang,
                title: title.to_string(),
                summary: summary.to_string(),
                body: t.body.trim().to_string(),
                body_html: render_markdown(t.body.trim()),
            });
        }
        if let Some(o) = &original {
            if !self.translations.is_empty() && !texts.iter().any(|t| &t.lang == o) {
                errors.push(FieldError::new("original_language", "err-original-missing", o.as_str()));
            }
        }
        let mut terms = Vec::new();
        let lists = [
            ("themes", vocab::THEME, &self.themes),
            ("mechanisms", vocab::MECHANISM, &self.mechanisms),
            ("countries", vocab::COUNTRY, &self.countries),
            ("audiences", vocab::AUDIENCE, &self.audiences),
            ("content_warnings", vocab::CONTENT_WARNING, &self.content_warnings),
        ];
        for (field, scheme, values) in lists {
            if values.len() > MAX_TERMS {
                errors.push(FieldError::new(field, "err-too-many", &MAX_TERMS.to_string()));
                continue;
            }
            for v in values {
                let id = if scheme == vocab::COUNTRY { v.trim().to_ascii_lowercase() } else { v.trim().to_string() };
                if !vocab.contains(scheme, &id) {
                    errors.push(FieldError::new(field, "err-unknown-term", v));
                } else if !terms.iter().any(|(s, t)| s == scheme && t == &id) {
                    terms.push((scheme.to_string(), id));
                }
            }
        }
        let reading_level = self.reading_level.as_ref().map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if let Some(r) = &reading_level {
            if !vocab.contains(vocab::READING_LEVEL, r) {
                errors.push(FieldError::new("reading_level", "err-unknown-term", r));
            }
        }
        let published_on = self.published.as_ref().map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
        if let Some(p) = &published_on {
            if NaiveDate::parse_from_str(p, "%Y-%m-%d").is_err() {
                errors.push(FieldError::new("published", "err-bad-date", p));
            }
        }
        let authors: Vec<String> =
            self.authors.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        if authors.len() > MAX_AUTHORS || authors.iter().any(|a| a.chars().count() > 200) {
            errors.push(FieldError::new("authors", "err-too-many", &MAX_AUTHORS.to_string()));
        }
        let licence = self.licence.as_ref().map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
        if licence.as_ref().is_some_and(|l| l.chars().count() > 200) {
            errors.push(FieldError::new("licence", "err-too-long", "200"));
        }
        let status = match self.status.as_deref() {
            None => Status::Draft,
            Some(s) => Status::parse(s).unwrap_or_else(|| {
                errors.push(FieldError::new("status", "err-bad-status", s));
                Status::Draft
            }),
        };
        let external_id = self.external_id.as_ref().map(|e| e.trim().to_string()).filter(|e| !e.is_empty());
        if external_id.as_ref().is_some_and(|e| e.len() > 200) {
            errors.push(FieldError::new("external_id", "err-too-long", "200"));
        }
        // Testimony and anything carrying a content warning is sensitive unless the editor
        // explicitly says otherwise.
        let sensitive =
            self.sensitive.unwrap_or(resource_type == "survivor-testimony" || !self.content_warnings.is_empty());
        match (errors.is_empty(), original) {
            (true, Some(original_language)) => Ok(NewResource {
                external_id,
                resource_type,
                original_language,
                texts,
                terms,
                reading_level,
                sensitive,
                published_on,
                authors,
                licence,
                status,
                featured: self.featured.unwrap_or(false),
            }),
            _ => Err(errors),
        }
    }
}

/// One language of a stored resource.
#[derive(Debug, Clone, Serialize)]
pub struct StoredText {
    pub lang: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub body_html: String,
}

/// A stored attachment.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub uid: String,
    pub lang: String,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    /// Empty for a remote file not fetched yet.
    pub sha256: String,
    /// Where a remote resource's file lives, and the SHA-256 (hex) its server declared.
    #[serde(skip)]
    pub remote: Option<RemoteFile>,
}

/// The origin of a remote resource's attachment.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteFile {
    pub url: String,
    pub digest: Option<String>,
}

/// A resource as read back from the database.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    #[serde(skip)]
    pub id: i64,
    pub uid: String,
    #[serde(skip)]
    pub org_id: i64,
    pub org_handle: String,
    pub org_name: String,
    pub external_id: Option<String>,
    pub resource_type: String,
    pub original_language: String,
    pub status: Status,
    pub sensitive: bool,
    pub reading_level: Option<String>,
    pub licence: Option<String>,
    pub published_on: Option<String>,
    pub featured: bool,
    /// False for a resource received from another server.
    pub local: bool,
    /// For a remote resource: its ActivityPub id and its page on its own server.
    pub ap_id: Option<String>,
    pub origin_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When it was made public here (its first publication), not when its draft was made.
    pub published_at: Option<DateTime<Utc>>,
    /// The id of the `Create` that made it public (the last time it was).
    pub create_id: Option<String>,
    pub texts: Vec<StoredText>,
    pub terms: Vec<(String, String)>,
    pub authors: Vec<String>,
    pub attachments: Vec<Attachment>,
}

/// When a resource is public from, after a change to `status`: kept from its first
/// publication, `now` if this change publishes it first, none while it never was public.
pub fn made_public_at(before: Option<DateTime<Utc>>, status: Status, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    before.or((status != Status::Draft).then_some(now))
}

impl Resource {
    /// `new` as it will read once stored: what an activity announcing the change describes,
    /// built before the write so both can be committed together.
    pub fn preview(
        new: &NewResource,
        id: i64,
        uid: &str,
        org: (i64, &str, &str),
        (created_at, updated_at, published_at): (DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>),
        attachments: Vec<Attachment>,
    ) -> Resource {
        let original = new.original_language.as_str().to_string();
        let mut texts: Vec<StoredText> = new
            .texts
            .iter()
            .map(|t| StoredText {
                lang: t.lang.as_str().to_string(),
                title: t.title.clone(),
                summary: t.summary.clone(),
                body: t.body.clone(),
                body_html: t.body_html.clone(),
            })
            .collect();
        texts.sort_by_key(|t| (t.lang != original, t.lang.clone()));
        let mut terms = new.terms.clone();
        terms.sort();
        Resource {
            id,
            uid: uid.to_string(),
            org_id: org.0,
            org_handle: org.1.to_string(),
            org_name: org.2.to_string(),
            external_id: new.external_id.clone(),
            resource_type: new.resource_type.clone(),
            original_language: original,
            status: new.status,
            sensitive: new.sensitive,
            reading_level: new.reading_level.clone(),
            licence: new.licence.clone(),
            published_on: new.published_on.clone(),
            featured: new.featured,
            local: true,
            ap_id: None,
            origin_url: None,
            created_at,
            updated_at,
            published_at,
            create_id: None,
            texts,
            terms,
            authors: new.authors.clone(),
            attachments,
        }
    }

    /// The text to show a reader of `lang`: theirs if it exists, else the original.
    pub fn text_for(&self, lang: &str) -> Option<&StoredText> {
        self.texts
            .iter()
            .find(|t| t.lang == lang)
            .or_else(|| self.texts.iter().find(|t| t.lang == self.original_language))
            .or_else(|| self.texts.first())
    }

    pub fn has_lang(&self, lang: &str) -> bool {
        self.texts.iter().any(|t| t.lang == lang)
    }

    pub fn terms_of<'a>(&'a self, scheme: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.terms.iter().filter(move |(s, _)| s == scheme).map(|(_, t)| t.as_str())
    }

    /// Back to the input shape: what `amicus export` writes and PATCH starts from.
    pub fn to_input(&self) -> ResourceInput {
        let list = |scheme: &str| self.terms_of(scheme).map(str::to_string).collect::<Vec<_>>();
        ResourceInput {
            external_id: Some(self.external_id.clone().unwrap_or_else(|| self.uid.clone())),
            org: self.org_handle.clone(),
            resource_type: self.resource_type.clone(),
            original_language: self.original_language.clone(),
            translations: self
                .texts
                .iter()
                .map(|t| {
                    (
                        t.lang.clone(),
                        TextInput { title: t.title.clone(), summary: t.summary.clone(), body: t.body.clone() },
                    )
                })
                .collect(),
            themes: list(vocab::THEME),
            mechanisms: list(vocab::MECHANISM),
            countries: list(vocab::COUNTRY),
            audiences: list(vocab::AUDIENCE),
            reading_level: self.reading_level.clone(),
            content_warnings: list(vocab::CONTENT_WARNING),
            sensitive: Some(self.sensitive),
            published: self.published_on.clone(),
            authors: self.authors.clone(),
            licence: self.licence.clone(),
            status: Some(self.status.as_str().to_string()),
            featured: self.featured.then_some(true),
        }
    }

    /// Languages the resource is available in, original first.
    pub fn languages(&self) -> Vec<&str> {
        let mut out = vec![self.original_language.as_str()];
        out.extend(self.texts.iter().map(|t| t.lang.as_str()).filter(|l| *l != self.original_language));
        out
    }

    pub fn year(&self) -> Option<&str> {
        self.published_on.as_deref().and_then(|d| d.get(..4))
    }
}

/// The interface language, if any, matching a content language code.
pub fn ui_lang(code: &str) -> Option<Lang> {
    Lang::parse(code).filter(|l| l.code() == code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_patch_with_null_clears_a_field_and_without_it_keeps_it() {
        let cleared: ResourcePatch = serde_json::from_str(r#"{"licence": null, "published": null}"#).unwrap();
        assert_eq!(cleared.licence, Some(None));
        assert_eq!(cleared.published, Some(None));
        assert_eq!(cleared.reading_level, None, "absent: unchanged");
        let set: ResourcePatch = serde_json::from_str(r#"{"licence": "CC BY 4.0"}"#).unwrap();
        assert_eq!(set.licence, Some(Some("CC BY 4.0".into())));
    }

    use super::*;

    fn input() -> ResourceInput {
        ResourceInput {
            org: "redress".into(),
            resource_type: "practical-guide".into(),
            original_language: "en".into(),
            translations: BTreeMap::from([(
                "en".into(),
                TextInput {
                    title: "Guide".into(),
                    summary: "Short.".into(),
                    body: "Hello <script>alert(1)</script>".into(),
                },
            )]),
            themes: vec!["torture".into()],
            countries: vec!["SY".into()],
            status: Some("published".into()),
            ..ResourceInput::default()
        }
    }

    #[test]
    fn a_valid_input_is_accepted_and_its_body_sanitised() {
        let v = Vocabularies::load(None).unwrap();
        let r = input().validate(&v, &[]).unwrap();
        assert_eq!(r.status, Status::Published);
        assert!(r.terms.contains(&("country".into(), "sy".into())));
        assert!(!r.texts[0].body_html.contains("<script"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let v = Vocabularies::load(None).unwrap();
        let mut i = input();
        i.resource_type = "pamphlet".into();
        i.themes.push("nonsense".into());
        i.translations.insert("xx".into(), TextInput::default());
        i.translations.get_mut("en").unwrap().summary = "a".repeat(501);
        let errors = i.validate(&v, &[]).unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(codes.contains(&("type", "err-unknown-term")));
        assert!(codes.contains(&("themes", "err-unknown-term")));
        assert!(codes.contains(&("translations.xx", "err-unsupported-language")));
        assert!(codes.contains(&("translations.en.summary", "err-summary-too-long")));
    }

    #[test]
    fn a_summary_of_exactly_500_characters_is_allowed_in_arabic() {
        let v = Vocabularies::load(None).unwrap();
        let mut i = input();
        i.original_language = "ar".into();
        i.translations = BTreeMap::from([(
            "ar".into(),
            TextInput { title: "دليل".into(), summary: "ب".repeat(500), body: String::new() },
        )]);
        assert!(i.validate(&v, &[]).is_ok());
    }

    #[test]
    fn testimony_is_sensitive_by_default() {
        let v = Vocabularies::load(None).unwrap();
        let mut i = input();
        i.resource_type = "survivor-testimony".into();
        assert!(i.validate(&v, &[]).unwrap().sensitive);
    }

    #[test]
    fn a_patch_changes_one_translation_and_keeps_the_rest() {
        let mut i = input();
        i.translations.insert("fr".into(), TextInput { title: "Guide FR".into(), ..TextInput::default() });
        let patch: ResourcePatch =
            serde_json::from_str(r#"{"translations": {"ar": {"title": "دليل"}, "fr": null}}"#).unwrap();
        i.apply(patch);
        assert_eq!(i.translations.keys().collect::<Vec<_>>(), vec!["ar", "en"]);
        assert_eq!(i.themes, vec!["torture".to_string()]);
    }
}
