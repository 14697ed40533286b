//! Campaigns, their Group actor's row, and what they gather.

use chrono::{DateTime, Utc};

use super::{new_uid, on_pool, Db};
use crate::error::{AppError, AppResult};
use crate::model::campaign::{Campaign, CampaignItem, NewCampaign};

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: i64,
    uid: String,
    group_id: i64,
    handle: String,
    org_id: i64,
    org_handle: String,
    org_name: String,
    hashtag: String,
    original_language: String,
    texts: String,
    cta_url: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    banner_sha256: Option<String>,
    banner_media_type: Option<String>,
    banner_alt: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "c.id, c.uid, c.group_id, g.handle, c.org_id, o.handle as org_handle, o.name as org_name, c.hashtag,
    c.original_language, c.texts, c.cta_url, c.starts_on, c.ends_on, c.banner_sha256, c.banner_media_type, c.banner_alt,
    c.status, c.created_at, c.updated_at
    from campaigns c join orgs g on g.id = c.group_id join orgs o on o.id = c.org_id";

impl From<CampaignRow> for Campaign {
    fn from(r: CampaignRow) -> Campaign {
        Campaign {
            id: r.id,
            uid: r.uid,
            group_id: r.group_id,
            handle: r.handle,
            org_id: r.org_id,
            org_handle: r.org_handle,
            org_name: r.org_name,
            fields: NewCampaign {
                hashtag: r.hashtag,
                original_language: r.original_language,
                texts: serde_json::from_str(&r.texts).unwrap_or_default(),
                cta_url: r.cta_url,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                published: r.status == "published",
            },
            banner: r.banner_sha256.zip(r.banner_media_type),
            banner_alt: r.banner_alt,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// (ap_id, kind, state, proposed by, added at)
type ItemRow = (String, String, String, Option<String>, DateTime<Utc>);

impl Db {
    /// Creates a campaign with its Group actor (`handle`, with its key pair), in one
    /// transaction; `Conflict("handle")` when the handle is taken.
    pub async fn insert_campaign(
        &self,
        org_id: i64,
        handle: &str,
        c: &NewCampaign,
        (public_key, private_key): (&str, &str),
    ) -> AppResult<String> {
        let now = Utc::now();
        let uid = new_uid();
        let name = c.texts.get(&c.original_language).map(|t| t.title.clone()).unwrap_or_default();
        let texts = serde_json::to_string(&c.texts).map_err(AppError::internal)?;
        let result: Result<(), sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            let group: i64 = sqlx::query_scalar(
                "insert into orgs (handle, name, public_key, private_key, kind, created_at, updated_at)
                 values ($1, $2, $3, $4, 'campaign', $5, $5) returning id")
                .bind(handle).bind(&name).bind(public_key).bind(private_key).bind(now).fetch_one(&mut *tx).await?;
            sqlx::query(
                "insert into campaigns (uid, group_id, org_id, hashtag, original_language, texts, cta_url, starts_on, ends_on,
                 status, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)")
                .bind(&uid).bind(group).bind(org_id).bind(&c.hashtag).bind(&c.original_language).bind(&texts)
                .bind(&c.cta_url).bind(&c.starts_on).bind(&c.ends_on).bind(if c.published { "published" } else { "draft" })
                .bind(now).execute(&mut *tx).await?;
            tx.commit().await
        }.await);
        result.map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Conflict("handle"),
            other => other,
        })?;
        Ok(uid)
    }

