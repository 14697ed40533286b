//! Events of other servers (Amicus, Mobilizon, Gancio and others following FEP-8a8e) as
//! events of the partners' agenda: titles and sanitised descriptions in every language they
//! carry, start and end in the event's own zone, status, place and online link, and the
//! Amicus terms when an Amicus instance sent them. Everything is checked as an event typed
//! here would be (the same bounds on dates, links and recurrences). Pure conversion: nothing
//! here touches the database or the network.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::remote::{terms, to_resource};
use crate::error::AppError;
use crate::model::event::{Case, EventInput, EventText, NewEvent, Place};
use crate::model::vocab::{self, Vocabularies, CONCEPT_BASE};

/// A time as an Event gives it: an instant with its offset, or a bare date (all day).
enum Time {
    Instant(DateTime<FixedOffset>),
    Day(NaiveDate),
}

fn time(object: &Value, key: &str) -> Result<Option<Time>, AppError> {
    let Some(v) = object.get(key).filter(|v| !v.is_null()) else { return Ok(None) };
    let s = v.as_str().ok_or(AppError::BadRequest("error-event-bad-time"))?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(Time::Instant(t)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Some(Time::Day(d)));
    }
    Err(AppError::BadRequest("error-event-bad-time"))
}

/// The zone an event happens in: its IANA `timezone`, else one with the offset its start was
/// written with (`Etc/GMT-2` is two hours ahead of UTC), else UTC.
fn zone(object: &Value, start: &Time) -> Tz {
    let named = object.get("timezone").and_then(Value::as_str).and_then(|z| Tz::from_str(z.trim()).ok());
    named.unwrap_or_else(|| match start {
        Time::Instant(t) => {
            let secs = t.offset().local_minus_utc();
            if secs % 3600 == 0 && secs != 0 {
                // POSIX names count the other way
                Tz::from_str(&format!("Etc/GMT{:+}", -secs / 3600)).unwrap_or(Tz::UTC)
            } else {
                Tz::UTC
            }
        }
        Time::Day(_) => Tz::UTC,
    })
}

/// The wall clock of `t` in `tz`, as events are written (`2027-03-04T09:30`), or the date.
fn wall(t: &Time, tz: Tz) -> String {
    match t {
        Time::Instant(t) => t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string(),
        Time::Day(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// The status FEP-8a8e's `eventStatus` or iCalendar's `status` gives.
fn status(object: &Value) -> &'static str {
    let fep = object.get("eventStatus").and_then(Value::as_str).unwrap_or_default();
    let name = fep.rsplit(['/', '#', ':']).next().unwrap_or_default();
    match name {
        "EventCancelled" => return "cancelled",
        "EventPostponed" => return "postponed",
        "EventRescheduled" => return "rescheduled",
        "EventMovedOnline" => return "moved-online",
        "EventScheduled" => return "scheduled",
        "EventTentative" | "Tentative" => return "tentative",
        _ => {}
    }
    let ical = ["ical:status", "status"].iter().find_map(|k| object.get(*k).and_then(Value::as_str));
    match ical.map(str::to_ascii_uppercase).as_deref() {
        Some("CANCELLED") => "cancelled",
        Some("TENTATIVE") => "tentative",
        _ => "scheduled",
    }
}

fn web(u: &str) -> Option<String> {
    url::Url::parse(u).ok().filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| u.to_string())
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).map(|s| s.trim().chars().take(200).collect()).unwrap_or_default()
}

/// A country as an address gives it: an ISO code (`NL`, `nl`) or a name in one of the four
/// languages (`France`, Mobilizon's way).
fn country_id(vocab: &Vocabularies, given: &str) -> Option<String> {
    let lower = given.trim().to_lowercase();
    if lower.is_empty() {
        return None;
    }
    if vocab.contains(vocab::COUNTRY, &lower) {
        return Some(lower);
    }
    let scheme = vocab.scheme(vocab::COUNTRY)?;
    scheme.terms.iter().find(|t| t.labels.values().any(|l| l.to_lowercase() == lower)).map(|t| t.id.clone())
}

/// `location`: a `Place` (a `PostalAddress`, or an address as text), a `VirtualLocation`
/// (a link), a list of both (a hybrid event), or a name alone. Anything else is refused.
fn location(object: &Value, vocab: &Vocabularies) -> Result<(Option<Place>, Option<String>), AppError> {
    let items: Vec<&Value> = match object.get("location") {
        None | Some(Value::Null) => return Ok((None, None)),
        Some(Value::Array(a)) if a.len() <= 10 => a.iter().collect(),
        Some(v @ (Value::Object(_) | Value::String(_))) => vec![v],
        _ => return Err(AppError::BadRequest("error-event-bad-location")),
    };
    let (mut place, mut online) = (None, None);
    for item in items {
        match item {
            Value::String(s) => {
                place.get_or_insert(Place { name: s.trim().chars().take(200).collect(), ..Place::default() });
            }
            Value::Object(_) => match item.get("type").and_then(Value::as_str) {
                Some("VirtualLocation") => {
                    let url = item.get("url").and_then(Value::as_str).and_then(web);
                    online = online.or(url);
                }
                Some("Place") | None => {
                    let mut p = Place { name: text(item, "name"), ..Place::default() };
                    match item.get("address") {
                        Some(a @ Value::Object(_)) => {
                            p.street = text(a, "streetAddress");
                            p.locality = text(a, "addressLocality");
                            p.postal_code = text(a, "postalCode");
                            p.country = country_id(vocab, &text(a, "addressCountry")).unwrap_or_default();
                        }
                        Some(Value::String(s)) => p.street = s.trim().chars().take(200).collect(),
                        _ => {}
                    }
                    if p != Place::default() {
                        place.get_or_insert(p);
                    }
                }
                Some(_) => {}
            },
            _ => return Err(AppError::BadRequest("error-event-bad-location")),
        }
    }
    Ok((place, online))
}

