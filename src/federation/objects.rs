//! Resources as other servers see them: an `Article` with every language in its maps, or,
//! for sensitive resources, only a `Note` teaser behind a content warning; a `Tombstone`
//! once withdrawn.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use serde_json::{Map, Value};

use super::actors::org_id;
use super::protocol::article::{
    Article, CallToActionObject, Document, Hashtag, Link, Preview, Signatories, SignatoryItem, StatementPart,
};
use super::protocol::note::NoteTeaser;
use super::protocol::object::ObjectHead;
use super::protocol::tombstone::Tombstone;
use super::protocol::{activity_json, context};
use super::ACTIVITY_JSON;
use crate::domain::Core;
use crate::model::lang::Lang;
use crate::model::resource::{Resource, Status};
use crate::model::statement::{Signature, SignatureState, StatementFields};
use crate::model::vocab::{self, Vocabularies};

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

pub fn resource_id(ctx: &Core, uid: &str) -> String {
    format!("{}/r/{uid}", ctx.config.base_url())
}

/// The id of a publication of this instance: `/s/{uid}` for a statement, `/r/{uid}` else.
pub fn object_id(ctx: &Core, r: &Resource) -> String {
    format!("{}{}", ctx.config.base_url(), r.path())
}

/// `digestMultibase` (FEP-1311): base58btc of the sha2-256 multihash.
pub fn digest_multibase(sha256_hex: &str) -> Option<String> {
    let digest = hex::decode(sha256_hex).ok().filter(|d| d.len() == 32)?;
    let mut multihash = vec![0x12, 0x20];
    multihash.extend(digest);
    Some(format!("z{}", bs58::encode(multihash).into_string()))
}

/// The SHA-256 (hex) a `digestMultibase` names, if it is a base58btc sha2-256 multihash.
pub fn sha256_of_digest(multibase: &str) -> Option<String> {
    let bytes = bs58::decode(multibase.strip_prefix('z')?).into_vec().ok()?;
    match bytes.as_slice() {
        [0x12, 0x20, digest @ ..] if digest.len() == 32 => Some(hex::encode(digest)),
        _ => None,
    }
}

/// `#EnforcedDisappearance` from the English label: stable, ASCII, the same on every
/// instance whatever its readers' language.
pub(crate) fn hashtag(label: &str) -> String {
    let mut tag = String::from("#");
    for word in label.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            tag.push(first.to_ascii_uppercase());
            tag.extend(chars);
        }
    }
    tag
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn paragraph(text: &str) -> String {
    format!("<p>{}</p>", escape(text))
}

/// The `Article` (or, if sensitive, the `Note` teaser) for a published resource, as a
/// document of its own.
pub fn resource_object(ctx: &Core, r: &Resource) -> Value {
    object(ctx, r, Some(context()))
}

/// The same object inside an activity, which carries the context.
pub fn embedded_object(ctx: &Core, r: &Resource) -> Value {
    object(ctx, r, None)
}

