//! The resource library's operations: create, update, publish, withdraw, delete, attach,
//! read and search. Pages, the API and the CLI all call these, so the rules (who may do
//! what, what is valid, what is indexed) live in one place.

use crate::accounts::{require_editor, viewer_scope};
use crate::db::resources::Write;
use crate::db::search::{Facets, Filters};
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::federation::publish;
use crate::media;
use crate::model::resource::{made_public_at, Attachment, NewResource, Resource, ResourceInput, ResourcePatch, Status};
use crate::model::text::markdown_to_plain;
use crate::model::user::User;
use crate::search::IndexDoc;

/// The search document of a resource: its texts in every language, its vocabulary labels
/// in all four languages, and the case numbers it mentions.
pub fn index_doc(ctx: &Core, r: &NewResource) -> IndexDoc {
    let a = &ctx.analyzer;
    let mut doc = IndexDoc::default();
    let mut keywords = String::new();
    let push = |field: &mut String, tokens: String| {
        if !tokens.is_empty() {
            if !field.is_empty() {
                field.push(' ');
            }
            field.push_str(&tokens);
        }
    };
    for t in &r.texts {
        let lang = t.lang.as_str();
        push(&mut doc.title, a.tokens(&t.title, lang));
        push(&mut doc.summary, a.tokens(&t.summary, lang));
        let plain = markdown_to_plain(&t.body);
        push(&mut doc.body, a.tokens(&plain, lang));
        for text in [&t.title, &t.summary, &plain] {
            push(&mut keywords, a.keywords(text));
        }
    }
    let mut tags = vec![(ctx.vocab.kind_scheme(&r.resource_type), r.resource_type.as_str())];
    tags.extend(r.terms.iter().map(|(s, t)| (s.as_str(), t.as_str())));
    for (scheme, id) in tags {
        for (lang, label) in ctx.vocab.all_labels(scheme, id) {
            push(&mut doc.tags, a.tokens(label, lang));
        }
    }
    let mut seen = std::collections::HashSet::new();
    doc.keywords = keywords.split(' ').filter(|k| !k.is_empty() && seen.insert(*k)).collect::<Vec<_>>().join(" ");
    doc
}

/// Validates an input against this instance's vocabularies and languages.
pub fn validate(ctx: &Core, input: &ResourceInput) -> AppResult<NewResource> {
    input.validate(&ctx.vocab, &ctx.config.extra_content_languages).map_err(AppError::Invalid)
}

/// Creates a resource in `input.org` on behalf of `user`; a published one is announced to
/// the organisation's followers in the same transaction. With an `Idempotency-Key`, a request
/// made again (the answer to the first was lost) returns the resource the first created.
pub async fn create(
    ctx: &Core,
    user: &User,
    input: &ResourceInput,
    idempotency_key: Option<&str>,
) -> AppResult<Resource> {
    create_checked(ctx, user, &input.org, || validate(ctx, input), idempotency_key).await
}

/// Creates a publication (a resource, a statement) that `check` validates, once the rights
/// of `user` in organisation `org` and the idempotency key are checked.
pub async fn create_checked(
    ctx: &Core,
    user: &User,
    org: &str,
    check: impl FnOnce() -> AppResult<NewResource>,
    idempotency_key: Option<&str>,
) -> AppResult<Resource> {
    let org = ctx.db.org_by_handle(org).await?.ok_or_else(|| AppError::invalid("org", "err-no-such-org", org))?;
    if !org.local {
        return Err(AppError::Forbidden);
    }
    require_editor(ctx, user, org.id).await?;
    if let Some(key) = idempotency_key {
        if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::invalid("idempotency_key", "err-bad-idempotency-key", ""));
        }
        if let Some(id) = ctx.db.resource_id_by_idempotency_key(org.id, key).await? {
            return load(ctx, id).await;
        }
    }
    let r = check()?;
    let doc = index_doc(ctx, &r);
    let uid = crate::db::new_uid();
    let now = chrono::Utc::now();
    let mut preview = Resource::preview(&r, 0, &uid, (org.id, &org.handle, &org.name), (now, now, None), Vec::new());
    let published_at = made_public_at(None, preview.public_status(), now);
    preview.published_at = published_at;
    let change = publish::change(None, Some(preview.public_status()));
    preview.create_id = (change == Some(publish::Change::Created)).then(|| publish::new_create_id(ctx));
    let outgoing = publish::outgoing(ctx, &preview, change).await?;
    let write = Write {
        id: None,
        uid: Some(&uid),
        org_id: org.id,
        resource: &r,
        doc: &doc,
        outgoing: outgoing.as_ref(),
        remote: None,
        published_at,
        create_id: preview.create_id.as_deref(),
        idempotency_key,
    };
    let written = match ctx.db.write_resources(&[write]).await {
        // the same request, at the same moment: the first one's resource
        Err(AppError::Conflict(_)) if idempotency_key.is_some() => {
            let key = idempotency_key.unwrap_or_default();
            let id = ctx.db.resource_id_by_idempotency_key(org.id, key).await?;
            return match id {
                Some(id) => load(ctx, id).await,
                None => Err(AppError::Conflict("external_id")),
            };
        }
        other => other?,
    };
    ctx.delivery_bell.notify_one();
    let id = written.first().map(|(id, _)| *id).ok_or_else(|| AppError::internal("no resource written"))?;
    load(ctx, id).await
}

