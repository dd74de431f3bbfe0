//! What the related-articles index is built from: published articles and their links, streamed
//! row by row, because at a million articles the rows held at once would weigh more than the
//! index built from them.

use std::pin::Pin;

use entity::{article, article_country, article_person, article_related, article_topic};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, StreamTrait,
    sea_query::{Expr, Query, SelectStatement, UnionType},
};
use tokio_stream::Stream;

use crate::related::Feature;

/// Rows as they come from the database.
pub type Rows<'a, T> = Pin<Box<dyn Stream<Item = Result<T, DbErr>> + Send + 'a>>;

/// Published articles (embargoed ones included; the clock is checked per request) as
/// `(id, published_at)`.
pub async fn published<C>(db: &C) -> Result<Rows<'_, (i64, i64)>, DbErr>
where
    C: ConnectionTrait + StreamTrait + Send,
{
    published_listing().into_tuple().stream(db).await
}

/// How many articles [`published`] gives.
pub async fn published_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    published_listing().count(db).await
}

/// What [`published`] reads, all of it in the feed's index: the index is rebuilt after every
/// write, and a row's status comes after its body.
fn published_listing() -> Select<article::Entity> {
    article::Entity::find()
        .select_only()
        .column(article::Column::Id)
        .column(article::Column::PublishedAt)
        .filter(article::Column::Status.eq(article::Status::Published))
}

/// How many rows table `L` holds: the links [`links`] gives, drafts' included.
pub async fn rows<L: EntityTrait>(db: &impl ConnectionTrait) -> Result<u64, DbErr>
where
    L::Model: Sync,
{
    L::find().count(db).await
}

/// Every `(target, article)` pair of a link table, grouped by target and newest first within
/// it: the order of the link table's own index on (target, published_at, article), read
/// backwards, so the database sorts nothing and each target's articles arrive as a posting
/// list.
pub async fn links<C, L>(
    db: &C,
    target_id: L::Column,
    published_at: L::Column,
    article_id: L::Column,
) -> Result<Rows<'_, (i64, i64)>, DbErr>
where
    C: ConnectionTrait + StreamTrait + Send,
    L: EntityTrait,
{
    L::find()
        .select_only()
        .column(target_id)
        .column(article_id)
        .order_by_desc(target_id)
        .order_by_desc(published_at)
        .order_by_desc(article_id)
        .into_tuple()
        .stream(db)
        .await
}

/// The editor's picks, `(article, pick)`, in each article's order.
pub async fn picks<C>(db: &C) -> Result<Rows<'_, (i64, i64)>, DbErr>
where
    C: ConnectionTrait + StreamTrait + Send,
{
    article_related::Entity::find()
        .select_only()
        .column(article_related::Column::ArticleId)
        .column(article_related::Column::RelatedId)
        .order_by_asc(article_related::Column::ArticleId)
        .order_by_asc(article_related::Column::Position)
        .into_tuple()
        .stream(db)
        .await
}

/// The people, topics and countries of `article`, in one statement: what the index ranks the
/// article's related ones by.
pub async fn features(db: &impl ConnectionTrait, article: i64) -> Result<Vec<Feature>, DbErr> {
    fn targets<L: EntityTrait>(
        kind: &'static str,
        target: L::Column,
        article_id: L::Column,
        article: i64,
    ) -> SelectStatement {
        Query::select()
            .expr(Expr::cust(kind))
            .column(target)
            .from(L::default())
            .and_where(article_id.eq(article))
            .to_owned()
    }
    let [mut select, topics, countries] = [
        targets::<article_person::Entity>(
            "0",
            article_person::Column::PersonId,
            article_person::Column::ArticleId,
            article,
        ),
        targets::<article_topic::Entity>(
            "1",
            article_topic::Column::TopicId,
            article_topic::Column::ArticleId,
            article,
        ),
        targets::<article_country::Entity>(
            "2",
            article_country::Column::CountryId,
            article_country::Column::ArticleId,
            article,
        ),
    ];
    select
        .union(UnionType::All, topics)
        .union(UnionType::All, countries);
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| {
            let (kind, target) = row.try_get_many_by_index::<(i32, i64)>()?;
            Ok(match kind {
                0 => Feature::Person(target),
                1 => Feature::Topic(target),
                _ => Feature::Country(target),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use migration::MigratorTrait;
    use sea_orm::{ConnectOptions, Database, DbBackend, QueryTrait, Statement};

    use super::*;

    /// Reading the rows for their status would read every article's body as well: 4 GB at a
    /// million articles, on every rebuild of the related index.
    #[tokio::test]
    async fn the_published_articles_are_listed_from_the_feed_index_alone() {
        let mut options = ConnectOptions::new("sqlite::memory:");
        options.max_connections(1).sqlx_logging(false);
        let db = Database::connect(options)
            .await
            .expect("an in-memory database");
        migration::Migrator::up(&db, None).await.expect("migrated");
        let listing = published_listing().build(DbBackend::Sqlite);
        let plan = db
            .query_all_raw(Statement {
                sql: format!("EXPLAIN QUERY PLAN {}", listing.sql),
                ..listing
            })
            .await
            .expect("a plan");
        let steps: Vec<String> = plan
            .iter()
            .map(|row| row.try_get("", "detail").expect("a step"))
            .collect();
        assert_eq!(
            steps,
            ["SCAN article USING COVERING INDEX idx_article_feed"]
        );
    }
}
