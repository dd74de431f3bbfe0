//! Countries that articles concern and people come from.

use async_graphql::{Context, MergedObject, Object, Result};
use entity::country;

use super::{catalogue, pagination::ArticlesOf};
use crate::store::feed::Filter;

/// A country, named in the site's language.
#[derive(Debug, MergedObject)]
pub struct Country(CountryFields, ArticlesOf);

impl From<country::Model> for Country {
    fn from(country: country::Model) -> Self {
        let filter = Filter {
            country: Some(country.code.clone()),
            ..Filter::default()
        };
        Self(CountryFields(country), ArticlesOf(filter))
    }
}

#[derive(Debug)]
struct CountryFields(country::Model);

#[Object]
impl CountryFields {
    /// ISO 3166-1 alpha-2 code, e.g. `UA`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn name(&self) -> &str {
        &self.0.name
    }
}

#[derive(Debug, Default)]
pub struct CountryQuery;

#[Object]
impl CountryQuery {
    /// A country by ISO code; null when there is none.
    async fn country(&self, ctx: &Context<'_>, code: String) -> Result<Option<Country>> {
        catalogue::one::<country::Entity, _>(ctx, country::Column::Code, &code).await
    }

    /// All countries, by code.
    #[graphql(complexity = "50 * child_complexity")]
    async fn countries(&self, ctx: &Context<'_>) -> Result<Vec<Country>> {
        catalogue::all::<country::Entity, _>(ctx, country::Column::Code).await
    }
}
