//! The statement editor: a statement's form (create, edit, translate one language at a time),
//! with what only statements have: kind, call to action, targets, hashtags, case, embargo,
//! open sign-on and signatories not on the network. Like the resource editor, nothing typed is
//! lost: an invalid field, an expired form, an expired session or the database away all answer
//! with the form as it was sent.

use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use minijinja::context;
use serde::Serialize;

use super::editor::{content_langs, editable_orgs, options};
use super::submit::{self, Outcome};
use super::{FormData, KeptForm, Page};
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::model::resource::{Resource, TextInput};
use crate::model::statement::{CallToAction, StatementInput, StatementPatch};
use crate::model::vocab;
use crate::model::FieldError;
use crate::{library, statements};

/// The form's values, kept across a failed submission.
#[derive(Serialize, Default)]
struct Values {
    org: String,
    kind: String,
    original_language: String,
    text_lang: String,
    title: String,
    summary: String,
    body: String,
    themes: Vec<String>,
    mechanisms: Vec<String>,
    countries: Vec<String>,
    cta_text: String,
    cta_url: String,
    cta_deadline: String,
    /// One a line.
    targets: String,
    /// Separated by spaces or commas, with or without `#`.
    hashtags: String,
    case: String,
    open_signing: bool,
    /// One a line.
    external: String,
    /// `YYYY-MM-DDTHH:MM`, in UTC (a `datetime-local` field).
    embargo_until: String,
    published: String,
    status: String,
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `2027-01-15T09:00` (UTC, as the field says) to RFC 3339; anything else is passed on as it
/// is, for validation to name.
fn embargo_rfc3339(s: &str) -> Option<String> {
    let s = opt(s)?;
    Some(match NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M") {
        Ok(t) => t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        Err(_) => s,
    })
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
            body: f.get("body"),
            themes: f.all("themes"),
            mechanisms: f.all("mechanisms"),
            countries: f.all("countries"),
            cta_text: f.get("cta_text"),
            cta_url: f.get("cta_url"),
            cta_deadline: f.get("cta_deadline"),
            targets: f.get("targets"),
            hashtags: f.get("hashtags"),
            case: f.get("case"),
            open_signing: f.get("open_signing") == "on",
            external: f.get("external"),
            embargo_until: f.get("embargo_until"),
            published: f.get("published"),
            status: f.get("status"),
        }
    }

    fn from_statement(r: &Resource, text_lang: &str) -> Values {
        let input = statements::to_input(r);
        let text = input.translations.get(text_lang).cloned().unwrap_or_default();
        let cta = input.call_to_action.unwrap_or_default();
        let embargo = r.statement.as_ref().and_then(|s| s.embargo_until);
        Values {
            org: input.org,
            kind: input.kind,
            original_language: input.original_language,
            text_lang: text_lang.to_string(),
            title: text.title,
            summary: text.summary,
            body: text.body,
            themes: input.themes,
            mechanisms: input.mechanisms,
            countries: input.countries,
            cta_text: cta.text,
            cta_url: cta.url.unwrap_or_default(),
            cta_deadline: cta.deadline.unwrap_or_default(),
            targets: input.targets.join("\n"),
            hashtags: input.hashtags.iter().map(|h| format!("#{h}")).collect::<Vec<_>>().join(" "),
            case: input.case.unwrap_or_default(),
            open_signing: input.open_signing.unwrap_or(false),
            external: input.external_signatories.join("\n"),
            embargo_until: embargo.map(|t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default(),
            published: input.published.unwrap_or_default(),
            status: r.status.as_str().to_string(),
        }
    }

    fn text(&self) -> TextInput {
        TextInput { title: self.title.clone(), summary: self.summary.clone(), body: self.body.clone() }
    }

    fn call_to_action(&self) -> Option<CallToAction> {
        let cta = CallToAction {
            text: self.cta_text.trim().to_string(),
            url: opt(&self.cta_url),
            deadline: opt(&self.cta_deadline),
        };
        (cta != CallToAction::default()).then_some(cta)
    }

    fn hashtags(&self) -> Vec<String> {
        self.hashtags
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn to_input(&self) -> StatementInput {
        StatementInput {
            external_id: None,
            org: self.org.clone(),
            kind: self.kind.clone(),
            original_language: self.original_language.clone(),
            translations: [(self.original_language.clone(), self.text())].into_iter().collect(),
            status: Some(if self.status.is_empty() { "draft".into() } else { self.status.clone() }),
            embargo_until: embargo_rfc3339(&self.embargo_until),
            call_to_action: self.call_to_action(),
            targets: lines(&self.targets),
            hashtags: self.hashtags(),
            themes: self.themes.clone(),
            countries: self.countries.clone(),
            mechanisms: self.mechanisms.clone(),
            case: opt(&self.case),
            open_signing: Some(self.open_signing),
            external_signatories: lines(&self.external),
            published: opt(&self.published),
            featured: None,
        }
    }

    fn to_patch(&self) -> StatementPatch {
        StatementPatch {
            kind: Some(self.kind.clone()),
            original_language: Some(self.original_language.clone()),
            translations: [(self.text_lang.clone(), Some(self.text()))].into_iter().collect(),
            status: opt(&self.status),
            embargo_until: Some(embargo_rfc3339(&self.embargo_until)),
            call_to_action: Some(self.call_to_action()),
            targets: Some(lines(&self.targets)),
            hashtags: Some(self.hashtags()),
            themes: Some(self.themes.clone()),
            countries: Some(self.countries.clone()),
            mechanisms: Some(self.mechanisms.clone()),
            case: Some(opt(&self.case)),
            open_signing: Some(self.open_signing),
            external_signatories: Some(lines(&self.external)),
            published: Some(opt(&self.published)),
            featured: None,
            external_id: None,
        }
    }
}

/// The form with its errors, its problem (something wrong with the submission as a whole)
/// and a notice.
struct Form<'a> {
    values: &'a Values,
    uid: Option<&'a str>,
    languages: Vec<String>,
    orgs: Vec<String>,
    errors: &'a [FieldError],
    problem: Option<&'a AppError>,
    notice: Option<&'a str>,
}