fn object(ctx: &Core, r: &Resource, context: Option<Value>) -> Value {
    let json = if r.sensitive {
        serde_json::to_value(teaser(ctx, r, context))
    } else {
        serde_json::to_value(article(ctx, r, context))
    };
    json.unwrap_or(Value::Null)
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The first fields of the object standing for `r`: public, to its organisation's followers.
fn head(ctx: &Core, r: &Resource, kind: &'static str, context: Option<Value>) -> ObjectHead {
    let actor = org_id(ctx, &r.org_handle);
    ObjectHead {
        context,
        id: object_id(ctx, r),
        kind,
        to: vec![PUBLIC.to_string()],
        cc: vec![format!("{actor}/followers")],
        attributed_to: actor,
        published: time(r.published_at.unwrap_or(r.updated_at)),
        updated: time(r.updated_at),
    }
}

fn article(ctx: &Core, r: &Resource, context: Option<Value>) -> Article {
    let base = ctx.config.base_url();
    let id = object_id(ctx, r);
    let original = r.text_for(&r.original_language);
    let (mut names, mut summaries, mut contents) = (Map::new(), Map::new(), Map::new());
    for t in &r.texts {
        names.insert(t.lang.clone(), Value::from(t.title.clone()));
        if !t.summary.is_empty() {
            summaries.insert(t.lang.clone(), Value::from(paragraph(&t.summary)));
        }
        contents.insert(t.lang.clone(), Value::from(t.body_html.clone()));
    }
    let url = r
        .languages()
        .iter()
        .map(|l| {
            let href = match Lang::parse(l).filter(|u| u.code() == *l) {
                Some(_) => format!("{id}?lang={l}"),
                None => format!("{id}?text={l}"),
            };
            Link { kind: "Link", href, media_type: "text/html", hreflang: l.to_string() }
        })
        .collect();
    let attachment = r
        .attachments
        .iter()
        .map(|a| Document {
            kind: "Document",
            name: a.name.clone(),
            media_type: a.media_type.clone(),
            url: format!("{base}/files/{}/{}", a.uid, a.name),
            size: a.size,
            digest_multibase: digest_multibase(&a.sha256),
            in_language: a.lang.clone(),
        })
        .collect();
    let tag = r
        .terms_of(vocab::THEME)
        .map(|t| Hashtag {
            kind: "Hashtag",
            name: hashtag(ctx.vocab.label(vocab::THEME, t, Lang::En)),
            href: format!("{base}/library?theme={t}"),
        })
        .collect();
    let mut tag: Vec<Hashtag> = tag;
    if let Some(st) = &r.statement {
        tag.extend(st.hashtags.iter().map(|h| Hashtag {
            kind: "Hashtag",
            name: format!("#{h}"),
            href: format!("{base}/library?q=%23{}", urlencoding(h)),
        }));
    }
    let uris = |scheme: &str| r.terms_of(scheme).map(|t| Vocabularies::concept_uri(scheme, t)).collect::<Vec<_>>();
    let title = original.map(|t| t.title.clone()).unwrap_or_default();
    let summary = original.map(|t| t.summary.clone()).unwrap_or_default();
    let mut preview = format!("<p><strong>{}</strong></p>", escape(&title));
    if !summary.is_empty() {
        preview.push_str(&paragraph(&summary));
    }
    Article {
        head: head(ctx, r, "Article", context),
        name: title,
        name_map: names,
        summary: (!summary.is_empty()).then(|| paragraph(&summary)),
        summary_map: summaries,
        // servers that show only `content` see who signed at its end; `contentMap` holds the
        // signed text alone, so that anyone can compute its digest again
        content: original.map(|t| match &r.statement {
            Some(_) => format!("{}{}", t.body_html, signed_by(ctx, r)),
            None => t.body_html.clone(),
        }),
        content_map: contents,
        // language maps are unordered once a JSON-LD processor has read them: the original
        // language is said, not implied by which key comes first
        original_language: r.original_language.clone(),
        media_type: "text/html",
        url,
        attachment,
        tag,
        preview: Preview { kind: "Note", content: preview },
        resource_type: Vocabularies::concept_uri(ctx.vocab.kind_scheme(&r.resource_type), &r.resource_type),
        theme: uris(vocab::THEME),
        mechanism: uris(vocab::MECHANISM),
        country: uris(vocab::COUNTRY),
        intended_audience: uris(vocab::AUDIENCE),
        reading_level: r.reading_level.as_ref().map(|l| Vocabularies::concept_uri(vocab::READING_LEVEL, l)),
        date_issued: r.published_on.clone(),
        license: r.licence.clone(),
        sensitive: false,
        statement: r.statement.as_ref().map(|st| statement_fields(ctx, r, st)),
    }
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The signatories who signed, in the order they did.
fn signed(r: &Resource) -> impl Iterator<Item = &Signature> {
    r.signatures.iter().filter(|s| s.state == SignatureState::Signed)
}

/// "Signed by: A, B, C (not on the network)", in the statement's original language.
fn signed_by(ctx: &Core, r: &Resource) -> String {
    let lang = Lang::parse(&r.original_language).unwrap_or(Lang::En);
    let lead = org_id(ctx, &r.org_handle);
    let mut names = vec![format!("<a href=\"{}\">{}</a>", escape(&lead), escape(&r.org_name))];
    let base = ctx.config.base_url();
    names.extend(signed(r).map(|s| format!("<a href=\"{}\">{}</a>", escape(&s.actor_id(&base)), escape(&s.name))));
    names.extend(r.statement.iter().flat_map(|st| st.external_signatories.iter()).map(|n| escape(n)));
    format!("<p>{}: {}</p>", ctx.i18n.t(lang, "statement-signed-by"), names.join(", "))
}

/// What only a statement has, on the wire.
fn statement_fields(ctx: &Core, r: &Resource, st: &StatementFields) -> StatementPart {
    let base = ctx.config.base_url();
    let mut items: Vec<SignatoryItem> = signed(r)
        .map(|s| SignatoryItem {
            kind: "Organization",
            id: Some(s.actor_id(&base)),
            name: s.name.clone(),
            version: s.version,
            signed_at: s.signed_at.map(time),
            acceptance: s.proof.as_deref().and_then(|p| serde_json::from_str(p).ok()),
            external: None,
        })
        .collect();
    items.extend(st.external_signatories.iter().map(|n| SignatoryItem {
        kind: "Organization",
        id: None,
        name: n.clone(),
        version: None,
        signed_at: None,
        acceptance: None,
        external: Some(true),
    }));
    let id = object_id(ctx, r);
    StatementPart {
        version: st.version,
        digest: st.digest.clone(),
        embargo_until: r.hidden_until.map(time),
        signatories: Signatories {
            id: format!("{id}/signatories"),
            kind: "OrderedCollection",
            total_items: items.len(),
            ordered_items: items,
        },
        call_to_action: st.call_to_action.as_ref().map(|c| CallToActionObject {
            kind: "Link",
            name: (!c.text.is_empty()).then(|| c.text.clone()),
            href: c.url.clone(),
            end_time: c.deadline.clone(),
        }),
        target: st.targets.clone(),
        case_name: st.case_name.clone(),
        open_signing: st.open_signing,
    }
}

/// A sensitive resource leaves the instance only as this: a neutral line and a link, behind
/// a content warning that every Mastodon-compatible client hides.
fn teaser(ctx: &Core, r: &Resource, context: Option<Value>) -> NoteTeaser {
    let id = object_id(ctx, r);
    let cw = |lang: Lang| {
        let labels: Vec<String> = r
            .terms_of(vocab::CONTENT_WARNING)
            .map(|w| ctx.vocab.label(vocab::CONTENT_WARNING, w, lang).to_string())
            .collect();
        let prefix = ctx.i18n.t(lang, "content-warning");
        if labels.is_empty() {
            format!("{prefix}: {}", ctx.i18n.t(lang, "sensitive"))
        } else {
            format!("{prefix}: {}", labels.join(", "))
        }
    };
    let original = Lang::parse(&r.original_language).unwrap_or(Lang::En);
    let mut summary_map = Map::new();
    summary_map.insert(original.code().into(), Value::from(cw(original)));
    for l in Lang::ALL {
        summary_map.entry(l.code()).or_insert_with(|| Value::from(cw(l)));
    }
    let type_label = ctx.vocab.label(ctx.vocab.kind_scheme(&r.resource_type), &r.resource_type, original);
    let link = format!("{id}?lang={}", original.code());
    NoteTeaser {
        head: head(ctx, r, "Note", context),
        sensitive: true,
        summary: cw(original),
        summary_map,
        content: format!("<p>{type_label}: <a href=\"{link}\">{link}</a></p>"),
        url: link,
        content_warning: r
            .terms_of(vocab::CONTENT_WARNING)
            .map(|w| Vocabularies::concept_uri(vocab::CONTENT_WARNING, w))
            .collect(),
    }
}

/// A withdrawn resource's URL: 410 with a `Tombstone`.
pub fn tombstone(ctx: &Core, r: &Resource) -> Response {
    let body = Tombstone {
        context: context(),
        id: object_id(ctx, r),
        kind: "Tombstone",
        former_type: if r.sensitive { "Note" } else { "Article" },
        deleted: time(r.updated_at),
    };
    let json = serde_json::to_string(&body).unwrap_or_default();
    (StatusCode::GONE, [(header::CONTENT_TYPE, ACTIVITY_JSON)], json).into_response()
}

/// What `GET /r/{uid}` answers an ActivityPub client.
pub fn resource_response(ctx: &Core, r: &Resource) -> Response {
    // a partner's resource is served as JSON by its own server, never as this one's
    if !r.local {
        return StatusCode::NOT_FOUND.into_response();
    }
    match r.public_status() {
        Status::Published => activity_json(&resource_object(ctx, r)),
        Status::Withdrawn => tombstone(ctx, r),
        Status::Draft => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_base58btc_multihashes() {
        // sha-256 of the empty string
        let d = digest_multibase("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").unwrap();
        assert_eq!(d, "zQmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n");
        assert_eq!(digest_multibase(""), None, "a file not fetched yet has no digest");
        assert_eq!(
            sha256_of_digest(&d).as_deref(),
            Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(sha256_of_digest("zQm"), None);
    }

    #[test]
    fn hashtags_are_camel_case_ascii() {
        assert_eq!(hashtag("Enforced disappearance"), "#EnforcedDisappearance");
        assert_eq!(
            hashtag("Rome Statute ratification and implementation"),
            "#RomeStatuteRatificationAndImplementation"
        );
    }
}
