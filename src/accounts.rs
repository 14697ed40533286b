//! Accounts, organisations, memberships, sessions and tokens: the rules, over `db`.
//! Used alike by the web pages, the API and the CLI.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::db::search::Viewer;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::lang::Lang;
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

/// Where a right password leads: in, or to the second factor's question, carrying a pending
/// token (valid `PENDING_MINUTES`) that names the account and this attempt.
pub enum Login {
    Done(LoggedIn),
    NeedsCode { pending: String, device: String },
}

/// How long the second factor may be given after the password.
pub const PENDING_MINUTES: i64 = 5;

/// The HMAC, under the instance key, of `text`, hex.
fn mac(key: &[u8], text: &str) -> String {
    use hmac::Mac;
    hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
        .map(|m| hex::encode(m.chain_update(text.as_bytes()).finalize().into_bytes()))
        .unwrap_or_default()
}

/// A pending token: `<user id>.<expiry>.<nonce>.<mac>`.
fn pending_token(key: &[u8], user_id: i64) -> String {
    let expires = (chrono::Utc::now() + chrono::Duration::minutes(PENDING_MINUTES)).timestamp();
    let body = format!("{user_id}.{expires}.{}", &new_secret()[..16]);
    format!("{body}.{}", mac(key, &body))
}

/// The user id and nonce of a pending token that this instance made and that has not expired.
pub(crate) fn pending_of(key: &[u8], token: &str) -> Option<(i64, String)> {
    let (body, given) = token.rsplit_once('.')?;
    let expected = mac(key, body);
    let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), given.as_bytes()).into();
    let mut parts = body.split('.');
    let (user, expires, nonce) = (parts.next()?.parse().ok()?, parts.next()?.parse::<i64>().ok()?, parts.next()?);
    (same && !expected.is_empty() && expires > chrono::Utc::now().timestamp()).then(|| (user, nonce.to_string()))
}

/// A recovery code's digest: codes are compared without case, spaces or dashes.
fn recovery_digest(code: &str) -> String {
    let plain: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
    digest(&plain)
}

/// Ten new recovery codes, `xxxxx-xxxxx` of base32 letters and digits.
fn new_recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let code = crate::totp::base32(&crate::totp::new_secret()[..7]).to_lowercase();
            format!("{}-{}", &code[..5], &code[5..10])
        })
        .collect()
}

/// The second step of a login: the code from the authenticator app (or a recovery code) for
/// the account a pending token names. Each pending token has its own allowance of attempts,
/// after which each further one waits (the password's limiter, keyed by the token): whoever
/// guesses codes must give the password again and again, and never spends the owner's.
pub async fn second_factor(ctx: &Core, pending: &str, code: &str, device_name: &str) -> AppResult<(User, String)> {
    let (user_id, nonce) = pending_of(ctx.device_key.as_slice(), pending).ok_or(AppError::Gone)?;
    let key = format!("code {nonce}");
    if let Err(wait) = ctx.login_limiter.begin(&key) {
        return Err(AppError::RateLimited(wait.as_secs().max(1)));
    }
    let user = ctx.db.user_by_id(user_id).await?.ok_or(AppError::Gone)?;
    let secret = ctx.db.totp_secret(user_id).await?.and_then(|s| crate::totp::from_base32(&s));
    let ok = match secret {
        None => true, // the second factor was turned off meanwhile
        Some(secret) => code_is_good(ctx, user_id, &secret, code).await?,
    };
    if !ok {
        ctx.db.record_sign_in(user_id, false, device_name).await?;
        return Err(AppError::invalid("code", "err-wrong-code", ""));
    }
    ctx.login_limiter.succeeded(&key);
    let session = open_session(ctx, user_id, device_name).await?;
    ctx.db.record_sign_in(user_id, true, device_name).await?;
    Ok((user, session))
}

/// Whether `code` is the account's current TOTP code (used once) or an unused recovery code.
async fn code_is_good(ctx: &Core, user_id: i64, secret: &[u8], code: &str) -> AppResult<bool> {
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    if let Some(step) = crate::totp::verify(secret, code, now) {
        return ctx.db.use_totp_step(user_id, step as i64).await;
    }
    let plain = code.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    if plain == 10 {
        return ctx.db.use_recovery_code(user_id, &recovery_digest(code)).await;
    }
    Ok(false)
}

