//! Deterministic archives with a newsroom's shape: people, topics and countries of skewed
//! (Zipf) popularity, 1–4 people, 1–3 topics and 1–3 countries per article, about 3% of
//! articles sharing a timestamp with a neighbour, some editor's picks, Ukrainian text.

use std::io::{self, Write};

use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Zipf};
use serde_json::json;

const SECTIONS: [&str; 8] = [
    "news", "world", "economy", "politics", "war", "culture", "sport", "tech",
];
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
    let mut published = chrono::DateTime::parse_from_rfc3339("2015-01-01T08:00:00+02:00")
        .map_err(io::Error::other)?;
    for n in 0..articles {
        // About 3% share their timestamp with the previous article.
        if !rng.random_bool(0.03) {
            published += chrono::Duration::seconds(rng.random_range(60..7_200));
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
        let title = sentence(&mut rng, 8..14);
        let lead = sentence(&mut rng, 15..30);
        let paragraphs: Vec<String> = (0..rng.random_range(3..8))
            .map(|p| {
                let text = sentence(&mut rng, 25..60);
                if p == 2 {
                    format!("> «{text}», – додав він.")
                } else {
                    text
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

fn sentence(rng: &mut ChaCha8Rng, words: std::ops::Range<usize>) -> String {
    let count = rng.random_range(words);
    let mut text: Vec<&str> = (0..count)
        .map(|_| *WORDS.choose(rng).unwrap_or(&"новини"))
        .collect();
    if let Some(first) = text.first_mut() {
        *first = "Сьогодні";
    }
    format!("{}.", text.join(" "))
}
