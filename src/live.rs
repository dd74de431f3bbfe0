//! Live announcements of newly published articles, for a homepage or a breaking-news banner
//! that updates without polling: served as a GraphQL subscription and as Server-Sent Events.
//!
//! Each server watches its related-articles index, which follows every write and import made
//! by any process, and the clock, which lapses embargoes: whatever enters the newest articles
//! of the feed, published within the last day, is announced once, whoever published it.

use std::{collections::HashMap, sync::Arc, time::Duration};

use entity::{article, section};
use sea_orm::{DatabaseConnection, DbErr};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::{
    related::{RelatedIndex, SharedIndex},
    store,
    timestamp::Timestamp,
};

/// How far down the feed a newly visible article may land and still be announced.
pub const WINDOW: usize = 100;

/// How recently a newly visible article must have been published to be announced: a backfill
/// of old articles is not news.
pub const HORIZON: Duration = Duration::from_secs(24 * 3600);

/// Announcements kept for a slow listener before it misses some.
const BACKLOG: usize = 1_024;

/// A newly published article, as announced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Announcement {
    pub slug: String,
    pub title: String,
    pub lead: Option<String>,
    pub published_at: Timestamp,
    /// The section's slug.
    pub section: String,
}

impl Announcement {
    /// Whether a listener that asked for `section` (none: every section) wants it.
    pub fn is_in(&self, section: Option<&str>) -> bool {
        section.is_none_or(|section| section == self.section)
    }
}

/// Where announcements are heard.
#[derive(Clone, Debug)]
pub struct Live(broadcast::Sender<Arc<Announcement>>);

impl Live {
    pub fn listen(&self) -> broadcast::Receiver<Arc<Announcement>> {
        self.0.subscribe()
    }
}

/// Starts announcing what becomes visible from now on, checking at least every `interval`.
pub fn start(db: DatabaseConnection, index: SharedIndex, interval: Duration) -> Live {
    let (sender, _) = broadcast::channel(BACKLOG);
    tokio::spawn(announce(db, index, interval, sender.clone()));
    Live(sender)
}

async fn announce(
    db: DatabaseConnection,
    mut index: SharedIndex,
    interval: Duration,
    sender: broadcast::Sender<Arc<Announcement>>,
) {
    let mut seen: Arc<RelatedIndex> = index.borrow_and_update().clone();
    let mut checked = now();
    loop {
        tokio::select! {
            changed = index.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(interval) => {}
        }
        let current = index.borrow_and_update().clone();
        let at = now();
        let since = at - HORIZON.as_micros() as i64;
        let ids = current.newly_visible((&seen, checked), (since, at), WINDOW);
        if !ids.is_empty() {
            match announcements(&db, &ids, at).await {
                Ok(found) => {
                    for announcement in found {
                        // Nobody listening is not an error.
                        let _ = sender.send(Arc::new(announcement));
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot read newly published articles");
                    continue;
                }
            }
        }
        seen = current;
        checked = at;
    }
}

/// The public articles among `ids`, oldest first, so listeners hear them in publication order.
async fn announcements(
    db: &DatabaseConnection,
    ids: &[i64],
    now: i64,
) -> Result<Vec<Announcement>, DbErr> {
    let articles: Vec<article::Model> = store::article::find_public_by_ids(db, ids, now).await?;
    let section_ids: Vec<i64> = articles.iter().map(|a| a.section_id).collect();
    let sections: HashMap<i64, section::Model> =
        store::catalog::find_by_ids::<section::Entity>(db, section::Column::Id, &section_ids)
            .await?;
    Ok(articles
        .into_iter()
        .rev()
        .map(|a| Announcement {
            section: sections
                .get(&a.section_id)
                .map(|s| s.slug.clone())
                .unwrap_or_default(),
            published_at: Timestamp {
                micros: a.published_at,
                offset: a.published_offset,
            },
            slug: a.slug,
            title: a.title,
            lead: a.lead,
        })
        .collect())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_micros()
}
