//! Files of remote resources, fetched by this instance the first time someone here downloads
//! them, so that readers never contact the other server (it would learn who reads what).

use url::Url;

use crate::domain::Core;
use crate::error::{AppError, AppResult};

/// Fetches `url` (a file a followed server listed), allowed by the federation policy, at
/// most `max_bytes`. A server that cannot be reached or answers an error is `RemoteUnavailable`
/// (the reader may try again); a file too large is `TooLarge`.
pub async fn fetch(ctx: &Core, url: &str, max_bytes: u64) -> AppResult<Vec<u8>> {
    let url = Url::parse(url).map_err(|_| AppError::NotFound)?;
    super::net::check_url(&url, ctx.config.dev_network).map_err(|_| AppError::NotFound)?;
    let host = url.host_str().unwrap_or_default();
    if !super::policy::Policy::of(ctx).allows(host).await? {
        return Err(AppError::NotFound);
    }
    let unavailable = |e: String| AppError::RemoteUnavailable(format!("remote file: {e}"));
    // a document of tens of megabytes from a partner on a slow link takes more than the
    // 10 s an activity may
    let request = ctx.http.get(url.clone()).timeout(std::time::Duration::from_secs(120));
    let mut res = request.send().await.map_err(|e| unavailable(e.without_url().to_string()))?;
    if !res.status().is_success() {
        return Err(unavailable(format!("HTTP {}", res.status().as_u16())));
    }
    if res.content_length().is_some_and(|n| n > max_bytes) {
        return Err(AppError::TooLarge);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| unavailable(e.without_url().to_string()))? {
        if (bytes.len() + chunk.len()) as u64 > max_bytes {
            return Err(AppError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
