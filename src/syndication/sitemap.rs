//! Sitemaps (the sitemaps.org protocol 0.9): an index, pages of at most 50,000 article URLs,
//! and the Google News sitemap of the last 48 hours.

use std::{collections::HashMap, io};

use entity::section;
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesText, Event},
};
use sea_orm::ConnectionTrait;

use super::{Site, modified, optional_timestamp, template, timestamp};
use crate::{
    error::AppError,
    store::{self, sitemap::Listed},
    timestamp::Timestamp,
};

/// Most URLs one sitemap may list, as the protocol requires.
pub const URLS_PER_SITEMAP: u64 = 50_000;

/// How far back the news sitemap reaches, as Google News requires: two days.
pub const NEWS_WINDOW_MICROS: i64 = 48 * 3_600 * 1_000_000;

/// Most URLs a news sitemap may list, as Google News requires.
pub const NEWS_LIMIT: u64 = 1_000;

const SITEMAP_NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NAMESPACE: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// The path of the news sitemap; article pages are `/sitemaps/articles-N.xml` from 1.
pub const NEWS_PATH: &str = "/sitemaps/news.xml";

pub fn articles_path(page: u64) -> String {
    format!("/sitemaps/articles-{page}.xml")
}

/// A sitemap as served: its XML and the newest change it lists, if it lists any.
#[derive(Debug)]
pub struct Sitemap {
    pub xml: Vec<u8>,
    pub updated: Option<Timestamp>,
}

/// The index: every page of article URLs, then the news sitemap.
pub async fn index(db: &impl ConnectionTrait, site: &Site, now: i64) -> Result<Sitemap, AppError> {
    let pages = store::sitemap::count(db, now)
        .await?
        .div_ceil(URLS_PER_SITEMAP);
    let locations = (1..=pages)
        .map(articles_path)
        .chain([NEWS_PATH.to_owned()])
        .map(|path| site.url_of(&path));
    let xml = document("sitemapindex", &[("xmlns", SITEMAP_NAMESPACE)], |writer| {
        for location in locations {
            writer
                .create_element("sitemap")
                .write_inner_content(|writer| text(writer, "loc", &location))?;
        }
        Ok(())
    })
    .map_err(anyhow::Error::from)?;
    Ok(Sitemap { xml, updated: None })
}

/// Page `page` (from 1) of all public articles by id; none past the last page.
pub async fn articles(
    db: &impl ConnectionTrait,
    site: &Site,
    page: u64,
    now: i64,
) -> Result<Option<Sitemap>, AppError> {
    let Some(offset) = page
        .checked_sub(1)
        .and_then(|skipped| skipped.checked_mul(URLS_PER_SITEMAP))
    else {
        return Ok(None);
    };
    let listed = store::sitemap::by_id(db, offset, URLS_PER_SITEMAP, now).await?;
    if listed.is_empty() {
        return Ok(None);
    }
    let sections = section_slugs(db).await?;
    let xml = document("urlset", &[("xmlns", SITEMAP_NAMESPACE)], |writer| {
        for article in &listed {
            writer.create_element("url").write_inner_content(|writer| {
                text(writer, "loc", &link(site, &sections, article))?;
                text(writer, "lastmod", &changed(article).to_rfc3339())
            })?;
        }
        Ok(())
    })
    .map_err(anyhow::Error::from)?;
    Ok(Some(Sitemap {
        xml,
        updated: newest(&listed),
    }))
}

/// Public articles of the last 48 hours, newest first, with what Google News asks of each.
pub async fn news(db: &impl ConnectionTrait, site: &Site, now: i64) -> Result<Sitemap, AppError> {
    let since = now.saturating_sub(NEWS_WINDOW_MICROS);
    let listed = store::sitemap::published_since(db, since, NEWS_LIMIT, now).await?;
    let sections = section_slugs(db).await?;
    let namespaces = [("xmlns", SITEMAP_NAMESPACE), ("xmlns:news", NEWS_NAMESPACE)];
    let xml = document("urlset", &namespaces, |writer| {
        for article in &listed {
            let published = timestamp(article.published_at, article.published_offset);
            writer.create_element("url").write_inner_content(|writer| {
                text(writer, "loc", &link(site, &sections, article))?;
                writer
                    .create_element("news:news")
                    .write_inner_content(|writer| {
                        writer
                            .create_element("news:publication")
                            .write_inner_content(|writer| {
                                text(writer, "news:name", &site.name)?;
                                text(
                                    writer,
                                    "news:language",
                                    &article.language.to_ascii_lowercase(),
                                )
                            })?;
                        text(writer, "news:publication_date", &published.to_rfc3339())?;
                        text(writer, "news:title", &article.title)
                    })?;
                Ok(())
            })?;
        }
        Ok(())
    })
    .map_err(anyhow::Error::from)?;
    Ok(Sitemap {
        xml,
        updated: newest(&listed),
    })
}

async fn section_slugs(db: &impl ConnectionTrait) -> Result<HashMap<i64, String>, AppError> {
    Ok(
        store::catalog::all::<section::Entity>(db, section::Column::Slug)
            .await?
            .into_iter()
            .map(|section| (section.id, section.slug))
            .collect(),
    )
}

fn link(site: &Site, sections: &HashMap<i64, String>, article: &Listed) -> String {
    site.link(template::Article {
        id: article.id,
        slug: &article.slug,
        section: sections.get(&article.section_id).map_or("", String::as_str),
        published_at: article.published_at,
    })
}

fn changed(article: &Listed) -> Timestamp {
    modified(
        timestamp(article.published_at, article.published_offset),
        optional_timestamp(article.updated_at, article.updated_offset),
    )
}

fn newest(listed: &[Listed]) -> Option<Timestamp> {
    listed
        .iter()
        .map(changed)
        .max_by_key(|moment| moment.micros)
}

/// An XML document whose root element `root` carries `attributes` and holds what `body`
/// writes.
fn document(
    root: &str,
    attributes: &[(&str, &str)],
    body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    let mut writer = Writer::new(Vec::new());
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element(root)
        .with_attributes(attributes.iter().copied())
        .write_inner_content(body)?;
    Ok(writer.into_inner())
}

/// `<name>value</name>`, the value escaped.
fn text(writer: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}
