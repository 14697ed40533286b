//! An event of the agenda as it is written (the API body): its validation into a `NewEvent`,
//! with wall-clock times in an IANA zone turned into UTC instants, and the bounds that keep a
//! hostile or mistaken input from becoming a calendar of millions.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::lang::ContentLang;
use super::resource::{MAX_SUMMARY, MAX_TITLE};
use super::text::render_markdown;
use super::vocab::{self, Vocabularies};
use super::FieldError;

pub const EVENT_KIND: &str = "event-kind";
pub const EVENT_STATUS: &str = "event-status";
/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 100_000;
/// The most occurrences a recurrence may have.
pub const MAX_OCCURRENCES: i64 = 1000;
/// How far from now an event may be, in years, either way.
pub const MAX_YEARS: i32 = 100;

/// One language's text of an event.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EventText {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub description: String,
    /// Access for disabled people: step-free entrance, captions, sign language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub accessibility: String,
}

/// Who organises an event besides its organisation: a body by name (the ICC, OHCHR), with
/// its address when it has one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Organizer {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The most notes on access, per language.
pub const MAX_ACCESSIBILITY: usize = 1000;

/// A place: a venue's name and structured address (`country` from the vocabulary).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Place {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub street: String,
    #[serde(default)]
    pub locality: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub country: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Case {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub number: String,
}

/// The API's body for an event (`POST /api/v1/events`), and what `GET` shows of it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub org: String,
    pub kind: String,
    pub original_language: String,
    pub translations: BTreeMap<String, EventText>,
    /// Wall-clock start in `timezone`: `2027-03-04T09:30`, or `2027-03-04` when all day.
    pub start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    pub timezone: String,
    #[serde(default)]
    pub all_day: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_url: Option<String>,
    #[serde(default)]
    pub mechanisms: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rrule: Option<String>,
    /// Ids of library resources the event relates to.
    #[serde(default)]
    pub resources: Vec<String>,
    /// Languages spoken at the event (BCP 47: `en`, `fr`, `sw`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Languages it is interpreted into.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpretation: Vec<String>,
    /// Other organisers: bodies on no server (the ICC), by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizers: Vec<Organizer>,
}

/// A checked event, ready to store.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: String,
    pub status: String,
    pub original_language: String,
    /// (lang, title, summary, description, description_html)
    pub texts: Vec<(String, String, String, String, String)>,
    pub start_local: String,
    pub end_local: Option<String>,
    pub timezone: String,
    pub all_day: bool,
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
    /// The end of the last occurrence (`end_utc` when it does not repeat).
    pub last_end_utc: DateTime<Utc>,
    pub place: Option<Place>,
    pub online_url: Option<String>,
    /// (scheme, term)
    pub terms: Vec<(String, String)>,
    pub case_name: Option<String>,
    pub case_number: Option<String>,
    pub session: Option<String>,
    pub source_url: Option<String>,
    pub registration_url: Option<String>,
    pub rrule: Option<String>,
    pub resources: Vec<String>,
    pub languages: Vec<String>,
    pub interpretation: Vec<String>,
    pub organizers: Vec<Organizer>,
    /// (lang, notes on access)
    pub accessibility: Vec<(String, String)>,
}

/// A language tag as written in the event's fields: `en`, `fr-CA`, `sw`.
fn language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

impl NewEvent {
    /// What the event is found by (`events.search_text`): its titles and summaries in every
    /// language and its case, folded, between spaces.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for (_, title, summary, _, _) in &self.texts {
            parts.push(title);
            parts.push(summary);
        }
        parts.extend(self.case_name.as_deref());
        parts.extend(self.case_number.as_deref());
        format!(" {} ", crate::search::fold(&parts.join(" ")))
    }
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A wall-clock time as written: `2027-03-04T09:30` (seconds allowed), or a date when all day.
fn wall_clock(s: &str, all_day: bool) -> Option<NaiveDateTime> {
    let s = s.trim();
    if all_day {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

/// A wall-clock time in `tz` as an instant: the earlier one when the clocks go back (the hour
/// happens twice), none when they go forward over it (it never happens).
pub fn to_utc(tz: chrono_tz::Tz, t: NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&t).earliest().map(|t| t.with_timezone(&Utc))
}

fn check_url(field: &str, url: &Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let url = opt(url)?;
    let ok = url.len() <= 2000 && url::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "https" | "http"));
    if !ok {
        errors.push(FieldError::new(field, "err-bad-url", &url));
        return None;
    }
    Some(url)
}

