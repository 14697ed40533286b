//! Turning what people write into safe HTML.

use std::collections::HashSet;

use pulldown_cmark::{html, Options, Parser};

/// Renders Markdown to HTML and sanitises the result. Images are dropped (a remote image
/// would tell its host who reads the page) and every link is marked `nofollow noopener
/// noreferrer`.
pub fn render_markdown(md: &str) -> String {
    let mut out = String::new();
    let parser =
        Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES);
    html::push_html(&mut out, parser);
    sanitize_html(&out)
}

/// Sanitises HTML from an editor or a remote server down to a small, safe subset.
pub fn sanitize_html(html: &str) -> String {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
        "span",
        "bdi",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .link_rel(Some("nofollow noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(html)
        .to_string()
}

/// Plain text of a Markdown body, for search indexing and feed descriptions.
pub fn markdown_to_plain(md: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut out = String::with_capacity(md.len());
    for ev in Parser::new(md) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Heading(_)) => {
                out.push(' ')
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_images_are_removed_and_links_kept() {
        let html = render_markdown(
            "Hi <script>alert(1)</script> ![x](https://tracker.example/p.gif) [ICC](https://icc-cpi.int)",
        );
        assert!(!html.contains("script"));
        assert!(!html.contains("tracker"));
        assert!(html.contains("href=\"https://icc-cpi.int\""));
        assert!(html.contains("noreferrer"));
    }

    #[test]
    fn javascript_urls_do_not_survive() {
        assert!(!render_markdown("[x](javascript:alert(1))").contains("javascript"));
    }
}
