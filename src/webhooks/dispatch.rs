//! Sending queued deliveries. Every server runs a dispatcher; each delivery is leased by the
//! one that claims it, so several servers over one database send each event once, and a
//! delivery whose server died mid-send is taken over when its lease runs out.

use std::{sync::Arc, time::Duration};

use entity::{
    article, webhook,
    webhook_delivery::{self, State},
};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::{sync::Notify, task::JoinSet};

use crate::{
    config::WebhookConfig,
    store::{self, webhooks::Attempt},
    timestamp::Timestamp,
};

/// Deliveries claimed at a time.
const BATCH: u64 = 32;

/// The longest wait between retries.
const MAX_RETRY: Duration = Duration::from_secs(3_600);

/// A handle to wake the dispatcher when a write queued deliveries, so they leave at once
/// rather than at the next poll.
#[derive(Clone, Debug, Default)]
pub struct Dispatcher(Arc<Notify>);

impl Dispatcher {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Starts sending deliveries in the background.
pub fn start(db: DatabaseConnection, config: WebhookConfig) -> reqwest::Result<Dispatcher> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(config.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("vistka/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let dispatcher = Dispatcher::default();
    let sender = Sender { db, client, config };
    tokio::spawn(sender.run(dispatcher.0.clone()));
    Ok(dispatcher)
}

#[derive(Clone, Debug)]
struct Sender {
    db: DatabaseConnection,
    client: reqwest::Client,
    config: WebhookConfig,
}

impl Sender {
    async fn run(self, wake: Arc<Notify>) {
        let poll = Duration::from_millis(self.config.poll_ms);
        // Held long enough for the slowest answer, so a delivery is never sent twice at once.
        let lease = 2 * self.config.timeout_ms as i64 * 1_000 + 5_000_000;
        loop {
            let now = now();
            match store::webhooks::claim_due(&self.db, now, now + lease, BATCH).await {
                Ok(claimed) if !claimed.is_empty() => {
                    let mut sending = JoinSet::new();
                    for (delivery, hook) in claimed {
                        sending.spawn(self.clone().send(delivery, hook));
                    }
                    while let Some(sent) = sending.join_next().await {
                        if let Ok(Err(error)) = sent {
                            tracing::warn!(%error, "cannot record a webhook delivery");
                        }
                    }
                    continue;
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "cannot read due webhook deliveries"),
            }
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = wake.notified() => {}
            }
        }
    }

    async fn send(
        self,
        delivery: webhook_delivery::Model,
        hook: webhook::Model,
    ) -> Result<(), DbErr> {
        let now = now();
        if delivery.due_at > delivery.created_at && !self.still_scheduled(&delivery, now).await? {
            return store::webhooks::supersede(&self.db, delivery.id).await;
        }
        let signature = super::sign(&hook.secret, now / 1_000_000, &delivery.payload);
        let sent = self
            .client
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("vistka-event", &delivery.event)
            .header("vistka-delivery", delivery.id.to_string())
            .header(super::SIGNATURE_HEADER, signature)
            .body(delivery.payload.clone())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(response) if response.status().is_success() => {
                let status = Some(i32::from(response.status().as_u16()));
                return store::webhooks::record(
                    &self.db,
                    delivery.id,
                    Attempt {
                        state: State::Delivered,
                        at: now,
                        retry_at: delivery.due_at,
                        status,
                        error: None,
                    },
                )
                .await;
            }
            Ok(response) => (
                Some(i32::from(response.status().as_u16())),
                format!("the receiver answered {}", response.status()),
            ),
            Err(error) => (
                error.status().map(|s| i32::from(s.as_u16())),
                error_chain(&error),
            ),
        };
        let attempts = delivery.attempts + 1;
        let wait = Duration::from_millis(self.config.retry_ms)
            .saturating_mul(1 << (attempts - 1).clamp(0, 20))
            .min(MAX_RETRY);
        tracing::info!(delivery = delivery.id, url = %hook.url, attempts, %error, "webhook delivery failed");
        store::webhooks::record(
            &self.db,
            delivery.id,
            Attempt {
                state: if attempts >= self.config.attempts {
                    State::Failed
                } else {
                    State::Pending
                },
                at: now,
                retry_at: now + wait.as_micros() as i64,
                status,
                error: Some(error),
            },
        )
        .await
    }
}

impl Sender {
    /// Whether the article a scheduled publication announces went live as scheduled: it may
    /// have been unpublished, rescheduled or deleted since, and later events say so.
    async fn still_scheduled(
        &self,
        delivery: &webhook_delivery::Model,
        now: i64,
    ) -> Result<bool, DbErr> {
        let announced: serde_json::Value =
            serde_json::from_str(&delivery.payload).unwrap_or_default();
        let live: Option<article::Model> =
            store::article::find_public_by_slug(&self.db, &delivery.article_slug, now).await?;
        Ok(live.is_some_and(|article| {
            let published = Timestamp {
                micros: article.published_at,
                offset: article.published_offset,
            };
            announced["article"]["publishedAt"] == published.to_rfc3339().as_str()
        }))
    }
}

/// An HTTP client error with its causes: "error sending request" alone says little.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_micros()
}
