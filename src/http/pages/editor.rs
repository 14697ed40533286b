//! The editor's side of the library: the resource form (create, edit, translate one language
//! at a time), attachments, publishing, withdrawing and deleting.

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{context, Value};
use serde::Serialize;

use super::submit::{self, Outcome};
use super::{CheckedForm, FormData, KeptForm, Page};
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::http::extract::CsrfToken;
use crate::library;
use crate::model::lang::{endonym, Lang};
use crate::model::resource::{Attachment, Resource, ResourceInput, ResourcePatch, Status, TextInput};
use crate::model::vocab;
use crate::model::FieldError;

/// The editor form's values, kept across a failed submission so nothing typed is lost.
#[derive(Serialize, Default)]
struct FormValues {
    org: String,
    resource_type: String,
    original_language: String,
    text_lang: String,
    title: String,
    summary: String,
    body: String,
    themes: Vec<String>,
    mechanisms: Vec<String>,
    countries: Vec<String>,
    audiences: Vec<String>,
    content_warnings: Vec<String>,
    reading_level: String,
    sensitive: bool,
    published: String,
    authors: String,
    licence: String,
    status: String,
}

impl FormValues {
    fn from_form(f: &FormData) -> FormValues {
        FormValues {
            org: f.get("org"),
            resource_type: f.get("type"),
            original_language: f.get("original_language"),
            text_lang: f.get("text_lang"),
            title: f.get("title"),
            summary: f.get("summary"),
            body: f.get("body"),
            themes: f.all("themes"),
            mechanisms: f.all("mechanisms"),
            countries: f.all("countries"),
            audiences: f.all("audiences"),
            content_warnings: f.all("content_warnings"),
            reading_level: f.get("reading_level"),
            sensitive: f.get("sensitive") == "on",
            published: f.get("published"),
            authors: f.get("authors"),
            licence: f.get("licence"),
            status: f.get("status"),
        }
    }

    fn from_resource(r: &Resource, text_lang: &str) -> FormValues {
        let input = r.to_input();
        let text = input.translations.get(text_lang).cloned().unwrap_or_default();
        FormValues {
            org: input.org,
            resource_type: input.resource_type,
            original_language: input.original_language,
            text_lang: text_lang.to_string(),
            title: text.title,
            summary: text.summary,
            body: text.body,
            themes: input.themes,
            mechanisms: input.mechanisms,
            countries: input.countries,
            audiences: input.audiences,
            content_warnings: input.content_warnings,
            reading_level: input.reading_level.unwrap_or_default(),
            sensitive: r.sensitive,
            published: input.published.unwrap_or_default(),
            authors: input.authors.join("\n"),
            licence: input.licence.unwrap_or_default(),
            status: r.status.as_str().to_string(),
        }
    }

    fn text(&self) -> TextInput {
        TextInput { title: self.title.clone(), summary: self.summary.clone(), body: self.body.clone() }
    }

    fn opt(s: &str) -> Option<String> {
        Some(s.trim().to_string()).filter(|s| !s.is_empty())
    }

    fn to_input(&self) -> ResourceInput {
        ResourceInput {
            external_id: None,
            org: self.org.clone(),
            resource_type: self.resource_type.clone(),
            original_language: self.original_language.clone(),
            translations: [(self.original_language.clone(), self.text())].into_iter().collect(),
            themes: self.themes.clone(),
            mechanisms: self.mechanisms.clone(),
            countries: self.countries.clone(),
            audiences: self.audiences.clone(),
            reading_level: Self::opt(&self.reading_level),
            content_warnings: self.content_warnings.clone(),
            sensitive: Some(self.sensitive),
            published: Self::opt(&self.published),
            authors: self.authors.lines().map(str::to_string).collect(),
            licence: Self::opt(&self.licence),
            status: Some(if self.status.is_empty() { "draft".into() } else { self.status.clone() }),
            featured: None,
        }
    }

    fn to_patch(&self) -> ResourcePatch {
        ResourcePatch {
            resource_type: Some(self.resource_type.clone()),
            original_language: Some(self.original_language.clone()),
            translations: [(self.text_lang.clone(), Some(self.text()))].into_iter().collect(),
            themes: Some(self.themes.clone()),
            mechanisms: Some(self.mechanisms.clone()),
            countries: Some(self.countries.clone()),
            audiences: Some(self.audiences.clone()),
            reading_level: Some(Self::opt(&self.reading_level)),
            content_warnings: Some(self.content_warnings.clone()),
            sensitive: Some(self.sensitive),
            published: Some(Self::opt(&self.published)),
            authors: Some(self.authors.lines().map(str::to_string).collect()),
            licence: Some(Self::opt(&self.licence)),
            status: None,
            external_id: None,
            featured: None,
        }
    }
}

