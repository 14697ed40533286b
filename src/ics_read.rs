//! Reading iCalendar (RFC 5545) for `amicus import-ics`: lines unfolded, properties with their
//! parameters, each VEVENT with the line it starts on, and each event as the API's
//! `EventInput`. What cannot be read is reported by line: a line that is neither a property
//! nor a continuation (folding broken by an editor or a mail client), an event without a UID,
//! a zone that is not an IANA name. Pure: nothing here touches the database or the network.

use std::str::FromStr;

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::model::event::{EventInput, EventText, Place};

/// A property: its name (upper case), parameters and raw value, and the line it starts on.
#[derive(Debug, Clone)]
pub struct Property {
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
    pub line: usize,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A VEVENT: the line of its `BEGIN:VEVENT`, its properties, and the first problem found in it.
#[derive(Debug, Clone, Default)]
pub struct VEvent {
    pub line: usize,
    pub props: Vec<Property>,
    pub broken: Option<(usize, String)>,
}

impl VEvent {
    fn get(&self, name: &str) -> Option<&Property> {
        self.props.iter().find(|p| p.name == name)
    }
}

/// The events of a calendar, and the problems found outside any event.
#[derive(Debug, Default)]
pub struct Calendar {
    pub events: Vec<VEvent>,
    pub errors: Vec<(usize, String)>,
}

/// Splits a content line into name, parameters and value (a `:` inside a quoted parameter
/// value is not the separator).
fn content_line(s: &str, line: usize) -> Option<Property> {
    let mut quoted = false;
    let mut colon = None;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&s[..colon], &s[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let mut params = Vec::new();
    for p in parts {
        let (k, v) = p.split_once('=')?;
        params.push((k.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_string()));
    }
    Some(Property { name: name.to_ascii_uppercase(), params, value: value.to_string(), line })
}

/// Reads a calendar: unfolds its lines (CRLF or LF, continuation lines starting with a space
/// or a tab) and gathers its VEVENTs.
pub fn parse(text: &str) -> Calendar {
    // logical lines, with the physical line each starts on
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match raw.chars().next() {
            Some(' ' | '\t') if !logical.is_empty() => {
                if let Some(last) = logical.last_mut() {
                    last.1.push_str(&raw[1..]);
                }
            }
            None => {}
            _ => logical.push((i + 1, raw.to_string())),
        }
    }
    let mut cal = Calendar::default();
    let mut current: Option<VEvent> = None;
    // nested components inside an event (VALARM) are skipped
    let mut depth = 0;
    for (line, s) in logical {
        let Some(prop) = content_line(&s, line) else {
            let reason = "not an iCalendar line: is a long line folded without a leading space?".to_string();
            match current.as_mut() {
                Some(e) if e.broken.is_none() => e.broken = Some((line, reason)),
                Some(_) => {}
                None => cal.errors.push((line, reason)),
            }
            continue;
        };
        match (prop.name.as_str(), prop.value.trim().to_ascii_uppercase().as_str()) {
            ("BEGIN", "VEVENT") if current.is_none() => current = Some(VEvent { line, ..VEvent::default() }),
            ("END", "VEVENT") if depth == 0 => {
                if let Some(e) = current.take() {
                    cal.events.push(e);
                }
            }
            ("BEGIN", _) if current.is_some() => depth += 1,
            ("END", _) if current.is_some() => depth -= 1,
            _ => {
                if let Some(e) = current.as_mut().filter(|_| depth == 0) {
                    e.props.push(prop);
                }
            }
        }
    }
    if let Some(e) = current {
        cal.errors.push((e.line, "the event is not closed (END:VEVENT is missing)".into()));
    }
    cal
}

/// A TEXT value without its escapes.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A date or date-time value: its wall clock in a zone, and whether it is a date.
fn when(p: &Property, fallback: Tz) -> Result<(NaiveDateTime, Tz, bool), String> {
    let v = p.value.trim();
    let date = p.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) || v.len() == 8;
    if date {
        let d = NaiveDate::parse_from_str(v, "%Y%m%d").map_err(|_| format!("{}: “{v}” is not a date", p.name))?;
        return Ok((d.and_hms_opt(0, 0, 0).unwrap_or_default(), fallback, true));
    }
    if let Some(utc) = v.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
            .map_err(|_| format!("{}: “{v}” is not a date and time", p.name))?;
        return Ok((Utc.from_utc_datetime(&t).with_timezone(&fallback).naive_local(), fallback, false));
    }
    let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .map_err(|_| format!("{}: “{v}” is not a date and time", p.name))?;
    let tz = match p.param("TZID") {
        Some(z) => Tz::from_str(z.trim_start_matches('/')).map_err(|_| {
            format!("{}: “{z}” is not a time zone name (use an IANA name such as Europe/Amsterdam)", p.name)
        })?,
        None => fallback,
    };
    Ok((t, tz, false))
}

