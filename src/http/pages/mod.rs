//! HTML pages. They work without JavaScript, use only this instance's own assets, and
//! render in the reader's language, right to left in Arabic.

mod admin;
mod agenda;
mod auth;
mod campaign_editor;
mod campaigns;
mod directory;
mod editor;
mod events;
mod library;
mod orgs;
mod passkeys;
mod people;
mod share;
mod statement_editor;
mod statements;
mod submit;
mod thread;

use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart};
use axum::http::request::Parts;
use axum::response::Html;
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Serialize;

use super::extract::{CsrfToken, Ui, Viewer};
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::model::lang::Lang;
use crate::model::user::User;

pub fn router(ctx: Ctx, upload_limit: DefaultBodyLimit) -> Router<Ctx> {
    let form_limit = DefaultBodyLimit::max(super::EDITOR_FORM_LIMIT);
    Router::new()
        .route("/", get(library::index))
        .route("/library", get(library::index))
        .route("/r/new", get(editor::new_form).post(editor::create).layer(form_limit))
        .route("/r/{uid}", get(library::show))
        .route("/s/new", get(statement_editor::new_form).post(statement_editor::create).layer(form_limit))
        .route("/s/{uid}", get(library::show_statement))
        .route("/s/{uid}/edit", get(statement_editor::edit_form).post(statement_editor::update).layer(form_limit))
        .route("/s/{uid}/signatories", post(statements::signatories_action))
        .route("/r/{uid}/edit", get(editor::edit_form).post(editor::update).layer(form_limit))
        .route("/r/{uid}/status", get(editor::confirm_status).post(editor::set_status))
        .route("/r/{uid}/delete", get(editor::confirm_delete).post(editor::delete))
        .route("/r/{uid}/share", post(editor::share))
        .route("/r/{uid}/attachments", post(editor::attach).layer(upload_limit))
        .route("/files/{uid}/{name}", get(library::download))
        .route("/thumbs/{uid}", get(library::thumbnail))
        .route("/agenda", get(agenda::index))
        .route("/agenda.ics", get(agenda::calendar))
        .route("/agenda/live", get(agenda::live))
        .route("/agenda/new", get(events::new_form).post(events::create).layer(form_limit))
        .route("/e/{uid}/edit", get(events::edit_form).post(events::update).layer(form_limit))
        .route("/e/{uid}/delete", get(events::confirm_delete).post(events::delete))
        .route("/orgs/{handle}/agenda.ics", get(agenda::org_calendar))
        .route("/e/{uid}", get(agenda::show))
        .route("/orgs", get(directory::directory))
        .route("/directory/follow", post(directory::follow))
        // a field of a megabyte gets an answer on the form, with what was typed kept
        .route("/join", get(directory::join_form).post(directory::join).layer(form_limit))
        .route("/join/{uid}", get(directory::application))
        .route("/thread", post(thread::act))
        .route("/contact", get(directory::contact_form).post(directory::contact).layer(form_limit))
        .route("/admin/applications", get(directory::applications).post(directory::decide))
        .route("/admin/messages", get(directory::messages).post(directory::message_action))
        .route("/@{handle}", get(orgs::at_handle))
        .route("/orgs/{handle}", get(orgs::show))
        .route("/orgs/{handle}/edit", get(orgs::edit_form).post(orgs::update))
        .route("/orgs/{handle}/logo", get(orgs::logo).post(orgs::upload_logo).layer(upload_limit))
        .route("/orgs/{handle}/follow", get(orgs::remote_follow))
        .route("/share", get(share::share))
        .route("/campaigns", get(campaigns::index))
        .route("/campaigns/new", get(campaign_editor::new_form).post(campaign_editor::create).layer(form_limit))
        .route("/c/{uid}", get(campaigns::show))
        .route("/c/{uid}/edit", get(campaign_editor::edit_form).post(campaign_editor::update).layer(form_limit))
        .route("/c/{uid}/banner", get(campaigns::banner).post(campaign_editor::upload_banner).layer(upload_limit))
        .route("/c/{uid}/items", post(campaign_editor::item_action))
        .route("/c/{uid}/delete", get(campaign_editor::confirm_delete).post(campaign_editor::delete))
        .route("/orgs/{handle}/members", get(people::members).post(people::members_action))
        .route("/orgs/{handle}/federation", get(orgs::federation).post(orgs::federation_action))
        .route("/orgs/{handle}/invitations", get(statements::invitations).post(statements::answer_invitation))
        .route("/admin/federation", get(admin::federation).post(admin::retry))
        .route("/admin/relays", post(admin::relays))
        .route("/admin/people", get(people::people).post(people::people_action))
        .route("/account", get(people::account).post(people::account_action))
        .route("/account/2fa", get(people::two_factor).post(people::two_factor_action))
        .route("/account/passkeys/options", post(passkeys::options))
        .route("/account/passkeys", post(passkeys::add))
        .route("/account/passkeys/remove", post(passkeys::remove))
        .route("/login/passkey/options", post(passkeys::login_options))
        .route("/login/passkey", post(passkeys::login))
        .route("/invite/{secret}", get(people::invitation).post(people::accept_invitation))
        .route("/reset/{secret}", get(people::reset_form).post(people::reset))
        .route("/forgot", get(people::forgot_form).post(people::forgot))
        .route("/login", get(auth::login_form).post(auth::login).layer(form_limit))
        .route("/login/code", get(auth::code_form).post(auth::code).layer(form_limit))
        .route("/logout", post(auth::logout))
        .route("/logout/everywhere", get(people::logout_everywhere))
        .layer(axum::middleware::from_fn_with_state(ctx, second_factor_first))
}

