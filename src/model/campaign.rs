//! A campaign: a hashtag, texts in several languages (title, goals, call to action), dates,
//! a banner with its description, and the statements, resources and events it gathers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lang::ContentLang;
use super::statement::clean_hashtag;
use super::FieldError;

/// One language of a campaign.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignText {
    pub title: String,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub call_to_action: String,
}

/// `POST /api/v1/campaigns`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    /// The organising organisation.
    pub org: String,
    /// The campaign's own handle, for its followable actor (`@makingjusticework@host`).
    pub handle: String,
    pub hashtag: String,
    pub original_language: String,
    pub translations: BTreeMap<String, CampaignText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_to_action_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `PATCH /api/v1/campaigns/{id}`: what is given replaces; `translations` per language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignPatch {
    pub hashtag: Option<String>,
    pub original_language: Option<String>,
    #[serde(default)]
    pub translations: BTreeMap<String, Option<CampaignText>>,
    pub call_to_action_url: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub status: Option<String>,
}

impl CampaignInput {
    pub fn apply(&mut self, p: CampaignPatch) {
        super::apply_translations(&mut self.translations, p.translations);
        if let Some(v) = p.hashtag {
            self.hashtag = v;
        }
        if let Some(v) = p.original_language {
            self.original_language = v;
        }
        if p.call_to_action_url.is_some() {
            self.call_to_action_url = p.call_to_action_url.filter(|u| !u.is_empty());
        }
        if p.starts_on.is_some() {
            self.starts_on = p.starts_on.filter(|d| !d.is_empty());
        }
        if p.ends_on.is_some() {
            self.ends_on = p.ends_on.filter(|d| !d.is_empty());
        }
        if p.status.is_some() {
            self.status = p.status;
        }
    }

    /// Checks every field, collecting all problems.
    pub fn validate(&self, extra_langs: &[String]) -> Result<NewCampaign, Vec<FieldError>> {
        let mut errors = Vec::new();
        let hashtag = clean_hashtag(&self.hashtag);
        if hashtag.is_none() {
            errors.push(FieldError::new("hashtag", "err-bad-hashtag", &self.hashtag));
        }
        let original = ContentLang::parse(&self.original_language, extra_langs);
        if original.is_none() {
            errors.push(FieldError::new("original_language", "err-unsupported-language", &self.original_language));
        }
        if self.translations.is_empty() {
            errors.push(FieldError::new("translations", "err-no-translation", ""));
        }
        let mut texts = BTreeMap::new();
        for (code, t) in &self.translations {
            let field = format!("translations.{code}");
            let Some(lang) = ContentLang::parse(code, extra_langs) else {
                errors.push(FieldError::new(&field, "err-unsupported-language", code));
                continue;
            };
            let title = t.title.trim();
            if title.is_empty() {
                errors.push(FieldError::new(&format!("{field}.title"), "err-empty-title", ""));
            }
            for (name, v, max) in [
                ("title", title, 300),
                ("goals", t.goals.trim(), 5000),
                ("call_to_action", t.call_to_action.trim(), 1000),
            ] {
                if v.chars().count() > max {
                    errors.push(FieldError::new(&format!("{field}.{name}"), "err-too-long", &max.to_string()));
                }
            }
            texts.insert(
                lang.as_str().to_string(),
                CampaignText {
                    title: title.to_string(),
                    goals: t.goals.trim().to_string(),
                    call_to_action: t.call_to_action.trim().to_string(),
                },
            );
        }
        if let Some(o) = &original {
            if !self.translations.is_empty() && !texts.contains_key(o.as_str()) {
                errors.push(FieldError::new("original_language", "err-original-missing", o.as_str()));
            }
        }
        let url = self.call_to_action_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        if let Some(u) = url {
            if !url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https")) {
                errors.push(FieldError::new("call_to_action_url", "err-bad-url", u));
            }
        }
        let date = |errors: &mut Vec<FieldError>, field: &str, v: &Option<String>| {
            let v = v.as_deref().map(str::trim).filter(|d| !d.is_empty())?;
            if chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err() {
                errors.push(FieldError::new(field, "err-bad-date", v));
                return None;
            }
            Some(v.to_string())
        };
        let starts_on = date(&mut errors, "starts_on", &self.starts_on);
        let ends_on = date(&mut errors, "ends_on", &self.ends_on);
        if let (Some(s), Some(e)) = (&starts_on, &ends_on) {
            if e < s {
                errors.push(FieldError::new("ends_on", "err-end-before-start", e));
            }
        }
        let published = match self.status.as_deref().unwrap_or("draft") {
            "draft" => false,
            "published" => true,
            other => {
                errors.push(FieldError::new("status", "err-bad-status", other));
                false
            }
        };
        match (errors.is_empty(), original, hashtag) {
            (true, Some(original), Some(hashtag)) => Ok(NewCampaign {
                hashtag,
                original_language: original.as_str().to_string(),
                texts,
                cta_url: url.map(str::to_string),
                starts_on,
                ends_on,
                published,
            }),
            _ => Err(errors),
        }
    }
}

/// A campaign that passed validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewCampaign {
    pub hashtag: String,
    pub original_language: String,
    pub texts: BTreeMap<String, CampaignText>,
    pub cta_url: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub published: bool,
}

/// A stored campaign.
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    #[serde(skip)]
    pub id: i64,
    pub uid: String,
    /// Its Group actor's organisation row.
    #[serde(skip)]
    pub group_id: i64,
    pub handle: String,
    #[serde(skip)]
    pub org_id: i64,
    pub org_handle: String,
    pub org_name: String,
    pub fields: NewCampaign,
    pub banner: Option<(String, String)>,
    pub banner_alt: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Campaign {
    /// The text in `lang`, else the original.
    pub fn text_for(&self, lang: &str) -> Option<(&str, &CampaignText)> {
        self.fields
            .texts
            .get_key_value(lang)
            .or_else(|| self.fields.texts.get_key_value(&self.fields.original_language))
            .or_else(|| self.fields.texts.iter().next())
            .map(|(l, t)| (l.as_str(), t))
    }

    pub fn to_input(&self) -> CampaignInput {
        CampaignInput {
            org: self.org_handle.clone(),
            handle: self.handle.clone(),
            hashtag: self.fields.hashtag.clone(),
            original_language: self.fields.original_language.clone(),
            translations: self.fields.texts.clone(),
            call_to_action_url: self.fields.cta_url.clone(),
            starts_on: self.fields.starts_on.clone(),
            ends_on: self.fields.ends_on.clone(),
            status: Some(if self.fields.published { "published" } else { "draft" }.to_string()),
        }
    }
}

/// A campaign as `amicus export` writes it and `amicus import` reads it: the campaign in the
/// shape of `POST /api/v1/campaigns`, and what it gathers, by ActivityPub id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignLine {
    pub campaign: CampaignInput,
    #[serde(default)]
    pub items: Vec<ItemLine>,
}

/// One item of an exported campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemLine {
    pub ap_id: String,
    /// `resource` (statements too) or `event`.
    pub kind: String,
    /// `approved`, or `proposed` (waiting for the organisers).
    #[serde(default = "approved")]
    pub state: String,
}

fn approved() -> String {
    "approved".into()
}

/// One thing a campaign gathers.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignItem {
    pub ap_id: String,
    /// `resource` (statements too) or `event`.
    pub kind: String,
    /// `proposed` (by a partner, waiting for the organisers) or `approved`.
    pub state: String,
    pub proposed_by: Option<String>,
    pub added_at: chrono::DateTime<chrono::Utc>,
}
