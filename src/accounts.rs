//! Accounts, organisations, memberships, sessions and tokens: the rules, over `db`.
//! Used alike by the web pages, the API and the CLI.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
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

/// Checks passwords: one argon2 run per core at a time, each in memory kept from one run to
/// the next. Allocating argon2's 19 MiB afresh for every attempt left the allocator holding
/// hundreds of megabytes after a flood of logins (docs/PERFORMANCE.md); with the memory kept,
/// a flood costs time and at most one block of memory per core.
pub struct PasswordChecker {
    permits: tokio::sync::Semaphore,
    memory: std::sync::Mutex<Vec<Vec<argon2::Block>>>,
}

impl Default for PasswordChecker {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        PasswordChecker { permits: tokio::sync::Semaphore::new(cores), memory: std::sync::Mutex::new(Vec::new()) }
    }
}

impl PasswordChecker {
    /// Whether `password` is the one `hash` (a PHC string) was made from. Waits for a core.
    pub async fn verify(&self, password: String, hash: String) -> AppResult<bool> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let mut memory = self.memory.lock().ok().and_then(|mut m| m.pop()).unwrap_or_default();
        let (ok, memory) = tokio::task::spawn_blocking(move || {
            let ok = verify_in(&password, &hash, &mut memory);
            (ok, memory)
        })
        .await?;
        if let Ok(mut kept) = self.memory.lock() {
            kept.push(memory);
        }
        ok
    }
}

/// argon2 verification of `password` against the PHC string `hash`, in `memory`.
fn verify_in(password: &str, hash: &str, memory: &mut Vec<argon2::Block>) -> AppResult<bool> {
    let parsed = PasswordHash::new(hash).map_err(AppError::internal)?;
    let params = Params::try_from(&parsed).map_err(AppError::internal)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(AppError::internal)?;
    let version = parsed.version.map(Version::try_from).transpose().map_err(AppError::internal)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(AppError::internal("password hash without salt or output"));
    };
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(AppError::internal)?;
    let mut out = vec![0u8; expected.len()];
    memory.resize(params.block_count(), argon2::Block::default());
    Argon2::new(algorithm, version.unwrap_or_default(), params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
        .map_err(AppError::internal)?;
    Ok(subtle::ConstantTimeEq::ct_eq(out.as_slice(), expected.as_bytes()).into())
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
    // one hash per core at a time: a flood waits here
    let ok = ctx.passwords.verify(password.to_string(), hash).await.unwrap_or(false);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_checks_against_its_hash_in_kept_memory() {
        let checker = PasswordChecker::default();
        let hash = hash_password("correct horse battery staple".into()).await.unwrap();
        for _ in 0..3 {
            assert!(checker.verify("correct horse battery staple".into(), hash.clone()).await.unwrap());
            assert!(!checker.verify("wrong".into(), hash.clone()).await.unwrap());
        }
        assert_eq!(checker.memory.lock().unwrap().len(), 1, "one block of memory, kept and reused");
    }
}
