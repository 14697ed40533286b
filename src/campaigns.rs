//! Campaigns: a hashtag and a page gathering statements, resources and events of any
//! organisation, added by the campaign's organisers or proposed by partners and approved by
//! them, and a Group actor that fediverse users follow and that announces each item.

use crate::accounts::{org_role, require_editor};
use crate::db::events::Event;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::federation::actors::org_id as actor_of;
use crate::model::campaign::{Campaign, CampaignInput, CampaignItem, CampaignLine, CampaignPatch, ItemLine};
use crate::model::org::Handle;
use crate::model::resource::{Resource, Status};
use crate::model::user::User;
use crate::model::FieldError;

/// The most campaigns a page lists.
pub const PAGE: i64 = 20;

fn checked(ctx: &Core, input: &CampaignInput) -> AppResult<crate::model::campaign::NewCampaign> {
    input.validate(&ctx.config.extra_content_languages).map_err(AppError::Invalid)
}

/// Creates a campaign of `input.org` with its own followable actor `input.handle`.
pub async fn create(ctx: &Core, user: &User, input: &CampaignInput) -> AppResult<Campaign> {
    let org = ctx
        .db
        .org_by_handle(&input.org)
        .await?
        .filter(|o| o.local && o.kind == "organization")
        .ok_or_else(|| AppError::invalid("org", "err-no-such-org", &input.org))?;
    require_editor(ctx, user, org.id).await?;
    let fields = checked(ctx, input)?;
    let handle = Handle::parse(&input.handle).map_err(|e| AppError::Invalid(vec![e]))?;
    if ctx.db.org_by_handle(handle.as_str()).await?.is_some() {
        return Err(AppError::invalid("handle", "err-taken", handle.as_str()));
    }
    let keys = crate::federation::keys::generate().await?;
    let uid =
        match ctx.db.insert_campaign(org.id, handle.as_str(), &fields, (&keys.public_key, &keys.private_key)).await {
            Err(AppError::Conflict(_)) => return Err(AppError::invalid("handle", "err-taken", handle.as_str())),
            other => other?,
        };
    ctx.db.campaign_by_uid(&uid).await?.ok_or(AppError::NotFound)
}

/// Imports a campaign line into organisation `org` (`amicus import`): updated when the org
/// already has a campaign with its handle, created otherwise; its items are kept as they are
/// (one this instance does not hold yet shows once it does). Nothing is announced. Returns
/// whether it was created.
pub async fn import(ctx: &Core, org: &crate::model::org::Org, line: &CampaignLine) -> AppResult<bool> {
    let mut input = line.campaign.clone();
    input.org = org.handle.clone();
    let fields = checked(ctx, &input)?;
    let handle = Handle::parse(&input.handle).map_err(|e| AppError::Invalid(vec![e]))?;
    let mut bad = Vec::new();
    for item in &line.items {
        let ok_url = url::Url::parse(&item.ap_id).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok_url
            || !matches!(item.kind.as_str(), "resource" | "event")
            || !matches!(item.state.as_str(), "approved" | "proposed")
        {
            bad.push(FieldError::new("items", "err-item-unknown", &item.ap_id));
        }
    }
    if !bad.is_empty() {
        return Err(AppError::Invalid(bad));
    }
    let (campaign, created) = match ctx.db.org_by_handle(handle.as_str()).await? {
        Some(group) => match ctx.db.campaign_of_group(group.id).await?.filter(|c| c.org_id == org.id) {
            Some(c) => {
                ctx.db.update_campaign(c.id, c.group_id, &fields).await?;
                (c, false)
            }
            None => return Err(AppError::invalid("handle", "err-taken", handle.as_str())),
        },
        None => {
            let keys = crate::federation::keys::generate().await?;
            let uid =
                ctx.db.insert_campaign(org.id, handle.as_str(), &fields, (&keys.public_key, &keys.private_key)).await?;
            (ctx.db.campaign_by_uid(&uid).await?.ok_or(AppError::NotFound)?, true)
        }
    };
    for item in &line.items {
        ctx.db.put_campaign_item(campaign.id, &item.ap_id, &item.kind, &item.state, None).await?;
    }
    Ok(created)
}

