//! What sitemaps list: public articles, without their bodies, which sitemaps never show and
//! which would make a 50,000-article page cost tens of megabytes.

use entity::article;
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::feed;

/// An article as a sitemap lists it.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Listed {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub language: String,
    pub section_id: i64,
    pub published_at: i64,
    pub published_offset: i32,
    pub updated_at: Option<i64>,
    pub updated_offset: Option<i32>,
}

/// How many articles are public at `now`.
pub async fn count(db: &impl ConnectionTrait, now: i64) -> Result<u64, DbErr> {
    article::Entity::find()
        .filter(feed::public(now))
        .count(db)
        .await
}

/// Public articles by id, `limit` of them after skipping `offset`. Ordering by id keeps an
/// article on the same sitemap page however many are published after it.
pub async fn by_id(
    db: &impl ConnectionTrait,
    offset: u64,
    limit: u64,
    now: i64,
) -> Result<Vec<Listed>, DbErr> {
    listed()
        .filter(feed::public(now))
        .order_by_asc(article::Column::Id)
        .offset(offset)
        .limit(limit)
        .into_model()
        .all(db)
        .await
}

/// Public articles published at `since` or later, newest first as in the feed, at most
/// `limit` of them.
pub async fn published_since(
    db: &impl ConnectionTrait,
    since: i64,
    limit: u64,
    now: i64,
) -> Result<Vec<Listed>, DbErr> {
    listed()
        .filter(feed::public(now))
        .filter(sea_orm::ColumnTrait::gte(
            &article::Column::PublishedAt,
            since,
        ))
        .order_by_desc(article::Column::PublishedAt)
        .order_by_desc(article::Column::Id)
        .limit(limit)
        .into_model()
        .all(db)
        .await
}

fn listed() -> sea_orm::Select<article::Entity> {
    article::Entity::find().select_only().columns([
        article::Column::Id,
        article::Column::Slug,
        article::Column::Title,
        article::Column::Language,
        article::Column::SectionId,
        article::Column::PublishedAt,
        article::Column::PublishedOffset,
        article::Column::UpdatedAt,
        article::Column::UpdatedOffset,
    ])
}
