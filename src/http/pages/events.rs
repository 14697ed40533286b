//! The agenda's editor: an event's form (create, edit, translate one language at a time,
//! postpone or cancel by its status), and deleting it. Like the resource editor, nothing typed
//! is lost: an invalid field, an expired form, an expired session or the database away all
//! answer with the form as it was sent.

use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Serialize;
use serde_json::{json, Value};

use super::editor::editable_orgs;
use super::submit::{self, Outcome};
use super::{CheckedForm, FormData, KeptForm, Page};
use crate::agenda;
use crate::app::Ctx;
use crate::db::events::Event;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::model::event::{Case, EventInput, EventText, Organizer, Place, EVENT_KIND, EVENT_STATUS};
use crate::model::vocab;
use crate::model::FieldError;

/// The form's values, kept across a failed submission.
#[derive(Serialize, Default)]
struct Values {
    org: String,
    kind: String,
    original_language: String,
    text_lang: String,
    title: String,
    summary: String,
    description: String,
    start: String,
    end: String,
    all_day: bool,
    timezone: String,
    status: String,
    place_name: String,
    place_street: String,
    place_locality: String,
    place_postal_code: String,
    place_country: String,
    online_url: String,
    source_url: String,
    registration_url: String,
    case_name: String,
    case_number: String,
    session: String,
    rrule: String,
    mechanisms: Vec<String>,
    themes: Vec<String>,
    countries: Vec<String>,
    accessibility: String,
    /// Language tags, separated by commas.
    languages: String,
    interpretation: String,
    /// One a line: `name | url`.
    organizers: String,
}

