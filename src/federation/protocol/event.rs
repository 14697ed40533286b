//! `Event` (FEP-8a8e, with the Mobilizon terms Mobilizon reads): an event of the agenda, every
//! language in its maps, its date, zone and place also written into `summary` and `content`
//! for servers that show only text (Mastodon shows `name`, `summary` and a link).

use serde::Serialize;
use serde_json::{Map, Value};

use super::article::Hashtag;
use super::object::ObjectHead;

/// An event as an `Event`. Field order is the order on the wire.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventObject {
    #[serde(flatten)]
    pub head: ObjectHead,
    pub name: String,
    pub name_map: Map<String, Value>,
    /// When and where, then the plain-language summary, in the original language.
    pub summary: String,
    pub summary_map: Map<String, Value>,
    pub content: String,
    pub content_map: Map<String, Value>,
    pub media_type: &'static str,
    #[serde(rename = "amicus:originalLanguage")]
    pub original_language: String,
    /// The event's page.
    pub url: String,
    /// Instants with the offset of the event's zone at that moment (`2027-03-04T09:30:00+01:00`).
    pub start_time: String,
    pub end_time: String,
    /// The IANA zone (`Europe/Amsterdam`).
    pub timezone: String,
    /// When a postponed or rescheduled event was to start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_start_time: Option<String>,
    /// `https://w3id.org/fep/8a8e/EventScheduled` and so on.
    pub event_status: String,
    /// The same as iCalendar says it (`CONFIRMED`, `TENTATIVE`, `CANCELLED`), which Mobilizon reads.
    #[serde(rename = "ical:status")]
    pub ical_status: &'static str,
    /// A `Place` (with a `PostalAddress`) and/or a `VirtualLocation`.
    pub location: Vec<Value>,
    #[serde(rename = "mz:isOnline")]
    pub is_online: bool,
    /// The organisation's actor, then the organisers on no server (`Organization`s by name).
    pub organizers: Vec<Value>,
    /// `external` with a registration link, else `none`: nobody joins an event here.
    pub join_mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_participation_url: Option<String>,
    pub tag: Vec<Hashtag>,
    #[serde(rename = "amicus:allDay")]
    pub all_day: bool,
    #[serde(rename = "amicus:eventKind")]
    pub event_kind: String,
    #[serde(rename = "amicus:theme")]
    pub theme: Vec<String>,
    #[serde(rename = "amicus:mechanism")]
    pub mechanism: Vec<String>,
    #[serde(rename = "amicus:country")]
    pub country: Vec<String>,
    #[serde(rename = "amicus:case", skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
    #[serde(rename = "amicus:session", skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The official calendar entry.
    #[serde(rename = "amicus:source", skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// An RFC 5545 recurrence rule (FEP-8a8e has none; calendars and Amicus read this).
    #[serde(rename = "amicus:rrule", skip_serializing_if = "Option::is_none")]
    pub rrule: Option<String>,
    /// Resources of the library the event relates to.
    #[serde(rename = "amicus:related")]
    pub related: Vec<String>,
    /// Languages spoken, and interpreted into (language tags).
    #[serde(rename = "amicus:languages")]
    pub languages: Vec<String>,
    #[serde(rename = "amicus:interpretation")]
    pub interpretation: Vec<String>,
    /// Notes on access, per language.
    #[serde(rename = "amicus:accessibility")]
    pub accessibility: Map<String, Value>,
}

/// A case before a court: its name and its number.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "schema:identifier", skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}
