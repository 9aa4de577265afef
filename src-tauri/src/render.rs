//! Markdown → safe HTML for the rating screen.
//!
//! Prompts and responses are untrusted text (model output, imported files). They are rendered
//! here, in Rust, and the webview only ever receives the sanitized result:
//! - raw HTML in the source is shown as literal text, never parsed as markup;
//! - links become inert text with their address shown beside them (a rater may need to see
//!   where a model pointed, but nothing is clickable);
//! - images become a text placeholder with their alt text, so nothing is fetched;
//! - the result is then passed through an ammonia allow-list as a second line of defence.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Renders untrusted Markdown to HTML that is safe to assign to `innerHTML`.
pub fn markdown_to_safe_html(source: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut link_ends: Vec<Option<String>> = Vec::new();
    let events = Parser::new_ext(source, options)
        .map(|event| match event {
            // Raw HTML from the source is content to read, not markup to interpret.
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            // Chat text relies on single newlines; keep them as line breaks.
            Event::SoftBreak => Event::HardBreak,
            Event::TaskListMarker(done) => {
                Event::Text(CowStr::from(if done { "☑ " } else { "☐ " }))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let shown = match link_type {
                    LinkType::Autolink | LinkType::Email => None,
                    _ if dest_url.is_empty() => None,
                    _ => Some(dest_url.to_string()),
                };
                link_ends.push(shown);
                Event::Html(CowStr::from("<span class=\"md-link\">"))
            }
            Event::End(TagEnd::Link) => {
                let end = match link_ends.pop().flatten() {
                    Some(url) => format!(
                        "</span><span class=\"md-url\"> ⟨{}⟩</span>",
                        ammonia::clean_text(&url)
                    ),
                    None => "</span>".to_string(),
                };
                Event::Html(CowStr::from(end))
            }
            Event::Start(Tag::Image { .. }) => {
                Event::Html(CowStr::from("<span class=\"md-image\">[image: "))
            }
            Event::End(TagEnd::Image) => Event::Html(CowStr::from("]</span>")),
            other => other,
        })
        .flat_map(break_long_runs);
    let mut html = String::with_capacity(source.len() + source.len() / 4);
    pulldown_cmark::html::push_html(&mut html, events);
    sanitizer().clean(&html).to_string()
}

/// Renders an item's context (JSON) for display: a conversation (`messages`, `conversation` or
/// `turns`: objects with `role` and `content`) as a transcript, anything else as formatted JSON.
/// `None` when there is nothing to show.
pub fn context_to_safe_html(context: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let empty = match context {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(list) => list.is_empty(),
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    };
    if empty {
        return None;
    }
    let turns = ["messages", "conversation", "turns"]
        .iter()
        .find_map(|key| context.get(key).and_then(Value::as_array))
        .or_else(|| context.as_array());
    if let Some(turns) = turns {
        let transcript: Option<Vec<String>> = turns
            .iter()
            .map(|turn| {
                let role = turn.get("role")?.as_str()?;
                let content = turn.get("content")?.as_str()?;
                let mut role_label: String = role.chars().take(40).collect();
                if let Some(first) = role_label.get(..1) {
                    role_label = first.to_uppercase() + &role_label[1..];
                }
                Some(format!(
                    "<p class=\"turn\"><strong>{}:</strong></p>{}",
                    ammonia::clean_text(&role_label),
                    markdown_to_safe_html(content)
                ))
            })
            .collect();
        if let Some(parts) = transcript {
            return Some(parts.join(""));
        }
    }
    if let Value::String(text) = context {
        return Some(markdown_to_safe_html(text));
    }
    let pretty = serde_json::to_string_pretty(context).unwrap_or_default();
    Some(
        sanitizer()
            .clean(&format!(
                "<pre><code>{}</code></pre>",
                ammonia::clean_text(&pretty)
            ))
            .to_string(),
    )
}

/// Longest run of non-space characters left without a line-break opportunity.
const MAX_UNBROKEN: usize = 64;

