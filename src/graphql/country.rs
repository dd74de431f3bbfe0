//! Countries that articles concern and people come from.

use async_graphql::{Context, Object, Result};
use entity::country;

use super::{
    catalogue,
    pagination::{self, ArticleConnection, PageArgs},
};
use crate::store::feed::Filter;

/// A country, named in the site's language.
#[derive(Debug)]
pub struct Country(pub country::Model);

#[Object]
impl Country {
    /// ISO 3166-1 alpha-2 code, e.g. `UA`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Published articles concerning the country, newest first.
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
            country: Some(self.0.code.clone()),
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
pub struct CountryQuery;

#[Object]
impl CountryQuery {
    /// A country by ISO code; null when there is none.
    async fn country(&self, ctx: &Context<'_>, code: String) -> Result<Option<Country>> {
        catalogue::one::<country::Entity, _>(ctx, country::Column::Code, &code, Country).await
    }

    /// All countries, by code.
    #[graphql(complexity = "50 * child_complexity")]
    async fn countries(&self, ctx: &Context<'_>) -> Result<Vec<Country>> {
        catalogue::all::<country::Entity, _>(ctx, country::Column::Code, Country).await
    }
}
