//! The community of practice: organisations discuss a publication or an event under it. A
//! reply is a `Note` with `inReplyTo` (`federation::replies`), posted in the name of an
//! organisation (never of a person). The organisation that published the object runs the
//! thread: it hides or deletes replies, locks it, limits it to partner organisations, or
//! closes it to replies from outside the network (Mastodon). Its instance is where the thread
//! lives: replies reach it, and it passes those it accepts on to the partners that have the
//! object (its followers).

use minijinja::{context, Value};

use crate::accounts::require_editor;
use crate::db::replies::{NewReply, Reply, Thread};
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::federation::replies as wire;
use crate::model::user::User;
use crate::model::FieldError;

/// The longest reply, in characters.
pub const MAX_REPLY: usize = 5000;
/// Replies one thread takes a minute, from everywhere together; past it senders get 429 and
/// try again later, so that a storm of replies loses nothing and drowns nothing.
pub const THREAD_PER_MINUTE: u32 = 60;

/// What a thread hangs from: a publication or an event, here or a partner's copy.
#[derive(Debug, Clone)]
pub struct Target {
    pub resource_id: Option<i64>,
    pub event_id: Option<i64>,
    /// Its ActivityPub id (ours, or its own server's).
    pub ap_id: String,
    /// The organisation that published it.
    pub org_id: i64,
    pub local: bool,
    /// Its page here.
    pub path: String,
}

impl Target {
    /// The thread under a publication.
    pub fn of_resource(ctx: &Core, r: &crate::model::stored::Resource) -> Target {
        Target {
            resource_id: Some(r.id),
            event_id: None,
            ap_id: r.ap_id.clone().unwrap_or_else(|| crate::federation::objects::object_id(ctx, r)),
            org_id: r.org_id,
            local: r.local,
            path: r.path(),
        }
    }

    /// The thread under an event.
    pub fn of_event(ctx: &Core, e: &crate::db::events::Event) -> Target {
        Target {
            resource_id: None,
            event_id: Some(e.id),
            ap_id: e.ap_id.clone().unwrap_or_else(|| format!("{}/e/{}", ctx.config.base_url(), e.uid)),
            org_id: e.org_id,
            local: e.local,
            path: format!("/e/{}", e.uid),
        }
    }
}

/// The object (or reply) `id` names, if this instance has it: the thread it belongs to.
pub async fn find_target(ctx: &Core, id: &str) -> AppResult<Option<Target>> {
    let base = ctx.config.base_url();
    if let Some(path) = id.strip_prefix(&base) {
        let uid = path.trim_start_matches("/r/").trim_start_matches("/s/");
        if (path.starts_with("/r/") || path.starts_with("/s/")) && !uid.contains('/') {
            if let Some(r) = ctx.db.resource_by_uid(uid).await?.filter(|r| r.local) {
                let ap_id = crate::federation::objects::object_id(ctx, &r);
                return Ok(Some(Target {
                    resource_id: Some(r.id),
                    event_id: None,
                    ap_id,
                    org_id: r.org_id,
                    local: true,
                    path: r.path(),
                }));
            }
        }
        if let Some(uid) = path.strip_prefix("/e/") {
            if let Some(e) = ctx.db.event_by_uid(uid).await?.filter(|e| e.local) {
                return Ok(Some(Target {
                    resource_id: None,
                    event_id: Some(e.id),
                    ap_id: format!("{base}/e/{}", e.uid),
                    org_id: e.org_id,
                    local: true,
                    path: format!("/e/{}", e.uid),
                }));
            }
        }
    }
    if let Some((rid, org_id)) = ctx.db.resource_id_by_ap_id(id).await? {
        let r = ctx.db.load_resources(&[rid], false).await?.pop().ok_or(AppError::NotFound)?;
        return Ok(Some(Target {
            resource_id: Some(rid),
            event_id: None,
            ap_id: id.into(),
            org_id,
            local: false,
            path: r.path(),
        }));
    }
    if let Some(e) = ctx.db.event_by_ap_id(id).await? {
        return Ok(Some(Target {
            resource_id: None,
            event_id: Some(e.id),
            ap_id: id.into(),
            org_id: e.org_id,
            local: false,
            path: format!("/e/{}", e.uid),
        }));
    }
    // a reply to a reply belongs to the same thread
    if let Some(reply) = ctx.db.reply_by_ap_id(id).await? {
        let parent = match (reply.resource_id, reply.event_id) {
            (Some(rid), _) => ctx.db.load_resources(&[rid], false).await?.pop().map(|r| {
                let ap = r.ap_id.clone().unwrap_or_else(|| crate::federation::objects::object_id(ctx, &r));
                (ap, r.org_id, r.local, r.path(), Some(rid), None)
            }),
            (None, Some(eid)) => ctx.db.load_events(&[eid]).await?.pop().map(|e| {
                let ap = e.ap_id.clone().unwrap_or_else(|| format!("{base}/e/{}", e.uid));
                (ap, e.org_id, e.local, format!("/e/{}", e.uid), None, Some(eid))
            }),
            _ => None,
        };
        if let Some((ap_id, org_id, local, path, resource_id, event_id)) = parent {
            return Ok(Some(Target { resource_id, event_id, ap_id, org_id, local, path }));
        }
    }
    Ok(None)
}

