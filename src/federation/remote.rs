//! Objects of other servers as library resources: titles, summaries and sanitised bodies in
//! every language they carry, the original language, vocabulary terms, dates, the page
//! address (web addresses only) and the files they list (on their own host only). Pure
//! conversion: nothing here touches the database or the network.

use serde_json::Value;
use url::Url;

use crate::error::AppError;
use crate::federation::objects::sha256_of_digest;
use crate::federation::IGNORED;
use crate::model::lang::ContentLang;
use crate::model::resource::{Attachment, NewResource, RemoteFile, Status, Text, MAX_SUMMARY, MAX_TITLE};
use crate::model::statement::{CallToAction, StatementFields};
use crate::model::text::sanitize_html;
use crate::model::vocab::{self, Vocabularies, CONCEPT_BASE};

const CONTENT_TYPES: &[&str] = &["Article", "Page", "Note", "Event", "Document", "Video", "Audio"];

/// Plain text of remote HTML, for titles and summaries.
pub(crate) fn plain(html: &str) -> String {
    let cleaned = ammonia::Builder::empty().clean(html).to_string();
    cleaned.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").trim().to_string()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// A language map in the order the sender wrote it (the first key is the original).
fn map_of(object: &Value, key: &str) -> Vec<(String, String)> {
    object
        .get(key)
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
        .unwrap_or_default()
}

/// The original language of an object: as stated (`amicus:originalLanguage`, or
/// `originalLanguage` once a processor compacted it), else the language whose map entry is the
/// plain `content` (or `name`, `summary`) in the original, else the first key of a map (a map
/// re-sorted by a JSON-LD processor loses that, hence the first two).
fn original_language(object: &Value, maps: &[&Vec<(String, String)>; 3]) -> Option<String> {
    let stated = ["amicus:originalLanguage", "originalLanguage", "https://w3id.org/amicus#originalLanguage"]
        .iter()
        .find_map(|k| object.get(*k).and_then(Value::as_str));
    if let Some(lang) = stated {
        return Some(lang.to_string());
    }
    for (map, plain) in maps.iter().zip(["content", "name", "summary"]) {
        let Some(text) = object.get(plain).and_then(Value::as_str) else { continue };
        let mut same = map.iter().filter(|(_, v)| v == text);
        if let (Some((lang, _)), None) = (same.next(), same.next()) {
            return Some(lang.clone());
        }
    }
    maps.iter().find_map(|m| m.first().map(|(l, _)| l.clone()))
}

/// Terms of one of our schemes among concept URIs.
pub(crate) fn terms(object: &Value, key: &str, scheme: &str, vocab: &Vocabularies) -> Vec<(String, String)> {
    let prefix = format!("{CONCEPT_BASE}/{scheme}/");
    let values: Vec<&str> = match object.get(key) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    };
    values
        .into_iter()
        .filter_map(|v| v.strip_prefix(&prefix))
        .filter(|id| vocab.contains(scheme, id))
        .map(|id| (scheme.to_string(), id.to_string()))
        .collect()
}

