//! Articles: the feed, single articles, and what an article links to.

mod mutation;

use async_graphql::{
    Context, ErrorExtensions, InputObject, Object, Result,
    dataloader::{DataLoader, HashMapCache},
};
use chrono::{DateTime, FixedOffset};
use entity::{
    article, article_body, article_country, article_person, article_topic, country, person,
    section, topic,
};

use super::{
    country::Country,
    day::Date,
    editing,
    loaders::{ByIdLoader, LinkedLoader},
    pagination::{self, ArticleConnection, PageArgs},
    person::Person,
    reader::Reader,
    section::Section,
    topic::Topic,
};
use crate::{
    access::Role, body, calendar, config::SiteConfig, error::AppError, related::SharedIndex, store,
    store::feed::Filter, timestamp::Timestamp,
};

pub use mutation::{ArticleMutation, ArticleStatus};

#[derive(Debug)]
pub struct Article(pub article::Model);

impl Article {
    /// The body, read when a field shows it: through the request's loader, which a page of
    /// articles fills in one statement (see `loaders::prefetch`).
    async fn text(&self, ctx: &Context<'_>) -> Result<String> {
        ctx.data::<DataLoader<ByIdLoader<article_body::Entity>, HashMapCache>>()?
            .load_one(self.0.id)
            .await
            .map_err(|e| e.extend())?
            .map(|row| row.body)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("article {} has no body", self.0.id)).extend()
            })
    }
}

/// A published news article.
#[Object]
impl Article {
    /// The article's unique slug, as used in its URL. An article asked for by a slug it had
    /// before a rename answers with its current one: redirect when they differ.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// `PUBLISHED` for every article readers see; previews may show `DRAFT`.
    async fn status(&self) -> ArticleStatus {
        self.0.status.into()
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The standfirst shown under the title and in feeds.
    async fn lead(&self) -> Option<&str> {
        self.0.lead.as_deref()
    }

    /// The body as stored: Markdown.
    async fn body(&self, ctx: &Context<'_>) -> Result<String> {
        self.text(ctx).await
    }

    /// When the article was published, with the offset it was written with.
    async fn published_at(&self) -> DateTime<FixedOffset> {
        Timestamp {
            micros: self.0.published_at,
            offset: self.0.published_offset,
        }
        .to_datetime()
    }

    /// When the article was last updated, if it was.
    async fn updated_at(&self) -> Option<DateTime<FixedOffset>> {
        let micros = self.0.updated_at?;
        let offset = self.0.updated_offset.unwrap_or(0);
        Some(Timestamp { micros, offset }.to_datetime())
    }

    /// The publication date in the site's time zone: the day the sidebar groups it under.
    async fn published_date(&self, ctx: &Context<'_>) -> Result<Date> {
        let zone = ctx.data::<SiteConfig>()?.time_zone;
        Ok(Date(calendar::local_date(self.0.published_at, zone)))
    }

    /// The body rendered to HTML and sanitized: paragraphs, quotations, emphasis and links
    /// are kept; scripts, event handlers and `javascript:` links are not.
    async fn body_html(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(body::to_html(&self.text(ctx).await?))
    }

    /// The body as plain text, blocks separated by a blank line.
    async fn body_text(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(body::to_text(&self.text(ctx).await?))
    }

    /// Words in the body.
    async fn word_count(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(clamp(body::word_count(&body::to_text(
            &self.text(ctx).await?,
        ))))
    }

    /// Minutes to read the body, at 200 words a minute, rounded up.
    async fn reading_minutes(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(clamp(body::reading_minutes(body::word_count(
            &body::to_text(&self.text(ctx).await?),
        ))))
    }

    /// «Читайте також»: the editor's picks in their order, then other published articles by
    /// how much they share with this one (3 points per person, 2 per topic, 1 per country by
    /// default; configurable), newest first among equals. Never this article, never a draft.
    #[graphql(complexity = "first.clamp(0, MAX_RELATED) as usize * child_complexity")]
    async fn related(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 5, desc = "How many (0 to 20).")] first: i32,
    ) -> Result<Vec<Article>> {
        let count = usize::try_from(first)
            .ok()
            .filter(|&count| count <= MAX_RELATED as usize)
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "first: must be between 0 and {MAX_RELATED}, got {first}"
                ))
                .extend()
            })?;
        let weights = ctx.data::<SiteConfig>()?.related;
        let now = chrono::Utc::now().timestamp_micros();
        let db = Reader::of(ctx)?;
        let features = store::related::features(&db, self.0.id)
            .await
            .map_err(|e| AppError::from(e).extend())?;
        let ids = ctx
            .data::<SharedIndex>()?
            .borrow()
            .related(self.0.id, &features, count, weights, now);
        // The index may trail the database by a moment: only what is public now is returned.
        let found = store::article::find_public_by_ids(&db, &ids, now)
            .await
            .map_err(|e| AppError::from(e).extend())?;
        Ok(found.into_iter().map(Article).collect())
    }

    /// BCP 47 language tag, e.g. `uk`.
    async fn language(&self) -> &str {
        &self.0.language
    }

    async fn section(&self, ctx: &Context<'_>) -> Result<Section> {
        ctx.data::<DataLoader<ByIdLoader<section::Entity>, HashMapCache>>()?
            .load_one(self.0.section_id)
            .await
            .map_err(|e| e.extend())?
            .map(Section::from)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("article {} has no section", self.0.id)).extend()
            })
    }

    /// The people the article is about, in the editor's order.
    #[graphql(complexity = "10 * child_complexity")]
    async fn people(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let people = linked::<article_person::Entity, person::Entity>(ctx, self.0.id).await?;
        Ok(people.into_iter().map(Person::from).collect())
    }

    /// The countries the article concerns, in the editor's order.
    #[graphql(complexity = "10 * child_complexity")]
    async fn countries(&self, ctx: &Context<'_>) -> Result<Vec<Country>> {
        let countries = linked::<article_country::Entity, country::Entity>(ctx, self.0.id).await?;
        Ok(countries.into_iter().map(Country::from).collect())
    }

    /// The article's topics, in the editor's order.
    #[graphql(complexity = "10 * child_complexity")]
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        let topics = linked::<article_topic::Entity, topic::Entity>(ctx, self.0.id).await?;
        Ok(topics.into_iter().map(Topic::from).collect())
    }
}

