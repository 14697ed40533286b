//! Organisation pages: the directory, a profile with its resources, the profile form,
//! the logo, and the members list (members only).

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};

use crate::federation::authorized::Signed;
use crate::federation::context::Fed;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;

use super::library::card;
use super::CheckedForm;
use super::Page;
use crate::accounts::{org_role, require_org_admin};
use crate::app::Ctx;
use crate::db::orgs::OrgProfile;
use crate::db::search::Filters;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::http::extract::CsrfToken;
use crate::library;
use crate::model::lang::Lang;
use crate::model::org::{check_name, check_website, Org};
use crate::model::FieldError;

fn org_view(o: &Org, lang: Lang) -> minijinja::Value {
    context! {
        handle => o.handle,
        name => o.name_in(lang.code()),
        description => o.description_in(lang.code()),
        website => o.website,
        has_logo => o.logo_sha256.is_some(),
        local => o.local,
    }
}

async fn find(ctx: &Ctx, handle: &str) -> AppResult<Org> {
    ctx.db.org_by_handle(handle).await?.ok_or(AppError::NotFound)
}

/// `GET /@{handle}`: the Mastodon-style address of an organisation, which people type and
/// Epicyon derives, redirects (308, so an ActivityPub client keeps its `Accept`) to its page.
pub async fn at_handle(State(ctx): State<Ctx>, Path(handle): Path<String>) -> AppResult<Response> {
    let org = find(&ctx, &handle).await?;
    Ok(Redirect::permanent(&format!("/orgs/{}", org.handle)).into_response())
}

/// `GET /orgs/{handle}`: the profile page, or the `Organization` actor for ActivityPub clients.
pub async fn show(
    State(ctx): State<Ctx>,
    page: Page,
    signed: Signed,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let org = find(&ctx, &handle).await?;
    if signed.wants_activity_json() {
        signed.check().await?;
        return crate::federation::actors::org_response(&ctx, &org);
    }
    // a campaign's actor: its page is the campaign's
    if org.kind == "campaign" {
        let c = ctx.db.campaign_of_group(org.id).await?.ok_or(AppError::NotFound)?;
        return Ok(axum::response::Redirect::to(&format!("/c/{}", c.uid)).into_response());
    }
    let role = match &page.user {
        Some(u) => org_role(&ctx, u, org.id).await?,
        None => None,
    };
    let filters = Filters { org_id: Some(org.id), ..Filters::default() };
    let results = library::search(&ctx, page.user.as_ref(), filters, 0, 50, false).await?;
    let (_, followers, _) = ctx.db.org_counts(org.id).await?;
    page.render(
        &ctx,
        "orgs/show.html",
        context! {
            org => org_view(&org, page.lang),
            address => if org.local { format!("@{}@{}", org.handle, ctx.config.domain) } else { format!("@{}", org.handle) },
            remote => !org.local,
            followers => followers,
            items => results.items.iter().map(|r| card(r, page.lang)).collect::<Vec<_>>(),
            more => results.more,
            is_member => role.is_some(),
            can_edit => role.is_some_and(|r| r.can_edit()),
            is_admin => role == Some(crate::model::user::OrgRole::Admin),
        },
    )
    .map(IntoResponse::into_response)
}

fn render_edit(
    ctx: &Ctx,
    page: &Page,
    org: &Org,
    profile: &OrgProfile,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let langs: Vec<_> = Lang::ALL
        .iter()
        .map(|l| {
            context! {
                code => l.code(), name => l.endonym(), dir => l.dir(),
                org_name => profile.names.get(l.code()).cloned().unwrap_or_default(),
                description => profile.descriptions.get(l.code()).cloned().unwrap_or_default(),
            }
        })
        .collect();
    page.render(
        ctx,
        "orgs/edit.html",
        context! { org => org_view(org, page.lang), name => profile.name, website => profile.website, langs => langs,
        manual => profile.manually_approves_followers,
        errors => show_errors(ctx, page.lang, errors) },
    )
}

pub async fn edit_form(State(ctx): State<Ctx>, page: Page, Path(handle): Path<String>) -> AppResult<Html<String>> {
    let org = find(&ctx, &handle).await?;
    require_org_admin(&ctx, page.user()?, org.id).await?;
    let profile = OrgProfile {
        manually_approves_followers: org.manually_approves_followers,
        name: org.name.clone(),
        names: org.names.clone(),
        descriptions: org.descriptions.clone(),
        website: org.website.clone(),
    };
    render_edit(&ctx, &page, &org, &profile, &[])
}