fn check_len(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.chars().count() > max {
        errors.push(FieldError::new(field, "err-too-long", &max.to_string()));
    }
}

/// Checks a recurrence rule (RFC 5545 RRULE): a frequency, and an end (`COUNT` or `UNTIL`)
/// that keeps it under `MAX_OCCURRENCES`; only the parts calendars agree on. The rule comes
/// back as calendars want it beside this start: `UNTIL` a date for an all-day event, else a
/// UTC instant (the end of the day named, in the event's zone, when a date was given).
pub fn check_rrule(rule: &str, start: NaiveDateTime, tz: chrono_tz::Tz, all_day: bool) -> Result<String, &'static str> {
    let rule = rule.trim().trim_start_matches("RRULE:").to_ascii_uppercase();
    let mut freq = None;
    let (mut count, mut until, mut interval) = (None, None, 1i64);
    let mut parts = Vec::new();
    for part in rule.split(';').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or("err-bad-rrule")?;
        match k {
            "FREQ" => {
                freq = Some(match v {
                    "DAILY" => 1,
                    "WEEKLY" => 7,
                    "MONTHLY" => 28,
                    "YEARLY" => 365,
                    _ => return Err("err-bad-rrule"),
                })
            }
            "COUNT" => count = Some(v.parse::<i64>().map_err(|_| "err-bad-rrule")?),
            "INTERVAL" => interval = v.parse::<i64>().ok().filter(|i| (1..=1000).contains(i)).ok_or("err-bad-rrule")?,
            "UNTIL" => {
                let date = v.get(..8).ok_or("err-bad-rrule")?;
                let day = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| "err-bad-rrule")?;
                until = Some(day);
                let written = if all_day {
                    date.to_string()
                } else if v.len() == 16 && v.ends_with('Z') {
                    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ").map_err(|_| "err-bad-rrule")?;
                    v.to_string()
                } else {
                    let end_of_day = day.and_hms_opt(23, 59, 59).ok_or("err-bad-rrule")?;
                    let t = tz.from_local_datetime(&end_of_day).latest().ok_or("err-bad-rrule")?;
                    t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string()
                };
                parts.push(format!("UNTIL={written}"));
                continue;
            }
            "BYDAY" | "BYMONTHDAY" | "BYMONTH" | "BYSETPOS" | "WKST" => {
                let ok = !v.is_empty()
                    && v.len() <= 100
                    && v.chars().all(|c| c.is_ascii_alphanumeric() || c == ',' || c == '-');
                if !ok {
                    return Err("err-bad-rrule");
                }
            }
            _ => return Err("err-bad-rrule"),
        }
        parts.push(part.to_string());
    }
    let days = freq.ok_or("err-bad-rrule")?;
    // BYDAY and the like can multiply occurrences within a period: counted at up to 7 a period
    let per_period = if rule.contains("BYDAY=") || rule.contains("BYMONTHDAY=") { 7 } else { 1 };
    let occurrences = match (count, until) {
        (Some(c), None) if c >= 1 => c,
        (None, Some(u)) => {
            let span = (u - start.date()).num_days();
            if span < 0 {
                return Err("err-bad-rrule");
            }
            (span / (days * interval) + 1) * per_period
        }
        (Some(_), Some(_)) => return Err("err-bad-rrule"),
        _ => return Err("err-rrule-unbounded"),
    };
    if occurrences > MAX_OCCURRENCES {
        return Err("err-rrule-too-many");
    }
    let rule = parts.join(";");
    // the rule must mean something to a real RFC 5545 implementation, and stay small
    let starts = occurrences_of(&rule, start, tz, all_day)?;
    if starts.is_empty() {
        return Err("err-bad-rrule");
    }
    Ok(rule)
}

