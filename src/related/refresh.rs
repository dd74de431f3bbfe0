//! Keeping the index current: every server polls the content version, which every import bumps
//! in its own transaction, and rebuilds the index when it moved. Polling one row works the
//! same on SQLite and PostgreSQL and across any number of processes; with the default interval
//! an import anywhere shows within a quarter of a second plus the rebuild.

use std::{sync::Arc, time::Duration};

use entity::{article_country, article_person, article_topic};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait};
use tokio::sync::{Notify, watch};
use tokio_stream::StreamExt;

use super::{Builder, Feature, RelatedIndex};
use crate::store::{related, snapshot, version};

/// The index as currently served; cheap to clone and to read.
pub type SharedIndex = watch::Receiver<Arc<RelatedIndex>>;

/// Prometheus gauge: the content version the served index was built from.
pub const VERSION_METRIC: &str = "vistka_related_index_version";

/// A handle to make the index check the database now rather than at its next tick: a write
/// made by this server wants its reads to show it at once.
#[derive(Clone, Debug, Default)]
pub struct Refresher(Arc<Notify>);

impl Refresher {
    pub fn refresh(&self) {
        self.0.notify_one();
    }
}

/// Loads the index, then keeps it following the database until every reader is gone.
pub async fn start(
    db: DatabaseConnection,
    interval: Duration,
) -> Result<(SharedIndex, Refresher), DbErr> {
    let index = load(&db).await?;
    metrics::gauge!(VERSION_METRIC).set(index.version() as f64);
    let (sender, receiver) = watch::channel(Arc::new(index));
    let refresher = Refresher::default();
    tokio::spawn(follow(db, sender, interval, refresher.0.clone()));
    Ok((receiver, refresher))
}

async fn follow(
    db: DatabaseConnection,
    sender: watch::Sender<Arc<RelatedIndex>>,
    interval: Duration,
    asked: Arc<Notify>,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !sender.is_closed() {
        tokio::select! {
            _ = ticks.tick() => {}
            () = asked.notified() => {}
        }
        let served = sender.borrow().version();
        let rebuilt = match version::current(&db).await {
            Ok(current) if current == served => continue,
            Ok(_) => load(&db).await,
            Err(error) => Err(error),
        };
        match rebuilt {
            Ok(index) => {
                metrics::gauge!(VERSION_METRIC).set(index.version() as f64);
                tracing::info!(version = index.version(), "related-articles index rebuilt");
                sender.send_replace(Arc::new(index));
            }
            Err(error) => tracing::warn!(%error, "cannot refresh the related-articles index"),
        }
    }
}

/// Builds the index from one consistent snapshot of the database, row by row.
pub async fn load(db: &DatabaseConnection) -> Result<RelatedIndex, DbErr> {
    let txn = snapshot::begin(db).await?;
    let version = version::current(&txn).await?;
    // Sized up front: grown by doubling, the arrays would each need a second, larger copy of
    // themselves for a moment, on top of the index still serving.
    let links = related::rows::<article_person::Entity>(&txn).await?
        + related::rows::<article_topic::Entity>(&txn).await?
        + related::rows::<article_country::Entity>(&txn).await?;
    let mut articles = Vec::with_capacity(related::published_count(&txn).await? as usize);
    let mut rows = related::published(&txn).await?;
    while let Some(row) = rows.next().await {
        articles.push(row?);
    }
    // A stream holds the transaction's connection until dropped.
    drop(rows);
    let mut index = Builder::new(version, articles, links as usize);
    file::<article_person::Entity>(
        &txn,
        &mut index,
        [
            article_person::Column::PersonId,
            article_person::Column::PublishedAt,
            article_person::Column::ArticleId,
        ],
        Feature::Person,
    )
    .await?;
    file::<article_topic::Entity>(
        &txn,
        &mut index,
        [
            article_topic::Column::TopicId,
            article_topic::Column::PublishedAt,
            article_topic::Column::ArticleId,
        ],
        Feature::Topic,
    )
    .await?;
    file::<article_country::Entity>(
        &txn,
        &mut index,
        [
            article_country::Column::CountryId,
            article_country::Column::PublishedAt,
            article_country::Column::ArticleId,
        ],
        Feature::Country,
    )
    .await?;
    let mut rows = related::picks(&txn).await?;
    while let Some(row) = rows.next().await {
        let (article, pick) = row?;
        index.pick(article, pick);
    }
    drop(rows);
    txn.commit().await?;
    Ok(index.finish())
}

/// Files every link of table `L`, whose `[target, published_at, article]` columns are given, as
/// `feature(target)`.
async fn file<L: EntityTrait>(
    txn: &DatabaseTransaction,
    index: &mut Builder,
    [target, published_at, article]: [L::Column; 3],
    feature: fn(i64) -> Feature,
) -> Result<(), DbErr> {
    let mut rows = related::links::<_, L>(txn, target, published_at, article).await?;
    while let Some(row) = rows.next().await {
        let (target, article) = row?;
        index.link(feature(target), article);
    }
    Ok(())
}
