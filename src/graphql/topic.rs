//! Topics: what articles are about.

use async_graphql::{Context, MergedObject, Object, Result};
use entity::topic;

use super::{catalogue, pagination::ArticlesOf};
use crate::store::feed::Filter;

/// A subject articles are tagged with, e.g. «військова допомога».
#[derive(Debug, MergedObject)]
pub struct Topic(TopicFields, ArticlesOf);

impl From<topic::Model> for Topic {
    fn from(topic: topic::Model) -> Self {
        let filter = Filter {
            topic: Some(topic.slug.clone()),
            ..Filter::default()
        };
        Self(TopicFields(topic), ArticlesOf(filter))
    }
}

#[derive(Debug)]
struct TopicFields(topic::Model);

#[Object]
impl TopicFields {
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
}

#[derive(Debug, Default)]
pub struct TopicQuery;

#[Object]
impl TopicQuery {
    /// A topic by slug; null when there is none.
    async fn topic(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Topic>> {
        catalogue::one::<topic::Entity, _>(ctx, topic::Column::Slug, &slug).await
    }

    /// All topics, by slug.
    #[graphql(complexity = "50 * child_complexity")]
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        catalogue::all::<topic::Entity, _>(ctx, topic::Column::Slug).await
    }
}
