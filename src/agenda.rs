//! The agenda's operations, shared by the API (and, as they come, the pages, the ICS import
//! and federation): events of an organisation, written by its editors.

use serde_json::Value;

use crate::accounts::require_editor;
use crate::db::events::{Event, EventFilters};
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::live::Change;
use crate::model::event::{Case, EventInput, EventText, NewEvent};
use crate::model::user::User;

fn validate(ctx: &Core, input: &EventInput) -> AppResult<NewEvent> {
    input.validate(&ctx.vocab, &ctx.config.extra_content_languages, chrono::Utc::now()).map_err(AppError::Invalid)
}

/// The library resources an event names, by uid: every one must exist.
async fn resource_ids(ctx: &Core, e: &NewEvent) -> AppResult<Vec<i64>> {
    let found = ctx.db.resource_ids_by_uid(&e.resources).await?;
    let missing: Vec<crate::model::FieldError> = e
        .resources
        .iter()
        .filter(|u| !found.iter().any(|(f, _)| f == *u))
        .map(|u| crate::model::FieldError::new("resources", "err-no-such-resource", u))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing));
    }
    Ok(found.into_iter().map(|(_, id)| id).collect())
}

/// Creates an event of `input.org`, which `user` must edit.
pub async fn create(ctx: &Core, user: &User, input: &EventInput) -> AppResult<Event> {
    let org = ctx
        .db
        .org_by_handle(&input.org)
        .await?
        .ok_or_else(|| AppError::invalid("org", "err-no-such-org", &input.org))?;
    if !org.local {
        return Err(AppError::Forbidden);
    }
    require_editor(ctx, user, org.id).await?;
    store_new(ctx, org.id, input, None).await
}

/// Stores a new event of organisation `org_id` (whose editor the caller checked), with the
/// UID it had in an imported calendar, and announces it.
async fn store_new(ctx: &Core, org_id: i64, input: &EventInput, external_id: Option<&str>) -> AppResult<Event> {
    let e = validate(ctx, input)?;
    let resources = resource_ids(ctx, &e).await?;
    let uid = crate::db::new_uid();
    let origin = crate::db::events::Origin { external_id, ..Default::default() };
    ctx.db.insert_event(org_id, &uid, &e, &resources, &origin).await?;
    let stored = ctx.db.event_by_uid(&uid).await?.ok_or_else(|| AppError::internal("the event just stored is gone"))?;
    announce(ctx, &stored, "created").await;
    Ok(stored)
}

/// Tells the open agenda pages (on every node) and the organisation's followers of a
/// change to `e`. The event is stored whatever becomes of the announcement.
pub async fn announce(ctx: &Core, e: &Event, change: &str) {
    let live = Change { id: e.uid.clone(), change: change.to_string(), status: e.status.clone() };
    crate::live::announce(ctx, live).await;
    if let Err(err) = crate::federation::events::announce(ctx, e, change).await {
        tracing::warn!("could not queue the change of event {} for followers: {err}", e.uid);
    }
}

/// What a change did, as `/agenda/live` says it: the status it took if that changed, else
/// `rescheduled` when the times moved, else `updated`.
pub fn what_changed(before: &Event, after: &Event) -> &'static str {
    if before.status != after.status {
        return match after.status.as_str() {
            "postponed" => "postponed",
            "cancelled" => "cancelled",
            "rescheduled" => "rescheduled",
            "moved-online" => "moved-online",
            "tentative" => "tentative",
            _ => "scheduled",
        };
    }
    if before.start_utc != after.start_utc || before.end_utc != after.end_utc {
        "rescheduled"
    } else {
        "updated"
    }
}

pub async fn get(ctx: &Core, uid: &str) -> AppResult<Event> {
    ctx.db.event_by_uid(uid).await?.ok_or(AppError::NotFound)
}

/// A local event that `user` may change.
pub async fn get_for_edit(ctx: &Core, user: &User, uid: &str) -> AppResult<Event> {
    let e = get(ctx, uid).await?;
    if !e.local {
        return Err(AppError::Forbidden);
    }
    require_editor(ctx, user, e.org_id).await?;
    Ok(e)
}