/// A campaign and its items, as `amicus export` writes them (items in a stable order).
pub async fn export_line(ctx: &Core, c: &Campaign) -> AppResult<CampaignLine> {
    let mut items: Vec<ItemLine> = ctx
        .db
        .campaign_items(c.id)
        .await?
        .into_iter()
        .map(|i| ItemLine { ap_id: i.ap_id, kind: i.kind, state: i.state })
        .collect();
    items.sort_by(|a, b| a.ap_id.cmp(&b.ap_id));
    Ok(CampaignLine { campaign: c.to_input(), items })
}

/// A campaign, if `user` may see it: a draft only its organisation's members.
pub async fn get(ctx: &Core, user: Option<&User>, uid: &str) -> AppResult<Campaign> {
    let c = ctx.db.campaign_by_uid(uid).await?.ok_or(AppError::NotFound)?;
    if !c.fields.published {
        let member = match user {
            Some(u) => org_role(ctx, u, c.org_id).await?.is_some(),
            None => false,
        };
        if !member {
            return Err(AppError::NotFound);
        }
    }
    Ok(c)
}

/// A campaign its organisers' editors may change.
pub async fn get_for_edit(ctx: &Core, user: &User, uid: &str) -> AppResult<Campaign> {
    let c = ctx.db.campaign_by_uid(uid).await?.ok_or(AppError::NotFound)?;
    if require_editor(ctx, user, c.org_id).await.is_err() {
        return Err(if c.fields.published { AppError::Forbidden } else { AppError::NotFound });
    }
    Ok(c)
}

pub async fn update(ctx: &Core, user: &User, uid: &str, patch: CampaignPatch) -> AppResult<Campaign> {
    let c = get_for_edit(ctx, user, uid).await?;
    let mut input = c.to_input();
    input.apply(patch);
    let fields = checked(ctx, &input)?;
    ctx.db.update_campaign(c.id, c.group_id, &fields).await?;
    ctx.db.campaign_by_uid(uid).await?.ok_or(AppError::NotFound)
}

pub async fn delete(ctx: &Core, user: &User, uid: &str) -> AppResult<()> {
    let c = get_for_edit(ctx, user, uid).await?;
    ctx.db.delete_campaign(c.group_id).await
}

/// The campaign's banner: an image, cleaned of its metadata, with what it shows for those who
/// cannot see it (required).
pub async fn set_banner(ctx: &Core, user: &User, uid: &str, bytes: Vec<u8>, alt: &str) -> AppResult<Campaign> {
    let c = get_for_edit(ctx, user, uid).await?;
    let alt = alt.trim();
    if alt.is_empty() {
        return Err(AppError::invalid("alt", "err-alt-required", ""));
    }
    if alt.chars().count() > crate::library::MAX_ALT {
        return Err(AppError::invalid("alt", "err-too-long", &crate::library::MAX_ALT.to_string()));
    }
    let (cleaned, _) = crate::library::store_upload(ctx, bytes, true).await?;
    ctx.db.set_campaign_banner(c.id, &cleaned.sha256, &cleaned.media_type, alt).await?;
    ctx.db.campaign_by_uid(uid).await?.ok_or(AppError::NotFound)
}

/// What an item of a campaign is, as this instance holds it.
pub enum Held {
    Resource(Box<Resource>),
    Event(Box<Event>),
}

/// The publication `ap_id` names, if this instance holds it (its own, or a partner's copy) and
/// it is public.
pub async fn held(ctx: &Core, ap_id: &str) -> AppResult<Option<Held>> {
    let base = ctx.config.base_url();
    let local = |p: &str| ap_id.strip_prefix(&format!("{base}{p}")).map(str::to_string);
    let resource = match local("/r/").or_else(|| local("/s/")) {
        Some(uid) => ctx.db.resource_by_uid(&uid).await?.filter(|r| r.local),
        None => match ctx.db.resource_id_by_ap_id(ap_id).await? {
            Some((id, _)) => ctx.db.load_resources(&[id], false).await?.pop(),
            None => None,
        },
    };
    if let Some(r) = resource {
        return Ok((r.public_status() == Status::Published).then(|| Held::Resource(Box::new(r))));
    }
    let event = match local("/e/") {
        Some(uid) => ctx.db.event_by_uid(&uid).await?.filter(|e| e.local),
        None => ctx.db.event_by_ap_id(ap_id).await?,
    };
    Ok(event.map(|e| Held::Event(Box::new(e))))
}

