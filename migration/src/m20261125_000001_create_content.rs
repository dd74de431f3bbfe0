//! The content model: sections, countries, people, topics, articles and their links.
//!
//! Times are integer microseconds since the Unix epoch with the writer's UTC offset beside them,
//! so that ordering and keyset pagination behave identically on SQLite and PostgreSQL.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, key) in [
            (Named::Section, Named::Slug),
            (Named::Country, Named::Code),
            (Named::Topic, Named::Slug),
        ] {
            let mut create = Table::create();
            create
                .table(table)
                .col(big_pk_auto(Named::Id))
                .col(string_uniq(key))
                .col(string(Named::Name));
            if table == Named::Topic {
                create.col(text_null(Named::Description));
            }
            manager.create_table(create).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Named::Person)
                    .col(big_pk_auto(Named::Id))
                    .col(string_uniq(Named::Slug))
                    .col(string(Named::Name))
                    .col(string_null(Person::Role))
                    .col(big_integer_null(Person::CountryId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Named::Person, Person::CountryId)
                            .to(Named::Country, Named::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_person_country")
                    .table(Named::Person)
                    .col(Person::CountryId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Article::Table)
                    .col(big_pk_auto(Named::Id))
                    .col(string_uniq(Named::Slug))
                    .col(text(Article::Title))
                    .col(text_null(Article::Lead))
                    .col(text(Article::Body))
                    .col(big_integer(Article::PublishedAt))
                    .col(integer(Article::PublishedOffset))
                    .col(big_integer_null(Article::UpdatedAt))
                    .col(integer_null(Article::UpdatedOffset))
                    .col(string_len(Article::Status, 16))
                    .col(big_integer(Article::SectionId))
                    .col(string_len(Article::Language, 35))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Article::Table, Article::SectionId)
                            .to(Named::Section, Named::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, lead) in [
            ("idx_article_feed", None),
            ("idx_article_section", Some(Article::SectionId)),
            ("idx_article_language", Some(Article::Language)),
        ] {
            let mut index = Index::create();
            index.name(name).table(Article::Table);
            if let Some(lead) = lead {
                index.col(lead);
            }
            index.col(Article::PublishedAt).col(Named::Id);
            manager.create_index(index).await?;
        }

        for (link, target, target_id) in [
            (Link::ArticlePerson, Named::Person, Link::PersonId),
            (Link::ArticleCountry, Named::Country, Link::CountryId),
            (Link::ArticleTopic, Named::Topic, Link::TopicId),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(link)
                        .col(big_integer(Link::ArticleId))
                        .col(big_integer(target_id))
                        .col(integer(Link::Position))
                        .col(big_integer(Article::PublishedAt))
                        .primary_key(Index::create().col(Link::ArticleId).col(target_id))
                        .foreign_key(
                            ForeignKey::create()
                                .from(link, Link::ArticleId)
                                .to(Article::Table, Named::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(link, target_id)
                                .to(target, Named::Id)
                                .on_delete(ForeignKeyAction::Restrict),
                        )
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("idx_{}_listing", link.to_string()))
                        .table(link)
                        .col(target_id)
                        .col(Article::PublishedAt)
                        .col(Link::ArticleId)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Link::ArticleRelated)
                    .col(big_integer(Link::ArticleId))
                    .col(big_integer(Link::RelatedId))
                    .col(integer(Link::Position))
                    .primary_key(Index::create().col(Link::ArticleId).col(Link::RelatedId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Link::ArticleRelated, Link::ArticleId)
                            .to(Article::Table, Named::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Link::ArticleRelated, Link::RelatedId)
                            .to(Article::Table, Named::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_article_related_target")
                    .table(Link::ArticleRelated)
                    .col(Link::RelatedId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Link::ArticleRelated.into_iden(),
            Link::ArticleTopic.into_iden(),
            Link::ArticleCountry.into_iden(),
            Link::ArticlePerson.into_iden(),
            Article::Table.into_iden(),
            Named::Person.into_iden(),
            Named::Topic.into_iden(),
            Named::Country.into_iden(),
            Named::Section.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Tables keyed by a slug or code, and the columns they share.
#[derive(DeriveIden, Clone, Copy, PartialEq, Eq)]
enum Named {
    Section,
    Country,
    Person,
    Topic,
    Id,
    Slug,
    Code,
    Name,
    Description,
}

#[derive(DeriveIden)]
enum Person {
    Role,
    CountryId,
}

#[derive(DeriveIden)]
enum Article {
    Table,
    Title,
    Lead,
    Body,
    PublishedAt,
    PublishedOffset,
    UpdatedAt,
    UpdatedOffset,
    Status,
    SectionId,
    Language,
}

#[derive(DeriveIden, Clone, Copy)]
enum Link {
    ArticlePerson,
    ArticleCountry,
    ArticleTopic,
    ArticleRelated,
    ArticleId,
    PersonId,
    CountryId,
    TopicId,
    RelatedId,
    Position,
}
