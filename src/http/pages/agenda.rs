//! The agenda's pages: upcoming events (`/agenda`) and an event (`/e/{id}`), without
//! JavaScript, each time in the event's own zone and in the reader's (chosen once with
//! `?tz=`, kept in a cookie; UTC until then).

use std::str::FromStr;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use minijinja::{context, Value};

use super::library::{FacetGroup, FacetLink};
use super::Page;
use crate::agenda;
use crate::app::Ctx;
use crate::db::events::{Event, EventFacets, EventFilters};
use crate::error::AppResult;
use crate::http::extract::cookie;
use crate::model::lang::Lang;
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
    occurrence_view(ctx, page, e, reader, (e.start_utc, e.end_utc))
}

/// One occurrence of an event (its start and end) as the agenda lists it.
fn occurrence_view(
    ctx: &Ctx,
    page: &Page,
    e: &Event,
    reader: Tz,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Value {
    let text = e.text_for(page.lang.code());
    let own: Tz = Tz::from_str(&e.timezone).unwrap_or(Tz::UTC);
    // an all-day event is a day wherever one reads it: shown in its own zone, as written
    let (start_own, end_own) = if e.all_day {
        let last = (end - chrono::Duration::seconds(1)).max(start);
        (shown(start, own, true), shown(last, own, true))
    } else {
        (shown(start, own, false), shown(end, own, false))
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
        start_reader => (!e.all_day && reader != own).then(|| shown(start, reader, false)),
        end_reader => (!e.all_day && reader != own).then(|| shown(end, reader, false)),
        start_utc => start.to_rfc3339(),
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
        local => e.local,
        languages => e.languages.iter().map(|l| crate::model::lang::endonym(l).unwrap_or(l).to_string()).collect::<Vec<_>>(),
        interpretation => e.interpretation.iter().map(|l| crate::model::lang::endonym(l).unwrap_or(l).to_string()).collect::<Vec<_>>(),
        organizers => e.organizers,
        accessibility => text.and_then(|t| e.accessibility.iter().find(|(l, _)| *l == t.0)).or_else(|| e.accessibility.first()).map(|(l, a)| context! { lang => l, text => a }),
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

/// The agenda's views: the upcoming (or past) list, a month grid, a day.
#[derive(Clone, Copy, PartialEq)]
enum View {
    List,
    Month,
    Day,
}

/// Events shown per list page.
const LIST_PAGE: i64 = 50;

/// The parameters that choose which events, kept by every link of the page.
const FILTERS: &[&str] = &["kind", "mechanism", "theme", "country", "language", "org", "origin", "q"];
const MULTI: &[&str] = &["mechanism", "theme", "country"];

/// `GET /agenda`: what is coming (`view=list`, the default; `past=1` for what has been), a
/// month (`view=month`) or a day (`view=day`) around `from`, in the reader's zone, with the
/// library's filters and their counts.
pub async fn index(
    State(ctx): State<Ctx>,
    page: Page,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let q = q.unwrap_or_default();
    let (reader, asked) = reader_zone(&q, &headers);
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let view = match param("view") {
        Some("month") => View::Month,
        Some("day") => View::Day,
        _ => View::List,
    };
    let (mut f, cursor) = crate::http::params::event_filters(&ctx, &q).await?;
    let past = f.newest_first;
    // the month or day shown: the one `from` falls in, else today's, in the reader's zone
    let today = Utc::now().with_timezone(&reader).date_naive();
    let anchor = param("from")
        .and_then(|v| v.get(..10))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .or_else(|| param("from").and_then(|v| NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d").ok()))
        .unwrap_or(today);
    let (first, after) = match view {
        View::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            (first, first.checked_add_months(Months::new(1)).unwrap_or(first))
        }
        View::Day => (anchor, anchor.succ_opt().unwrap_or(anchor)),
        View::List => (anchor, anchor),
    };
    if view != View::List {
        f.from = midnight(reader, first);
        f.to = midnight(reader, after);
        f.newest_first = false;
    }
    // a series is in the month or day only if one of its occurrences is: each event's
    // occurrences in the window are found once, and the counts are of what is shown
    let (events, occurring, more, facets) = if view == View::List {
        let (events, more) = agenda::list(&ctx, &f, cursor, LIST_PAGE).await?;
        (events, Vec::new(), more, ctx.db.event_facets(&f).await?)
    } else {
        let (events, _) = agenda::list(&ctx, &f, 0, 1000).await?;
        let (Some(from), Some(to)) = (f.from, f.to) else { return Err(crate::error::AppError::NotFound) };
        let occurring: Vec<Occurring> = events
            .into_iter()
            .map(|e| {
                let at = occurrences_in(&e, from, to);
                (e, at)
            })
            .filter(|(e, at)| {
                at.iter().any(|(s, end)| view == View::Month || days_of(e, *s, *end, reader).contains(&first))
            })
            .collect();
        let facets = facets_of(occurring.iter().map(|(e, _)| e));
        (Vec::new(), occurring, false, facets)
    };
    let items: Vec<Value> = events.iter().map(|e| event_view(&ctx, &page, e, reader)).collect();

    // links keep the filters (and the view); a filter link starts the list again
    let kept: Vec<(&str, String)> =
        pairs.iter().filter(|(k, _)| FILTERS.contains(&k.as_str())).map(|(k, v)| (k.as_str(), v.clone())).collect();
    let href = |extra: &[(&str, String)]| {
        let mut p = kept.clone();
        p.extend(extra.iter().cloned());
        format!("/agenda?{}", crate::http::params::query_string(&p))
    };
    let view_pairs = |v: &str, from: Option<NaiveDate>| {
        let mut p = vec![("view", v.to_string())];
        p.extend(from.map(|d| ("from", d.format("%Y-%m-%d").to_string())));
        p
    };
    let (prev, next, heading) = match view {
        View::Month => (
            Some(href(&view_pairs("month", first.checked_sub_months(Months::new(1))))),
            Some(href(&view_pairs("month", Some(after)))),
            crate::i18n::document_date(page.lang, &first.format("%Y-%m").to_string()),
        ),
        View::Day => (
            Some(href(&view_pairs("day", first.pred_opt()))),
            Some(href(&view_pairs("day", Some(after)))),
            format!(
                "{} {}",
                weekday(page.lang, first),
                crate::i18n::document_date(page.lang, &first.format("%Y-%m-%d").to_string())
            ),
        ),
        View::List => {
            let mut base: Vec<(&str, String)> = Vec::new();
            if past {
                base.push(("past", "1".into()));
            }
            let page_link = |o: i64| {
                let mut p = base.clone();
                if o > 0 {
                    p.push(("cursor", o.to_string()));
                }
                href(&p)
            };
            (
                (cursor > 0).then(|| page_link((cursor - LIST_PAGE).max(0))),
                more.then(|| page_link(cursor + LIST_PAGE)),
                page.t(&ctx, if past { "agenda-past" } else { "agenda-upcoming" }),
            )
        }
    };
    let (weeks, day_items) = match view {
        View::Month => (month_grid(&occurring, first, after, reader, &page, today), Vec::new()),
        View::Day => (Vec::new(), day_list(&ctx, &page, &occurring, first, reader)),
        View::List => (Vec::new(), Vec::new()),
    };
    let groups = facet_groups(&ctx, &page, &facets, &kept, &pairs);
    // editors see where to add one
    let can_add = match &page.user {
        Some(u) => u.is_admin() || !ctx.db.orgs_of_user(u.id).await?.is_empty(),
        None => false,
    };
    let view_name = match view {
        View::List => "list",
        View::Month => "month",
        View::Day => "day",
    };
    let html: Html<String> = page.render(
        &ctx,
        "agenda/index.html",
        context! {
            items, weeks, day_items, heading, prev, next, past, groups, can_add,
            view => view_name,
            total => facets.total,
            reader_zone => reader.name(),
            query => calendar_query(&q),
            filtered => !kept.is_empty(),
            hidden_pairs => pairs.iter().filter(|(k, _)| (FILTERS.contains(&k.as_str()) && !MULTI.contains(&k.as_str())) || matches!(k.as_str(), "view" | "from" | "past")).map(|(k, v)| context! { name => k, value => v }).collect::<Vec<_>>(),
            list_href => href(&[]),
            past_href => href(&[("past", "1".into())]),
            month_href => href(&view_pairs("month", (view != View::List).then_some(first))),
            day_href => href(&view_pairs("day", Some(if view == View::Month && first.month() != today.month() { first } else { today }))),
            weekdays => (0..7).map(|i| weekday(page.lang, NaiveDate::from_isoywd_opt(2027, 1, Weekday::try_from(i as u8).unwrap_or(Weekday::Mon)).unwrap_or(first))).collect::<Vec<_>>(),
        },
    )?;
    Ok(keep_zone(&ctx, html.into_response(), asked))
}

/// Midnight of `day` in `tz`, as an instant (the first instant of the day when midnight
/// does not happen there).
fn midnight(tz: Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    (0..3).find_map(|h| day.and_hms_opt(h, 0, 0).and_then(|t| crate::model::event::to_utc(tz, t)))
}

/// A day's short name in `lang`.
fn weekday(lang: Lang, d: NaiveDate) -> &'static str {
    const DAYS: [[&str; 7]; 4] = [
        ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"],
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
        ["lun.", "mar.", "mié.", "jue.", "vie.", "sáb.", "dom."],
    ];
    let row = match lang {
        Lang::Ar => 0,
        Lang::En => 1,
        Lang::Fr => 2,
        Lang::Es => 3,
    };
    DAYS[row][d.weekday().num_days_from_monday() as usize]
}

/// Each occurrence of `e` that overlaps `[from, to)`: its start and end.
fn occurrences_in(e: &Event, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let length = e.end_utc - e.start_utc;
    agenda::occurrence_starts(e)
        .into_iter()
        .map(|s| (s, s + length))
        .filter(|(s, end)| *s < to && (*end > from || (*end == *s && *s >= from)))
        .collect()
}

/// The days (as the reader counts them; an all-day event's own dates) an occurrence covers.
fn days_of(e: &Event, start: DateTime<Utc>, end: DateTime<Utc>, reader: Tz) -> Vec<NaiveDate> {
    let zone = if e.all_day { Tz::from_str(&e.timezone).unwrap_or(Tz::UTC) } else { reader };
    let first = start.with_timezone(&zone).date_naive();
    let last = (end - chrono::Duration::seconds(1)).max(start).with_timezone(&zone).date_naive();
    first.iter_days().take_while(|d| *d <= last).take(400).collect()
}

/// A line of a month cell or the day list: the time (in the reader's zone), the title.
fn line(e: &Event, page: &Page, start: DateTime<Utc>, reader: Tz) -> Value {
    let text = e.text_for(page.lang.code());
    context! {
        uid => e.uid,
        title => text.map(|t| t.1.clone()),
        text_lang => text.map(|t| t.0.clone()),
        time => (!e.all_day).then(|| start.with_timezone(&reader).format("%H:%M").to_string()),
        status => e.status,
    }
}

/// An event with its occurrences in the month or day shown.
type Occurring = (Event, Vec<(DateTime<Utc>, DateTime<Utc>)>);

/// The month as weeks of days (Monday first), each day with what happens on it.
fn month_grid(
    events: &[Occurring],
    first: NaiveDate,
    after: NaiveDate,
    reader: Tz,
    page: &Page,
    today: NaiveDate,
) -> Vec<Vec<Value>> {
    let mut by_day: std::collections::BTreeMap<NaiveDate, Vec<(DateTime<Utc>, Value)>> = Default::default();
    for (e, at) in events {
        for &(s, end) in at {
            for d in days_of(e, s, end, reader) {
                by_day.entry(d).or_default().push((s, line(e, page, s, reader)));
            }
        }
    }
    let start = first - chrono::Duration::days(first.weekday().num_days_from_monday() as i64);
    let mut weeks = Vec::new();
    let mut d = start;
    while d < after {
        let week: Vec<Value> = (0..7)
            .map(|i| {
                let day = d + chrono::Duration::days(i);
                let mut lines = by_day.remove(&day).unwrap_or_default();
                lines.sort_by_key(|(s, _)| *s);
                context! {
                    date => day.format("%Y-%m-%d").to_string(),
                    number => day.day(),
                    weekday => weekday(page.lang, day),
                    inside => day >= first && day < after,
                    today => day == today,
                    lines => lines.into_iter().map(|(_, l)| l).collect::<Vec<_>>(),
                }
            })
            .collect();
        weeks.push(week);
        d += chrono::Duration::days(7);
    }
    weeks
}

/// The day's occurrences in start order, each as the agenda lists an event.
fn day_list(ctx: &Ctx, page: &Page, events: &[Occurring], first: NaiveDate, reader: Tz) -> Vec<Value> {
    let mut found: Vec<(DateTime<Utc>, Value)> = Vec::new();
    for (e, at) in events {
        let on_the_day = at.iter().copied().find(|(s, end)| days_of(e, *s, *end, reader).contains(&first));
        if let Some(at) = on_the_day {
            found.push((at.0, occurrence_view(ctx, page, e, reader, at)));
        }
    }
    found.sort_by_key(|(s, _)| *s);
    found.into_iter().map(|(_, v)| v).collect()
}

/// The counts of `events` by kind, organisation, term, language and origin.
fn facets_of<'a>(events: impl Iterator<Item = &'a Event>) -> EventFacets {
    use std::collections::BTreeMap;
    let mut kinds: BTreeMap<String, i64> = BTreeMap::new();
    let mut orgs: BTreeMap<String, i64> = BTreeMap::new();
    let mut terms: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut languages: BTreeMap<String, i64> = BTreeMap::new();
    let mut origins: BTreeMap<String, i64> = BTreeMap::new();
    let mut total = 0;
    for e in events {
        total += 1;
        *kinds.entry(e.kind.clone()).or_default() += 1;
        *orgs.entry(e.org_handle.clone()).or_default() += 1;
        for t in &e.terms {
            *terms.entry(t.clone()).or_default() += 1;
        }
        for t in &e.texts {
            *languages.entry(t.0.clone()).or_default() += 1;
        }
        *origins.entry(if e.local { "local" } else { "partners" }.to_string()).or_default() += 1;
    }
    let by_count = |m: BTreeMap<String, i64>| {
        let mut v: Vec<(String, i64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let mut terms: Vec<(String, String, i64)> = terms.into_iter().map(|((s, t), n)| (s, t, n)).collect();
    terms.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    EventFacets {
        total,
        kinds: by_count(kinds),
        orgs: by_count(orgs),
        terms,
        languages: by_count(languages),
        origins: by_count(origins),
    }
}

/// The filters beside the agenda, as the library shows them: kind, organisation, origin
/// and language as links; mechanisms, themes and countries as checkboxes; each with how
/// many events it finds among those the other filters found.
fn facet_groups(
    ctx: &Ctx,
    page: &Page,
    facets: &EventFacets,
    kept: &[(&str, String)],
    pairs: &[(String, String)],
) -> Vec<FacetGroup> {
    // a filter link keeps the view (and the day or month shown), not the page of the list
    let context: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "view" | "from" | "past"))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let link = |key: &'static str, value: &str, label: String, count: i64| {
        let active = kept.iter().any(|(k, v)| *k == key && v == value);
        let mut p: Vec<(&str, String)> =
            kept.iter().filter(|(k, v)| *k != key || (MULTI.contains(k) && v != value)).cloned().collect();
        if !active {
            p.push((key, value.to_string()));
        }
        p.extend(context.iter().cloned());
        let href = format!("/agenda?{}", crate::http::params::query_string(&p));
        FacetLink { value: value.to_string(), label, count, href, active, children: Vec::new() }
    };
    let group = |key: &'static str, title: &str, multi: bool, links: Vec<FacetLink>| FacetGroup {
        key,
        title: page.t(ctx, title),
        multi,
        links,
        hidden: 0,
        more: None,
    };
    let terms = |key: &'static str, scheme: &'static str| {
        facets
            .terms
            .iter()
            .filter(|(s, _, _)| s == scheme)
            .map(|(_, t, n)| link(key, t, ctx.vocab.label(scheme, t, page.lang).to_string(), *n))
            .collect::<Vec<_>>()
    };
    vec![
        group(
            "kind",
            "agenda-kind",
            false,
            facets
                .kinds
                .iter()
                .map(|(k, n)| {
                    link("kind", k, ctx.vocab.label(crate::model::event::EVENT_KIND, k, page.lang).to_string(), *n)
                })
                .collect(),
        ),
        group("mechanism", "facet-mechanism", true, terms("mechanism", vocab::MECHANISM)),
        group("theme", "facet-theme", true, terms("theme", vocab::THEME)),
        group("country", "facet-country", true, terms("country", vocab::COUNTRY)),
        group(
            "language",
            "facet-language",
            false,
            facets
                .languages
                .iter()
                .map(|(l, n)| link("language", l, crate::model::lang::endonym(l).unwrap_or(l).to_string(), *n))
                .collect(),
        ),
        group("org", "facet-org", false, facets.orgs.iter().map(|(h, n)| link("org", h, h.clone(), *n)).collect()),
        group(
            "origin",
            "agenda-origin",
            false,
            facets
                .origins
                .iter()
                .map(|(o, n)| link("origin", o, page.t(ctx, &format!("agenda-origin-{o}")), *n))
                .collect(),
        ),
    ]
}

