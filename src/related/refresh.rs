//! Keeping the index current: every server polls the content version, which every import bumps
//! in its own transaction, and rebuilds the index when it moved. Polling one row works the
//! same on SQLite and PostgreSQL and across any number of processes; with the default interval
//! an import anywhere shows within a quarter of a second plus the rebuild.

use std::{sync::Arc, time::Duration};

use entity::{article_country, article_person, article_topic};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::{Notify, watch};

use super::{Feature, RelatedIndex};
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

/// Builds the index from one consistent snapshot of the database.
pub async fn load(db: &DatabaseConnection) -> Result<RelatedIndex, DbErr> {
    let txn = snapshot::begin(db).await?;
    let version = version::current(&txn).await?;
    let articles = related::published(&txn).await?;
    let people = related::pairs::<article_person::Entity>(
        &txn,
        article_person::Column::ArticleId,
        article_person::Column::PersonId,
    )
    .await?;
    let topics = related::pairs::<article_topic::Entity>(
        &txn,
        article_topic::Column::ArticleId,
        article_topic::Column::TopicId,
    )
    .await?;
    let countries = related::pairs::<article_country::Entity>(
        &txn,
        article_country::Column::ArticleId,
        article_country::Column::CountryId,
    )
    .await?;
    let picks = related::picks(&txn).await?;
    txn.commit().await?;
    let features = people
        .into_iter()
        .map(|(article, id)| (article, Feature::Person(id)))
        .chain(
            topics
                .into_iter()
                .map(|(article, id)| (article, Feature::Topic(id))),
        )
        .chain(
            countries
                .into_iter()
                .map(|(article, id)| (article, Feature::Country(id))),
        );
    Ok(RelatedIndex::build(version, articles, features, picks))
}
