//! People in the browser: one's own account (name, password, sessions, sign-in history),
//! invitations and password resets as one-time links, the instance admins' list of people,
//! and an organisation's members.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;

use super::auth::{device_name, session_cookie};
use super::{CheckedForm, FormData, Page};
use crate::accounts::{self, Invitation};
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::http::extract::{cookie, SESSION_COOKIE};
use crate::model::user::{OrgRole, Role};
use crate::model::FieldError;

/// How many sign-ins the account page lists.
const HISTORY: i64 = 20;

/// `GET /account`: display name, password, open sessions and recent sign-ins.
pub async fn account(State(ctx): State<Ctx>, page: Page, headers: axum::http::HeaderMap) -> AppResult<Html<String>> {
    render_account(&ctx, &page, &headers, &[]).await
}

async fn render_account(
    ctx: &Ctx,
    page: &Page,
    headers: &axum::http::HeaderMap,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let user = page.user()?;
    let current = accounts::digest(cookie(headers, SESSION_COOKIE).unwrap_or_default());
    let sessions = ctx.db.sessions_of(user.id, &current).await?;
    let sign_ins = ctx.db.sign_ins_of(user.id, HISTORY).await?;
    let orgs = ctx.db.orgs_of_user(user.id).await?;
    page.render(
        ctx,
        "account/index.html",
        context! {
            display_name => ctx.db.display_name(user.id).await?.unwrap_or_default(),
            // asked only when the instance sends mail: no address is collected for nothing
            email => if ctx.mailer.is_some() { Some(ctx.db.email_of(user.id).await?.unwrap_or_default()) } else { None },
            two_factor => ctx.db.totp_secret(user.id).await?.is_some(),
            sessions => sessions,
            sign_ins => sign_ins,
            orgs => orgs.iter().map(|(_, handle, role)| context! { handle, role => role.as_str() }).collect::<Vec<_>>(),
            errors => show_errors(ctx, page.lang, errors),
        },
    )
}

/// `POST /account`: `action` = name, password, end (one session, `session`) or end-others.
pub async fn account_action(
    State(ctx): State<Ctx>,
    page: Page,
    headers: axum::http::HeaderMap,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let user = page.user()?;
    let secret = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    let done = match form.get("action").as_str() {
        "name" => {
            let name = crate::model::user::check_display_name(&form.get("display_name"));
            match name {
                Ok(name) => ctx.db.set_display_name(user.id, name.as_deref()).await.map(|()| "name"),
                Err(e) => Err(AppError::Invalid(vec![e])),
            }
        }
        "password" => accounts::change_password(
            &ctx,
            user,
            secret,
            &form.get("current_password"),
            &form.get("password"),
            &form.get("password_again"),
        )
        .await
        .map(|()| "password"),
        // only one's own sessions: another's public id ends nothing and says so
        "email" if ctx.mailer.is_some() => match crate::mail::check_email(&form.get("email")) {
            Ok(email) => ctx.db.set_email(user.id, email.as_deref()).await.map(|()| "email"),
            Err(e) => Err(e),
        },
        "end" => match ctx.db.end_session(user.id, &form.get("session")).await? {
            true => Ok("session-ended"),
            false => Err(AppError::NotFound),
        },
        "end-others" => ctx.db.end_other_sessions(user.id, &accounts::digest(secret)).await.map(|()| "sessions-ended"),
        _ => Err(AppError::BadRequest("error-bad-form")),
    };
    let errors = match done {
        Err(AppError::Invalid(errors)) => errors,
        other => return redirect_done(other, "/account"),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_account(&ctx, &page, &headers, &errors).await?).into_response())
}

/// A form's answer when it went through, or failed other than on a field: back to `to` with the
/// confirmation `done` (`?done=`), or the error. Field errors are the caller's, to show its page again.
fn redirect_done(result: AppResult<&'static str>, to: &str) -> AppResult<Response> {
    result.map(|done| Redirect::to(&format!("{to}?done={done}")).into_response())
}