/// An ActivityStreams object as a library resource, in every language it carries, with the
/// address of its page on its own server.
pub fn to_resource(
    vocab: &Vocabularies,
    extra_langs: &[String],
    object: &Value,
) -> Result<(NewResource, String), AppError> {
    let kind = object.get("type").and_then(Value::as_str).unwrap_or_default();
    if !CONTENT_TYPES.contains(&kind) {
        return Err(AppError::BadRequest(IGNORED));
    }
    let names = map_of(object, "nameMap");
    let summaries = map_of(object, "summaryMap");
    let contents = map_of(object, "contentMap");
    let known = |l: &str| ContentLang::parse(l, extra_langs);
    let first = original_language(object, &[&contents, &names, &summaries]).and_then(|l| known(&l));
    let first = first.unwrap_or_else(ContentLang::fallback);
    let mut langs: Vec<String> = vec![first.as_str().to_string()];
    for m in [&contents, &names, &summaries] {
        for (l, _) in m.iter() {
            if known(l).is_some() && !langs.contains(l) {
                langs.push(l.clone());
            }
        }
    }
    let get = |m: &[(String, String)], l: &str, plain_key: &str, is_first: bool| {
        m.iter()
            .find(|(k, _)| k == l)
            .map(|(_, v)| v.clone())
            .or_else(|| is_first.then(|| object.get(plain_key).and_then(Value::as_str).map(str::to_string)).flatten())
    };
    let mut texts = Vec::new();
    for (i, l) in langs.iter().enumerate() {
        let is_first = i == 0;
        let content = get(&contents, l, "content", is_first).unwrap_or_default();
        let body_html = sanitize_html(&content);
        let body_plain = plain(&content);
        let summary =
            get(&summaries, l, "summary", is_first).map(|s| truncate(&plain(&s), MAX_SUMMARY)).unwrap_or_default();
        let title = get(&names, l, "name", is_first)
            .map(|t| plain(&t))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| body_plain.lines().next().unwrap_or_default().to_string());
        if title.is_empty() {
            continue;
        }
        let Some(lang) = known(l) else { continue };
        texts.push(Text { lang, title: truncate(&title, MAX_TITLE), summary, body: body_plain, body_html });
    }
    if texts.is_empty() {
        return Err(AppError::BadRequest(IGNORED));
    }
    let resource_type = object
        .get("amicus:resourceType")
        .and_then(Value::as_str)
        .and_then(|u| {
            // a statement's kind is a term of the statement kinds
            u.strip_prefix(&format!("{CONCEPT_BASE}/{}/", vocab::RESOURCE_TYPE))
                .filter(|t| vocab.contains(vocab::RESOURCE_TYPE, t))
                .or_else(|| {
                    u.strip_prefix(&format!("{CONCEPT_BASE}/{}/", vocab::STATEMENT_KIND))
                        .filter(|t| vocab.contains(vocab::STATEMENT_KIND, t))
                })
        })
        .unwrap_or(match kind {
            // what other servers send says nothing of its kind, but recordings are recordings
            "Video" | "Audio" => "audio-visual",
            _ => "briefing-note",
        })
        .to_string();
    let mut all_terms = Vec::new();
    for (key, scheme) in [
        ("amicus:theme", vocab::THEME),
        ("amicus:mechanism", vocab::MECHANISM),
        ("amicus:country", vocab::COUNTRY),
        ("amicus:intendedAudience", vocab::AUDIENCE),
        ("amicus:contentWarning", vocab::CONTENT_WARNING),
    ] {
        all_terms.extend(terms(object, key, scheme, vocab));
    }
    // the document's own date (any precision), else the day the object was published
    let issued = object.get("amicus:dateIssued").and_then(Value::as_str);
    let published_on = issued
        .filter(|d| crate::model::resource::document_date(d).is_some())
        .or_else(|| object.get("published").and_then(Value::as_str).and_then(|d| d.get(..10)))
        .filter(|d| crate::model::resource::document_date(d).is_some())
        .map(str::to_string);
    let url = match object.get("url") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .find_map(|u| {
                u.as_str().map(str::to_string).or_else(|| u.get("href").and_then(Value::as_str).map(str::to_string))
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    // only a web address is a link: `javascript:` or `data:` from another server never is
    let web = |u: &str| Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    // without a page address (Lemmy posts), the object's id is where it lives
    let url = if web(&url) {
        url
    } else {
        object.get("id").and_then(Value::as_str).filter(|id| web(id)).unwrap_or_default().to_string()
    };
    let sensitive = object.get("sensitive").and_then(Value::as_bool).unwrap_or(false);
    let r = NewResource {
        external_id: None,
        resource_type,
        original_language: first,
        texts,
        terms: all_terms,
        reading_level: None,
        sensitive,
        published_on,
        authors: Vec::new(),
        licence: object.get("schema:license").and_then(Value::as_str).map(str::to_string),
        status: Status::Published,
        featured: false,
        statement: statement_fields(object),
    };
    Ok((r, url))
}

/// What a partner's statement has besides a resource (its version, the digest of its text,
/// its call to action...), when the object is one (it has `amicus:digest`). Its signatories
/// are checked one by one apart (`statements::sync_signatures`).
fn statement_fields(object: &Value) -> Option<StatementFields> {
    let digest = object.get("amicus:digest").and_then(Value::as_str)?;
    let text = |v: Option<&Value>, max: usize| v.and_then(Value::as_str).map(|s| truncate(&plain(s), max));
    let strings = |key: &str, max: usize| -> Vec<String> {
        object
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| text(Some(v), 200)).filter(|s| !s.is_empty()).take(max).collect())
            .unwrap_or_default()
    };
    let cta = object.get("amicus:callToAction").map(|c| CallToAction {
        text: text(c.get("name"), 500).unwrap_or_default(),
        url: c
            .get("href")
            .and_then(Value::as_str)
            .filter(|u| Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
            .map(str::to_string),
        deadline: c
            .get("endTime")
            .and_then(Value::as_str)
            .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
            .map(str::to_string),
    });
    let external = object
        .pointer("/amicus:signatories/orderedItems")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter(|i| i.get("amicus:external").and_then(Value::as_bool) == Some(true))
                .filter_map(|i| text(i.get("name"), 200))
                .take(500)
                .collect()
        })
        .unwrap_or_default();
    let hashtags = object
        .get("tag")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| t.get("name").and_then(Value::as_str))
                .filter_map(crate::model::statement::clean_hashtag)
                .take(10)
                .collect()
        })
        .unwrap_or_default();
    Some(StatementFields {
        version: object.get("amicus:version").and_then(Value::as_i64).unwrap_or(1).max(1),
        digest: truncate(digest, 100),
        embargo_until: object
            .get("amicus:embargoUntil")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc)),
        call_to_action: cta,
        targets: strings("amicus:target", 20),
        hashtags,
        case_name: text(object.get("amicus:caseName"), 200),
        open_signing: object.get("amicus:openSigning").and_then(Value::as_bool).unwrap_or(false),
        external_signatories: external,
    })
}