/// `GET /e/{id}`: an event (its `Event` to an ActivityPub client); `/e/{id}.ics` the same
/// as a calendar.
pub async fn show(
    State(ctx): State<Ctx>,
    page: Page,
    headers: HeaderMap,
    signed: crate::federation::authorized::Signed,
    Path(uid): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    if signed.wants_activity_json() {
        signed.check().await?;
        let e = agenda::get(&ctx, &uid).await?;
        return Ok(crate::federation::events::event_response(&ctx, &e));
    }
    if let Some(uid) = uid.strip_suffix(".ics") {
        let e = agenda::get(&ctx, uid).await?;
        let title = e.text_for(page.lang.code()).map(|t| t.1.clone());
        return Ok(calendar_response(&page, &ctx, &headers, &title.unwrap_or_default(), std::slice::from_ref(&e)));
    }
    let (reader, asked) = reader_zone(&q.unwrap_or_default(), &headers);
    let e = agenda::get(&ctx, &uid).await?;
    let can_edit = match &page.user {
        Some(u) if e.local => crate::accounts::org_role(&ctx, u, e.org_id).await?.is_some_and(|r| r.can_edit()),
        _ => false,
    };
    // boosts and likes from the fediverse: how many, never who
    let (boosts, likes) = match e.local {
        true => ctx.db.reaction_counts(&format!("{}/e/{}", ctx.config.base_url(), e.uid)).await?,
        false => (0, 0),
    };
    let thread =
        crate::community::view(&ctx, page.user.as_ref(), &crate::community::Target::of_event(&ctx, &e)).await?;
    let html: Html<String> = page.render(
        &ctx,
        "agenda/event.html",
        context! { e => event_view(&ctx, &page, &e, reader), reader_zone => reader.name(), can_edit, boosts, likes, thread },
    )?;
    Ok(keep_zone(&ctx, html.into_response(), asked))
}

