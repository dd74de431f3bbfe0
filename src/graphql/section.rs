//! Sections: the rubrics of the site.

use async_graphql::{Context, Object, Result};
use entity::section;

use super::{
    catalogue,
    pagination::{self, ArticleConnection, PageArgs},
};
use crate::store::feed::Filter;

/// A rubric of the site, e.g. «Новини».
#[derive(Debug)]
pub struct Section(pub section::Model);

#[Object]
impl Section {
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The section's published articles, newest first.
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
            section: Some(self.0.slug.clone()),
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
pub struct SectionQuery;

#[Object]
impl SectionQuery {
    /// A section by slug; null when there is none.
    async fn section(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Section>> {
        catalogue::one::<section::Entity, _>(ctx, section::Column::Slug, &slug, Section).await
    }

    /// All sections, by slug.
    #[graphql(complexity = "50 * child_complexity")]
    async fn sections(&self, ctx: &Context<'_>) -> Result<Vec<Section>> {
        catalogue::all::<section::Entity, _>(ctx, section::Column::Slug, Section).await
    }
}
