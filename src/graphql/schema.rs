//! Assembling the schema: the query root, its data and its limits.

use std::time::Duration;

use async_graphql::{
    EmptyMutation, EmptySubscription, MergedObject, Request, Schema,
    dataloader::{DataLoader, HashMapCache, Loader},
    extensions::apollo_persisted_queries::{ApolloPersistedQueries, LruCacheStorage},
};
use entity::{article_country, article_person, article_topic, country, person, section, topic};

use super::{
    article::ArticleQuery,
    country::CountryQuery,
    day::DayQuery,
    errors::ErrorCodes,
    guard::Guard,
    loaders::{ByIdLoader, LinkedLoader},
    person::PersonQuery,
    reader::Reader,
    search::SearchQuery,
    section::SectionQuery,
    topic::TopicQuery,
};
use crate::{
    config::{QueryLimits, SiteConfig},
    related::SharedIndex,
};

#[derive(Debug, Default, MergedObject)]
pub struct Query(
    ArticleQuery,
    DayQuery,
    PersonQuery,
    TopicQuery,
    CountryQuery,
    SectionQuery,
    SearchQuery,
);

pub type VistkaSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The schema without data: enough to print the SDL.
pub fn build_bare() -> VistkaSchema {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription).finish()
}

pub fn sdl() -> String {
    build_bare().sdl()
}

/// How the serving schema behaves beyond its types.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub limits: QueryLimits,
    pub introspection: bool,
    pub site: SiteConfig,
}

/// Queries kept for Automatic Persisted Queries: the most recently used stay.
const PERSISTED_QUERIES: usize = 1_000;

/// The serving schema: the site's settings, the related-articles index, and limits that keep a
/// small query from asking for unbounded work (async-graphql sets none by default). Extensions
/// run in order: error codes around everything, then the guard, before anything parses, then
/// persisted queries.
pub fn build(options: Options, related: SharedIndex) -> VistkaSchema {
    let mut builder = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(options.site)
        .data(related)
        .limit_depth(options.limits.max_depth)
        .limit_complexity(options.limits.max_complexity)
        .extension(ErrorCodes)
        .extension(Guard::new(options.limits))
        .extension(ApolloPersistedQueries::new(LruCacheStorage::new(
            PERSISTED_QUERIES,
        )));
    if !options.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// Gives a request its read transaction and one DataLoader per relation reading through it.
/// The loaders' cache lives as long as the request: a page's relations are fetched once, and
/// nothing stale outlives the request.
pub fn for_request(request: Request, db: Reader) -> Request {
    request
        .data(loader(ByIdLoader::<section::Entity>::new(
            db.clone(),
            section::Column::Id,
        )))
        .data(loader(ByIdLoader::<country::Entity>::new(
            db.clone(),
            country::Column::Id,
        )))
        .data(loader(
            LinkedLoader::<article_person::Entity, person::Entity>::new(
                db.clone(),
                article_person::Column::ArticleId,
                article_person::Column::Position,
            ),
        ))
        .data(loader(LinkedLoader::<
            article_country::Entity,
            country::Entity,
        >::new(
            db.clone(),
            article_country::Column::ArticleId,
            article_country::Column::Position,
        )))
        .data(loader(
            LinkedLoader::<article_topic::Entity, topic::Entity>::new(
                db.clone(),
                article_topic::Column::ArticleId,
                article_topic::Column::Position,
            ),
        ))
        .data(db)
}

/// No batching delay: a page's relations are requested all at once by the connection's
/// prefetch, so waiting for more keys would only hold the request's connection longer.
fn loader<T: Loader<i64>>(loader: T) -> DataLoader<T, HashMapCache> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default()).delay(Duration::ZERO)
}
