//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>). No crate for it is both complete and
//! kept up, and the format is a handful of fields: plain serde structures serve.

use serde::Serialize;

use super::{Site, feed::Feed};

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Debug, Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    description: &'a str,
    language: &'a str,
    authors: [Author<'a>; 1],
    items: Vec<JsonItem<'a>>,
}

#[derive(Debug, Serialize)]
struct Author<'a> {
    name: &'a str,
    url: &'a str,
}

#[derive(Debug, Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    content_html: &'a str,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    language: &'a str,
}

pub fn render(site: &Site, feed: &Feed, self_url: &str) -> Result<Vec<u8>, serde_json::Error> {
    let document = JsonFeed {
        version: VERSION,
        title: &feed.title,
        home_page_url: &site.url,
        feed_url: self_url,
        description: &feed.description,
        language: &site.language,
        authors: [Author {
            name: &site.name,
            url: &site.url,
        }],
        items: feed
            .items
            .iter()
            .map(|item| JsonItem {
                id: &item.link,
                url: &item.link,
                title: &item.title,
                summary: item.lead.as_deref(),
                content_html: &item.html,
                date_published: item.published.to_rfc3339(),
                date_modified: item.updated.to_rfc3339(),
                tags: item
                    .topics
                    .iter()
                    .map(|topic| topic.name.as_str())
                    .collect(),
                language: &item.language,
            })
            .collect(),
    };
    serde_json::to_vec(&document)
}
