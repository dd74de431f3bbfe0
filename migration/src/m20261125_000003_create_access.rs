//! What writing through the API needs: API keys, the old slugs of renamed articles, webhooks and
//! their deliveries.
//!
//! Times are integer microseconds since the Unix epoch, as in the content tables.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(big_pk_auto(ApiKey::Id))
                    .col(string_uniq(ApiKey::PublicId))
                    .col(string(ApiKey::Name))
                    .col(string_len(ApiKey::Role, 16))
                    .col(binary(ApiKey::SecretHash))
                    .col(big_integer(ApiKey::CreatedAt))
                    .col(big_integer_null(ApiKey::RevokedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ArticleSlug::Table)
                    .col(string(ArticleSlug::Slug).primary_key())
                    .col(big_integer(ArticleSlug::ArticleId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ArticleSlug::Table, ArticleSlug::ArticleId)
                            .to(Article::Table, Article::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_article_slug_article")
                    .table(ArticleSlug::Table)
                    .col(ArticleSlug::ArticleId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(big_pk_auto(Webhook::Id))
                    .col(string(Webhook::Url))
                    .col(string(Webhook::Secret))
                    .col(big_integer(Webhook::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(big_pk_auto(WebhookDelivery::Id))
                    .col(big_integer(WebhookDelivery::WebhookId))
                    .col(string_len(WebhookDelivery::Event, 32))
                    .col(string(WebhookDelivery::ArticleSlug))
                    .col(text(WebhookDelivery::Payload))
                    .col(string_len(WebhookDelivery::State, 16))
                    .col(integer(WebhookDelivery::Attempts))
                    .col(big_integer(WebhookDelivery::CreatedAt))
                    .col(big_integer(WebhookDelivery::DueAt))
                    .col(big_integer(WebhookDelivery::LeasedUntil))
                    .col(big_integer_null(WebhookDelivery::DeliveredAt))
                    .col(integer_null(WebhookDelivery::LastStatus))
                    .col(text_null(WebhookDelivery::LastError))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDelivery::Table, WebhookDelivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_due")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::State)
                    .col(WebhookDelivery::DueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_webhook")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::WebhookId)
                    .col(WebhookDelivery::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookDelivery::Table.into_iden(),
            Webhook::Table.into_iden(),
            ArticleSlug::Table.into_iden(),
            ApiKey::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    PublicId,
    Name,
    Role,
    SecretHash,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ArticleSlug {
    Table,
    Slug,
    ArticleId,
}

#[derive(DeriveIden)]
enum Article {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Url,
    Secret,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    WebhookId,
    Event,
    ArticleSlug,
    Payload,
    State,
    Attempts,
    CreatedAt,
    DueAt,
    LeasedUntil,
    DeliveredAt,
    LastStatus,
    LastError,
}
