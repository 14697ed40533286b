//! Accounts.

use chrono::Utc;

use super::{on_pool, Db};
use crate::error::{AppError, AppResult};
use crate::model::user::{Role, User};

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    pub id: i64,
    pub username: String,
    pub role: String,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User { id: r.id, username: r.username, role: Role::parse(&r.role).unwrap_or(Role::Member) }
    }
}

impl Db {
    /// Creates an account; `Conflict("username")` if the name is taken.
    pub async fn insert_user(&self, username: &str, password_hash: &str, role: Role) -> AppResult<i64> {
        let now = Utc::now();
        let id: Result<i64, sqlx::Error> = on_pool!(self, p => sqlx::query_scalar(
            "insert into users (username, password_hash, role, created_at) values ($1, $2, $3, $4) returning id")
            .bind(username).bind(password_hash).bind(role.as_str()).bind(now)
            .fetch_one(p).await);
        id.map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Conflict("username"),
            other => other,
        })
    }

    /// The account, its password hash, and whether it has a second factor, for logging in.
    pub async fn user_for_login(&self, username: &str) -> AppResult<Option<(User, String, bool)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            username: String,
            role: String,
            password_hash: String,
            two_factor: bool,
        }
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(
            "select id, username, role, password_hash, totp_secret is not null as two_factor from users where username = $1")
            .bind(username).fetch_optional(p).await)?;
        Ok(row
            .map(|r| (UserRow { id: r.id, username: r.username, role: r.role }.into(), r.password_hash, r.two_factor)))
    }

    pub async fn user_by_username(&self, username: &str) -> AppResult<Option<User>> {
        let row: Option<UserRow> = on_pool!(self, p => sqlx::query_as(
            "select id, username, role from users where username = $1")
            .bind(username).fetch_optional(p).await)?;
        Ok(row.map(User::from))
    }

    pub async fn count_users(&self) -> AppResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select count(*) from users").fetch_one(p).await)?)
    }
}
