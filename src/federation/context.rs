//! The crate's `FederationConfig` for an instance, and the extractor handlers use to reach
//! it: HTTP client (with the development network's name mappings), signing settings, the
//! instance actor that signs fetches.

use std::time::Duration;

use activitypub_federation::config::{Data, FederationConfig, FederationMiddleware};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::domain::Core;
use crate::error::{AppError, AppResult};

/// The HTTP client for remote servers: it connects only to public addresses (`net`). With
/// the development network, host names listed in `resolve` go to the given address (port
/// from the URL), and they alone may be loopback or private.
pub fn http_client(ctx_config: &crate::config::Config) -> AppResult<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        // as Mastodon does: the software and this instance, so a remote admin knows who calls
        .user_agent(format!("Amicus/{} (+{}/)", env!("CARGO_PKG_VERSION"), ctx_config.base_url()))
        .redirect(reqwest::redirect::Policy::none())
        // no proxy from the environment: it would connect for us, past the address check
        .no_proxy()
        .dns_resolver(super::net::PublicResolver)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10));
    if ctx_config.dev_network {
        for (host, ip) in &ctx_config.resolve {
            b = b.resolve(host, std::net::SocketAddr::new(*ip, 0));
        }
    }
    b.build().map_err(AppError::internal)
}

/// Names the algorithm of the crate's signed fetches `rsa-sha256`, as Mastodon does and as
/// our deliveries do: the signing library writes `hs2019` for every algorithm, and verifiers
/// such as Python's httpsig accept only the name of the one used. The name is not part of the
/// signed string, so the signature stays valid.
struct RsaSha256;

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for RsaSha256 {
    async fn handle(
        &self,
        mut req: reqwest::Request,
        extensions: &mut axum::http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let renamed = req
            .headers()
            .get("signature")
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.contains("algorithm=\"hs2019\""))
            .map(|v| v.replace("algorithm=\"hs2019\"", "algorithm=\"rsa-sha256\""))
            .and_then(|v| reqwest::header::HeaderValue::from_str(&v).ok());
        if let Some(v) = renamed {
            req.headers_mut().insert("signature", v);
        }
        next.run(req, extensions).await
    }
}

/// The crate's configuration, under a name `http/` can use without importing the crate.
pub type FedConfig = FederationConfig<Core>;

/// Builds the federation configuration of an instance.
pub async fn config(ctx: &Core) -> AppResult<FederationConfig<Core>> {
    let client = reqwest_middleware::ClientBuilder::new(ctx.http.clone()).with(RsaSha256).build();
    // every fetch is signed by the instance actor (Mastodon's authorized fetch, GoToSocial)
    let instance = super::apactor::ApActor::instance(ctx).await?;
    FederationConfig::builder()
        .signed_fetch_actor(&instance)
        .url_verifier(Box::new(super::policy::Policy::of(ctx)))
        .domain(ctx.config.domain.clone())
        .app_data(ctx.clone())
        .client(client)
        // the development network allows http and loopback; it is never implied by a debug build
        .debug(ctx.config.dev_network)
        .allow_http_urls(ctx.config.dev_network)
        .http_signature_compat(true)
        .request_timeout(Duration::from_secs(10))
        .http_fetch_limit(50)
        .build()
        .await
        .map_err(AppError::internal)
}

pub fn middleware(config: FederationConfig<Core>) -> FederationMiddleware<Core> {
    FederationMiddleware::new(config)
}

/// Per-request federation data, for handlers outside `federation/` that start federation
/// work (following an organisation, say).
#[derive(Clone)]
pub struct Fed(pub Data<Core>);

impl<S: Send + Sync> FromRequestParts<S> for Fed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Data::<Core>::from_request_parts(parts, state)
            .await
            .map(Fed)
            .map_err(|_| AppError::internal("federation middleware missing"))
    }
}
