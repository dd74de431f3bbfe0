//! Writing sections, countries, people and topics. Every mutation here needs a key with the
//! `editor` or `admin` role; input is checked as an import line is, with the same messages.

use async_graphql::{
    Context, ErrorExtensions, InputObject, MaybeUndefined, Object, Result, ResultExt,
};
use entity::{country, person, section, topic};
use sea_orm::EntityTrait;
use serde::Serialize;

use crate::{
    access::Role,
    editing,
    error::AppError,
    graphql::{country::Country, editing as gql, person::Person, section::Section, topic::Topic},
    transfer::line::Kind,
};

/// A new section.
#[derive(Debug, InputObject, Serialize)]
pub struct SectionInput {
    pub slug: String,
    pub name: String,
}

/// Changes to a section; absent fields stay as they are.
#[derive(Debug, InputObject, Serialize)]
pub struct UpdateSectionInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A new country.
#[derive(Debug, InputObject, Serialize)]
pub struct CountryInput {
    /// ISO 3166-1 alpha-2, upper case.
    pub code: String,
    pub name: String,
}

/// Changes to a country; absent fields stay as they are.
#[derive(Debug, InputObject, Serialize)]
pub struct UpdateCountryInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A new person.
#[derive(Debug, InputObject, Serialize)]
pub struct PersonInput {
    pub slug: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Changes to a person; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, InputObject, Serialize)]
pub struct UpdatePersonInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub role: MaybeUndefined<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub country: MaybeUndefined<String>,
}

/// A new topic.
#[derive(Debug, InputObject, Serialize)]
pub struct TopicInput {
    pub slug: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Changes to a topic; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, InputObject, Serialize)]
pub struct UpdateTopicInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub description: MaybeUndefined<String>,
}

#[derive(Debug, Default)]
pub struct CatalogueMutation;

/// Deleting what articles (or, for a country, people) still name is refused with `CONFLICT`.
#[Object]
impl CatalogueMutation {
    async fn create_section(&self, ctx: &Context<'_>, input: SectionInput) -> Result<Section> {
        create::<section::Entity, _>(ctx, Kind::Section, &input, section::Column::Slug).await
    }

    /// Renaming a section's slug keeps its articles in it.
    async fn update_section(
        &self,
        ctx: &Context<'_>,
        slug: String,
        input: UpdateSectionInput,
    ) -> Result<Section> {
        update::<section::Entity, _>(ctx, (Kind::Section, &slug), &input, section::Column::Slug)
            .await
    }

    async fn delete_section(&self, ctx: &Context<'_>, slug: String) -> Result<String> {
        gql::delete(ctx, Kind::Section, &slug).await
    }

    async fn create_country(&self, ctx: &Context<'_>, input: CountryInput) -> Result<Country> {
        create::<country::Entity, _>(ctx, Kind::Country, &input, country::Column::Code).await
    }

    async fn update_country(
        &self,
        ctx: &Context<'_>,
        code: String,
        input: UpdateCountryInput,
    ) -> Result<Country> {
        update::<country::Entity, _>(ctx, (Kind::Country, &code), &input, country::Column::Code)
            .await
    }

    async fn delete_country(&self, ctx: &Context<'_>, code: String) -> Result<String> {
        gql::delete(ctx, Kind::Country, &code).await
    }

    async fn create_person(&self, ctx: &Context<'_>, input: PersonInput) -> Result<Person> {
        create::<person::Entity, _>(ctx, Kind::Person, &input, person::Column::Slug).await
    }

    async fn update_person(
        &self,
        ctx: &Context<'_>,
        slug: String,
        input: UpdatePersonInput,
    ) -> Result<Person> {
        update::<person::Entity, _>(ctx, (Kind::Person, &slug), &input, person::Column::Slug).await
    }

    async fn delete_person(&self, ctx: &Context<'_>, slug: String) -> Result<String> {
        gql::delete(ctx, Kind::Person, &slug).await
    }

    async fn create_topic(&self, ctx: &Context<'_>, input: TopicInput) -> Result<Topic> {
        create::<topic::Entity, _>(ctx, Kind::Topic, &input, topic::Column::Slug).await
    }

    async fn update_topic(
        &self,
        ctx: &Context<'_>,
        slug: String,
        input: UpdateTopicInput,
    ) -> Result<Topic> {
        update::<topic::Entity, _>(ctx, (Kind::Topic, &slug), &input, topic::Column::Slug).await
    }

    async fn delete_topic(&self, ctx: &Context<'_>, slug: String) -> Result<String> {
        gql::delete(ctx, Kind::Topic, &slug).await
    }
}

async fn create<E: EntityTrait, O: From<E::Model>>(
    ctx: &Context<'_>,
    kind: Kind,
    input: &impl Serialize,
    key: E::Column,
) -> Result<O> {
    let writes = gql::writes(ctx, Role::Editor)?;
    let saved = editing::create(&writes.db, kind, gql::fields(input)?, gql::now(ctx)?)
        .await
        .extend()?;
    stored::<E, O>(ctx, &saved, key).await
}

async fn update<E: EntityTrait, O: From<E::Model>>(
    ctx: &Context<'_>,
    (kind, current): (Kind, &str),
    input: &impl Serialize,
    key: E::Column,
) -> Result<O> {
    let writes = gql::writes(ctx, Role::Editor)?;
    let fields = gql::fields(input)?;
    let saved = editing::update(&writes.db, kind, current, gql::now(ctx)?, |_| Ok(fields))
        .await
        .extend()?;
    stored::<E, O>(ctx, &saved, key).await
}

/// What a write saved, read back once this server's reads show it.
async fn stored<E: EntityTrait, O: From<E::Model>>(
    ctx: &Context<'_>,
    saved: &editing::Saved,
    key: E::Column,
) -> Result<O> {
    ctx.data::<gql::Writes>()?.settle(saved).await;
    super::one::<E, O>(ctx, key, &saved.key)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("nothing under {:?}", saved.key)).extend())
}
