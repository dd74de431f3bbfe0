//! Single-article reads and the article's linked people, countries, topics and picks.

use entity::article;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, DerivePartialModel, EntityTrait, ModelTrait,
    PartialModelTrait, QueryFilter, QueryOrder, QuerySelect, RelationDef, Value,
};

use super::{CHUNK, editing, feed};

/// An article without its body: all that a listing or a page shows but the text. Bodies are
/// most of a row's bytes, and checking and copying them was most of what reading a page of
/// articles cost; reads that show no body read heads.
#[derive(Clone, Debug, PartialEq, Eq, DerivePartialModel)]
#[sea_orm(entity = "article::Entity")]
pub struct Head {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub lead: Option<String>,
    pub published_at: i64,
    pub published_offset: i32,
    pub updated_at: Option<i64>,
    pub updated_offset: Option<i32>,
    pub status: article::Status,
    pub section_id: i64,
    pub language: String,
}

impl From<article::Model> for Head {
    fn from(article: article::Model) -> Self {
        Self {
            id: article.id,
            slug: article.slug,
            title: article.title,
            lead: article.lead,
            published_at: article.published_at,
            published_offset: article.published_offset,
            updated_at: article.updated_at,
            updated_offset: article.updated_offset,
            status: article.status,
            section_id: article.section_id,
            language: article.language,
        }
    }
}

/// An article as a read gives it: whole ([`article::Model`]) or its [`Head`].
pub trait Read: PartialModelTrait + Send + Sync {
    fn id(&self) -> i64;
    fn published_at(&self) -> i64;
    fn status(&self) -> article::Status;
}

/// Both kinds of read name these fields alike.
macro_rules! read_fields {
    ($($kind:ty),+) => {$(
        impl Read for $kind {
            fn id(&self) -> i64 {
                self.id
            }

            fn published_at(&self) -> i64 {
                self.published_at
            }

            fn status(&self) -> article::Status {
                self.status
            }
        }
    )+};
}

read_fields!(article::Model, Head);

/// A published, no longer embargoed article by slug, or by a slug it had before a rename.
pub async fn find_public_by_slug<A: Read>(
    db: &impl ConnectionTrait,
    slug: &str,
    now: i64,
) -> Result<Option<A>, DbErr> {
    Ok(find_by_slug::<A>(db, slug)
        .await?
        .filter(|article| feed::is_public(article, now)))
}

/// An article by slug, whatever its status: what an editor previews, or a write gives back.
/// A slug the article had before a rename finds it too.
pub async fn find_by_slug<A: Read>(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<A>, DbErr> {
    let found = article::Entity::find()
        .filter(article::Column::Slug.eq(slug))
        .into_partial_model()
        .one(db)
        .await?;
    if found.is_some() {
        return Ok(found);
    }
    match editing::find_by_old_slug(db, slug).await? {
        Some(id) => {
            article::Entity::find_by_id(id)
                .into_partial_model()
                .one(db)
                .await
        }
        None => Ok(None),
    }
}

/// The public articles among `ids`, in the order of `ids`; the others are left out.
pub async fn find_public_by_ids<A: Read>(
    db: &impl ConnectionTrait,
    ids: &[i64],
    now: i64,
) -> Result<Vec<A>, DbErr> {
    let mut found: std::collections::HashMap<i64, A> = article::Entity::find()
        .filter(article::Column::Id.is_in(ids.iter().copied()))
        .filter(feed::public(now))
        .into_partial_model::<A>()
        .all(db)
        .await?
        .into_iter()
        .map(|article| (article.id(), article))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
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
