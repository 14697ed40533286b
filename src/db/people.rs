//! People managed in the browser: one-time links (invitations and password resets), the
//! sessions and sign-ins a person can see, display names, and organisation membership.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::users::UserRow;
use super::{on_pool, Db};
use crate::error::{AppError, AppResult};
use crate::model::user::{OrgRole, Role, User};

/// An open session, as its owner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionRow {
    pub public_id: String,
    pub device: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub current: bool,
}

/// One sign-in, or one failed attempt with a wrong password or code.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SignIn {
    pub at: DateTime<Utc>,
    pub success: bool,
    pub device: String,
}

/// An account in the instance admins' list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

/// A member of an organisation, for its members page.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OrgMember {
    pub user_id: i64,
    pub username: String,
    pub display_name: Option<String>,
    /// the instance-wide role: an organisation admin may not change an instance admin
    pub instance_role: String,
    pub role: String,
}

/// What a one-time link grants, read before it is used (to show the form, or why it cannot be
/// used any more).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Link {
    pub kind: String,
    pub role: Option<String>,
    pub org_id: Option<i64>,
    pub org_role: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl Link {
    pub fn usable(&self) -> bool {
        self.used_at.is_none() && self.expires_at > Utc::now()
    }
}

/// A new one-time link, before it is stored.
pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub kind: &'a str,
    pub role: Option<Role>,
    pub org: Option<(i64, OrgRole)>,
    pub user_id: Option<i64>,
    pub created_by: i64,
    pub valid_for: Duration,
}

const END_OTHER_SESSIONS: &str = "delete from sessions where user_id = $1 and token_hash <> $2";

impl Db {
    pub async fn insert_link(&self, l: NewLink<'_>) -> AppResult<()> {
        let now = Utc::now();
        on_pool!(self, p => sqlx::query(
            "insert into account_links (token_hash, kind, role, org_id, org_role, user_id, created_by, created_at, expires_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(l.token_hash).bind(l.kind).bind(l.role.map(Role::as_str)).bind(l.org.map(|o| o.0))
            .bind(l.org.map(|o| o.1.as_str())).bind(l.user_id).bind(l.created_by).bind(now).bind(now + l.valid_for)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn link(&self, token_hash: &str) -> AppResult<Option<Link>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select kind, role, org_id, org_role, expires_at, used_at from account_links where token_hash = $1")
            .bind(token_hash).fetch_optional(p).await)?)
    }

