//! What every editor form (resource, statement, event, campaign) does with a submission, so
//! that none loses what was typed: an ended session asks to log in again and carries the form;
//! the database away, an expired form or a refused save shows the form again as it was sent.

use std::future::Future;

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};

use super::{KeptForm, Page};
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::model::user::User;
use crate::model::FieldError;

/// How a submission ended.
pub enum Outcome<T> {
    Saved(T),
    /// The form again, as sent, with its field errors or a problem with the submission as a whole.
    Again(Vec<FieldError>, Option<AppError>),
    /// The session had ended: the login page, carrying the form to `action`.
    LogIn(Response),
}

/// Saves a submitted form as its user with `save`. Not being allowed, or what is edited being
/// gone, is an error page; anything else that goes wrong gives the form back.
pub async fn submit<T, F, Fut>(ctx: &Ctx, page: &Page, action: &str, kept: &KeptForm, save: F) -> AppResult<Outcome<T>>
where
    F: FnOnce(User) -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    let user = match (&page.user, page.db_down) {
        (Some(u), _) => u.clone(),
        (None, false) => return Ok(Outcome::LogIn(super::auth::login_again(ctx, page, action, &kept.form)?)),
        (None, true) => {
            return Ok(Outcome::Again(Vec::new(), Some(AppError::Unavailable("sessions cannot be read".into()))))
        }
    };
    if !kept.csrf_ok {
        return Ok(Outcome::Again(Vec::new(), Some(AppError::BadRequest("error-csrf"))));
    }
    match save(user).await {
        Ok(saved) => Ok(Outcome::Saved(saved)),
        Err(AppError::Invalid(errors)) => Ok(Outcome::Again(errors, None)),
        Err(e @ (AppError::Unauthorized | AppError::NotFound | AppError::Forbidden)) => Err(e),
        Err(e) => Ok(Outcome::Again(Vec::new(), Some(e))),
    }
}

/// The status of a form shown again: its problem's, 422 with field errors, 200 otherwise.
pub fn status(errors: &[FieldError], problem: Option<&AppError>) -> StatusCode {
    match (problem, errors.is_empty()) {
        (Some(e), _) => e.status(),
        (None, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, true) => StatusCode::OK,
    }
}

/// A problem with a submission as a whole, as the form shows it above its fields.
pub fn problem(ctx: &Ctx, page: &Page, e: &AppError) -> Value {
    let id = e.message_id();
    context! { title => page.t(ctx, id), help => page.t(ctx, &format!("{id}-help")) }
}

/// The value of `name` in a query string.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The language an editor form edits: `?text=` if this instance takes that language, else
/// `original`; an unknown one is a clear error rather than a silent fallback.
pub fn text_lang(ctx: &Ctx, query: Option<&str>, original: &str) -> AppResult<String> {
    match query_param(query, "text") {
        None => Ok(original.to_string()),
        Some(code) if crate::model::lang::ContentLang::parse(&code, &ctx.config.extra_content_languages).is_some() => {
            Ok(code)
        }
        Some(code) => Err(AppError::invalid("text", "err-unsupported-language", &code)),
    }
}