/// `GET /logout/everywhere`: the confirmation step before ending every session.
pub async fn logout_everywhere(State(ctx): State<Ctx>, page: Page) -> AppResult<Html<String>> {
    page.user()?;
    confirm(&ctx, &page, "confirm-logout-everywhere", "/logout", &[("everywhere", "1")], "/account")
}

/// A page asking to confirm an action: its form posts `fields` to `action`.
pub fn confirm(
    ctx: &Ctx,
    page: &Page,
    message: &str,
    action: &str,
    fields: &[(&str, &str)],
    cancel: &str,
) -> AppResult<Html<String>> {
    let fields: Vec<_> = fields.iter().map(|(name, value)| context! { name, value }).collect();
    page.render(ctx, "confirm.html", context! { message, action, fields, cancel })
}

/// The page showing a new one-time link, once; when an address was given and the instance
/// sends mail, the link is e-mailed too and the page says whether that worked.
async fn show_link(
    ctx: &Ctx,
    page: &Page,
    kind: &str,
    path: &str,
    back: &str,
    email: Option<&str>,
) -> AppResult<Html<String>> {
    let link = format!("{}{path}", ctx.config.base_url());
    let mailed = match email {
        Some(to) => match accounts::mail_link(ctx, page.lang, to, kind, path).await {
            Ok(true) => Some(context! { to, sent => true }),
            Ok(false) => None,
            Err(e) => {
                tracing::warn!("a {kind} link could not be e-mailed: {e}");
                Some(context! { to, sent => false })
            }
        },
        None => None,
    };
    page.render(ctx, "account/link.html", context! { kind, link, days => accounts::LINK_DAYS, back, mailed })
}

/// The address typed in an invitation form, checked, if the instance sends mail.
fn invite_email(ctx: &Ctx, form: &super::FormData) -> AppResult<Option<String>> {
    if ctx.mailer.is_none() {
        return Ok(None);
    }
    crate::mail::check_email(&form.get("email"))
}

/// `GET /invite/{secret}`: the form that turns an invitation into an account.
pub async fn invitation(State(ctx): State<Ctx>, page: Page, Path(secret): Path<String>) -> AppResult<Response> {
    render_invitation(&ctx, &page, &secret, &FormData::parse(b""), &[]).await
}

