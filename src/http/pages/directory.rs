//! The directory of organisations (this instance's and the partners' it knows), with filters
//! and follow buttons; joining the instance; writing to its admins; and the admins' pages for
//! applications and messages (`crate::joining`).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::Value;

use super::admin::require_admin;
use super::editor::options;
use super::{CheckedForm, FormData, KeptForm, Page};
use crate::accounts::require_org_admin;
use crate::app::Ctx;
use crate::db::joining::DirectoryFilters;
use crate::error::{AppError, AppResult};
use crate::federation::context::Fed;
use crate::http::errors::show_errors;
use crate::joining::{self, ApplicationInput};
use crate::model::lang::Lang;
use crate::model::vocab;
use crate::model::FieldError;

/// `GET /orgs`: the directory, filtered by `country`, `theme`, `mechanism` and `language`.
pub async fn directory(State(ctx): State<Ctx>, page: Page, RawQuery(q): RawQuery) -> AppResult<Html<String>> {
    let form = FormData::parse(q.unwrap_or_default().as_bytes());
    let term = |scheme: &str, v: String| (!v.is_empty() && ctx.vocab.contains(scheme, &v)).then_some(v);
    let country = term(vocab::COUNTRY, form.get("country").to_ascii_lowercase());
    let theme = term(vocab::THEME, form.get("theme"));
    let mechanism = term(vocab::MECHANISM, form.get("mechanism"));
    let language = form.get("language");
    let language = Lang::ALL.iter().find(|l| l.code() == language).map(|l| l.code().to_string());
    let filters = DirectoryFilters {
        country: country.clone(),
        themes: theme.iter().flat_map(|t| ctx.vocab.with_narrower(vocab::THEME, t)).collect(),
        mechanisms: mechanism.iter().flat_map(|t| ctx.vocab.with_narrower(vocab::MECHANISM, t)).collect(),
        lang: language.clone(),
    };
    let lang = page.lang;
    let listed: Vec<Value> = ctx
        .db
        .directory(&filters)
        .await?
        .into_iter()
        .map(|o| {
            let names: std::collections::BTreeMap<String, String> = serde_json::from_str(&o.names).unwrap_or_default();
            let descriptions: std::collections::BTreeMap<String, String> =
                serde_json::from_str(&o.descriptions).unwrap_or_default();
            let host = o.ap_id.as_deref().map(crate::federation::partners::origin_host);
            context! {
                handle => o.handle,
                name => names.get(lang.code()).filter(|n| !n.is_empty()).cloned().unwrap_or(o.name),
                description => descriptions.get(lang.code()).or_else(|| descriptions.values().next()).cloned(),
                local => o.local,
                host => host.unwrap_or_else(|| ctx.config.domain.clone()),
                ap_id => o.ap_id,
                country => o.country.as_deref().map(|c| ctx.vocab.label(vocab::COUNTRY, c, lang).to_string()),
            }
        })
        .collect();
    // an organisation's admins may follow a partner's organisation from here
    let mine: Vec<String> = match page.user.as_ref() {
        Some(u) => ctx
            .db
            .orgs_of_user(u.id)
            .await?
            .into_iter()
            .filter(|(_, _, r)| *r == crate::model::user::OrgRole::Admin)
            .map(|(_, h, _)| h)
            .collect(),
        None => Vec::new(),
    };
    page.render(
        &ctx,
        "orgs/index.html",
        context! {
            orgs => listed,
            mine,
            countries => options(&ctx, vocab::COUNTRY, lang, true),
            themes => options(&ctx, vocab::THEME, lang, false),
            mechanisms => options(&ctx, vocab::MECHANISM, lang, false),
            languages => Lang::ALL.iter().map(|l| context! { code => l.code(), name => l.endonym() }).collect::<Vec<_>>(),
            chosen => context! { country, theme, mechanism, language },
        },
    )
}

/// `POST /directory/follow` (`org`, `target`): one of the reader's organisations follows a
/// partner's organisation.
pub async fn follow(
    State(ctx): State<Ctx>,
    page: Page,
    fed: Fed,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let org = ctx.db.org_by_handle(&form.get("org")).await?.filter(|o| o.local).ok_or(AppError::NotFound)?;
    require_org_admin(&ctx, page.user()?, org.id).await?;
    crate::federation::follow::follow(&fed, org.clone(), &form.get("target")).await?;
    Ok(Redirect::to(&format!("/orgs/{}/federation", org.handle)).into_response())
}

/// A form's problems as its page shows them: field errors, or a word on the whole form.
fn form_errors(e: AppError) -> AppResult<(StatusCode, Vec<FieldError>)> {
    match e {
        AppError::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        AppError::RateLimited(_) => {
            Ok((StatusCode::TOO_MANY_REQUESTS, vec![FieldError::new("form", "error-rate-limited", "")]))
        }
        AppError::BadRequest("error-csrf") => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![FieldError::new("form", "err-form-expired", "")]))
        }
        other => Err(other),
    }
}

fn render_join(
    ctx: &Ctx,
    page: &Page,
    form: &FormData,
    status: StatusCode,
    errors: &[FieldError],
) -> AppResult<Response> {
    let v = context! {
        name => form.get("name"), handle => form.get("handle"), country => form.get("country"),
        website => form.get("website"), contact => form.get("contact"), why => form.get("why"),
    };
    let html = page.render(
        ctx,
        "join/form.html",
        context! {
            v,
            token => joining::form_token(ctx),
            countries => options(ctx, vocab::COUNTRY, page.lang, true),
            errors => show_errors(ctx, page.lang, errors),
        },
    )?;
    Ok((status, html).into_response())
}

