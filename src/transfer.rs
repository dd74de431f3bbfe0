//! The NDJSON interchange format of `../shared/content-format.md`: one JSON object per line,
//! upserted by natural key on import, written sorted and byte-stable on export.

pub mod export;
pub mod import;
pub mod line;
pub mod validate;

use std::fmt;

/// What one import or export moved, per type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub sections: usize,
    pub countries: usize,
    pub people: usize,
    pub topics: usize,
    pub articles: usize,
}

impl Counts {
    pub fn count(&mut self, kind: line::Kind) {
        match kind {
            line::Kind::Section => self.sections += 1,
            line::Kind::Country => self.countries += 1,
            line::Kind::Person => self.people += 1,
            line::Kind::Topic => self.topics += 1,
            line::Kind::Article => self.articles += 1,
        }
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {}, {}, {}, {}",
            plural(self.sections, "section", "sections"),
            plural(self.countries, "country", "countries"),
            plural(self.people, "person", "people"),
            plural(self.topics, "topic", "topics"),
            plural(self.articles, "article", "articles"),
        )
    }
}
