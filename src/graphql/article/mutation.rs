//! Writing articles: create, update, delete, and the publication life of one.

use async_graphql::{
    Context, Enum, ErrorExtensions, InputObject, MaybeUndefined, Object, Result, ResultExt,
};
use entity::article::Status;
use serde::Serialize;
use serde_json::json;

use super::Article;
use crate::{
    access::Role,
    editing::{self, Fields, Saved},
    error::AppError,
    graphql::{editing as gql, reader::Reader},
    store,
    timestamp::Timestamp,
    transfer::line::{Kind, Line},
};

/// Whether readers may see an article (once its publication time has come).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Published,
    Draft,
}

impl From<Status> for ArticleStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Published => Self::Published,
            Status::Draft => Self::Draft,
        }
    }
}

/// A new article. Checked as an import line is, with the same messages.
#[derive(Debug, InputObject, Serialize)]
pub struct CreateArticleInput {
    /// Unique: 1 to 120 lower-case ASCII letters, digits and single hyphens.
    pub slug: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// Markdown.
    pub body: String,
    /// RFC 3339 with an offset, e.g. `2024-04-12T14:20:00+03:00`; now when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// `DRAFT` unless given: nothing goes live by accident.
    #[graphql(default_with = "ArticleStatus::Draft")]
    pub status: ArticleStatus,
    /// Section slug; `news` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// BCP 47 language tag; `uk` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Person slugs, in the order shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<Vec<String>>,
    /// Country codes, in the order shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
    /// Topic slugs, in the order shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// The editor's «Читайте також» picks: article slugs, in the order shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<String>>,
}

/// Changes to an article: absent fields stay as they are, `null` clears an optional one, a
/// list replaces the stored list. Publication goes through `publishArticle`,
/// `scheduleArticle` and `unpublishArticle`.
#[derive(Debug, InputObject, Serialize)]
pub struct UpdateArticleInput {
    /// A new slug; the old one keeps resolving to the article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub lead: MaybeUndefined<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// RFC 3339 with an offset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// RFC 3339 with an offset; now when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<String>>,
}

#[derive(Debug, Default)]
pub struct ArticleMutation;

/// Every article mutation needs a key with the `editor` or `admin` role.
#[Object]
impl ArticleMutation {
    /// Creates an article, a draft unless `status` says otherwise.
    async fn create_article(
        &self,
        ctx: &Context<'_>,
        input: CreateArticleInput,
    ) -> Result<Article> {
        let writes = gql::writes(ctx, Role::Editor)?;
        let now = gql::now(ctx)?;
        let mut fields = gql::fields(&input)?;
        fields
            .entry("published_at")
            .or_insert_with(|| now.to_rfc3339().into());
        let saved = editing::create(&writes.db, Kind::Article, fields, now)
            .await
            .extend()?;
        settled(ctx, &saved).await
    }

    /// Changes an article; `updatedAt` becomes now unless the input sets it.
    async fn update_article(
        &self,
        ctx: &Context<'_>,
        slug: String,
        input: UpdateArticleInput,
    ) -> Result<Article> {
        let fields = gql::fields(&input)?;
        change(ctx, &slug, |_| Ok(fields)).await
    }

    /// Deletes an article, its links and its old slugs; gives back its slug.
    async fn delete_article(&self, ctx: &Context<'_>, slug: String) -> Result<String> {
        gql::delete(ctx, Kind::Article, &slug).await
    }

    /// Publishes a draft now. An article already published stays as it is, scheduled or not.
    async fn publish_article(&self, ctx: &Context<'_>, slug: String) -> Result<Article> {
        let now = gql::now(ctx)?;
        change(ctx, &slug, |line| {
            Ok(match line {
                Line::Article(article) if article.status == Status::Draft => {
                    json_fields(json!({"status": "published", "published_at": now.to_rfc3339()}))
                }
                _ => Fields::new(),
            })
        })
        .await
    }

    /// Publishes an article at a future moment: it stays hidden from readers until then, and
    /// appears with no restart or job.
    async fn schedule_article(
        &self,
        ctx: &Context<'_>,
        slug: String,
        #[graphql(desc = "RFC 3339 with an offset, in the future.")] at: String,
    ) -> Result<Article> {
        let moment = Timestamp::parse(&at).map_err(|message| invalid_at(&message))?;
        if moment.micros <= gql::now(ctx)?.micros {
            return Err(invalid_at(
                "must be in the future (publishArticle publishes now)",
            ));
        }
        change(ctx, &slug, |_| {
            Ok(json_fields(
                json!({"status": "published", "published_at": moment.to_rfc3339()}),
            ))
        })
        .await
    }

    /// Takes an article back to draft: readers no longer see it.
    async fn unpublish_article(&self, ctx: &Context<'_>, slug: String) -> Result<Article> {
        change(ctx, &slug, |_| Ok(json_fields(json!({"status": "draft"})))).await
    }
}

/// Applies a change to the article `slug` and gives it back as stored.
async fn change(
    ctx: &Context<'_>,
    slug: &str,
    change: impl FnOnce(&Line) -> Result<Fields, AppError>,
) -> Result<Article> {
    let writes = gql::writes(ctx, Role::Editor)?;
    let saved = editing::update(&writes.db, Kind::Article, slug, gql::now(ctx)?, change)
        .await
        .extend()?;
    settled(ctx, &saved).await
}

/// The article a write saved, once this server's reads show it.
async fn settled(ctx: &Context<'_>, saved: &Saved) -> Result<Article> {
    ctx.data::<gql::Writes>()?.settle(saved).await;
    store::article::find_by_slug(&Reader::of(ctx)?, &saved.key)
        .await
        .map_err(|e| AppError::from(e).extend())?
        .map(Article)
        .ok_or_else(|| AppError::NotFound(format!("no article {:?}", saved.key)).extend())
}

fn json_fields(value: serde_json::Value) -> Fields {
    match value {
        serde_json::Value::Object(fields) => fields,
        _ => Fields::new(),
    }
}

fn invalid_at(message: &str) -> async_graphql::Error {
    AppError::invalid(format!("at: {message}")).extend()
}
