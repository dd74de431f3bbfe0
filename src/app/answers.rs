//! Answers to repeated reads, kept in memory: a news site's hot reads (the front page, a
//! topic page) are the same few documents, asked for again and again until the content
//! changes.
//!
//! An answer is kept under a key made of the request exactly as sent and of the content state
//! it read: the content version the server follows and the newest visible publication time
//! (which moves when an embargo lapses). Any import or write anywhere changes the version, so
//! a changed page is never served from here once the server has followed the change. The key
//! is taken before the request reads the database, so an answer is never older than its key.

use std::hash::{DefaultHasher, Hash, Hasher};

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

pub struct Answers(Option<Cache<u64, Bytes, BodySize>>);

impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answers")
            .field("enabled", &self.0.is_some())
            .finish()
    }
}

impl Answers {
    /// A cache of at most `megabytes` of answers; none at all for 0.
    pub fn new(megabytes: u64) -> Self {
        let bytes = megabytes * 1024 * 1024;
        Self((bytes > 0).then(|| Cache::with_weighter(4_096, bytes, BodySize)))
    }

    pub fn get(&self, key: u64) -> Option<Bytes> {
        let found = self.0.as_ref()?.get(&key);
        let result = if found.is_some() { "hit" } else { "miss" };
        metrics::counter!(CACHE_METRIC, "result" => result).increment(1);
        found
    }

    pub fn put(&self, key: u64, body: Bytes) {
        if let Some(cache) = &self.0 {
            cache.insert(key, body);
        }
    }
}

/// The key of a request (its exact bytes and whatever else shapes the answer, such as the
/// media type) against the content state as the server knows it now.
pub fn key(ready: &Ready, request: impl Hash) -> u64 {
    let now = chrono::Utc::now().timestamp_micros();
    let index = ready.index.borrow();
    let mut hasher = DefaultHasher::new();
    (index.version(), index.newest_visible(now), request).hash(&mut hasher);
    hasher.finish()
}