    /// Uses an invitation: in one transaction, marks it used (only if unused and unexpired, so
    /// of two requests at once only one gets through), creates the account and its membership.
    /// `Gone` if the link cannot be used; `Conflict("username")` if the name is taken, and
    /// then the link stays unused.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        username: &str,
        password_hash: &str,
        display_name: Option<&str>,
    ) -> AppResult<User> {
        let now = Utc::now();
        let result: Result<Result<User, AppError>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let grant: Option<(Option<String>, Option<i64>, Option<String>)> = sqlx::query_as(
                "update account_links set used_at = $1
                 where token_hash = $2 and kind = 'invite' and used_at is null and expires_at > $1
                 returning role, org_id, org_role")
                .bind(now).bind(token_hash).fetch_optional(&mut *tx).await?;
            let Some((role, org_id, org_role)) = grant else { return Ok(Err(AppError::Gone)) };
            let role = role.as_deref().and_then(Role::parse).unwrap_or(Role::Member);
            let id: Result<i64, sqlx::Error> = sqlx::query_scalar(
                "insert into users (username, password_hash, role, display_name, created_at) values ($1, $2, $3, $4, $5) returning id")
                .bind(username).bind(password_hash).bind(role.as_str()).bind(display_name).bind(now)
                .fetch_one(&mut *tx).await;
            let id = match id {
                Ok(id) => id,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(Err(AppError::Conflict("username"))),
                Err(e) => return Err(e),
            };
            if let (Some(org_id), Some(org_role)) = (org_id, org_role) {
                sqlx::query("insert into memberships (org_id, user_id, role) values ($1, $2, $3)")
                    .bind(org_id).bind(id).bind(org_role).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(Ok(User { id, username: username.to_string(), role }))
        }.await);
        result?
    }

    /// Uses a password reset link: marks it used, sets the password and ends every session of
    /// the account, in one transaction. `Gone` if the link cannot be used.
    pub async fn reset_password(&self, token_hash: &str, password_hash: &str) -> AppResult<i64> {
        let now = Utc::now();
        let result: Result<Option<i64>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let user: Option<Option<i64>> = sqlx::query_scalar(
                "update account_links set used_at = $1
                 where token_hash = $2 and kind = 'reset' and used_at is null and expires_at > $1
                 returning user_id")
                .bind(now).bind(token_hash).fetch_optional(&mut *tx).await?;
            let Some(Some(user_id)) = user else { return Ok(None) };
            sqlx::query("update users set password_hash = $1 where id = $2")
                .bind(password_hash).bind(user_id).execute(&mut *tx).await?;
            sqlx::query("delete from sessions where user_id = $1").bind(user_id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(user_id))
        }.await);
        result?.ok_or(AppError::Gone)
    }

    /// The account's password hash.
    pub async fn password_hash(&self, user_id: i64) -> AppResult<String> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select password_hash from users where id = $1")
            .bind(user_id).fetch_one(p).await)?)
    }

    /// Sets a new password and ends every other session of the account.
    pub async fn set_password(&self, user_id: i64, password_hash: &str, keep_session: &str) -> AppResult<()> {
        let result: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("update users set password_hash = $1 where id = $2")
                .bind(password_hash).bind(user_id).execute(&mut *tx).await?;
            sqlx::query(END_OTHER_SESSIONS).bind(user_id).bind(keep_session).execute(&mut *tx).await?;
            tx.commit().await
        }.await);
        Ok(result?)
    }

    pub async fn set_display_name(&self, user_id: i64, name: Option<&str>) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update users set display_name = $1 where id = $2")
            .bind(name).bind(user_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn display_name(&self, user_id: i64) -> AppResult<Option<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar("select display_name from users where id = $1")
            .bind(user_id).fetch_one(p).await)?)
    }

    pub async fn user_by_id(&self, user_id: i64) -> AppResult<Option<User>> {
        let row: Option<UserRow> = on_pool!(self, p => sqlx::query_as(
            "select id, username, role from users where id = $1")
            .bind(user_id).fetch_optional(p).await)?;
        Ok(row.map(User::from))
    }

    /// Every account, for the instance admins.
    pub async fn list_people(&self) -> AppResult<Vec<Person>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select id, username, display_name, role, created_at from users order by username")
            .fetch_all(p).await)?)
    }

    /// The sessions of an account, most recently used first; `current` marks the one whose
    /// cookie digest is `current_hash`.
    pub async fn sessions_of(&self, user_id: i64, current_hash: &str) -> AppResult<Vec<SessionRow>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            token_hash: String,
            public_id: Option<String>,
            device: String,
            created_at: DateTime<Utc>,
            last_seen_at: DateTime<Utc>,
        }
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "select token_hash, public_id, device, created_at, last_seen_at from sessions
             where user_id = $1 order by last_seen_at desc")
            .bind(user_id).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|r| SessionRow {
                current: r.token_hash == current_hash,
                public_id: r.public_id.unwrap_or_default(),
                device: r.device,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
            })
            .collect())
    }

    /// Ends every session of an account but the one whose cookie digest is `keep_session`.
    pub async fn end_other_sessions(&self, user_id: i64, keep_session: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(END_OTHER_SESSIONS).bind(user_id).bind(keep_session)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ends one session of an account by its public id; whether there was one.
    pub async fn end_session(&self, user_id: i64, public_id: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query("delete from sessions where user_id = $1 and public_id = $2")
            .bind(user_id).bind(public_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    pub async fn record_sign_in(&self, user_id: i64, success: bool, device: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("insert into sign_ins (user_id, at, success, device) values ($1, $2, $3, $4)")
            .bind(user_id).bind(Utc::now()).bind(success).bind(device).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The latest sign-ins and failed attempts of an account, newest first.
    pub async fn sign_ins_of(&self, user_id: i64, limit: i64) -> AppResult<Vec<SignIn>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select at, success, device from sign_ins where user_id = $1 order by at desc, id desc limit $2")
            .bind(user_id).bind(limit).fetch_all(p).await)?)
    }

    /// Forgets sign-ins and used or expired one-time links older than `cutoff`.
    pub async fn purge_people_records(&self, cutoff: DateTime<Utc>) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from sign_ins where at < $1").bind(cutoff).execute(p).await.map(|r| r.rows_affected()))?;
        on_pool!(self, p => sqlx::query("delete from account_links where expires_at < $1")
            .bind(cutoff).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The account's TOTP secret (base32), if it has a second factor.
    pub async fn totp_secret(&self, user_id: i64) -> AppResult<Option<String>> {
        let secret: Option<Option<String>> = on_pool!(self, p => sqlx::query_scalar(
            "select totp_secret from users where id = $1").bind(user_id).fetch_optional(p).await)?;
        Ok(secret.flatten())
    }

    /// Turns the second factor on with `secret` and these recovery code digests (replacing any
    /// earlier ones), or off with `None`.
    pub async fn set_totp(&self, user_id: i64, secret: Option<&str>, recovery_hashes: &[String]) -> AppResult<()> {
        let result: Result<(), sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("update users set totp_secret = $1, totp_last_step = null where id = $2")
                .bind(secret).bind(user_id).execute(&mut *tx).await?;
            sqlx::query("delete from recovery_codes where user_id = $1").bind(user_id).execute(&mut *tx).await?;
            for hash in recovery_hashes {
                sqlx::query("insert into recovery_codes (user_id, code_hash) values ($1, $2)")
                    .bind(user_id).bind(hash).execute(&mut *tx).await?;
            }
            tx.commit().await
        }.await);
        Ok(result?)
    }

    /// Records that the code of `step` was used; false if that step or a later one was used
    /// already (a code works once, even within its 30 seconds).
    pub async fn use_totp_step(&self, user_id: i64, step: i64) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query(
            "update users set totp_last_step = $1 where id = $2 and (totp_last_step is null or totp_last_step < $1)")
            .bind(step).bind(user_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Uses a recovery code; false if it is not one of the account's, or was used already.
    pub async fn use_recovery_code(&self, user_id: i64, code_hash: &str) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query(
            "update recovery_codes set used_at = $1 where user_id = $2 and code_hash = $3 and used_at is null")
            .bind(Utc::now()).bind(user_id).bind(code_hash).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// How many unused recovery codes the account has left.
    pub async fn recovery_codes_left(&self, user_id: i64) -> AppResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "select count(*) from recovery_codes where user_id = $1 and used_at is null")
            .bind(user_id).fetch_one(p).await)?)
    }

    /// The members of an organisation, with their instance-wide role.
    pub async fn org_members(&self, org_id: i64) -> AppResult<Vec<OrgMember>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select u.id as user_id, u.username, u.display_name, u.role as instance_role, m.role
             from memberships m join users u on u.id = m.user_id where m.org_id = $1 order by u.username")
            .bind(org_id).fetch_all(p).await)?)
    }

    pub async fn remove_member(&self, org_id: i64, user_id: i64) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from memberships where org_id = $1 and user_id = $2")
            .bind(org_id).bind(user_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// An instance setting (`settings`), if set.
    pub async fn setting(&self, name: &str) -> AppResult<Option<String>> {
        let v = on_pool!(self, p => sqlx::query_scalar::<_, String>("select value from settings where name = $1")
            .bind(name).fetch_optional(p).await)?;
        Ok(v)
    }

    pub async fn set_setting(&self, name: &str, value: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into settings (name, value) values ($1, $2) on conflict (name) do update set value = excluded.value")
            .bind(name).bind(value).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Whether `user_id` may publish or administer (an instance admin or editor, or an
    /// organisation's admin or editor) without a second factor yet.
    pub async fn lacks_required_second_factor(&self, user_id: i64) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query_scalar::<_, i64>(
            "select count(*) from users u where u.id = $1 and u.totp_secret is null
               and (u.role in ('admin', 'editor')
                    or exists (select 1 from memberships m where m.user_id = u.id and m.role in ('admin', 'editor')))")
            .bind(user_id).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// The e-mail address a person gave, if any.
    pub async fn email_of(&self, user_id: i64) -> AppResult<Option<String>> {
        let v = on_pool!(self, p => sqlx::query_scalar::<_, Option<String>>("select email from users where id = $1")
            .bind(user_id).fetch_optional(p).await)?;
        Ok(v.flatten())
    }

    pub async fn set_email(&self, user_id: i64, email: Option<&str>) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update users set email = $1 where id = $2")
            .bind(email).bind(user_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The account a forgotten-password request names, by username or e-mail address
    /// (case-insensitive), with its address: only accounts that gave one.
    pub async fn account_with_email(&self, who: &str) -> AppResult<Option<(i64, String)>> {
        let row = on_pool!(self, p => sqlx::query_as::<_, (i64, String)>(
            "select id, email from users where email is not null and (username = $1 or lower(email) = lower($1)) limit 1")
            .bind(who).fetch_optional(p).await)?;
        Ok(row)
    }

    /// An account's passkeys: (id, name, credential json, created, last used).
    pub async fn passkeys_of(&self, user_id: i64) -> AppResult<Vec<PasskeyRow>> {
        let rows = on_pool!(self, p => sqlx::query_as::<_, PasskeyRow>(
            "select id, name, credential, created_at, last_used_at from passkeys where user_id = $1 order by id")
            .bind(user_id).fetch_all(p).await)?;
        Ok(rows)
    }

    pub async fn add_passkey(&self, user_id: i64, name: &str, credential: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("insert into passkeys (user_id, name, credential, created_at) values ($1, $2, $3, $4)")
            .bind(user_id).bind(name).bind(credential).bind(Utc::now()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a passkey's use, with its credential as updated (its signature counter).
    pub async fn used_passkey(&self, id: i64, credential: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("update passkeys set credential = $1, last_used_at = $2 where id = $3")
            .bind(credential).bind(Utc::now()).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes one of the account's passkeys; false if it has none by that id.
    pub async fn remove_passkey(&self, user_id: i64, id: i64) -> AppResult<bool> {
        let n = on_pool!(self, p => sqlx::query("delete from passkeys where user_id = $1 and id = $2")
            .bind(user_id).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    pub async fn remove_passkeys(&self, user_id: i64) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from passkeys where user_id = $1")
            .bind(user_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Keeps a ceremony's state for five minutes, replacing any under the same key.
    pub async fn put_webauthn_state(&self, key: &str, state: &str) -> AppResult<()> {
        let now = Utc::now();
        on_pool!(self, p => async {
            sqlx::query("delete from webauthn_states where key = $1 or expires_at < $2").bind(key).bind(now).execute(p).await?;
            sqlx::query("insert into webauthn_states (key, state, expires_at) values ($1, $2, $3)")
                .bind(key).bind(state).bind(now + Duration::minutes(5)).execute(p).await
        }.await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Takes a ceremony's state (once): `None` if there is none or it expired.
    pub async fn take_webauthn_state(&self, key: &str) -> AppResult<Option<String>> {
        let state = on_pool!(self, p => sqlx::query_scalar::<_, String>(
            "delete from webauthn_states where key = $1 and expires_at > $2 returning state")
            .bind(key).bind(Utc::now()).fetch_optional(p).await)?;
        Ok(state)
    }
}

/// A passkey as stored.
#[derive(sqlx::FromRow, Serialize)]
pub struct PasskeyRow {
    pub id: i64,
    pub name: String,
    #[serde(skip)]
    pub credential: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}
