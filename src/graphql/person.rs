//! People: who the news is about.

use async_graphql::{
    Context, ErrorExtensions, MergedObject, Object, Result,
    dataloader::{DataLoader, HashMapCache},
};
use entity::{country, person};

use super::{catalogue, country::Country, loaders::ByIdLoader, pagination::ArticlesOf};
use crate::store::feed::Filter;

/// A person in the news.
#[derive(Debug, MergedObject)]
pub struct Person(PersonFields, ArticlesOf);

impl From<person::Model> for Person {
    fn from(person: person::Model) -> Self {
        let filter = Filter {
            person: Some(person.slug.clone()),
            ..Filter::default()
        };
        Self(PersonFields(person), ArticlesOf(filter))
    }
}

#[derive(Debug)]
struct PersonFields(person::Model);

#[Object]
impl PersonFields {
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

    /// The country the person represents.
    async fn country(&self, ctx: &Context<'_>) -> Result<Option<Country>> {
        let Some(id) = self.0.country_id else {
            return Ok(None);
        };
        let country = ctx
            .data::<DataLoader<ByIdLoader<country::Entity>, HashMapCache>>()?
            .load_one(id)
            .await
            .map_err(|e| e.extend())?;
        Ok(country.map(Country::from))
    }
}

#[derive(Debug, Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// A person by slug; null when there is none.
    async fn person(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Person>> {
        catalogue::one::<person::Entity, _>(ctx, person::Column::Slug, &slug).await
    }

    /// All people, by slug.
    #[graphql(complexity = "50 * child_complexity")]
    async fn people(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        catalogue::all::<person::Entity, _>(ctx, person::Column::Slug).await
    }
}
