//! Article bodies: stored as Markdown, served as sanitized HTML, as plain text, and measured.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Words per minute assumed for the reading time.
const READING_SPEED: usize = 200;

/// Markdown rendered to HTML, then sanitized: no scripts, no event handlers, no `javascript:`
/// links; paragraphs, quotations, emphasis and links are kept (links get `rel="noopener
/// noreferrer"`).
pub fn to_html(markdown: &str) -> String {
    let mut rendered = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut rendered, Parser::new_ext(markdown, Options::empty()));
    ammonia::clean(&rendered)
}

/// The words of the body without markup: blocks separated by a blank line, inline markup
/// dropped, link text kept, raw HTML left out.
pub fn to_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock,
            ) => {
                text.push_str("\n\n");
            }
            Event::Start(Tag::Item) if !text.is_empty() && !text.ends_with('\n') => text.push('\n'),
            _ => {}
        }
    }
    text.trim_end().to_owned()
}

/// Words are runs of characters between whitespace that hold at least one letter or digit, so
/// a dash between spaces («–») is not a word.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count()
}

/// Whole minutes at 200 words a minute, at least one for any non-empty body.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(READING_SPEED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotations_and_links_render_and_scripts_do_not() {
        let html = to_html(
            "Перший абзац з [посиланням](https://example.org/a).\n\n> «Цитата», – додав він.\n\n<script>alert(1)</script><img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))",
        );
        assert!(html.contains("<p>Перший абзац з <a href=\"https://example.org/a\" rel=\"noopener noreferrer\">посиланням</a>.</p>"), "{html}");
        assert!(
            html.contains("<blockquote>\n<p>«Цитата», – додав він.</p>\n</blockquote>"),
            "{html}"
        );
        assert!(
            !html.contains("<script") && !html.contains("onerror"),
            "{html}"
        );
        assert!(
            html.contains("<p><a rel=\"noopener noreferrer\">x</a></p>"),
            "{html}"
        );
    }

    #[test]
    fn text_keeps_words_and_paragraphs() {
        let text = to_text(
            "Перший *абзац* з [посиланням](https://example.org).\n\n> «Цитата», – додав він.",
        );
        assert_eq!(text, "Перший абзац з посиланням.\n\n«Цитата», – додав він.");
        assert_eq!(word_count(&text), 7);
        assert_eq!(reading_minutes(word_count(&text)), 1);
        assert_eq!(reading_minutes(0), 0);
        assert_eq!(reading_minutes(401), 3);
    }
}