/// Adds `ap_id` to a campaign. Its organisers' editors add it at once (and the campaign's
/// actor announces it); an editor of another organisation here (`as_org`) proposes it.
pub async fn add_item(ctx: &Core, user: &User, uid: &str, ap_id: &str, as_org: Option<&str>) -> AppResult<String> {
    let c = get(ctx, Some(user), uid).await?;
    let held = held(ctx, ap_id.trim()).await?.ok_or_else(|| AppError::invalid("ap_id", "err-item-unknown", ap_id))?;
    let kind = match held {
        Held::Resource(_) => "resource",
        Held::Event(_) => "event",
    };
    if require_editor(ctx, user, c.org_id).await.is_ok() {
        ctx.db.put_campaign_item(c.id, ap_id.trim(), kind, "approved", None).await?;
        announce(ctx, &c, ap_id.trim(), &held).await?;
        return Ok("approved".into());
    }
    let org = match as_org {
        Some(h) => ctx.db.org_by_handle(h).await?.filter(|o| o.local).ok_or(AppError::Forbidden)?,
        None => return Err(AppError::Forbidden),
    };
    require_editor(ctx, user, org.id).await?;
    ctx.db.put_campaign_item(c.id, ap_id.trim(), kind, "proposed", Some(org.id)).await?;
    Ok("proposed".into())
}

/// The organisers approve a proposed item (or take one out).
pub async fn decide_item(ctx: &Core, user: &User, uid: &str, ap_id: &str, approve: bool) -> AppResult<()> {
    let c = get_for_edit(ctx, user, uid).await?;
    let items = ctx.db.campaign_items(c.id).await?;
    let item = items.iter().find(|i| i.ap_id == ap_id).ok_or(AppError::NotFound)?;
    if !approve {
        return ctx.db.remove_campaign_item(c.id, ap_id).await;
    }
    let held = held(ctx, ap_id).await?.ok_or_else(|| AppError::invalid("ap_id", "err-item-unknown", ap_id))?;
    ctx.db.put_campaign_item(c.id, ap_id, &item.kind, "approved", None).await?;
    announce(ctx, &c, ap_id, &held).await
}

/// The campaign's actor announces a new item to its followers (FEP-1b12), once the campaign
/// is published.
async fn announce(ctx: &Core, c: &Campaign, ap_id: &str, held: &Held) -> AppResult<()> {
    if !c.fields.published {
        return Ok(());
    }
    let Some(group) = ctx.db.org_by_id(c.group_id).await? else { return Ok(()) };
    let (org_id, local, handle) = match held {
        Held::Resource(r) => (r.org_id, r.local, r.org_handle.clone()),
        Held::Event(e) => (e.org_id, e.local, e.org_handle.clone()),
    };
    let author = if local { actor_of(ctx, &handle) } else { ctx.db.org_ap_id(org_id).await?.unwrap_or_default() };
    if crate::federation::share::announce(ctx, &group, ap_id, &author).await? {
        ctx.delivery_bell.notify_one();
    }
    Ok(())
}

/// A campaign's items as this instance holds them, approved ones only unless `all`.
pub async fn items(ctx: &Core, c: &Campaign, all: bool) -> AppResult<Vec<(CampaignItem, Held)>> {
    let mut out = Vec::new();
    for item in ctx.db.campaign_items(c.id).await? {
        if !all && item.state != "approved" {
            continue;
        }
        if let Some(h) = held(ctx, &item.ap_id).await? {
            out.push((item, h));
        }
    }
    Ok(out)
}

/// The title of a published campaign in `lang`, for sharing it.
pub async fn title_of(ctx: &Core, uid: &str, lang: &str) -> AppResult<String> {
    let c = get(ctx, None, uid).await?;
    Ok(c.text_for(lang).map(|(_, t)| t.title.clone()).unwrap_or_default())
}

/// Campaigns `user` may see, newest first.
pub async fn list(ctx: &Core, user: Option<&User>, offset: i64) -> AppResult<Vec<Campaign>> {
    let orgs = match user {
        Some(u) => ctx.db.orgs_of_user(u.id).await?.into_iter().map(|(id, _, _)| id).collect(),
        None => Vec::new(),
    };
    ctx.db.list_campaigns(&orgs, offset, PAGE).await
}