async fn render_invitation(
    ctx: &Ctx,
    page: &Page,
    secret: &str,
    form: &FormData,
    errors: &[FieldError],
) -> AppResult<Response> {
    let link = ctx.db.link(&accounts::digest(secret)).await?.filter(|l| l.kind == "invite");
    let Some(link) = link.filter(|l| l.usable()) else { return gone(ctx, page) };
    let org = match link.org_id {
        Some(id) => ctx.db.org_by_id(id).await?.map(|o| o.name_in(page.lang.code()).to_string()),
        None => None,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = page.render(
        ctx,
        "account/invitation.html",
        context! {
            org => org,
            org_role => link.org_role,
            role => link.role,
            username => form.get("username"),
            display_name => form.get("display_name"),
            errors => show_errors(ctx, page.lang, errors),
        },
    )?;
    Ok((status, html).into_response())
}

/// A used or expired link: 410, and what to do about it.
fn gone(ctx: &Ctx, page: &Page) -> AppResult<Response> {
    Ok((StatusCode::GONE, page.render(ctx, "account/gone.html", context! {})?).into_response())
}

/// `POST /invite/{secret}`: creates the account and logs it in.
pub async fn accept_invitation(
    State(ctx): State<Ctx>,
    page: Page,
    headers: axum::http::HeaderMap,
    Path(secret): Path<String>,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let accepted = accounts::accept_invitation(
        &ctx,
        &secret,
        &form.get("username"),
        (&form.get("password"), &form.get("password_again")),
        &form.get("display_name"),
        &device_name(&headers),
    )
    .await;
    match accepted {
        Ok((user, session)) => {
            let orgs = ctx.db.orgs_of_user(user.id).await?;
            let to = match orgs.first() {
                Some((_, handle, _)) => format!("/orgs/{handle}?done=welcome"),
                None => "/account?done=welcome".to_string(),
            };
            let mut res = Redirect::to(&to).into_response();
            res.headers_mut().append(header::SET_COOKIE, session_cookie(&ctx, &session)?);
            Ok(res)
        }
        Err(AppError::Invalid(errors)) => render_invitation(&ctx, &page, &secret, &form, &errors).await,
        Err(AppError::Gone) => gone(&ctx, &page),
        Err(e) => Err(e),
    }
}

/// `GET /reset/{secret}`: the form for a new password.
pub async fn reset_form(State(ctx): State<Ctx>, page: Page, Path(secret): Path<String>) -> AppResult<Response> {
    render_reset(&ctx, &page, &secret, &[]).await
}

async fn render_reset(ctx: &Ctx, page: &Page, secret: &str, errors: &[FieldError]) -> AppResult<Response> {
    let link = ctx.db.link(&accounts::digest(secret)).await?.filter(|l| l.kind == "reset");
    if !link.is_some_and(|l| l.usable()) {
        return gone(ctx, page);
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = page.render(ctx, "account/reset.html", context! { errors => show_errors(ctx, page.lang, errors) })?;
    Ok((status, html).into_response())
}

/// `POST /reset/{secret}`: sets the password, ends every session, and sends to the login.
pub async fn reset(
    State(ctx): State<Ctx>,
    page: Page,
    Path(secret): Path<String>,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    match accounts::reset_password(&ctx, &secret, &form.get("password"), &form.get("password_again")).await {
        Ok(()) => Ok(Redirect::to("/login?done=password-reset").into_response()),
        Err(AppError::Invalid(errors)) => render_reset(&ctx, &page, &secret, &errors).await,
        Err(AppError::Gone) => gone(&ctx, &page),
        Err(e) => Err(e),
    }
}

/// `GET /admin/people`: every account, and forms to create an organisation and invite.
pub async fn people(State(ctx): State<Ctx>, page: Page) -> AppResult<Html<String>> {
    render_people(&ctx, &page, &[]).await
}

async fn render_people(ctx: &Ctx, page: &Page, errors: &[FieldError]) -> AppResult<Html<String>> {
    if !page.user()?.is_admin() {
        return Err(AppError::Forbidden);
    }
    let people = ctx.db.list_people().await?;
    let orgs: Vec<_> = ctx.db.list_orgs().await?.into_iter().filter(|o| o.local).collect();
    let require_2fa = accounts::two_factor_required(ctx).await?;
    page.render(
        ctx,
        "admin/people.html",
        context! {
            people => people,
            orgs => orgs.iter().map(|o| context! { handle => o.handle, name => o.name_in(page.lang.code()) }).collect::<Vec<_>>(),
            errors => show_errors(ctx, page.lang, errors),
            require_2fa => require_2fa,
        },
    )
}

/// `POST /admin/people`: `action` = create-org (`handle`, `name`), invite (`role`, and
/// `org` with `org_role`) or reset (`user`).
pub async fn people_action(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Response> {
    let user = page.user()?;
    if !user.is_admin() {
        return Err(AppError::Forbidden);
    }
    let result = match form.get("action").as_str() {
        "create-org" => accounts::create_org(&ctx, &form.get("handle"), &form.get("name"), None)
            .await
            .map(|org| Redirect::to(&format!("/orgs/{}/members?done=org-created", org.handle)).into_response()),
        "invite" => {
            let role = Role::parse(&form.get("role")).unwrap_or(Role::Member);
            let org = match form.get("org").as_str() {
                "" => None,
                handle => {
                    let org = ctx.db.org_by_handle(handle).await?.filter(|o| o.local).ok_or(AppError::NotFound)?;
                    Some((org, OrgRole::parse(&form.get("org_role")).unwrap_or(OrgRole::Member)))
                }
            };
            match invite_email(&ctx, &form) {
                Ok(email) => {
                    let secret = accounts::invite(&ctx, user, Invitation { role, org }).await?;
                    let path = format!("/invite/{secret}");
                    show_link(&ctx, &page, "invite", &path, "/admin/people", email.as_deref())
                        .await
                        .map(IntoResponse::into_response)
                }
                Err(e) => Err(e),
            }
        }
        "require-2fa" => accounts::require_two_factor(&ctx, user, form.get("require") == "on")
            .await
            .map(|()| Redirect::to("/admin/people?done=setting-saved").into_response()),
        "reset" => {
            let id: i64 = form.get("user").parse().map_err(|_| AppError::BadRequest("error-bad-form"))?;
            let secret = accounts::issue_reset(&ctx, user, id).await?;
            // sent to the person too, when they gave an address and the instance sends mail
            let email = if ctx.mailer.is_some() { ctx.db.email_of(id).await? } else { None };
            show_link(&ctx, &page, "reset", &format!("/reset/{secret}"), "/admin/people", email.as_deref())
                .await
                .map(IntoResponse::into_response)
        }
        _ => Err(AppError::BadRequest("error-bad-form")),
    };
    let errors = match result {
        Err(AppError::Invalid(errors)) => errors,
        Err(AppError::Conflict(_)) => vec![FieldError::new("handle", "err-taken", &form.get("handle"))],
        other => return other,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_people(&ctx, &page, &errors).await?).into_response())
}

/// `GET /orgs/{handle}/members`: the members, and for the organisation's admins, forms to
/// invite, change roles and remove.
pub async fn members(State(ctx): State<Ctx>, page: Page, Path(handle): Path<String>) -> AppResult<Html<String>> {
    render_members(&ctx, &page, &handle, &[]).await
}

async fn render_members(ctx: &Ctx, page: &Page, handle: &str, errors: &[FieldError]) -> AppResult<Html<String>> {
    let user = page.user()?;
    let org = ctx.db.org_by_handle(handle).await?.filter(|o| o.local).ok_or(AppError::NotFound)?;
    let role = accounts::org_role(ctx, user, org.id).await?.ok_or(AppError::Forbidden)?;
    let members = ctx.db.org_members(org.id).await?;
    page.render(
        ctx,
        "orgs/members.html",
        context! {
            org => context! { handle => org.handle, name => org.name_in(page.lang.code()) },
            members => members,
            manage => role == OrgRole::Admin,
            instance_admin => user.is_admin(),
            errors => show_errors(ctx, page.lang, errors),
        },
    )
}

/// `POST /orgs/{handle}/members`: `action` = invite (`org_role`), role (`user`, `role`) or
/// remove (`user`; with `confirm=1`, else the confirmation step is shown).
pub async fn members_action(
    State(ctx): State<Ctx>,
    page: Page,
    Path(handle): Path<String>,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let user = page.user()?;
    let org = ctx.db.org_by_handle(&handle).await?.filter(|o| o.local).ok_or(AppError::NotFound)?;
    let back = format!("/orgs/{}/members", org.handle);
    let member = || form.get("user").parse::<i64>().map_err(|_| AppError::BadRequest("error-bad-form"));
    let result = match form.get("action").as_str() {
        "invite" => {
            let org_role = OrgRole::parse(&form.get("org_role")).unwrap_or(OrgRole::Member);
            // into the organisation only: no rights on the instance
            let invitation = Invitation { role: Role::Member, org: Some((org.clone(), org_role)) };
            match invite_email(&ctx, &form) {
                Ok(email) => {
                    let secret = accounts::invite(&ctx, user, invitation).await?;
                    let path = format!("/invite/{secret}");
                    let html = show_link(&ctx, &page, "invite", &path, &back, email.as_deref()).await?;
                    return Ok(html.into_response());
                }
                Err(e) => Err(e),
            }
        }
        "role" => {
            let role = OrgRole::parse(&form.get("role")).ok_or(AppError::BadRequest("error-bad-form"))?;
            accounts::change_member(&ctx, user, &org, member()?, Some(role)).await.map(|()| "role-changed")
        }
        "remove" if form.get("confirm") == "1" => {
            accounts::change_member(&ctx, user, &org, member()?, None).await.map(|()| "member-removed")
        }
        "remove" => {
            accounts::require_org_admin(&ctx, user, org.id).await?;
            let id = member()?.to_string();
            let fields = [("action", "remove"), ("user", id.as_str()), ("confirm", "1")];
            return Ok(confirm(&ctx, &page, "confirm-remove-member", &back, &fields, &back)?.into_response());
        }
        _ => Err(AppError::BadRequest("error-bad-form")),
    };
    let errors = match result {
        Err(AppError::Invalid(errors)) => errors,
        other => return redirect_done(other, &back),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_members(&ctx, &page, &handle, &errors).await?).into_response())
}

/// `GET /account/2fa`: the second factor: on (with the recovery codes left, and a form to turn
/// it off), or off (a new secret as a QR code and as text, and a form to confirm a code).
pub async fn two_factor(State(ctx): State<Ctx>, page: Page) -> AppResult<Html<String>> {
    render_two_factor(&ctx, &page, None, &[]).await
}

async fn render_two_factor(
    ctx: &Ctx,
    page: &Page,
    secret: Option<String>,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let user = page.user()?;
    let enabled = ctx.db.totp_secret(user.id).await?.is_some();
    let (secret, qr) = if enabled {
        (None, None)
    } else {
        let secret = secret.unwrap_or_else(|| crate::totp::base32(&crate::totp::new_secret()));
        let bytes = crate::totp::from_base32(&secret).unwrap_or_default();
        let issuer = format!("Amicus ({})", ctx.config.domain);
        let qr = crate::totp::qr_svg(&crate::totp::uri(&bytes, &issuer, &user.username));
        (Some(secret), qr)
    };
    page.render(
        ctx,
        "account/two_factor.html",
        context! {
            enabled,
            left => if enabled { ctx.db.recovery_codes_left(user.id).await? } else { 0 },
            passkeys => if enabled { ctx.db.passkeys_of(user.id).await? } else { Vec::new() },
            secret,
            // an SVG this server drew from the secret: no markup from anyone else
            qr => qr.map(minijinja::Value::from_safe_string),
            errors => show_errors(ctx, page.lang, errors),
        },
    )
}

/// `POST /account/2fa`: `action` = enable (`secret`, `code`: shows the recovery codes once)
/// or disable (`current_password`, `code`).
pub async fn two_factor_action(
    State(ctx): State<Ctx>,
    page: Page,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let user = page.user()?;
    let result = match form.get("action").as_str() {
        "enable" => accounts::enable_totp(&ctx, user, &form.get("secret"), &form.get("code"))
            .await
            .and_then(|codes| page.render(&ctx, "account/recovery.html", context! { codes }))
            .map(IntoResponse::into_response),
        "disable" => accounts::disable_totp(&ctx, user, &form.get("current_password"), &form.get("code"))
            .await
            .map(|()| Redirect::to("/account?done=2fa-off").into_response()),
        _ => Err(AppError::BadRequest("error-bad-form")),
    };
    match result {
        Err(AppError::Invalid(errors)) => {
            let secret = Some(form.get("secret")).filter(|s| !s.is_empty());
            let html = render_two_factor(&ctx, &page, secret, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        other => other,
    }
}

/// `GET /forgot`: asks for a username or an address (only when the instance sends mail).
pub async fn forgot_form(State(ctx): State<Ctx>, page: Page) -> AppResult<Html<String>> {
    if ctx.mailer.is_none() {
        return Err(AppError::NotFound);
    }
    page.render(&ctx, "account/forgot.html", context! { sent => false })
}

/// `POST /forgot`: the same answer whether or not an account matched.
pub async fn forgot(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Html<String>> {
    accounts::forgot_password(&ctx, &form.get("who"), page.lang).await?;
    page.render(&ctx, "account/forgot.html", context! { sent => true })
}
