//! Topics: what articles are about.

use async_graphql::{Context, Object, Result};
use entity::topic;

use super::{
    catalogue,
    pagination::{self, ArticleConnection, PageArgs},
};
use crate::store::feed::Filter;

/// A subject articles are tagged with, e.g. «військова допомога».
#[derive(Debug)]
pub struct Topic(pub topic::Model);

#[Object]
impl Topic {
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The topic's published articles, newest first.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ArticleConnection> {
        let filter = Filter {
            topic: Some(self.0.slug.clone()),
            ..Filter::default()
        };
        pagination::articles(
            ctx,
            filter,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }
}

#[derive(Debug, Default)]
pub struct TopicQuery;

#[Object]
impl TopicQuery {
    /// A topic by slug; null when there is none.
    async fn topic(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Topic>> {
        catalogue::one::<topic::Entity, _>(ctx, topic::Column::Slug, &slug, Topic).await
    }

    /// All topics, by slug.
    #[graphql(complexity = "50 * child_complexity")]
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        catalogue::all::<topic::Entity, _>(ctx, topic::Column::Slug, Topic).await
    }
}
