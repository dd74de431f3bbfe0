//! Compresses PostgreSQL's long values with lz4 instead of its default, pglz.
//!
//! Every article's body, and its words and their `tsvector` for search, are long enough to be
//! compressed as they are stored, and pglz is slow at it: a bulk import of 100,000 articles
//! took 61–66 s with pglz and 53 s with lz4, stored in 7% more space. lz4 needs PostgreSQL 14
//! or later built with it (as every packaged build is); a server without it keeps pglz. SQLite
//! compresses nothing.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{DbBackend, Statement},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns whose values are long: `(table, column)`.
const LONG: &[(&str, &str)] = &[
    ("article", "body"),
    ("article_document", "document"),
    ("article_document", "terms"),
];

/// Whether the server offers lz4 for compressing values: the setting exists from PostgreSQL 14
/// and lists only the methods the server was built with.
const OFFERS_LZ4: &str = "SELECT 1 FROM pg_settings \
    WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)";

/// Sets how PostgreSQL compresses the values of `columns`, `(table, column)`; nothing elsewhere.
pub async fn compress_with(
    manager: &SchemaManager<'_>,
    columns: &[(&str, &str)],
    method: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() != DbBackend::Postgres
        || db
            .query_one_raw(Statement::from_string(DbBackend::Postgres, OFFERS_LZ4))
            .await?
            .is_none()
    {
        return Ok(());
    }
    for (table, column) in columns {
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}"
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        compress_with(manager, LONG, "lz4").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        compress_with(manager, LONG, "DEFAULT").await
    }
}