/// The event in the API's shape, as it would be sent again.
pub fn to_input(e: &Event) -> EventInput {
    let place = e.place.clone();
    EventInput {
        org: e.org_handle.clone(),
        kind: e.kind.clone(),
        original_language: e.original_language.clone(),
        translations: e
            .texts
            .iter()
            .map(|(l, title, summary, description, _)| {
                let accessibility =
                    e.accessibility.iter().find(|(a, _)| a == l).map(|(_, t)| t.clone()).unwrap_or_default();
                let text = EventText {
                    title: title.clone(),
                    summary: summary.clone(),
                    description: description.clone(),
                    accessibility,
                };
                (l.clone(), text)
            })
            .collect(),
        start: e.start_local.clone(),
        end: e.end_local.clone(),
        timezone: e.timezone.clone(),
        all_day: e.all_day,
        status: Some(e.status.clone()),
        place,
        online_url: e.online_url.clone(),
        mechanisms: terms(e, crate::model::vocab::MECHANISM),
        themes: terms(e, crate::model::vocab::THEME),
        countries: terms(e, crate::model::vocab::COUNTRY),
        case: (e.case_name.is_some() || e.case_number.is_some()).then(|| Case {
            name: e.case_name.clone().unwrap_or_default(),
            number: e.case_number.clone().unwrap_or_default(),
        }),
        session: e.session.clone(),
        source_url: e.source_url.clone(),
        registration_url: e.registration_url.clone(),
        rrule: e.rrule.clone(),
        resources: e.resources.clone(),
        languages: e.languages.clone(),
        interpretation: e.interpretation.clone(),
        organizers: e.organizers.clone(),
    }
}

fn terms(e: &Event, scheme: &str) -> Vec<String> {
    e.terms.iter().filter(|(s, _)| s == scheme).map(|(_, t)| t.clone()).collect()
}

