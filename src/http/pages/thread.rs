//! `POST /thread`: replying under a publication or an event, and the publishing
//! organisation's moderation of the thread (`crate::community`).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{CheckedForm, FormData, Page};
use crate::app::Ctx;
use crate::community;
use crate::db::replies::Thread;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;

/// `action` = reply (`org`, `content`), hide, show or delete (`reply`), or settings
/// (`locked`, `partners_only`, `public_replies`); `object` names the thread's object.
pub async fn act(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Response> {
    let user = page.user()?;
    let object = form.get("object");
    let action = form.get("action");
    let back = if action == "reply" {
        let posted =
            community::post(&ctx, user, &object, &form.get("org"), &form.get("content"), page.lang.code()).await;
        let r = match posted {
            Ok(r) => r,
            Err(e @ (AppError::Invalid(_) | AppError::RateLimited(_))) => {
                return reply_again(&ctx, &page, &form, e).await
            }
            Err(e) => return Err(e),
        };
        let t = community::find_target(&ctx, &r.ap_id).await?;
        format!("{}#reply-{}", t.map(|t| t.path).unwrap_or_default(), r.uid)
    } else {
        let on = |k: &str| form.get(k) == "on";
        let settings =
            Thread { locked: on("locked"), partners_only: on("partners_only"), public_replies: on("public_replies") };
        let t = community::moderate(&ctx, user, &object, &action, &form.get("reply"), settings).await?;
        format!("{}#discussion", t.path)
    };
    Ok(Redirect::to(&back).into_response())
}

/// A reply that was not taken (too long, empty, a closed thread, too many at once): the reason,
/// and the text as it was written, in a form to send it again, so that nothing typed is lost.
async fn reply_again(ctx: &Ctx, page: &Page, form: &FormData, e: AppError) -> AppResult<Response> {
    let errors: Vec<String> = match &e {
        AppError::Invalid(list) => show_errors(ctx, page.lang, list).into_iter().map(|s| s.message).collect(),
        _ => vec![ctx.i18n.t(page.lang, e.message_id())],
    };
    let errors: Vec<_> = errors.into_iter().map(|message| context! { message }).collect();
    let object = form.get("object");
    let back = community::find_target(ctx, &object).await?.map(|t| t.path);
    let html = page.render(
        ctx,
        "library/reply-again.html",
        context! { errors, object, org => form.get("org"), content => form.get("content"), back },
    )?;
    let mut res = (e.status(), html).into_response();
    if let AppError::RateLimited(seconds) = e {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
    }
    Ok(res)
}
