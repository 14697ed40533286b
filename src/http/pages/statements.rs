//! Signing statements in the browser: the invitations an organisation received, each with the
//! exact text and the digest its editors sign, and what a statement's page lets its readers do
//! with its signatures (invite, approve a request, sign, withdraw).

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{context, Value};

use super::Page;
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::federation::context::Fed;

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
    Ok(Redirect::to(&format!("/orgs/{handle}/invitations?done=1")).into_response())
}

/// `POST /s/{uid}/signatories`, one form for what a statement's page lets its readers do
/// with its signatures (`action`):
/// - its lead's editors: `invite` (`targets`, one address a line), `approve` or `decline` a
///   request to sign (`signer`);
/// - an organisation's editors here (`org`): `sign` (the `digest` they read: an invitation is
///   accepted, an open statement's lead asked) and `withdraw`.
pub async fn signatories_action(
    State(ctx): State<Ctx>,
    page: Page,
    fed: Fed,
    Path(uid): Path<String>,
    super::CheckedForm(form): super::CheckedForm,
) -> AppResult<Response> {
    let user = page.user()?;
    let org = form.get("org");
    let done = match form.get("action").as_str() {
        "invite" => {
            let targets: Vec<String> =
                form.get("targets").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
            if targets.is_empty() {
                return Err(AppError::invalid("targets", "err-bad-target", ""));
            }
            let (_, refused) = crate::statements::invite_many(&fed.0, user, &uid, &targets).await?;
            if let Some(t) = refused.first() {
                return Err(AppError::invalid("targets", "err-bad-target", t));
            }
            "invited"
        }
        "approve" => {
            crate::statements::answer_request(&ctx, user, &uid, &form.get("signer"), true).await?;
            "signature-approved"
        }
        "decline" => {
            crate::statements::answer_request(&ctx, user, &uid, &form.get("signer"), false).await?;
            "signature-declined"
        }
        "sign" => {
            crate::statements::sign(&ctx, user, &uid, &org, &form.get("digest")).await?;
            "signed"
        }
        "withdraw" => {
            crate::statements::withdraw(&ctx, user, &uid, &org).await?;
            "signature-withdrawn"
        }
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    };
    Ok(Redirect::to(&format!("/s/{uid}?done={done}#signatories-h")).into_response())
}
