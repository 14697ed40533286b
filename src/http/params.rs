//! The library's query parameters, shared by the library page, the API and the feeds:
//! parsed from the query string, then checked against the vocabularies.

use chrono::NaiveDate;

use crate::app::Ctx;
use crate::db::search::Filters;
use crate::error::{AppError, AppResult};
use crate::model::vocab;
use crate::model::FieldError;

/// The raw parameters. `language` filters by content language everywhere (pages, feeds,
/// the API); on pages and feeds `lang` chooses the interface language, and the API still
/// reads `lang` as the language filter for clients written before the names were one.
#[derive(Debug, Clone, Default)]
pub struct LibraryParams {
    pub q: String,
    pub resource_type: String,
    /// Themes, mechanisms and countries may repeat (`theme=a&theme=b`): a resource matches
    /// any of the chosen terms of one facet, and every facet.
    pub theme: Vec<String>,
    pub mechanism: Vec<String>,
    pub country: Vec<String>,
    pub language: String,
    pub org: String,
    pub year: String,
    pub since: String,
    pub until: String,
    pub cursor: String,
    /// `relevance` (the default), `newest` or `oldest`: by the document's own date.
    pub sort: String,
    /// `local` (the default: this instance's index) or `network` (partners asked too).
    pub scope: String,
}