async fn load(ctx: &Core, id: i64) -> AppResult<Resource> {
    ctx.db.load_resources(&[id], true).await?.pop().ok_or(AppError::NotFound)
}

/// A resource by uid, if `user` may see it. Drafts exist only for their organisation
/// (404 to everyone else); a withdrawn resource is gone (410) for everyone else.
pub async fn get(ctx: &Core, user: Option<&User>, uid: &str) -> AppResult<Resource> {
    let r = ctx.db.resource_by_uid(uid).await?.ok_or(AppError::NotFound)?;
    if r.public_status() != Status::Published {
        let member = match user {
            Some(u) => crate::accounts::org_role(ctx, u, r.org_id).await?.is_some(),
            None => false,
        };
        match (member, r.status) {
            (true, _) => {}
            (false, Status::Withdrawn) => return Err(AppError::Gone),
            (false, _) => return Err(AppError::NotFound),
        }
    }
    Ok(r)
}

/// A resource `user` may edit.
pub async fn get_for_edit(ctx: &Core, user: &User, uid: &str) -> AppResult<Resource> {
    let r = ctx.db.resource_by_uid(uid).await?.ok_or(AppError::NotFound)?;
    if require_editor(ctx, user, r.org_id).await.is_err() {
        // do not reveal drafts of other organisations
        return Err(if r.status == Status::Draft { AppError::NotFound } else { AppError::Forbidden });
    }
    Ok(r)
}

/// Applies a partial update: a translation added or changed alone, terms, status...
pub async fn update(ctx: &Core, user: &User, uid: &str, patch: ResourcePatch) -> AppResult<Resource> {
    let current = get_for_edit(ctx, user, uid).await?;
    if current.statement.is_some() {
        return Err(AppError::NotFound);
    }
    let mut input = current.to_input();
    if current.external_id.is_none() {
        input.external_id = None;
    }
    input.apply(patch);
    let r = validate(ctx, &input)?;
    update_checked(ctx, &current, r).await
}

/// Writes `r` over `current` (which the caller checked may be edited), announcing the change.
pub async fn update_checked(ctx: &Core, current: &Resource, r: NewResource) -> AppResult<Resource> {
    let doc = index_doc(ctx, &r);
    let org = (current.org_id, current.org_handle.as_str(), current.org_name.as_str());
    let now = chrono::Utc::now();
    let mut preview = Resource::preview(
        &r,
        current.id,
        &current.uid,
        org,
        (current.created_at, now, current.published_at),
        current.attachments.clone(),
    );
    let published_at = made_public_at(current.published_at, preview.public_status(), now);
    preview.published_at = published_at;
    let change = publish::change(Some(current.public_status()), Some(preview.public_status()));
    let new_create = (change == Some(publish::Change::Created)).then(|| publish::new_create_id(ctx));
    preview.create_id = new_create.clone().or(current.create_id.clone());
    let outgoing = publish::outgoing(ctx, &preview, change).await?;
    let write = Write {
        id: Some(current.id),
        uid: None,
        org_id: current.org_id,
        resource: &r,
        doc: &doc,
        outgoing: outgoing.as_ref(),
        remote: None,
        published_at,
        create_id: new_create.as_deref(),
        idempotency_key: None,
    };
    ctx.db.write_resources(&[write]).await?;
    ctx.delivery_bell.notify_one();
    load(ctx, current.id).await
}