/// Changes any subset of an event (the API's `PATCH`): the fields given replace the stored
/// ones, `translations` merge by language (`null` removes one), and the whole is checked
/// again. A postponement or a rescheduling keeps the start it replaces.
pub async fn update(ctx: &Core, user: &User, uid: &str, patch: &Value) -> AppResult<Event> {
    let before = get_for_edit(ctx, user, uid).await?;
    let Value::Object(changes) = patch else { return Err(AppError::invalid("body", "err-json-shape", "an object")) };
    let mut merged = serde_json::to_value(to_input(&before)).map_err(AppError::internal)?;
    for (k, v) in changes {
        if k == "org" {
            return Err(AppError::invalid("org", "err-org-fixed", ""));
        }
        match (k.as_str(), v, merged.get_mut("translations")) {
            ("translations", Value::Object(langs), Some(Value::Object(current))) => {
                for (lang, text) in langs {
                    if text.is_null() {
                        current.remove(lang);
                    } else {
                        current.insert(lang.clone(), text.clone());
                    }
                }
            }
            (_, v, _) => {
                if let Value::Object(m) = &mut merged {
                    m.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let input: EventInput =
        serde_json::from_value(merged).map_err(|e| AppError::invalid("body", "err-json-shape", &e.to_string()))?;
    store_change(ctx, &before, &input).await
}

/// Replaces `before` with `input` (checked whole), keeping the start a postponement moved
/// away from, and announces what changed.
async fn store_change(ctx: &Core, before: &Event, input: &EventInput) -> AppResult<Event> {
    let e = validate(ctx, input)?;
    let resources = resource_ids(ctx, &e).await?;
    // the start a postponement moved away from stays known (shown struck through, and in ICS)
    let moved = e.start_local != before.start_local;
    // (and stays known once it is cancelled or moved online; back on schedule, it is history)
    let previous = match (e.status.as_str(), moved) {
        ("postponed" | "rescheduled", true) => Some(before.start_local.as_str()),
        ("scheduled" | "tentative", _) => None,
        _ => before.previous_start_local.as_deref(),
    };
    ctx.db.update_event(before.id, &e, &resources, previous, None).await?;
    let after = get(ctx, &before.uid).await?;
    announce(ctx, &after, what_changed(before, &after)).await;
    Ok(after)
}

/// What importing a calendar did.
#[derive(Debug, Default)]
pub struct IcsReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// (line, reason)
    pub errors: Vec<(usize, String)>,
}

/// Imports the events of an iCalendar text into organisation `org`: each is created, or,
/// when an event with its UID was imported before, updated (unchanged when nothing
/// changed). Bad entries are reported by the line they start on, in `lang`; the good ones
/// are imported. `progress` is told how many events of how many were done.
pub async fn import_ics(
    ctx: &Core,
    text: &str,
    defaults: &crate::ics_read::Defaults<'_>,
    lang: crate::model::lang::Lang,
    progress: impl Fn(usize, usize),
) -> AppResult<IcsReport> {
    let org = ctx
        .db
        .org_by_handle(defaults.org)
        .await?
        .filter(|o| o.local)
        .ok_or_else(|| AppError::invalid("org", "err-no-such-org", defaults.org))?;
    let calendar = crate::ics_read::parse(text);
    let mut report = IcsReport { errors: calendar.errors, ..IcsReport::default() };
    let total = calendar.events.len();
    for (i, vevent) in calendar.events.iter().enumerate() {
        progress(i, total);
        let (uid, mut input) = match crate::ics_read::to_input(vevent, defaults, &ctx.vocab) {
            Ok(found) => found,
            Err(reason) => {
                // a broken line is named itself; anything else by the line the event starts on
                report.errors.push((vevent.broken.as_ref().map_or(vevent.line, |b| b.0), reason));
                continue;
            }
        };
        input.org = org.handle.clone();
        let existing = match ctx.db.event_uid_by_external_id(org.id, &uid).await? {
            Some(u) => ctx.db.event_by_uid(&u).await?,
            None => None,
        };
        let done = match &existing {
            Some(before) if unchanged(before, &input) => {
                report.unchanged += 1;
                continue;
            }
            Some(before) => store_change(ctx, before, &merged_with(before, input)).await.map(|_| &mut report.updated),
            None => store_new(ctx, org.id, &input, Some(&uid)).await.map(|_| &mut report.created),
        };
        match done {
            Ok(count) => *count += 1,
            Err(AppError::Invalid(errors)) => {
                let reasons: Vec<String> = errors
                    .iter()
                    .map(|e| {
                        format!("{}: {}", e.field, ctx.i18n.t_args(lang, e.code, &[("value", e.value.as_str().into())]))
                    })
                    .collect();
                report.errors.push((vevent.line, reasons.join("; ")));
            }
            Err(e) => return Err(e),
        }
    }
    progress(total, total);
    Ok(report)
}

/// An imported event again: what the calendar says replaces what it said before; what was
/// added here (terms, a case, other languages) stays.
fn merged_with(before: &Event, new: EventInput) -> EventInput {
    let mut kept = to_input(before);
    kept.translations.extend(new.translations);
    EventInput {
        mechanisms: kept.mechanisms,
        themes: kept.themes,
        countries: kept.countries,
        case: kept.case,
        session: kept.session,
        registration_url: kept.registration_url,
        online_url: kept.online_url,
        resources: kept.resources,
        translations: kept.translations,
        place: new.place.or(kept.place),
        ..new
    }
}

/// Whether importing `input` again would change nothing of `before`.
fn unchanged(before: &Event, input: &EventInput) -> bool {
    let merged = merged_with(before, input.clone());
    let mut now = to_input(before);
    // compared as stored: the end an all-day event or a point in time is given by default
    if now.end.as_deref() == Some(now.start.as_str()) {
        now.end = None;
    }
    let mut then = merged;
    if then.end.as_deref() == Some(then.start.as_str()) {
        then.end = None;
    }
    now == then
}

pub async fn delete(ctx: &Core, user: &User, uid: &str) -> AppResult<()> {
    let e = get_for_edit(ctx, user, uid).await?;
    ctx.db.delete_event(e.id).await?;
    announce(ctx, &Event { status: String::new(), ..e }, "deleted").await;
    Ok(())
}

/// A page of events in start order.
pub async fn list(ctx: &Core, f: &EventFilters, offset: i64, limit: i64) -> AppResult<(Vec<Event>, bool)> {
    ctx.db.list_events(f, offset, limit).await
}

/// The starts of an event's occurrences: its start, or each of its series'.
pub fn occurrence_starts(e: &Event) -> Vec<chrono::DateTime<chrono::Utc>> {
    let series = e.rrule.as_deref().and_then(|rule| {
        let tz: chrono_tz::Tz = e.timezone.parse().ok()?;
        let start = if e.all_day {
            chrono::NaiveDate::parse_from_str(&e.start_local, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0)?
        } else {
            chrono::NaiveDateTime::parse_from_str(&e.start_local, "%Y-%m-%dT%H:%M").ok()?
        };
        crate::model::event::occurrences_of(rule, start, tz, e.all_day).ok()
    });
    series.filter(|s| !s.is_empty()).unwrap_or_else(|| vec![e.start_utc])
}