impl LibraryParams {
    pub fn parse(query: Option<&str>, api: bool) -> LibraryParams {
        let mut p = LibraryParams::default();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let v = v.trim().to_string();
            match k.as_ref() {
                "q" => p.q = v.chars().take(200).collect(),
                "type" | "kind" => p.resource_type = v,
                "theme" | "mechanism" | "country" if v.is_empty() => {}
                // at most 50 terms a facet: a picker, not a way to make one query of thousands
                "theme" if p.theme.len() < 50 && !p.theme.contains(&v) => p.theme.push(v),
                "mechanism" if p.mechanism.len() < 50 && !p.mechanism.contains(&v) => p.mechanism.push(v),
                "country" if p.country.len() < 50 && !p.country.contains(&v.to_ascii_lowercase()) => {
                    p.country.push(v.to_ascii_lowercase())
                }
                "org" => p.org = v,
                "year" => p.year = v,
                "since" => p.since = v,
                "until" => p.until = v,
                "cursor" => p.cursor = v,
                "sort" => p.sort = v,
                "scope" => p.scope = v,
                "language" => p.language = v,
                "lang" if api && p.language.is_empty() => p.language = v,
                _ => {}
            }
        }
        p
    }

    /// Whether partners are asked too (`scope=network`).
    pub fn network(&self) -> bool {
        self.scope == "network"
    }

    /// The query string partners are asked with: the same filters, never the organisation
    /// (a handle of this instance means nothing there) and nothing about who asks.
    pub fn partner_query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("type", &self.resource_type),
            ("language", &self.language),
            ("year", &self.year),
            ("since", &self.since),
            ("until", &self.until),
            ("sort", &self.sort),
            ("cursor", &self.cursor),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        for (k, list) in [("theme", &self.theme), ("mechanism", &self.mechanism), ("country", &self.country)] {
            for v in list {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }

    /// The offset encoded in the cursor (0 without one).
    pub fn offset(&self) -> AppResult<i64> {
        if self.cursor.is_empty() {
            return Ok(0);
        }
        self.cursor
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0 && *o < 1_000_000)
            .ok_or_else(|| AppError::invalid("cursor", "err-bad-cursor", &self.cursor))
    }

    /// Query-string pairs of the active filters (not the cursor), for links that change one.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let one = |k: &'static str, v: &String| (!v.is_empty()).then(|| (k, v.clone()));
        let mut out: Vec<(&'static str, String)> = one("q", &self.q).into_iter().collect();
        out.extend(one("type", &self.resource_type));
        for (k, list) in [("theme", &self.theme), ("mechanism", &self.mechanism), ("country", &self.country)] {
            out.extend(list.iter().map(|v| (k, v.clone())));
        }
        for (k, v) in [
            ("language", &self.language),
            ("org", &self.org),
            ("year", &self.year),
            ("since", &self.since),
            ("until", &self.until),
            ("sort", &self.sort),
        ] {
            out.extend(one(k, v));
        }
        if self.network() {
            out.push(("scope", self.scope.clone()));
        }
        out
    }

    /// Checks every parameter and builds the database filters.
    pub async fn filters(&self, ctx: &Ctx) -> AppResult<Filters> {
        let mut errors = Vec::new();
        let mut f = Filters { query: ctx.analyzer.parse_query(&self.q), ..Filters::default() };
        let term = |errors: &mut Vec<FieldError>, field: &str, scheme: &str, v: &str| -> Option<String> {
            if v.is_empty() {
                None
            } else if ctx.vocab.contains(scheme, v) {
                Some(v.to_string())
            } else {
                errors.push(FieldError::new(field, "err-unknown-term", v));
                None
            }
        };
        // a statement's kind is its type: `type=joint-statement` and `kind=joint-statement` alike
        let scheme = ctx.vocab.kind_scheme(&self.resource_type);
        f.resource_type = term(&mut errors, "type", scheme, &self.resource_type);
        for (field, scheme, chosen, slot) in [
            ("theme", vocab::THEME, &self.theme, &mut f.themes),
            ("mechanism", vocab::MECHANISM, &self.mechanism, &mut f.mechanisms),
        ] {
            for t in chosen.iter().filter_map(|v| term(&mut errors, field, scheme, v)) {
                for narrower in ctx.vocab.with_narrower(scheme, &t) {
                    if !slot.contains(&narrower) {
                        slot.push(narrower);
                    }
                }
            }
        }
        f.countries = self.country.iter().filter_map(|c| term(&mut errors, "country", vocab::COUNTRY, c)).collect();
        if !self.language.is_empty() {
            match crate::model::lang::ContentLang::parse(&self.language, &ctx.config.extra_content_languages) {
                Some(l) => f.lang = Some(l.as_str().to_string()),
                None => errors.push(FieldError::new("lang", "err-unsupported-language", &self.language)),
            }
        }
        if !self.org.is_empty() {
            match ctx.db.org_by_handle(&self.org).await? {
                Some(o) => f.org_id = Some(o.id),
                None => errors.push(FieldError::new("org", "err-no-such-org", &self.org)),
            }
        }
        if !self.year.is_empty() {
            if self.year.len() == 4 && self.year.chars().all(|c| c.is_ascii_digit()) {
                f.year = Some(self.year.clone());
            } else {
                errors.push(FieldError::new("year", "err-bad-date", &self.year));
            }
        }
        for (field, value, slot) in [("since", &self.since, &mut f.since), ("until", &self.until, &mut f.until)] {
            if !value.is_empty() {
                if NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() {
                    *slot = Some(value.clone());
                } else {
                    errors.push(FieldError::new(field, "err-bad-date", value));
                }
            }
        }
        f.sort = match self.sort.as_str() {
            "" | "relevance" => crate::db::search::Sort::Relevance,
            "newest" => crate::db::search::Sort::Newest,
            "oldest" => crate::db::search::Sort::Oldest,
            other => {
                errors.push(FieldError::new("sort", "err-bad-sort", other));
                crate::db::search::Sort::Relevance
            }
        };
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

/// Encodes pairs as a query string.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// An instant for `from`/`to`: a date (its midnight, UTC) or an RFC 3339 time.
fn instant(field: &str, v: &str, errors: &mut Vec<FieldError>) -> Option<chrono::DateTime<chrono::Utc>> {
    if v.is_empty() {
        return None;
    }
    let t = chrono::DateTime::parse_from_rfc3339(v).map(|t| t.with_timezone(&chrono::Utc)).ok().or_else(|| {
        chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
    });
    if t.is_none() {
        errors.push(FieldError::new(field, "err-bad-date", v));
    }
    t
}

/// The agenda's query parameters (the API's, the page's and the calendars'): `from`, `to`
/// (a date or an RFC 3339 time; without `from`, from now), `kind`, `mechanism`, `theme`,
/// `country` (each may repeat), `org`, `language`, `origin` (`local` or `partners`), `q`
/// (words of a title, summary or case), `past` (what has happened, the latest first),
/// `cursor`. Bad values are 422 with the field named.
pub async fn event_filters(ctx: &Ctx, query: &str) -> AppResult<(crate::db::events::EventFilters, i64)> {
    let mut f = crate::db::events::EventFilters::default();
    let mut errors = Vec::new();
    let (mut from, mut cursor, mut past) = (None, 0i64, false);
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let v = v.trim().to_string();
        match k.as_ref() {
            "from" => from = Some(v),
            "to" => f.to = instant("to", &v, &mut errors),
            "kind" if !v.is_empty() => {
                if ctx.vocab.contains(crate::model::event::EVENT_KIND, &v) {
                    f.kind = Some(v);
                } else {
                    errors.push(FieldError::new("kind", "err-unknown-term", &v));
                }
            }
            "mechanism" | "theme" | "country" if !v.is_empty() => {
                let (scheme, slot) = match k.as_ref() {
                    "mechanism" => (vocab::MECHANISM, &mut f.mechanisms),
                    "theme" => (vocab::THEME, &mut f.themes),
                    _ => (vocab::COUNTRY, &mut f.countries),
                };
                let v = if scheme == vocab::COUNTRY { v.to_ascii_lowercase() } else { v };
                if !ctx.vocab.contains(scheme, &v) {
                    errors.push(FieldError::new(&k, "err-unknown-term", &v));
                } else if slot.len() < 50 {
                    slot.extend(if scheme == vocab::COUNTRY { vec![v] } else { ctx.vocab.with_narrower(scheme, &v) });
                }
            }
            "org" if !v.is_empty() => match ctx.db.org_by_handle(&v).await? {
                Some(o) => f.org_id = Some(o.id),
                None => errors.push(FieldError::new("org", "err-no-such-org", &v)),
            },
            "language" if !v.is_empty() => {
                match crate::model::lang::ContentLang::parse(&v, &ctx.config.extra_content_languages) {
                    Some(l) => f.language = Some(l.as_str().to_string()),
                    None => errors.push(FieldError::new("language", "err-unsupported-language", &v)),
                }
            }
            "origin" if !v.is_empty() => match v.as_str() {
                "local" => f.local = Some(true),
                "partners" => f.local = Some(false),
                _ => errors.push(FieldError::new("origin", "err-unknown-term", &v)),
            },
            "q" if !v.is_empty() => f.q = Some(v.chars().take(200).collect()),
            "past" if !v.is_empty() && v != "0" => past = true,
            "cursor" if !v.is_empty() => match v.parse::<i64>() {
                Ok(c) if (0..1_000_000).contains(&c) => cursor = c,
                _ => errors.push(FieldError::new("cursor", "err-bad-cursor", &v)),
            },
            _ => {}
        }
    }
    f.from = match from {
        Some(v) => instant("from", &v, &mut errors),
        None if past => None,
        None => Some(chrono::Utc::now()),
    };
    if past {
        // what has happened, the latest first
        f.to = Some(f.to.map_or_else(chrono::Utc::now, |t| t.min(chrono::Utc::now())));
        f.newest_first = true;
    }
    if errors.is_empty() {
        Ok((f, cursor))
    } else {
        Err(AppError::Invalid(errors))
    }
}
