//! One line of the interchange format, as validated on import and as written on export.
//!
//! Field order here is the order export writes: the `type` tag, the natural key, then the
//! table order of the format. Absent optional values are left out; defaults are written out.

use entity::article::Status;
use sea_orm::ActiveEnum;
use serde::{Serialize, Serializer};

use crate::timestamp::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Line {
    Section(Section),
    Country(Country),
    Person(Person),
    Topic(Topic),
    Article(Article),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Country {
    pub code: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    pub slug: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Topic {
    pub slug: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Article {
    pub slug: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    pub body: String,
    pub published_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(serialize_with = "status_name")]
    pub status: Status,
    pub section: String,
    pub language: String,
    pub people: Vec<String>,
    pub countries: Vec<String>,
    pub topics: Vec<String>,
    pub related: Vec<String>,
}

fn status_name<S: Serializer>(status: &Status, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&status.to_value())
}

/// The kinds of line, which are also the kinds of thing a line can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Section,
    Country,
    Person,
    Topic,
    Article,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Section => "section",
            Self::Country => "country",
            Self::Person => "person",
            Self::Topic => "topic",
            Self::Article => "article",
        }
    }

    /// The field holding the natural key.
    pub fn key_field(self) -> &'static str {
        match self {
            Self::Country => "code",
            _ => "slug",
        }
    }
}

impl Line {
    /// The kind and natural key, which identify a line across a file and the database.
    pub fn key(&self) -> (Kind, &str) {
        match self {
            Self::Section(section) => (Kind::Section, &section.slug),
            Self::Country(country) => (Kind::Country, &country.code),
            Self::Person(person) => (Kind::Person, &person.slug),
            Self::Topic(topic) => (Kind::Topic, &topic.slug),
            Self::Article(article) => (Kind::Article, &article.slug),
        }
    }
}