pub async fn set_status(ctx: &Core, user: &User, uid: &str, status: Status) -> AppResult<Resource> {
    let r = get_for_edit(ctx, user, uid).await?;
    let mut after = r.clone();
    after.status = status;
    after.updated_at = chrono::Utc::now();
    after.published_at = made_public_at(r.published_at, after.public_status(), after.updated_at);
    let change = publish::change(Some(r.public_status()), Some(after.public_status()));
    let new_create = (change == Some(publish::Change::Created)).then(|| publish::new_create_id(ctx));
    if new_create.is_some() {
        after.create_id = new_create.clone();
    }
    let outgoing = publish::outgoing(ctx, &after, change).await?;
    ctx.db.set_resource_status(r.id, status, after.published_at, new_create.as_deref(), outgoing.as_ref()).await?;
    ctx.delivery_bell.notify_one();
    load(ctx, r.id).await
}

/// `org`, which `user` edits, shares (announces) a published resource, its own or a
/// partner's, with its followers. False when nobody follows `org` yet (nothing is sent).
pub async fn share(ctx: &Core, user: &User, uid: &str, org: &str) -> AppResult<bool> {
    let org = ctx.db.org_by_handle(org).await?.filter(|o| o.local).ok_or(AppError::NotFound)?;
    crate::accounts::require_editor(ctx, user, org.id).await?;
    let r = get(ctx, Some(user), uid).await?;
    if r.public_status() != Status::Published {
        return Err(AppError::invalid("id", "err-bad-status", r.status.as_str()));
    }
    let sent = crate::federation::share::share(ctx, &org, &r).await?;
    if sent {
        ctx.delivery_bell.notify_one();
    }
    Ok(sent)
}

/// Deletes a resource for good, with the files only it used.
pub async fn delete(ctx: &Core, user: &User, uid: &str) -> AppResult<()> {
    let r = get_for_edit(ctx, user, uid).await?;
    let outgoing = publish::outgoing(ctx, &r, publish::change(Some(r.public_status()), None)).await?;
    let orphans = ctx.db.delete_resource(r.id, outgoing.as_ref()).await?;
    ctx.delivery_bell.notify_one();
    remove_files(ctx, orphans).await
}

/// Removes stored files no resource uses any more (`Db::delete_resource` names them): a
/// deleted partner's copy leaves no cached file behind either.
pub async fn remove_files(ctx: &Core, orphans: Vec<String>) -> AppResult<()> {
    if orphans.is_empty() {
        return Ok(());
    }
    let store = ctx.store.clone();
    tokio::task::spawn_blocking(move || {
        for sha in orphans {
            if let Err(e) = store.delete(&sha) {
                tracing::warn!("could not remove file {sha}: {e}");
            }
        }
    })
    .await?;
    Ok(())
}

/// The longest description of an image (Mastodon's limit).
pub const MAX_ALT: usize = 1500;

/// Checks, cleans and stores an uploaded file, then attaches it in language `lang`.
pub async fn attach(
    ctx: &Core,
    user: &User,
    uid: &str,
    lang: &str,
    name: &str,
    alt: &str,
    bytes: Vec<u8>,
) -> AppResult<Attachment> {
    let r = get_for_edit(ctx, user, uid).await?;
    let lang = crate::model::lang::ContentLang::parse(lang, &ctx.config.extra_content_languages)
        .ok_or_else(|| AppError::invalid("lang", "err-unsupported-language", lang))?;
    if bytes.len() as u64 > ctx.config.max_upload_bytes {
        return Err(AppError::TooLarge);
    }
    let alt = alt.trim();
    if alt.chars().count() > MAX_ALT {
        return Err(AppError::invalid("alt", "err-too-long", &MAX_ALT.to_string()));
    }
    // an image no one can describe is an image some readers cannot read (asked before
    // anything is stored)
    if alt.is_empty() && media::is_image(&bytes) {
        return Err(AppError::invalid("alt", "err-alt-required", ""));
    }
    let (cleaned, thumb) = store_upload(ctx, bytes, false).await?;
    let name = clean_file_name(name, &cleaned.media_type);
    let a = Attachment {
        uid: crate::db::new_uid(),
        lang: lang.as_str().to_string(),
        name,
        media_type: cleaned.media_type,
        size: cleaned.bytes.len() as i64,
        sha256: cleaned.sha256,
        alt: Some(alt.to_string()).filter(|a| !a.is_empty()),
        thumb,
        remote: None,
    };
    // followers of a published resource get an Update listing the new file
    let mut after = r.clone();
    after.attachments.push(a.clone());
    after.updated_at = chrono::Utc::now();
    let outgoing = publish::outgoing(ctx, &after, publish::change(Some(r.status), Some(r.status))).await?;
    ctx.db.insert_attachment(r.id, &a, outgoing.as_ref()).await?;
    ctx.delivery_bell.notify_one();
    Ok(a)
}