/// Options of a vocabulary select, labelled in `lang`, indented by depth.
pub(super) fn options(ctx: &Ctx, scheme: &str, lang: Lang, sort_by_label: bool) -> Vec<Value> {
    let Some(s) = ctx.vocab.scheme(scheme) else { return Vec::new() };
    let depth = |id: &str| {
        let mut d = 0;
        let mut cur = ctx.vocab.term(scheme, id).and_then(|t| t.broader.clone());
        while let Some(b) = cur {
            d += 1;
            cur = ctx.vocab.term(scheme, &b).and_then(|t| t.broader.clone());
            if d > 8 {
                break;
            }
        }
        d
    };
    let mut terms: Vec<(String, String, usize)> = s
        .terms
        .iter()
        .map(|t| (t.id.clone(), ctx.vocab.label(scheme, &t.id, lang).to_string(), depth(&t.id)))
        .collect();
    if sort_by_label {
        terms.sort_by(|a, b| a.1.cmp(&b.1));
    }
    terms.into_iter().map(|(id, label, depth)| context! { id => id, label => label, depth => depth }).collect()
}

pub(super) fn content_langs(ctx: &Ctx) -> Vec<Value> {
    Lang::ALL
        .iter()
        .map(|l| l.code().to_string())
        .chain(ctx.config.extra_content_languages.iter().cloned())
        .map(|c| context! { code => c, name => endonym(&c).unwrap_or(&c) })
        .collect()
}

/// The resource being edited, if any: its uid, its languages and its files.
struct Editing<'a> {
    uid: &'a str,
    languages: Vec<String>,
    attachments: Vec<Attachment>,
}

impl<'a> Editing<'a> {
    fn of(r: &Resource, uid: &'a str) -> Editing<'a> {
        Editing {
            uid,
            languages: r.languages().into_iter().map(str::to_string).collect(),
            attachments: r.attachments.clone(),
        }
    }
}

/// The form, as it was submitted or stored, with its errors, its problem and a notice.
struct Form<'a> {
    values: &'a FormValues,
    editing: Option<Editing<'a>>,
    orgs: Vec<String>,
    errors: &'a [FieldError],
    problem: Option<Value>,
    notice: Option<String>,
}

impl<'a> Form<'a> {
    fn new(values: &'a FormValues, editing: Option<Editing<'a>>, orgs: Vec<String>) -> Form<'a> {
        Form { values, editing, orgs, errors: &[], problem: None, notice: None }
    }

    fn render(self, ctx: &Ctx, page: &Page) -> AppResult<Html<String>> {
        let Form { values, editing, orgs, errors, problem, notice } = self;
        page.render(
            ctx,
            "library/form.html",
            context! {
                v => values,
                uid => editing.as_ref().map(|e| e.uid),
                languages => editing.as_ref().map(|e| e.languages.clone()),
                attachments => editing.map(|e| e.attachments),
                orgs => orgs,
                errors => show_errors(ctx, page.lang, errors),
                problem => problem,
                notice => notice,
                types => options(ctx, vocab::RESOURCE_TYPE, page.lang, false),
                themes => options(ctx, vocab::THEME, page.lang, false),
                mechanisms => options(ctx, vocab::MECHANISM, page.lang, false),
                countries => options(ctx, vocab::COUNTRY, page.lang, true),
                audiences => options(ctx, vocab::AUDIENCE, page.lang, false),
                reading_levels => options(ctx, vocab::READING_LEVEL, page.lang, false),
                warnings => options(ctx, vocab::CONTENT_WARNING, page.lang, false),
                content_langs => content_langs(ctx),
                max_summary => crate::model::resource::MAX_SUMMARY,
                max_upload => ctx.config.max_upload_bytes,
                accepted => crate::media::ACCEPTED_EXTENSIONS,
            },
        )
    }
}

/// Organisations of this instance where the user may publish.
pub(super) async fn editable_orgs(ctx: &Ctx, page: &Page) -> AppResult<Vec<String>> {
    let user = page.user()?;
    if user.is_admin() {
        return Ok(ctx.db.list_orgs().await?.into_iter().filter(|o| o.local).map(|o| o.handle).collect());
    }
    Ok(ctx.db.orgs_of_user(user.id).await?.into_iter().map(|(_, h, _)| h).collect())
}

