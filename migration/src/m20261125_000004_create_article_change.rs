//! The change log behind delta sync: for every slug an article ever had, the content version
//! that last changed what a reader of that slug would see. Existing articles start at the
//! current version, so a first sync finds them all.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ArticleChange::Table)
                    .col(string(ArticleChange::Slug).primary_key())
                    .col(big_integer(ArticleChange::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_article_change_version")
                    .table(ArticleChange::Table)
                    .col(ArticleChange::Version)
                    .col(ArticleChange::Slug)
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(ArticleChange::Table)
                    .columns([ArticleChange::Slug, ArticleChange::Version])
                    .select_from(
                        Query::select()
                            .column(Article::Slug)
                            .expr(
                                Query::select()
                                    .column(ContentVersion::Version)
                                    .from(ContentVersion::Table)
                                    .and_where(Expr::col(ContentVersion::Id).eq(1))
                                    .take(),
                            )
                            .from(Article::Table)
                            .take(),
                    )
                    .map_err(|error| DbErr::Migration(error.to_string()))?
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ArticleChange::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ArticleChange {
    Table,
    Slug,
    Version,
}

#[derive(DeriveIden)]
enum Article {
    Table,
    Slug,
}

#[derive(DeriveIden)]
enum ContentVersion {
    Table,
    Id,
    Version,
}
