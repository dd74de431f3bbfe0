//! A light Ukrainian stemmer: strips one inflectional ending so that the common forms of a
//! noun, a name or an adjective share one stem («Японія», «Японії», «Японією» → «япон»;
//! «військовий», «військових», «військовою» → «військов»).
//!
//! No maintained Ukrainian stemmer exists as a Rust crate, and a dictionary-based lemmatizer
//! would be a large dependency; suffix stripping covers the case endings that news searches
//! meet most. Its limits, by design:
//! - vowel alternations stay apart: «Київ» / «Києва», «Харків» / «Харкова»;
//! - verb forms are not stemmed (their endings collide with noun stems: «школа», «ракети»);
//! - «-ові» datives of common nouns («міністрові») keep their «-ов», so that surnames in «-ов»
//!   («Умєров», «Умєрові») stay whole;
//! - stems ending in «о» lose it before «-ї», «-ю» («зброя» → «збро», «зброї» → «збр»);
//! - words shorter than five letters are left as they are («НАТО», «мир»).

use std::{collections::HashSet, sync::LazyLock};

/// Endings that are stripped, without their order mattering: the longest one that fits wins.
const ENDINGS: &[&str] = &[
    // Nouns and names.
    "а", "я", "о", "е", "є", "у", "ю", "і", "ї", "и", "ь", "й", "ам", "ям", "ах", "ях", "ом", "ем",
    "єм", "ою", "ею", "єю", "ів", "їв", "ей", "еї", "еїв", "ами", "ями", "ія", "ії", "ію", "ією",
    "ієм", "ієві", "іям", "іях", "іями", // Adjectives and participles.
    "ий", "ій", "ого", "ому", "им", "ім", "их", "іх", "ими", "іми", "ої", "ую", "юю", "ього",
    "ьому", "ьої",
];

/// Letters of the longest ending.
const MAX_ENDING: usize = 4;

/// Words shorter than this, in letters, are not stemmed.
const MIN_WORD: usize = 5;

/// Letters a stem keeps at least.
const MIN_STEM: usize = 3;

/// The stem of a lower-case word. Only Cyrillic words are stemmed; others come back whole.
pub fn stem(word: &str) -> &str {
    // Every ending fits in eight bytes, so each is one integer: a tail tried for every word
    // indexed is looked up by hashing an integer instead of a string.
    static PACKED: LazyLock<HashSet<u64, foldhash::fast::FixedState>> =
        LazyLock::new(|| ENDINGS.iter().filter_map(|e| packed(e)).collect());
    strip(word, |tail| {
        packed(tail).is_some_and(|tail| PACKED.contains(&tail))
    })
}

/// The bytes of `tail` as one integer, if it fits in eight.
fn packed(tail: &str) -> Option<u64> {
    let mut bytes = [0; 8];
    bytes
        .get_mut(..tail.len())?
        .copy_from_slice(tail.as_bytes());
    Some(u64::from_le_bytes(bytes))
}

/// The stem of a word that may still be being typed: its tail may be any beginning of an
/// ending («японськог» → «японськ», as «японського» gives). Used for the last word of a
/// query, which is matched as a prefix.
pub fn stem_partial(word: &str) -> &str {
    strip(word, |tail| {
        ENDINGS.iter().any(|ending| ending.starts_with(tail))
    })
}

/// `word` without its longest tail that `fits`, keeping at least [`MIN_STEM`] letters.
fn strip(word: &str, fits: impl Fn(&str) -> bool) -> &str {
    // Every letter of the Cyrillic block is two bytes, led by 0xD0 to 0xD3: a word of them
    // alone is told, and its letters counted, from its bytes, without decoding it.
    let bytes = word.as_bytes();
    let cyrillic =
        bytes.len().is_multiple_of(2) && bytes.iter().step_by(2).all(|b| (0xD0..=0xD3).contains(b));
    let letters = bytes.len() / 2;
    if !cyrillic || letters < MIN_WORD {
        return word;
    }
    // Candidate stem ends, longest tail first; no ending is longer than MAX_ENDING letters.
    (MIN_STEM.max(letters - MAX_ENDING)..letters)
        .map(|letter| letter * 2)
        .find(|&at| fits(&word[at..]))
        .map_or(word, |at| &word[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(forms: &[&str]) -> Vec<String> {
        forms.iter().map(|form| stem(form).to_owned()).collect()
    }

    #[test]
    fn forms_of_a_word_share_a_stem() {
        for (forms, expected) in [
            (&["японія", "японії", "японію", "японією"][..], "япон"),
            (
                &["україна", "україни", "україні", "україну", "україною"],
                "україн",
            ),
            (
                &["умєров", "умєрова", "умєрову", "умєровим", "умєрові"],
                "умєров",
            ),
            (
                &["паляниця", "паляниці", "паляницю", "паляницею", "паляниць"],
                "паляниц",
            ),
            (
                &[
                    "премєр",
                    "премєра",
                    "премєру",
                    "премєром",
                    "премєри",
                    "премєрів",
                ],
                "премєр",
            ),
            (
                &[
                    "міністр",
                    "міністра",
                    "міністру",
                    "міністром",
                    "міністрів",
                    "міністрами",
                ],
                "міністр",
            ),
            (
                &[
                    "військовий",
                    "військова",
                    "військові",
                    "військових",
                    "військовими",
                    "військового",
                    "військовому",
                    "військовою",
                    "військову",
                    "військовій",
                    "військової",
                ],
                "військов",
            ),
            (
                &["зеленський", "зеленського", "зеленському", "зеленським"],
                "зеленськ",
            ),
            (&["андрій", "андрія", "андрію", "андрієм"], "андр"),
            (&["боррель", "борреля", "боррелем"], "боррел"),
            (
                &["ракета", "ракети", "ракеті", "ракету", "ракетою"],
                "ракет",
            ),
        ] {
            assert_eq!(stems(forms), vec![expected; forms.len()], "{forms:?}");
        }
    }

    #[test]
    fn no_ending_is_longer_than_the_longest_tail_tried() {
        assert!(ENDINGS.iter().all(|e| e.chars().count() <= MAX_ENDING));
        assert!(ENDINGS.iter().all(|e| packed(e).is_some()));
    }

    #[test]
    fn short_and_foreign_words_stay_whole() {
        for word in [
            "нато",
            "сша",
            "мир",
            "nato",
            "ukraine",
            "f16",
            "2024",
            "natoвська",
        ] {
            assert_eq!(stem(word), word);
        }
    }

    #[test]
    fn a_word_being_typed_stems_to_a_prefix_of_its_full_forms() {
        for (typed, full) in [
            ("японськог", "японського"),
            ("японі", "японією"),
            ("умєро", "умєровим"),
            ("паляни", "паляницею"),
            ("премє", "премєрові"),
        ] {
            let prefix = stem_partial(typed);
            assert!(
                stem(full).starts_with(prefix),
                "{typed} → {prefix}, {full} → {}",
                stem(full)
            );
        }
        assert_eq!(stem_partial("умєров"), "умєров");
        assert_eq!(stem_partial("міністр"), "міністр");
    }
}
