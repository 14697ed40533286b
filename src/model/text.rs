//! Turning what people write into safe HTML.

use std::collections::HashSet;

use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Renders Markdown to HTML and sanitises the result. Images are dropped (a remote image
/// would tell its host who reads the page) and every link is marked `nofollow noopener
/// noreferrer`.
pub fn render_markdown(md: &str) -> String {
    let mut out = String::new();
    let parser =
        Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES);
    html::push_html(&mut out, autolink(parser));
    sanitize_html(&out)
}

/// Turns bare `http(s)://` addresses in text into links, as GitHub-flavoured Markdown does:
/// editors paste the official source of a document, not `[text](url)`.
fn autolink<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut in_link = 0usize;
    events.flat_map(move |ev| {
        match &ev {
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            _ => {}
        }
        match ev {
            Event::Text(text) if in_link == 0 && text.contains("http") => split_urls(&text),
            other => vec![other],
        }
    })
}

fn split_urls<'a>(text: &str) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = [rest.find("https://"), rest.find("http://")].into_iter().flatten().min() {
        let tail = &rest[start..];
        let len = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let url = tail[..len].trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '»', '"', '\'']);
        if url.len() <= "https://".len() {
            out.push(Event::Text(CowStr::from(rest[..start + len].to_string())));
            rest = &rest[start + len..];
            continue;
        }
        if start > 0 {
            out.push(Event::Text(CowStr::from(rest[..start].to_string())));
        }
        let dest = CowStr::from(url.to_string());
        let link = Tag::Link { link_type: LinkType::Autolink, dest_url: dest, title: "".into(), id: "".into() };
        out.push(Event::Start(link));
        out.push(Event::Text(CowStr::from(url.to_string())));
        out.push(Event::End(TagEnd::Link));
        rest = &rest[start + url.len()..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
    out
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
    fn bare_addresses_become_links_without_their_trailing_punctuation() {
        let html = render_markdown("Official source: https://www.icc-cpi.int/rs.pdf. See [x](https://a.example) too");
        let link = r#"<a href="https://www.icc-cpi.int/rs.pdf" rel="nofollow noopener noreferrer">https://www.icc-cpi.int/rs.pdf</a>."#;
        assert!(html.contains(link), "{html}");
        assert_eq!(html.matches("<a ").count(), 2);
        assert!(render_markdown("`https://code.example`").contains("<code>https://code.example</code>"));
    }

    #[test]
    fn javascript_urls_do_not_survive() {
        assert!(!render_markdown("[x](javascript:alert(1))").contains("javascript"));
    }
}
