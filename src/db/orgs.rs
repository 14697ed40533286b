//! Organisations and their members.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{on_pool, Db};
use crate::error::{AppError, AppResult};
use crate::model::org::Org;
use crate::model::user::OrgRole;

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: i64,
    handle: String,
    name: String,
    names: String,
    descriptions: String,
    website: Option<String>,
    logo_sha256: Option<String>,
    logo_media_type: Option<String>,
    public_key: Option<String>,
    signing_public: Option<String>,
    kind: String,
    manually_approves_followers: bool,
    local: bool,
    ap_id: Option<String>,
    created_at: DateTime<Utc>,
}

const ORG_COLUMNS: &str =
    "id, handle, name, names, descriptions, website, logo_sha256, logo_media_type, public_key, signing_public, kind, \
                           manually_approves_followers, local, ap_id, created_at";

impl From<OrgRow> for Org {
    fn from(r: OrgRow) -> Self {
        Org {
            id: r.id,
            handle: r.handle,
            name: r.name,
            names: serde_json::from_str(&r.names).unwrap_or_default(),
            descriptions: serde_json::from_str(&r.descriptions).unwrap_or_default(),
            website: r.website,
            logo_sha256: r.logo_sha256,
            logo_media_type: r.logo_media_type,
            public_key: r.public_key,
            signing_public: r.signing_public,
            kind: r.kind,
            manually_approves_followers: r.manually_approves_followers,
            local: r.local,
            ap_id: r.ap_id,
            created_at: r.created_at,
        }
    }
}

/// A member as listed on the organisation's members page.
/// What an organisation admin can change on the profile.
#[derive(Debug, Clone, Default)]
pub struct OrgProfile {
    pub manually_approves_followers: bool,
    pub name: String,
    pub names: BTreeMap<String, String>,
    pub descriptions: BTreeMap<String, String>,
    pub website: Option<String>,
}

