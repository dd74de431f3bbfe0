//! A generated archive: deterministic, with many articles sharing a timestamp (written with
//! different UTC offsets), drafts, embargoed articles, and lines in no particular order.

use std::fmt::Write;

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct Generated {
    pub slug: String,
    pub published_micros: i64,
    pub public: bool,
    pub section: String,
    pub language: String,
    pub people: Vec<String>,
    pub countries: Vec<String>,
    pub topics: Vec<String>,
    pub related: Vec<String>,
}

/// The articles of an NDJSON text, as the tests need to reason about them.
pub fn parse(ndjson: &str) -> Vec<Generated> {
    let now = chrono::Utc::now().timestamp_micros();
    let keys = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    ndjson
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["type"] == "article")
        .map(|line| {
            let published_micros =
                DateTime::parse_from_rfc3339(line["published_at"].as_str().expect("time"))
                    .expect("RFC 3339")
                    .timestamp_micros();
            Generated {
                slug: line["slug"].as_str().expect("slug").to_owned(),
                published_micros,
                public: line["status"] != "draft" && published_micros <= now,
                section: line["section"].as_str().unwrap_or("news").to_owned(),
                language: line["language"].as_str().unwrap_or("uk").to_owned(),
                people: keys(&line["people"]),
                countries: keys(&line["countries"]),
                topics: keys(&line["topics"]),
                related: keys(&line["related"]),
            }
        })
        .collect()
}

#[derive(Debug)]
pub struct Archive {
    pub ndjson: String,
    pub articles: Vec<Generated>,
}

pub const SECTIONS: [&str; 3] = ["news", "world", "economy"];
pub const COUNTRIES: [&str; 6] = ["UA", "PL", "US", "JP", "DE", "FR"];
pub const LANGUAGES: [&str; 2] = ["uk", "en"];

pub fn person(n: u64) -> String {
    format!("person-{n}")
}

pub fn topic(n: u64) -> String {
    format!("topic-{n}")
}

/// splitmix64: tiny, deterministic, good enough to shuffle test data.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Up to `most` distinct values below `n`.
    fn some(&mut self, most: u64, n: u64) -> Vec<u64> {
        let mut picked = Vec::new();
        for _ in 0..self.below(most + 1) {
            let value = self.below(n);
            if !picked.contains(&value) {
                picked.push(value);
            }
        }
        picked
    }
}

/// `count` articles over 12 people and 8 topics; about three articles share each timestamp.
pub fn generate(count: usize, seed: u64) -> Archive {
    let mut rng = Rng::new(seed);
    let base = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").expect("base time");
    let offsets = [0, 2 * 3600, 3 * 3600, -5 * 3600];
    let slots = (count as u64 / 3).max(1);
    let mut lines = Vec::new();
    for i in 0..count {
        let embargoed = rng.below(40) == 0;
        let minute = if embargoed {
            60_000_000
        } else {
            rng.below(slots) as i64
        };
        let offset = FixedOffset::east_opt(offsets[rng.below(4) as usize]).expect("offset");
        let moment = (base + chrono::Duration::minutes(minute)).with_timezone(&offset);
        let draft = rng.below(20) == 0;
        let section = SECTIONS[rng.below(3) as usize].to_owned();
        let language = LANGUAGES[rng.below(2) as usize].to_owned();
        let people: Vec<String> = rng.some(3, 12).into_iter().map(person).collect();
        let topics: Vec<String> = rng.some(3, 8).into_iter().map(topic).collect();
        let countries: Vec<String> = rng
            .some(3, COUNTRIES.len() as u64)
            .into_iter()
            .map(|c| COUNTRIES[c as usize].to_owned())
            .collect();
        let slug = format!("article-{i}");
        let related: Vec<String> = if i > 0 && rng.below(4) == 0 {
            vec![format!("article-{}", rng.below(i as u64))]
        } else {
            Vec::new()
        };
        lines.push(
            json!({
                "type": "article", "slug": slug, "title": format!("Стаття {i} — прем’єр"),
                "body": format!("Абзац {i}.\n\n> Цитата."), "published_at": moment.to_rfc3339(),
                "status": if draft { "draft" } else { "published" },
                "section": section, "language": language, "people": people,
                "countries": countries, "topics": topics, "related": related,
            })
            .to_string(),
        );
    }
    for section in SECTIONS {
        lines.push(
            json!({"type": "section", "slug": section, "name": section.to_uppercase()}).to_string(),
        );
    }
    for code in COUNTRIES {
        lines.push(
            json!({"type": "country", "code": code, "name": format!("Країна {code}")}).to_string(),
        );
    }
    for n in 0..12 {
        lines.push(json!({"type": "person", "slug": person(n), "name": format!("Особа {n}"), "country": "UA"}).to_string());
    }
    for n in 0..8 {
        lines.push(
            json!({"type": "topic", "slug": topic(n), "name": format!("Тема {n}")}).to_string(),
        );
    }
    // Any order is allowed: shuffle so references point both ways.
    for i in (1..lines.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        lines.swap(i, j);
    }
    let mut ndjson = String::new();
    for line in lines {
        writeln!(ndjson, "{line}").expect("write to a string");
    }
    let articles = parse(&ndjson);
    Archive { ndjson, articles }
}

impl Archive {
    /// Public articles matching `keep`, newest first; ties are left in any order.
    pub fn public(&self, keep: impl Fn(&Generated) -> bool) -> Vec<&Generated> {
        let mut found: Vec<&Generated> = self
            .articles
            .iter()
            .filter(|a| a.public && keep(a))
            .collect();
        found.sort_by_key(|a| std::cmp::Reverse(a.published_micros));
        found
    }
}
