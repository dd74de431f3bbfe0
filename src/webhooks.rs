//! Webhooks: admins register URLs that are told when a published article changes. Events are
//! queued in the transaction of the change (an outbox), so none is lost or sent for a change
//! that was rolled back, and a server sends them in the background: a write never waits on a
//! receiver.

mod dispatch;

use entity::article::Status;
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{ConnectionTrait, DbErr};
use sha2::Sha256;

pub use dispatch::{Dispatcher, start};

use crate::{store, store::webhooks::Event, timestamp::Timestamp, transfer::line};

/// The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
pub const SIGNATURE_HEADER: &str = "vistka-signature";

/// Queues, for every webhook, what a change of an article from `before` to `after` (either
/// absent when it is created or deleted) means to readers: published, updated, unpublished or
/// deleted. Drafts mean nothing to them. An article scheduled for later is announced when it
/// goes live; one taken out of public view by rescheduling is unpublished now.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    before: Option<&line::Article>,
    after: Option<&line::Article>,
    now: i64,
) -> Result<(), DbErr> {
    let live = before.filter(|a| a.status == Status::Published && a.published_at.micros <= now);
    let published = after.filter(|a| a.status == Status::Published);
    let mut events = Vec::new();
    match (live, published) {
        (None, None) => {}
        (None, Some(after)) => events.push(event("article.published", after, now)),
        (Some(before), Some(after)) if after.published_at.micros > now => {
            events.push(event("article.unpublished", before, now));
            events.push(event("article.published", after, now));
        }
        (Some(_), Some(after)) => events.push(event("article.updated", after, now)),
        (Some(before), None) if after.is_some() => {
            events.push(event("article.unpublished", before, now));
        }
        (Some(before), None) => events.push(event("article.deleted", before, now)),
    }
    if events.is_empty() {
        return Ok(());
    }
    for hook in store::webhooks::all(db).await? {
        for event in &events {
            store::webhooks::enqueue(db, hook.id, event, now).await?;
        }
    }
    Ok(())
}

/// An event about `article`, due when the article is live.
fn event(name: &'static str, article: &line::Article, now: i64) -> Event {
    let payload = serde_json::json!({
        "event": name,
        "occurredAt": Timestamp { micros: now, offset: 0 }.to_rfc3339(),
        "article": {
            "slug": article.slug,
            "title": article.title,
            "publishedAt": article.published_at.to_rfc3339(),
        },
    });
    Event {
        name,
        article_slug: article.slug.clone(),
        payload: payload.to_string(),
        due_at: match name {
            "article.published" => article.published_at.micros.max(now),
            _ => now,
        },
    }
}

/// The signature header's value for `body` sent at `timestamp` (Unix seconds). Signing the
/// time with the body lets receivers refuse replays of old deliveries.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::sign;

    /// Checked against `printf '1700000000.{}' | openssl dgst -sha256 -hmac secret`.
    #[test]
    fn signs_the_time_and_body() {
        assert_eq!(
            sign("secret", 1_700_000_000, "{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}