impl Form<'_> {
    fn render(self, ctx: &Ctx, page: &Page) -> AppResult<Html<String>> {
        let problem = self.problem.map(|e| submit::problem(ctx, page, e));
        page.render(
            ctx,
            "library/statement_form.html",
            context! {
                v => self.values,
                uid => self.uid,
                languages => self.languages,
                orgs => self.orgs,
                errors => show_errors(ctx, page.lang, self.errors),
                problem,
                notice => self.notice.map(|id| page.t(ctx, id)),
                kinds => options(ctx, vocab::STATEMENT_KIND, page.lang, false),
                themes => options(ctx, vocab::THEME, page.lang, false),
                mechanisms => options(ctx, vocab::MECHANISM, page.lang, false),
                countries => options(ctx, vocab::COUNTRY, page.lang, true),
                content_langs => content_langs(ctx),
                max_summary => crate::model::resource::MAX_SUMMARY,
            },
        )
    }
}

/// `GET /s/new` (`?org=` picks the organisation).
pub async fn new_form(State(ctx): State<Ctx>, page: Page, RawQuery(query): RawQuery) -> AppResult<Html<String>> {
    let orgs = editable_orgs(&ctx, &page).await?;
    if orgs.is_empty() {
        return Err(AppError::Forbidden);
    }
    let values = Values {
        org: submit::query_param(query.as_deref(), "org")
            .filter(|o| orgs.contains(o))
            .unwrap_or_else(|| orgs[0].clone()),
        original_language: page.lang.code().to_string(),
        text_lang: page.lang.code().to_string(),
        status: "draft".into(),
        ..Values::default()
    };
    let form =
        Form { values: &values, uid: None, languages: Vec::new(), orgs, errors: &[], problem: None, notice: None };
    form.render(&ctx, &page)
}

/// `GET /s/{uid}/edit?text=fr`: a statement's fields and one language's text (a new
/// translation when it has none in that language yet).
pub async fn edit_form(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Html<String>> {
    let r = library::get_for_edit(&ctx, page.user()?, &uid).await?;
    if r.statement.is_none() {
        return Err(AppError::NotFound);
    }
    let text_lang = submit::text_lang(&ctx, query.as_deref(), &r.original_language)?;
    let values = Values::from_statement(&r, &text_lang);
    let languages = r.languages().into_iter().map(str::to_string).collect();
    let form = Form {
        values: &values,
        uid: Some(&uid),
        languages,
        orgs: vec![r.org_handle.clone()],
        errors: &[],
        problem: None,
        notice: None,
    };
    form.render(&ctx, &page)
}

/// `POST /s/new`.
pub async fn create(State(ctx): State<Ctx>, page: Page, form: KeptForm) -> AppResult<Response> {
    submit(&ctx, &page, None, form).await
}

/// `POST /s/{uid}/edit`.
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
    let action = uid.map_or_else(|| "/s/new".to_string(), |u| format!("/s/{u}/edit"));
    let v = &values;
    let saved = submit::submit(ctx, page, &action, &kept, |user| async move {
        match uid {
            None => statements::create(ctx, &user, &v.to_input(), None).await,
            Some(uid) => statements::update(ctx, &user, uid, v.to_patch()).await,
        }
    });
    match saved.await? {
        Outcome::Saved(r) => {
            let lang = if uid.is_some() { &values.text_lang } else { &values.original_language };
            Ok(Redirect::to(&format!("/s/{}?text={lang}&done=saved", r.uid)).into_response())
        }
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
    let form = Form { values, uid, languages: Vec::new(), orgs, errors, problem, notice };
    Ok((submit::status(errors, problem), form.render(ctx, page)?).into_response())
}

/// After logging in again: the statement form the session expired on, as it was typed.
pub async fn resume(ctx: &Ctx, page: &Page, action: &str, form: &FormData) -> Option<AppResult<Response>> {
    let uid = match action {
        "/s/new" => None,
        other => Some(other.strip_prefix("/s/")?.strip_suffix("/edit")?),
    };
    let values = Values::from_form(form);
    Some(again(ctx, page, &values, uid, &[], None, Some("editor-resumed")).await)
}