    pub async fn update_campaign(&self, id: i64, group_id: i64, c: &NewCampaign) -> AppResult<()> {
        let texts = serde_json::to_string(&c.texts).map_err(AppError::internal)?;
        let name = c.texts.get(&c.original_language).map(|t| t.title.clone()).unwrap_or_default();
        let now = Utc::now();
        on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            sqlx::query(
                "update campaigns set hashtag = $2, original_language = $3, texts = $4, cta_url = $5, starts_on = $6,
                 ends_on = $7, status = $8, updated_at = $9 where id = $1")
                .bind(id).bind(&c.hashtag).bind(&c.original_language).bind(&texts).bind(&c.cta_url).bind(&c.starts_on)
                .bind(&c.ends_on).bind(if c.published { "published" } else { "draft" }).bind(now)
                .execute(&mut *tx).await?;
            sqlx::query("update orgs set name = $2, updated_at = $3 where id = $1")
                .bind(group_id).bind(&name).bind(now).execute(&mut *tx).await?;
            tx.commit().await
        }.await)?;
        Ok(())
    }

    pub async fn set_campaign_banner(&self, id: i64, sha256: &str, media_type: &str, alt: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "update campaigns set banner_sha256 = $2, banner_media_type = $3, banner_alt = $4, updated_at = $5 where id = $1")
            .bind(id).bind(sha256).bind(media_type).bind(alt).bind(Utc::now()).execute(p).await.map(drop))?;
        Ok(())
    }

    /// Deletes a campaign and its Group actor.
    pub async fn delete_campaign(&self, group_id: i64) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from orgs where id = $1 and kind = 'campaign'")
            .bind(group_id).execute(p).await.map(drop))?;
        Ok(())
    }

    pub async fn campaign_by_uid(&self, uid: &str) -> AppResult<Option<Campaign>> {
        let sql = format!("select {COLUMNS} where c.uid = $1");
        let row: Option<CampaignRow> = on_pool!(self, p => sqlx::query_as(&sql).bind(uid).fetch_optional(p).await)?;
        Ok(row.map(Campaign::from))
    }

    /// The campaign whose Group actor is organisation row `group_id`.
    pub async fn campaign_of_group(&self, group_id: i64) -> AppResult<Option<Campaign>> {
        let sql = format!("select {COLUMNS} where c.group_id = $1");
        let row: Option<CampaignRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(group_id).fetch_optional(p).await)?;
        Ok(row.map(Campaign::from))
    }

    /// Every campaign of organisation `org_id`, drafts too, oldest first (for `amicus export`).
    pub async fn campaigns_of_org(&self, org_id: i64) -> AppResult<Vec<Campaign>> {
        let sql = format!("select {COLUMNS} where c.org_id = $1 order by c.id");
        let rows: Vec<CampaignRow> = on_pool!(self, p => sqlx::query_as(&sql).bind(org_id).fetch_all(p).await)?;
        Ok(rows.into_iter().map(Campaign::from).collect())
    }

    /// Published campaigns (and, for `member_of`, those organisations' drafts), newest first.
    pub async fn list_campaigns(&self, member_of: &[i64], offset: i64, limit: i64) -> AppResult<Vec<Campaign>> {
        let ids = member_of.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let drafts = if ids.is_empty() { String::new() } else { format!(" or c.org_id in ({ids})") };
        let sql = format!("select {COLUMNS} where (c.status = 'published'{drafts}) order by c.created_at desc, c.id desc limit $1 offset $2");
        let rows: Vec<CampaignRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(limit).bind(offset).fetch_all(p).await)?;
        Ok(rows.into_iter().map(Campaign::from).collect())
    }

    /// Adds an item (or approves one proposed before, when `state` is approved).
    pub async fn put_campaign_item(
        &self,
        campaign_id: i64,
        ap_id: &str,
        kind: &str,
        state: &str,
        proposed_by: Option<i64>,
    ) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query(
            "insert into campaign_items (campaign_id, ap_id, kind, state, proposed_by, added_at) values ($1, $2, $3, $4, $5, $6)
             on conflict (campaign_id, ap_id) do update set state = case when excluded.state = 'approved' then 'approved'
             else campaign_items.state end")
            .bind(campaign_id).bind(ap_id).bind(kind).bind(state).bind(proposed_by).bind(Utc::now())
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    pub async fn remove_campaign_item(&self, campaign_id: i64, ap_id: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from campaign_items where campaign_id = $1 and ap_id = $2")
            .bind(campaign_id).bind(ap_id).execute(p).await.map(drop))?;
        Ok(())
    }

    pub async fn campaign_items(&self, campaign_id: i64) -> AppResult<Vec<CampaignItem>> {
        let rows: Vec<ItemRow> = on_pool!(self, p => sqlx::query_as(
            "select i.ap_id, i.kind, i.state, o.handle, i.added_at from campaign_items i left join orgs o on o.id = i.proposed_by
             where i.campaign_id = $1 order by i.added_at desc limit 500")
            .bind(campaign_id).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(ap_id, kind, state, proposed_by, added_at)| CampaignItem {
                ap_id,
                kind,
                state,
                proposed_by,
                added_at,
            })
            .collect())
    }
}
