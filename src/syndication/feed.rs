//! What a feed holds: the newest public articles of the site, or of one section, topic,
//! person or country, read in one snapshot, with sections and topics loaded in one batch each.

use std::collections::HashMap;

use entity::{article, article_topic, country, person, section, topic};
use sea_orm::{ConnectionTrait, DbErr};

use super::{Format, Site, atom, json, modified, optional_timestamp, rss, template, timestamp};
use crate::{
    body,
    error::AppError,
    store::{
        self,
        feed::{Direction, Filter, Window},
    },
    timestamp::Timestamp,
};

/// What a per-kind feed follows; its key is a slug, or a country code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Section,
    Topic,
    Person,
    Country,
}

impl Kind {
    /// The kind named by the first segment of a feed's path.
    pub fn from_segment(segment: &str) -> Option<Self> {
        match segment {
            "section" => Some(Self::Section),
            "topic" => Some(Self::Topic),
            "person" => Some(Self::Person),
            "country" => Some(Self::Country),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Feed {
    pub title: String,
    pub description: String,
    /// Newest first.
    pub items: Vec<Item>,
    /// The newest change among the items; none for an empty feed.
    pub updated: Option<Timestamp>,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub link: String,
    pub title: String,
    pub lead: Option<String>,
    /// The body rendered and sanitized.
    pub html: String,
    pub published: Timestamp,
    pub updated: Timestamp,
    pub language: String,
    pub topics: Vec<Category>,
}

#[derive(Clone, Debug)]
pub struct Category {
    pub slug: String,
    pub name: String,
}

/// The site's feed (`scope` none) or a section's, topic's, person's or country's; none when
/// nothing has that key. Country codes are matched in any case.
pub async fn load(
    db: &impl ConnectionTrait,
    site: &Site,
    scope: Option<(Kind, &str)>,
    now: i64,
) -> Result<Option<Feed>, DbErr> {
    let Some((filter, title, description)) = scope_of(db, site, scope).await? else {
        return Ok(None);
    };
    let window = Window {
        direction: Direction::Forward,
        limit: site.feed_size,
        after: None,
        before: None,
        look_behind: false,
    };
    let articles = store::feed::page(db, &filter, window, now).await?.articles;
    let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let mut bodies = store::article::bodies(db, &ids).await?;
    let section_ids: Vec<i64> = articles.iter().map(|a| a.section_id).collect();
    let sections =
        store::catalog::find_by_ids::<section::Entity>(db, section::Column::Id, &section_ids)
            .await?;
    let mut topics: HashMap<i64, Vec<Category>> = HashMap::new();
    for (article_id, topic) in store::article::linked::<article_topic::Entity, topic::Entity>(
        db,
        article_topic::Column::ArticleId,
        article_topic::Column::Position,
        &ids,
    )
    .await?
    {
        topics.entry(article_id).or_default().push(Category {
            slug: topic.slug,
            name: topic.name,
        });
    }
    let items: Vec<Item> = articles
        .into_iter()
        .map(|article| {
            let section = sections
                .get(&article.section_id)
                .map_or("", |section| section.slug.as_str());
            let categories = topics.remove(&article.id).unwrap_or_default();
            let body = bodies.remove(&article.id).unwrap_or_default();
            item(site, (article, &body), section, categories)
        })
        .collect();
    let updated = items
        .iter()
        .map(|item| item.updated)
        .max_by_key(|moment| moment.micros);
    Ok(Some(Feed {
        title,
        description,
        items,
        updated,
    }))
}

impl Feed {
    /// The feed in `format`; `self_url` is where it is served.
    pub fn render(&self, site: &Site, format: Format, self_url: &str) -> Result<Vec<u8>, AppError> {
        let rendered = match format {
            Format::Rss => rss::render(site, self, self_url).map_err(anyhow::Error::from),
            Format::Atom => atom::render(site, self, self_url).map_err(anyhow::Error::from),
            Format::Json => json::render(site, self, self_url).map_err(anyhow::Error::from),
        };
        Ok(rendered?)
    }
}

/// The filter, title and description of a feed's scope; none when its key names nothing.
async fn scope_of(
    db: &impl ConnectionTrait,
    site: &Site,
    scope: Option<(Kind, &str)>,
) -> Result<Option<(Filter, String, String)>, DbErr> {
    use store::catalog::find_by_key;
    let Some((kind, key)) = scope else {
        return Ok(Some((
            Filter::default(),
            site.name.clone(),
            site.name.clone(),
        )));
    };
    let found = match kind {
        Kind::Section => find_by_key::<section::Entity>(db, section::Column::Slug, key)
            .await?
            .map(|s| {
                let filter = Filter {
                    section: Some(s.slug),
                    ..Filter::default()
                };
                (filter, s.name.clone(), s.name)
            }),
        Kind::Topic => find_by_key::<topic::Entity>(db, topic::Column::Slug, key)
            .await?
            .map(|t| {
                let description = t.description.unwrap_or_else(|| t.name.clone());
                let filter = Filter {
                    topic: Some(t.slug),
                    ..Filter::default()
                };
                (filter, t.name, description)
            }),
        Kind::Person => find_by_key::<person::Entity>(db, person::Column::Slug, key)
            .await?
            .map(|p| {
                let description = match p.role {
                    Some(role) => format!("{}, {role}", p.name),
                    None => p.name.clone(),
                };
                let filter = Filter {
                    person: Some(p.slug),
                    ..Filter::default()
                };
                (filter, p.name, description)
            }),
        Kind::Country => {
            find_by_key::<country::Entity>(db, country::Column::Code, &key.to_ascii_uppercase())
                .await?
                .map(|c| {
                    let filter = Filter {
                        country: Some(c.code),
                        ..Filter::default()
                    };
                    (filter, c.name.clone(), c.name)
                })
        }
    };
    Ok(found.map(|(filter, name, description)| {
        (filter, format!("{name} — {}", site.name), description)
    }))
}

fn item(
    site: &Site,
    (article, body): (article::Model, &str),
    section: &str,
    topics: Vec<Category>,
) -> Item {
    let link = site.link(template::Article {
        id: article.id,
        slug: &article.slug,
        section,
        published_at: article.published_at,
    });
    let published = timestamp(article.published_at, article.published_offset);
    let updated = modified(
        published,
        optional_timestamp(article.updated_at, article.updated_offset),
    );
    Item {
        link,
        html: body::to_html(body),
        title: article.title,
        lead: article.lead,
        published,
        updated,
        language: article.language,
        topics,
    }
}
