//! iCalendar (RFC 5545) for the agenda: CRLF line ends, lines folded at 75 octets (never
//! inside a character), text escaped, a VTIMEZONE for every zone used (its transitions over the
//! years the events span, computed from the IANA rules), and each event's ActivityPub id as its
//! UID, so that a calendar that got it from two instances knows it is one event.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::db::events::Event;

/// What a calendar needs of an event beyond its row: its address and texts in one language.
pub struct IcsEvent<'a> {
    pub event: &'a Event,
    pub url: String,
    pub title: String,
    pub description: String,
    pub category: String,
}

/// Escapes TEXT values (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace(['\n', '\r'], "\\n")
}

/// Appends one content line, folded at 75 octets, with CRLF.
fn line(out: &mut String, content: &str) {
    let mut used = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// "2027-03-04T09:30" as "20270304T093000"; "2027-03-04" as "20270304".
fn local_stamp(s: &str) -> String {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() >= 12 {
        format!("{}T{}00", &digits[..8], &digits[8..12])
    } else {
        digits
    }
}

fn offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

fn offset_at(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc()
}

/// The zone's changes of offset between the two years, as (instant, from, to), found by
/// sampling each day and narrowing down to the minute.
fn transitions(tz: Tz, from_year: i32, to_year: i32) -> Vec<(DateTime<Utc>, i32, i32)> {
    let mut out = Vec::new();
    let Some(start) = NaiveDate::from_ymd_opt(from_year, 1, 1).and_then(|d| d.and_hms_opt(12, 0, 0)) else {
        return out;
    };
    let mut t = start.and_utc();
    let end = NaiveDate::from_ymd_opt(to_year + 1, 1, 1)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or(t);
    let mut before = offset_at(tz, t);
    while t < end {
        let next = t + Duration::days(1);
        let after = offset_at(tz, next);
        if after != before {
            // whole seconds: the instant the new offset begins
            let (mut lo, mut hi) = (t.timestamp(), next.timestamp());
            let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap_or(t);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, at(mid)) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push((at(hi), before, after));
            before = after;
        }
        t = next;
    }
    out
}

/// A VTIMEZONE for `name` covering the years of the events, a year either side.
fn vtimezone(out: &mut String, tz: Tz, years: (i32, i32)) {
    line(out, "BEGIN:VTIMEZONE");
    line(out, &format!("TZID:{}", tz.name()));
    let changes = transitions(tz, years.0 - 1, years.1 + 1);
    if changes.is_empty() {
        let o = offset_at(tz, Utc::now());
        line(out, "BEGIN:STANDARD");
        line(out, "DTSTART:19700101T000000");
        line(out, &format!("TZOFFSETFROM:{}", offset(o)));
        line(out, &format!("TZOFFSETTO:{}", offset(o)));
        line(out, "END:STANDARD");
    }
    for (at, from, to) in changes {
        // DTSTART of an observance is the local time, in the offset before the change
        let local = at + Duration::seconds(i64::from(from));
        let kind = if to > from { "DAYLIGHT" } else { "STANDARD" };
        line(out, &format!("BEGIN:{kind}"));
        line(out, &format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
        line(out, &format!("TZOFFSETFROM:{}", offset(from)));
        line(out, &format!("TZOFFSETTO:{}", offset(to)));
        line(out, &format!("END:{kind}"));
    }
    line(out, "END:VTIMEZONE");
}

/// A whole calendar: `name` (X-WR-CALNAME), the zones, the events.
pub fn calendar(name: &str, events: &[IcsEvent]) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, &format!("PRODID:-//Amicus//Amicus {}//EN", env!("CARGO_PKG_VERSION")));
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    let zones: BTreeSet<&str> = events.iter().filter(|e| !e.event.all_day).map(|e| e.event.timezone.as_str()).collect();
    let years = events.iter().fold(None, |acc: Option<(i32, i32)>, e| {
        let (a, b) = (e.event.start_utc.year(), e.event.end_utc.year());
        Some(acc.map_or((a, b), |(x, y)| (x.min(a), y.max(b))))
    });
    for zone in zones {
        if let (Ok(tz), Some(years)) = (Tz::from_str(zone), years) {
            vtimezone(&mut out, tz, years);
        }
    }
    for e in events {
        vevent(&mut out, e);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn vevent(out: &mut String, i: &IcsEvent) {
    let e = i.event;
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}", e.ap_id.clone().unwrap_or_else(|| i.url.clone())));
    line(out, &format!("DTSTAMP:{}", utc_stamp(e.updated_at)));
    line(out, &format!("CREATED:{}", utc_stamp(e.created_at)));
    line(out, &format!("LAST-MODIFIED:{}", utc_stamp(e.updated_at)));
    line(out, &format!("SEQUENCE:{}", e.sequence));
    if e.all_day {
        let last = e.end_local.clone().unwrap_or_else(|| e.start_local.clone());
        let after = NaiveDate::parse_from_str(&last, "%Y-%m-%d")
            .map(|d| d + Duration::days(1))
            .map(|d| d.format("%Y%m%d").to_string());
        line(out, &format!("DTSTART;VALUE=DATE:{}", local_stamp(&e.start_local)));
        if let Ok(after) = after {
            line(out, &format!("DTEND;VALUE=DATE:{after}"));
        }
    } else {
        line(out, &format!("DTSTART;TZID={}:{}", e.timezone, local_stamp(&e.start_local)));
        let end = e.end_local.clone().unwrap_or_else(|| e.start_local.clone());
        line(out, &format!("DTEND;TZID={}:{}", e.timezone, local_stamp(&end)));
    }
    if let Some(rule) = &e.rrule {
        line(out, &format!("RRULE:{rule}"));
    }
    line(out, &format!("SUMMARY:{}", text(&i.title)));
    if !i.description.is_empty() {
        line(out, &format!("DESCRIPTION:{}", text(&i.description)));
    }
    if let Some(p) = &e.place {
        let parts: Vec<&str> = [p.name.as_str(), p.street.as_str(), p.postal_code.as_str(), p.locality.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if !parts.is_empty() {
            line(out, &format!("LOCATION:{}", text(&parts.join(", "))));
        }
    } else if let Some(online) = &e.online_url {
        line(out, &format!("LOCATION:{}", text(online)));
    }
    line(out, &format!("URL:{}", i.url));
    line(out, &format!("CATEGORIES:{}", text(&i.category)));
    let status = match e.status.as_str() {
        "cancelled" => "CANCELLED",
        "tentative" | "postponed" => "TENTATIVE",
        _ => "CONFIRMED",
    };
    line(out, &format!("STATUS:{status}"));
    line(out, "END:VEVENT");
}

/// An ETag for a calendar's bytes.
pub fn etag(body: &str) -> String {
    use sha2::Digest;
    format!("\"{}\"", hex::encode(&sha2::Sha256::digest(body.as_bytes())[..12]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "ع".repeat(100)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "ع".repeat(100)));
    }

    #[test]
    fn the_hague_changes_its_clocks_twice_a_year() {
        let tz = Tz::from_str("Europe/Amsterdam").unwrap();
        let t = transitions(tz, 2027, 2027);
        assert_eq!(t.len(), 2);
        // 28 March 2027, 01:00 UTC: from +01:00 to +02:00
        assert_eq!(t[0], (Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap(), 3600, 7200));
        assert!(transitions(Tz::from_str("Asia/Kabul").unwrap(), 2027, 2027).is_empty());
        assert_eq!(text("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
