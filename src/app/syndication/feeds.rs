//! `/feeds/...`: the site's feed and one per section, topic, person and country, each in
//! RSS, Atom and JSON Feed, chosen by the extension.

use axum::{
    extract::{Path, State},
    http::{HeaderMap, Uri},
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
    uri: Uri,
    Path(file): Path<String>,
) -> Response {
    match split(&file) {
        Some(("site", format)) => answer(&state, &headers, &uri, None, format).await,
        _ => not_found(),
    }
}

/// `/feeds/{kind}/{key}.{rss,atom,json}`.
pub async fn of_kind(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path((kind, file)): Path<(String, String)>,
) -> Response {
    match (Kind::from_segment(&kind), split(&file)) {
        (Some(kind), Some((key, format))) => {
            answer(&state, &headers, &uri, Some((kind, key)), format).await
        }
        _ => not_found(),
    }
}

/// `key.extension`, when the extension names a format.
fn split(file: &str) -> Option<(&str, Format)> {
    let (key, extension) = file.rsplit_once('.')?;
    Some((key, Format::from_extension(extension)?))
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    scope: Option<(Kind, &str)>,
    format: Format,
) -> Response {
    let site = site(state);
    let path = uri.path();
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