/// `GET /join`
pub async fn join_form(State(ctx): State<Ctx>, page: Page) -> AppResult<Response> {
    render_join(&ctx, &page, &FormData::parse(b""), StatusCode::OK, &[])
}

/// `POST /join`: the application is kept, and the applicant sent to its page.
pub async fn join(State(ctx): State<Ctx>, page: Page, KeptForm { form, csrf_ok }: KeptForm) -> AppResult<Response> {
    let input = ApplicationInput {
        name: form.get("name"),
        handle: form.get("handle"),
        country: form.get("country"),
        website: form.get("website"),
        contact: form.get("contact"),
        why: form.get("why"),
        token: form.get("token"),
        trap: form.get("homepage"),
    };
    let result = if csrf_ok {
        joining::apply(&ctx, &input, page.lang.code()).await
    } else {
        Err(AppError::BadRequest("error-csrf"))
    };
    match result {
        Ok(uid) => Ok(Redirect::to(&format!("/join/{uid}")).into_response()),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            render_join(&ctx, &page, &form, status, &errors)
        }
    }
}

/// `GET /join/{uid}`: the application's page, for the applicant who keeps its address.
pub async fn application(State(ctx): State<Ctx>, page: Page, Path(uid): Path<String>) -> AppResult<Response> {
    let a = ctx.db.application(&uid).await?.ok_or(AppError::NotFound)?;
    let link = a.invite_secret.as_ref().map(|s| format!("{}/invite/{s}", ctx.config.base_url()));
    let html = page.render(
        &ctx,
        "join/status.html",
        context! { a, link, address => format!("{}/join/{uid}", ctx.config.base_url()) },
    )?;
    // the address is the applicant's key: not to be kept by shared caches or sent on
    Ok(([("cache-control", "no-store"), ("referrer-policy", "no-referrer")], html).into_response())
}

fn render_contact(
    ctx: &Ctx,
    page: &Page,
    form: &FormData,
    status: StatusCode,
    errors: &[FieldError],
) -> AppResult<Response> {
    let v = context! { name => form.get("name"), contact => form.get("contact"), body => form.get("body") };
    let html = page.render(
        ctx,
        "join/contact.html",
        context! { v, token => joining::form_token(ctx), errors => show_errors(ctx, page.lang, errors) },
    )?;
    Ok((status, html).into_response())
}

/// `GET /contact`
pub async fn contact_form(State(ctx): State<Ctx>, page: Page) -> AppResult<Response> {
    render_contact(&ctx, &page, &FormData::parse(b""), StatusCode::OK, &[])
}

/// `POST /contact`
pub async fn contact(State(ctx): State<Ctx>, page: Page, KeptForm { form, csrf_ok }: KeptForm) -> AppResult<Response> {
    let result = if csrf_ok {
        let (name, reply, body) = (form.get("name"), form.get("contact"), form.get("body"));
        joining::contact(&ctx, &name, &reply, &body, &form.get("token"), &form.get("homepage"), page.lang.code()).await
    } else {
        Err(AppError::BadRequest("error-csrf"))
    };
    match result {
        Ok(()) => Ok(Redirect::to("/contact?done=message-sent").into_response()),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            render_contact(&ctx, &page, &form, status, &errors)
        }
    }
}

/// `GET /admin/applications`: pending applications first, with the latest decided ones.
pub async fn applications(State(ctx): State<Ctx>, page: Page) -> AppResult<Html<String>> {
    require_admin(&page)?;
    let list = ctx.db.applications(200).await?;
    let lang = page.lang;
    let items: Vec<Value> = list
        .iter()
        .map(|a| {
            let country = a.country.as_deref().map(|c| ctx.vocab.label(vocab::COUNTRY, c, lang).to_string());
            let link = a.invite_secret.as_ref().map(|s| format!("{}/invite/{s}", ctx.config.base_url()));
            context! { a, country, link, address => format!("{}/join/{}", ctx.config.base_url(), a.uid) }
        })
        .collect();
    page.render(&ctx, "admin/applications.html", context! { items })
}

/// `POST /admin/applications` (`uid`, `action` = approve or decline, `handle`, `message`).
pub async fn decide(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Response> {
    let user = require_admin(&page)?;
    let approve = match form.get("action").as_str() {
        "approve" => true,
        "decline" => false,
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    };
    joining::decide(&ctx, user, &form.get("uid"), approve, &form.get("handle"), &form.get("message")).await?;
    let done = if approve { "application-approved" } else { "application-declined" };
    Ok(Redirect::to(&format!("/admin/applications?done={done}")).into_response())
}

/// `GET /admin/messages`: what people wrote through the contact form, newest first.
pub async fn messages(State(ctx): State<Ctx>, page: Page) -> AppResult<Html<String>> {
    require_admin(&page)?;
    let items = ctx.db.contact_messages(500).await?;
    page.render(&ctx, "admin/messages.html", context! { items })
}

/// `POST /admin/messages` (`id`, `action` = read or delete).
pub async fn message_action(State(ctx): State<Ctx>, page: Page, CheckedForm(form): CheckedForm) -> AppResult<Response> {
    require_admin(&page)?;
    let id: i64 = form.get("id").parse().map_err(|_| AppError::NotFound)?;
    ctx.db.contact_message_action(id, form.get("action") == "delete").await?;
    Ok(Redirect::to("/admin/messages").into_response())
}