pub async fn new_form(State(ctx): State<Ctx>, page: Page, RawQuery(query): RawQuery) -> AppResult<Html<String>> {
    let orgs = editable_orgs(&ctx, &page).await?;
    if orgs.is_empty() {
        return Err(AppError::Forbidden);
    }
    let wanted = submit::query_param(query.as_deref(), "org");
    let values = FormValues {
        org: wanted.filter(|o| orgs.contains(o)).unwrap_or_else(|| orgs[0].clone()),
        original_language: page.lang.code().to_string(),
        text_lang: page.lang.code().to_string(),
        status: "draft".into(),
        ..FormValues::default()
    };
    Form::new(&values, None, orgs).render(&ctx, &page)
}

/// `POST /r/new`: a new resource, then its page with "saved" (or "published").
pub async fn create(State(ctx): State<Ctx>, page: Page, form: KeptForm) -> AppResult<Response> {
    submit(&ctx, &page, None, form).await
}

/// `POST /r/{uid}/edit`: the metadata and one language's text.
pub async fn update(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    form: KeptForm,
) -> AppResult<Response> {
    submit(&ctx, &page, Some(&uid), form).await
}

/// Saves the editor's form. Nothing typed is ever lost: an invalid field, an expired form,
/// an expired session (log in again, then the form comes back) or the database away all
/// answer with the form as it was sent, and what went wrong above it.
async fn submit(ctx: &Ctx, page: &Page, uid: Option<&str>, kept: KeptForm) -> AppResult<Response> {
    let values = FormValues::from_form(&kept.form);
    let action = uid.map_or_else(|| "/r/new".to_string(), |u| format!("/r/{u}/edit"));
    let v = &values;
    let saved = submit::submit(ctx, page, &action, &kept, |user| async move {
        match uid {
            None => library::create(ctx, &user, &v.to_input(), None).await,
            Some(uid) => library::update(ctx, &user, uid, v.to_patch()).await,
        }
    });
    match saved.await? {
        Outcome::Saved(r) => {
            let done = if uid.is_none() && r.status == Status::Published { "published" } else { "saved" };
            let lang = if uid.is_some() { &values.text_lang } else { &values.original_language };
            Ok(Redirect::to(&format!("/r/{}?text={lang}&done={done}", r.uid)).into_response())
        }
        Outcome::Again(errors, problem) => again(ctx, page, &values, uid, &errors, problem.as_ref(), None).await,
        Outcome::LogIn(res) => Ok(res),
    }
}

/// The form again, as it was sent, with its errors or problem (and that status), or with a
/// notice (200). What the page around it needs (organisations, the resource's languages and
/// files) is looked up if the database answers, and left out if not.
async fn again(
    ctx: &Ctx,
    page: &Page,
    values: &FormValues,
    uid: Option<&str>,
    errors: &[FieldError],
    problem: Option<&AppError>,
    notice: Option<&str>,
) -> AppResult<Response> {
    let user = page.user.as_ref();
    let (editing, orgs) = match (uid, user) {
        (Some(uid), Some(user)) => match library::get_for_edit(ctx, user, uid).await {
            Ok(r) => (Some(Editing::of(&r, uid)), vec![r.org_handle.clone()]),
            Err(_) => (Some(Editing { uid, languages: Vec::new(), attachments: Vec::new() }), vec![values.org.clone()]),
        },
        (Some(uid), None) => {
            (Some(Editing { uid, languages: Vec::new(), attachments: Vec::new() }), vec![values.org.clone()])
        }
        (None, _) => (None, editable_orgs(ctx, page).await.unwrap_or_else(|_| vec![values.org.clone()])),
    };
    let mut form = Form::new(values, editing, orgs);
    form.errors = errors;
    form.problem = problem.map(|e| submit::problem(ctx, page, e));
    form.notice = notice.map(|id| page.t(ctx, id));
    Ok((submit::status(errors, problem), form.render(ctx, page)?).into_response())
}

/// After logging in again (`auth::login_again`): the form the session expired on, as it was
/// typed, not yet saved. `None` when `action` is not an editor form.
pub async fn resume(ctx: &Ctx, page: &Page, action: &str, form: &FormData) -> Option<AppResult<Response>> {
    let uid = match action.strip_prefix("/r/") {
        Some("new") => None,
        Some(rest) => Some(rest.strip_suffix("/edit")?),
        None => return None,
    };
    let values = FormValues::from_form(form);
    Some(again(ctx, page, &values, uid, &[], None, Some("editor-resumed")).await)
}

/// `GET /r/{uid}/edit?text=fr`: edit the metadata and one language's text (a new
/// translation when that language has none yet).
pub async fn edit_form(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let user = page.user()?;
    let r = library::get_for_edit(&ctx, user, &uid).await?;
    let text_lang = submit::text_lang(&ctx, query.as_deref(), &r.original_language)?;
    let values = FormValues::from_resource(&r, &text_lang);
    let editing = Editing::of(&r, &uid);
    Ok(Form::new(&values, Some(editing), vec![r.org_handle.clone()]).render(&ctx, &page)?.into_response())
}

