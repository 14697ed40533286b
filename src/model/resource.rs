//! A library resource as it is written: its input shape (API body, import line), partial
//! updates, and validation into a `NewResource`. The read model is in `stored`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::lang::ContentLang;
use super::statement::StatementFields;
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
        super::apply_translations(&mut self.translations, p.translations);
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
    /// What a statement has besides (its call to action, signatories' digest...).
    pub statement: Option<StatementFields>,
}

impl ResourceInput {
    /// Checks every field, collecting all problems rather than stopping at the first.
    pub fn validate(&self, vocab: &Vocabularies, extra_langs: &[String]) -> Result<NewResource, Vec<FieldError>> {
        let mut errors = Vec::new();
        let r = self.validate_typed(vocab, extra_langs, (vocab::RESOURCE_TYPE, "type"), &mut errors);
        r.filter(|_| errors.is_empty()).ok_or(errors)
    }

    /// Checks every field into `errors`, with the type a term of `scheme` (resource types, or
    /// statement kinds) named `field` in errors. `None` only when nothing can be built.
    pub fn validate_typed(
        &self,
        vocab: &Vocabularies,
        extra_langs: &[String],
        (scheme, type_field): (&str, &str),
        errors: &mut Vec<FieldError>,
    ) -> Option<NewResource> {
        let resource_type = self.resource_type.trim().to_string();
        if !vocab.contains(scheme, &resource_type) {
            errors.push(FieldError::new(type_field, "err-unknown-term", &self.resource_type));
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
            if document_date(p).is_none() {
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
        original.map(|original_language| NewResource {
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
            statement: None,
        })
    }
}

/// How precisely a document's own date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A document's own date (a treaty's adoption, a judgment's delivery, a report's release):
/// `1998`, `1998-07` or `1998-07-17`, stored as written so that text order is date order
/// (`1998` < `1998-07` < `1998-07-17` < `1999`). Its first day and its precision.
pub fn document_date(s: &str) -> Option<(NaiveDate, Precision)> {
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split('-').collect();
    let (date, precision) = match parts.as_slice() {
        [y] if digits(y, 4) => (format!("{y}-01-01"), Precision::Year),
        [y, m] if digits(y, 4) && digits(m, 2) => (format!("{y}-{m}-01"), Precision::Month),
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => (s.to_string(), Precision::Day),
        _ => return None,
    };
    let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok()?;
    // nothing written before the year 1000 or after 9999 is a document here
    (1000..=9999).contains(&chrono::Datelike::year(&date)).then_some((date, precision))
}

/// The read model (what pages, feeds, the API and federation render) is in `stored`; its
/// types are named from here too, so that a resource's types are found in one place.
pub use super::stored::{
    made_public_at, path_of, public_status, ui_lang, Attachment, RemoteFile, Resource, StoredText,
};

#[cfg(test)]
mod tests {
    #[test]
    fn a_patch_with_null_clears_a_field_and_without_it_keeps_it() {
        for good in ["1998", "1998-07", "1998-07-17", "2024-02-29"] {
            assert!(super::document_date(good).is_some(), "{good}");
        }
        for bad in
            ["98", "1998-7", "1998-13", "1998-02-30", "2023-02-29", "1998-07-17T00:00", "0999", "1998/07", "", "١٩٩٨"]
        {
            assert!(super::document_date(bad).is_none(), "{bad}");
        }
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
