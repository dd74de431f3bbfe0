//! A single row counting content changes, so servers can follow imports made elsewhere.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContentVersion::Table)
                    .col(integer(ContentVersion::Id).primary_key())
                    .col(big_integer(ContentVersion::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(ContentVersion::Table)
                    .columns([ContentVersion::Id, ContentVersion::Version])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ContentVersion::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ContentVersion {
    Table,
    Id,
    Version,
}