impl Db {
    /// Creates an organisation with its key pair; `Conflict("handle")` if the handle is taken.
    pub async fn insert_org(&self, handle: &str, name: &str, public_key: &str, private_key: &str) -> AppResult<Org> {
        let now = Utc::now();
        let sql = format!(
            "insert into orgs (handle, name, public_key, private_key, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $5) returning {ORG_COLUMNS}"
        );
        let row: Result<OrgRow, sqlx::Error> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(handle).bind(name).bind(public_key).bind(private_key).bind(now).fetch_one(p).await);
        row.map(Org::from).map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Conflict("handle"),
            other => other,
        })
    }

    /// The row standing for a remote actor whose resources this instance keeps.
    /// Reads first: the row rarely changes, and every activity from the actor comes here.
    pub async fn upsert_remote_org(&self, ap_id: &str, handle: &str, name: &str) -> AppResult<Org> {
        if let Some(org) = self.org_by_handle(handle).await? {
            if !org.local && org.name == name {
                return Ok(org);
            }
        }
        let now = Utc::now();
        let sql = format!(
            "insert into orgs (handle, name, local, ap_id, created_at, updated_at) values ($1, $2, false, $3, $4, $4)
             on conflict (handle) do update set name = excluded.name, updated_at = excluded.updated_at
             returning {ORG_COLUMNS}"
        );
        let row: OrgRow =
            on_pool!(self, p => sqlx::query_as(&sql).bind(handle).bind(name).bind(ap_id).bind(now).fetch_one(p).await)?;
        Ok(row.into())
    }

    /// The ActivityPub id of a remote organisation row.
    pub async fn org_ap_id(&self, org_id: i64) -> AppResult<Option<String>> {
        let v: Option<Option<String>> = on_pool!(self, p => sqlx::query_scalar("select ap_id from orgs where id = $1").bind(org_id).fetch_optional(p).await)?;
        Ok(v.flatten())
    }

    /// The organisation's private key, for signing; never part of `Org`.
    pub async fn org_private_key(&self, org_id: i64) -> AppResult<Option<String>> {
        let key: Option<Option<String>> = on_pool!(self, p => sqlx::query_scalar("select private_key from orgs where id = $1")
            .bind(org_id).fetch_optional(p).await)?;
        Ok(key.flatten())
    }

    /// Local organisations without an Ed25519 key (made before co-signing existed).
    pub async fn orgs_without_signing_keys(&self) -> AppResult<Vec<i64>> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select id from orgs where local and signing_private is null")
            .fetch_all(p).await)?)
    }

    /// Gives an organisation its Ed25519 key unless it has one (two nodes at once make one).
    pub async fn set_org_signing_key(&self, org_id: i64, public: &str, private: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "update orgs set signing_public = $2, signing_private = $3 where id = $1 and signing_private is null")
            .bind(org_id).bind(public).bind(private).execute(p).await.map(drop))?;
        Ok(())
    }

    /// An organisation's Ed25519 key: (public multibase, private base64 PKCS#8).
    pub async fn org_signing_key(&self, org_id: i64) -> AppResult<Option<(String, String)>> {
        let row: Option<(Option<String>, Option<String>)> = on_pool!(self, p => sqlx::query_as(
            "select signing_public, signing_private from orgs where id = $1").bind(org_id).fetch_optional(p).await)?;
        Ok(row.and_then(|(a, b)| a.zip(b)))
    }

    /// Organisations without a key pair (created before federation existed).
    pub async fn orgs_without_keys(&self) -> AppResult<Vec<i64>> {
        Ok(
            on_pool!(self, p => sqlx::query_scalar("select id from orgs where public_key is null or private_key is null")
            .fetch_all(p).await)?,
        )
    }

    pub async fn set_org_keys(&self, org_id: i64, public_key: &str, private_key: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update orgs set public_key = $1, private_key = $2 where id = $3")
            .bind(public_key).bind(private_key).bind(org_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The instance actor's (public, private) key pair, if made yet.
    pub async fn instance_keys(&self) -> AppResult<Option<(String, String)>> {
        Ok(on_pool!(self, p => sqlx::query_as("select public_key, private_key from instance_actor where id = 1")
            .fetch_optional(p).await)?)
    }

    /// Stores the instance actor's keys unless another process already did; returns the
    /// pair that won.
    pub async fn init_instance_keys(&self, public_key: &str, private_key: &str) -> AppResult<(String, String)> {
        on_pool!(self, p => sqlx::query(
            "insert into instance_actor (id, public_key, private_key, created_at) values (1, $1, $2, $3) on conflict (id) do nothing")
            .bind(public_key).bind(private_key).bind(Utc::now()).execute(p).await.map(|r| r.rows_affected()))?;
        self.instance_keys().await?.ok_or_else(|| AppError::internal("instance actor keys missing after insert"))
    }

    pub async fn org_by_handle(&self, handle: &str) -> AppResult<Option<Org>> {
        let row: Option<OrgRow> = on_pool!(self, p => sqlx::query_as(&format!("select {ORG_COLUMNS} from orgs where handle = $1"))
            .bind(handle).fetch_optional(p).await)?;
        Ok(row.map(Org::from))
    }

    /// The row standing for a remote actor, by its ActivityPub id.
    pub async fn org_by_ap_id(&self, ap_id: &str) -> AppResult<Option<Org>> {
        let row: Option<OrgRow> = on_pool!(self, p => sqlx::query_as(&format!("select {ORG_COLUMNS} from orgs where ap_id = $1"))
            .bind(ap_id).fetch_optional(p).await)?;
        Ok(row.map(Org::from))
    }

    pub async fn org_by_id(&self, id: i64) -> AppResult<Option<Org>> {
        let row: Option<OrgRow> = on_pool!(self, p => sqlx::query_as(&format!("select {ORG_COLUMNS} from orgs where id = $1"))
            .bind(id).fetch_optional(p).await)?;
        Ok(row.map(Org::from))
    }

    pub async fn list_orgs(&self) -> AppResult<Vec<Org>> {
        let rows: Vec<OrgRow> = on_pool!(self, p => sqlx::query_as(&format!("select {ORG_COLUMNS} from orgs where kind = 'organization' order by local desc, handle"))
            .fetch_all(p).await)?;
        Ok(rows.into_iter().map(Org::from).collect())
    }

    pub async fn update_org_profile(&self, org_id: i64, profile: &OrgProfile) -> AppResult<()> {
        let names = serde_json::to_string(&profile.names).map_err(AppError::internal)?;
        let descriptions = serde_json::to_string(&profile.descriptions).map_err(AppError::internal)?;
        on_pool!(self, p => sqlx::query(
            "update orgs set name = $1, names = $2, descriptions = $3, website = $4, updated_at = $5,
             manually_approves_followers = $7 where id = $6")
            .bind(&profile.name).bind(&names).bind(&descriptions).bind(&profile.website).bind(Utc::now()).bind(org_id)
            .bind(profile.manually_approves_followers)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn set_org_logo(&self, org_id: i64, sha256: &str, media_type: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update orgs set logo_sha256 = $1, logo_media_type = $2, updated_at = $3 where id = $4")
            .bind(sha256).bind(media_type).bind(Utc::now()).bind(org_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Adds a member or changes their role.
    pub async fn upsert_member(&self, org_id: i64, user_id: i64, role: OrgRole) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into memberships (org_id, user_id, role) values ($1, $2, $3)
             on conflict (org_id, user_id) do update set role = excluded.role")
            .bind(org_id).bind(user_id).bind(role.as_str()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn member_role(&self, org_id: i64, user_id: i64) -> AppResult<Option<OrgRole>> {
        let role: Option<String> = on_pool!(self, p => sqlx::query_scalar(
            "select role from memberships where org_id = $1 and user_id = $2")
            .bind(org_id).bind(user_id).fetch_optional(p).await)?;
        Ok(role.and_then(|r| OrgRole::parse(&r)))
    }

    /// Organisations a user belongs to, with their role in each.
    pub async fn orgs_of_user(&self, user_id: i64) -> AppResult<Vec<(i64, String, OrgRole)>> {
        let rows: Vec<(i64, String, String)> = on_pool!(self, p => sqlx::query_as(
            "select o.id, o.handle, m.role from memberships m join orgs o on o.id = m.org_id where m.user_id = $1 order by o.handle")
            .bind(user_id).fetch_all(p).await)?;
        Ok(rows.into_iter().filter_map(|(id, h, r)| OrgRole::parse(&r).map(|r| (id, h, r))).collect())
    }
}
