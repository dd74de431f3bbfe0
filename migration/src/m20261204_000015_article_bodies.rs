//! Moves the articles' bodies into a table of their own, `article_body`.
//!
//! A body is about 4 KB, most of an article's row, so on SQLite each row took a page of its
//! own and often a page or two more for the rest of the body: at 100,000 articles the table
//! took 66,601 pages and 53,233 overflow pages, and since the body came before the status and
//! the section, reading those of an article meant reading its overflow pages too. Without
//! the bodies the same articles take 16,083 pages. Listings, the feed and related articles
//! read no body, so the pages they touch fit in a far smaller cache: read cold, looking up an
//! article's other columns by id took 45–50 µs instead of 100–108. PostgreSQL stores long
//! values apart already; the bodies move there too so that both databases have one schema.
//!
//! On SQLite the rows stay where they were, one or two to a page, and the pages the bodies
//! leave are free: the file only packs the rows again when it is rebuilt, which the migrating
//! process does after (see [`crate::SPARSE_ON_SQLITE`]).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::m20261203_000014_lz4_on_postgresql::compress_with;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Article {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ArticleBody {
    Table,
    ArticleId,
    Body,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        // On SQLite an `integer` key is the row's own id, so the table needs no index beside
        // it; SQLite's integers are 64 bits, as PostgreSQL's `bigint`.
        let mut article_id = if sqlite {
            integer(ArticleBody::ArticleId)
        } else {
            big_integer(ArticleBody::ArticleId)
        };
        manager
            .create_table(
                Table::create()
                    .table(ArticleBody::Table)
                    .col(article_id.primary_key())
                    .col(text(ArticleBody::Body))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ArticleBody::Table, ArticleBody::ArticleId)
                            .to(Article::Table, Article::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        compress_with(manager, &[("article_body", "body")], "lz4").await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO article_body (article_id, body) SELECT id, body FROM article",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE article DROP COLUMN body")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE article ADD COLUMN body text NOT NULL DEFAULT ''")
            .await?;
        db.execute_unprepared(
            "UPDATE article SET body = \
             (SELECT body FROM article_body WHERE article_body.article_id = article.id)",
        )
        .await?;
        compress_with(manager, &[("article", "body")], "lz4").await?;
        manager
            .drop_table(Table::drop().table(ArticleBody::Table).to_owned())
            .await
    }
}
