//! Lets SQLite's full-text table take the terms of many articles in memory before writing them.
//!
//! FTS5 keeps the terms of pending writes in an in-memory hash and writes them out as a new
//! segment when the hash passes `hashsize` (1 MiB by default) or a statement ends; it then
//! merges segments, reading and writing every term again each time. With the default, an import
//! of 100,000 articles made hundreds of small segments and spent much of its full-text time
//! merging them. vistka writes the terms of up to 16,000 articles in one statement
//! (`store::search`), and a 16 MiB hash turns each such batch into a few segments. Measured on
//! that import: 1 MiB 18.0 s, 4 MiB 16.9 s, 8 MiB 15.6–16.5 s, 16 MiB 14.7–15.6 s, 32 MiB
//! 15.6 s, 64 MiB 16.6–18.3 s; past 16 MiB the hash's lookups miss the processor's caches
//! more than merging saves. The memory is used only while a write holds that many terms.
//!
//! PostgreSQL's GIN index has no such setting to change.

use sea_orm_migration::prelude::*;

use crate::on_sqlite;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str =
    "INSERT INTO article_terms (article_terms, rank) VALUES ('hashsize', 16777216)";

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
