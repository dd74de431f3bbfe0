//! Deterministic archives with a newsroom's shape: people, topics and countries of skewed
//! (Zipf) popularity, 1–4 people, 1–3 topics and 1–3 countries per article, about 3% of
//! articles sharing a timestamp with a neighbour, some editor's picks, Ukrainian text.
//!
//! Text is drawn from a vocabulary of [`VOCABULARY`] words with Zipf frequencies, as natural
//! language has: a few words are in nearly every article, most in a few. The most common are
//! real words ([`WORDS`]), so that search queries name them; the rest are made of Ukrainian
//! syllables and endings. How many distinct words an article holds is what a full-text index
//! pays for, so a small vocabulary would flatter indexing.

use std::io::{self, Write};

use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Zipf};
use serde_json::json;

const SECTIONS: [&str; 8] = [
    "news", "world", "economy", "politics", "war", "culture", "sport", "tech",
];
/// The most common words, most common first.
const WORDS: [&str; 40] = [
    "міністр",
    "оборони",
    "України",
    "підтримка",
    "уряд",
    "заявив",
    "партнери",
    "допомога",
    "військова",
    "фінансова",
    "переговори",
    "президент",
    "прем’єр",
    "зустріч",
    "рішення",
    "коаліція",
    "розмінування",
    "енергетика",
    "відновлення",
    "безпека",
    "санкції",
    "Європа",
    "союзники",
    "делегація",
    "парламент",
    "закон",
    "бюджет",
    "мільйонів",
    "доларів",
    "євро",
    "громади",
    "регіону",
    "фронту",
    "оборонний",
    "постачання",
    "техніки",
    "сьогодні",
    "вчора",
    "за",
    "словами",
];

/// Seconds from the first article to about the last: ten years.
const SPAN_SECONDS: i64 = 10 * 365 * 24 * 3600;

/// Distinct words of the generated text.
const VOCABULARY: usize = 30_000;

/// Words beyond [`WORDS`], each made of two to four syllables and an ending.
fn vocabulary(rng: &mut ChaCha8Rng) -> Vec<String> {
    const CONSONANTS: [&str; 20] = [
        "б", "в", "г", "д", "ж", "з", "к", "л", "м", "н", "п", "р", "с", "т", "ф", "х", "ц", "ч",
        "ш", "щ",
    ];
    const VOWELS: [&str; 10] = ["а", "е", "и", "і", "о", "у", "я", "ю", "є", "ї"];
    const ENDINGS: [&str; 12] = [
        "",
        "",
        "",
        "ння",
        "ський",
        "ка",
        "ів",
        "ами",
        "ого",
        "ості",
        "ення",
        "ові",
    ];
    let mut words: Vec<String> = WORDS.iter().map(|word| (*word).to_owned()).collect();
    while words.len() < VOCABULARY {
        let mut word: String = (0..rng.random_range(2..=4))
            .map(|_| {
                let consonant = CONSONANTS.choose(rng).copied().unwrap_or("н");
                let vowel = VOWELS.choose(rng).copied().unwrap_or("а");
                format!("{consonant}{vowel}")
            })
            .collect();
        word.push_str(ENDINGS.choose(rng).copied().unwrap_or(""));
        words.push(word);
    }
    words
}

/// Sizes of the catalogues for an archive of `articles`.
fn catalogue(articles: usize) -> (usize, usize, usize) {
    let people = (articles / 20).clamp(50, 50_000);
    let topics = (articles / 200).clamp(20, 5_000);
    (people, topics, 60)
}

pub fn person(n: usize) -> String {
    format!("person-{n}")
}

pub fn article(n: usize) -> String {
    format!("article-{n}")
}

