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
/// deleted. Drafts mean nothing to them. An event about a scheduled article is due when it
/// goes live.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    before: Option<&line::Article>,
    after: Option<&line::Article>,
    now: i64,
) -> Result<(), DbErr> {
    let published = |a: &&line::Article| a.status == Status::Published;
    let (name, article) = match (before.filter(published), after.filter(published)) {
        (None, None) => return Ok(()),
        (None, Some(after)) => ("article.published", after),
        (Some(_), Some(after)) => ("article.updated", after),
        (Some(before), None) if after.is_some() => ("article.unpublished", before),
        (Some(before), None) => ("article.deleted", before),
    };
    let due_at = match name {
        "article.published" | "article.updated" => article.published_at.micros.max(now),
        _ => now,
    };
    let payload = serde_json::json!({
        "event": name,
        "occurredAt": Timestamp { micros: now, offset: 0 }.to_rfc3339(),
        "article": {
            "slug": article.slug,
            "title": article.title,
            "publishedAt": article.published_at.to_rfc3339(),
        },
    });
    let event = Event {
        name,
        article_slug: article.slug.clone(),
        payload: payload.to_string(),
        due_at,
    };
    for hook in store::webhooks::all(db).await? {
        store::webhooks::enqueue(db, hook.id, &event, now).await?;
    }
    Ok(())
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
