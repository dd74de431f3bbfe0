//! Feeds (RSS 2.0, Atom, JSON Feed 1.1) and sitemaps: the site's articles for feed readers,
//! aggregators and search engines, which do not speak GraphQL.
//!
//! Documents are built from the store in one read snapshot, from public articles only, and
//! rendered by the format crates (`rss`, `atom_syndication`, serde for JSON Feed, `quick-xml`
//! for sitemaps). Serving them over HTTP, with caching, is `app::syndication`'s part.

pub mod atom;
pub mod feed;
pub mod json;
pub mod rss;
pub mod sitemap;
pub mod template;

use chrono_tz::Tz;

use crate::{config::SyndicationConfig, timestamp::Timestamp};
use template::{Article, ArticleUrl};

/// The site as feeds and sitemaps present it.
#[derive(Clone, Debug)]
pub struct Site {
    pub name: String,
    /// The public URL, without a trailing slash.
    pub url: String,
    pub language: String,
    pub feed_size: u64,
    pub time_zone: Tz,
    article_url: ArticleUrl,
}

impl Site {
    pub fn new(config: &SyndicationConfig, time_zone: Tz) -> Self {
        Self {
            name: config.site_name.clone(),
            url: config.site_url.clone(),
            language: config.site_language.clone(),
            feed_size: u64::from(config.feed_size),
            time_zone,
            article_url: config.article_url.clone(),
        }
    }

    /// The frontend's page of an article.
    pub fn link(&self, article: Article<'_>) -> String {
        self.article_url.render(&self.url, article, self.time_zone)
    }

    /// A path of this server as the public sees it, under the site's URL.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

/// A feed's format, named by the extension of its URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub fn from_extension(extension: &str) -> Option<Self> {
        match extension {
            "rss" => Some(Self::Rss),
            "atom" => Some(Self::Atom),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
            Self::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// When an article last changed: its update, else its publication.
pub fn modified(published: Timestamp, updated: Option<Timestamp>) -> Timestamp {
    updated.map_or(published, |updated| {
        if updated.micros > published.micros {
            updated
        } else {
            published
        }
    })
}

/// A stored time and offset, as the store returns them.
pub fn timestamp(micros: i64, offset: i32) -> Timestamp {
    Timestamp { micros, offset }
}

/// An optional stored time; an update stored without an offset is taken as UTC.
pub fn optional_timestamp(micros: Option<i64>, offset: Option<i32>) -> Option<Timestamp> {
    micros.map(|micros| timestamp(micros, offset.unwrap_or(0)))
}