/// An RFC 5545 duration (`PT2H30M`, `P1D`, `P1W`).
fn duration(v: &str) -> Option<Duration> {
    let v = v.trim().strip_prefix('+').unwrap_or(v.trim());
    let rest = v.strip_prefix('P')?;
    let (mut total, mut n, mut in_time) = (Duration::zero(), String::new(), false);
    for c in rest.chars() {
        match c {
            '0'..='9' => n.push(c),
            'T' => in_time = true,
            'W' | 'D' | 'H' | 'M' | 'S' => {
                let k: i64 = n.parse().ok()?;
                n.clear();
                total += match (c, in_time) {
                    ('W', _) => Duration::weeks(k),
                    ('D', _) => Duration::days(k),
                    ('H', true) => Duration::hours(k),
                    ('M', true) => Duration::minutes(k),
                    ('S', true) => Duration::seconds(k),
                    _ => return None,
                };
            }
            _ => return None,
        }
    }
    n.is_empty().then_some(total)
}

/// What an import does with each event: where it goes and what it is when the calendar
/// does not say.
pub struct Defaults<'a> {
    pub org: &'a str,
    pub kind: &'a str,
    /// The zone of times given in UTC or without a zone.
    pub timezone: Tz,
    /// The language of texts that do not say theirs.
    pub language: &'a str,
}