/// Checks and cleans an upload (see `media::clean`) and puts it in the file store, off the
/// async runtime. `images_only` is for logos.
pub async fn store_upload(
    ctx: &Core,
    bytes: Vec<u8>,
    images_only: bool,
) -> AppResult<(media::Cleaned, Option<String>)> {
    let store = ctx.store.clone();
    let _permit = ctx.heavy_work.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let c = media::clean(bytes, images_only)?;
        store.put(&c.sha256, &c.bytes)?;
        // an attached image's preview goes in the store too, under its own digest
        let thumb = match &c.thumbnail {
            Some(t) if !images_only => {
                let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(t));
                store.put(&sha, t)?;
                Some(sha)
            }
            _ => None,
        };
        Ok((c, thumb))
    })
    .await?
}

/// Where an attachment's file is on disk, to be streamed. A remote resource's file is
/// fetched from its server the first time, checked against the digest its server declared and
/// against the types an upload may have (but left as it is, so it stays the file its digest
/// names), and kept; `a` is updated to match. Two readers asking at once share one fetch.
pub async fn attachment_file(ctx: &Core, a: &mut Attachment) -> AppResult<std::path::PathBuf> {
    if a.sha256.is_empty() {
        let lock = ctx.fetching.lock_for(&a.uid);
        let held = lock.lock().await;
        // the reader who held the lock before may have fetched it meanwhile
        let fetched = match ctx.db.attachment_by_uid(&a.uid).await {
            Ok(Some((_, stored))) if !stored.sha256.is_empty() => {
                *a = stored;
                Ok(())
            }
            Ok(_) => fetch_remote_file(ctx, a).await,
            Err(e) => Err(e),
        };
        drop(held);
        ctx.fetching.release(&a.uid);
        fetched?;
    }
    let store = ctx.store.clone();
    let sha256 = a.sha256.clone();
    tokio::task::spawn_blocking(move || store.local_path(&sha256)).await?.map_err(|_| AppError::NotFound)
}

async fn fetch_remote_file(ctx: &Core, a: &mut Attachment) -> AppResult<()> {
    let remote = a.remote.clone().ok_or(AppError::NotFound)?;
    let bytes = crate::federation::files::fetch(ctx, &remote.url, ctx.config.max_upload_bytes).await?;
    let store = ctx.store.clone();
    // sniffing and hashing tens of megabytes: off the async runtime, and once
    let cleaned = tokio::task::spawn_blocking(move || {
        let c = media::check(bytes)?;
        if remote.digest.as_ref().is_some_and(|declared| *declared != c.sha256) {
            tracing::warn!("a remote file does not match its declared digest");
            return Err(AppError::RemoteUnavailable("remote file does not match its digest".into()));
        }
        store.put(&c.sha256, &c.bytes)?;
        Ok(c)
    })
    .await??;
    ctx.db.set_attachment_file(&a.uid, &cleaned.sha256, &cleaned.media_type, cleaned.bytes.len() as i64).await?;
    a.sha256 = cleaned.sha256;
    a.media_type = cleaned.media_type;
    a.size = cleaned.bytes.len() as i64;
    Ok(())
}

/// One lock per file being fetched, so that a file is fetched once however many ask.
#[derive(Default)]
pub struct Fetching(std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>);

impl Fetching {
    fn lock_for(&self, uid: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        match self.0.lock() {
            Ok(mut map) => map.entry(uid.to_string()).or_default().clone(),
            Err(_) => std::sync::Arc::default(),
        }
    }

