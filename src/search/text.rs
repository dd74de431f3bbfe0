//! Words: where they are in a text, and the one form they are indexed and searched under.

use std::{collections::HashMap, ops::Range};

use indexmap::IndexSet;

use unicode_normalization::{
    IsNormalized, UnicodeNormalization, char::is_combining_mark, is_nfc_quick,
};

use super::stem;

/// Longest indexed word, in letters: a longer run is cut, so that no backend refuses it
/// (PostgreSQL takes lexemes of at most 2 KiB).
const MAX_LETTERS: usize = 60;

/// Most words a query may have: more make a slow query and no better answer.
pub const MAX_QUERY_WORDS: usize = 16;

/// The apostrophes Ukrainian is typed with: ' (U+0027), ’ (U+2019) and ʼ (U+02BC). Inside a
/// word they are one letter, and that letter is dropped from the indexed form, so «прем'єр»,
/// «прем’єр», «премʼєр» and «премєр» are all the same word.
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// One word of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Where it is, in bytes.
    pub span: Range<usize>,
    /// Its normalized form: composed (NFC), lower-case, without apostrophes or accents.
    pub form: String,
}

/// The words of `text`: runs of letters and digits, with accents (combining marks) and
/// apostrophes between letters taken in. Everything else separates words.
pub fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    spans(text).map(|span| Word {
        form: normalize(&text[span.clone()]),
        span,
    })
}

/// Where the words of `text` are, in bytes.
fn spans(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.find(|&(_, c)| is_letter_or_digit(c))?;
        let mut end = text.len();
        while let Some(&(at, c)) = chars.peek() {
            let inside = is_letter_or_digit(c)
                || is_combining_mark(c)
                || (is_apostrophe(c)
                    && text[at + c.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(is_letter_or_digit));
            if !inside {
                end = at;
                break;
            }
            chars.next();
        }
        Some(start..end)
    })
}

/// `char::is_alphanumeric`, answered at once for ASCII and Cyrillic: archives are mostly those,
/// and the general Unicode lookup is what indexing an archive spent most of its time in.
fn is_letter_or_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_cyrillic_letter(c) || c.is_alphanumeric()
    }
}

/// The letters of the Cyrillic block: composed, and none a combining mark.
fn is_cyrillic_letter(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}')
}

fn normalize(word: &str) -> String {
    let mut form = String::with_capacity(word.len());
    normalize_into(word, &mut form);
    form
}

/// Appends the normalized form of `word` to `form`.
fn normalize_into(word: &str, form: &mut String) {
    let start = form.len();
    // Text is nearly always composed already, and of ASCII and Cyrillic letters: those words
    // take one pass; only the rest go through composition.
    if push_plain(word, form) {
        return;
    }
    form.truncate(start);
    let kept = |c: &char| !is_combining_mark(*c) && !is_apostrophe(*c);
    if is_nfc_quick(word.chars()) == IsNormalized::Yes {
        push_lower(word.chars().filter(kept), form);
    } else {
        push_lower(word.nfc().filter(kept), form);
    }
}

/// Appends `word` lower-cased and without apostrophes, at most [`MAX_LETTERS`] letters, if it
/// holds only ASCII, Cyrillic letters and apostrophes. Gives false at the first other
/// character, having appended part of the word.
fn push_plain(word: &str, form: &mut String) -> bool {
    let mut push = limited(form);
    for c in word.chars() {
        if is_apostrophe(c) {
            continue;
        }
        if !(c.is_ascii() || is_cyrillic_letter(c)) {
            return false;
        }
        lower(c, &mut push);
    }
    true
}

/// Appends the letters lower-cased, at most [`MAX_LETTERS`] of them.
fn push_lower(letters: impl Iterator<Item = char>, form: &mut String) {
    let mut push = limited(form);
    for c in letters {
        lower(c, &mut push);
    }
}

/// Pushes letters to `form` until it has [`MAX_LETTERS`] more.
fn limited(form: &mut String) -> impl FnMut(char) + '_ {
    let mut count = 0;
    move |c| {
        if count < MAX_LETTERS {
            form.push(c);
            count += 1;
        }
    }
}

