//! Answers to repeated reads, kept in memory: a news site's hot reads (the front page, a
//! topic page) are the same few documents, asked for again and again until the content
//! changes.
//!
//! An answer is kept under a key made of the request exactly as sent and of the content state
//! it read: the content version the server follows and the newest visible publication time
//! (which moves when an embargo lapses). Any import or write anywhere changes the version, so
//! a changed page is never served from here once the server has followed the change. The key
//! is taken before the request reads the database, so an answer is never older than its key.

use std::{
    hash::{BuildHasher, DefaultHasher, Hash, Hasher, RandomState},
    sync::LazyLock,
};

use axum::body::Bytes;
use quick_cache::{Weighter, sync::Cache};

use super::Ready;

#[derive(Clone, Copy, Debug)]
struct BodySize;

impl Weighter<u64, Bytes> for BodySize {
    fn weight(&self, _key: &u64, body: &Bytes) -> u64 {
        body.len() as u64 + 64
    }
}

/// Prometheus counter of lookups, by result.
pub const CACHE_METRIC: &str = "vistka_answer_cache_lookups_total";

pub struct Answers {
    cache: Option<Cache<u64, Bytes, BodySize>>,
    /// The lookup counters, registered once: a hit costs an increment, not a registry lookup.
    hits: metrics::Counter,
    misses: metrics::Counter,
}

impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answers")
            .field("enabled", &self.cache.is_some())
            .finish()
    }
}

impl Answers {
    /// A cache of at most `megabytes` of answers; none at all for 0.
    pub fn new(megabytes: u64) -> Self {
        let bytes = megabytes * 1024 * 1024;
        Self {
            cache: (bytes > 0).then(|| Cache::with_weighter(4_096, bytes, BodySize)),
            hits: metrics::counter!(CACHE_METRIC, "result" => "hit"),
            misses: metrics::counter!(CACHE_METRIC, "result" => "miss"),
        }
    }

    pub fn get(&self, key: u64) -> Option<Bytes> {
        let found = self.cache.as_ref()?.get(&key);
        match found {
            Some(_) => self.hits.increment(1),
            None => self.misses.increment(1),
        }
        found
    }

    pub fn put(&self, key: u64, body: Bytes) {
        if let Some(cache) = &self.cache {
            cache.insert(key, body);
        }
    }
}

/// The content state as the server knows it now: the content version it follows and the newest
/// visible publication time. Whatever is kept or tagged under it is current until either moves.
#[derive(Clone, Copy, Debug)]
pub struct Now(i64, Option<i64>);

impl Now {
    pub fn of(ready: &Ready) -> Self {
        let now = chrono::Utc::now().timestamp_micros();
        let index = ready.index.borrow();
        Self(index.version(), index.newest_visible(now))
    }

    /// The key a request's answer is kept under: the request (its exact bytes and whatever else
    /// shapes the answer, such as the media type) against this state. It is hashed with a key
    /// drawn when the server starts, so a request made to collide with another's key, to have
    /// its answer served in the other's place, cannot be searched for away from the server.
    pub fn key(self, request: impl Hash) -> u64 {
        static SECRET: LazyLock<RandomState> = LazyLock::new(RandomState::new);
        SECRET.hash_one((self.0, self.1, request))
    }

    /// The entity tag of a response: the same on every server, so that a client revalidating
    /// against another one still gets its 304. Tags are only compared with tags of the same URL.
    pub fn tag(self, request: impl Hash) -> String {
        let mut hasher = DefaultHasher::new();
        (self.0, self.1, request).hash(&mut hasher);
        format!("\"{:016x}\"", hasher.finish())
    }
}
