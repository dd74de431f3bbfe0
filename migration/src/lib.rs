//! Database migrations, run by `vistka migrate` and automatically by `serve` and `import`.

pub use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

mod m20261125_000001_create_content;
mod m20261125_000002_create_content_version;
mod m20261125_000003_create_access;
mod m20261125_000004_create_article_change;
mod m20261125_000010_create_search;
mod m20261125_000011_slim_search_index;
mod m20261128_000012_larger_fts_batches;
mod m20261202_000013_feed_index_holds_status;
mod m20261203_000014_lz4_on_postgresql;
mod m20261204_000015_article_bodies;

#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_content::Migration),
            Box::new(m20261125_000002_create_content_version::Migration),
            Box::new(m20261125_000003_create_access::Migration),
            Box::new(m20261125_000004_create_article_change::Migration),
            Box::new(m20261125_000010_create_search::Migration),
            Box::new(m20261125_000011_slim_search_index::Migration),
            Box::new(m20261128_000012_larger_fts_batches::Migration),
            Box::new(m20261202_000013_feed_index_holds_status::Migration),
            Box::new(m20261203_000014_lz4_on_postgresql::Migration),
            Box::new(m20261204_000015_article_bodies::Migration),
        ]
    }
}

/// Migrations after which SQLite's file is sparse: rows they rewrite smaller stay where they
/// were, a few to a page, until the file is rebuilt. Whoever runs them compacts it after
/// (`VACUUM`, which cannot run inside the migrations' transaction).
pub const SPARSE_ON_SQLITE: &[&str] = &["m20261204_000015_article_bodies"];

/// Runs `sql` on SQLite only: for SQLite's full-text tables, which PostgreSQL does without.
async fn on_sqlite(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() == DbBackend::Sqlite {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}
