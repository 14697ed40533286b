//! RSA key pairs for actors: made off the async runtime (2048-bit generation takes tens to
//! hundreds of milliseconds), and made up at start-up for any actor that lacks one.

use activitypub_federation::http_signatures::{generate_actor_keypair, Keypair};

use crate::db::Db;
use crate::error::{AppError, AppResult};

/// The Ed25519 key of a local organisation (made now if it has none): (public, private).
pub async fn ensure_signing_key(db: &Db, org_id: i64) -> AppResult<(String, String)> {
    if let Some(k) = db.org_signing_key(org_id).await? {
        return Ok(k);
    }
    let (public, private) = super::integrity::generate().map_err(AppError::internal)?;
    db.set_org_signing_key(org_id, &public, &private).await?;
    db.org_signing_key(org_id).await?.ok_or_else(|| AppError::internal("no signing key"))
}

pub async fn generate() -> AppResult<Keypair> {
    tokio::task::spawn_blocking(generate_actor_keypair).await?.map_err(AppError::internal)
}

/// Gives the instance actor and every organisation a key pair if they have none yet.
pub async fn ensure(db: &Db) -> AppResult<(String, String)> {
    for org_id in db.orgs_without_keys().await? {
        let k = generate().await?;
        db.set_org_keys(org_id, &k.public_key, &k.private_key).await?;
    }
    for org_id in db.orgs_without_signing_keys().await? {
        ensure_signing_key(db, org_id).await?;
    }
    match db.instance_keys().await? {
        Some(pair) => Ok(pair),
        None => {
            let k = generate().await?;
            db.init_instance_keys(&k.public_key, &k.private_key).await
        }
    }
}