/// Gives `push` the lower case of `c`: computed at once for ASCII and the basic Cyrillic
/// letters, by the general table lookup for the rest.
fn lower(c: char, push: &mut impl FnMut(char)) {
    match c {
        'A'..='Z' => push(c.to_ascii_lowercase()),
        'А'..='Я' => push(shifted(c, 0x20)),
        'Ѐ'..='Џ' => push(shifted(c, 0x50)),
        c if c.is_ascii() || ('а'..='џ').contains(&c) => push(c),
        c => c.to_lowercase().for_each(push),
    }
}

/// The letter `by` code points further: the lower case of a basic Cyrillic capital.
fn shifted(c: char, by: u32) -> char {
    char::from_u32(u32::from(c) + by).unwrap_or(c)
}

/// The terms a text is indexed under: the stems of its words, in order.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).map(|word| stemmed(word.form))
}

/// A word's normalized form cut to its stem.
fn stemmed(mut form: String) -> String {
    form.truncate(stem::stem(&form).len());
    form
}

/// The words met so far and their terms, for indexing many texts: news texts repeat a
/// vocabulary of some tens of thousands of words, so each distinct spelling of a word is
/// normalized and stemmed once, not once in every text it is in.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// The number of each spelling's term.
    words: HashMap<Box<str>, usize, foldhash::fast::RandomState>,
    /// The terms, numbered in the order they were met.
    terms: IndexSet<Box<str>, foldhash::fast::RandomState>,
    /// For each term, the last call of [`Self::distinct_terms`] that took it: a call takes a
    /// term once by comparing a number, not by sorting its terms, which compared strings
    /// scattered over the heap and was a fifth of an import's normalizing.
    taken_by: Vec<u64>,
    calls: u64,
}

impl Vocabulary {
    /// The distinct terms of all of `texts`, in the order they first come. Neither full-text
    /// index cares for the order of an article's terms.
    pub fn distinct_terms<'a>(&mut self, texts: impl IntoIterator<Item = &'a str>) -> Vec<&str> {
        self.calls += 1;
        let mut numbers = Vec::new();
        let mut form = String::new();
        for text in texts {
            for span in spans(text) {
                let word = &text[span];
                let number = match self.words.get(word) {
                    Some(&number) => number,
                    None => {
                        form.clear();
                        normalize_into(word, &mut form);
                        let (number, _) = self.terms.insert_full(stem::stem(&form).into());
                        self.words.insert(word.into(), number);
                        self.taken_by.resize(self.terms.len(), 0);
                        number
                    }
                };
                if self.taken_by[number] != self.calls {
                    self.taken_by[number] = self.calls;
                    numbers.push(number);
                }
            }
        }
        numbers
            .into_iter()
            .filter_map(|number| self.terms.get_index(number).map(|term| &**term))
            .collect()
    }
}

/// One word of a query, as the index is asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub stem: String,
    /// Matches every indexed term starting with `stem`: the query's last word when the query
    /// ends inside it, as while the reader is still typing it.
    pub prefix: bool,
}

impl Term {
    /// Whether an indexed term matches this one.
    pub fn matches(&self, indexed: &str) -> bool {
        if self.prefix {
            indexed.starts_with(&self.stem)
        } else {
            indexed == self.stem
        }
    }
}

/// A query as the index is asked it: every term must match (AND). Operators of any query
/// language, quotes and punctuation are only separators, so no input is ever a syntax error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

