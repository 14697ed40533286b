//! `POST /thread`: replying under a publication or an event, and the publishing
//! organisation's moderation of the thread (`crate::community`).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::{CheckedForm, Page};
use crate::app::Ctx;
use crate::community;
use crate::db::replies::Thread;
use crate::error::AppResult;

/// `action` = reply (`org`, `content`), hide, show or delete (`reply`), or settings
/// (`locked`, `partners_only`, `public_replies`); `object` names the thread's object.
pub async fn act(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Response> {
    let user = page.user()?;
    let object = form.get("object");
    let action = form.get("action");
    let back = if action == "reply" {
        let r = community::post(&ctx, user, &object, &form.get("org"), &form.get("content"), page.lang.code()).await?;
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
