//! WebFinger (`acct:handle@domain` and actor URLs) and host-meta.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::actors::{instance_id, org_id, INSTANCE_NAME};
use super::ACTIVITY_JSON;
use crate::domain::Core;
use crate::error::{AppError, AppResult};

/// The account name a WebFinger `resource` asks for, if it is one of ours: `acct:name@domain`,
/// `name@domain`, an actor URL of this instance, or the `{base}/@name` profile address that
/// Mastodon-style servers derive (Epicyon asks for it when `acct:` fails).
fn local_name(ctx: &Core, resource: &str) -> Option<String> {
    let base = ctx.config.base_url();
    for prefix in [format!("{base}/orgs/"), format!("{base}/@")] {
        if let Some(handle) = resource.strip_prefix(&prefix) {
            return Some(handle.to_ascii_lowercase());
        }
    }
    if resource == format!("{base}/actor") || resource == format!("{base}/") || resource == base {
        return Some(INSTANCE_NAME.to_string());
    }
    let acct = resource.strip_prefix("acct:").unwrap_or(resource).trim_start_matches('@');
    let (name, domain) = acct.rsplit_once('@')?;
    // Epicyon drops the port from the domain it asks about: the same host name is this server
    let domain_host = ctx.config.domain.rsplit_once(':').map_or(ctx.config.domain.as_str(), |(host, _)| host);
    (domain.eq_ignore_ascii_case(&ctx.config.domain) || domain.eq_ignore_ascii_case(domain_host))
        .then(|| name.to_ascii_lowercase())
}

/// `GET /.well-known/webfinger?resource=acct:redress@amicus.example`
pub async fn webfinger(State(ctx): State<Core>, RawQuery(q): RawQuery) -> AppResult<Response> {
    let resource = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "resource")
        .map(|(_, v)| v.into_owned())
        .ok_or(AppError::BadRequest("error-bad-form"))?;
    let name = local_name(&ctx, &resource).ok_or(AppError::NotFound)?;
    let domain = &ctx.config.domain;
    let (id, page, kind) = if name == INSTANCE_NAME {
        (instance_id(&ctx), format!("{}/", ctx.config.base_url()), "Application")
    } else {
        let org = ctx.db.org_by_handle(&name).await?.filter(|o| o.local).ok_or(AppError::NotFound)?;
        let id = org_id(&ctx, &org.handle);
        (id.clone(), id, "Organization")
    };
    // an organisation's page is its actor's URL: each alias once
    let mut aliases = vec![id.clone()];
    if page != id {
        aliases.push(page.clone());
    }
    let body = json!({
        "subject": format!("acct:{name}@{domain}"),
        "aliases": aliases,
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": id, "properties": {"https://www.w3.org/ns/activitystreams#type": kind}},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page},
        ]
    });
    Ok(([(header::CONTENT_TYPE, "application/jrd+json"), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], body.to_string())
        .into_response())
}

/// `GET /.well-known/host-meta`: where WebFinger lives, for older servers.
pub async fn host_meta(State(ctx): State<Core>) -> Response {
    let base = ctx.config.base_url();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n"
    );
    ([(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")], xml).into_response()
}
