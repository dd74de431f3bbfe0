//! `/sitemap.xml` and `/sitemaps/...`: the index, pages of article URLs, and news.

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};

use super::{Document, not_found, serve, site};
use crate::{
    app::AppState,
    syndication::sitemap::{self, NEWS_WINDOW_MICROS, Sitemap},
};

const CONTENT_TYPE: &str = "application/xml; charset=utf-8";

/// `/sitemap.xml`.
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let site = site(&state);
    serve(&state, &headers, "/sitemap.xml", async |db, now| {
        Ok(Some(document(sitemap::index(db, site, now).await?)))
    })
    .await
}

/// `/sitemaps/articles-{n}.xml` and `/sitemaps/news.xml`.
pub async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let site = site(&state);
    if file == "news.xml" {
        // The window moves with the clock: what is in it decides the document as much as the
        // content does.
        let now = chrono::Utc::now().timestamp_micros();
        let in_window = state.ready().map(|ready| {
            ready
                .index
                .borrow()
                .visible_since(now.saturating_sub(NEWS_WINDOW_MICROS), now)
        });
        return serve(
            &state,
            &headers,
            (sitemap::NEWS_PATH, in_window),
            async |db, now| Ok(Some(document(sitemap::news(db, site, now).await?))),
        )
        .await;
    }
    let Some(page) = page_number(&file) else {
        return not_found();
    };
    serve(&state, &headers, &file, async |db, now| {
        Ok(sitemap::articles(db, site, page, now).await?.map(document))
    })
    .await
}

/// `n` of `articles-n.xml`, written without leading zeros, so that each page has one URL.
fn page_number(file: &str) -> Option<u64> {
    let digits = file.strip_prefix("articles-")?.strip_suffix(".xml")?;
    let page: u64 = digits.parse().ok()?;
    (page.to_string() == digits).then_some(page)
}

fn document(sitemap: Sitemap) -> Document {
    Document::new(sitemap.xml, CONTENT_TYPE, sitemap.updated)
}
