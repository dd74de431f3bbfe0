//! The change log behind delta sync, and the reads that serve it.
//!
//! Every writing transaction bumps the content version first, taking the lock on its row, and
//! logs its changes under the version it made. So versions in the log follow commit order:
//! a reader that has seen every change up to version v has missed nothing below it.

use entity::{article, article_change};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoSimpleExpr, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};

use super::{CHUNK, feed};

/// Logs as changed at `version` every article whose `column` (its id, or its section) is one
/// of `values`.
pub async fn record_articles(
    db: &impl ConnectionTrait,
    column: article::Column,
    values: &[i64],
    version: i64,
) -> Result<(), DbErr> {
    for chunk in values.chunks(CHUNK) {
        record(db, column.is_in(chunk.iter().copied()), version).await?;
    }
    Ok(())
}

/// Logs as changed at `version` every article a link table `L` joins to one of `targets`: a
/// renamed person changes what each of its articles shows.
pub async fn record_linked<L: EntityTrait>(
    db: &impl ConnectionTrait,
    (article_id, target_id): (L::Column, L::Column),
    targets: &[i64],
    version: i64,
) -> Result<(), DbErr> {
    for chunk in targets.chunks(CHUNK) {
        let mut linked = Query::select();
        linked
            .column(article_id)
            .from(L::default())
            .and_where(target_id.is_in(chunk.iter().copied()));
        record(db, article::Column::Id.in_subquery(linked), version).await?;
    }
    Ok(())
}

/// Logs slugs as changed at `version`: those of articles deleted or renamed away.
pub async fn record_slugs(
    db: &impl ConnectionTrait,
    slugs: &[&str],
    version: i64,
) -> Result<(), DbErr> {
    let rows = slugs.iter().map(|slug| article_change::ActiveModel {
        slug: sea_orm::ActiveValue::Set((*slug).to_owned()),
        version: sea_orm::ActiveValue::Set(version),
    });
    article_change::Entity::insert_many(rows)
        .on_conflict(upsert())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Logs the slugs of the articles matching `condition` as changed at `version`, inserted or
/// moved to the new version, in one statement.
async fn record(db: &impl ConnectionTrait, condition: Expr, version: i64) -> Result<(), DbErr> {
    let mut select = Query::select();
    select
        .column(article::Column::Slug)
        .expr(Expr::val(version))
        .from(article::Entity)
        .and_where(condition);
    let insert = Query::insert()
        .into_table(article_change::Entity)
        .columns([
            article_change::Column::Slug,
            article_change::Column::Version,
        ])
        .select_from(select)
        .map_err(|error| DbErr::Custom(error.to_string()))?
        .on_conflict(upsert())
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

fn upsert() -> OnConflict {
    OnConflict::column(article_change::Column::Slug)
        .update_column(article_change::Column::Version)
        .to_owned()
}

/// A place in the log: changes are read in (version, slug) order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogPosition {
    pub version: i64,
    pub slug: String,
}

/// Up to `limit` logged changes after `after`, up to version `upto`, in log order.
pub async fn changes_after(
    db: &impl ConnectionTrait,
    after: &LogPosition,
    upto: i64,
    limit: u64,
) -> Result<Vec<LogPosition>, DbErr> {
    let rows: Vec<(i64, String)> = article_change::Entity::find()
        .select_only()
        .column(article_change::Column::Version)
        .column(article_change::Column::Slug)
        .filter(
            Condition::any()
                .add(article_change::Column::Version.gt(after.version))
                .add(
                    Condition::all()
                        .add(article_change::Column::Version.eq(after.version))
                        .add(article_change::Column::Slug.gt(after.slug.as_str())),
                ),
        )
        .filter(article_change::Column::Version.lte(upto))
        .order_by_asc(article_change::Column::Version)
        .order_by_asc(article_change::Column::Slug)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(version, slug)| LogPosition { version, slug })
        .collect())
}

/// Articles by slug, whatever their status.
pub async fn articles_by_slug(
    db: &impl ConnectionTrait,
    slugs: &[&str],
) -> Result<Vec<article::Model>, DbErr> {
    article::Entity::find()
        .filter(article::Column::Slug.is_in(slugs.iter().copied()))
        .all(db)
        .await
}

/// Up to `limit` public articles published after `after` (a (published_at, id) position) and
/// by `upto`, oldest first: those an embargo lapse made visible.
pub async fn lapsed(
    db: &impl ConnectionTrait,
    after: feed::Position,
    upto: i64,
    limit: u64,
) -> Result<Vec<article::Model>, DbErr> {
    let key = Expr::tuple([
        article::Column::PublishedAt.into_simple_expr(),
        article::Column::Id.into_simple_expr(),
    ]);
    article::Entity::find()
        .filter(feed::public(upto))
        .filter(key.gt(Expr::tuple([
            Expr::val(after.published_at),
            Expr::val(after.id),
        ])))
        .order_by_asc(article::Column::PublishedAt)
        .order_by_asc(article::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
