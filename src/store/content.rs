//! Bulk writes for import and ordered bulk reads for export.

use entity::{article, person};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Statement, sea_query::OnConflict,
};

use super::CHUNK;

/// Inserts `rows`, or updates `update` where a row with the same natural `key` exists; ids of
/// existing rows are kept.
pub async fn upsert<A>(
    db: &impl ConnectionTrait,
    key: <A::Entity as EntityTrait>::Column,
    update: &[<A::Entity as EntityTrait>::Column],
    rows: impl IntoIterator<Item = A>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    execute(db, upserts(db.get_database_backend(), key, update, rows)).await
}

/// The statements of [`upsert`], [`CHUNK`] rows each, built apart from running them: an import
/// builds those of its articles on another thread while the database writes.
pub fn upserts<'a, A>(
    backend: DbBackend,
    key: <A::Entity as EntityTrait>::Column,
    update: &'a [<A::Entity as EntityTrait>::Column],
    rows: impl IntoIterator<Item = A> + 'a,
) -> impl Iterator<Item = Statement> + 'a
where
    A: ActiveModelTrait + 'a,
{
    let mut rows = rows.into_iter().peekable();
    std::iter::from_fn(move || {
        rows.peek()?;
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        let upsert = <A::Entity as EntityTrait>::insert_many(chunk).on_conflict(
            OnConflict::column(key)
                .update_columns(update.iter().copied())
                .to_owned(),
        );
        Some(upsert.build(backend))
    })
}

/// Runs `statements`, built beforehand, in order.
pub async fn execute(
    db: &impl ConnectionTrait,
    statements: impl IntoIterator<Item = Statement>,
) -> Result<(), DbErr> {
    for statement in statements {
        db.execute_raw(statement).await?;
    }
    Ok(())
}

/// Replaces every link of the given articles in a link table with `rows`.
pub async fn replace_links<A>(
    db: &impl ConnectionTrait,
    article_id: <A::Entity as EntityTrait>::Column,
    article_ids: &[i64],
    rows: impl IntoIterator<Item = A>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    for chunk in article_ids.chunks(CHUNK) {
        <A::Entity as EntityTrait>::delete_many()
            .filter(article_id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Every article's slug and id, drafts included, in byte order of the slug.
pub async fn article_slugs(db: &impl ConnectionTrait) -> Result<Vec<(String, i64)>, DbErr> {
    let mut slugs: Vec<(String, i64)> = article::Entity::find()
        .select_only()
        .column(article::Column::Slug)
        .column(article::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    slugs.sort_unstable();
    Ok(slugs)
}

/// An id no article has had yet, and below every id of an article created from now on: both
/// backends hand out ever larger ids (SQLite's `AUTOINCREMENT`, PostgreSQL's sequence).
pub async fn next_article_id(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let newest: Option<i64> = article::Entity::find()
        .select_only()
        .column_as(article::Column::Id.max(), "newest")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(newest.map_or(1, |id| id + 1))
}

/// Ids of the people of any of `countries`.
pub async fn people_of_countries(
    db: &impl ConnectionTrait,
    countries: &[i64],
) -> Result<Vec<i64>, DbErr> {
    person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::CountryId.is_in(countries.iter().copied()))
        .into_tuple()
        .all(db)
        .await
}
