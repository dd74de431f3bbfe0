//! Highlighted snippets: the words of a text that matched a query, wrapped in `<mark>`, the
//! rest HTML-escaped, so a frontend can insert the result as HTML as it is.

use std::ops::Range;

use super::{
    stem,
    text::{self, Query, Word},
};

const ELLIPSIS: &str = "…";

/// The whole of `text` with its matching words marked.
pub fn highlight(text: &str, query: &Query) -> String {
    let words: Vec<Word> = text::words(text).collect();
    render(text, &words, 0..words.len(), query)
}

/// About `size` words of `text` around its first matching word, marked, with «…» where the
/// text was cut; `None` when no word of `text` matches.
pub fn around_first_match(text: &str, query: &Query, size: usize) -> Option<String> {
    let words: Vec<Word> = text::words(text).collect();
    let first = words.iter().position(|word| matches(word, query))?;
    // A little context before the first match, the rest after it.
    let start = first
        .saturating_sub(size / 4)
        .min(words.len().saturating_sub(size));
    let end = (start + size).min(words.len());
    Some(render(text, &words, start..end, query))
}

/// The first `size` words of `text`, unmarked: the snippet of an article that matched only
/// by its title or by the names of its people and topics.
pub fn opening(text: &str, size: usize) -> String {
    let words: Vec<Word> = text::words(text).collect();
    render(text, &words, 0..size.min(words.len()), &Query::default())
}

fn matches(word: &Word, query: &Query) -> bool {
    query.matches(stem::stem(&word.form))
}

/// The text from the first word of `range` to its last (from the very start or to the very
/// end when the range reaches them), escaped, with matches marked.
fn render(text: &str, words: &[Word], range: Range<usize>, query: &Query) -> String {
    if range.is_empty() {
        return String::new();
    }
    let from = if range.start == 0 {
        0
    } else {
        words[range.start].span.start
    };
    let to = if range.end == words.len() {
        text.len()
    } else {
        words[range.end - 1].span.end
    };
    let mut out = String::with_capacity(to - from + 32);
    if from > 0 {
        out.push_str(ELLIPSIS);
    }
    let mut at = from;
    for word in words[range].iter().filter(|word| matches(word, query)) {
        escape(&text[at..word.span.start], &mut out);
        out.push_str("<mark>");
        escape(&text[word.span.clone()], &mut out);
        out.push_str("</mark>");
        at = word.span.end;
    }
    escape(&text[at..to], &mut out);
    if to < text.len() {
        out.push_str(ELLIPSIS);
    }
    out
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_forms_are_marked_and_the_rest_escaped() {
        let query = Query::parse("японія прем'єр");
        assert_eq!(
            highlight("Прем’єр <b>Японії</b> & «Японія»", &query),
            "<mark>Прем’єр</mark> &lt;b&gt;<mark>Японії</mark>&lt;/b&gt; &amp; «<mark>Японія</mark>»"
        );
    }

    #[test]
    fn snippets_are_cut_around_the_first_match() {
        let text = "один два три чотири пʼять шість сім вісім девʼять десять Паляниця одинадцять дванадцять тринадцять";
        let query = Query::parse("паляниця ");
        assert_eq!(
            around_first_match(text, &query, 4).as_deref(),
            Some("…десять <mark>Паляниця</mark> одинадцять дванадцять…")
        );
        assert_eq!(
            around_first_match("Паляниця!", &query, 4).as_deref(),
            Some("<mark>Паляниця</mark>!")
        );
        assert_eq!(around_first_match(text, &Query::parse("ракета"), 4), None);
        assert_eq!(opening(text, 3), "один два три…");
        assert_eq!(opening("коротко.", 3), "коротко.");
    }

    #[test]
    fn a_match_near_the_end_keeps_a_full_window() {
        let query = Query::parse("кінець ");
        assert_eq!(
            around_first_match("а б в г ґ д кінець", &query, 3).as_deref(),
            Some("…ґ д <mark>кінець</mark>")
        );
    }
}
