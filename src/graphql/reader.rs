//! The database as one request sees it.

use std::sync::Arc;

use async_graphql::Context;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

use crate::store::snapshot;

/// One read transaction per request: every statement of a request reads the same state of the
/// database, so an import committed meanwhile shows entirely or not at all.
#[derive(Clone, Debug)]
pub struct Reader(Arc<DatabaseTransaction>);

impl Reader {
    pub async fn begin(db: &DatabaseConnection) -> Result<Self, DbErr> {
        Ok(Self(Arc::new(snapshot::begin(db).await?)))
    }

    /// The request's transaction, for the store.
    pub fn of<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a DatabaseTransaction> {
        Ok(&ctx.data::<Self>()?.0)
    }

    pub fn transaction(&self) -> &DatabaseTransaction {
        &self.0
    }
}
