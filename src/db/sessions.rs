//! Browser sessions and API tokens. Only SHA-256 digests of the secrets are stored.

use chrono::{Duration, Utc};

use super::users::UserRow;
use super::{on_pool, Db};
use crate::error::AppResult;
use crate::model::user::User;

impl Db {
    /// Opens a session; `public_id` names it in its owner's list, `device` says what it is
    /// ("Firefox · Android").
    pub async fn insert_session(&self, token_hash: &str, user_id: i64, public_id: &str, device: &str) -> AppResult<()> {
        let now = Utc::now();
        on_pool!(self, p => sqlx::query(
            "insert into sessions (token_hash, user_id, created_at, last_seen_at, public_id, device) values ($1, $2, $3, $3, $4, $5)")
            .bind(token_hash).bind(user_id).bind(now).bind(public_id).bind(device).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The session's user if the session exists and was used within `idle_minutes`; its
    /// idle clock restarts (at most once a minute, to spare the database).
    pub async fn user_by_session(&self, token_hash: &str, idle_minutes: i64) -> AppResult<Option<User>> {
        let now = Utc::now();
        let cutoff = now - Duration::minutes(idle_minutes);
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            username: String,
            role: String,
            last_seen_at: chrono::DateTime<Utc>,
        }
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(
            "select u.id, u.username, u.role, s.last_seen_at from sessions s join users u on u.id = s.user_id
             where s.token_hash = $1 and s.last_seen_at > $2")
            .bind(token_hash).bind(cutoff).fetch_optional(p).await)?;
        let Some(row) = row else { return Ok(None) };
        if now - row.last_seen_at > Duration::minutes(1) {
            on_pool!(self, p => sqlx::query("update sessions set last_seen_at = $1 where token_hash = $2")
                .bind(now).bind(token_hash).execute(p).await.map(|r| r.rows_affected()))?;
        }
        Ok(Some(UserRow { id: row.id, username: row.username, role: row.role }.into()))
    }

    pub async fn delete_session(&self, token_hash: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from sessions where token_hash = $1").bind(token_hash).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ends every session of a user ("log out everywhere").
    pub async fn delete_user_sessions(&self, user_id: i64) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from sessions where user_id = $1").bind(user_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes sessions idle for longer than `idle_minutes`.
    pub async fn purge_sessions(&self, idle_minutes: i64) -> AppResult<u64> {
        let cutoff = Utc::now() - Duration::minutes(idle_minutes);
        let r = on_pool!(self, p => sqlx::query("delete from sessions where last_seen_at <= $1").bind(cutoff).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(r)
    }

    pub async fn insert_token(&self, token_hash: &str, user_id: i64) -> AppResult<()> {
        let now = Utc::now();
        on_pool!(self, p => sqlx::query("insert into api_tokens (user_id, token_hash, created_at) values ($1, $2, $3)")
            .bind(user_id).bind(token_hash).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn user_by_token(&self, token_hash: &str) -> AppResult<Option<User>> {
        let row: Option<UserRow> = on_pool!(self, p => sqlx::query_as(
            "select u.id, u.username, u.role from api_tokens t join users u on u.id = t.user_id where t.token_hash = $1")
            .bind(token_hash).fetch_optional(p).await)?;
        Ok(row.map(User::from))
    }
}
