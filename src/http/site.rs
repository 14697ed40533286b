//! The files every site has: the stylesheet and the editor's one script, the favicon,
//! `robots.txt` and a sitemap of this instance's public pages.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::app::Ctx;
use crate::error::AppResult;

/// The most addresses one sitemap may list (sitemaps.org).
const SITEMAP_MAX: i64 = 50_000;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/static/style.css", get(|| file("text/css; charset=utf-8", include_str!("../../static/style.css"))))
        .route(
            "/static/editor.js",
            get(|| file("text/javascript; charset=utf-8", include_str!("../../static/editor.js"))),
        )
        .route(
            "/static/filters.js",
            get(|| file("text/javascript; charset=utf-8", include_str!("../../static/filters.js"))),
        )
        .route(
            "/static/agenda.js",
            get(|| file("text/javascript; charset=utf-8", include_str!("../../static/agenda.js"))),
        )
        .route(
            "/static/passkeys.js",
            get(|| file("text/javascript; charset=utf-8", include_str!("../../static/passkeys.js"))),
        )
        .route("/favicon.svg", get(|| file("image/svg+xml", include_str!("../../static/favicon.svg"))))
        .route("/favicon.ico", get(|| file("image/x-icon", include_bytes!("../../static/favicon.ico").as_slice())))
        .route("/robots.txt", get(robots))
        .route("/opensearch.xml", get(opensearch))
        .route("/sitemap.xml", get(sitemap))
}

async fn file(media_type: &'static str, body: impl IntoResponse) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, media_type), (header::CACHE_CONTROL, "public, max-age=86400")], body)
}

/// Public pages may be indexed; accounts, forms, the API and administration may not.
async fn robots(State(ctx): State<Ctx>) -> impl IntoResponse {
    let body = format!(
        "User-agent: *\nDisallow: /account\nDisallow: /admin/\nDisallow: /login\nDisallow: /logout\n\
         Disallow: /invite/\nDisallow: /reset/\nDisallow: /r/new\nDisallow: /api/\nDisallow: /*/edit\n\
         Disallow: /*/members\nDisallow: /*/federation\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        ctx.config.base_url()
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body)
}

/// The OpenSearch description (opensearch.org, 1.1), so that a browser can add the library's
/// search: results as a page, or as an RSS or Atom feed that a feed reader can follow.
async fn opensearch(State(ctx): State<Ctx>) -> impl IntoResponse {
    let base = ctx.config.base_url();
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let name: String = format!("Amicus {}", ctx.config.domain).chars().take(16).collect();
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>{name}</ShortName>
  <Description>{desc}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>ar</Language><Language>en</Language><Language>es</Language><Language>fr</Language>
  <Image height="16" width="16" type="image/x-icon">{base}/favicon.ico</Image>
  <Url type="text/html" method="get" template="{base}/library?q={{searchTerms}}"/>
  <Url type="application/rss+xml" template="{base}/library/feed.rss?q={{searchTerms}}"/>
  <Url type="application/atom+xml" template="{base}/library/feed.atom?q={{searchTerms}}"/>
  <Url type="application/opensearchdescription+xml" rel="self" template="{base}/opensearch.xml"/>
</OpenSearchDescription>
"#,
        name = esc(&name),
        desc = esc(&format!("Human-rights library of {}", ctx.config.domain)),
        base = esc(&base),
    );
    ([(header::CONTENT_TYPE, "application/opensearchdescription+xml; charset=utf-8")], body)
}

/// The library, the directory, this instance's organisations and its published resources.
async fn sitemap(State(ctx): State<Ctx>) -> AppResult<impl IntoResponse> {
    let base = ctx.config.base_url();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut add = |path: &str, lastmod: Option<String>| {
        xml.push_str(&format!("<url><loc>{base}{path}</loc>"));
        if let Some(m) = lastmod {
            xml.push_str(&format!("<lastmod>{m}</lastmod>"));
        }
        xml.push_str("</url>\n");
    };
    add("/library", None);
    add("/orgs", None);
    // handles and uids are [a-z0-9_] only: nothing to escape
    for org in ctx.db.list_orgs().await?.into_iter().filter(|o| o.local) {
        add(&format!("/orgs/{}", org.handle), None);
    }
    for (uid, updated, statement) in ctx.db.sitemap_resources(SITEMAP_MAX - 1000).await? {
        let path = crate::model::resource::path_of(&uid, statement);
        add(&path, Some(updated.format("%Y-%m-%d").to_string()));
    }
    xml.push_str("</urlset>\n");
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml))
}
