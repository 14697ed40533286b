//! Actor documents: organisations at their page URL (`/orgs/{handle}`, JSON-LD by content
//! negotiation) and the instance actor at `/actor`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use chrono::SecondsFormat;
use serde_json::Value;

use super::protocol::actor::{Actor, Endpoints, Image, PublicKey};
use super::protocol::{activity_json, context};
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::org::Org;

/// The WebFinger name of the instance actor. It has a dot, which no organisation handle
/// may have, so the two can never collide.
pub const INSTANCE_NAME: &str = "instance.actor";

pub fn org_id(ctx: &Core, handle: &str) -> String {
    format!("{}/orgs/{handle}", ctx.config.base_url())
}

pub fn instance_id(ctx: &Core) -> String {
    format!("{}/actor", ctx.config.base_url())
}

fn with_context(actor: &Actor) -> AppResult<Value> {
    let mut v = serde_json::to_value(actor).map_err(AppError::internal)?;
    if let Value::Object(map) = &mut v {
        map.insert("@context".into(), context());
    }
    Ok(v)
}

/// Escapes plain text for an HTML `summary`.
fn paragraph(text: &str) -> String {
    let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    format!("<p>{}</p>", escaped.replace("\n\n", "</p><p>").replace('\n', "<br>"))
}

/// The `Organization` document of an organisation.
pub fn org_actor(ctx: &Core, org: &Org) -> AppResult<Actor> {
    let id = org_id(ctx, &org.handle);
    let pem = org.public_key.clone().ok_or_else(|| AppError::internal("organisation without a key"))?;
    let summary_map: BTreeMap<String, String> =
        org.descriptions.iter().map(|(l, d)| (l.clone(), paragraph(d))).collect();
    let summary = org.description_in("en").map(paragraph);
    Ok(Actor {
        id: id.clone(),
        // a campaign is followed as a group (FEP-1b12): Lemmy and Mastodon both follow those
        kind: if org.kind == "campaign" { "Group" } else { "Organization" },
        preferred_username: org.handle.clone(),
        name: org.name.clone(),
        name_map: org.names.clone(),
        summary,
        summary_map,
        url: id.clone(),
        icon: org.logo_media_type.as_ref().map(|mt| Image {
            kind: "Image",
            media_type: mt.clone(),
            url: format!("{id}/logo"),
        }),
        inbox: format!("{id}/inbox"),
        outbox: format!("{id}/outbox"),
        followers: Some(format!("{id}/followers")),
        following: Some(format!("{id}/following")),
        featured: Some(format!("{id}/featured")),
        upcoming_events: Some(format!("{id}/events")),
        endpoints: Endpoints { shared_inbox: format!("{}/inbox", ctx.config.base_url()) },
        public_key: PublicKey { id: format!("{id}#main-key"), owner: id.clone(), public_key_pem: pem },
        assertion_method: org.signing_public.iter().map(|k| super::integrity::multikey(&id, k)).collect(),
        manually_approves_followers: org.manually_approves_followers,
        discoverable: true,
        indexable: true,
        published: Some(org.created_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    })
}

/// The organisation as `application/activity+json`.
pub fn org_response(ctx: &Core, org: &Org) -> AppResult<Response> {
    if !org.local {
        return Err(AppError::NotFound);
    }
    Ok(activity_json(&with_context(&org_actor(ctx, org)?)?))
}

/// `GET /actor`: the instance's `Application` actor, which signs fetches.
pub async fn instance(State(ctx): State<Core>) -> AppResult<Response> {
    let (public_key, _) = ctx.db.instance_keys().await?.ok_or_else(|| AppError::internal("no instance key"))?;
    let id = instance_id(&ctx);
    let base = ctx.config.base_url();
    let actor = Actor {
        id: id.clone(),
        kind: "Application",
        preferred_username: INSTANCE_NAME.into(),
        name: ctx.config.domain.clone(),
        name_map: BTreeMap::new(),
        summary: None,
        summary_map: BTreeMap::new(),
        url: format!("{base}/"),
        icon: None,
        inbox: format!("{id}/inbox"),
        outbox: format!("{id}/outbox"),
        followers: None,
        following: None,
        featured: None,
        upcoming_events: None,
        endpoints: Endpoints { shared_inbox: format!("{base}/inbox") },
        public_key: PublicKey { id: format!("{id}#main-key"), owner: id, public_key_pem: public_key },
        assertion_method: Vec::new(),
        manually_approves_followers: true,
        discoverable: false,
        indexable: false,
        published: None,
    };
    Ok(activity_json(&with_context(&actor)?))
}
