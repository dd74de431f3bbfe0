//! A leaner full-text index on SQLite: contentless, and without prefix indexes.
//!
//! Measured on generated archives with a realistic vocabulary, FTS5's prefix indexes of 2 and 3
//! letters tripled the terms an import writes, while a prefix query over the main index alone
//! answers within tens of milliseconds at 100,000 articles even for one letter. And the
//! external-content table made every article's words be stored twice: as text in
//! `article_document`, and indexed. A contentless FTS5 table (with `contentless_delete`, so rows
//! can still be replaced and removed) keeps only the index; vistka writes it directly, since
//! the words are only ever matched, never read back.
//!
//! PostgreSQL is unchanged: its GIN index already serves prefix queries from the one index.
//!
//! Undoing it brings back the previous tables empty and marks every article's search rows as
//! stale, so that the next start indexes the archive again (see `store::search::backfill`).

use sea_orm_migration::prelude::*;

use crate::{m20261125_000010_create_search as create_search, on_sqlite};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = "
CREATE VIRTUAL TABLE article_terms USING fts5(
    terms, content = '', contentless_delete = 1, tokenize = 'ascii', detail = none
);
INSERT INTO article_terms (rowid, terms) SELECT article_id, document FROM article_document;
DROP TRIGGER article_document_update;
DROP TRIGGER article_document_delete;
DROP TRIGGER article_document_insert;
DROP TABLE article_fts;
DROP TABLE article_document;
";

/// The table of 000010, empty: its full-text table and triggers follow, as 000010 made them.
const SQLITE_DOWN: &str = "
DROP TABLE article_terms;
CREATE TABLE article_document (
    article_id bigint NOT NULL PRIMARY KEY,
    document text NOT NULL,
    FOREIGN KEY (article_id) REFERENCES article (id) ON DELETE CASCADE
);
DELETE FROM article_search;
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_sqlite(manager, SQLITE_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_sqlite(manager, SQLITE_DOWN).await?;
        on_sqlite(manager, create_search::SQLITE_UP).await
    }
}
