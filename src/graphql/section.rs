//! Sections: the rubrics of the site.

use async_graphql::{Context, MergedObject, Object, Result};
use entity::section;

use super::{catalogue, pagination::ArticlesOf};
use crate::store::feed::Filter;

/// A rubric of the site, e.g. «Новини».
#[derive(Debug, MergedObject)]
pub struct Section(SectionFields, ArticlesOf);

impl From<section::Model> for Section {
    fn from(section: section::Model) -> Self {
        let filter = Filter {
            section: Some(section.slug.clone()),
            ..Filter::default()
        };
        Self(SectionFields(section), ArticlesOf(filter))
    }
}

#[derive(Debug)]
struct SectionFields(section::Model);

#[Object]
impl SectionFields {
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }
}

#[derive(Debug, Default)]
pub struct SectionQuery;

#[Object]
impl SectionQuery {
    /// A section by slug; null when there is none.
    async fn section(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Section>> {
        catalogue::one::<section::Entity, _>(ctx, section::Column::Slug, &slug).await
    }

    /// All sections, by slug.
    #[graphql(complexity = "50 * child_complexity")]
    async fn sections(&self, ctx: &Context<'_>) -> Result<Vec<Section>> {
        catalogue::all::<section::Entity, _>(ctx, section::Column::Slug).await
    }
}