/// Turns the second factor on: `secret` (base32, as the enrolment page showed it) must give
/// `code`. Returns the ten recovery codes, to be shown once.
pub async fn enable_totp(ctx: &Core, user: &User, secret: &str, code: &str) -> AppResult<Vec<String>> {
    let bytes =
        crate::totp::from_base32(secret).filter(|b| b.len() >= 16).ok_or(AppError::BadRequest("error-bad-form"))?;
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    if crate::totp::verify(&bytes, code, now).is_none() {
        return Err(AppError::invalid("code", "err-wrong-code", ""));
    }
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_digest(c)).collect();
    ctx.db.set_totp(user.id, Some(&crate::totp::base32(&bytes)), &hashes).await?;
    Ok(codes)
}

/// Turns the second factor off: needs the password and a current code (or a recovery code).
/// The setting that makes two-step login compulsory for administrators and editors.
pub const REQUIRE_2FA: &str = "require_2fa";

/// Whether this instance requires two-step login of administrators and editors.
pub async fn two_factor_required(ctx: &Core) -> AppResult<bool> {
    Ok(ctx.db.setting(REQUIRE_2FA).await?.as_deref() == Some("on"))
}

/// An instance admin requires two-step login of administrators and editors, or stops to.
pub async fn require_two_factor(ctx: &Core, by: &User, on: bool) -> AppResult<()> {
    if !by.is_admin() {
        return Err(AppError::Forbidden);
    }
    // an admin who required it without having it would be locked out of this very page
    if on && ctx.db.lacks_required_second_factor(by.id).await? {
        return Err(AppError::invalid("require", "err-2fa-yourself-first", ""));
    }
    ctx.db.set_setting(REQUIRE_2FA, if on { "on" } else { "off" }).await
}

/// Whether `user` must turn on two-step login before doing anything else: the instance
/// requires it, and they publish or administer without it.
pub async fn must_enrol(ctx: &Core, user: &User) -> AppResult<bool> {
    Ok(two_factor_required(ctx).await? && ctx.db.lacks_required_second_factor(user.id).await?)
}

pub async fn disable_totp(ctx: &Core, user: &User, password: &str, code: &str) -> AppResult<()> {
    let hash = ctx.db.password_hash(user.id).await?;
    if !ctx.passwords.verify(password.to_string(), hash).await? {
        return Err(AppError::invalid("current_password", "err-wrong-password", ""));
    }
    let secret = ctx.db.totp_secret(user.id).await?.and_then(|s| crate::totp::from_base32(&s));
    if let Some(secret) = secret {
        if !code_is_good(ctx, user.id, &secret, code).await? {
            return Err(AppError::invalid("code", "err-wrong-code", ""));
        }
    }
    // passkeys are another way to give the second step: they go with it
    ctx.db.remove_passkeys(user.id).await?;
    ctx.db.set_totp(user.id, None, &[]).await
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
///
/// `device_name` is the coarse description of the browser (`describe_device`) kept with the
/// session and in the account's sign-in history; failed attempts on an existing account are
/// recorded there too, for its owner to see.
pub async fn login(
    ctx: &Core,
    username: &str,
    password: &str,
    device: Option<&str>,
    device_name: &str,
) -> AppResult<Login> {
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
    let (user, hash, two_factor) = match found {
        Some((u, h, two_factor)) => (Some(u), h, two_factor),
        None => (None, ctx.dummy_hash.to_string(), false),
    };
    // one hash per core at a time: a flood waits here
    let ok = ctx.passwords.verify(password.to_string(), hash).await.unwrap_or(false);
    match (user, ok) {
        (Some(user), true) => {
            ctx.login_limiter.succeeded(&key);
            ctx.login_limiter.succeeded(&username);
            let device = device_token(ctx.device_key.as_slice(), &username, &new_secret()[..16]);
            if two_factor {
                let pending = pending_token(ctx.device_key.as_slice(), user.id);
                return Ok(Login::NeedsCode { pending, device });
            }
            let secret = open_session(ctx, user.id, device_name).await?;
            ctx.db.record_sign_in(user.id, true, device_name).await?;
            Ok(Login::Done(LoggedIn { user, secret, device }))
        }
        (Some(user), false) => {
            ctx.db.record_sign_in(user.id, false, device_name).await?;
            Err(AppError::invalid("password", "err-login-failed", ""))
        }
        (None, _) => Err(AppError::invalid("password", "err-login-failed", "")),
    }
}

/// Opens a session for `user_id` and returns the cookie's secret.
pub(crate) async fn open_session(ctx: &Core, user_id: i64, device_name: &str) -> AppResult<String> {
    let secret = new_secret();
    ctx.db.insert_session(&digest(&secret), user_id, &new_secret()[..16], device_name).await?;
    Ok(secret)
}

/// What a session or sign-in keeps of the browser's `User-Agent`: its family and system
/// ("Firefox · Android"), never the header itself, which can single a person out.
pub fn describe_device(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(mark, _)| ua.contains(mark))
    .map_or("?", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| *name);
    match system {
        Some(system) => format!("{browser} · {system}"),
        None => browser.to_string(),
    }
}

