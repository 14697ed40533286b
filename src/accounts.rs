//! Accounts, organisations, memberships, sessions and tokens: the rules, over `db`.
//! Used alike by the web pages, the API and the CLI.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::db::search::Viewer;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::org::{check_name, Handle, Org};
use crate::model::user::{check_password, OrgRole, Role, User, Username};

/// SHA-256 of a secret, hex: what the database stores for session cookies and tokens.
pub fn digest(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

/// A new random secret for a cookie or token: 32 bytes, URL-safe base64.
pub fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// argon2id with the OWASP minimum: 19 MiB, two passes, one lane.
fn argon2() -> AppResult<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(AppError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes off the async runtime: argon2 takes tens of milliseconds on purpose.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()?.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AppError::internal)
    })
    .await?
}

async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
        Ok(argon2()?.verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await?
}

pub async fn create_user(ctx: &Core, username: &str, password: &str, role: Role) -> AppResult<User> {
    let name = Username::parse(username)?;
    check_password(password)?;
    let hash = hash_password(password.to_string()).await?;
    let id = ctx.db.insert_user(name.as_str(), &hash, role).await?;
    Ok(User { id, username: name.as_str().to_string(), role })
}

/// A successful login: the user, the session cookie's secret, and the device cookie that
/// lets this device through when strangers are guessing the account's password.
pub struct LoggedIn {
    pub user: User,
    pub secret: String,
    pub device: String,
}

/// A device token for `username`: a random nonce and its HMAC under the instance's key.
fn device_token(key: &[u8], username: &str, nonce: &str) -> String {
    use hmac::Mac;
    let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
        .map(|m| m.chain_update(format!("{username}\n{nonce}")).finalize().into_bytes());
    match mac {
        Ok(bytes) => format!("{nonce}.{}", hex::encode(bytes)),
        Err(_) => String::new(),
    }
}

/// The nonce of `token` if it is a device token issued for `username`.
fn device_of<'a>(key: &[u8], username: &str, token: &'a str) -> Option<&'a str> {
    let (nonce, _) = token.split_once('.')?;
    let expected = device_token(key, username, nonce);
    let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), token.as_bytes()).into();
    (same && !expected.is_empty()).then_some(nonce)
}

/// Checks a password and opens a session. Every attempt is counted before the password is
/// checked (`LoginLimiter`); one that comes too early answers `RateLimited` with the wait.
/// A device that logged in to this account before (its `device` cookie) has an allowance
/// of its own, so guesses from elsewhere never keep the owner out.
pub async fn login(ctx: &Core, username: &str, password: &str, device: Option<&str>) -> AppResult<LoggedIn> {
    let username = username.trim().to_lowercase();
    let key = match device.and_then(|t| device_of(ctx.device_key.as_slice(), &username, t)) {
        Some(nonce) => format!("device {nonce}"),
        None => username.clone(),
    };
    if let Err(wait) = ctx.login_limiter.begin(&key) {
        return Err(AppError::RateLimited(wait.as_secs().max(1)));
    }
    let found = ctx.db.user_for_login(&username).await?;
    // An unknown name costs as much time as a wrong password, so it cannot be told apart.
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, ctx.dummy_hash.to_string()),
    };
    let ok = {
        // one hash per core at a time: a flood waits here, holding no argon2 memory
        let _permit = ctx.login_limiter.hashing.acquire().await.map_err(AppError::internal)?;
        verify_password(password.to_string(), hash).await.unwrap_or(false)
    };
    match (user, ok) {
        (Some(user), true) => {
            ctx.login_limiter.succeeded(&key);
            ctx.login_limiter.succeeded(&username);
            let secret = new_secret();
            ctx.db.insert_session(&digest(&secret), user.id).await?;
            let device = device_token(ctx.device_key.as_slice(), &username, &new_secret()[..16]);
            Ok(LoggedIn { user, secret, device })
        }
        _ => Err(AppError::invalid("password", "err-login-failed", "")),
    }
}

/// Ends this session, or with `everywhere` every session of its user (a lost phone, a
/// shared computer in an internet café).
pub async fn logout(ctx: &Core, session_secret: &str, everywhere: bool) -> AppResult<()> {
    let hash = digest(session_secret);
    if everywhere {
        if let Some(user) = ctx.db.user_by_session(&hash, ctx.config.session_idle_minutes).await? {
            return ctx.db.delete_user_sessions(user.id).await;
        }
    }
    ctx.db.delete_session(&hash).await
}

/// Creates an API token for a user and returns it; only its digest is kept.
pub async fn create_token(ctx: &Core, username: &str) -> AppResult<String> {
    let user = ctx
        .db
        .user_by_username(username)
        .await?
        .ok_or_else(|| AppError::invalid("username", "err-no-such-user", username))?;
    let token = new_secret();
    ctx.db.insert_token(&digest(&token), user.id).await?;
    Ok(token)
}

/// Creates an organisation, making `owner` (if given) its admin.
pub async fn create_org(ctx: &Core, handle: &str, name: &str, owner: Option<&str>) -> AppResult<Org> {
    let handle = Handle::parse(handle)?;
    let name = check_name("name", name)?;
    let owner = match owner {
        Some(o) => {
            Some(ctx.db.user_by_username(o).await?.ok_or_else(|| AppError::invalid("owner", "err-no-such-user", o))?)
        }
        None => None,
    };
    let keys = crate::federation::keys::generate().await?;
    let org = ctx.db.insert_org(handle.as_str(), &name, &keys.public_key, &keys.private_key).await?;
    if let Some(u) = owner {
        ctx.db.upsert_member(org.id, u.id, OrgRole::Admin).await?;
    }
    Ok(org)
}

pub async fn add_member(ctx: &Core, handle: &str, username: &str, role: OrgRole) -> AppResult<()> {
    let org = ctx.db.org_by_handle(handle).await?.ok_or_else(|| AppError::invalid("org", "err-no-such-org", handle))?;
    let user = ctx
        .db
        .user_by_username(username)
        .await?
        .ok_or_else(|| AppError::invalid("username", "err-no-such-user", username))?;
    ctx.db.upsert_member(org.id, user.id, role).await
}

/// The user's role in an organisation; instance admins count as organisation admins.
pub async fn org_role(ctx: &Core, user: &User, org_id: i64) -> AppResult<Option<OrgRole>> {
    if user.is_admin() {
        return Ok(Some(OrgRole::Admin));
    }
    ctx.db.member_role(org_id, user.id).await
}

/// Editors and admins of the organisation may create and change its resources.
pub async fn require_editor(ctx: &Core, user: &User, org_id: i64) -> AppResult<()> {
    match org_role(ctx, user, org_id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::Forbidden),
    }
}

pub async fn require_org_admin(ctx: &Core, user: &User, org_id: i64) -> AppResult<()> {
    match org_role(ctx, user, org_id).await? {
        Some(OrgRole::Admin) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// What a (possibly anonymous) reader may see in listings.
pub async fn viewer_scope(ctx: &Core, user: Option<&User>) -> AppResult<Viewer> {
    Ok(match user {
        None => Viewer::Public,
        Some(u) if u.is_admin() => Viewer::Admin,
        Some(u) => Viewer::Member(ctx.db.orgs_of_user(u.id).await?.into_iter().map(|(id, _, _)| id).collect()),
    })
}
