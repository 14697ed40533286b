//! Statements: create, read, update (a change to a signed text makes a new version),
//! signatories, and embargoes that lift on time. A statement is a publication of the library
//! (`library` writes it, search and feeds list it); what is its own is here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::federation::publish;
use crate::library;
use crate::model::resource::{NewResource, Resource, Status, TextInput};
use crate::model::statement::{text_digest, Signature, StatementInput, StatementPatch};
use crate::model::user::User;
use crate::model::vocab;

/// The digest of `r`'s text at `version`: its titles and bodies in every language.
pub fn digest_of(r: &NewResource, version: i64) -> String {
    let titles: BTreeMap<String, String> =
        r.texts.iter().map(|t| (t.lang.as_str().to_string(), t.title.clone())).collect();
    let bodies: BTreeMap<String, String> =
        r.texts.iter().map(|t| (t.lang.as_str().to_string(), t.body_html.clone())).collect();
    text_digest(&titles, &bodies, version)
}

/// The digest of a stored statement's text at `version`.
pub fn stored_digest(r: &Resource, version: i64) -> String {
    let titles = r.texts.iter().map(|t| (t.lang.clone(), t.title.clone())).collect();
    let bodies = r.texts.iter().map(|t| (t.lang.clone(), t.body_html.clone())).collect();
    text_digest(&titles, &bodies, version)
}

/// Validates a statement; its version is `before`'s, or the next when its text changed after
/// someone signed it, and its digest is that of its text at that version.
pub async fn validate(ctx: &Core, input: &StatementInput, before: Option<&Resource>) -> AppResult<NewResource> {
    let mut r = input.validate(&ctx.vocab, &ctx.config.extra_content_languages).map_err(AppError::Invalid)?;
    let version = match before.and_then(|b| b.statement.as_ref().map(|s| (b.id, s))) {
        None => 1,
        Some((id, st)) => {
            let changed = digest_of(&r, st.version) != st.digest;
            if changed && ctx.db.has_signatures(id).await? {
                st.version + 1
            } else {
                st.version
            }
        }
    };
    let digest = digest_of(&r, version);
    if let Some(st) = r.statement.as_mut() {
        st.version = version;
        st.digest = digest;
    }
    Ok(r)
}

/// Creates a statement in `input.org`; published, it is public and sent to followers at once,
/// or when its embargo lifts.
pub async fn create(
    ctx: &Core,
    user: &User,
    input: &StatementInput,
    idempotency_key: Option<&str>,
) -> AppResult<Resource> {
    let checked = validate(ctx, input, None).await;
    let r = library::create_checked(ctx, user, &input.org, || checked, idempotency_key).await?;
    if r.hidden_until.is_some() {
        ctx.embargo_bell.notify_one();
    }
    Ok(r)
}

