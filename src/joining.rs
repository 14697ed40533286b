//! Joining the instance and writing to its admins, with no e-mail server and no third-party
//! service: an organisation applies on `/join` and keeps the address of its application's page,
//! where the admins' answer appears (on approval, the one-time link that creates its first
//! admin account); anyone may write through `/contact`. Both forms are protected against
//! spam by a field people do not see (bots fill it), a signed time stamp (a form sent less
//! than three seconds after it was shown, or more than a day, is refused), a rate limit per
//! instance, and a cap on applications waiting.

use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::accounts::{self, Invitation};
use crate::db::joining::{Application, NewApplication};
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::model::org::Handle;
use crate::model::user::{OrgRole, Role, User};
use crate::model::FieldError;

/// Applications waiting at most: past this, new ones are refused until the admins decide.
pub const MAX_PENDING: i64 = 500;
/// The fastest a person fills either form, in seconds.
pub const MIN_SECONDS: i64 = 3;
const MAX_AGE_SECONDS: i64 = 24 * 3600;

/// The form's time stamp, signed with the instance's device key: `<unix time>.<hmac>`.
pub fn form_token(ctx: &Core) -> String {
    form_token_at(ctx, Utc::now().timestamp())
}

/// The time stamp of a form shown at `at` (unix seconds).
pub fn form_token_at(ctx: &Core, at: i64) -> String {
    format!("{at}.{}", sign(ctx, at))
}