/// How long an invitation or reset link can be used.
pub const LINK_DAYS: i64 = 7;

/// What an invitation grants: an instance role, and a role in an organisation.
pub struct Invitation {
    pub role: Role,
    pub org: Option<(Org, OrgRole)>,
}

/// Creates an invitation link's secret (shown once, to be passed on by any channel). Instance
/// admins invite with any role; an organisation's admins invite into it only, and their
/// invitees get no instance-wide rights.
pub async fn invite(ctx: &Core, by: &User, invitation: Invitation) -> AppResult<String> {
    let role = match &invitation.org {
        Some((org, _)) if !by.is_admin() => {
            require_org_admin(ctx, by, org.id).await?;
            Role::Member
        }
        None if !by.is_admin() => return Err(AppError::Forbidden),
        _ => invitation.role,
    };
    let secret = new_secret();
    ctx.db
        .insert_link(crate::db::people::NewLink {
            token_hash: &digest(&secret),
            kind: "invite",
            role: Some(role),
            org: invitation.org.map(|(org, r)| (org.id, r)),
            user_id: None,
            created_by: by.id,
            valid_for: chrono::Duration::days(LINK_DAYS),
        })
        .await?;
    Ok(secret)
}

/// Accepts an invitation: the account is created with the chosen name and password, and a
/// session opened for it. `Gone` for a used or expired link.
pub async fn accept_invitation(
    ctx: &Core,
    secret: &str,
    username: &str,
    (password, again): (&str, &str),
    display_name: &str,
    device_name: &str,
) -> AppResult<(User, String)> {
    let mut errors = Vec::new();
    let name = Username::parse(username).map_err(|e| errors.push(e)).ok();
    if let Err(AppError::Invalid(mut e)) = check_new_password(password, again) {
        errors.append(&mut e);
    }
    let display = crate::model::user::check_display_name(display_name).map_err(|e| errors.push(e)).ok().flatten();
    let Some(name) = name.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    let hash = hash_password(password.to_string()).await?;
    let user = match ctx.db.accept_invitation(&digest(secret), name.as_str(), &hash, display.as_deref()).await {
        Err(AppError::Conflict(_)) => return Err(AppError::invalid("username", "err-taken", name.as_str())),
        other => other?,
    };
    let session = open_session(ctx, user.id, device_name).await?;
    ctx.db.record_sign_in(user.id, true, device_name).await?;
    Ok((user, session))
}

/// A password reset link's secret for `user_id`, issued by an instance admin.
pub async fn issue_reset(ctx: &Core, by: &User, user_id: i64) -> AppResult<String> {
    if !by.is_admin() {
        return Err(AppError::Forbidden);
    }
    ctx.db.user_by_id(user_id).await?.ok_or(AppError::NotFound)?;
    reset_link(ctx, user_id, by.id, chrono::Duration::days(LINK_DAYS)).await
}

/// A new reset link's secret for `user_id`, made by `created_by`, valid `valid_for`.
async fn reset_link(ctx: &Core, user_id: i64, created_by: i64, valid_for: chrono::Duration) -> AppResult<String> {
    let secret = new_secret();
    ctx.db
        .insert_link(crate::db::people::NewLink {
            token_hash: &digest(&secret),
            kind: "reset",
            role: None,
            org: None,
            user_id: Some(user_id),
            created_by,
            valid_for,
        })
        .await?;
    Ok(secret)
}