/// The starts of a checked rule's occurrences (at most `MAX_OCCURRENCES`), as instants.
pub fn occurrences_of(
    rule: &str,
    start: NaiveDateTime,
    tz: chrono_tz::Tz,
    all_day: bool,
) -> Result<Vec<DateTime<Utc>>, &'static str> {
    // an all-day event repeats at midnight where it happens: its date UNTIL is the end of that day
    let rule: String = rule
        .split(';')
        .map(|p| match p.strip_prefix("UNTIL=") {
            Some(d) if all_day && d.len() == 8 => NaiveDate::parse_from_str(d, "%Y%m%d")
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 59))
                .and_then(|t| tz.from_local_datetime(&t).latest())
                .map(|t| format!("UNTIL={}", t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ")))
                .unwrap_or_else(|| p.to_string()),
            _ => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";");
    let text = format!("DTSTART;TZID={}:{}\nRRULE:{rule}", tz.name(), start.format("%Y%m%dT%H%M%S"));
    let set: rrule::RRuleSet = text.parse().map_err(|_| "err-bad-rrule")?;
    let found = set.all(MAX_OCCURRENCES as u16 + 1);
    if found.dates.len() as i64 > MAX_OCCURRENCES {
        return Err("err-rrule-too-many");
    }
    Ok(found.dates.into_iter().map(|t| t.with_timezone(&Utc)).collect())
}