/// `GET /r/{uid}/status?action=withdraw`: the question before withdrawing a resource.
pub async fn confirm_status(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Html<String>> {
    library::get_for_edit(&ctx, page.user()?, &uid).await?;
    let action = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let message = match action.as_str() {
        "withdraw" => "confirm-withdraw",
        "draft" => "confirm-draft",
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    };
    let back = format!("/r/{uid}");
    super::people::confirm(&ctx, &page, message, &format!("/r/{uid}/status"), &[("action", &action)], &back)
}

/// `POST /r/{uid}/status` with `action` = publish, withdraw or draft.
pub async fn set_status(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    CheckedForm(form): CheckedForm,
) -> AppResult<Redirect> {
    let (status, done) = match form.get("action").as_str() {
        "publish" => (Status::Published, "published"),
        "withdraw" => (Status::Withdrawn, "withdrawn"),
        "draft" => (Status::Draft, "unpublished"),
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    };
    library::set_status(&ctx, page.user()?, &uid, status).await?;
    Ok(Redirect::to(&format!("/r/{uid}?done={done}")))
}

/// `POST /r/{uid}/share`: an organisation the user edits shares the resource with its
/// followers; the page says whether anything was sent.
pub async fn share(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    CheckedForm(form): CheckedForm,
) -> AppResult<Redirect> {
    let org = form.get("org");
    let sent = library::share(&ctx, page.user()?, &uid, &org).await?;
    let org: String = url::form_urlencoded::byte_serialize(org.as_bytes()).collect();
    Ok(Redirect::to(&format!("/r/{uid}?shared={org}&sent={}#share-h", u8::from(sent))))
}

/// `GET /r/{uid}/delete`: the question before deleting, naming the resource.
pub async fn confirm_delete(State(ctx): State<Ctx>, page: Page, Path(uid): Path<String>) -> AppResult<Html<String>> {
    library::get_for_edit(&ctx, page.user()?, &uid).await?;
    let back = format!("/r/{uid}/edit");
    super::people::confirm(&ctx, &page, "confirm-delete", &format!("/r/{uid}/delete"), &[("confirmed", "1")], &back)
}

pub async fn delete(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    CheckedForm(_form): CheckedForm,
) -> AppResult<Redirect> {
    let r = library::get_for_edit(&ctx, page.user()?, &uid).await?;
    library::delete(&ctx, page.user()?, &uid).await?;
    Ok(Redirect::to(&format!("/orgs/{}?done=deleted", r.org_handle)))
}

/// `POST /r/{uid}/attachments`: a file, then the editor again with "uploaded". A refused
/// file (too large, a type not accepted, an expired form) comes back inside the editor.
pub async fn attach(
    State(ctx): State<Ctx>,
    page: Page,
    csrf: CsrfToken,
    Path(uid): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let user = match page.user() {
        Ok(u) => u.clone(),
        Err(AppError::Unauthorized) => {
            let next: String = url::form_urlencoded::byte_serialize(format!("/r/{uid}/edit").as_bytes()).collect();
            return Ok(Redirect::to(&format!("/login?next={next}")).into_response());
        }
        Err(e) => return Err(e),
    };
    let uploaded = match super::read_upload(&ctx, multipart).await {
        Ok(up) => match csrf.verify(&up.csrf) {
            Ok(()) => {
                library::attach(&ctx, &user, &uid, &up.lang, &up.file_name, &up.alt, up.bytes).await.map(|_| up.lang)
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let e = match uploaded {
        Ok(lang) => return Ok(Redirect::to(&format!("/r/{uid}/edit?text={lang}&done=uploaded#files")).into_response()),
        Err(e @ (AppError::NotFound | AppError::Forbidden | AppError::Unavailable(_))) => return Err(e),
        Err(e) => e,
    };
    let r = library::get_for_edit(&ctx, &user, &uid).await?;
    let values = FormValues::from_resource(&r, &r.original_language);
    let (errors, problem) = match e {
        AppError::Invalid(errors) => (errors, None),
        e => (Vec::new(), Some(e)),
    };
    let status = submit::status(&errors, problem.as_ref());
    let mut form = Form::new(&values, Some(Editing::of(&r, &uid)), vec![r.org_handle.clone()]);
    form.errors = &errors;
    form.problem = problem.as_ref().map(|e| submit::problem(&ctx, &page, e));
    Ok((status, form.render(&ctx, &page)?).into_response())
}