/// A statement by uid, if `user` may see it (as `library::get` decides).
pub async fn get(ctx: &Core, user: Option<&User>, uid: &str) -> AppResult<Resource> {
    let r = library::get(ctx, user, uid).await?;
    if r.statement.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// Back to the input shape: what `amicus export` writes and PATCH starts from.
pub fn to_input(r: &Resource) -> StatementInput {
    let st = r.statement.clone().unwrap_or_default();
    let list = |scheme: &str| r.terms_of(scheme).map(str::to_string).collect::<Vec<_>>();
    StatementInput {
        external_id: Some(r.external_id.clone().unwrap_or_else(|| r.uid.clone())),
        org: r.org_handle.clone(),
        kind: r.resource_type.clone(),
        original_language: r.original_language.clone(),
        translations: r
            .texts
            .iter()
            .map(|t| {
                (t.lang.clone(), TextInput { title: t.title.clone(), summary: t.summary.clone(), body: t.body.clone() })
            })
            .collect(),
        status: Some(r.status.as_str().to_string()),
        embargo_until: st.embargo_until.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        call_to_action: st.call_to_action,
        targets: st.targets,
        hashtags: st.hashtags,
        themes: list(vocab::THEME),
        countries: list(vocab::COUNTRY),
        mechanisms: list(vocab::MECHANISM),
        case: st.case_name,
        open_signing: Some(st.open_signing),
        external_signatories: st.external_signatories,
        published: r.published_on.clone(),
        featured: r.featured.then_some(true),
    }
}

/// Applies a partial update. A change to the text of a statement someone signed makes a new
/// version: earlier signatures then count for the version they signed until confirmed again.
pub async fn update(ctx: &Core, user: &User, uid: &str, patch: StatementPatch) -> AppResult<Resource> {
    let current = library::get_for_edit(ctx, user, uid).await?;
    if current.statement.is_none() {
        return Err(AppError::NotFound);
    }
    if !current.local {
        return Err(AppError::Forbidden);
    }
    let mut input = to_input(&current);
    input.apply(patch);
    input.org = current.org_handle.clone();
    let r = validate(ctx, &input, Some(&current)).await?;
    let bumped = r.statement.as_ref().map(|s| s.version) != current.statement.as_ref().map(|s| s.version);
    let r = library::update_checked(ctx, &current, r).await?;
    if bumped {
        reinvite(ctx, &r).await?;
    }
    if r.hidden_until.is_some() {
        ctx.embargo_bell.notify_one();
    }
    Ok(r)
}

/// After a change to the signed text, everyone who signed an earlier version is invited to
/// confirm the new one (their signature counts for the version they signed until then).
/// The text is saved by then: a signatory that cannot be invited again (its actor forgotten
/// here) is logged, and the others are still invited.
async fn reinvite(ctx: &Core, r: &Resource) -> AppResult<()> {
    for s in r.signatures.iter().filter(|s| s.state == SignatureState::Signed) {
        let Some(org) = ctx.db.org_by_id(s.org_id).await? else { continue };
        let inbox = match org.local {
            true => None,
            false => match inbox_of(ctx, &s.actor).await {
                Ok(inbox) => Some(inbox),
                Err(e) => {
                    tracing::warn!(actor = %s.actor, "cannot invite to confirm version {}: {e}", r.uid);
                    continue;
                }
            },
        };
        send_invite(ctx, r, &org, inbox.as_deref()).await?;
    }
    Ok(())
}

/// The signatures of a statement and the invitations to sign it.
pub async fn signatories(ctx: &Core, r: &Resource) -> AppResult<Vec<Signature>> {
    Ok(ctx.db.signatures_of(&[r.id]).await?.into_iter().map(|(_, s)| s).collect())
}

/// Lifts every embargo that has passed: each publication becomes public and goes to its
/// organisation's followers. Returns when the next embargo ends, if any.
pub async fn lift_embargoes(ctx: &Core) -> AppResult<Option<DateTime<Utc>>> {
    let now = Utc::now();
    let (due, next) = ctx.db.embargoes_due(now).await?;
    for id in due {
        let Some(mut r) = ctx.db.load_resources(&[id], true).await?.pop() else { continue };
        if !r.local {
            // a partner's statement this instance was asked to sign: its own server publishes
            // it; the organisations here that signed now share it, as they chose to
            if ctx.db.lift_embargo(id, now, None, None).await? {
                r.hidden_until = None;
                for org_id in ctx.db.signers_here(id).await? {
                    if let Some(org) = ctx.db.org_by_id(org_id).await? {
                        crate::federation::share::share(ctx, &org, &r).await?;
                    }
                }
                ctx.delivery_bell.notify_one();
            }
            continue;
        }
        // it was hidden until now: whatever its status, the public had not seen it
        let was = if r.hidden_until.is_some() { Status::Draft } else { r.status };
        r.hidden_until = None;
        let change = publish::change(Some(was), Some(r.public_status()));
        let create_id = (change == Some(publish::Change::Created)).then(|| publish::new_create_id(ctx));
        if create_id.is_some() {
            r.create_id = create_id.clone();
            r.published_at = r.published_at.or(Some(now));
        }
        let outgoing = publish::outgoing(ctx, &r, change).await?;
        if ctx.db.lift_embargo(id, now, create_id.as_deref(), outgoing.as_ref()).await? {
            tracing::info!(resource = %r.uid, "embargo lifted");
            ctx.delivery_bell.notify_one();
        }
    }
    Ok(next)
}

/// Lifts embargoes as they end, for as long as the instance runs. Several nodes may run it:
/// each embargo is lifted (and its publication sent) once.
pub async fn embargo_worker(ctx: Core) {
    loop {
        let wait = match lift_embargoes(&ctx).await {
            Ok(Some(next)) => (next - Utc::now()).to_std().unwrap_or_default().min(std::time::Duration::from_secs(60)),
            Ok(None) => std::time::Duration::from_secs(60),
            Err(e) => {
                tracing::warn!("embargoes: {e}");
                std::time::Duration::from_secs(60)
            }
        };
        // a statement embargoed while this sleeps is found at the latest a minute later; the
        // bell wakes it at once
        tokio::select! {
            _ = tokio::time::sleep(wait + std::time::Duration::from_millis(50)) => {}
            _ = ctx.embargo_bell.notified() => {}
        }
    }
}

/// Whether `r`, as the public sees it, is published.
pub fn is_public(r: &Resource) -> bool {
    r.public_status() == Status::Published
}

// ---- co-signing ---------------------------------------------------------------------------

use activitypub_federation::config::Data;
use serde_json::Value;
use url::Url;

use crate::accounts::require_editor;
use crate::db::statements::{Invitation, SignatureChange};
use crate::federation::actors::org_id as actor_of;
use crate::federation::apactor::ApActor;
use crate::federation::cosign::{self, CosignKind};
use crate::federation::{integrity, IGNORED};
use crate::model::org::Org;
use crate::model::statement::SignatureState;

/// The most organisations invited in one request.
pub const MAX_INVITES: usize = 1000;

fn new_activity_id(ctx: &Core, kind: &str) -> String {
    format!("{}/activities/{kind}/{}", ctx.config.base_url(), crate::db::new_uid())
}

/// A statement of this instance that `user` may manage (edit) as its lead organisation.
async fn lead_statement(ctx: &Core, user: &User, uid: &str) -> AppResult<Resource> {
    let r = library::get_for_edit(ctx, user, uid).await?;
    if r.statement.is_none() || !r.local {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// The handle of an organisation of this instance that `target` names (`name`, `@name` or
/// `@name@this.domain`), if it names one here rather than an account elsewhere or a URL.
fn handle_here(ctx: &Core, target: &str) -> Option<String> {
    let t = target.trim();
    let acct = t.trim_start_matches('@');
    let acct = acct.strip_suffix(&format!("@{}", ctx.config.domain)).unwrap_or(acct);
    (!acct.contains('@') && !t.contains("://")).then(|| acct.to_string())
}

/// A local organisation `user` edits, by handle.
async fn own_org(ctx: &Core, user: &User, handle: &str) -> AppResult<Org> {
    let handle = handle_here(ctx, handle).ok_or(AppError::NotFound)?;
    let org = ctx.db.org_by_handle(&handle).await?.filter(|o| o.local).ok_or(AppError::NotFound)?;
    require_editor(ctx, user, org.id).await?;
    Ok(org)
}

/// Who `target` names: an organisation here (`name`, `@name@this.domain`), or an actor on
/// another server, found by WebFinger or its URL (refused when blocked or unknown).
async fn invitee(data: &Data<Core>, target: &str) -> AppResult<(Org, Option<String>)> {
    let t = target.trim();
    let by_url = Url::parse(t).ok().and_then(|u| crate::federation::apactor::local_handle(data, &u));
    if let Some(handle) = by_url.or_else(|| handle_here(data, t)) {
        let org = data.db.org_by_handle(&handle).await?.filter(|o| o.local);
        return org.map(|o| (o, None)).ok_or_else(|| AppError::invalid("target", "err-target-not-found", target));
    }
    let actor = crate::federation::follow::resolve(&crate::federation::context::Fed(data.clone()), t).await?;
    let remote = actor.remote().ok_or_else(|| AppError::invalid("target", "err-target-not-found", target))?;
    let org_id = crate::federation::activities::content::remote_org(data, remote).await?;
    let org = data.db.org_by_id(org_id).await?.ok_or(AppError::NotFound)?;
    Ok((org, Some(remote.inbox.clone())))
}

/// Invites one organisation to sign: at once when it is here, by an `Invite` to its server
/// otherwise. An actor that cannot be found, or is on a blocked server, is refused by name.
pub async fn invite(data: &Data<Core>, user: &User, uid: &str, target: &str) -> AppResult<()> {
    let r = lead_statement(data, user, uid).await?;
    if r.status == Status::Withdrawn {
        return Err(AppError::invalid("id", "err-bad-status", r.status.as_str()));
    }
    let (org, inbox) = invitee(data, target).await?;
    if org.id == r.org_id {
        return Err(AppError::invalid("target", "err-target-lead", target));
    }
    send_invite(data, &r, &org, inbox.as_deref()).await
}

/// Invites many organisations (at most [`MAX_INVITES`]): those here at once, in one
/// transaction; those elsewhere looked up and sent to in the background, 16 at a time.
/// Returns how many were taken and the targets refused for their form alone.
pub async fn invite_many(
    data: &Data<Core>,
    user: &User,
    uid: &str,
    targets: &[String],
) -> AppResult<(usize, Vec<String>)> {
    if targets.len() > MAX_INVITES {
        return Err(AppError::invalid("targets", "err-too-many", &MAX_INVITES.to_string()));
    }
    let r = lead_statement(data, user, uid).await?;
    let mut local = Vec::new();
    let mut remote = Vec::new();
    let mut bad = Vec::new();
    for t in targets {
        let t = t.trim();
        if let Some(here) = handle_here(data, t) {
            match data.db.org_by_handle(&here).await?.filter(|o| o.local && o.id != r.org_id) {
                Some(o) => local.push(o),
                None => bad.push(t.to_string()),
            }
        } else if t.starts_with("https://")
            || t.starts_with("http://")
            || t.trim_start_matches('@').split('@').count() == 2
        {
            remote.push(t.to_string());
        } else {
            bad.push(t.to_string());
        }
    }
    let ids: Vec<i64> = local.iter().map(|o| o.id).collect();
    let fresh = data.db.invite_many(r.id, &ids).await?;
    let st = r.statement.clone().unwrap_or_default();
    let lead = actor_of(data, &r.org_handle);
    for o in local.iter().filter(|o| fresh.contains(&o.id)) {
        let invite_id = new_activity_id(data, "invite");
        let change = SignatureChange { invite_id: Some(&invite_id), ..SignatureChange::default() };
        data.db.set_signature(r.id, o.id, &change).await?;
        data.db.upsert_invitation(o.id, r.id, &lead, &invite_id, (st.version, &st.digest)).await?;
    }
    let taken = local.len() + remote.len();
    let data2 = data.clone();
    let user2 = user.clone();
    let uid2 = uid.to_string();
    tokio::spawn(async move {
        use futures_util::StreamExt;
        futures_util::stream::iter(remote)
            .for_each_concurrent(16, |t| {
                let (data, user, uid) = (data2.clone(), user2.clone(), uid2.clone());
                async move {
                    if let Err(e) = invite(&data, &user, &uid, &t).await {
                        tracing::info!(target = %t, "invitation not sent: {e}");
                    }
                }
            })
            .await;
    });
    Ok((taken, bad))
}

async fn send_invite(data: &Core, r: &Resource, org: &Org, inbox: Option<&str>) -> AppResult<()> {
    let st = r.statement.clone().unwrap_or_default();
    let invite_id = new_activity_id(data, "invite");
    let lead = actor_of(data, &r.org_handle);
    let existing = data.db.signatures_of(&[r.id]).await?.into_iter().find(|(_, s)| s.org_id == org.id);
    // one who signed this very version has nothing to sign again
    if let Some((_, s)) = &existing {
        if s.state == SignatureState::Signed && s.version == Some(st.version) {
            return Ok(());
        }
    }
    let state = match &existing {
        Some((_, s)) if s.state == SignatureState::Signed => None,
        _ => Some(SignatureState::Invited),
    };
    let change = SignatureChange { state, invite_id: Some(&invite_id), ..SignatureChange::default() };
    data.db.set_signature(r.id, org.id, &change).await?;
    match inbox {
        None => {
            data.db.upsert_invitation(org.id, r.id, &lead, &invite_id, (st.version, &st.digest)).await?;
        }
        Some(inbox) => {
            let object = crate::federation::objects::embedded_object(data, r);
            let actor = org.ap_id.clone().unwrap_or_default();
            let doc = cosign::invite(&invite_id, &lead, object, &actor);
            data.db.queue_activity(Some(r.org_id), &invite_id, &doc.to_string(), &[inbox.to_string()]).await?;
            data.delivery_bell.notify_one();
        }
    }
    Ok(())
}

/// An invitation as the invited organisation's editors see it, with the statement's copy.
pub struct Received {
    pub invitation: Invitation,
    pub statement: Resource,
}

/// The pending invitations of organisation `handle`, which `user` edits.
pub async fn invitations(ctx: &Core, user: &User, handle: &str) -> AppResult<Vec<Received>> {
    let org = own_org(ctx, user, handle).await?;
    let list = ctx.db.invitations_of(org.id).await?;
    let ids: Vec<i64> = list.iter().map(|i| i.statement_id).collect();
    let mut statements = ctx.db.load_resources(&ids, true).await?;
    Ok(list
        .into_iter()
        .filter_map(|i| {
            let pos = statements.iter().position(|s| s.id == i.statement_id)?;
            Some(Received { statement: statements.swap_remove(pos), invitation: i })
        })
        .collect())
}

/// The ActivityPub id of a statement (its own server's for a copy).
pub fn ap_id_of(ctx: &Core, r: &Resource) -> String {
    r.ap_id.clone().unwrap_or_else(|| crate::federation::objects::object_id(ctx, r))
}

/// Signs, as organisation `org`, statement `r` at the digest its editor read; the signed
/// acceptance (`Accept` of `invite`, or `Join` when it asks to sign an open statement).
fn signed_acceptance(
    ctx: &Core,
    org: &Org,
    r: &Resource,
    invite: Option<&str>,
    private: &str,
) -> AppResult<(String, Value)> {
    let st = r.statement.clone().unwrap_or_default();
    let actor = actor_of(ctx, &org.handle);
    let statement = ap_id_of(ctx, r);
    let (id, doc) = match invite {
        Some(invite) => {
            let id = new_activity_id(ctx, "accept");
            let doc = cosign::acceptance(&id, &actor, invite, &statement, st.version, &st.digest);
            (id, doc)
        }
        None => {
            let id = new_activity_id(ctx, "join");
            (id.clone(), cosign::request(&id, &actor, &statement, st.version, &st.digest))
        }
    };
    let signed = integrity::sign(doc, &integrity::key_id(&actor), private).map_err(AppError::internal)?;
    Ok((id, signed))
}

/// The inbox of a remote actor this instance knows.
async fn inbox_of(ctx: &Core, actor: &str) -> AppResult<String> {
    let a = ctx.db.remote_actor(actor).await?.ok_or(AppError::NotFound)?;
    Ok(a.shared_inbox.unwrap_or(a.inbox))
}

/// Accepts an invitation: `org` signs the exact text its editors read (`digest`, refused unless
/// it is the statement's current one), and, when `announce`, shares it with its followers.
pub async fn accept(
    ctx: &Core,
    user: &User,
    handle: &str,
    invitation: &str,
    digest: &str,
    announce: bool,
) -> AppResult<()> {
    let org = own_org(ctx, user, handle).await?;
    let inv =
        ctx.db.invitation(org.id, invitation).await?.filter(|i| i.state == "pending").ok_or(AppError::NotFound)?;
    let r = ctx.db.load_resources(&[inv.statement_id], true).await?.pop().ok_or(AppError::NotFound)?;
    let current = r.statement.as_ref().map(|s| s.digest.clone()).unwrap_or_default();
    if digest.trim() != current || inv.digest != current {
        return Err(AppError::invalid("digest", "err-stale-digest", digest));
    }
    let (_, private) = crate::federation::keys::ensure_signing_key(&ctx.db, org.id).await?;
    let (accept_id, signed) = signed_acceptance(ctx, &org, &r, Some(&inv.invite_id), &private)?;
    if r.local {
        record_signed(ctx, &r, org.id, &signed, &accept_id).await?;
    } else {
        let inbox = inbox_of(ctx, &inv.from_actor).await?;
        ctx.db.queue_activity(Some(org.id), &accept_id, &signed.to_string(), &[inbox]).await?;
        ctx.delivery_bell.notify_one();
    }
    ctx.db.set_invitation_state(inv.id, "accepted", Some(&accept_id)).await?;
    if announce && r.public_status() == Status::Published {
        crate::federation::share::share(ctx, &org, &r).await?;
        ctx.delivery_bell.notify_one();
    }
    Ok(())
}

/// Declines an invitation (the lead is told).
pub async fn decline(ctx: &Core, user: &User, handle: &str, invitation: &str) -> AppResult<()> {
    let org = own_org(ctx, user, handle).await?;
    let inv =
        ctx.db.invitation(org.id, invitation).await?.filter(|i| i.state == "pending").ok_or(AppError::NotFound)?;
    let r = ctx.db.load_resources(&[inv.statement_id], false).await?.pop().ok_or(AppError::NotFound)?;
    if r.local {
        let change = SignatureChange { state: Some(SignatureState::Declined), ..SignatureChange::default() };
        ctx.db.set_signature(r.id, org.id, &change).await?;
    } else {
        let id = new_activity_id(ctx, "reject");
        let doc = cosign::answer("Reject", &id, &actor_of(ctx, &org.handle), &inv.invite_id, &ap_id_of(ctx, &r));
        let inbox = inbox_of(ctx, &inv.from_actor).await?;
        ctx.db.queue_activity(Some(org.id), &id, &doc.to_string(), &[inbox]).await?;
        ctx.delivery_bell.notify_one();
    }
    ctx.db.set_invitation_state(inv.id, "declined", None).await
}

/// Signs statement `uid` as `handle` without an invitation: an open statement's lead is asked
/// (`Join`), and approves. With a pending invitation, this accepts it.
pub async fn sign(ctx: &Core, user: &User, uid: &str, handle: &str, digest: &str) -> AppResult<()> {
    let org = own_org(ctx, user, handle).await?;
    let r = get(ctx, Some(user), uid).await?;
    if let Some(inv) = ctx.db.invitation_for(org.id, r.id).await?.filter(|i| i.state == "pending") {
        return accept(ctx, user, handle, &inv.uid, digest, true).await;
    }
    let st = r.statement.clone().unwrap_or_default();
    if !st.open_signing || r.org_id == org.id {
        return Err(AppError::Forbidden);
    }
    if digest.trim() != st.digest {
        return Err(AppError::invalid("digest", "err-stale-digest", digest));
    }
    let (_, private) = crate::federation::keys::ensure_signing_key(&ctx.db, org.id).await?;
    let (join_id, signed) = signed_acceptance(ctx, &org, &r, None, &private)?;
    if r.local {
        let actor = actor_of(ctx, &org.handle);
        let (public, _) = crate::federation::keys::ensure_signing_key(&ctx.db, org.id).await?;
        let key_id = integrity::key_id(&actor);
        let checked =
            cosign::check(&signed, &actor, &ap_id_of(ctx, &r), Some((&key_id, &public))).map_err(AppError::internal)?;
        let change = SignatureChange {
            state: Some(SignatureState::Requested),
            version: Some(checked.version),
            digest: Some(&checked.digest),
            accept_id: Some(&join_id),
            proof: Some(&signed.to_string()),
            verified: Some(true),
            ..SignatureChange::default()
        };
        ctx.db.set_signature(r.id, org.id, &change).await?;
    } else {
        let lead = ctx.db.org_ap_id(r.org_id).await?.ok_or(AppError::NotFound)?;
        let inbox = inbox_of(ctx, &lead).await?;
        ctx.db.queue_activity(Some(org.id), &join_id, &signed.to_string(), &[inbox]).await?;
        ctx.db.record_request(org.id, r.id, &lead, &join_id, (st.version, &st.digest)).await?;
        ctx.delivery_bell.notify_one();
    }
    Ok(())
}

/// The lead approves (or declines) an organisation's request to sign an open statement.
pub async fn answer_request(ctx: &Core, user: &User, uid: &str, signer: &str, approve: bool) -> AppResult<()> {
    let r = lead_statement(ctx, user, uid).await?;
    let acct = signer.trim().trim_start_matches('@');
    let sig = r
        .signatures
        .iter()
        .find(|s| {
            s.state == SignatureState::Requested
                && (s.handle == acct || s.acct(&ctx.config.domain) == format!("@{acct}"))
        })
        .cloned()
        .ok_or(AppError::NotFound)?;
    let state = if approve { SignatureState::Signed } else { SignatureState::Declined };
    let now = Utc::now();
    let change =
        SignatureChange { state: Some(state), signed_at: approve.then_some(now), ..SignatureChange::default() };
    ctx.db.set_signature(r.id, sig.org_id, &change).await?;
    if !sig.local {
        let id = new_activity_id(ctx, if approve { "accept" } else { "reject" });
        let kind = if approve { "Accept" } else { "Reject" };
        let lead = actor_of(ctx, &r.org_handle);
        let doc = cosign::answer(kind, &id, &lead, sig.accept_id.as_deref().unwrap_or_default(), &ap_id_of(ctx, &r));
        let inbox = inbox_of(ctx, &sig.actor).await?;
        ctx.db.queue_activity(Some(r.org_id), &id, &doc.to_string(), &[inbox]).await?;
    }
    if approve {
        signatories_changed(ctx, r.id).await?;
    }
    Ok(())
}

/// Withdraws `handle`'s signature of statement `uid` (`Undo` of its acceptance).
pub async fn withdraw(ctx: &Core, user: &User, uid: &str, handle: &str) -> AppResult<()> {
    let org = own_org(ctx, user, handle).await?;
    let r = get(ctx, Some(user), uid).await?;
    if r.local {
        let sig = r.signatures.iter().find(|s| s.org_id == org.id && s.state == SignatureState::Signed);
        sig.ok_or(AppError::NotFound)?;
        let change = SignatureChange { state: Some(SignatureState::Withdrawn), ..SignatureChange::default() };
        ctx.db.set_signature(r.id, org.id, &change).await?;
        if let Some(inv) = ctx.db.invitation_for(org.id, r.id).await? {
            ctx.db.set_invitation_state(inv.id, "withdrawn", None).await?;
        }
        return signatories_changed(ctx, r.id).await;
    }
    // signed before (perhaps an earlier version, with an invitation to confirm a new one pending)
    let inv = ctx.db.invitation_for(org.id, r.id).await?;
    let inv = inv.filter(|i| i.accept_id.is_some() && i.state != "withdrawn" && i.state != "declined");
    let inv = inv.ok_or(AppError::NotFound)?;
    let accept_id = inv.accept_id.clone().ok_or(AppError::NotFound)?;
    let id = new_activity_id(ctx, "undo");
    let doc = cosign::answer("Undo", &id, &actor_of(ctx, &org.handle), &accept_id, &ap_id_of(ctx, &r));
    let inbox = inbox_of(ctx, &inv.from_actor).await?;
    ctx.db.queue_activity(Some(org.id), &id, &doc.to_string(), &[inbox]).await?;
    ctx.delivery_bell.notify_one();
    ctx.db.set_invitation_state(inv.id, "withdrawn", None).await
}

/// Records a checked acceptance of a statement of this instance and tells everyone who has it.
async fn record_signed(ctx: &Core, r: &Resource, org_id: i64, signed: &Value, accept_id: &str) -> AppResult<()> {
    let st = r.statement.clone().unwrap_or_default();
    let proof = signed.to_string();
    let change = SignatureChange {
        state: Some(SignatureState::Signed),
        version: Some(st.version),
        digest: Some(&st.digest),
        accept_id: Some(accept_id),
        proof: Some(&proof),
        verified: Some(true),
        signed_at: Some(Utc::now()),
        ..SignatureChange::default()
    };
    ctx.db.set_signature(r.id, org_id, &change).await?;
    signatories_changed(ctx, r.id).await
}

/// Sends the statement, with its signatories as they are now, to everyone who has it: its
/// organisation's followers (once public), and every organisation that signed or was asked.
/// An earlier list still waiting for a server is not sent: the newest stands for it.
pub async fn signatories_changed(ctx: &Core, statement_id: i64) -> AppResult<()> {
    let Some(r) = ctx.db.load_resources(&[statement_id], true).await?.pop() else { return Ok(()) };
    if r.status != Status::Published && r.hidden_until.is_none() {
        return Ok(());
    }
    let inboxes = ctx.db.signatory_inboxes(r.id).await?;
    if let Some(out) = publish::update_for(ctx, &r, inboxes).await? {
        ctx.db.queue_activity(out.org_id, &out.ap_id, &out.json, &out.inboxes).await?;
        // signatures arriving together: each server needs only the newest list (queued first,
        // so that a crash between the two sends both rather than neither)
        let superseded =
            ctx.db.supersede_deliveries(&publish::update_series(ctx, &r), &out.ap_id, &out.inboxes).await?;
        if superseded > 0 {
            tracing::debug!(statement = %r.uid, superseded, "older signatory lists not sent");
        }
        ctx.delivery_bell.notify_one();
    }
    Ok(())
}

/// A statement of this instance named by its ActivityPub id (`<base>/s/<uid>`).
async fn local_statement(ctx: &Core, id: &Url) -> AppResult<Option<Resource>> {
    let Some(uid) = id.as_str().strip_prefix(&format!("{}/s/", ctx.config.base_url())) else { return Ok(None) };
    Ok(ctx.db.resource_by_uid(uid).await?.filter(|r| r.local && r.statement.is_some()))
}

/// A co-signing activity from `actor` arrived (see `federation::cosign`).
pub async fn received(
    data: &Data<Core>,
    kind: CosignKind,
    actor: &Url,
    object: &str,
    statement: &Url,
    raw: &Value,
    activity: &Url,
) -> AppResult<()> {
    let Some(r) = local_statement(data, statement).await? else {
        // an answer to a request an organisation here sent to an open statement elsewhere
        let Some(inv) = data.db.invitation_by_accept(object).await? else { return Err(AppError::BadRequest(IGNORED)) };
        if inv.from_actor != actor.as_str() {
            return Err(AppError::BadRequest(IGNORED));
        }
        match kind {
            CosignKind::Accept => {
                let org = data.db.org_by_id(inv.org_id).await?.ok_or(AppError::BadRequest(IGNORED))?;
                if let Some(copy) = data.db.load_resources(&[inv.statement_id], true).await?.pop() {
                    crate::federation::share::share(data, &org, &copy).await?;
                    data.delivery_bell.notify_one();
                }
            }
            CosignKind::Reject => data.db.set_invitation_state(inv.id, "declined", None).await?,
            _ => return Err(AppError::BadRequest(IGNORED)),
        }
        return Ok(());
    };
    let signer = signer_org(data, actor).await?;
    let st = r.statement.clone().unwrap_or_default();
    match kind {
        CosignKind::Accept | CosignKind::Join => {
            if kind == CosignKind::Accept {
                // only the organisation invited answers its invitation
                let (sid, oid) = data.db.signature_by_invite(object).await?.ok_or(AppError::BadRequest(IGNORED))?;
                if sid != r.id || oid != signer.id {
                    return Err(AppError::BadRequest("error-forged-signature"));
                }
            } else if !st.open_signing {
                return Err(AppError::BadRequest(IGNORED));
            }
            let key = cosign::signer_key(data, actor).await?;
            let key = key.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            let checked = cosign::check(raw, actor.as_str(), statement.as_str(), key).map_err(|why| {
                tracing::info!(%actor, "signature refused: {why}");
                AppError::BadRequest("error-forged-signature")
            })?;
            if checked.digest != st.digest || checked.version != st.version {
                return Err(AppError::BadRequest("error-stale-digest"));
            }
            let proof = raw.to_string();
            let change = SignatureChange {
                state: Some(if kind == CosignKind::Accept {
                    SignatureState::Signed
                } else {
                    SignatureState::Requested
                }),
                version: Some(checked.version),
                digest: Some(&checked.digest),
                accept_id: Some(activity.as_str()),
                proof: Some(&proof),
                verified: Some(true),
                signed_at: (kind == CosignKind::Accept).then(Utc::now),
                ..SignatureChange::default()
            };
            data.db.set_signature(r.id, signer.id, &change).await?;
            if kind == CosignKind::Accept {
                signatories_changed(data, r.id).await?;
            }
        }
        CosignKind::Reject => {
            let (sid, oid) = data.db.signature_by_invite(object).await?.ok_or(AppError::BadRequest(IGNORED))?;
            if sid != r.id || oid != signer.id {
                return Err(AppError::BadRequest(IGNORED));
            }
            let change = SignatureChange { state: Some(SignatureState::Declined), ..SignatureChange::default() };
            data.db.set_signature(r.id, signer.id, &change).await?;
        }
        CosignKind::Undo => {
            let (sid, oid) = data.db.signature_by_accept(object).await?.ok_or(AppError::BadRequest(IGNORED))?;
            if sid != r.id || oid != signer.id {
                return Err(AppError::BadRequest(IGNORED));
            }
            let change = SignatureChange { state: Some(SignatureState::Withdrawn), ..SignatureChange::default() };
            data.db.set_signature(r.id, signer.id, &change).await?;
            signatories_changed(data, r.id).await?;
        }
    }
    Ok(())
}

/// The organisation row of a signer: one of this instance, or one standing for a remote actor.
async fn signer_org(data: &Data<Core>, actor: &Url) -> AppResult<Org> {
    if let Some(handle) = crate::federation::apactor::local_handle(data, actor) {
        return data.db.org_by_handle(&handle).await?.filter(|o| o.local).ok_or(AppError::BadRequest(IGNORED));
    }
    let a: ApActor =
        activitypub_federation::fetch::object_id::ObjectId::<ApActor>::from(actor.clone()).dereference(data).await?;
    let remote = a.remote().ok_or(AppError::BadRequest(IGNORED))?;
    let id = crate::federation::activities::content::remote_org(data, remote).await?;
    data.db.org_by_id(id).await?.ok_or(AppError::BadRequest(IGNORED))
}

/// A remote organisation's actor was deleted: its signatures no longer count, and the
/// statements of this instance it had signed tell everyone who has them.
pub async fn signatory_gone(ctx: &Core, actor: &Url) -> AppResult<()> {
    let Some(org) = ctx.db.org_by_ap_id(actor.as_str()).await? else { return Ok(()) };
    for statement in ctx.db.withdraw_signatures_of(org.id).await? {
        signatories_changed(ctx, statement).await?;
    }
    Ok(())
}

/// An organisation here was invited to sign a statement of another server, whose copy was just
/// stored: the digest it carries must be that of its text, or nobody could know what they sign.
pub async fn invited(data: &Data<Core>, org: &Org, from: &str, object: &Value, invite_id: &str) -> AppResult<()> {
    let id = object.get("id").and_then(Value::as_str).ok_or(AppError::BadRequest("error-bad-activity"))?;
    let (rid, _) = data.db.resource_id_by_ap_id(id).await?.ok_or(AppError::BadRequest(IGNORED))?;
    let version = object.get("amicus:version").and_then(Value::as_i64).unwrap_or(1);
    let digest = object.get("amicus:digest").and_then(Value::as_str).unwrap_or_default();
    let map = |key: &str| -> std::collections::BTreeMap<String, String> {
        object
            .get(key)
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
            .unwrap_or_default()
    };
    if text_digest(&map("nameMap"), &map("contentMap"), version) != digest {
        return Err(AppError::BadRequest("error-bad-digest"));
    }
    data.db.upsert_invitation(org.id, rid, from, invite_id, (version, digest)).await?;
    Ok(())
}

/// The signatories of a partner's statement, as its latest copy lists them: each signed
/// acceptance is checked against its signer's own key, and only those that hold are kept.
/// Those that signed before and are gone from the list have withdrawn.
pub async fn sync_signatures(data: &Data<Core>, rid: i64, statement: &Url, object: &Value) -> AppResult<()> {
    use futures_util::StreamExt;
    let items: Vec<Value> = object
        .pointer("/amicus:signatories/orderedItems")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|i| i.get("amicus:acceptance").is_some()).take(2000).cloned().collect())
        .unwrap_or_default();
    let known: Vec<Signature> = data.db.signatures_of(&[rid]).await?.into_iter().map(|(_, s)| s).collect();
    let base = &data.config.base_url();
    // each signatory's org, and what changed about it (`None`: nothing, as it was checked before)
    type Seen = (i64, Option<(cosign::Checked, String)>);
    let checked: Vec<Option<Seen>> = futures_util::stream::iter(items)
        .map(|item| {
            let known = &known;
            async move {
                let actor = Url::parse(item.get("id")?.as_str()?).ok()?;
                let doc = item.get("amicus:acceptance")?;
                let accept_id = doc.get("id").and_then(Value::as_str)?;
                // checked once: a signature already verified stays so, even if its lead is gone
                // (found by its acceptance and actor, without looking the actor up again)
                let same =
                    |s: &&Signature| s.accept_id.as_deref() == Some(accept_id) && s.actor_id(base) == actor.as_str();
                if let Some(s) = known.iter().find(same) {
                    if s.verified && s.state == SignatureState::Signed {
                        return Some((s.org_id, None));
                    }
                }
                let org = signer_org(data, &actor).await.ok()?;
                let key = cosign::signer_key(data, &actor).await.ok().flatten();
                let key = key.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
                match cosign::check(doc, actor.as_str(), statement.as_str(), key) {
                    Ok(c) => Some((org.id, Some((c, doc.to_string())))),
                    Err(why) => {
                        tracing::info!(%actor, "a signature of {statement} does not hold: {why}");
                        None
                    }
                }
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut present = Vec::new();
    for (org_id, changed) in checked.into_iter().flatten() {
        present.push(org_id);
        // a signature already listed is not written again: an Update per new signature would
        // otherwise rewrite every earlier one, on every instance
        let Some((c, proof)) = changed else { continue };
        let change = SignatureChange {
            state: Some(SignatureState::Signed),
            version: Some(c.version),
            digest: Some(&c.digest),
            accept_id: Some(&c.id),
            proof: Some(&proof),
            verified: Some(true),
            signed_at: Some(c.signed_at.unwrap_or_else(Utc::now)),
            ..SignatureChange::default()
        };
        data.db.set_signature(rid, org_id, &change).await?;
    }
    for s in known.iter().filter(|s| s.state == SignatureState::Signed && !present.contains(&s.org_id)) {
        let change = SignatureChange { state: Some(SignatureState::Withdrawn), ..SignatureChange::default() };
        data.db.set_signature(rid, s.org_id, &change).await?;
    }
    Ok(())
}
