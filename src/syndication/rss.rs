//! RSS 2.0, with the full body in `content:encoded` and the feed's own address in
//! `atom:link rel="self"`, as feed validators ask.

use ::rss::{Category, Channel, Guid, Item, extension::atom::AtomExtension};
use atom_syndication::Link;

use super::{Format, Site, feed::Feed};
use crate::timestamp::Timestamp;

pub fn render(site: &Site, feed: &Feed, self_url: &str) -> Result<Vec<u8>, ::rss::Error> {
    let items = feed
        .items
        .iter()
        .map(|item| Item {
            title: Some(item.title.clone()),
            link: Some(item.link.clone()),
            description: item.lead.clone(),
            content: Some(item.html.clone()),
            guid: Some(Guid {
                value: item.link.clone(),
                permalink: true,
            }),
            pub_date: Some(rfc822(item.published)),
            categories: item
                .topics
                .iter()
                .map(|topic| Category {
                    name: topic.name.clone(),
                    domain: None,
                })
                .collect(),
            ..Item::default()
        })
        .collect();
    let channel = Channel {
        title: feed.title.clone(),
        link: site.url.clone(),
        description: feed.description.clone(),
        language: Some(site.language.clone()),
        last_build_date: feed.updated.map(rfc822),
        generator: Some("vistka".to_owned()),
        atom_ext: Some(AtomExtension {
            links: vec![Link {
                href: self_url.to_owned(),
                rel: "self".to_owned(),
                mime_type: Some(media_type(Format::Rss)),
                ..Link::default()
            }],
        }),
        items,
        ..Channel::default()
    };
    channel.write_to(Vec::new())
}

/// RFC 822 dates (as RFC 2822 writes them), in the offset the time was written with.
fn rfc822(moment: Timestamp) -> String {
    moment.to_datetime().to_rfc2822()
}

/// The media type without its parameters, as links state it.
pub(super) fn media_type(format: Format) -> String {
    format
        .content_type()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned()
}