pub async fn update(
    State(ctx): State<Ctx>,
    page: Page,
    Path(handle): Path<String>,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let org = find(&ctx, &handle).await?;
    require_org_admin(&ctx, page.user()?, org.id).await?;
    let mut errors = Vec::new();
    let mut profile = OrgProfile {
        name: form.get("name"),
        website: None,
        manually_approves_followers: form.get("manually_approves_followers") == "on",
        ..OrgProfile::default()
    };
    match check_name("name", &profile.name) {
        Ok(n) => profile.name = n,
        Err(e) => errors.push(e),
    }
    let website = form.get("website");
    match check_website(&website) {
        Ok(w) => profile.website = w,
        Err(e) => {
            errors.push(e);
            profile.website = Some(website);
        }
    }
    for l in Lang::ALL {
        let name = form.get(&format!("name_{}", l.code())).trim().to_string();
        let description = form.get(&format!("description_{}", l.code())).trim().to_string();
        if name.chars().count() > 120 {
            errors.push(FieldError::new(&format!("name_{}", l.code()), "err-too-long", "120"));
        }
        if description.chars().count() > 2000 {
            errors.push(FieldError::new(&format!("description_{}", l.code()), "err-too-long", "2000"));
        }
        if !name.is_empty() {
            profile.names.insert(l.code().to_string(), name);
        }
        if !description.is_empty() {
            profile.descriptions.insert(l.code().to_string(), description);
        }
    }
    if !errors.is_empty() {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, render_edit(&ctx, &page, &org, &profile, &errors)?).into_response()
        );
    }
    ctx.db.update_org_profile(org.id, &profile).await?;
    Ok(Redirect::to(&format!("/orgs/{}", org.handle)).into_response())
}

pub async fn upload_logo(
    State(ctx): State<Ctx>,
    page: Page,
    csrf: CsrfToken,
    Path(handle): Path<String>,
    multipart: Multipart,
) -> AppResult<Redirect> {
    let org = find(&ctx, &handle).await?;
    require_org_admin(&ctx, page.user()?, org.id).await?;
    let upload = super::read_upload(&ctx, multipart).await?;
    csrf.verify(&upload.csrf)?;
    let cleaned = library::store_upload(&ctx, upload.bytes, true).await?;
    ctx.db.set_org_logo(org.id, &cleaned.0.sha256, &cleaned.0.media_type).await?;
    Ok(Redirect::to(&format!("/orgs/{}", org.handle)))
}

pub async fn logo(State(ctx): State<Ctx>, Path(handle): Path<String>) -> AppResult<Response> {
    let org = find(&ctx, &handle).await?;
    let (Some(sha), Some(mime)) = (org.logo_sha256, org.logo_media_type) else { return Err(AppError::NotFound) };
    let bytes = library::read_file(&ctx, sha).await?;
    Ok(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=3600".to_string())], bytes)
        .into_response())
}

/// Members are listed to members only: who works where can endanger people.
/// `GET /orgs/{handle}/federation`: for the organisation's admins only: follow requests to
/// approve, the followers list, and a form to follow another organisation.
pub async fn federation(State(ctx): State<Ctx>, page: Page, Path(handle): Path<String>) -> AppResult<Html<String>> {
    let org = find(&ctx, &handle).await?;
    require_org_admin(&ctx, page.user()?, org.id).await?;
    let followers = ctx.db.followers_of(org.id).await?;
    let (pending, approved): (Vec<_>, Vec<_>) = followers.into_iter().partition(|(_, _, ok)| !ok);
    let ids = |v: Vec<(String, Option<String>, bool)>| v.into_iter().map(|(a, _, _)| a).collect::<Vec<_>>();
    let following: Vec<_> = ctx
        .db
        .following_with_backfill(org.id)
        .await?
        .into_iter()
        .map(|(actor, accepted, backfill)| context! { actor, accepted, backfill })
        .collect();
    page.render(
        &ctx,
        "orgs/federation.html",
        context! { org => org_view(&org, page.lang), pending => ids(pending), followers => ids(approved), manual => org.manually_approves_followers, following },
    )
}

