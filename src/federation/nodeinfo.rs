//! NodeInfo 2.1: what this server is, for crawlers and other servers.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::domain::Core;
use crate::error::AppResult;

const SCHEMA: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";

/// `GET /.well-known/nodeinfo`
pub async fn links(State(ctx): State<Core>) -> Response {
    let body = json!({"links": [{"rel": SCHEMA, "href": format!("{}/nodeinfo/2.1", ctx.config.base_url())}]});
    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// `GET /nodeinfo/2.1`. Usage counts organisations (the actors) and published resources;
/// how many people log in is nobody else's business.
pub async fn nodeinfo(State(ctx): State<Core>) -> AppResult<Response> {
    let (orgs, posts) = ctx.db.public_counts().await?;
    let body = json!({
        "version": "2.1",
        "software": {
            "name": "amicus",
            "version": env!("CARGO_PKG_VERSION"),
            "repository": env!("CARGO_PKG_REPOSITORY"),
            "homepage": env!("CARGO_PKG_REPOSITORY"),
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": false,
        "usage": {"users": {"total": orgs}, "localPosts": posts},
        "metadata": {
            "nodeName": ctx.config.domain,
            "languages": ["ar", "en", "fr", "es"],
            // the partner search endpoint (FEDERATION.md, "Partner search")
            "amicus": {
                "partnerSearch": format!("{}{}", ctx.config.base_url(), super::partners::PATH),
                "partnerSearchVersion": 1,
            },
        },
    });
    let ct = format!("application/json; profile=\"{SCHEMA}#\"");
    Ok(([(header::CONTENT_TYPE, ct)], body.to_string()).into_response())
}
