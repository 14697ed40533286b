//! The agenda's pages: upcoming events (`/agenda`) and an event (`/e/{id}`), without
//! JavaScript, each time in the event's own zone and in the reader's (chosen once with
//! `?tz=`, kept in a cookie; UTC until then).

use std::str::FromStr;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::{context, Value};

use super::Page;
use crate::agenda;
use crate::app::Ctx;
use crate::db::events::{Event, EventFilters};
use crate::error::AppResult;
use crate::http::extract::cookie;
use crate::model::vocab;

/// The cookie that keeps the reader's time zone.
const TZ_COOKIE: &str = "tz";

/// The reader's zone: `?tz=` (kept in the cookie), the cookie, or UTC; and whether `?tz=`
/// named one to keep.
fn reader_zone(query: &str, headers: &HeaderMap) -> (Tz, Option<Tz>) {
    let asked = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "tz")
        .and_then(|(_, v)| Tz::from_str(v.trim()).ok());
    let kept = cookie(headers, TZ_COOKIE).and_then(|v| Tz::from_str(&v.replace("%2F", "/")).ok());
    (asked.or(kept).unwrap_or(Tz::UTC), asked)
}

/// An instant shown in a zone: date and time (or the date alone for an all-day event).
fn shown(t: DateTime<Utc>, tz: Tz, all_day: bool) -> String {
    let local = t.with_timezone(&tz);
    if all_day {
        local.format("%Y-%m-%d").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// An event as a line of the agenda or the head of its page, in the reader's language.
fn event_view(ctx: &Ctx, page: &Page, e: &Event, reader: Tz) -> Value {
    let text = e.text_for(page.lang.code());
    let own: Tz = Tz::from_str(&e.timezone).unwrap_or(Tz::UTC);
    // an all-day event is a day wherever one reads it: shown as written
    let end_day = e.end_local.clone().unwrap_or_else(|| e.start_local.clone());
    let (start_own, end_own) = if e.all_day {
        (e.start_local.clone(), end_day)
    } else {
        (shown(e.start_utc, own, false), shown(e.end_utc, own, false))
    };
    context! {
        uid => e.uid,
        title => text.map(|t| t.1.clone()),
        summary => text.map(|t| t.2.clone()),
        description_html => text.map(|t| t.4.clone()),
        text_lang => text.map(|t| t.0.clone()),
        kind => ctx.vocab.label(crate::model::event::EVENT_KIND, &e.kind, page.lang),
        status => e.status,
        status_label => ctx.vocab.label(crate::model::event::EVENT_STATUS, &e.status, page.lang),
        all_day => e.all_day,
        timezone => e.timezone,
        start_own => start_own,
        end_own => end_own,
        start_reader => (!e.all_day && reader != own).then(|| shown(e.start_utc, reader, false)),
        end_reader => (!e.all_day && reader != own).then(|| shown(e.end_utc, reader, false)),
        start_utc => e.start_utc.to_rfc3339(),
        previous_start => e.previous_start_local.as_ref().map(|s| s.replace('T', " ")),
        place => e.place,
        place_country => e.place.as_ref().filter(|p| !p.country.is_empty()).map(|p| ctx.vocab.label(vocab::COUNTRY, &p.country, page.lang).to_string()),
        online_url => e.online_url,
        source_url => e.source_url,
        registration_url => e.registration_url,
        case_name => e.case_name,
        case_number => e.case_number,
        session => e.session,
        rrule => e.rrule,
        org_handle => e.org_handle,
        resources => e.resources,
        mechanisms => e.terms.iter().filter(|(s, _)| s == vocab::MECHANISM).map(|(_, t)| ctx.vocab.label(vocab::MECHANISM, t, page.lang).to_string()).collect::<Vec<_>>(),
        countries => e.terms.iter().filter(|(s, _)| s == vocab::COUNTRY).map(|(_, t)| ctx.vocab.label(vocab::COUNTRY, t, page.lang).to_string()).collect::<Vec<_>>(),
    }
}

/// Keeps a zone chosen with `?tz=` in a cookie for a year.
fn keep_zone(ctx: &Ctx, mut res: Response, asked: Option<Tz>) -> Response {
    if let Some(tz) = asked {
        let secure = if ctx.config.secure_cookies() { "; Secure" } else { "" };
        let value =
            format!("{TZ_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", tz.name().replace('/', "%2F"));
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// `GET /agenda`: what is coming, in start order, in the reader's zone.
pub async fn index(
    State(ctx): State<Ctx>,
    page: Page,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let q = q.unwrap_or_default();
    let (reader, asked) = reader_zone(&q, &headers);
    let (f, cursor) = crate::http::params::event_filters(&ctx, &q).await?;
    let (events, _) = agenda::list(&ctx, &f, cursor, 100).await?;
    let items: Vec<Value> = events.iter().map(|e| event_view(&ctx, &page, e, reader)).collect();
    let html: Html<String> = page.render(
        &ctx,
        "agenda/index.html",
        context! { items, reader_zone => reader.name(), query => calendar_query(&q) },
    )?;
    Ok(keep_zone(&ctx, html.into_response(), asked))
}

/// `GET /e/{id}`: an event; `/e/{id}.ics` the same as a calendar.
pub async fn show(
    State(ctx): State<Ctx>,
    page: Page,
    headers: HeaderMap,
    Path(uid): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    if let Some(uid) = uid.strip_suffix(".ics") {
        let e = agenda::get(&ctx, uid).await?;
        let title = e.text_for(page.lang.code()).map(|t| t.1.clone());
        return Ok(calendar_response(&ctx, &page, &headers, &title.unwrap_or_default(), std::slice::from_ref(&e)));
    }
    let (reader, asked) = reader_zone(&q.unwrap_or_default(), &headers);
    let e = agenda::get(&ctx, &uid).await?;
    let html: Html<String> = page.render(
        &ctx,
        "agenda/event.html",
        context! { e => event_view(&ctx, &page, &e, reader), reader_zone => reader.name() },
    )?;
    Ok(keep_zone(&ctx, html.into_response(), asked))
}

/// A calendar of `events` in the reader's language, with `ETag` and `Last-Modified`
/// honoured (a calendar app asking again gets 304 when nothing changed).
fn calendar_response(ctx: &Ctx, page: &Page, headers: &HeaderMap, name: &str, events: &[Event]) -> Response {
    let base = ctx.config.base_url();
    let items: Vec<crate::ics::IcsEvent> = events
        .iter()
        .map(|e| {
            let text = e.text_for(page.lang.code());
            let url = format!("{base}/e/{}", e.uid);
            let summary = text.map(|t| t.2.clone()).unwrap_or_default();
            crate::ics::IcsEvent {
                event: e,
                description: if summary.is_empty() { url.clone() } else { format!("{summary}\n\n{url}") },
                url,
                title: text.map(|t| t.1.clone()).unwrap_or_default(),
                category: ctx.vocab.label(crate::model::event::EVENT_KIND, &e.kind, page.lang).to_string(),
            }
        })
        .collect();
    let body = crate::ics::calendar(name, &items);
    let etag = crate::ics::etag(&body);
    let modified = events.iter().map(|e| e.updated_at).max().unwrap_or_else(Utc::now);
    let last_modified = httpdate::fmt_http_date(std::time::SystemTime::from(modified));
    let unchanged = headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes())
        || headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .is_some_and(|since| std::time::SystemTime::from(modified) <= since + std::time::Duration::from_secs(1))
            && headers.get(header::IF_NONE_MATCH).is_none();
    let mut res = if unchanged {
        axum::http::StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], body).into_response()
    };
    for (name, value) in [
        (header::ETAG, etag),
        (header::LAST_MODIFIED, last_modified),
        (header::CACHE_CONTROL, "public, max-age=300".into()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().insert(name, v);
        }
    }
    res
}

/// The agenda's filters as a query string for its calendar (not the page's own `tz`, `lang`).
fn calendar_query(q: &str) -> String {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
        .filter(|(k, _)| !matches!(k.as_ref(), "tz" | "lang" | "cursor"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let pairs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    crate::http::params::query_string(&pairs)
}

/// `GET /agenda.ics`: the agenda's filters (its query string) as a calendar to subscribe to;
/// without `from`, the last 30 days and what is coming.
pub async fn calendar(
    State(ctx): State<Ctx>,
    page: Page,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let q = q.unwrap_or_default();
    let (mut f, _) = crate::http::params::event_filters(&ctx, &q).await?;
    if !url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "from") {
        f.from = Some(Utc::now() - chrono::Duration::days(30));
    }
    let (events, _) = agenda::list(&ctx, &f, 0, 1000).await?;
    let name = format!("{} · {}", page.t(&ctx, "agenda-title"), ctx.config.domain);
    Ok(calendar_response(&ctx, &page, &headers, &name, &events))
}

/// `GET /orgs/{handle}/agenda.ics`: one organisation's events.
pub async fn org_calendar(
    State(ctx): State<Ctx>,
    page: Page,
    headers: HeaderMap,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let org = ctx.db.org_by_handle(&handle).await?.ok_or(crate::error::AppError::NotFound)?;
    let f = EventFilters {
        from: Some(Utc::now() - chrono::Duration::days(30)),
        org_id: Some(org.id),
        ..EventFilters::default()
    };
    let (events, _) = agenda::list(&ctx, &f, 0, 1000).await?;
    Ok(calendar_response(&ctx, &page, &headers, org.name_in(page.lang.code()), &events))
}
