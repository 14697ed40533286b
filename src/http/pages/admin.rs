//! The instance administrator's page: delivery status per remote host, with a retry button
//! (the same as `amicus federation status` and `retry`).

use axum::extract::State;
use axum::response::{Html, Redirect};
use minijinja::context;

use super::{CheckedForm, Page};
use crate::app::Ctx;
use crate::error::{AppError, AppResult};

/// The signed-in instance administrator; 403 for anyone else.
pub(super) fn require_admin(page: &Page) -> AppResult<&crate::model::user::User> {
    let user = page.user()?;
    if user.is_admin() {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// `GET /admin/federation`
pub async fn federation(State(ctx): State<Ctx>, page: Page) -> AppResult<Html<String>> {
    require_admin(&page)?;
    let status = ctx.db.delivery_status().await?;
    let hosts: Vec<_> = ctx
        .db
        .host_status()
        .await?
        .into_iter()
        .map(|(host, pending, failed, dead)| context! { host => host, pending => pending, failed => failed, dead => dead })
        .collect();
    let rules: Vec<_> =
        ctx.db.federation_rules().await?.into_iter().map(|(d, p)| context! { domain => d, policy => p }).collect();
    let relays: Vec<_> =
        ctx.db.relays().await?.into_iter().map(|(actor, _, _, accepted)| context! { actor, accepted }).collect();
    let serving = crate::federation::relay::serving(&ctx).await?;
    let members: Vec<String> = ctx.db.relay_members().await?.into_iter().map(|(a, _, _)| a).collect();
    page.render(
        &ctx,
        "admin/federation.html",
        context! { status => status, hosts => hosts, rules => rules, relays, serving, members },
    )
}

/// `POST /admin/federation` with `host`: revive the host and send its deliveries now.
pub async fn retry(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Redirect> {
    require_admin(&page)?;
    ctx.db.retry_host(&form.get("host")).await?;
    Ok(Redirect::to("/admin/federation"))
}

/// `POST /admin/relays`: `action` = subscribe or unsubscribe (`relay`), or serve (`serve`).
pub async fn relays(
    State(ctx): State<Ctx>,
    page: Page,
    fed: crate::federation::context::Fed,
    CheckedForm(form): CheckedForm,
) -> AppResult<Redirect> {
    require_admin(&page)?;
    let relay = form.get("relay");
    match form.get("action").as_str() {
        "subscribe" => {
            crate::federation::relay::subscribe(&fed.0, &relay).await?;
        }
        "unsubscribe" => crate::federation::relay::unsubscribe(&ctx, &relay).await?,
        "serve" => crate::federation::relay::serve(&ctx, form.get("serve") == "on").await?,
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    }
    Ok(Redirect::to("/admin/federation"))
}