/// At most this many files of a remote resource are listed.
const MAX_FILES: usize = 20;

/// The files a remote object lists (`Document`, `Image`, `Audio`, `Video` attachments), as
/// attachments to fetch when first downloaded. Only files on the object's own host (or a
/// subdomain of it, where Mastodon keeps media) over https are taken, so a hostile object
/// cannot make this instance fetch from anywhere else; `allow_http` is the development network.
pub fn remote_files(object: &Value, object_id: &Url, default_lang: &str, allow_http: bool) -> Vec<Attachment> {
    let items: Vec<&Value> = match object.get("attachment") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => Vec::new(),
    };
    let own_host = object_id.host_str().unwrap_or_default();
    items
        .into_iter()
        .filter(|a| matches!(a.get("type").and_then(Value::as_str), Some("Document" | "Image" | "Audio" | "Video")))
        .filter_map(|a| {
            let href = match a.get("url")? {
                Value::String(s) => s.as_str(),
                Value::Array(list) => list.iter().find_map(|u| u.as_str().or_else(|| u.get("href")?.as_str()))?,
                link @ Value::Object(_) => link.get("href")?.as_str()?,
                _ => return None,
            };
            let url = Url::parse(href).ok()?;
            let host = url.host_str()?;
            let same_site = crate::federation::policy::covers(own_host, host);
            let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
            if !same_site || !scheme_ok {
                return None;
            }
            let from_url = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("file").to_string();
            // a `name` that is a file name (Amicus) is kept; one that is a description
            // (Mastodon's alt text) is not a name for a download
            let name = a
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| n.contains('.') && !n.contains(char::is_whitespace))
                .unwrap_or(&from_url);
            let media_type = a.get("mediaType").and_then(Value::as_str).unwrap_or("application/octet-stream");
            let lang = a
                .get("schema:inLanguage")
                .and_then(Value::as_str)
                .filter(|l| ContentLang::parse(l, &[]).is_some())
                .unwrap_or(default_lang);
            Some(Attachment {
                uid: crate::db::new_uid(),
                lang: lang.to_string(),
                name: crate::library::clean_file_name(name, media_type),
                media_type: media_type.to_string(),
                size: a.get("size").and_then(Value::as_i64).unwrap_or(0).max(0),
                sha256: String::new(),
                // Mastodon and others put an image's description in `name`
                alt: None,
                thumb: None,
                remote: Some(RemoteFile {
                    url: url.to_string(),
                    digest: a.get("digestMultibase").and_then(Value::as_str).and_then(sha256_of_digest),
                }),
            })
        })
        .take(MAX_FILES)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/federation/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn files_are_taken_from_the_objects_own_site_only() {
        let id = Url::parse("https://social.example/objects/1").unwrap();
        let digest = crate::federation::objects::digest_multibase(&"ab".repeat(32)).unwrap();
        let object = serde_json::json!({"attachment": [
            {"type": "Document", "mediaType": "application/pdf", "name": "../../guide.pdf", "size": 10,
             "url": "https://social.example/files/guide.pdf", "digestMultibase": digest, "schema:inLanguage": "fr"},
            {"type": "Image", "mediaType": "image/png", "url": {"type": "Link", "href": "https://files.social.example/a/b.png"}},
            {"type": "Document", "url": "https://elsewhere.example/x.pdf"},
            {"type": "Document", "url": "http://social.example/plain.pdf"},
            {"type": "Document", "url": "https://social.example.evil.example/x.pdf"},
            {"type": "PropertyValue", "name": "Website", "value": "https://social.example"}
        ]});
        let files = remote_files(&object, &id, "en", false);
        assert_eq!(files.len(), 2, "{files:?}");
        assert_eq!(files[0].name, "guide.pdf");
        assert_eq!(files[0].lang, "fr");
        assert_eq!(files[0].sha256, "", "not fetched yet");
        assert_eq!(files[0].remote.as_ref().unwrap().digest.as_deref(), Some("ab".repeat(32).as_str()));
        assert_eq!(files[1].name, "b.png");
        assert_eq!(files[1].lang, "en");
        assert_eq!(files[1].remote.as_ref().unwrap().digest, None);
        // http only on the development network
        assert_eq!(remote_files(&object, &id, "en", true).len(), 3);
    }

    #[test]
    fn a_remote_url_that_is_not_a_web_address_is_never_a_link() {
        let vocab = Vocabularies::load(None).unwrap();
        for url in ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>", "JaVaScRiPt:x"] {
            let note = serde_json::json!({"id": "https://social.example/notes/1", "type": "Note",
                                          "url": url, "content": "<p>Hearing tomorrow.</p>"});
            assert_eq!(to_resource(&vocab, &[], &note).unwrap().1, "https://social.example/notes/1", "{url}");
        }
        let note = serde_json::json!({"id": "javascript:x", "type": "Note", "content": "<p>Hearing.</p>"});
        assert_eq!(to_resource(&vocab, &[], &note).unwrap().1, "");
    }

    #[test]
    fn the_original_language_survives_a_json_ld_processor_re_sorting_the_maps() {
        let vocab = Vocabularies::load(None).unwrap();
        // maps sorted by key, as Fedify and activitypub-bot send them back: "ar" comes first
        let stated = serde_json::json!({"type": "Article", "id": "https://a.example/r/1",
            "amicus:originalLanguage": "fr",
            "nameMap": {"ar": "دليل", "en": "Guide", "fr": "Guide pratique"},
            "contentMap": {"ar": "<p>نص</p>", "en": "<p>Text</p>", "fr": "<p>Texte</p>"}});
        assert_eq!(to_resource(&vocab, &[], &stated).unwrap().0.original_language.as_str(), "fr");
        // without the term, the plain content says which one is the original
        let mut plain = stated.clone();
        plain.as_object_mut().unwrap().remove("amicus:originalLanguage");
        plain["content"] = serde_json::json!("<p>Text</p>");
        assert_eq!(to_resource(&vocab, &[], &plain).unwrap().0.original_language.as_str(), "en");
        // and a compacted name of the term is read too
        let mut compacted = plain.clone();
        compacted["originalLanguage"] = serde_json::json!("es");
        compacted["nameMap"]["es"] = serde_json::json!("Guía");
        assert_eq!(to_resource(&vocab, &[], &compacted).unwrap().0.original_language.as_str(), "es");
    }

    #[test]
    fn recordings_from_other_servers_are_audio_visual() {
        let vocab = Vocabularies::load(None).unwrap();
        let video = serde_json::json!({"type": "Video", "name": "Hearing", "content": "<p>Day one.</p>"});
        assert_eq!(to_resource(&vocab, &[], &video).unwrap().0.resource_type, "audio-visual");
        let note = serde_json::json!({"type": "Note", "content": "<p>Hearing tomorrow.</p>"});
        assert_eq!(to_resource(&vocab, &[], &note).unwrap().0.resource_type, "briefing-note");
    }

    #[test]
    fn notes_pages_and_events_of_other_servers_become_resources() {
        let vocab = Vocabularies::load(None).unwrap();
        let cases = [
            ("mastodon-create-note.json", "en", "Hearing on enforced disappearance tomorrow in Geneva #CED"),
            ("gotosocial-create-note.json", "fr", "Nouveau guide sur la participation des victimes devant la CPI."),
            ("mobilizon-create-event.json", "en", "Vigil for the disappeared"),
            ("gancio-create-event.json", "en", "Screening: the Habré trial"),
            ("lemmy-create-page.json", "en", "Reparations orders at the ICC: a reading list"),
            ("mastodon-update-note.json", "en", "Hearing on enforced disappearance moved to Thursday in Geneva"),
            ("writefreely-create-article.json", "es", "Universal jurisdiction in 2026"),
        ];
        for (name, lang, title) in cases {
            let activity = fixture(name);
            let (r, url) = to_resource(&vocab, &[], &activity["object"]).unwrap();
            assert_eq!(r.original_language.as_str(), lang, "{name}");
            assert_eq!(r.texts[0].title, title, "{name}");
            assert!(!r.texts[0].body_html.contains("<script"), "{name}: remote HTML is sanitised");
            assert!(url.starts_with("https://"), "{name}");
        }
        // Mastodon keeps media on a subdomain: the edited note's picture is listed
        let update = fixture("mastodon-update-note.json");
        let id = Url::parse(update["object"]["id"].as_str().unwrap()).unwrap();
        let files = remote_files(&update["object"], &id, "en", false);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].media_type, "image/jpeg");
        assert_eq!(files[0].name, "4f1b.jpg", "alt text is no file name");
    }
}
