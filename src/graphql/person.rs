//! People: who the news is about.

use async_graphql::{
    Context, ErrorExtensions, Object, Result,
    dataloader::{DataLoader, HashMapCache},
};
use entity::{country, person};

use super::{
    catalogue,
    country::Country,
    loaders::ByIdLoader,
    pagination::{self, ArticleConnection, PageArgs},
};
use crate::store::feed::Filter;

/// A person in the news.
#[derive(Debug)]
pub struct Person(pub person::Model);

#[Object]
impl Person {
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the person is, e.g. «міністр оборони».
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }

    async fn country(&self, ctx: &Context<'_>) -> Result<Option<Country>> {
        let Some(id) = self.0.country_id else {
            return Ok(None);
        };
        let country = ctx
            .data::<DataLoader<ByIdLoader<country::Entity>, HashMapCache>>()?
            .load_one(id)
            .await
            .map_err(|e| e.extend())?;
        Ok(country.map(Country))
    }

    /// Published articles about the person, newest first.
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
            person: Some(self.0.slug.clone()),
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
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// A person by slug; null when there is none.
    async fn person(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Person>> {
        catalogue::one::<person::Entity, _>(ctx, person::Column::Slug, &slug, Person).await
    }

    /// All people, by slug.
    #[graphql(complexity = "50 * child_complexity")]
    async fn people(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        catalogue::all::<person::Entity, _>(ctx, person::Column::Slug, Person).await
    }
}