/// Whether `user` may act for the organisation that published `t` (its editors).
async fn runs(ctx: &Core, user: &User, t: &Target) -> AppResult<bool> {
    Ok(t.local && require_editor(ctx, user, t.org_id).await.is_ok())
}

/// The organisations `user` may reply for: those it is a member of.
async fn voices(ctx: &Core, user: &User) -> AppResult<Vec<(i64, String)>> {
    Ok(ctx.db.orgs_of_user(user.id).await?.into_iter().map(|(id, h, _)| (id, h)).collect())
}

/// The thread under `t` as its page shows it to `user`.
pub async fn view(ctx: &Core, user: Option<&User>, t: &Target) -> AppResult<Value> {
    let (thread, any) = ctx.db.thread_and_any_reply(&t.ap_id, t.resource_id, t.event_id).await?;
    let (voices, moderator) = match user {
        Some(u) => (voices(ctx, u).await?, runs(ctx, u, t).await?),
        None => (Vec::new(), false),
    };
    // a thread limited to partner organisations is for their members only
    let visible = !thread.partners_only || !voices.is_empty() || user.is_some_and(User::is_admin);
    let replies: Vec<Reply> = if visible && any {
        ctx.db
            .replies_of(t.resource_id, t.event_id)
            .await?
            .into_iter()
            .filter(|r| moderator || !r.hidden)
            .filter(|r| r.public || !voices.is_empty())
            .collect()
    } else {
        Vec::new()
    };
    Ok(context! {
        object => t.ap_id,
        back => t.path,
        visible,
        replies,
        voices => voices.into_iter().map(|(_, h)| h).collect::<Vec<_>>(),
        moderator,
        locked => thread.locked,
        partners_only => thread.partners_only,
        public_replies => thread.public_replies,
    })
}

/// Posts a reply to the thread of `object` in the name of organisation `org`.
pub async fn post(ctx: &Core, user: &User, object: &str, org: &str, content: &str, lang: &str) -> AppResult<Reply> {
    let t = find_target(ctx, object).await?.ok_or(AppError::NotFound)?;
    let o = ctx.db.org_by_handle(org).await?.filter(|o| o.local).ok_or(AppError::Forbidden)?;
    if !voices(ctx, user).await?.iter().any(|(id, _)| *id == o.id) {
        return Err(AppError::Forbidden);
    }
    let text = content.trim();
    if text.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new("content", "err-required", "")]));
    }
    if text.chars().count() > MAX_REPLY {
        return Err(AppError::Invalid(vec![FieldError::new("content", "err-too-long", &MAX_REPLY.to_string())]));
    }
    let thread = ctx.db.thread(&t.ap_id).await?;
    if thread.locked {
        return Err(AppError::Invalid(vec![FieldError::new("content", "err-thread-locked", "")]));
    }
    let uid = crate::db::new_uid();
    let ap_id = format!("{}/n/{uid}", ctx.config.base_url());
    let author = crate::federation::actors::org_id(ctx, &o.handle);
    let reply = ctx
        .db
        .insert_reply(&NewReply {
            uid: &uid,
            ap_id: &ap_id,
            resource_id: t.resource_id,
            event_id: t.event_id,
            in_reply_to: &t.ap_id,
            org_id: Some(o.id),
            author_ap_id: &author,
            author_name: &o.name,
            content: text,
            lang: Some(lang),
            public: !thread.partners_only,
            local: true,
        })
        .await?
        .ok_or_else(|| AppError::internal("reply id taken"))?;
    wire::send_reply(ctx, &o, &t, &reply).await?;
    Ok(reply)
}

/// A moderation step by the publishing organisation's editors: `hide`, `show` or `delete` a
/// reply (`reply` is its uid), or `settings` of the thread.
pub async fn moderate(
    ctx: &Core,
    user: &User,
    object: &str,
    action: &str,
    reply: &str,
    settings: Thread,
) -> AppResult<Target> {
    let t = find_target(ctx, object).await?.ok_or(AppError::NotFound)?;
    if !runs(ctx, user, &t).await? {
        return Err(AppError::Forbidden);
    }
    if action == "settings" {
        ctx.db.set_thread(&t.ap_id, settings).await?;
        return Ok(t);
    }
    let r = ctx.db.reply_by_uid(reply).await?.ok_or(AppError::NotFound)?;
    if r.resource_id != t.resource_id || r.event_id != t.event_id {
        return Err(AppError::NotFound);
    }
    match action {
        "hide" => ctx.db.set_reply_hidden(r.id, true).await?,
        "show" => ctx.db.set_reply_hidden(r.id, false).await?,
        "delete" => ctx.db.delete_reply(r.id).await?,
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    }
    // the partners that have the thread take it out (or, shown again, get it back)
    let org = ctx.db.org_by_id(t.org_id).await?.ok_or(AppError::NotFound)?;
    if action == "show" {
        wire::pass_on(ctx, &org, &t, &r).await?;
    } else {
        wire::send_remove(ctx, &org, &t, &r).await?;
    }
    Ok(t)
}

/// Whether the thread of `t` takes one more reply this minute.
pub fn room_for_one_more(ctx: &Core, t: &Target) -> bool {
    ctx.reply_limiter.allow(&t.ap_id)
}