/// Most related articles one request may ask for.
pub const MAX_RELATED: i32 = 20;

fn clamp(count: usize) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

async fn linked<L, T>(ctx: &Context<'_>, article_id: i64) -> Result<Vec<T::Model>>
where
    L: sea_orm::EntityTrait + sea_orm::Related<T>,
    T: sea_orm::EntityTrait,
    T::Model: Sync,
{
    Ok(ctx
        .data::<DataLoader<LinkedLoader<L, T>, HashMapCache>>()?
        .load_one(article_id)
        .await
        .map_err(|e| e.extend())?
        .unwrap_or_default())
}

/// Narrows a listing of articles; every given field must match.
#[derive(Debug, Default, InputObject)]
pub struct ArticleFilter {
    /// Section slug.
    pub section: Option<String>,
    /// Topic slug.
    pub topic: Option<String>,
    /// Person slug.
    pub person: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// BCP 47 language tag.
    pub language: Option<String>,
    /// Only articles published at or after this moment.
    pub published_since: Option<DateTime<FixedOffset>>,
    /// Only articles published before this moment.
    pub published_before: Option<DateTime<FixedOffset>>,
}

impl From<ArticleFilter> for Filter {
    fn from(filter: ArticleFilter) -> Self {
        Self {
            section: filter.section,
            topic: filter.topic,
            person: filter.person,
            country: filter.country,
            language: filter.language,
            published_since: filter.published_since.map(|t| t.timestamp_micros()),
            published_before: filter.published_before.map(|t| t.timestamp_micros()),
        }
    }
}

#[derive(Debug, Default)]
pub struct ArticleQuery;

#[Object]
impl ArticleQuery {
    /// Published articles, newest first by (publishedAt, id), as a Relay connection. Page
    /// forward with `first`/`after` or backward with `last`/`before`; pages hold 20 articles
    /// by default and at most 100.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn feed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Articles per page, walking towards older ones (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Articles per page, walking towards newer ones (0 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
        #[graphql(desc = "Only articles matching all of these.")] filter: Option<ArticleFilter>,
    ) -> Result<ArticleConnection> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        pagination::articles(ctx, filter.unwrap_or_default().into(), args).await
    }

    /// A published article by slug, or by a slug it had before a rename; null when there is
    /// none.
    async fn article(
        &self,
        ctx: &Context<'_>,
        slug: String,
        #[graphql(
            default = false,
            desc = "Also drafts and articles whose time has not come: needs a key with the editor role."
        )]
        preview: bool,
    ) -> Result<Option<Article>> {
        let db = Reader::of(ctx)?;
        let found = if preview {
            editing::authorize(ctx, Role::Editor)?;
            store::article::find_by_slug(&db, &slug).await
        } else {
            let now = chrono::Utc::now().timestamp_micros();
            store::article::find_public_by_slug(&db, &slug, now).await
        };
        Ok(found.map_err(|e| AppError::from(e).extend())?.map(Article))
    }
}
