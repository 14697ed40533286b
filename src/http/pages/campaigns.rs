//! Campaign pages: the list of campaigns, a campaign with everything it gathers, its banner.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Value};

use super::library::card;
use super::Page;
use crate::app::Ctx;
use crate::campaigns::{self, Held};
use crate::error::{AppError, AppResult};
use crate::model::campaign::Campaign;

fn summary(c: &Campaign, lang: &str) -> Value {
    let (text_lang, t) = c.text_for(lang).map(|(l, t)| (l.to_string(), t.clone())).unwrap_or_default();
    context! {
        uid => c.uid, handle => c.handle, hashtag => c.fields.hashtag, title => t.title, goals => t.goals,
        call_to_action => t.call_to_action, text_lang => text_lang,
        text_dir => if crate::model::lang::is_rtl_code(&text_lang) { "rtl" } else { "ltr" },
        cta_url => c.fields.cta_url, starts_on => c.fields.starts_on, ends_on => c.fields.ends_on,
        published => c.fields.published, org_handle => c.org_handle, org_name => c.org_name,
        banner => c.banner.is_some(), banner_alt => c.banner_alt,
    }
}

/// `GET /campaigns`.
pub async fn index(State(ctx): State<Ctx>, page: Page) -> AppResult<Html<String>> {
    let list = campaigns::list(&ctx, page.user.as_ref(), 0).await?;
    let items: Vec<Value> = list.iter().map(|c| summary(c, page.lang.code())).collect();
    let can_add = page.user.is_some() && !super::editor::editable_orgs(&ctx, &page).await?.is_empty();
    page.render(&ctx, "campaigns/index.html", context! { items => items, can_add => can_add })
}

/// `GET /c/{uid}`: the campaign, its statements, resources and events, the organisations
/// taking part, a follow form and its feed.
pub async fn show(State(ctx): State<Ctx>, page: Page, Path(uid): Path<String>) -> AppResult<Response> {
    let c = campaigns::get(&ctx, page.user.as_ref(), &uid).await?;
    let organiser = match &page.user {
        Some(u) => crate::accounts::require_editor(&ctx, u, c.org_id).await.is_ok(),
        None => false,
    };
    // editors of other organisations here may propose an item
    let propose_as: Vec<String> = match &page.user {
        Some(u) if c.fields.published && !organiser => ctx
            .db
            .orgs_of_user(u.id)
            .await?
            .into_iter()
            .filter(|(_, _, role)| role.can_edit())
            .map(|(_, handle, _)| handle)
            .collect(),
        _ => Vec::new(),
    };
    let held = campaigns::items(&ctx, &c, organiser).await?;
    let (mut statements, mut resources, mut events, mut proposed) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut orgs: Vec<(String, String)> = vec![(c.org_handle.clone(), c.org_name.clone())];
    for (item, h) in &held {
        let org = match h {
            Held::Resource(r) => {
                (r.org_handle.clone(), r.org_names.get(page.lang.code()).cloned().unwrap_or(r.org_name.clone()))
            }
            Held::Event(e) => (e.org_handle.clone(), e.org_handle.clone()),
        };
        if item.state != "approved" {
            proposed.push(context! { ap_id => item.ap_id, by => item.proposed_by });
            continue;
        }
        if !orgs.iter().any(|(h, _)| *h == org.0) {
            orgs.push(org);
        }
        match h {
            Held::Resource(r) if r.statement.is_some() => statements.push(card(r, page.lang)),
            Held::Resource(r) => resources.push(card(r, page.lang)),
            Held::Event(e) => {
                let t = e.text_for(page.lang.code());
                events.push(context! {
                    uid => e.uid, local => e.local, url => e.ap_id, start => e.start_local,
                    title => t.map(|t| t.1.clone()), lang => t.map(|t| t.0.clone()),
                });
            }
        }
    }
    let address = format!("@{}@{}", c.handle, ctx.config.domain);
    let view = summary(&c, page.lang.code());
    let title = c.text_for(page.lang.code()).map(|(_, t)| t.title.clone()).unwrap_or_default();
    let html = page.render(
        &ctx,
        "campaigns/show.html",
        context! {
            c => view, statements, resources, events, proposed, organiser, propose_as,
            orgs => orgs.iter().map(|(h, n)| context! { handle => h, name => n }).collect::<Vec<_>>(),
            address => address.clone(),
            org => context! { handle => c.handle },
            campaign => true,
            server => "",
            share => context! { path => format!("/c/{}", c.uid), title => title, url => format!("{}/c/{}", ctx.config.base_url(), c.uid) },
        },
    )?;
    Ok(html.into_response())
}

/// `GET /c/{uid}/banner`.
pub async fn banner(State(ctx): State<Ctx>, page: Page, Path(uid): Path<String>) -> AppResult<Response> {
    let c = campaigns::get(&ctx, page.user.as_ref(), &uid).await?;
    let (sha, mime) = c.banner.ok_or(AppError::NotFound)?;
    let bytes = crate::library::read_file(&ctx, sha).await?;
    Ok(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=3600".to_string())], bytes)
        .into_response())
}