    fn release(&self, uid: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(uid);
        }
    }
}

/// Reads a stored file, off the async runtime; a missing file is `NotFound`.
pub async fn read_file(ctx: &Core, sha256: String) -> AppResult<Vec<u8>> {
    let store = ctx.store.clone();
    tokio::task::spawn_blocking(move || store.get(&sha256)).await?.map_err(|_| AppError::NotFound)
}

/// A display file name without paths or control characters, ending in the extension of
/// the type the bytes really have.
pub fn clean_file_name(name: &str, media_type: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem: String = base
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(base)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ';'))
        .take(100)
        .collect();
    let stem = if stem.trim().is_empty() { "file".to_string() } else { stem.trim().to_string() };
    format!("{stem}.{}", extension(media_type))
}

pub fn extension(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.oasis.opendocument.text" => "odt",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "audio/mpeg" => "mp3",
        "audio/ogg" => "ogg",
        "audio/x-wav" => "wav",
        "audio/m4a" => "m4a",
        "audio/x-flac" => "flac",
        "audio/webm" | "video/webm" => "webm",
        "video/mp4" => "mp4",
        "video/ogg" => "ogv",
        _ => "bin",
    }
}

/// One page of search results with facet counts.
pub struct Results {
    pub items: Vec<Resource>,
    pub more: bool,
    pub facets: Option<Facets>,
}

/// Searches the library as `user` sees it. Facets are computed only when asked for
/// (the HTML library page), since the API does not show them.
pub async fn search(
    ctx: &Core,
    user: Option<&User>,
    mut f: Filters,
    offset: i64,
    limit: i64,
    with_facets: bool,
) -> AppResult<Results> {
    f.viewer = viewer_scope(ctx, user).await?;
    let found = ctx.index.search(&ctx.db, &f, offset, limit, with_facets).await?;
    let items = ctx.db.load_resources(&found.ids, false).await?;
    Ok(Results { items, more: found.more, facets: found.facets })
}

/// A search of this instance's index and of every partner's (`scope=network`).
pub struct NetworkResults {
    /// Fused best first; with its id here when this instance has it.
    pub items: Vec<(crate::federation::partners::Item, Option<String>)>,
    pub more: bool,
    /// Some partner did not answer (in time, or usably).
    pub partial: bool,
    pub sources: Vec<crate::federation::partners::Source>,
}

/// Searches here and at every partner at once (`partner_query` is what partners are asked),
/// and fuses the answers by reciprocal rank, one item per ActivityPub id.
pub async fn network_search(
    ctx: &Core,
    user: Option<&User>,
    filters: Filters,
    partner_query: &str,
    offset: i64,
) -> AppResult<NetworkResults> {
    use crate::federation::partners::{self, PAGE};
    let (local, sources) =
        tokio::join!(search(ctx, user, filters, offset, PAGE, false), partners::ask_partners(ctx, partner_query));
    Ok(fuse(ctx, &local?, sources?))
}

/// The local results and the partners' answers, fused by reciprocal rank.
pub fn fuse(ctx: &Core, local: &Results, sources: Vec<crate::federation::partners::Source>) -> NetworkResults {
    use crate::federation::partners;
    let mut uids = std::collections::HashMap::new();
    let local_items: Vec<partners::Item> = local
        .items
        .iter()
        .map(|r| {
            let item = partners::item_of(ctx, r);
            uids.insert(item.id.clone(), r.uid.clone());
            item
        })
        .collect();
    let mut lists = vec![local_items];
    lists.extend(sources.iter().map(|s| s.items.clone()));
    let items = partners::fuse(lists).into_iter().map(|i| {
        let uid = uids.get(&i.id).cloned();
        (i, uid)
    });
    NetworkResults {
        items: items.collect(),
        more: local.more || sources.iter().any(|s| s.more),
        partial: sources.iter().any(|s| s.status != "ok"),
        sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_get_the_real_extension() {
        assert_eq!(clean_file_name("../../etc/report.pdf", "application/pdf"), "report.pdf");
        assert_eq!(clean_file_name("C:\\x\\virus.pdf", "image/png"), "virus.png");
        assert_eq!(clean_file_name("", "application/pdf"), "file.pdf");
    }
}