/// Where someone who must turn on two-step login may still go: their account and its
/// two-step page, logging out, and reading (nothing there acts on their behalf).
fn open_before_enrolment(method: &axum::http::Method, path: &str) -> bool {
    matches!(
        path,
        "/account" | "/account/2fa" | "/logout" | "/logout/everywhere" | "/login" | "/login/code" | "/forgot"
    ) || (method == axum::http::Method::GET
        && !path.ends_with("/edit")
        && !path.starts_with("/admin")
        && path != "/r/new"
        && path != "/agenda/new")
}

/// When the instance requires two-step login of administrators and editors, one who has not
/// turned it on is sent to do so before anything else: no publishing, no administration.
async fn second_factor_first(
    axum::extract::State(ctx): axum::extract::State<Ctx>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if open_before_enrolment(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    // with the database away, the handler says so itself (the editor keeps the text typed)
    let viewer = match Viewer::from_request_parts(&mut parts, &ctx).await {
        Ok(v) => v,
        Err(AppError::Unavailable(_)) => return next.run(axum::extract::Request::from_parts(parts, body)).await,
        Err(e) => return e.into_response(),
    };
    if let Some(user) = &viewer.0 {
        match crate::accounts::must_enrol(&ctx, user).await {
            Ok(true) => return axum::response::Redirect::to("/account/2fa?done=2fa-required").into_response(),
            Ok(false) | Err(AppError::Unavailable(_)) => {}
            Err(e) => return e.into_response(),
        }
    }
    // the handler's own extractors find the user already looked up
    parts.extensions.insert(viewer);
    next.run(axum::extract::Request::from_parts(parts, body)).await
}

/// The confirmations a page shows after a redirect with `?done=<name>` (message `done-<name>`).
const DONE: &[&str] = &[
    "message-sent",
    "application-approved",
    "application-declined",
    "name",
    "password",
    "password-reset",
    "session-ended",
    "sessions-ended",
    "welcome",
    "org-created",
    "role-changed",
    "member-removed",
    "invited",
    "signed",
    "signature-approved",
    "signature-declined",
    "signature-withdrawn",
    "item-added",
    "item-proposed",
    "item-removed",
    "2fa-off",
    "code-expired",
    "saved",
    "published",
    "withdrawn",
    "unpublished",
    "deleted",
    "uploaded",
    "2fa-required",
    "setting-saved",
    "email",
    "passkey-added",
    "passkey-removed",
    "passkey-wrong-password",
];

/// What every page knows about its request: language, user, CSRF token, and the current
/// URL (for the language switcher).
pub struct Page {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    /// The database could not say who is logged in: `user()` answers 503, and the editor
    /// gives the form back with what was typed.
    pub db_down: bool,
    /// A `?lang=` this interface does not speak, said on the page rather than ignored.
    bad_lang: Option<String>,
    path: String,
    query: Vec<(String, String)>,
}

impl FromRequestParts<Ctx> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        let Ui(lang) = Ui::from_request_parts(parts, ctx).await?;
        let (user, db_down) = match Viewer::from_request_parts(parts, ctx).await {
            Ok(Viewer(user)) => (user, false),
            Err(AppError::Unavailable(_)) => (None, true),
            Err(e) => return Err(e),
        };
        let CsrfToken(csrf) = CsrfToken::from_request_parts(parts, ctx).await?;
        let bad_lang = super::extract::query_lang(parts.uri.query()).filter(|l| Lang::parse(l).is_none());
        let query = url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(Page { lang, user, csrf, db_down, bad_lang, path: parts.uri.path().to_string(), query })
    }
}

#[derive(Serialize)]
struct LangLink {
    code: &'static str,
    name: &'static str,
    href: String,
    current: bool,
}

impl Page {
    /// This page's URL in another interface language.
    fn lang_href(&self, lang: Lang) -> String {
        let mut pairs: Vec<(&str, String)> = self.query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        pairs.push(("lang", lang.code().to_string()));
        format!("{}?{}", self.path, super::params::query_string(&pairs))
    }

    pub fn user(&self) -> AppResult<&User> {
        match (&self.user, self.db_down) {
            (Some(u), _) => Ok(u),
            (None, true) => Err(AppError::Unavailable("sessions cannot be read".into())),
            (None, false) => Err(AppError::Unauthorized),
        }
    }

    pub fn t(&self, ctx: &Ctx, id: &str) -> String {
        ctx.i18n.t(self.lang, id)
    }