/// A calendar of `events` in the reader's language.
fn calendar_body(ctx: &Ctx, page: &Page, name: &str, events: &[Event]) -> String {
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
    crate::ics::calendar(name, &items)
}

/// A calendar with its `ETag` and `Last-Modified`, or 304 when the app asking has it already.
/// (The body is shared with the cache: sending it copies nothing.)
fn calendar_reply(headers: &HeaderMap, body: axum::body::Bytes, etag: String, modified: DateTime<Utc>) -> Response {
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

/// One event's calendar.
fn calendar_response(page: &Page, ctx: &Ctx, headers: &HeaderMap, name: &str, events: &[Event]) -> Response {
    let body = calendar_body(ctx, page, name, events);
    let etag = crate::ics::etag(&body);
    let modified = events.iter().map(|e| e.updated_at).max().unwrap_or_else(Utc::now);
    calendar_reply(headers, body.into(), etag, modified)
}

/// A calendar of the events `f` finds (at most 1,000), kept in `ctx.calendars` under `key`
/// until they change: subscribed calendars are asked for again and again, and a 304 costs
/// one count.
async fn filtered_calendar(
    ctx: &Ctx,
    page: &Page,
    headers: &HeaderMap,
    key: String,
    f: &EventFilters,
    name: &str,
) -> AppResult<Response> {
    let (count, latest) = ctx.db.event_fingerprint(f).await?;
    let key = format!("{key}|{}", page.lang.code());
    let fingerprint = format!("{count}-{}", latest.map(|t| t.timestamp_micros()).unwrap_or(0));
    let etag = crate::ics::etag(&format!("{key}|{fingerprint}"));
    let modified = latest.unwrap_or_else(Utc::now);
    let body = match ctx.calendars.get(&key, &fingerprint) {
        Some(body) => body,
        None => {
            let events = ctx.db.list_calendar_events(f, 1000).await?;
            let body = axum::body::Bytes::from(calendar_body(ctx, page, name, &events));
            ctx.calendars.put(key, fingerprint, body.clone());
            body
        }
    };
    Ok(calendar_reply(headers, body, etag, modified))
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
    let name = format!("{} · {}", page.t(&ctx, "agenda-title"), ctx.config.domain);
    filtered_calendar(&ctx, &page, &headers, format!("/agenda.ics?{}", calendar_query(&q)), &f, &name).await
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
    let key = format!("/orgs/{}/agenda.ics", org.handle);
    filtered_calendar(&ctx, &page, &headers, key, &f, org.name_in(page.lang.code())).await
}

/// `GET /agenda/live`: the agenda's changes as Server-Sent Events, one `change` message
/// each: `{"id": ..., "change": ..., "status": ...}`. A comment every 20 s keeps proxies from
/// closing an idle stream; a page that fell behind is sent `reload`.
pub async fn live(State(ctx): State<Ctx>) -> impl IntoResponse {
    use axum::response::sse::{Event as Sse, KeepAlive};
    use tokio::sync::broadcast::error::RecvError;
    let (changes, closing) = ctx.live.subscribe();
    let stream = futures_util::stream::unfold((changes, closing), |(mut changes, mut closing)| async move {
        if *closing.borrow() {
            return None;
        }
        let message = tokio::select! {
            got = changes.recv() => match got {
                Ok(json) => Sse::default().event("change").data(&*json),
                Err(RecvError::Lagged(_)) => Sse::default().event("reload").data("{}"),
                Err(RecvError::Closed) => return None,
            },
            _ = closing.changed() => return None,
        };
        Some((Ok::<_, std::convert::Infallible>(message), (changes, closing)))
    });
    let mut res = axum::response::sse::Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(20)))
        .into_response();
    // not compressed or buffered on the way (nginx's X-Accel-Buffering)
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}