impl EventInput {
    /// Checks every field, collecting every problem, against `now` (for the dates' bounds).
    pub fn validate(
        &self,
        vocab: &Vocabularies,
        extra_langs: &[String],
        now: DateTime<Utc>,
    ) -> Result<NewEvent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = self.kind.trim().to_string();
        if !vocab.contains(EVENT_KIND, &kind) {
            errors.push(FieldError::new("kind", "err-unknown-term", &self.kind));
        }
        let status = opt(&self.status).unwrap_or_else(|| "scheduled".into());
        if !vocab.contains(EVENT_STATUS, &status) {
            errors.push(FieldError::new("status", "err-unknown-term", &status));
        }
        let original = ContentLang::parse(&self.original_language, extra_langs);
        if original.is_none() {
            errors.push(FieldError::new("original_language", "err-unsupported-language", &self.original_language));
        }
        let mut texts = Vec::new();
        let mut accessibility = Vec::new();
        if self.translations.is_empty() {
            errors.push(FieldError::new("translations", "err-no-translation", ""));
        }
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
            check_len(&format!("{field}.title"), title, MAX_TITLE, &mut errors);
            if t.summary.trim().chars().count() > MAX_SUMMARY {
                errors.push(FieldError::new(
                    &format!("{field}.summary"),
                    "err-summary-too-long",
                    &MAX_SUMMARY.to_string(),
                ));
            }
            check_len(&format!("{field}.description"), &t.description, MAX_DESCRIPTION, &mut errors);
            let description = t.description.trim().to_string();
            let html = render_markdown(&description);
            check_len(&format!("{field}.accessibility"), t.accessibility.trim(), MAX_ACCESSIBILITY, &mut errors);
            if !t.accessibility.trim().is_empty() {
                accessibility.push((lang.as_str().to_string(), t.accessibility.trim().to_string()));
            }
            texts.push((lang.as_str().to_string(), title.to_string(), t.summary.trim().to_string(), description, html));
        }
        if let Some(o) = &original {
            if !self.translations.is_empty() && !texts.iter().any(|t| t.0 == o.as_str()) {
                errors.push(FieldError::new("original_language", "err-original-missing", o.as_str()));
            }
        }
        // times: wall-clock in an IANA zone, then instants
        let tz = chrono_tz::Tz::from_str(self.timezone.trim()).ok();
        if tz.is_none() {
            errors.push(FieldError::new("timezone", "err-bad-timezone", &self.timezone));
        }
        let start = wall_clock(&self.start, self.all_day);
        if start.is_none() {
            let code = if self.all_day { "err-bad-date" } else { "err-bad-datetime" };
            errors.push(FieldError::new("start", code, &self.start));
        }
        let end = opt(&self.end).map(|e| (wall_clock(&e, self.all_day), e));
        if let Some((None, e)) = &end {
            let code = if self.all_day { "err-bad-date" } else { "err-bad-datetime" };
            errors.push(FieldError::new("end", code, e));
        }
        let end = end.and_then(|(t, _)| t);
        let mut times = None;
        if let (Some(tz), Some(start)) = (tz, start) {
            let year = start.year();
            if (year - now.year()).abs() > MAX_YEARS {
                errors.push(FieldError::new("start", "err-date-out-of-range", &self.start));
            } else {
                // an all-day event ends at the end of its last day
                let end_wall = match (end, self.all_day) {
                    (Some(e), true) => e + chrono::Duration::days(1),
                    (Some(e), false) => e,
                    (None, true) => start + chrono::Duration::days(1),
                    (None, false) => start,
                };
                match (to_utc(tz, start), to_utc(tz, end_wall)) {
                    (None, _) => errors.push(FieldError::new("start", "err-time-does-not-exist", &self.start)),
                    (_, None) => errors.push(FieldError::new(
                        "end",
                        "err-time-does-not-exist",
                        self.end.as_deref().unwrap_or_default(),
                    )),
                    (Some(s), Some(e)) if e < s => errors.push(FieldError::new(
                        "end",
                        "err-end-before-start",
                        self.end.as_deref().unwrap_or_default(),
                    )),
                    (Some(s), Some(e)) if (e - s).num_days() > 366 => {
                        errors.push(FieldError::new("end", "err-event-too-long", "366"))
                    }
                    (Some(s), Some(e)) => times = Some((s, e)),
                }
            }
        }
        let rrule = match (opt(&self.rrule), start, tz) {
            (Some(r), Some(s), Some(tz)) => match check_rrule(&r, s, tz, self.all_day) {
                Ok(r) => Some(r),
                Err(code) => {
                    errors.push(FieldError::new("rrule", code, &r));
                    None
                }
            },
            _ => None,
        };
        let mut terms = Vec::new();
        for (field, scheme, values) in [
            ("mechanisms", vocab::MECHANISM, &self.mechanisms),
            ("themes", vocab::THEME, &self.themes),
            ("countries", vocab::COUNTRY, &self.countries),
        ] {
            if values.len() > 20 {
                errors.push(FieldError::new(field, "err-too-many", "20"));
                continue;
            }
            for v in values {
                let id = v.trim().to_ascii_lowercase();
                let id = if scheme == vocab::COUNTRY { id } else { v.trim().to_string() };
                if !vocab.contains(scheme, &id) {
                    errors.push(FieldError::new(field, "err-unknown-term", v));
                } else if !terms.iter().any(|(s, t)| s == scheme && t == &id) {
                    terms.push((scheme.to_string(), id));
                }
            }
        }
        let place = self.place.clone().map(|mut p| {
            for (field, value) in [
                ("place.name", &p.name),
                ("place.street", &p.street),
                ("place.locality", &p.locality),
                ("place.postal_code", &p.postal_code),
            ] {
                check_len(field, value.trim(), 200, &mut errors);
            }
            p.country = p.country.trim().to_ascii_lowercase();
            if !p.country.is_empty() && !vocab.contains(vocab::COUNTRY, &p.country) {
                errors.push(FieldError::new("place.country", "err-unknown-term", &p.country));
            }
            p
        });
        let case = self.case.clone().unwrap_or_default();
        check_len("case.name", case.name.trim(), 300, &mut errors);
        check_len("case.number", case.number.trim(), 100, &mut errors);
        let session = opt(&self.session);
        check_len("session", session.as_deref().unwrap_or_default(), 200, &mut errors);
        let online_url = check_url("online_url", &self.online_url, &mut errors);
        let source_url = check_url("source_url", &self.source_url, &mut errors);
        let registration_url = check_url("registration_url", &self.registration_url, &mut errors);
        if self.resources.len() > 20 {
            errors.push(FieldError::new("resources", "err-too-many", "20"));
        }
        let mut tags = |field: &str, values: &[String]| {
            let mut out: Vec<String> = Vec::new();
            if values.len() > 20 {
                errors.push(FieldError::new(field, "err-too-many", "20"));
            }
            for v in values.iter().take(20) {
                let v = v.trim().to_string();
                if !language_tag(&v) {
                    errors.push(FieldError::new(field, "err-bad-language-tag", &v));
                } else if !out.contains(&v) {
                    out.push(v);
                }
            }
            out
        };
        let languages = tags("languages", &self.languages);
        let interpretation = tags("interpretation", &self.interpretation);
        if self.organizers.len() > 20 {
            errors.push(FieldError::new("organizers", "err-too-many", "20"));
        }
        let mut organizers = Vec::new();
        for (i, o) in self.organizers.iter().take(20).enumerate() {
            let name = o.name.trim().to_string();
            if name.is_empty() {
                errors.push(FieldError::new(&format!("organizers.{i}.name"), "err-required", ""));
            }
            check_len(&format!("organizers.{i}.name"), &name, 200, &mut errors);
            let url = check_url(&format!("organizers.{i}.url"), &o.url, &mut errors);
            organizers.push(Organizer { name, url });
        }
        match (errors.is_empty(), original, times, start) {
            (true, Some(original), Some((start_utc, end_utc)), Some(start)) => Ok(NewEvent {
                last_end_utc: rrule
                    .as_deref()
                    .zip(tz)
                    .and_then(|(r, tz)| occurrences_of(r, start, tz, self.all_day).ok())
                    .and_then(|starts| starts.last().copied())
                    .map_or(end_utc, |last| last + (end_utc - start_utc))
                    .max(end_utc),
                kind,
                status,
                original_language: original.as_str().to_string(),
                texts,
                start_local: if self.all_day {
                    start.format("%Y-%m-%d").to_string()
                } else {
                    start.format("%Y-%m-%dT%H:%M").to_string()
                },
                end_local: end.map(|e| {
                    if self.all_day {
                        e.format("%Y-%m-%d").to_string()
                    } else {
                        e.format("%Y-%m-%dT%H:%M").to_string()
                    }
                }),
                timezone: self.timezone.trim().to_string(),
                all_day: self.all_day,
                start_utc,
                end_utc,
                place: place.filter(|p| *p != Place::default()),
                online_url,
                terms,
                case_name: Some(case.name.trim().to_string()).filter(|s| !s.is_empty()),
                case_number: Some(case.number.trim().to_string()).filter(|s| !s.is_empty()),
                session,
                source_url,
                registration_url,
                rrule,
                resources: self.resources.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect(),
                languages,
                interpretation,
                organizers,
                accessibility,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EventInput {
        EventInput {
            org: "redress".into(),
            kind: "hearing-trial".into(),
            original_language: "en".into(),
            translations: [("en".to_string(), EventText { title: "Trial hearing".into(), ..Default::default() })]
                .into(),
            start: "2027-03-04T09:30".into(),
            end: Some("2027-03-04T16:30".into()),
            timezone: "Europe/Amsterdam".into(),
            ..Default::default()
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
    }

    fn codes(i: &EventInput) -> Vec<&'static str> {
        i.validate(&Vocabularies::load(None).unwrap(), &[], now())
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.code)
            .collect()
    }

    #[test]
    fn wall_clock_times_become_instants_in_their_zone() {
        let e = input().validate(&Vocabularies::load(None).unwrap(), &[], now()).unwrap();
        // The Hague is an hour ahead of UTC in March (before the clocks change)
        assert_eq!(e.start_utc, Utc.with_ymd_and_hms(2027, 3, 4, 8, 30, 0).unwrap());
        assert_eq!(e.end_utc, Utc.with_ymd_and_hms(2027, 3, 4, 15, 30, 0).unwrap());
        assert_eq!(e.status, "scheduled");
    }

    #[test]
    fn bad_times_are_named() {
        let mut i = input();
        i.timezone = "Mars/Olympus".into();
        assert_eq!(codes(&i), vec!["err-bad-timezone"]);
        let mut i = input();
        i.end = Some("2027-03-04T08:00".into());
        assert_eq!(codes(&i), vec!["err-end-before-start"]);
        let mut i = input();
        i.start = "12027-03-04T09:30".into();
        assert!(!codes(&i).is_empty());
        let mut i = input();
        i.start = "9026-03-04T09:30".into();
        i.end = None;
        assert_eq!(codes(&i), vec!["err-date-out-of-range"]);
        // 02:30 on the last Sunday of March does not happen in Amsterdam
        let mut i = input();
        i.start = "2027-03-28T02:30".into();
        i.end = None;
        assert_eq!(codes(&i), vec!["err-time-does-not-exist"]);
    }

    fn check_rrule_at(rule: &str, start: NaiveDateTime) -> Result<String, &'static str> {
        check_rrule(rule, start, chrono_tz::Europe::Amsterdam, false)
    }

    #[test]
    fn recurrences_must_end_and_stay_small() {
        let start = NaiveDateTime::parse_from_str("2027-01-04T10:00", "%Y-%m-%dT%H:%M").unwrap();
        assert!(check_rrule_at("FREQ=WEEKLY;COUNT=4", start).is_ok());
        assert!(check_rrule_at("FREQ=WEEKLY;UNTIL=20270601", start).is_ok());
        assert_eq!(check_rrule_at("FREQ=WEEKLY", start), Err("err-rrule-unbounded"));
        assert_eq!(check_rrule_at("FREQ=DAILY;COUNT=5000000", start), Err("err-rrule-too-many"));
        assert_eq!(check_rrule_at("FREQ=DAILY;UNTIL=29991231", start), Err("err-rrule-too-many"));
        assert_eq!(check_rrule_at("FREQ=SECONDLY;COUNT=3", start), Err("err-bad-rrule"));
        assert_eq!(check_rrule_at("FREQ=WEEKLY;COUNT=2;X-EVIL=1", start), Err("err-bad-rrule"));
        // a date UNTIL becomes the end of that day in the event's zone, as RFC 5545 asks
        assert_eq!(check_rrule_at("FREQ=WEEKLY;UNTIL=20270601", start).unwrap(), "FREQ=WEEKLY;UNTIL=20270601T215959Z");
        assert_eq!(
            check_rrule("FREQ=WEEKLY;UNTIL=20270601", start, chrono_tz::UTC, true).unwrap(),
            "FREQ=WEEKLY;UNTIL=20270601"
        );
        // BYDAY that a real implementation refuses
        assert_eq!(check_rrule_at("FREQ=MONTHLY;BYDAY=9ZZ;COUNT=3", start), Err("err-bad-rrule"));
    }

    #[test]
    fn a_series_ends_with_its_last_occurrence() {
        let mut i = input();
        i.rrule = Some("FREQ=WEEKLY;COUNT=4".into());
        let e = i.validate(&Vocabularies::load(None).unwrap(), &[], now()).unwrap();
        assert_eq!(e.last_end_utc - e.end_utc, chrono::Duration::weeks(3));
        let starts = occurrences_of(
            "FREQ=MONTHLY;BYDAY=1MO;COUNT=3",
            NaiveDateTime::parse_from_str("2027-03-04T09:30", "%Y-%m-%dT%H:%M").unwrap(),
            chrono_tz::Europe::Amsterdam,
            false,
        )
        .unwrap();
        assert_eq!(
            starts.iter().map(|t| t.format("%m-%d %H:%M").to_string()).collect::<Vec<_>>(),
            ["04-05 07:30", "05-03 07:30", "06-07 07:30"]
        );
    }

    #[test]
    fn all_day_events_end_at_the_end_of_their_last_day() {
        let mut i = input();
        i.all_day = true;
        i.start = "2027-03-01".into();
        i.end = Some("2027-03-05".into());
        let e = i.validate(&Vocabularies::load(None).unwrap(), &[], now()).unwrap();
        assert_eq!(e.start_local, "2027-03-01");
        assert_eq!(e.end_utc, Utc.with_ymd_and_hms(2027, 3, 5, 23, 0, 0).unwrap());
    }
}
