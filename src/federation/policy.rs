//! Federation policy: in `open` mode every server may federate except blocked domains; in
//! `partners` mode only allowed domains may. The crate consults this for every incoming
//! activity id, every fetch and every outgoing inbox, so nothing is delivered to, fetched
//! from or accepted from a domain the policy refuses.

use activitypub_federation::config::UrlVerifier;
use activitypub_federation::error::Error;
use url::Url;

use crate::config::FederationMode;
use crate::db::Db;

#[derive(Clone)]
pub struct Policy {
    pub db: Db,
    pub mode: FederationMode,
    /// This instance's own host, always allowed.
    pub own_host: String,
}

/// Whether `host` is `domain` or one of its subdomains. A rule may name a port
/// (`partner.example:8443`, where a partner is reached); the host alone is compared.
pub fn covers(domain: &str, host: &str) -> bool {
    let domain = domain.split(':').next().unwrap_or_default();
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// The rules at one moment, to check many hosts without asking the database each time.
pub struct Rules {
    mode: FederationMode,
    own_host: String,
    rules: Vec<(String, String)>,
}

impl Rules {
    /// Whether this instance federates with `host`.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        if host == self.own_host {
            return true;
        }
        let matching = |policy: &str| self.rules.iter().any(|(d, p)| p == policy && covers(d, &host));
        match self.mode {
            FederationMode::Open => !matching("block"),
            FederationMode::Partners => matching("allow") && !matching("block"),
        }
    }
}

impl Rules {
    /// Whether `host` is a partner: allowed by name (`amicus federation allow`), in either
    /// mode, and not blocked.
    pub fn is_partner(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let matching = |policy: &str| self.rules.iter().any(|(d, p)| p == policy && covers(d, &host));
        matching("allow") && !matching("block")
    }

    /// The domains allowed by name.
    pub fn allowed(&self) -> Vec<String> {
        self.rules.iter().filter(|(_, p)| p == "allow").map(|(d, _)| d.clone()).collect()
    }
}

impl Policy {
    pub fn of(ctx: &crate::domain::Core) -> Policy {
        Policy {
            db: ctx.db.clone(),
            mode: ctx.config.federation_mode,
            own_host: ctx.config.domain.split(':').next().unwrap_or_default().to_ascii_lowercase(),
        }
    }

    pub async fn rules(&self) -> Result<Rules, crate::error::AppError> {
        Ok(Rules { mode: self.mode, own_host: self.own_host.clone(), rules: self.db.federation_rules().await? })
    }

    /// Whether this instance federates with `host`.
    pub async fn allows(&self, host: &str) -> Result<bool, crate::error::AppError> {
        Ok(self.rules().await?.allows(host))
    }
}

/// What the verifier answers when the policy refuses a domain; `federation` maps it to 403.
pub const REFUSED: &str = "domain refused by federation policy";
/// What it answers when the rules cannot be read (the database is down); mapped to 503, so
/// that the sender tries again instead of dropping the activity for good.
pub const UNAVAILABLE: &str = "federation policy unavailable";

#[async_trait::async_trait]
impl UrlVerifier for Policy {
    async fn verify(&self, url: &Url) -> Result<(), Error> {
        let host = url.host_str().unwrap_or_default();
        match self.allows(host).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::UrlVerificationError(REFUSED)),
            Err(_) => Err(Error::UrlVerificationError(UNAVAILABLE)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_covers_subdomains_only() {
        assert!(covers("example.org", "example.org"));
        assert!(covers("example.org", "social.example.org"));
        assert!(!covers("example.org", "badexample.org"));
    }
}
