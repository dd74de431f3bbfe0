//! Lets SQLite's full-text table take the terms of a large batch of articles in memory.
//!
//! FTS5 keeps the terms of pending writes in an in-memory hash and writes them out as a new
//! segment when the hash passes `hashsize` (1 MiB by default) or a statement ends; it then
//! merges segments, reading and writing every term again each time. With the default, an import
//! of 100,000 articles made hundreds of small segments and spent most of its full-text time
//! merging them. A 64 MiB hash holds the terms of the batches vistka writes in one statement
//! (`store::search`), so each batch becomes one segment. The memory is used only while a write
//! holds that many terms.
//!
//! PostgreSQL's GIN index has no such setting to change.

use sea_orm_migration::prelude::*;

use crate::on_sqlite;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str =
    "INSERT INTO article_terms (article_terms, rank) VALUES ('hashsize', 67108864)";

const SQLITE_DOWN: &str =
    "INSERT INTO article_terms (article_terms, rank) VALUES ('hashsize', 1048576)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_sqlite(manager, SQLITE_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_sqlite(manager, SQLITE_DOWN).await
    }
}