fn sign(ctx: &Core, at: i64) -> String {
    // HMAC takes a key of any length: this cannot fail, and an empty answer is never accepted
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(ctx.device_key.as_slice()) else { return String::new() };
    mac.update(format!("amicus-form:{at}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Refuses a form sent by a bot: its hidden field filled, its time stamp forged, or sent too
/// fast or too late.
fn check_human(ctx: &Core, token: &str, trap: &str) -> AppResult<()> {
    if !trap.is_empty() {
        return Err(AppError::invalid("form", "err-form-spam", ""));
    }
    let (at, mac) = token.split_once('.').unwrap_or_default();
    let at: i64 = at.parse().map_err(|_| AppError::invalid("form", "err-form-expired", ""))?;
    if mac.is_empty() || mac != sign(ctx, at) {
        return Err(AppError::invalid("form", "err-form-expired", ""));
    }
    let age = Utc::now().timestamp() - at;
    if age < MIN_SECONDS {
        return Err(AppError::invalid("form", "err-form-too-fast", ""));
    }
    if age > MAX_AGE_SECONDS {
        return Err(AppError::invalid("form", "err-form-expired", ""));
    }
    Ok(())
}

/// Counts a form sent; `RateLimited` past the instance's allowance for `kind`.
fn count(ctx: &Core, kind: &str) -> AppResult<()> {
    if ctx.forms_limiter.allow(kind) {
        Ok(())
    } else {
        Err(AppError::RateLimited(60))
    }
}

/// Checks that `value` has between `min` and `max` characters.
fn length(errors: &mut Vec<FieldError>, field: &str, value: &str, min: usize, max: usize) {
    let n = value.trim().chars().count();
    if n < min {
        errors.push(FieldError::new(field, "err-required", ""));
    } else if n > max {
        errors.push(FieldError::new(field, "err-too-long", &max.to_string()));
    }
}

/// A handle made from a name: lower-case ASCII letters, digits and `_`, starting with a letter.
pub fn suggest_handle(name: &str) -> String {
    let folded = crate::search::fold(name);
    let mut h: String = folded
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    h = h.trim_start_matches(|c: char| !c.is_ascii_lowercase()).chars().take(30).collect();
    h = h.trim_end_matches('_').to_string();
    if h.len() < 2 {
        h = format!("org_{}", &crate::db::new_uid()[..6]);
    }
    h
}

/// What an applicant typed.
#[derive(Debug, Default, Clone)]
pub struct ApplicationInput {
    pub name: String,
    pub handle: String,
    pub country: String,
    pub website: String,
    pub contact: String,
    pub why: String,
    pub token: String,
    pub trap: String,
}

/// Records an application and returns the secret address of its page.
pub async fn apply(ctx: &Core, input: &ApplicationInput, lang: &str) -> AppResult<String> {
    check_human(ctx, &input.token, &input.trap)?;
    let mut errors = Vec::new();
    length(&mut errors, "name", &input.name, 2, 200);
    length(&mut errors, "contact", &input.contact, 3, 300);
    length(&mut errors, "why", &input.why, 10, 5000);
    length(&mut errors, "website", &input.website, 0, 500);
    let handle =
        if input.handle.trim().is_empty() { suggest_handle(&input.name) } else { input.handle.trim().to_string() };
    if let Err(e) = Handle::parse(&handle) {
        errors.push(e);
    } else if ctx.db.org_by_handle(&handle).await?.is_some() {
        errors.push(FieldError::new("handle", "err-taken", &handle));
    }
    let country = input.country.trim().to_ascii_lowercase();
    if !country.is_empty() && !ctx.vocab.contains(crate::model::vocab::COUNTRY, &country) {
        errors.push(FieldError::new("country", "err-unknown-term", &country));
    }
    let website = input.website.trim();
    if !website.is_empty() && !url::Url::parse(website).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        errors.push(FieldError::new("website", "err-bad-url", website));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    count(ctx, "join")?;
    if ctx.db.pending_applications().await? >= MAX_PENDING {
        return Err(AppError::invalid("form", "err-too-many-applications", ""));
    }
    let uid = accounts::new_secret();
    ctx.db
        .insert_application(&NewApplication {
            uid: &uid,
            name: input.name.trim(),
            handle: &handle,
            country: (!country.is_empty()).then_some(country.as_str()),
            website: (!website.is_empty()).then_some(website),
            contact: input.contact.trim(),
            why: input.why.trim(),
            lang,
        })
        .await?;
    Ok(uid)
}

/// The instance admins' decision: approval creates the organisation (with the handle the
/// admin settles on) and an invitation to be its first admin; the link is shown on the
/// application's page. Returns the link's secret on approval.
pub async fn decide(
    ctx: &Core,
    admin: &User,
    uid: &str,
    approve: bool,
    handle: &str,
    message: &str,
) -> AppResult<Option<String>> {
    if !admin.is_admin() {
        return Err(AppError::Forbidden);
    }
    let a: Application = ctx.db.application(uid).await?.ok_or(AppError::NotFound)?;
    if a.state != "pending" {
        return Err(AppError::Conflict("application"));
    }
    let mut errors = Vec::new();
    length(&mut errors, "message", message, 0, 2000);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let message = (!message.trim().is_empty()).then(|| message.trim());
    if !approve {
        ctx.db.decide_application(uid, "declined", message, None, None).await?;
        return Ok(None);
    }
    let handle = if handle.trim().is_empty() { a.handle.clone() } else { handle.trim().to_string() };
    let org = accounts::create_org(ctx, &handle, &a.name, None).await?;
    ctx.db.set_org_country(org.id, a.country.as_deref()).await?;
    let secret =
        accounts::invite(ctx, admin, Invitation { role: Role::Member, org: Some((org.clone(), OrgRole::Admin)) })
            .await?;
    ctx.db.decide_application(uid, "approved", message, Some(&secret), Some(org.id)).await?;
    Ok(Some(secret))
}

/// A message to the instance's admins.
pub async fn contact(
    ctx: &Core,
    name: &str,
    reply_to: &str,
    body: &str,
    token: &str,
    trap: &str,
    lang: &str,
) -> AppResult<()> {
    check_human(ctx, token, trap)?;
    let mut errors = Vec::new();
    length(&mut errors, "name", name, 0, 200);
    length(&mut errors, "contact", reply_to, 0, 300);
    length(&mut errors, "body", body, 1, 5000);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    count(ctx, "contact")?;
    ctx.db.insert_contact_message(name.trim(), reply_to.trim(), body.trim(), lang).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_made_from_names_in_any_script() {
        assert_eq!(suggest_handle("Centre for Justice & Accountability"), "centre_for_justice_accountabil");
        assert_eq!(suggest_handle("Comisión Colombiana de Juristas"), "comision_colombiana_de_jurista");
        assert_eq!(suggest_handle("Lawyers for Justice in Libya"), "lawyers_for_justice_in_libya");
        assert!(suggest_handle("مركز العدالة").starts_with("org_"));
        assert!(Handle::parse(&suggest_handle("2024 Coalition")).is_ok());
    }
}
