//! Wire shapes: what Amicus sends, as serde structs named after their ActivityStreams types,
//! one activity or object per file (`activity` holds the one shape `Create`, `Update`, `Delete`
//! and `Announce` share). `Follow`, `Accept`/`Reject` and `Undo` are received in the
//! same shapes (`activities::follow` acts on them).

pub mod activity;
pub mod actor;
pub mod answer;
pub mod article;
pub mod event;
pub mod follow;
pub mod note;
pub mod object;
pub mod tombstone;
pub mod undo;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The Amicus extension context, also in `federation/context.jsonld`.
pub const CONTEXT_DOCUMENT: &str = include_str!("../../../federation/context.jsonld");

/// `@context` of every document Amicus sends: ActivityStreams, the security vocabulary,
/// and the extension terms defined inline, so that no server has to fetch anything to
/// understand them.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "schema": "http://schema.org/",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "Hashtag": "as:Hashtag",
            "digestMultibase": "https://www.w3.org/ns/credentials/v2#digestMultibase",
            "assertionMethod": {"@id": "https://w3id.org/security#assertionMethod", "@type": "@id", "@container": "@set"},
            "Multikey": "https://w3id.org/security#Multikey",
            "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
            "publicKeyMultibase": {"@id": "https://w3id.org/security#publicKeyMultibase", "@type": "https://w3id.org/security#multibase"},
            "amicus": "https://w3id.org/amicus#",
            "size": "amicus:size",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "mz": "https://joinmobilizon.org/ns#",
            "fep8a8e": "https://w3id.org/fep/8a8e#",
            "timezone": "mz:timezone",
            "joinMode": "mz:joinMode",
            "externalParticipationUrl": {"@id": "mz:externalParticipationUrl", "@type": "@id"},
            "eventStatus": {"@id": "fep8a8e:eventStatus", "@type": "@id"},
            "previousStartTime": {"@id": "fep8a8e:previousStartTime", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
            "organizers": {"@id": "fep8a8e:organizers", "@type": "@id"},
            "upcomingEvents": {"@id": "fep8a8e:upcomingEvents", "@type": "@id"},
            "PostalAddress": "schema:PostalAddress",
            "VirtualLocation": "schema:VirtualLocation",
            "address": "schema:address",
            "streetAddress": "schema:streetAddress",
            "postalCode": "schema:postalCode",
            "addressLocality": "schema:addressLocality",
            "addressCountry": "schema:addressCountry",
            "amicus:accessibility": {"@id": "https://w3id.org/amicus#accessibility", "@container": "@language"}
        }
    ])
}

/// A JSON-LD document as `application/activity+json`.
pub fn activity_json(body: &Value) -> Response {
    ([(header::CONTENT_TYPE, super::ACTIVITY_JSON), (header::VARY, "Accept")], body.to_string()).into_response()
}

/// An actor named by its id, or embedded as an object with an `id` (Fedify embeds the follower
/// in the `Follow` of its `Accept`): either way, the id.
pub fn actor_ref<'de, D>(
    d: D,
) -> Result<activitypub_federation::fetch::object_id::ObjectId<super::apactor::ApActor>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Ref {
        Id(url::Url),
        Object { id: url::Url },
    }
    let id = match <Ref as serde::Deserialize>::deserialize(d)? {
        Ref::Id(id) | Ref::Object { id } => id,
    };
    Ok(id.into())
}

/// `GET /ns/context.jsonld`: the extension context, for those who want to read it.
pub async fn context_document() -> Response {
    (
        [(header::CONTENT_TYPE, "application/ld+json"), (header::CACHE_CONTROL, "public, max-age=86400")],
        CONTEXT_DOCUMENT,
    )
        .into_response()
}
