//! `/feeds/...`: the site's feed and one per section, topic, person and country, each in
//! RSS, Atom and JSON Feed, chosen by the extension.

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};

use super::{Document, not_found, serve, site};
use crate::{
    app::AppState,
    syndication::{
        Format,
        feed::{self, Kind},
    },
};

/// `/feeds/site.{rss,atom,json}`.
pub async fn site_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    match split(&file) {
        Some(("site", format)) => {
            answer(&state, &headers, &format!("/feeds/{file}"), None, format).await
        }
        _ => not_found(),
    }
}

/// `/feeds/{kind}/{key}.{rss,atom,json}`.
pub async fn of_kind(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((segment, file)): Path<(String, String)>,
) -> Response {
    match (Kind::from_segment(&segment), split(&file)) {
        (Some(kind), Some((key, format))) => {
            let path = format!("/feeds/{segment}/{file}");
            answer(&state, &headers, &path, Some((kind, key)), format).await
        }
        _ => not_found(),
    }
}

/// `key.extension`, when the extension names a format.
fn split(file: &str) -> Option<(&str, Format)> {
    let (key, extension) = file.rsplit_once('.')?;
    Some((key, Format::from_extension(extension)?))
}

/// The feed at `path` (as decoded: the cache key and the feed's own URL).
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    scope: Option<(Kind, &str)>,
    format: Format,
) -> Response {
    let site = site(state);
    serve(state, headers, path, async |db, now| {
        let Some(feed) = feed::load(db, site, scope, now).await? else {
            return Ok(None);
        };
        let body = feed.render(site, format, &site.url_of(path))?;
        Ok(Some(Document::new(
            body,
            format.content_type(),
            feed.updated,
        )))
    })
    .await
}
