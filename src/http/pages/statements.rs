//! Statements in the browser: the invitations to sign an organisation received, each with
//! the exact text and the digest its editors sign.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Value};

use super::Page;
use crate::app::Ctx;
use crate::error::{AppError, AppResult};

/// `GET /orgs/{handle}/invitations`: for the organisation's editors, the statements it is asked
/// to sign, each with its exact text and the digest it would sign.
pub async fn invitations(State(ctx): State<Ctx>, page: Page, Path(handle): Path<String>) -> AppResult<Html<String>> {
    let user = page.user()?;
    let list = crate::statements::invitations(&ctx, user, &handle).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|i| {
            let r = &i.statement;
            let text = r.text_for(page.lang.code());
            context! {
                id => i.invitation.uid, from => i.invitation.from_actor, version => i.invitation.version,
                digest => i.invitation.digest, path => r.path(),
                title => text.map(|t| t.title.clone()), body_html => text.map(|t| t.body_html.clone()),
                lang => text.map(|t| t.lang.clone()),
                embargo => r.hidden_until.map(|t| t.to_rfc3339()),
                stale => r.statement.as_ref().is_some_and(|s| s.digest != i.invitation.digest),
            }
        })
        .collect();
    page.render(&ctx, "orgs/invitations.html", context! { handle => handle, items => items })
}

/// `POST /orgs/{handle}/invitations`: `action` = sign (with the `digest` read) or decline.
pub async fn answer_invitation(
    State(ctx): State<Ctx>,
    page: Page,
    Path(handle): Path<String>,
    super::CheckedForm(form): super::CheckedForm,
) -> AppResult<Response> {
    let user = page.user()?;
    let id = form.get("invitation");
    match form.get("action").as_str() {
        "sign" => {
            let announce = form.get("announce") == "1";
            crate::statements::accept(&ctx, user, &handle, &id, &form.get("digest"), announce).await?
        }
        "decline" => crate::statements::decline(&ctx, user, &handle, &id).await?,
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    }
    Ok(axum::response::Redirect::to(&format!("/orgs/{handle}/invitations?done=1")).into_response())
}
