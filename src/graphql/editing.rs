//! What every write through GraphQL shares: who may make it, where it goes, and waiting until
//! this server's reads show it.

use std::time::Duration;

use async_graphql::{Context, ErrorExtensions, Result, ResultExt};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::{
    access::{Caller, Role},
    config::SiteConfig,
    editing::{self, Fields, Saved},
    error::AppError,
    related::{Refresher, SharedIndex},
    timestamp::Timestamp,
    transfer::line::Kind,
    webhooks::Dispatcher,
};

/// Where writes go, and what must follow them.
#[derive(Clone, Debug)]
pub struct Writes {
    pub db: DatabaseConnection,
    pub index: SharedIndex,
    pub refresher: Refresher,
    pub dispatcher: Dispatcher,
}

/// Longest a write waits for this server's in-memory state to show it.
const SETTLE: Duration = Duration::from_secs(5);

impl Writes {
    /// Returns once this server's reads show `saved`: the answer cache and the related-articles
    /// index follow the content version, and an editor who reloads a page after saving expects
    /// to see the change. Other servers follow within their refresh interval.
    pub async fn settle(&self, saved: &Saved) {
        self.dispatcher.wake();
        self.refresher.refresh();
        let mut index = self.index.clone();
        let followed = tokio::time::timeout(
            SETTLE,
            index.wait_for(|index| index.version() >= saved.version),
        )
        .await;
        if followed.is_err() {
            tracing::warn!(
                version = saved.version,
                "the related-articles index has not followed a write yet"
            );
        }
    }
}

/// The caller's right to do what needs `role`: a missing, malformed, unknown or revoked key
/// is refused with one message, a key with too weak a role with another.
pub fn authorize(ctx: &Context<'_>, role: Role) -> Result<()> {
    match ctx.data::<Caller>()? {
        caller if caller.has(role) => Ok(()),
        Caller::Key { .. } => Err(AppError::Forbidden(role).extend()),
        Caller::Public | Caller::Refused => Err(AppError::Unauthenticated.extend()),
    }
}

/// Where an editor's writes go, once the caller is allowed to make them.
pub fn writes<'a>(ctx: &'a Context<'_>, role: Role) -> Result<&'a Writes> {
    authorize(ctx, role)?;
    ctx.data::<Writes>()
}

/// Now, with the offset of the site's time zone: what `updatedAt` and publishing record.
pub fn now(ctx: &Context<'_>) -> Result<Timestamp> {
    Ok(Timestamp::now_in(ctx.data::<SiteConfig>()?.time_zone))
}

/// An input object as the fields of an interchange line.
pub fn fields(input: &impl Serialize) -> Result<Fields> {
    match serde_json::to_value(input) {
        Ok(serde_json::Value::Object(fields)) => Ok(fields),
        _ => Err(AppError::Internal(anyhow::anyhow!("an input is a JSON object")).extend()),
    }
}

/// Deletes the thing of `kind` with natural key `key`, and gives back the key.
pub async fn delete(ctx: &Context<'_>, kind: Kind, key: &str) -> Result<String> {
    let writes = writes(ctx, Role::Editor)?;
    let saved = editing::delete(&writes.db, kind, key, now(ctx)?)
        .await
        .extend()?;
    writes.settle(&saved).await;
    Ok(saved.key)
}