    /// Renders `name` with the page's common context and `extra`.
    pub fn render(&self, ctx: &Ctx, name: &str, extra: Value) -> AppResult<Html<String>> {
        let langs: Vec<LangLink> = Lang::ALL
            .iter()
            .map(|l| LangLink { code: l.code(), name: l.endonym(), href: self.lang_href(*l), current: *l == self.lang })
            .collect();
        let user = self.user.as_ref().map(|u| context! { username => u.username, is_admin => u.is_admin() });
        // a confirmation after a redirect (`?done=saved`): only the known ones are shown
        let flash = self
            .query
            .iter()
            .find(|(k, v)| k == "done" && DONE.contains(&v.as_str()))
            .map(|(_, v)| ctx.i18n.t(self.lang, &format!("done-{v}")));
        let common = context! {
            lang => self.lang.code(),
            dir => self.lang.dir(),
            user => user,
            csrf => self.csrf,
            langs => langs,
            path => self.path,
            domain => ctx.config.domain,
            base => ctx.config.base_url(),
            mail => ctx.mailer.is_some(),
            source_url => env!("CARGO_PKG_REPOSITORY"),
            version => env!("CARGO_PKG_VERSION"),
            flash => flash,
            // list separator: Arabic writes the Arabic comma
            sep => if self.lang == Lang::Ar { "، " } else { ", " },
            bad_lang => self.bad_lang.as_deref().map(|l| l.chars().take(20).collect::<String>()),
        };
        ctx.templates.render(name, context! { ..extra, ..common }).map(Html)
    }
}

/// A file from a multipart form: its bytes, name and declared language.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub lang: String,
    /// An image's description (`alt`).
    pub alt: String,
    pub csrf: String,
}

/// Reads a multipart upload (parts `file`, `lang`, and `csrf` on pages), refusing with 413
/// as soon as the file passes the configured size, without holding more than that.
pub async fn read_upload(ctx: &Ctx, mut multipart: Multipart) -> AppResult<Upload> {
    let max = ctx.config.max_upload_bytes as usize;
    let mut up = Upload {
        bytes: Vec::new(),
        file_name: String::new(),
        lang: String::new(),
        alt: String::new(),
        csrf: String::new(),
    };
    let mut got_file = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => return Err(AppError::TooLarge),
            Err(_) => return Err(AppError::BadRequest("error-bad-form")),
        };
        match field.name().unwrap_or_default() {
            "file" => {
                up.file_name = field.file_name().unwrap_or_default().to_string();
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if up.bytes.len() + chunk.len() > max {
                                return Err(AppError::TooLarge);
                            }
                            up.bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                            return Err(AppError::TooLarge)
                        }
                        Err(_) => return Err(AppError::BadRequest("error-bad-form")),
                    }
                }
                got_file = true;
            }
            "lang" => up.lang = field.text().await.map_err(|_| AppError::BadRequest("error-bad-form"))?,
            "csrf" => up.csrf = field.text().await.map_err(|_| AppError::BadRequest("error-bad-form"))?,
            "alt" => up.alt = field.text().await.map_err(|_| AppError::BadRequest("error-bad-form"))?,
            _ => {}
        }
    }
    if !got_file || up.bytes.is_empty() {
        return Err(AppError::invalid("file", "err-no-file", ""));
    }
    Ok(up)
}

/// A form whose CSRF token matched the browser's: every page form arrives through this, so
/// no handler can forget the check.
pub struct CheckedForm(pub FormData);

impl FromRequest<Ctx> for CheckedForm {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        let KeptForm { form, csrf_ok } = KeptForm::from_request(req, ctx).await?;
        if !csrf_ok {
            return Err(AppError::BadRequest("error-csrf"));
        }
        Ok(CheckedForm(form))
    }
}

/// A form read whole, with whether its CSRF token matched, for the forms that must give
/// back what was typed even when the token has expired (the editor, logging in again).
pub struct KeptForm {
    pub form: FormData,
    pub csrf_ok: bool,
}

impl FromRequest<Ctx> for KeptForm {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let csrf = CsrfToken::from_request_parts(&mut parts, ctx).await?;
        let req = axum::extract::Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(req, ctx).await.map_err(|_| AppError::TooLarge)?;
        let form = FormData::parse(&bytes);
        let csrf_ok = csrf.verify(&form.get("csrf")).is_ok();
        Ok(KeptForm { form, csrf_ok })
    }
}

/// A parsed `application/x-www-form-urlencoded` body; keys may repeat (multi-selects).
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// Every field but the CSRF token, in order, each name prefixed with `keep.`: what a
    /// login page carries so that the form comes back as it was.
    pub fn to_keep(&self) -> Vec<(String, String)> {
        self.0.iter().filter(|(k, _)| k != "csrf").map(|(k, v)| (format!("keep.{k}"), v.clone())).collect()
    }

    /// The fields a login page carried (`keep.<name>`), under their own names.
    pub fn kept(&self) -> FormData {
        FormData(self.0.iter().filter_map(|(k, v)| Some((k.strip_prefix("keep.")?.to_string(), v.clone()))).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> String {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.clone()).collect()
    }
}
