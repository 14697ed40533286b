//! The agenda on the network. Out: each local event as an FEP-8a8e `Event` at `/e/{id}`,
//! sent to its organisation's followers as `Create`, then `Update` on every change (a
//! postponement, a cancellation) and `Delete` when it is removed; the organisation's
//! `upcomingEvents`. In: `Event`s of followed actors (Amicus, Mobilizon, Gancio) join the
//! partners' agenda, replaced by newer `Update`s and removed by their own actor's `Delete`;
//! a `Join` is answered `Ignore`, as FEP-8a8e asks of a server that takes no participants.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};
use url::Url;

use super::actors::org_id;
use super::authorized::Signed;
use super::objects::PUBLIC;
use super::protocol::activity::Addressed;
use super::protocol::article::Hashtag;
use super::protocol::event::{Case, EventObject};
use super::protocol::object::ObjectHead;
use super::protocol::tombstone::TombstoneRef;
use super::protocol::{activity_json, context};
use crate::db::events::{Event, EventFilters, RemoteEvent, Stored};
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::live::Change;
use crate::model::lang::Lang;
use crate::model::vocab::{self, Vocabularies};

/// The ActivityPub id of an event: its page for a local one, its own server's for a partner's.
pub fn event_ap_id(ctx: &Core, e: &Event) -> String {
    e.ap_id.clone().unwrap_or_else(|| format!("{}/e/{}", ctx.config.base_url(), e.uid))
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An instant with the offset of the event's zone then (`2027-03-04T09:30:00+01:00`).
fn zoned(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// When and where, in `lang`, for servers that show only text: "4 March 2027, 09:30–16:30
/// (Europe/Amsterdam) · International Criminal Court, The Hague".
pub fn when_where(ctx: &Core, e: &Event, lang: Lang) -> String {
    let tz: Tz = e.timezone.parse().unwrap_or(Tz::UTC);
    let (start, end) = (e.start_utc.with_timezone(&tz), e.end_utc.with_timezone(&tz));
    let day = |t: &DateTime<Tz>| crate::i18n::document_date(lang, &t.format("%Y-%m-%d").to_string());
    let last_day = (e.end_utc - chrono::Duration::seconds(1)).max(e.start_utc).with_timezone(&tz);
    let mut when = if e.all_day {
        if last_day.date_naive() == start.date_naive() {
            day(&start)
        } else {
            format!("{} – {}", day(&start), day(&last_day))
        }
    } else if start.date_naive() == end.date_naive() {
        format!("{}, {}–{} ({})", day(&start), start.format("%H:%M"), end.format("%H:%M"), e.timezone)
    } else {
        format!("{}, {} – {}, {} ({})", day(&start), start.format("%H:%M"), day(&end), end.format("%H:%M"), e.timezone)
    };
    if e.status != "scheduled" {
        let label = ctx.vocab.label(crate::model::event::EVENT_STATUS, &e.status, lang);
        // French sets a thin space before a colon
        let colon = if lang == Lang::Fr { "\u{202f}:" } else { ":" };
        when = format!("{label}{colon} {when}");
    }
    let mut parts = vec![when];
    if let Some(p) = &e.place {
        let place: Vec<&str> = [p.name.as_str(), p.locality.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
        if !place.is_empty() {
            parts.push(place.join(", "));
        }
    }
    if e.online_url.is_some() {
        parts.push(ctx.i18n.t(lang, "agenda-online"));
    }
    parts.join(" · ")
}

/// The `Event` standing for a local event, with the context when it stands alone.
pub fn event_object(ctx: &Core, e: &Event, context: Option<Value>) -> EventObject {
    let base = ctx.config.base_url();
    let actor = org_id(ctx, &e.org_handle);
    let id = event_ap_id(ctx, e);
    let tz: Tz = e.timezone.parse().unwrap_or(Tz::UTC);
    let (mut names, mut summaries, mut contents) = (Map::new(), Map::new(), Map::new());
    for (lang, title, summary, _, html) in &e.texts {
        let ui = Lang::parse(lang).unwrap_or(Lang::En);
        let head = format!("<p>{}</p>", escape(&when_where(ctx, e, ui)));
        names.insert(lang.clone(), Value::from(title.clone()));
        let mut s = head.clone();
        if !summary.is_empty() {
            s.push_str(&format!("<p>{}</p>", escape(summary)));
        }
        summaries.insert(lang.clone(), Value::from(s));
        contents.insert(lang.clone(), Value::from(format!("{head}{html}<p><a href=\"{id}\">{id}</a></p>")));
    }
    let original =
        |m: &Map<String, Value>| m.get(&e.original_language).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut location = Vec::new();
    if let Some(p) = &e.place {
        location.push(json!({
            "type": "Place",
            "name": if p.name.is_empty() { p.locality.clone() } else { p.name.clone() },
            "address": {
                "type": "PostalAddress",
                "streetAddress": p.street,
                "postalCode": p.postal_code,
                "addressLocality": p.locality,
                "addressCountry": p.country.to_ascii_uppercase(),
            },
        }));
    }
    if let Some(url) = &e.online_url {
        location.push(json!({"type": "VirtualLocation", "url": url}));
    }
    let uris = |scheme: &str| {
        e.terms.iter().filter(|(s, _)| s == scheme).map(|(_, t)| Vocabularies::concept_uri(scheme, t)).collect()
    };
    let previous_start = e.previous_start_local.as_deref().and_then(|p| {
        let t = chrono::NaiveDateTime::parse_from_str(p, "%Y-%m-%dT%H:%M")
            .ok()
            .or_else(|| chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
        crate::model::event::to_utc(tz, t).map(|t| zoned(t, tz))
    });
    EventObject {
        head: ObjectHead {
            context,
            id: id.clone(),
            kind: "Event",
            attributed_to: actor.clone(),
            to: vec![PUBLIC.to_string()],
            cc: vec![format!("{actor}/followers")],
            published: time(e.created_at),
            // to the millisecond: two changes within a second are told apart by partners
            updated: e.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        },
        name: original(&names),
        summary: original(&summaries),
        content: original(&contents),
        name_map: names,
        summary_map: summaries,
        content_map: contents,
        media_type: "text/html",
        original_language: e.original_language.clone(),
        url: format!("{base}/e/{}", e.uid),
        start_time: zoned(e.start_utc, tz),
        end_time: zoned(e.end_utc, tz),
        timezone: e.timezone.clone(),
        previous_start_time: previous_start,
        event_status: format!(
            "https://w3id.org/fep/8a8e/{}",
            match e.status.as_str() {
                "postponed" => "EventPostponed",
                "cancelled" => "EventCancelled",
                "rescheduled" => "EventRescheduled",
                "moved-online" => "EventMovedOnline",
                "tentative" => "EventTentative",
                _ => "EventScheduled",
            }
        ),
        ical_status: match e.status.as_str() {
            "cancelled" => "CANCELLED",
            "tentative" | "postponed" => "TENTATIVE",
            _ => "CONFIRMED",
        },
        is_online: e.place.is_none() && e.online_url.is_some(),
        location,
        organizers: std::iter::once(Value::from(actor))
            .chain(e.organizers.iter().map(|o| {
                let mut v = json!({"type": "Organization", "name": o.name});
                if let Some(url) = &o.url {
                    v["url"] = Value::from(url.clone());
                }
                v
            }))
            .collect(),
        join_mode: if e.registration_url.is_some() { "external" } else { "none" },
        external_participation_url: e.registration_url.clone(),
        tag: e
            .terms
            .iter()
            .filter(|(s, _)| s == vocab::THEME)
            .map(|(_, t)| Hashtag {
                kind: "Hashtag",
                name: super::objects::hashtag(ctx.vocab.label(vocab::THEME, t, Lang::En)),
                href: format!("{base}/agenda?theme={t}"),
            })
            .collect(),
        all_day: e.all_day,
        event_kind: Vocabularies::concept_uri(crate::model::event::EVENT_KIND, &e.kind),
        theme: uris(vocab::THEME),
        mechanism: uris(vocab::MECHANISM),
        country: uris(vocab::COUNTRY),
        case: (e.case_name.is_some() || e.case_number.is_some())
            .then(|| Case { name: e.case_name.clone(), identifier: e.case_number.clone() }),
        session: e.session.clone(),
        source: e.source_url.clone(),
        rrule: e.rrule.clone(),
        related: e.resources.iter().map(|r| super::objects::resource_id(ctx, r)).collect(),
        languages: e.languages.clone(),
        interpretation: e.interpretation.clone(),
        accessibility: e.accessibility.iter().map(|(l, a)| (l.clone(), Value::from(a.clone()))).collect(),
    }
}

/// What `GET /e/{id}` answers an ActivityPub client: the `Event` of a local event.
pub fn event_response(ctx: &Core, e: &Event) -> Response {
    // a partner's event is served by its own server, never as this one's
    if !e.local {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    activity_json(&serde_json::to_value(event_object(ctx, e, Some(context()))).unwrap_or_default())
}

/// Sends a change of a local event to its organisation's followers: `Create` when it is new,
/// `Update` for any change (a postponement or a cancellation is an update, so that calendars
/// keep the event and show its status), `Delete` when it is removed.
pub async fn announce(ctx: &Core, e: &Event, change: &str) -> AppResult<()> {
    if !e.local {
        return Ok(());
    }
    let inboxes = ctx.db.follower_inboxes(e.org_id).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor = org_id(ctx, &e.org_handle);
    let cc = vec![format!("{actor}/followers")];
    let kind = match change {
        "created" => "Create",
        "deleted" => "Delete",
        _ => "Update",
    };
    let ap_id = format!("{}/activities/{}/{}", ctx.config.base_url(), kind.to_lowercase(), crate::db::new_uid());
    let now = time(Utc::now());
    let json = if kind == "Delete" {
        let gone = TombstoneRef { id: event_ap_id(ctx, e), kind: "Tombstone" };
        serde_json::to_string(&Addressed::new(kind, ap_id.clone(), actor, now, cc, gone))
    } else {
        serde_json::to_string(&Addressed::new(kind, ap_id.clone(), actor, now, cc, event_object(ctx, e, None)))
    }
    .map_err(AppError::internal)?;
    ctx.db.queue_activity(Some(e.org_id), &ap_id, &json, &inboxes).await?;
    ctx.delivery_bell.notify_one();
    Ok(())
}

/// `GET /orgs/{handle}/events`: the organisation's upcoming events (FEP-8a8e
/// `upcomingEvents`), in start order, the next 50.
pub async fn upcoming(State(ctx): State<Core>, signed: Signed, Path(handle): Path<String>) -> AppResult<Response> {
    signed.check().await?;
    let org = ctx.db.org_by_handle(&handle).await?.filter(|o| o.local).ok_or(AppError::NotFound)?;
    let f = EventFilters { from: Some(Utc::now()), org_id: Some(org.id), ..EventFilters::default() };
    let (events, _) = ctx.db.list_events(&f, 0, 50).await?;
    let items: Vec<Value> =
        events.iter().map(|e| serde_json::to_value(event_object(&ctx, e, None)).unwrap_or_default()).collect();
    Ok(activity_json(&json!({
        "@context": context(),
        "id": format!("{}/events", org_id(&ctx, &org.handle)),
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    })))
}

/// Stores a followed actor's `Event` in the partners' agenda (new, or replacing an older
/// copy), and tells open agenda pages. `org_id` is the row standing for the actor.
pub async fn store_remote(ctx: &Core, org_id: i64, object: &Value, id: &Url) -> AppResult<()> {
    let (event, previous) =
        super::remote_event::to_event(&ctx.vocab, &ctx.config.extra_content_languages, object, Utc::now())?;
    // the copy's version: when it last changed, else when it was published; an older copy
    // arriving late (a replayed Create after an Update) does not undo a newer one
    let updated = ["updated", "published"]
        .iter()
        .filter_map(|k| object.get(*k).and_then(Value::as_str))
        .find_map(|u| DateTime::parse_from_rfc3339(u).ok())
        .map(|u| u.with_timezone(&Utc))
        // a version from the future (a wrong clock) would make every later update look stale
        .map(|u| u.min(Utc::now()));
    let before = ctx.db.event_by_ap_id(id.as_str()).await?;
    let stored = ctx
        .db
        .upsert_remote_event(&RemoteEvent {
            org_id,
            ap_id: id.as_str(),
            event: &event,
            updated,
            previous_start: previous.as_deref(),
        })
        .await?;
    let (uid, change) = match stored {
        Stored::NotTheirs => return Err(AppError::BadRequest("error-bad-activity")),
        Stored::Stale => return Ok(()),
        Stored::New(uid) => (uid, "created"),
        Stored::Changed(uid) => (uid, ""),
    };
    let after = ctx.db.event_by_uid(&uid).await?.ok_or(AppError::NotFound)?;
    let change = match &before {
        Some(b) if change.is_empty() => crate::agenda::what_changed(b, &after),
        _ => "created",
    };
    crate::live::announce(ctx, Change { id: uid, change: change.into(), status: after.status }).await;
    Ok(())
}

/// Removes a partner's event when its own actor deletes it; `false` when no event has that id.
pub async fn delete_remote(ctx: &Core, id: &Url, actor: &Url) -> AppResult<bool> {
    let Some(e) = ctx.db.event_by_ap_id(id.as_str()).await? else { return Ok(false) };
    if ctx.db.org_ap_id(e.org_id).await?.as_deref() != Some(actor.as_str()) {
        return Err(AppError::Forbidden);
    }
    ctx.db.delete_event(e.id).await?;
    crate::live::announce(ctx, Change { id: e.uid, change: "deleted".into(), status: String::new() }).await;
    Ok(true)
}

/// Answers a `Join` of a local event with `Ignore`: nobody joins an event here (a
/// registration link, when there is one, is the event's `externalParticipationUrl`).
pub async fn ignore_join(ctx: &Core, join: &Value, event: &Url, inbox: &str) -> AppResult<()> {
    let base = ctx.config.base_url();
    let uid = event.as_str().strip_prefix(&format!("{base}/e/")).ok_or(AppError::BadRequest(super::IGNORED))?;
    let e = ctx.db.event_by_uid(uid).await?.filter(|e| e.local).ok_or(AppError::BadRequest(super::IGNORED))?;
    let id = format!("{base}/activities/ignore/{}", crate::db::new_uid());
    let answer = json!({
        "@context": context(),
        "id": id,
        "type": "Ignore",
        "actor": org_id(ctx, &e.org_handle),
        "object": join,
    });
    ctx.db.queue_activity(Some(e.org_id), &id, &answer.to_string(), &[inbox.to_string()]).await?;
    ctx.delivery_bell.notify_one();
    Ok(())
}
