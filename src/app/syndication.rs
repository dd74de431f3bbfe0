//! Feeds, sitemaps and `robots.txt` over HTTP, cached like GraphQL GET reads.
//!
//! A document is named by its path (plus, for the news sitemap, what moves its time window)
//! and keyed like a cached GraphQL answer: against the content version the server follows and
//! the newest visible publication time. That key is the strong `ETag`, so `If-None-Match`
//! gets 304 without reading the database, and an import or a lapsing embargo changes it. The
//! built document is kept in memory under the same key until the content changes.

mod feeds;
mod sitemaps;

use std::hash::Hash;

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use quick_cache::{Weighter, sync::Cache};
use sea_orm::DatabaseTransaction;

use super::{AppState, answers};
use crate::{error::AppError, store::snapshot, syndication::Site, timestamp::Timestamp};

/// What the syndication routes share: the site's settings and the built documents.
#[derive(Debug)]
pub struct Syndication {
    site: Site,
    documents: Documents,
}

impl Syndication {
    /// Documents are kept in at most `megabytes` of memory; none for 0.
    pub fn new(site: Site, megabytes: u64) -> Self {
        Self {
            site,
            documents: Documents::new(megabytes),
        }
    }
}

/// `/feeds/site.{rss,atom,json}`, `/feeds/{section,topic,person,country}/{key}.{rss,atom,json}`,
/// `/sitemap.xml`, `/sitemaps/articles-{n}.xml`, `/sitemaps/news.xml` and `/robots.txt`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feeds/{file}", get(feeds::site_feed))
        .route("/feeds/{kind}/{file}", get(feeds::of_kind))
        .route("/sitemap.xml", get(sitemaps::index))
        .route("/sitemaps/{file}", get(sitemaps::file))
        .route("/robots.txt", get(robots))
}

/// A built document as served.
#[derive(Clone, Debug)]
struct Document {
    body: Bytes,
    content_type: &'static str,
    /// The newest change among the items, to the second: HTTP dates have no finer unit.
    last_modified: Option<DateTime<Utc>>,
}

impl Document {
    fn new(body: Vec<u8>, content_type: &'static str, updated: Option<Timestamp>) -> Self {
        Self {
            body: Bytes::from(body),
            content_type,
            last_modified: updated.and_then(|moment| {
                DateTime::from_timestamp(moment.micros.div_euclid(1_000_000), 0)
            }),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct DocumentSize;

impl Weighter<u64, Document> for DocumentSize {
    fn weight(&self, _key: &u64, document: &Document) -> u64 {
        document.body.len() as u64 + 64
    }
}

#[derive(Debug)]
struct Documents(Option<Cache<u64, Document, DocumentSize>>);

impl Documents {
    fn new(megabytes: u64) -> Self {
        let bytes = megabytes * 1024 * 1024;
        Self((bytes > 0).then(|| Cache::with_weighter(256, bytes, DocumentSize)))
    }

    fn get(&self, key: u64) -> Option<Document> {
        self.0.as_ref()?.get(&key)
    }

    fn put(&self, key: u64, document: Document) {
        if let Some(cache) = &self.0 {
            cache.insert(key, document);
        }
    }
}

/// Serves the document named by `name`, built by `build` from one read snapshot at a moment
/// `now` when it is not cached; `build` gives none for documents that do not exist (404).
async fn serve(
    state: &AppState,
    headers: &HeaderMap,
    name: impl Hash,
    build: impl AsyncFnOnce(&DatabaseTransaction, i64) -> Result<Option<Document>, AppError>,
) -> Response {
    let Some(ready) = state.ready() else {
        return unavailable("service unavailable: starting, waiting for the database");
    };
    let now = answers::Now::of(ready);
    let key = now.key(("syndication", &name));
    let etag = HeaderValue::from_str(&now.tag(("syndication", &name)))
        .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let cached = state.syndication.documents.get(key);
    if none_match(headers, &etag) {
        return not_modified(state, etag, cached.and_then(|d| d.last_modified));
    }
    let document = match cached {
        Some(document) => document,
        None => {
            let now = Utc::now().timestamp_micros();
            let built = match snapshot::begin(&ready.reads).await {
                Ok(snapshot) => build(&snapshot, now).await,
                Err(error) => Err(error.into()),
            };
            match built {
                Ok(Some(document)) => {
                    state.syndication.documents.put(key, document.clone());
                    document
                }
                Ok(None) => return not_found(),
                Err(error) => return failed(&error),
            }
        }
    };
    if !headers.contains_key(header::IF_NONE_MATCH)
        && unmodified_since(headers, document.last_modified)
    {
        return not_modified(state, etag, document.last_modified);
    }
    let mut response = (StatusCode::OK, document.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(document.content_type),
    );
    cache_headers(state, headers, etag, document.last_modified);
    response
}

/// Whether `If-None-Match` names the current tag (or any, with `*`); weak comparison, as
/// RFC 9110 asks for GET.
fn none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let current = etag.to_str().unwrap_or_default();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == current || candidate == "*")
}

/// Whether `If-Modified-Since` is at or after the newest change. A document without a known
/// change time is always sent.
fn unmodified_since(headers: &HeaderMap, last_modified: Option<DateTime<Utc>>) -> bool {
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| DateTime::parse_from_rfc2822(value).ok());
    matches!((since, last_modified), (Some(since), Some(modified)) if modified <= since)
}

fn not_modified(
    state: &AppState,
    etag: HeaderValue,
    last_modified: Option<DateTime<Utc>>,
) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    cache_headers(state, response.headers_mut(), etag, last_modified);
    response
}

fn cache_headers(
    state: &AppState,
    headers: &mut HeaderMap,
    etag: HeaderValue,
    last_modified: Option<DateTime<Utc>>,
) {
    headers.insert(header::ETAG, etag);
    if let Ok(value) =
        HeaderValue::from_str(&format!("public, max-age={}", state.settings.cache_max_age))
    {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if let Some(value) = last_modified.and_then(|moment| {
        HeaderValue::from_str(&moment.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).ok()
    }) {
        headers.insert(header::LAST_MODIFIED, value);
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// Database trouble is usually passing (a restart, a full pool): 503 tells caches and
/// crawlers to come back. Anything else is a bug: 500. Neither says more than that.
fn failed(error: &AppError) -> Response {
    tracing::error!(%error, "cannot build a feed or sitemap");
    match error {
        AppError::Db(_) => unavailable("service unavailable: the database cannot be reached"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
    }
}

fn unavailable(message: &'static str) -> Response {
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Lets every crawler in, keeps them off the GraphQL IDE, and names the sitemap index.
async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /graphql\nSitemap: {}\n",
        state.syndication.site.url_of("/sitemap.xml")
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The site, for the handlers.
fn site(state: &AppState) -> &Site {
    &state.syndication.site
}
