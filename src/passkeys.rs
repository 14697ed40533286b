//! Passkeys and security keys (WebAuthn, with kanidm's webauthn-rs) as another way to give the
//! second step of a login, once two-step login (TOTP and recovery codes) is on: a person who
//! loses every key still has the app and the codes. Each ceremony is two requests; its state
//! waits in the database in between (five minutes, once), so any node can finish it.

use webauthn_rs::prelude::{
    CreationChallengeResponse, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};

use crate::config::Config;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::user::User;

/// The relying party: this instance's host name, and its address as the origin.
pub fn relying_party(config: &Config) -> anyhow::Result<Webauthn> {
    let origin = Url::parse(&config.base_url())?;
    let id = origin.host_str().ok_or_else(|| anyhow::anyhow!("the domain has no host"))?.to_string();
    Ok(WebauthnBuilder::new(&id, &origin)?.rp_name("Amicus").build()?)
}

/// The id a key stores for an account: derived from the instance key, so the account's
/// number is not given away and a key from another instance means nothing here.
fn user_handle(ctx: &Core, user: &User) -> Uuid {
    use hmac::Mac;
    let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(ctx.device_key.as_slice())
        .map(|m| m.chain_update(format!("passkey user {}", user.id)).finalize().into_bytes());
    let mut bytes = [0u8; 16];
    if let Ok(m) = mac {
        bytes.copy_from_slice(&m[..16]);
    }
    Uuid::from_bytes(bytes)
}

fn json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(AppError::internal)
}

fn parse<T: serde::de::DeserializeOwned>(s: &str) -> AppResult<T> {
    serde_json::from_str(s).map_err(AppError::internal)
}

/// The first half of adding a passkey: the options for the browser. Only with two-step login on.
pub async fn start_registration(ctx: &Core, user: &User) -> AppResult<CreationChallengeResponse> {
    if ctx.db.totp_secret(user.id).await?.is_none() {
        return Err(AppError::invalid("passkey", "err-passkey-needs-2fa", ""));
    }
    let existing: Vec<Passkey> =
        ctx.db.passkeys_of(user.id).await?.iter().filter_map(|p| parse::<Passkey>(&p.credential).ok()).collect();
    let exclude = existing.iter().map(|p| p.cred_id().clone()).collect::<Vec<_>>();
    let (options, state) = ctx
        .webauthn
        .start_passkey_registration(user_handle(ctx, user), &user.username, &user.username, Some(exclude))
        .map_err(AppError::internal)?;
    ctx.db.put_webauthn_state(&format!("reg {}", user.id), &json(&state)?).await?;
    Ok(options)
}

/// The second half: the browser's answer, checked against the state kept, then stored.
pub async fn finish_registration(
    ctx: &Core,
    user: &User,
    name: &str,
    answer: &RegisterPublicKeyCredential,
) -> AppResult<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(AppError::invalid("passkey_name", "err-passkey-name", name));
    }
    let state = ctx.db.take_webauthn_state(&format!("reg {}", user.id)).await?.ok_or(AppError::Gone)?;
    let state: PasskeyRegistration = parse(&state)?;
    let passkey = ctx
        .webauthn
        .finish_passkey_registration(answer, &state)
        .map_err(|_| AppError::invalid("passkey", "err-passkey-refused", ""))?;
    ctx.db.add_passkey(user.id, name, &json(&passkey)?).await
}

/// The first half of a login's second step with a passkey, for the account the pending
/// token (after the right password) names.
pub async fn start_login(ctx: &Core, pending: &str) -> AppResult<RequestChallengeResponse> {
    let (user_id, nonce) = crate::accounts::pending_of(ctx.device_key.as_slice(), pending).ok_or(AppError::Gone)?;
    let keys: Vec<Passkey> =
        ctx.db.passkeys_of(user_id).await?.iter().filter_map(|p| parse::<Passkey>(&p.credential).ok()).collect();
    if keys.is_empty() {
        return Err(AppError::NotFound);
    }
    let (options, state) = ctx.webauthn.start_passkey_authentication(&keys).map_err(AppError::internal)?;
    ctx.db.put_webauthn_state(&format!("login {nonce}"), &json(&state)?).await?;
    Ok(options)
}

/// The second half: the key's signature over the challenge. A session, as with a code.
pub async fn finish_login(
    ctx: &Core,
    pending: &str,
    answer: &PublicKeyCredential,
    device_name: &str,
) -> AppResult<(User, String)> {
    let (user_id, nonce) = crate::accounts::pending_of(ctx.device_key.as_slice(), pending).ok_or(AppError::Gone)?;
    // the same allowance as codes: a pending token cannot be used to try keys forever
    let limit = format!("code {nonce}");
    if let Err(wait) = ctx.login_limiter.begin(&limit) {
        return Err(AppError::RateLimited(wait.as_secs().max(1)));
    }
    let state = ctx.db.take_webauthn_state(&format!("login {nonce}")).await?.ok_or(AppError::Gone)?;
    let state: PasskeyAuthentication = parse(&state)?;
    let user = ctx.db.user_by_id(user_id).await?.ok_or(AppError::Gone)?;
    let Ok(result) = ctx.webauthn.finish_passkey_authentication(answer, &state) else {
        ctx.db.record_sign_in(user_id, false, device_name).await?;
        return Err(AppError::invalid("passkey", "err-passkey-refused", ""));
    };
    // the key's counter moves on: a cloned key would be seen
    for row in ctx.db.passkeys_of(user_id).await? {
        let Ok(mut key) = parse::<Passkey>(&row.credential) else { continue };
        if key.update_credential(&result).is_some() {
            ctx.db.used_passkey(row.id, &json(&key)?).await?;
        }
    }
    ctx.login_limiter.succeeded(&limit);
    let session = crate::accounts::open_session(ctx, user_id, device_name).await?;
    ctx.db.record_sign_in(user_id, true, device_name).await?;
    Ok((user, session))
}

/// Removes a passkey, with the account's password.
pub async fn remove(ctx: &Core, user: &User, id: i64, password: &str) -> AppResult<()> {
    let hash = ctx.db.password_hash(user.id).await?;
    if !ctx.passwords.verify(password.to_string(), hash).await? {
        return Err(AppError::invalid("current_password", "err-wrong-password", ""));
    }
    if ctx.db.remove_passkey(user.id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
