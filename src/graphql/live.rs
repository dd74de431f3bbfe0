//! The subscription root: newly published articles as they go live.

use std::sync::Arc;

use async_graphql::{Context, Result, SimpleObject, Subscription};
use chrono::{DateTime, FixedOffset};
use tokio_stream::{Stream, StreamExt, wrappers::BroadcastStream};

use crate::live::{Announcement, Live};

/// A newly published article: enough for a banner; ask `article(slug:)` for the rest.
#[derive(Debug, SimpleObject)]
pub struct PublishedArticle {
    slug: String,
    title: String,
    lead: Option<String>,
    published_at: DateTime<FixedOffset>,
    /// The section's slug.
    section: String,
}

impl From<&Announcement> for PublishedArticle {
    fn from(announcement: &Announcement) -> Self {
        Self {
            slug: announcement.slug.clone(),
            title: announcement.title.clone(),
            lead: announcement.lead.clone(),
            published_at: announcement.published_at.to_datetime(),
            section: announcement.section.clone(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// Each article as it goes live among the newest of the feed: published through the API,
    /// imported by any process, or reaching its scheduled time. Served over WebSocket
    /// (`graphql-transport-ws`) at `/graphql/ws`.
    async fn article_published(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only articles of this section (slug).")] section: Option<String>,
    ) -> Result<impl Stream<Item = PublishedArticle> + use<>> {
        let listening = ctx.data::<Live>()?.listen();
        Ok(BroadcastStream::new(listening).filter_map(move |heard| {
            // A listener too slow to keep up misses announcements rather than stalling others.
            let announcement: Arc<Announcement> = heard.ok()?;
            announcement
                .is_in(section.as_deref())
                .then(|| PublishedArticle::from(&*announcement))
        }))
    }
}
