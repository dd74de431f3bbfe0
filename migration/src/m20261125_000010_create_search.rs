//! Full-text search: two rows per article holding its words as vistka normalizes them.
//!
//! `article_document` holds all of an article's words, indexed by each backend's own full-text
//! index. The words are normalized and stemmed by vistka itself, so both indexes only split on
//! the spaces between them: FTS5's `ascii` tokenizer (every non-ASCII character is part of a
//! word, and the text holds no ASCII punctuation), and PostgreSQL's `array_to_tsvector`, which
//! takes the words as they are.
//!
//! `article_search` is narrow, so that ranking every hit of a common word reads little: whether
//! the article is published and when (copies of the article's), and `head` and `summary`, the
//! words of the title, and of the lead and the names of people and topics, each padded with a
//! space on both sides for ranking by `LIKE '% word %'`.
//!
//! Rows are written by vistka (`store::search::reindex`), which also fills them for articles of
//! databases created before this migration.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite: an external-content FTS5 table over `article_document`, kept in step by triggers,
/// without positions (`detail = none`: no phrase is ever asked), with prefix indexes of 2 and 3
/// letters for search-as-you-type.
pub(crate) const SQLITE_UP: &str = "
CREATE VIRTUAL TABLE article_fts USING fts5(
    document, content = 'article_document', content_rowid = 'article_id',
    tokenize = 'ascii', detail = none, prefix = '2 3'
);
CREATE TRIGGER article_document_insert AFTER INSERT ON article_document BEGIN
    INSERT INTO article_fts (rowid, document) VALUES (new.article_id, new.document);
END;
CREATE TRIGGER article_document_delete AFTER DELETE ON article_document BEGIN
    INSERT INTO article_fts (article_fts, rowid, document)
        VALUES ('delete', old.article_id, old.document);
END;
CREATE TRIGGER article_document_update AFTER UPDATE ON article_document BEGIN
    INSERT INTO article_fts (article_fts, rowid, document)
        VALUES ('delete', old.article_id, old.document);
    INSERT INTO article_fts (rowid, document) VALUES (new.article_id, new.document);
END;
";

const SQLITE_DOWN: &str = "
DROP TRIGGER article_document_update;
DROP TRIGGER article_document_delete;
DROP TRIGGER article_document_insert;
DROP TABLE article_fts;
";

/// PostgreSQL: a generated tsvector of the words, under a GIN index (which serves `:*` prefix
/// queries too).
const POSTGRES_UP: &str = "
ALTER TABLE article_document ADD COLUMN terms tsvector
    GENERATED ALWAYS AS (array_to_tsvector(string_to_array(document, ' '))) STORED;
CREATE INDEX idx_article_document_terms ON article_document USING GIN (terms);
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Searched::ArticleSearch)
                    .col(big_integer(Searched::ArticleId).primary_key())
                    .col(integer(Searched::Version))
                    .col(boolean(Searched::Published))
                    .col(big_integer(Searched::PublishedAt))
                    .col(text(Searched::Head))
                    .col(text(Searched::Summary))
                    .foreign_key(&mut of_article(Searched::ArticleSearch))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Searched::ArticleDocument)
                    .col(big_integer(Searched::ArticleId).primary_key())
                    .col(text(Searched::Document))
                    .foreign_key(&mut of_article(Searched::ArticleDocument))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => db.execute_unprepared(SQLITE_UP).await?,
            _ => db.execute_unprepared(POSTGRES_UP).await?,
        };
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared(SQLITE_DOWN)
                .await?;
        }
        for table in [Searched::ArticleDocument, Searched::ArticleSearch] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The key to the article a row is about, gone with it.
fn of_article(table: Searched) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, Searched::ArticleId)
        .to(Article::Table, Article::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[derive(DeriveIden, Clone, Copy)]
enum Searched {
    ArticleSearch,
    ArticleDocument,
    ArticleId,
    Version,
    Published,
    PublishedAt,
    Head,
    Summary,
    Document,
}

#[derive(DeriveIden)]
enum Article {
    Table,
    Id,
}
