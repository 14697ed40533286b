//! A library resource as it is read: stored texts, attachments and files, and the `Resource`
//! that pages, feeds, the API and federation render. The write model is in `resource`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::lang::Lang;
use super::resource::{NewResource, ResourceInput, Status, TextInput};
use super::statement::{Signature, StatementFields};
use super::vocab;

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
    /// What an image shows, for those who cannot see it (required for uploaded images).
    pub alt: Option<String>,
    /// The SHA-256 of an image's server-made preview, in the file store.
    pub thumb: Option<String>,
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
    /// The organisation's name in other languages (its profile's translations).
    #[serde(skip)]
    pub org_names: std::collections::BTreeMap<String, String>,
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
    /// Under embargo until then: seen only by its organisation, sent to nobody.
    pub hidden_until: Option<DateTime<Utc>>,
    /// What a statement has besides.
    pub statement: Option<StatementFields>,
    /// A statement's signatures and invitations to sign (loaded with its body).
    #[serde(skip)]
    pub signatures: Vec<Signature>,
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
            org_names: Default::default(),
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
            hidden_until: new.statement.as_ref().and_then(|s| s.embargo_until).filter(|t| *t > updated_at),
            statement: new.statement.clone(),
            signatures: Vec::new(),
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

    /// Its status as the public sees it: a published statement under embargo is not yet.
    pub fn public_status(&self) -> Status {
        public_status(self.status, self.hidden_until)
    }

    /// Where it is read: `/s/{uid}` for a statement, `/r/{uid}` for any other resource.
    pub fn path(&self) -> String {
        path_of(&self.uid, self.statement.is_some())
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

/// A status as the public sees it: published but still hidden is not yet. An embargo is lifted
/// (and the publication's `Create` sent) by the embargo worker, not by the clock alone, so that
/// nobody sees it before its followers are sent it.
pub fn public_status(status: Status, hidden_until: Option<DateTime<Utc>>) -> Status {
    match (status, hidden_until) {
        (Status::Published, Some(_)) => Status::Draft,
        (s, _) => s,
    }
}

/// The path of a publication: statements under `/s/`, other resources under `/r/`.
pub fn path_of(uid: &str, statement: bool) -> String {
    if statement {
        format!("/s/{uid}")
    } else {
        format!("/r/{uid}")
    }
}

/// The interface language, if any, matching a content language code.
pub fn ui_lang(code: &str) -> Option<Lang> {
    Lang::parse(code).filter(|l| l.code() == code)
}