/// Writes the archive as NDJSON; the same `articles` and `seed` always give the same bytes.
pub fn write(articles: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (people, topics, countries) = catalogue(articles);
    for slug in SECTIONS {
        writeln!(
            out,
            "{}",
            json!({"type": "section", "slug": slug, "name": slug.to_uppercase()})
        )?;
    }
    for n in 0..countries {
        writeln!(
            out,
            "{}",
            json!({"type": "country", "code": country(n), "name": format!("Країна {n}")})
        )?;
    }
    for n in 0..people {
        writeln!(
            out,
            "{}",
            json!({"type": "person", "slug": person(n), "name": format!("Особа {n}"), "role": "посадовець", "country": country(n % countries)})
        )?;
    }
    for n in 0..topics {
        writeln!(
            out,
            "{}",
            json!({"type": "topic", "slug": format!("topic-{n}"), "name": format!("Тема {n}")})
        )?;
    }
    let popular_people = Zipf::new(people as f64, 1.1).map_err(io::Error::other)?;
    let popular_topics = Zipf::new(topics as f64, 1.0).map_err(io::Error::other)?;
    let popular_countries = Zipf::new(countries as f64, 1.4).map_err(io::Error::other)?;
    let text = Text {
        words: vocabulary(&mut rng),
        frequency: Zipf::new(VOCABULARY as f64, 1.0).map_err(io::Error::other)?,
    };
    let mut published = chrono::DateTime::parse_from_rfc3339("2015-01-01T08:00:00+02:00")
        .map_err(io::Error::other)?;
    // Every archive spans the ten years to 2025, as a newsroom's would, whatever its size: a
    // larger archive publishes more often, and never runs into the future (where every
    // article would be embargoed, so no reader would see it).
    let mean_gap = (SPAN_SECONDS / articles.max(1) as i64).max(2);
    for n in 0..articles {
        // About 3% share their timestamp with the previous article.
        if !rng.random_bool(0.03) {
            published += chrono::Duration::seconds(rng.random_range(1..2 * mean_gap));
        }
        let pick = |rng: &mut ChaCha8Rng, zipf: &Zipf<f64>, most: usize| -> Vec<usize> {
            let mut picked: Vec<usize> = Vec::new();
            for _ in 0..rng.random_range(1..=most) {
                let n = zipf.sample(rng) as usize - 1;
                if !picked.contains(&n) {
                    picked.push(n);
                }
            }
            picked
        };
        let people: Vec<String> = pick(&mut rng, &popular_people, 4)
            .into_iter()
            .map(person)
            .collect();
        let topics: Vec<String> = pick(&mut rng, &popular_topics, 3)
            .into_iter()
            .map(|n| format!("topic-{n}"))
            .collect();
        let countries: Vec<String> = pick(&mut rng, &popular_countries, 3)
            .into_iter()
            .map(country)
            .collect();
        let related: Vec<String> = if n > 10 && rng.random_bool(0.1) {
            vec![article(rng.random_range(n.saturating_sub(500)..n))]
        } else {
            Vec::new()
        };
        let title = text.sentence(&mut rng, 8..14);
        let lead = text.sentence(&mut rng, 15..30);
        let paragraphs: Vec<String> = (0..rng.random_range(3..8))
            .map(|p| {
                let sentence = text.sentence(&mut rng, 25..60);
                if p == 2 {
                    format!("> «{sentence}», – додав він.")
                } else {
                    sentence
                }
            })
            .collect();
        writeln!(
            out,
            "{}",
            json!({
                "type": "article", "slug": article(n), "title": title, "lead": lead,
                "body": paragraphs.join("\n\n"), "published_at": published.to_rfc3339(),
                "section": SECTIONS.choose(&mut rng).copied().unwrap_or("news"),
                "language": "uk", "people": people, "topics": topics, "countries": countries,
                "related": related,
            })
        )?;
    }
    out.flush()
}

/// Two letters from `n`: AA, AB, …
fn country(n: usize) -> String {
    let letter = |i: usize| char::from(b'A' + (i % 26) as u8);
    format!("{}{}", letter(n / 26), letter(n))
}

/// The vocabulary and how often each word is used.
struct Text {
    words: Vec<String>,
    frequency: Zipf<f64>,
}

impl Text {
    fn sentence(&self, rng: &mut ChaCha8Rng, words: std::ops::Range<usize>) -> String {
        let count = rng.random_range(words);
        let mut text: Vec<&str> = (0..count)
            .map(|_| self.words[self.frequency.sample(rng) as usize - 1].as_str())
            .collect();
        if let Some(first) = text.first_mut() {
            *first = "Сьогодні";
        }
        format!("{}.", text.join(" "))
    }
}
