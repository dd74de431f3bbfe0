//! Export: all content, drafts included, as the interchange format, sorted by kind and then
//! natural key so that two exports of the same content are byte-equal.

use std::{collections::HashMap, io::Write};

use entity::{
    article, article_country, article_person, article_related, article_topic, country, person,
    section, topic,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, RelationDef, RelationTrait};

use super::{
    Counts,
    line::{self, Line},
};
use crate::{
    store::{self, catalog, content},
    timestamp::Timestamp,
};

/// Articles read and written per round trip to the database.
const ARTICLES_PER_READ: usize = 1_000;

/// Writes everything as one consistent snapshot: the reads share a transaction.
pub async fn export(db: &DatabaseConnection, out: &mut impl Write) -> anyhow::Result<Counts> {
    let txn = store::snapshot::begin(db).await?;
    let mut counts = Counts::default();
    let mut emit = |line: Line, out: &mut dyn Write| -> anyhow::Result<()> {
        counts.count(line.key().0);
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
        Ok(())
    };

    let sections = catalog::all::<section::Entity>(&txn, section::Column::Slug).await?;
    let section_slugs: HashMap<i64, String> =
        sections.iter().map(|s| (s.id, s.slug.clone())).collect();
    for s in sections {
        emit(
            Line::Section(line::Section {
                slug: s.slug,
                name: s.name,
            }),
            out,
        )?;
    }
    let countries = catalog::all::<country::Entity>(&txn, country::Column::Code).await?;
    let country_codes: HashMap<i64, String> =
        countries.iter().map(|c| (c.id, c.code.clone())).collect();
    for c in countries {
        emit(
            Line::Country(line::Country {
                code: c.code,
                name: c.name,
            }),
            out,
        )?;
    }
    for p in catalog::all::<person::Entity>(&txn, person::Column::Slug).await? {
        emit(
            Line::Person(line::Person {
                slug: p.slug,
                name: p.name,
                role: p.role,
                country: p.country_id.and_then(|id| country_codes.get(&id).cloned()),
            }),
            out,
        )?;
    }
    for t in catalog::all::<topic::Entity>(&txn, topic::Column::Slug).await? {
        emit(
            Line::Topic(line::Topic {
                slug: t.slug,
                name: t.name,
                description: t.description,
            }),
            out,
        )?;
    }

    let slugs = content::article_slugs(&txn).await?;
    for chunk in slugs.chunks(ARTICLES_PER_READ) {
        let ids: Vec<i64> = chunk.iter().map(|(_, id)| *id).collect();
        let mut found =
            catalog::find_by_ids::<article::Entity>(&txn, article::Column::Id, &ids).await?;
        let articles = ids.iter().filter_map(|id| found.remove(id)).collect();
        for article in article_lines(&txn, &section_slugs, articles).await? {
            emit(Line::Article(article), out)?;
        }
    }
    out.flush()?;
    txn.commit().await?;
    Ok(counts)
}

/// The interchange form of `articles`, in their order, with their lists resolved to keys.
pub async fn article_lines(
    db: &impl ConnectionTrait,
    section_slugs: &HashMap<i64, String>,
    articles: Vec<article::Model>,
) -> anyhow::Result<Vec<line::Article>> {
    let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let mut bodies = store::article::bodies(db, &ids).await?;
    let mut people = keys_by_article::<article_person::Entity>(
        db,
        (
            article_person::Column::ArticleId,
            article_person::Column::Position,
        ),
        article_person::Relation::Person.def(),
        person::Column::Slug,
        &ids,
    )
    .await?;
    let mut countries = keys_by_article::<article_country::Entity>(
        db,
        (
            article_country::Column::ArticleId,
            article_country::Column::Position,
        ),
        article_country::Relation::Country.def(),
        country::Column::Code,
        &ids,
    )
    .await?;
    let mut topics = keys_by_article::<article_topic::Entity>(
        db,
        (
            article_topic::Column::ArticleId,
            article_topic::Column::Position,
        ),
        article_topic::Relation::Topic.def(),
        topic::Column::Slug,
        &ids,
    )
    .await?;
    let mut related = keys_by_article::<article_related::Entity>(
        db,
        (
            article_related::Column::ArticleId,
            article_related::Column::Position,
        ),
        article_related::Relation::Related.def(),
        article::Column::Slug,
        &ids,
    )
    .await?;
    Ok(articles
        .into_iter()
        .map(|a| line::Article {
            people: people.remove(&a.id).unwrap_or_default(),
            countries: countries.remove(&a.id).unwrap_or_default(),
            topics: topics.remove(&a.id).unwrap_or_default(),
            related: related.remove(&a.id).unwrap_or_default(),
            slug: a.slug,
            title: a.title,
            lead: a.lead,
            body: bodies.remove(&a.id).unwrap_or_default(),
            published_at: Timestamp {
                micros: a.published_at,
                offset: a.published_offset,
            },
            updated_at: a
                .updated_at
                .zip(a.updated_offset)
                .map(|(micros, offset)| Timestamp { micros, offset }),
            status: a.status,
            section: section_slugs
                .get(&a.section_id)
                .cloned()
                .unwrap_or_default(),
            language: a.language,
        })
        .collect())
}

/// Each article's list of linked keys, in list order.
async fn keys_by_article<L: EntityTrait>(
    db: &impl ConnectionTrait,
    (article_id, position): (L::Column, L::Column),
    target: RelationDef,
    key: impl sea_orm::ColumnTrait,
    ids: &[i64],
) -> anyhow::Result<HashMap<i64, Vec<String>>> {
    let mut lists: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, key) in
        store::article::linked_keys::<L, _>(db, article_id, position, target, key, ids).await?
    {
        lists.entry(id).or_default().push(key);
    }
    Ok(lists)
}
