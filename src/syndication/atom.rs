//! Atom (RFC 4287): the lead as the summary, the body as HTML content, topics as categories.

use atom_syndication::{Category, Content, Entry, Feed as AtomFeed, Generator, Link, Person, Text};

use super::{Format, Site, feed::Feed, rss::media_type};

pub fn render(
    site: &Site,
    feed: &Feed,
    self_url: &str,
) -> Result<Vec<u8>, atom_syndication::Error> {
    let entries = feed
        .items
        .iter()
        .map(|item| Entry {
            title: Text::plain(item.title.clone()),
            id: item.link.clone(),
            updated: item.updated.to_datetime(),
            published: Some(item.published.to_datetime()),
            links: vec![alternate(&item.link)],
            summary: item.lead.clone().map(Text::plain),
            content: Some(Content {
                value: Some(item.html.clone()),
                content_type: Some("html".to_owned()),
                lang: Some(item.language.clone()),
                ..Content::default()
            }),
            categories: item
                .topics
                .iter()
                .map(|topic| Category {
                    term: topic.slug.clone(),
                    scheme: None,
                    label: Some(topic.name.clone()),
                })
                .collect(),
            ..Entry::default()
        })
        .collect();
    let atom = AtomFeed {
        title: Text::plain(feed.title.clone()),
        subtitle: Some(Text::plain(feed.description.clone())),
        id: self_url.to_owned(),
        // An empty feed has no newest entry: the epoch keeps its bytes the same everywhere.
        updated: feed
            .updated
            .map(|updated| updated.to_datetime())
            .unwrap_or_default(),
        authors: vec![Person {
            name: site.name.clone(),
            uri: Some(site.url.clone()),
            ..Person::default()
        }],
        links: vec![
            alternate(&site.url),
            Link {
                href: self_url.to_owned(),
                rel: "self".to_owned(),
                mime_type: Some(media_type(Format::Atom)),
                ..Link::default()
            },
        ],
        generator: Some(Generator {
            value: "vistka".to_owned(),
            ..Generator::default()
        }),
        lang: Some(site.language.clone()),
        entries,
        ..AtomFeed::default()
    };
    atom.write_to(Vec::new())
}

fn alternate(href: &str) -> Link {
    Link {
        href: href.to_owned(),
        mime_type: Some("text/html".to_owned()),
        ..Link::default()
    }
}
