//! DataLoaders: every relation of a page is fetched with one query per batch, so a page of 100
//! articles costs the same few statements as a page of 10.

use std::{collections::HashMap, marker::PhantomData, sync::Arc};

use async_graphql::{
    Context, ErrorExtensions, Result,
    dataloader::{DataLoader, HashMapCache, Loader},
};
use entity::{
    article, article_body, article_country, article_person, article_topic, country, person,
    section, topic,
};
use sea_orm::{EntityTrait, Related};

use super::reader::Reader;
use crate::{error::AppError, store};

/// Loads, one batch per relation, what the query selects of a page of articles, so that
/// resolving the items one by one only reads the request's cache: the number of statements
/// does not depend on the page size, nor on how fast the items happen to resolve.
pub async fn prefetch(ctx: &Context<'_>, articles: &[article::Model]) -> Result<()> {
    prefetch_under(ctx, &[&["edges", "node"], &["nodes"]], articles).await
}

/// [`prefetch`] for articles the query selects at any of `paths` below the current field.
pub async fn prefetch_under(
    ctx: &Context<'_>,
    paths: &[&[&str]],
    articles: &[article::Model],
) -> Result<()> {
    let selections: Vec<_> = paths
        .iter()
        .map(|path| {
            path.iter()
                .fold(ctx.look_ahead(), |at, name| at.field(name))
        })
        .collect();
    let selects = |name: &str| selections.iter().any(|at| at.field(name).exists());
    let shows_body = BODY_FIELDS.iter().any(|&name| selects(name));
    let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let section_ids: Vec<i64> = articles.iter().map(|a| a.section_id).collect();
    tokio::try_join!(
        load::<ByIdLoader<article_body::Entity>>(ctx, shows_body, &ids),
        load::<ByIdLoader<section::Entity>>(ctx, selects("section"), &section_ids),
        load::<LinkedLoader<article_person::Entity, person::Entity>>(ctx, selects("people"), &ids),
        load::<LinkedLoader<article_country::Entity, country::Entity>>(
            ctx,
            selects("countries"),
            &ids
        ),
        load::<LinkedLoader<article_topic::Entity, topic::Entity>>(ctx, selects("topics"), &ids),
    )?;
    Ok(())
}

/// The fields of an article that read its body.
const BODY_FIELDS: &[&str] = &[
    "body",
    "bodyHtml",
    "bodyText",
    "wordCount",
    "readingMinutes",
];

async fn load<T: Loader<i64, Error = Arc<AppError>>>(
    ctx: &Context<'_>,
    wanted: bool,
    ids: &[i64],
) -> Result<()> {
    if wanted {
        ctx.data::<DataLoader<T, HashMapCache>>()?
            .load_many(ids.iter().copied())
            .await
            .map_err(|e| e.extend())?;
    }
    Ok(())
}

/// Rows of `E` by id.
#[derive(Debug)]
pub struct ByIdLoader<E: EntityTrait> {
    db: Reader,
    id: E::Column,
}

impl<E: EntityTrait> ByIdLoader<E> {
    pub fn new(db: Reader, id: E::Column) -> Self {
        Self { db, id }
    }
}

impl<E> Loader<i64> for ByIdLoader<E>
where
    E: EntityTrait,
    E::Model: Sync,
{
    type Value = E::Model;
    type Error = Arc<AppError>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, E::Model>, Self::Error> {
        store::catalog::find_by_ids::<E>(&self.db.executor(), self.id, ids)
            .await
            .map_err(|error| Arc::new(error.into()))
    }
}

/// The `T`s that link table `L` attaches to each article, in list order.
#[derive(Debug)]
pub struct LinkedLoader<L: EntityTrait, T> {
    db: Reader,
    article_id: L::Column,
    position: L::Column,
    target: PhantomData<fn() -> T>,
}

impl<L: EntityTrait, T> LinkedLoader<L, T> {
    pub fn new(db: Reader, article_id: L::Column, position: L::Column) -> Self {
        Self {
            db,
            article_id,
            position,
            target: PhantomData,
        }
    }
}

impl<L, T> Loader<i64> for LinkedLoader<L, T>
where
    L: EntityTrait + Related<T>,
    T: EntityTrait,
    T::Model: Sync,
{
    type Value = Vec<T::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<T::Model>>, Self::Error> {
        let rows = store::article::linked::<L, T>(
            &self.db.executor(),
            self.article_id,
            self.position,
            ids,
        )
        .await
        .map_err(|error| Arc::new(AppError::from(error)))?;
        // Every key gets an entry, empty lists included, so the request's cache remembers
        // that an article has none.
        let mut lists: HashMap<i64, Vec<T::Model>> =
            ids.iter().map(|&id| (id, Vec::new())).collect();
        for (article_id, target) in rows {
            lists.entry(article_id).or_default().push(target);
        }
        Ok(lists)
    }
}