/// Splits text with very long unbroken runs (a 2 MB "word", a long URL) by `<wbr>` every
/// [`MAX_UNBROKEN`] characters: WebKit lays out such a run in tens of seconds otherwise, and
/// `<wbr>` adds no character to what a rater copies.
fn break_long_runs(event: Event<'_>) -> Vec<Event<'_>> {
    let Event::Text(text) = event else {
        return vec![event];
    };
    let mut run = 0;
    let needs_split = text.chars().any(|c| {
        run = if c.is_whitespace() { 0 } else { run + 1 };
        run > MAX_UNBROKEN
    });
    if !needs_split {
        return vec![Event::Text(text)];
    }
    let mut events = Vec::new();
    let mut start = 0;
    let mut run = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            run = 0;
            continue;
        }
        if run == MAX_UNBROKEN {
            events.push(Event::Text(CowStr::from(text[start..i].to_string())));
            events.push(Event::InlineHtml(CowStr::from("<wbr>")));
            start = i;
            run = 0;
        }
        run += 1;
    }
    events.push(Event::Text(CowStr::from(text[start..].to_string())));
    events
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let tags: HashSet<&str> = [
            "p",
            "br",
            "hr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "strong",
            "em",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "span",
            "wbr",
        ]
        .into_iter()
        .collect();
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(tags)
            .add_tag_attributes("ol", &["start"])
            .add_tag_attributes("th", &["align"])
            .add_tag_attributes("td", &["align"])
            .add_allowed_classes("span", &["md-link", "md-url", "md-image"])
            .url_schemes(HashSet::new())
            .link_rel(None)
            .strip_comments(true);
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_ordinary_markdown() {
        let html = markdown_to_safe_html("# Title\n\nSome **bold** and *em*.\n\n- one\n- two\n");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = markdown_to_safe_html(
            "Hi <script>document.title='pwned'</script> <img src=x onerror=alert(1)>\n\n<iframe src=\"https://example.com\"></iframe>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<iframe"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&lt;iframe"), "{html}");
    }

    #[test]
    fn links_are_inert_and_show_their_address() {
        let html = markdown_to_safe_html(
            "[click](javascript:alert(1)) and [site](https://example.org) <https://auto.example>",
        );
        assert!(!html.contains("<a"), "{html}");
        assert!(!html.contains("href"), "{html}");
        assert!(html.contains("⟨javascript:alert(1)⟩"), "{html}");
        assert!(html.contains("⟨https://example.org⟩"), "{html}");
        assert!(html.contains("https://auto.example"), "{html}");
    }

    #[test]
    fn images_become_placeholders() {
        let html = markdown_to_safe_html("![a chart](https://example.org/x.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("[image: a chart]"), "{html}");
    }

    #[test]
    fn link_address_is_escaped() {
        let html = markdown_to_safe_html("[x](<https://e.org/\"><script>>)");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn long_single_line_is_kept_whole_with_break_opportunities() {
        let line = "a".repeat(2 * 1024 * 1024);
        let html = markdown_to_safe_html(&line);
        assert_eq!(html.replace("<wbr>", "").matches('a').count(), line.len());
        assert_eq!(html.matches("<wbr>").count(), line.len() / MAX_UNBROKEN - 1);
        let short = markdown_to_safe_html("plain words stay as they are");
        assert!(!short.contains("<wbr>"));
        let mixed = markdown_to_safe_html(&format!("ünï{} tail", "é".repeat(100)));
        assert!(mixed.contains("<wbr>"), "{mixed}");
        assert!(mixed.contains(" tail"));
    }

    #[test]
    fn context_renders_conversations_and_json() {
        use serde_json::json;
        assert_eq!(context_to_safe_html(&json!(null)), None);
        assert_eq!(context_to_safe_html(&json!({})), None);
        let convo = context_to_safe_html(&json!({"messages": [
            {"role": "user", "content": "I feel <b>low</b>"},
            {"role": "assistant", "content": "I'm sorry to hear that."}
        ]}))
        .unwrap();
        assert!(convo.contains("<strong>User:</strong>"), "{convo}");
        assert!(convo.contains("&lt;b&gt;low"), "{convo}");
        let other = context_to_safe_html(&json!({"age": 34, "note": "<script>"})).unwrap();
        assert!(other.contains("<pre><code>"), "{other}");
        assert!(!other.contains("<script"), "{other}");
    }

    #[test]
    fn single_newlines_are_line_breaks() {
        let html = markdown_to_safe_html("line one\nline two");
        assert!(html.contains("<br"), "{html}");
    }
}
