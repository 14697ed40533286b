//! Files attached to resources: uploads, and the files a partner's resource lists, fetched on
//! first download.

use chrono::Utc;

use super::deliveries::{queue_in_tx, Outgoing};
use super::{on_pool, Db};
use crate::error::AppResult;
use crate::model::resource::{Attachment, RemoteFile};

/// Replaces the attachments of remote resource `$id` with `$files` in transaction `$tx`; a
/// file already fetched is kept if its address and declared digest are unchanged. Writes
/// first (a `delete ... returning`): on SQLite a transaction that reads first cannot take the
/// write lock later while another writer is busy.
macro_rules! replace_remote_files_in_tx {
    ($tx:ident, $id:expr, $files:expr, $now:expr, $existing:expr) => {{
        let old: Vec<(String, Option<String>, Option<String>)> = if $existing {
            sqlx::query_as(
                "delete from attachments where resource_id = $1 and remote_url is not null
                 returning sha256, remote_url, remote_digest",
            )
            .bind($id)
            .fetch_all(&mut *$tx)
            .await?
        } else {
            Vec::new()
        };
        for a in $files {
            let Some(remote) = &a.remote else { continue };
            let kept = old
                .iter()
                .find(|(sha, url, digest)| {
                    !sha.is_empty() && url.as_deref() == Some(remote.url.as_str()) && *digest == remote.digest
                })
                .map(|(sha, _, _)| sha.clone())
                .unwrap_or_default();
            sqlx::query(
                "insert into attachments (uid, resource_id, lang, name, media_type, size, sha256, remote_url,
                 remote_digest, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&a.uid)
            .bind($id)
            .bind(&a.lang)
            .bind(&a.name)
            .bind(&a.media_type)
            .bind(a.size)
            .bind(kept)
            .bind(&remote.url)
            .bind(&remote.digest)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use replace_remote_files_in_tx;

#[derive(sqlx::FromRow)]
pub(super) struct AttachmentRow {
    pub(super) resource_id: i64,
    uid: String,
    lang: String,
    name: String,
    media_type: String,
    size: i64,
    sha256: String,
    remote_url: Option<String>,
    remote_digest: Option<String>,
    alt: Option<String>,
    thumb_sha256: Option<String>,
}

impl From<AttachmentRow> for Attachment {
    fn from(a: AttachmentRow) -> Self {
        let remote = a.remote_url.map(|url| RemoteFile { url, digest: a.remote_digest });
        Attachment {
            uid: a.uid,
            lang: a.lang,
            name: a.name,
            media_type: a.media_type,
            size: a.size,
            sha256: a.sha256,
            alt: a.alt,
            thumb: a.thumb_sha256,
            remote,
        }
    }
}

pub(super) const ATTACHMENT_COLUMNS: &str =
    "resource_id, uid, lang, name, media_type, size, sha256, remote_url, remote_digest, alt, thumb_sha256";

impl Db {
    /// Records that a remote attachment's file is now in the store.
    pub async fn set_attachment_file(&self, uid: &str, sha256: &str, media_type: &str, size: i64) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update attachments set sha256 = $1, media_type = $2, size = $3 where uid = $4")
            .bind(sha256).bind(media_type).bind(size).bind(uid).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Adds a file to a resource, with the activity announcing it, in one transaction.
    pub async fn insert_attachment(
        &self,
        resource_id: i64,
        a: &Attachment,
        outgoing: Option<&Outgoing>,
    ) -> AppResult<()> {
        let now = Utc::now();
        let r: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "insert into attachments (uid, resource_id, lang, name, media_type, size, sha256, created_at, alt, thumb_sha256)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(&a.uid).bind(resource_id).bind(&a.lang).bind(&a.name).bind(&a.media_type).bind(a.size).bind(&a.sha256).bind(now)
                .bind(&a.alt).bind(&a.thumb)
                .execute(&mut *tx).await?;
            sqlx::query("update resources set updated_at = $1 where id = $2").bind(now).bind(resource_id).execute(&mut *tx).await?;
            if let Some(outgoing) = outgoing {
                queue_in_tx!(tx, outgoing);
            }
            tx.commit().await
        }.await);
        Ok(r?)
    }

    /// An attachment with the uid of the resource it belongs to.
    pub async fn attachment_by_uid(&self, uid: &str) -> AppResult<Option<(String, Attachment)>> {
        let sql = format!(
            "select r.uid as resource_uid, {} from attachments a join resources r on r.id = a.resource_id where a.uid = $1",
            ATTACHMENT_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ")
        );
        let row: Option<(String, AttachmentRow)> = on_pool!(self, p => sqlx::query(&sql).bind(uid).fetch_optional(p).await
            .and_then(|row| row.map(|row| Ok((sqlx::Row::try_get(&row, "resource_uid")?, sqlx::FromRow::from_row(&row)?))).transpose()))?;
        Ok(row.map(|(resource_uid, a)| (resource_uid, a.into())))
    }
}
