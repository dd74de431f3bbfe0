//! The database as one request sees it.

use std::sync::Arc;

use async_graphql::Context;
use sea_orm::{DatabaseConnection, DatabaseExecutor, DatabaseTransaction, DbErr};

use crate::store::snapshot;

/// What a request's reads go through. A query reads one snapshot: every statement sees the
/// same state of the database, so an import committed meanwhile shows entirely or not at all.
/// A mutation reads the primary as it is, so what it returns includes what it just wrote.
#[derive(Clone, Debug)]
pub struct Reader(Arc<Source>);

#[derive(Debug)]
enum Source {
    Snapshot(DatabaseTransaction),
    Live(DatabaseConnection),
}

impl Reader {
    pub async fn begin(db: &DatabaseConnection) -> Result<Self, DbErr> {
        Ok(Self(Arc::new(Source::Snapshot(snapshot::begin(db).await?))))
    }

    pub fn live(db: DatabaseConnection) -> Self {
        Self(Arc::new(Source::Live(db)))
    }

    /// The request's connection, for the store.
    pub fn of<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<DatabaseExecutor<'a>> {
        Ok(ctx.data::<Self>()?.executor())
    }

    pub fn executor(&self) -> DatabaseExecutor<'_> {
        match &*self.0 {
            Source::Snapshot(txn) => DatabaseExecutor::Transaction(txn),
            Source::Live(db) => DatabaseExecutor::Connection(db),
        }
    }
}