/// The event's page (`url`, a string or a `Link`), when it is on the host of the event's id
/// (already checked to be the sender's): a partner's event links to no one else's site.
fn own_page(object: &Value) -> Option<String> {
    let id = url::Url::parse(object.get("id")?.as_str()?).ok()?;
    let candidates: Vec<&Value> = match object.get("url")? {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    candidates
        .into_iter()
        .filter_map(|u| u.as_str().or_else(|| u.get("href").and_then(Value::as_str)))
        .filter_map(|u| url::Url::parse(u).ok())
        .find(|u| matches!(u.scheme(), "http" | "https") && u.host_str() == id.host_str())
        .map(|u| u.to_string())
}

/// A list of strings (at most 20), or a single one.
fn strings(object: &Value, key: &str) -> Vec<String> {
    match object.get(key) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).take(20).map(str::to_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The organisers that are no actor: objects with a `name` (FEP-8a8e's `organizers` holds
/// actors' ids too, which are the event's own organisation or another actor).
fn organizers(object: &Value) -> Vec<crate::model::event::Organizer> {
    let items: Vec<&Value> = match object.get("organizers") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => match o.get("items").or_else(|| o.get("orderedItems")) {
            Some(Value::Array(a)) => a.iter().collect(),
            _ => vec![o],
        },
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter(|o| o.is_object() && o.get("id").is_none())
        .filter_map(|o| {
            let name = text(o, "name");
            (!name.is_empty()).then(|| crate::model::event::Organizer {
                name,
                url: o.get("url").and_then(Value::as_str).and_then(web),
            })
        })
        .take(20)
        .collect()
}

/// A remote `Event` as an event of the partners' agenda, with the address of its page and
/// when it was postponed from (wall clock, in its zone).
pub fn to_event(
    vocab: &Vocabularies,
    extra_langs: &[String],
    object: &Value,
    now: DateTime<Utc>,
) -> Result<(NewEvent, Option<String>), AppError> {
    if object.get("type").and_then(Value::as_str) != Some("Event") {
        return Err(AppError::BadRequest(crate::federation::IGNORED));
    }
    let start = time(object, "startTime")?.ok_or(AppError::BadRequest("error-event-no-start"))?;
    let end = time(object, "endTime")?;
    let tz = zone(object, &start);
    let all_day =
        matches!(start, Time::Day(_)) || object.get("amicus:allDay").and_then(Value::as_bool).unwrap_or(false);
    let (resource, _) = to_resource(vocab, extra_langs, object)?;
    let kind = object
        .get("amicus:eventKind")
        .and_then(Value::as_str)
        .and_then(|u| u.strip_prefix(&format!("{CONCEPT_BASE}/{}/", crate::model::event::EVENT_KIND)))
        .filter(|k| vocab.contains(crate::model::event::EVENT_KIND, k))
        .unwrap_or("advocacy-action");
    let (place, online) = location(object, vocab)?;
    let ids = |key: &str, scheme: &str| terms(object, key, scheme, vocab).into_iter().map(|(_, t)| t).collect();
    let case = object.get("amicus:case").map(|c| Case {
        name: text(c, "name"),
        number: ["schema:identifier", "identifier"]
            .iter()
            .map(|k| text(c, k))
            .find(|s| !s.is_empty())
            .unwrap_or_default(),
    });
    let day_only = |t: &Time| match t {
        Time::Instant(i) => i.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        Time::Day(d) => d.format("%Y-%m-%d").to_string(),
    };
    let input = EventInput {
        org: String::new(),
        kind: kind.to_string(),
        original_language: resource.original_language.as_str().to_string(),
        translations: resource
            .texts
            .iter()
            .map(|t| {
                let accessibility = object
                    .get("amicus:accessibility")
                    .and_then(|m| m.get(t.lang.as_str()))
                    .and_then(Value::as_str)
                    .map(|a| a.chars().take(crate::model::event::MAX_ACCESSIBILITY).collect())
                    .unwrap_or_default();
                let text = EventText {
                    title: t.title.clone(),
                    summary: t.summary.clone(),
                    description: t.body.clone(),
                    accessibility,
                };
                (t.lang.as_str().to_string(), text)
            })
            .collect(),
        start: if all_day { day_only(&start) } else { wall(&start, tz) },
        end: end.as_ref().map(|e| if all_day { day_only(e) } else { wall(e, tz) }),
        timezone: tz.name().to_string(),
        all_day,
        status: Some(status(object).to_string()),
        place,
        online_url: online,
        mechanisms: ids("amicus:mechanism", vocab::MECHANISM),
        themes: ids("amicus:theme", vocab::THEME),
        countries: ids("amicus:country", vocab::COUNTRY),
        case: case.filter(|c| !c.name.is_empty() || !c.number.is_empty()),
        session: object.get("amicus:session").and_then(Value::as_str).map(str::to_string),
        // the official entry an Amicus instance names, else the event's page on its own server
        source_url: object.get("amicus:source").and_then(Value::as_str).and_then(web).or_else(|| own_page(object)),
        registration_url: object.get("externalParticipationUrl").and_then(Value::as_str).and_then(web),
        rrule: object.get("amicus:rrule").and_then(Value::as_str).map(str::to_string),
        resources: Vec::new(),
        languages: strings(object, "amicus:languages"),
        interpretation: strings(object, "amicus:interpretation"),
        organizers: organizers(object),
    };
    let mut e = input.validate(vocab, extra_langs, now).map_err(AppError::Invalid)?;
    // the description as its server wrote it (sanitised), not re-rendered from plain text
    for (lang, _, _, description, html) in &mut e.texts {
        if let Some(t) = resource.texts.iter().find(|t| t.lang.as_str() == lang) {
            *description = t.body.clone();
            *html = t.body_html.clone();
        }
    }
    let previous = match time(object, "previousStartTime") {
        Ok(Some(t)) => Some(if all_day { day_only(&t) } else { wall(&t, tz) }),
        _ => None,
    };
    Ok((e, previous))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabularies {
        Vocabularies::load(None).unwrap()
    }

    fn now() -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 1, 12, 0, 0).unwrap()
    }

    fn fixture(name: &str) -> Value {
        let text =
            std::fs::read_to_string(format!("{}/federation/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        serde_json::from_str::<Value>(&text).unwrap()["object"].clone()
    }

    #[test]
    fn mobilizon_and_gancio_events_keep_their_zone_place_and_status() {
        let (e, _) = to_event(&vocab(), &[], &fixture("mobilizon-create-event.json"), now()).unwrap();
        assert_eq!((e.start_local.as_str(), e.timezone.as_str()), ("2026-08-30T18:00", "Europe/Paris"));
        assert_eq!(e.place.as_ref().unwrap().locality, "Paris");
        assert_eq!(e.place.as_ref().unwrap().country, "fr", "Mobilizon names the country");
        assert_eq!(e.status, "scheduled");
        // Gancio gives no zone: the offset its times were written with stands for it
        let (e, _) = to_event(&vocab(), &[], &fixture("gancio-create-event.json"), now()).unwrap();
        assert_eq!((e.start_local.as_str(), e.timezone.as_str()), ("2026-12-12T19:00", "Etc/GMT-1"));
        assert_eq!(e.place.as_ref().unwrap().street, "Via Roma 1, Torino");
        assert_eq!(e.source_url.as_deref(), Some("https://gancio.example/event/screening-the-habre-trial"));
        // a page on another host than the event's is not linked
        let mut elsewhere = fixture("gancio-create-event.json");
        elsewhere["url"] = Value::from("https://phishing.example/event");
        assert_eq!(to_event(&vocab(), &[], &elsewhere, now()).unwrap().0.source_url, None);
        let (e, _) = to_event(&vocab(), &[], &fixture("mobilizon-update-event-cancelled.json"), now()).unwrap();
        assert_eq!(e.status, "cancelled");
    }

    #[test]
    fn bad_remote_events_are_refused_with_a_reason() {
        let base = fixture("mobilizon-create-event.json");
        let with = |key: &str, v: Value| {
            let mut o = base.clone();
            o[key] = v;
            o
        };
        let err = |o: &Value| match to_event(&vocab(), &[], o, now()) {
            Err(AppError::BadRequest(code)) => code.to_string(),
            Err(AppError::Invalid(f)) => f[0].code.to_string(),
            other => panic!("accepted: {other:?}"),
        };
        let mut no_start = base.clone();
        no_start.as_object_mut().unwrap().remove("startTime");
        assert_eq!(err(&no_start), "error-event-no-start");
        assert_eq!(err(&with("startTime", Value::from("next tuesday"))), "error-event-bad-time");
        assert_eq!(err(&with("location", Value::from(42))), "error-event-bad-location");
        assert_eq!(err(&with("startTime", Value::from("9999-01-01T10:00:00Z"))), "err-date-out-of-range");
        assert_eq!(err(&with("endTime", Value::from("2026-08-29T10:00:00+02:00"))), "err-end-before-start");
        // a bare date is a day: the event lasts all day, in its own zone
        let (e, _) = to_event(&vocab(), &[], &with("startTime", Value::from("2026-08-30")), now())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(e.all_day && e.start_local == "2026-08-30");
    }
}