impl Query {
    pub fn parse(text: &str) -> Self {
        let words: Vec<Word> = words(text).collect();
        let mut terms: Vec<Term> = Vec::with_capacity(words.len());
        for (index, word) in words.iter().enumerate() {
            let prefix = index + 1 == words.len() && word.span.end == text.len();
            let stem = if prefix {
                stem::stem_partial(&word.form)
            } else {
                stem::stem(&word.form)
            };
            let term = Term {
                stem: stem.to_owned(),
                prefix,
            };
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        Self { terms }
    }

    /// A query with no words («», «"», «!!!») matches nothing.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether an indexed term matches any of the query's terms.
    pub fn matches(&self, indexed: &str) -> bool {
        self.terms.iter().any(|term| term.matches(indexed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(text: &str) -> Vec<String> {
        words(text).map(|word| word.form).collect()
    }

    #[test]
    fn apostrophes_are_one_letter_and_dropped() {
        for text in ["прем'єр", "прем’єр", "премʼєр", "ПРЕМ’ЄР", "премєр"]
        {
            assert_eq!(forms(text), ["премєр"], "{text}");
        }
        assert_eq!(forms("'прем'єр' ’"), ["премєр"]);
    }

    #[test]
    fn words_split_on_everything_but_letters_and_digits() {
        assert_eq!(
            forms("«Паляниця» – прем’єр-міністр, F-16: 250 млн"),
            ["паляниця", "премєр", "міністр", "f", "16", "250", "млн"]
        );
        assert_eq!(
            forms("\"* NEAR( AND OR :* ! &| -- ''"),
            ["near", "and", "or"]
        );
        assert!(forms("!!! … «» ’").is_empty());
    }

    #[test]
    fn accents_and_decomposed_letters_are_normalized() {
        // «и» + combining breve is «й»; a stress mark is dropped.
        assert_eq!(
            forms("Андрі\u{0438}\u{0306} ви\u{0301}бори"),
            ["андрій", "вибори"]
        );
    }

    #[test]
    fn spans_point_at_the_original_words() {
        let text = "«Умєров», прем’єр!";
        let spans: Vec<&str> = words(text).map(|word| &text[word.span]).collect();
        assert_eq!(spans, ["Умєров", "прем’єр"]);
    }

    #[test]
    fn the_last_word_is_a_prefix_while_it_is_being_typed() {
        let query = Query::parse("Умєров Япон");
        assert_eq!(
            query.terms,
            [
                Term {
                    stem: "умєров".into(),
                    prefix: false
                },
                Term {
                    stem: "япон".into(),
                    prefix: true
                },
            ]
        );
        assert!(!Query::parse("Умєров Японія ").terms[1].prefix);
        assert!(!Query::parse("«Паляниця»").terms[0].prefix);
        assert!(Query::parse("").is_empty());
        assert!(Query::parse("\" * :* !").is_empty());
        assert_eq!(Query::parse("Японія японії").terms.len(), 2);
        assert_eq!(Query::parse("Японія японії ").terms.len(), 1);
    }

    #[test]
    fn the_fast_paths_agree_with_unicode() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
            let mut lower = String::new();
            push_lower(std::iter::once(c), &mut lower);
            assert_eq!(lower, c.to_lowercase().collect::<String>(), "{c:?}");
        }
    }

    #[test]
    fn distinct_terms_are_the_terms_once_each_in_their_order() {
        let texts = [
            "Японія, японії та Японією",
            "«Умєров» у Японії; ПРЕМ’ЄР прем'єра",
        ];
        let mut expected: Vec<String> = Vec::new();
        for term in texts.iter().flat_map(|text| terms(text)) {
            if !expected.contains(&term) {
                expected.push(term);
            }
        }
        let mut vocabulary = Vocabulary::default();
        assert_eq!(vocabulary.distinct_terms(texts), expected);
        assert_eq!(
            vocabulary.distinct_terms(texts),
            ["япон", "та", "умєров", "у", "премєр"]
        );
        // Words met before come from the vocabulary, new ones are added to it.
        assert_eq!(
            vocabulary.distinct_terms(["Токіо", "Японією", "токіо"]),
            ["токі", "япон"]
        );
    }

    #[test]
    fn the_one_pass_form_is_the_composed_one() {
        let apostrophes = ['\'', '\u{2019}', '\u{02BC}'];
        let letters = (0..0x600).filter_map(char::from_u32).chain(apostrophes);
        for c in letters.filter(|c| is_letter_or_digit(*c) || is_apostrophe(*c)) {
            let word = format!("Ab{c}Жї{c}");
            let mut plain = String::new();
            if push_plain(&word, &mut plain) {
                let mut composed = String::new();
                push_lower(word.nfc().filter(|c| !is_apostrophe(*c)), &mut composed);
                assert_eq!(plain, composed, "{c:?}");
            }
        }
    }

    #[test]
    fn long_runs_are_cut() {
        let long = "я".repeat(5_000);
        assert_eq!(forms(&long)[0].chars().count(), MAX_LETTERS);
    }
}