/// `POST /orgs/{handle}/federation`: `action` = approve, reject (with `actor`) or follow
/// (with `target`).
pub async fn federation_action(
    State(ctx): State<Ctx>,
    page: Page,
    fed: Fed,
    Path(handle): Path<String>,
    CheckedForm(form): CheckedForm,
) -> AppResult<Response> {
    let org = find(&ctx, &handle).await?;
    require_org_admin(&ctx, page.user()?, org.id).await?;
    match form.get("action").as_str() {
        "approve" => crate::federation::follow::answer(&fed, org.clone(), &form.get("actor"), true).await?,
        "reject" => crate::federation::follow::answer(&fed, org.clone(), &form.get("actor"), false).await?,
        "follow" => {
            crate::federation::follow::follow(&fed, org.clone(), &form.get("target")).await?;
        }
        "backfill" => {
            let target = form.get("target");
            // only an actor this organisation follows
            if ctx.db.following_of(org.id, &target).await?.is_none() {
                return Err(AppError::NotFound);
            }
            crate::federation::backfill::request(&ctx, &target).await?;
        }
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    }
    Ok(Redirect::to(&format!("/orgs/{}/federation", org.handle)).into_response())
}

/// The reader's fediverse server from what they typed: `mastodon.social`,
/// `https://mastodon.social/`, `@me@mastodon.social` or `me@mastodon.social`; a host name
/// (with a port if need be), nothing else.
pub fn reader_server(typed: &str) -> Option<String> {
    let t = typed.trim();
    let t = t.strip_prefix("https://").or_else(|| t.strip_prefix("http://")).unwrap_or(t);
    let t = t.trim_end_matches('/');
    let t = t.rsplit('@').next().unwrap_or(t).to_ascii_lowercase();
    let url = url::Url::parse(&format!("https://{t}/")).ok()?;
    let host = url.host_str()?;
    let named = matches!(url.host(), Some(url::Host::Domain(_))) && host.contains('.') && url.path() == "/";
    (named && url.username().is_empty() && url.query().is_none() && t.len() <= 253).then(|| match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

/// `GET /orgs/{handle}/follow?server=mastodon.social`: remote follow without JavaScript. The
/// reader goes to their own server's page for following this organisation (Mastodon's
/// `authorize_interaction`, which Mastodon, Hometown, Akkoma and Pleroma answer); this
/// server fetches nothing, so it learns nothing of the reader's account.
pub async fn remote_follow(
    State(ctx): State<Ctx>,
    page: Page,
    Path(handle): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> AppResult<Response> {
    let org = find(&ctx, &handle).await?;
    if !org.local {
        return Err(AppError::NotFound);
    }
    let typed = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "server")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let address = format!("{}@{}", org.handle, ctx.config.domain);
    match reader_server(&typed) {
        Some(server) => {
            let uri: String = url::form_urlencoded::byte_serialize(format!("acct:{address}").as_bytes()).collect();
            Ok(Redirect::to(&format!("https://{server}/authorize_interaction?uri={uri}")).into_response())
        }
        None => {
            let errors =
                if typed.is_empty() { Vec::new() } else { vec![FieldError::new("server", "err-bad-server", &typed)] };
            let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            let html = page.render(
                &ctx,
                "orgs/follow.html",
                context! { org => org_view(&org, page.lang), address => format!("@{address}"), server => typed,
                errors => show_errors(&ctx, page.lang, &errors) },
            )?;
            Ok((status, html).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reader_server;

    #[test]
    fn a_reader_server_is_a_host_name_whatever_way_it_is_typed() {
        for (typed, want) in [
            ("mastodon.social", "mastodon.social"),
            (" https://Mastodon.Social/ ", "mastodon.social"),
            ("@me@mastodon.social", "mastodon.social"),
            ("me@social.example:8443", "social.example:8443"),
        ] {
            assert_eq!(reader_server(typed).as_deref(), Some(want), "{typed}");
        }
        for bad in [
            "",
            "localhost",
            "mastodon.social/evil",
            "javascript:alert(1)",
            "a b.example",
            "127.0.0.1",
            "x.example?y=1",
            "//evil.example/x",
        ] {
            assert_eq!(reader_server(bad), None, "{bad}");
        }
    }
}
