//! Single-article reads and the article's linked people, countries, topics and picks.

use std::collections::HashMap;

use entity::{article, article_body};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, Value,
};

use super::{CHUNK, catalog, editing, feed};

/// A published, no longer embargoed article by slug, or by a slug it had before a rename.
pub async fn find_public_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
    now: i64,
) -> Result<Option<article::Model>, DbErr> {
    Ok(find_by_slug(db, slug)
        .await?
        .filter(|article| feed::is_public(article, now)))
}

/// An article by slug, whatever its status: what an editor previews, or a write gives back.
/// A slug the article had before a rename finds it too.
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<article::Model>, DbErr> {
    let found = article::Entity::find()
        .filter(article::Column::Slug.eq(slug))
        .one(db)
        .await?;
    if found.is_some() {
        return Ok(found);
    }
    match editing::find_by_old_slug(db, slug).await? {
        Some(id) => article::Entity::find_by_id(id).one(db).await,
        None => Ok(None),
    }
}

/// The public articles among `ids`, in the order of `ids`; the others are left out.
pub async fn find_public_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
    now: i64,
) -> Result<Vec<article::Model>, DbErr> {
    let mut found: HashMap<i64, article::Model> = article::Entity::find()
        .filter(article::Column::Id.is_in(ids.iter().copied()))
        .filter(feed::public(now))
        .all(db)
        .await?
        .into_iter()
        .map(|article| (article.id, article))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// The bodies of the articles `ids`, by article id; absent ids are simply missing.
pub async fn bodies(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, String>, DbErr> {
    let rows =
        catalog::find_by_ids::<article_body::Entity>(db, article_body::Column::ArticleId, ids)
            .await?;
    Ok(rows.into_iter().map(|(id, row)| (id, row.body)).collect())
}

/// The rows that a link table `L` joins to the given articles, as `(article id, target)`,
/// in each article's list order.
pub async fn linked<L, T>(
    db: &impl ConnectionTrait,
    article_id: L::Column,
    position: L::Column,
    article_ids: &[i64],
) -> Result<Vec<(i64, T::Model)>, DbErr>
where
    L: EntityTrait + sea_orm::Related<T>,
    T: EntityTrait,
{
    let mut found = Vec::new();
    for chunk in article_ids.chunks(CHUNK) {
        let rows = L::find()
            .filter(article_id.is_in(chunk.iter().copied()))
            .order_by_asc(article_id)
            .order_by_asc(position)
            .find_also_related(T::default())
            .all(db)
            .await?;
        for (link, target) in rows {
            if let (Value::BigInt(Some(id)), Some(target)) = (link.get(article_id), target) {
                found.push((id, target));
            }
        }
    }
    Ok(found)
}

/// Like [`linked`], but only the targets' natural keys: what export writes.
pub async fn linked_keys<L, K>(
    db: &impl ConnectionTrait,
    article_id: L::Column,
    position: L::Column,
    target: RelationDef,
    key: K,
    article_ids: &[i64],
) -> Result<Vec<(i64, String)>, DbErr>
where
    L: EntityTrait,
    K: ColumnTrait,
{
    let mut found = Vec::new();
    for chunk in article_ids.chunks(CHUNK) {
        let rows: Vec<(i64, String)> = L::find()
            .select_only()
            .column(article_id)
            .column(key)
            .join(sea_orm::JoinType::InnerJoin, target.clone())
            .filter(article_id.is_in(chunk.iter().copied()))
            .order_by_asc(article_id)
            .order_by_asc(position)
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}
