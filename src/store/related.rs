//! What the related-articles index is built from: published articles and their links.

use entity::{article, article_related};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Published articles (embargoed ones included; the clock is checked per request) as
/// `(id, published_at)`.
pub async fn published(db: &impl ConnectionTrait) -> Result<Vec<(i64, i64)>, DbErr> {
    article::Entity::find()
        .select_only()
        .column(article::Column::Id)
        .column(article::Column::PublishedAt)
        .filter(article::Column::Status.eq(article::Status::Published))
        .into_tuple()
        .all(db)
        .await
}

/// Every `(article, target)` pair of a link table.
pub async fn pairs<L: EntityTrait>(
    db: &impl ConnectionTrait,
    article_id: L::Column,
    target_id: L::Column,
) -> Result<Vec<(i64, i64)>, DbErr> {
    L::find()
        .select_only()
        .column(article_id)
        .column(target_id)
        .into_tuple()
        .all(db)
        .await
}

/// The editor's picks, `(article, pick)`, in each article's order.
pub async fn picks(db: &impl ConnectionTrait) -> Result<Vec<(i64, i64)>, DbErr> {
    article_related::Entity::find()
        .select_only()
        .column(article_related::Column::ArticleId)
        .column(article_related::Column::RelatedId)
        .order_by_asc(article_related::Column::ArticleId)
        .order_by_asc(article_related::Column::Position)
        .into_tuple()
        .all(db)
        .await
}