/// A one-time link by e-mail (`kind` "invite" or "reset"), in `lang`: `Ok(false)` when the
/// instance sends no mail; 503 when its server refused or could not be reached.
pub async fn mail_link(ctx: &Core, lang: Lang, to: &str, kind: &str, path: &str) -> AppResult<bool> {
    let Some(mailer) = &ctx.mailer else { return Ok(false) };
    let link = format!("{}{path}", ctx.config.base_url());
    let args =
        [("link", link.as_str().into()), ("domain", ctx.config.domain.as_str().into()), ("days", LINK_DAYS.into())];
    let subject = ctx.i18n.t_args(lang, &format!("mail-{kind}-subject"), &args);
    let body = ctx.i18n.t_args(lang, &format!("mail-{kind}-body"), &args);
    mailer.send(to, &subject, body).await?;
    Ok(true)
}

/// "Forgot your password?": when the instance sends mail and the name or address given is
/// an account's with an address, a reset link goes to that address. The answer is the same
/// whatever the case, so that nobody learns who has an account or an address here.
pub async fn forgot_password(ctx: &Core, who: &str, lang: Lang) -> AppResult<()> {
    if ctx.mailer.is_none() {
        return Err(AppError::NotFound);
    }
    let who = who.trim();
    // the same limit as logins, per name asked about: no flood of mail to one person
    if let Err(wait) = ctx.login_limiter.begin(&format!("forgot {}", who.to_lowercase())) {
        return Err(AppError::RateLimited(wait.as_secs().max(1)));
    }
    let Some((user_id, email)) = ctx.db.account_with_email(who).await? else { return Ok(()) };
    let secret = reset_link(ctx, user_id, user_id, chrono::Duration::hours(2)).await?;
    if let Err(e) = mail_link(ctx, lang, &email, "reset", &format!("/reset/{secret}")).await {
        tracing::warn!("a reset link could not be e-mailed: {e}");
    }
    Ok(())
}

/// Sets a new password through a reset link; every session of the account ends.
pub async fn reset_password(ctx: &Core, secret: &str, password: &str, again: &str) -> AppResult<()> {
    check_new_password(password, again)?;
    let hash = hash_password(password.to_string()).await?;
    ctx.db.reset_password(&digest(secret), &hash).await.map(|_| ())
}

fn check_new_password(password: &str, again: &str) -> AppResult<()> {
    check_password(password)?;
    if password != again {
        return Err(AppError::invalid("password_again", "err-passwords-differ", ""));
    }
    Ok(())
}

/// Changes one's own password, given the current one; other sessions end, this one stays.
pub async fn change_password(
    ctx: &Core,
    user: &User,
    session_secret: &str,
    current: &str,
    password: &str,
    again: &str,
) -> AppResult<()> {
    let hash = ctx.db.password_hash(user.id).await?;
    if !ctx.passwords.verify(current.to_string(), hash).await? {
        return Err(AppError::invalid("current_password", "err-wrong-password", ""));
    }
    check_new_password(password, again)?;
    let hash = hash_password(password.to_string()).await?;
    ctx.db.set_password(user.id, &hash, &digest(session_secret)).await
}

/// Changes a member's role in an organisation, or with `None` removes them from it. Only the
/// organisation's admins may; an instance admin's membership only another instance admin;
/// and the last admin of an organisation stays one.
pub async fn change_member(ctx: &Core, by: &User, org: &Org, user_id: i64, role: Option<OrgRole>) -> AppResult<()> {
    require_org_admin(ctx, by, org.id).await?;
    let members = ctx.db.org_members(org.id).await?;
    let target = members.iter().find(|m| m.user_id == user_id).ok_or(AppError::NotFound)?;
    if target.instance_role == Role::Admin.as_str() && !by.is_admin() {
        return Err(AppError::Forbidden);
    }
    let admins = members.iter().filter(|m| m.role == OrgRole::Admin.as_str()).count();
    if target.role == OrgRole::Admin.as_str() && role != Some(OrgRole::Admin) && admins <= 1 {
        return Err(AppError::invalid("role", "err-last-admin", ""));
    }
    match role {
        Some(role) => ctx.db.upsert_member(org.id, user_id, role).await,
        None => ctx.db.remove_member(org.id, user_id).await,
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
    let mut org = ctx.db.insert_org(handle.as_str(), &name, &keys.public_key, &keys.private_key).await?;
    org.signing_public = Some(crate::federation::keys::ensure_signing_key(&ctx.db, org.id).await?.0);
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
        Some(role) if role.can_edit() => Ok(()),
        _ => Err(AppError::Forbidden),
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
