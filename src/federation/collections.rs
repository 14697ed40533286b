//! An organisation's collections: `outbox` (its published resources, paged), `featured`
//! (pinned resources), and `followers` / `following`, which show counts only: who follows
//! whom can put people in danger.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{json, Value};

use super::actors::org_id;
use super::authorized::Signed;
use super::objects::embedded_object;
use super::protocol::{activity_json, context};
use crate::db::search::Filters;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::org::Org;

const PAGE: i64 = 20;

async fn find(ctx: &Core, handle: &str) -> AppResult<Org> {
    ctx.db.org_by_handle(handle).await?.filter(|o| o.local).ok_or(AppError::NotFound)
}

fn page_number(q: Option<String>) -> Option<i64> {
    url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .filter(|p| *p >= 1 && *p <= 100_000)
}

/// `GET /orgs/{handle}/outbox` (and `?page=n`): newest first, 20 a page.
pub async fn outbox(
    State(ctx): State<Core>,
    signed: Signed,
    Path(handle): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    signed.check().await?;
    let org = find(&ctx, &handle).await?;
    let actor = org_id(&ctx, &org.handle);
    let id = format!("{actor}/outbox");
    let (total, _, _) = ctx.db.org_counts(org.id).await?;
    let Some(page) = page_number(q) else {
        return Ok(activity_json(&json!({
            "@context": context(),
            "id": id,
            "type": "OrderedCollection",
            "totalItems": total,
            "first": format!("{id}?page=1"),
            "last": format!("{id}?page={}", ((total + PAGE - 1) / PAGE).max(1)),
        })));
    };
    let filters = Filters { org_id: Some(org.id), ..Filters::default() };
    let found = ctx.index.search(&ctx.db, &filters, (page - 1) * PAGE, PAGE, false).await?;
    let (ids, more) = (found.ids, found.more);
    let items: Vec<Value> = ctx
        .db
        .load_resources(&ids, true)
        .await?
        .iter()
        .map(|r| {
            // the very activity followers received, with the same id; the page has the context
            let mut activity = serde_json::to_value(super::publish::create_activity(&ctx, r)).unwrap_or_default();
            if let Some(o) = activity.as_object_mut() {
                o.shift_remove("@context");
            }
            activity
        })
        .collect();
    let mut doc = json!({
        "@context": context(),
        "id": format!("{id}?page={page}"),
        "type": "OrderedCollectionPage",
        "partOf": id,
        "totalItems": total,
        "orderedItems": items,
    });
    if more {
        doc["next"] = json!(format!("{id}?page={}", page + 1));
    }
    if page > 1 {
        doc["prev"] = json!(format!("{id}?page={}", page - 1));
    }
    Ok(activity_json(&doc))
}

/// `GET /orgs/{handle}/featured`: pinned resources, as Mastodon shows pinned posts.
pub async fn featured(State(ctx): State<Core>, signed: Signed, Path(handle): Path<String>) -> AppResult<Response> {
    signed.check().await?;
    let org = find(&ctx, &handle).await?;
    let ids = ctx.db.featured_ids(org.id).await?;
    let items: Vec<Value> = ctx.db.load_resources(&ids, true).await?.iter().map(|r| embedded_object(&ctx, r)).collect();
    Ok(activity_json(&json!({
        "@context": context(),
        "id": format!("{}/featured", org_id(&ctx, &org.handle)),
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    })))
}

async fn count_only(ctx: &Core, handle: &str, which: &str) -> AppResult<Response> {
    let org = find(ctx, handle).await?;
    let (_, followers, following) = ctx.db.org_counts(org.id).await?;
    let total = if which == "followers" { followers } else { following };
    Ok(activity_json(&json!({
        "@context": context(),
        "id": format!("{}/{which}", org_id(ctx, &org.handle)),
        "type": "OrderedCollection",
        "totalItems": total,
    })))
}

/// `GET /orgs/{handle}/followers`: the count, never the list.
pub async fn followers(State(ctx): State<Core>, signed: Signed, Path(handle): Path<String>) -> AppResult<Response> {
    signed.check().await?;
    count_only(&ctx, &handle, "followers").await
}

/// `GET /orgs/{handle}/following`: the count, never the list.
pub async fn following(State(ctx): State<Core>, signed: Signed, Path(handle): Path<String>) -> AppResult<Response> {
    signed.check().await?;
    count_only(&ctx, &handle, "following").await
}
