//! The writes of the API that import has no need for: renames, deletions, and the old slugs
//! of renamed articles.

use entity::article_slug;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::OnConflict,
};

use super::CHUNK;

/// Gives the row `id` of `E` a new natural key.
pub async fn rename<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    key: E::Column,
    row: i64,
    new_key: &str,
) -> Result<(), DbErr> {
    E::update_many()
        .col_expr(key, new_key.into())
        .filter(id.eq(row))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    row: i64,
) -> Result<(), DbErr> {
    E::delete_many().filter(id.eq(row)).exec(db).await?;
    Ok(())
}

/// Keeps `slug` resolving to the article it named before a rename.
pub async fn remember_old_slug(
    db: &impl ConnectionTrait,
    slug: &str,
    article_id: i64,
) -> Result<(), DbErr> {
    article_slug::Entity::insert(article_slug::ActiveModel {
        slug: sea_orm::ActiveValue::Set(slug.to_owned()),
        article_id: sea_orm::ActiveValue::Set(article_id),
    })
    .on_conflict(
        OnConflict::column(article_slug::Column::Slug)
            .update_column(article_slug::Column::ArticleId)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Slugs that name live articles again stop redirecting elsewhere.
pub async fn forget_old_slugs(db: &impl ConnectionTrait, slugs: &[&str]) -> Result<(), DbErr> {
    for chunk in slugs.chunks(CHUNK) {
        article_slug::Entity::delete_many()
            .filter(article_slug::Column::Slug.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The article an old slug now stands for.
pub async fn find_by_old_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<i64>, DbErr> {
    Ok(article_slug::Entity::find_by_id(slug.to_owned())
        .one(db)
        .await?
        .map(|row| row.article_id))
}

/// How many rows of `E` name row `id` in `column`: what still names a row keeps it from being
/// deleted.
pub async fn count_naming<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
    id: i64,
) -> Result<u64, DbErr>
where
    E::Model: Sync,
{
    E::find().filter(column.eq(id)).count(db).await
}