/// "en, fr" as tags.
fn tags(s: &str) -> Vec<String> {
    s.split([',', ' ', ';']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// "Name | https://..." lines as organisers.
fn organizers(s: &str) -> Vec<Organizer> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once('|') {
            Some((name, url)) => Organizer { name: name.trim().into(), url: opt(url) },
            None => Organizer { name: l.into(), url: None },
        })
        .collect()
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Values {
    fn from_form(f: &FormData) -> Values {
        Values {
            org: f.get("org"),
            kind: f.get("kind"),
            original_language: f.get("original_language"),
            text_lang: f.get("text_lang"),
            title: f.get("title"),
            summary: f.get("summary"),
            description: f.get("description"),
            start: f.get("start"),
            end: f.get("end"),
            all_day: f.get("all_day") == "on",
            timezone: f.get("timezone"),
            status: f.get("status"),
            place_name: f.get("place_name"),
            place_street: f.get("place_street"),
            place_locality: f.get("place_locality"),
            place_postal_code: f.get("place_postal_code"),
            place_country: f.get("place_country"),
            online_url: f.get("online_url"),
            source_url: f.get("source_url"),
            registration_url: f.get("registration_url"),
            case_name: f.get("case_name"),
            case_number: f.get("case_number"),
            session: f.get("session"),
            rrule: f.get("rrule"),
            mechanisms: f.all("mechanisms"),
            themes: f.all("themes"),
            countries: f.all("countries"),
            accessibility: f.get("accessibility"),
            languages: f.get("languages"),
            interpretation: f.get("interpretation"),
            organizers: f.get("organizers"),
        }
    }

    fn from_event(e: &Event, text_lang: &str) -> Values {
        let i = agenda::to_input(e);
        let text = i.translations.get(text_lang).cloned().unwrap_or_default();
        let place = i.place.clone().unwrap_or_default();
        let case = i.case.clone().unwrap_or_default();
        Values {
            org: i.org,
            kind: i.kind,
            original_language: i.original_language,
            text_lang: text_lang.to_string(),
            title: text.title,
            summary: text.summary,
            description: text.description,
            start: i.start,
            end: i.end.unwrap_or_default(),
            all_day: i.all_day,
            timezone: i.timezone,
            status: i.status.unwrap_or_default(),
            place_name: place.name,
            place_street: place.street,
            place_locality: place.locality,
            place_postal_code: place.postal_code,
            place_country: place.country,
            online_url: i.online_url.unwrap_or_default(),
            source_url: i.source_url.unwrap_or_default(),
            registration_url: i.registration_url.unwrap_or_default(),
            case_name: case.name,
            case_number: case.number,
            session: i.session.unwrap_or_default(),
            rrule: i.rrule.unwrap_or_default(),
            mechanisms: i.mechanisms,
            themes: i.themes,
            countries: i.countries,
            accessibility: text.accessibility,
            languages: i.languages.join(", "),
            interpretation: i.interpretation.join(", "),
            organizers: i
                .organizers
                .iter()
                .map(|o| match &o.url {
                    Some(url) => format!("{} | {url}", o.name),
                    None => o.name.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// A time as the input gave it (`datetime-local`), or its date for an all-day event.
    fn time(&self, t: &str) -> String {
        let t = t.trim();
        if self.all_day {
            t.get(..10).unwrap_or(t).to_string()
        } else {
            t.to_string()
        }
    }

    fn place(&self) -> Option<Place> {
        let p = Place {
            name: self.place_name.trim().into(),
            street: self.place_street.trim().into(),
            locality: self.place_locality.trim().into(),
            postal_code: self.place_postal_code.trim().into(),
            country: self.place_country.trim().into(),
        };
        (p != Place::default()).then_some(p)
    }

    fn text(&self) -> EventText {
        EventText {
            title: self.title.clone(),
            summary: self.summary.clone(),
            description: self.description.clone(),
            accessibility: self.accessibility.clone(),
        }
    }

    /// A new event, in the API's shape.
    fn to_input(&self) -> EventInput {
        EventInput {
            org: self.org.clone(),
            kind: self.kind.clone(),
            original_language: self.original_language.clone(),
            translations: [(self.original_language.clone(), self.text())].into(),
            start: self.time(&self.start),
            end: opt(&self.time(&self.end)),
            timezone: self.timezone.trim().to_string(),
            all_day: self.all_day,
            status: opt(&self.status),
            place: self.place(),
            online_url: opt(&self.online_url),
            mechanisms: self.mechanisms.clone(),
            themes: self.themes.clone(),
            countries: self.countries.clone(),
            case: (opt(&self.case_name).is_some() || opt(&self.case_number).is_some())
                .then(|| Case { name: self.case_name.clone(), number: self.case_number.clone() }),
            session: opt(&self.session),
            source_url: opt(&self.source_url),
            registration_url: opt(&self.registration_url),
            rrule: opt(&self.rrule),
            resources: Vec::new(),
            languages: tags(&self.languages),
            interpretation: tags(&self.interpretation),
            organizers: organizers(&self.organizers),
        }
    }

    /// The change to an event: every field of the form, and the text of one language.
    fn to_patch(&self) -> Value {
        let mut v = serde_json::to_value(self.to_input()).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.remove("org");
            m.remove("resources");
            m.insert("translations".into(), json!({ self.text_lang.clone(): self.text() }));
            // an emptied field is emptied
            for key in ["end", "place", "online_url", "case", "session", "source_url", "registration_url", "rrule"] {
                m.entry(key).or_insert(Value::Null);
            }
            for key in ["languages", "interpretation", "organizers"] {
                m.entry(key).or_insert(json!([]));
            }
        }
        v
    }
}

/// The form, with its errors, its problem and a notice.
struct Form<'a> {
    values: &'a Values,
    uid: Option<&'a str>,
    languages: Vec<String>,
    orgs: Vec<String>,
    errors: &'a [FieldError],
    problem: Option<minijinja::Value>,
    notice: Option<String>,
}

impl Form<'_> {
    fn render(self, ctx: &Ctx, page: &Page) -> AppResult<Html<String>> {
        let options = |scheme: &str, sort: bool| {
            let Some(s) = ctx.vocab.scheme(scheme) else { return Vec::new() };
            let mut terms: Vec<(String, String)> =
                s.terms.iter().map(|t| (t.id.clone(), ctx.vocab.label(scheme, &t.id, page.lang).to_string())).collect();
            if sort {
                terms.sort_by(|a, b| a.1.cmp(&b.1));
            }
            terms.into_iter().map(|(id, label)| context! { id, label }).collect::<Vec<_>>()
        };
        let content_langs: Vec<Value> = crate::model::lang::Lang::ALL
            .iter()
            .map(|l| l.code().to_string())
            .chain(ctx.config.extra_content_languages.iter().cloned())
            .map(|code| json!({"code": code, "name": crate::model::lang::endonym(&code).unwrap_or(&code)}))
            .collect();
        page.render(
            ctx,
            "agenda/form.html",
            context! {
                v => self.values,
                uid => self.uid,
                languages => self.languages,
                orgs => self.orgs,
                errors => show_errors(ctx, page.lang, self.errors),
                problem => self.problem,
                notice => self.notice,
                kinds => options(EVENT_KIND, false),
                statuses => options(EVENT_STATUS, false),
                themes => options(vocab::THEME, false),
                mechanisms => options(vocab::MECHANISM, false),
                countries => options(vocab::COUNTRY, true),
                content_langs,
                max_summary => 500,
            },
        )
    }
}

/// `GET /agenda/new`: a new event (`?org=` picks the organisation).
pub async fn new_form(
    State(ctx): State<Ctx>,
    page: Page,
    headers: axum::http::HeaderMap,
    RawQuery(query): RawQuery,
) -> AppResult<Html<String>> {
    let orgs = editable_orgs(&ctx, &page).await?;
    if orgs.is_empty() {
        return Err(AppError::Forbidden);
    }
    let wanted = submit::query_param(query.as_deref(), "org");
    let values = Values {
        org: wanted.filter(|o| orgs.contains(o)).unwrap_or_else(|| orgs[0].clone()),
        original_language: page.lang.code().to_string(),
        text_lang: page.lang.code().to_string(),
        status: "scheduled".into(),
        // the zone the reader chose for the agenda is the likeliest one
        timezone: crate::http::extract::cookie(&headers, "tz")
            .map(|z| z.replace("%2F", "/"))
            .filter(|z| z.parse::<chrono_tz::Tz>().is_ok())
            .unwrap_or_else(|| "UTC".into()),
        ..Values::default()
    };
    let form =
        Form { values: &values, uid: None, languages: Vec::new(), orgs, errors: &[], problem: None, notice: None };
    form.render(&ctx, &page)
}

/// `GET /e/{uid}/edit?text=fr`: an event's fields and one language's text.
pub async fn edit_form(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Html<String>> {
    let e = agenda::get_for_edit(&ctx, page.user()?, &uid).await?;
    let text_lang = submit::text_lang(&ctx, query.as_deref(), &e.original_language)?;
    let values = Values::from_event(&e, &text_lang);
    let languages = e.texts.iter().map(|t| t.0.clone()).collect();
    let form = Form {
        values: &values,
        uid: Some(&uid),
        languages,
        orgs: vec![e.org_handle.clone()],
        errors: &[],
        problem: None,
        notice: None,
    };
    form.render(&ctx, &page)
}

/// `POST /agenda/new`.
pub async fn create(State(ctx): State<Ctx>, page: Page, form: KeptForm) -> AppResult<Response> {
    submit(&ctx, &page, None, form).await
}

/// `POST /e/{uid}/edit`.
pub async fn update(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    form: KeptForm,
) -> AppResult<Response> {
    submit(&ctx, &page, Some(&uid), form).await
}

async fn submit(ctx: &Ctx, page: &Page, uid: Option<&str>, kept: KeptForm) -> AppResult<Response> {
    let values = Values::from_form(&kept.form);
    let action = uid.map_or_else(|| "/agenda/new".to_string(), |u| format!("/e/{u}/edit"));
    let v = &values;
    let saved = submit::submit(ctx, page, &action, &kept, |user| async move {
        match uid {
            None => agenda::create(ctx, &user, &v.to_input()).await,
            Some(uid) => agenda::update(ctx, &user, uid, &v.to_patch()).await,
        }
    });
    match saved.await? {
        Outcome::Saved(e) => Ok(Redirect::to(&format!("/e/{}?done=saved", e.uid)).into_response()),
        Outcome::Again(errors, problem) => again(ctx, page, &values, uid, &errors, problem.as_ref(), None).await,
        Outcome::LogIn(res) => Ok(res),
    }
}

/// The form again, as it was sent, with its errors or problem (and that status).
async fn again(
    ctx: &Ctx,
    page: &Page,
    values: &Values,
    uid: Option<&str>,
    errors: &[FieldError],
    problem: Option<&AppError>,
    notice: Option<&str>,
) -> AppResult<Response> {
    let orgs = match uid {
        Some(_) => vec![values.org.clone()],
        None => editable_orgs(ctx, page).await.unwrap_or_else(|_| vec![values.org.clone()]),
    };
    let form = Form {
        values,
        uid,
        languages: Vec::new(),
        orgs,
        errors,
        problem: problem.map(|e| submit::problem(ctx, page, e)),
        notice: notice.map(|id| page.t(ctx, id)),
    };
    Ok((submit::status(errors, problem), form.render(ctx, page)?).into_response())
}

/// After logging in again: the event form the session expired on, as it was typed.
pub async fn resume(ctx: &Ctx, page: &Page, action: &str, form: &FormData) -> Option<AppResult<Response>> {
    let uid = match action {
        "/agenda/new" => None,
        other => Some(other.strip_prefix("/e/")?.strip_suffix("/edit")?),
    };
    let values = Values::from_form(form);
    Some(again(ctx, page, &values, uid, &[], None, Some("editor-resumed")).await)
}

/// `GET /e/{uid}/delete`: the question before deleting.
pub async fn confirm_delete(State(ctx): State<Ctx>, page: Page, Path(uid): Path<String>) -> AppResult<Html<String>> {
    agenda::get_for_edit(&ctx, page.user()?, &uid).await?;
    let back = format!("/e/{uid}/edit");
    super::people::confirm(
        &ctx,
        &page,
        "confirm-delete-event",
        &format!("/e/{uid}/delete"),
        &[("confirmed", "1")],
        &back,
    )
}

/// `POST /e/{uid}/delete`: followers get a `Delete`; the agenda says it was deleted.
pub async fn delete(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    CheckedForm(_f): CheckedForm,
) -> AppResult<Redirect> {
    agenda::delete(&ctx, page.user()?, &uid).await?;
    Ok(Redirect::to("/agenda?done=deleted"))
}