/// An event of the calendar as the API's input, with its UID; or why it cannot be one.
pub fn to_input(
    e: &VEvent,
    d: &Defaults<'_>,
    vocab: &crate::model::vocab::Vocabularies,
) -> Result<(String, EventInput), String> {
    if let Some((_, reason)) = &e.broken {
        return Err(reason.clone());
    }
    let uid = e.get("UID").map(|p| p.value.trim().to_string()).filter(|u| !u.is_empty());
    let uid = uid.ok_or("UID is missing: it is what makes a second import update instead of duplicate")?;
    if uid.len() > 500 {
        return Err("UID is longer than 500 characters".into());
    }
    let summary = e.get("SUMMARY").ok_or("SUMMARY (the title) is missing")?;
    let language = summary.param("LANGUAGE").map(|l| l.to_ascii_lowercase()).unwrap_or_else(|| d.language.to_string());
    let language = language.split('-').next().unwrap_or("en").to_string();
    let start = e.get("DTSTART").ok_or("DTSTART (when it starts) is missing")?;
    let (start_wall, tz, all_day) = when(start, d.timezone)?;
    let end_wall = match (e.get("DTEND"), e.get("DURATION")) {
        (Some(p), _) => {
            let (t, end_tz, _) = when(p, tz)?;
            // an end in another zone than the start is brought into the start's
            let t = if end_tz != tz {
                crate::model::event::to_utc(end_tz, t).map(|u| u.with_timezone(&tz).naive_local()).unwrap_or(t)
            } else {
                t
            };
            // an all-day event's DTEND is the day after its last
            Some(if all_day { t - Duration::days(1) } else { t })
        }
        (None, Some(p)) => {
            let d = duration(&p.value).ok_or_else(|| format!("DURATION: “{}” is not a duration", p.value))?;
            Some(if all_day { start_wall + d - Duration::days(1) } else { start_wall + d })
        }
        (None, None) => None,
    };
    let fmt = |t: NaiveDateTime| {
        if all_day {
            t.format("%Y-%m-%d").to_string()
        } else {
            t.format("%Y-%m-%dT%H:%M").to_string()
        }
    };
    let status = match e.get("STATUS").map(|p| p.value.trim().to_ascii_uppercase()).as_deref() {
        Some("CANCELLED") => "cancelled",
        Some("TENTATIVE") => "tentative",
        _ => "scheduled",
    };
    // a category naming a kind of event (its id or English label) is taken as the kind
    let kind = e
        .props
        .iter()
        .filter(|p| p.name == "CATEGORIES")
        .flat_map(|p| p.value.split(',').map(|c| unescape(c).trim().to_string()).collect::<Vec<_>>())
        .find_map(|c| {
            let scheme = vocab.scheme(crate::model::event::EVENT_KIND)?;
            scheme
                .terms
                .iter()
                .find(|t| {
                    t.id.eq_ignore_ascii_case(&c)
                        || vocab
                            .label(crate::model::event::EVENT_KIND, &t.id, crate::model::lang::Lang::En)
                            .eq_ignore_ascii_case(&c)
                })
                .map(|t| t.id.clone())
        })
        .unwrap_or_else(|| d.kind.to_string());
    let description = e.get("DESCRIPTION").map(|p| unescape(&p.value)).unwrap_or_default();
    let url = e.get("URL").map(|p| p.value.trim().to_string()).filter(|u| u.starts_with("http"));
    let place = e
        .get("LOCATION")
        .map(|p| unescape(&p.value))
        .filter(|l| !l.trim().is_empty())
        .map(|l| Place { name: l.trim().chars().take(200).collect(), ..Place::default() });
    let input = EventInput {
        org: d.org.to_string(),
        kind,
        original_language: language.clone(),
        translations: [(
            language,
            EventText { title: unescape(&summary.value).trim().to_string(), description, ..EventText::default() },
        )]
        .into(),
        start: fmt(start_wall),
        end: end_wall.map(fmt).filter(|e| *e != fmt(start_wall) || !all_day),
        timezone: tz.name().to_string(),
        all_day,
        status: Some(status.into()),
        place,
        source_url: url,
        rrule: e.get("RRULE").map(|p| p.value.trim().to_string()),
        ..EventInput::default()
    };
    Ok((uid, input))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Defaults<'static> {
        Defaults { org: "redress", kind: "hearing", timezone: Tz::UTC, language: "en" }
    }

    #[test]
    fn folded_lines_zones_and_all_day_events_are_read() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a@icc\r\nSUMMARY;LANGUAGE=fr:Audience de confirmation\r\n  des charges\r\nDTSTART;TZID=Europe/Amsterdam:20270304T093000\r\nDTEND;TZID=Europe/Amsterdam:20270304T163000\r\nLOCATION:ICC\\, Courtroom I\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\nUID:b\nSUMMARY:Day\nDTSTART;VALUE=DATE:20270305\nDTEND;VALUE=DATE:20270307\nSTATUS:CANCELLED\nEND:VEVENT\nEND:VCALENDAR\n";
        let cal = parse(ics);
        assert!(cal.errors.is_empty(), "{:?}", cal.errors);
        let vocab = crate::model::vocab::Vocabularies::load(None).unwrap();
        let (uid, e) = to_input(&cal.events[0], &defaults(), &vocab).unwrap();
        assert_eq!(uid, "a@icc");
        assert_eq!(e.translations["fr"].title, "Audience de confirmation des charges");
        assert_eq!((e.start.as_str(), e.timezone.as_str()), ("2027-03-04T09:30", "Europe/Amsterdam"));
        assert_eq!(e.place.unwrap().name, "ICC, Courtroom I");
        let (_, day) = to_input(&cal.events[1], &defaults(), &vocab).unwrap();
        assert!(day.all_day);
        assert_eq!((day.start.as_str(), day.end.as_deref()), ("2027-03-05", Some("2027-03-06")));
        assert_eq!(day.status.as_deref(), Some("cancelled"));
    }

    #[test]
    fn broken_folding_a_missing_uid_and_unknown_zones_are_named_by_line() {
        let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nSUMMARY:One\nDESCRIPTION:a long line\nthat lost its leading space\nDTSTART:20270101T100000Z\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:No uid\nDTSTART:20270101T100000Z\nEND:VEVENT\nBEGIN:VEVENT\nUID:z\nSUMMARY:Zone\nDTSTART;TZID=W. Europe Standard Time:20270101T100000\nEND:VEVENT\nEND:VCALENDAR\n";
        let cal = parse(ics);
        let vocab = crate::model::vocab::Vocabularies::load(None).unwrap();
        assert_eq!(cal.events[0].broken.as_ref().map(|b| b.0), Some(6));
        assert!(to_input(&cal.events[1], &defaults(), &vocab).unwrap_err().contains("UID"));
        assert!(to_input(&cal.events[2], &defaults(), &vocab).unwrap_err().contains("IANA"));
        assert_eq!(duration("PT2H30M"), Some(Duration::minutes(150)));
        assert_eq!(duration("P1W"), Some(Duration::weeks(1)));
        assert_eq!(duration("2 hours"), None);
    }
}
