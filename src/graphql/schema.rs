//! Assembling the schema: the query root, its data and its limits.

use std::time::Duration;

use async_graphql::{
    MergedObject, Request, Schema,
    dataloader::{DataLoader, HashMapCache, Loader},
    extensions::apollo_persisted_queries::{ApolloPersistedQueries, LruCacheStorage},
};
use entity::{
    article_body, article_country, article_person, article_topic, country, person, section, topic,
};

use super::{
    admin::{AdminMutation, AdminQuery},
    article::{ArticleMutation, ArticleQuery},
    catalogue::CatalogueMutation,
    country::CountryQuery,
    day::DayQuery,
    editing::Writes,
    errors::ErrorCodes,
    guard::Guard,
    live::Subscription,
    loaders::{ByIdLoader, LinkedLoader},
    person::PersonQuery,
    reader::Reader,
    search::SearchQuery,
    section::SectionQuery,
    sync::SyncQuery,
    topic::TopicQuery,
};
use crate::{
    access::Caller,
    config::{QueryLimits, SiteConfig},
    live::Live,
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
    SyncQuery,
    SearchQuery,
    AdminQuery,
);

/// Every mutation needs an API key: see `access`.
#[derive(Debug, Default, MergedObject)]
pub struct Mutation(ArticleMutation, CatalogueMutation, AdminMutation);

pub type VistkaSchema = Schema<Query, Mutation, Subscription>;

/// The schema without data: enough to print the SDL.
pub fn build_bare() -> VistkaSchema {
    Schema::build(Query::default(), Mutation::default(), Subscription).finish()
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

/// The serving schema: the site's settings, the related-articles index, live announcements,
/// and limits that keep a
/// small query from asking for unbounded work (async-graphql sets none by default). Extensions
/// run in order: error codes around everything, then the guard, before anything parses, then
/// persisted queries.
pub fn build(options: Options, related: SharedIndex, live: Live) -> VistkaSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), Subscription)
        .data(options.site)
        .data(related)
        .data(live)
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

/// Gives a request its caller, where its writes go, its reads, and one DataLoader per relation
/// reading through them. The loaders' cache lives as long as the request: a page's relations
/// are fetched once, and nothing stale outlives the request.
pub fn for_request(request: Request, caller: Caller, writes: Writes, db: Reader) -> Request {
    request
        .data(caller)
        .data(writes)
        .data(loader(ByIdLoader::<article_body::Entity>::new(
            db.clone(),
            article_body::Column::ArticleId,
        )))
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
