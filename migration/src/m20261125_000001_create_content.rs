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
                    .foreign_key(&mut references(
                        (Named::Person, Person::CountryId),
                        Named::Country,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_person_country",
                Named::Person,
                [Person::CountryId],
            ))
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
                    .foreign_key(&mut references(
                        (Article::Table, Article::SectionId),
                        Named::Section,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        let feed = [Article::PublishedAt.into_iden(), Named::Id.into_iden()];
        manager
            .create_index(index("idx_article_feed", Article::Table, feed.clone()))
            .await?;
        for (name, key) in [
            ("idx_article_section", Article::SectionId),
            ("idx_article_language", Article::Language),
        ] {
            let mut columns = vec![key.into_iden()];
            columns.extend(feed.iter().cloned());
            manager
                .create_index(index(name, Article::Table, columns))
                .await?;
        }

        // Topic, person and country listings page straight off (key, published_at, article_id),
        // so those link tables carry a copy of the article's publication time.
        for (link, target, target_id, listed) in [
            (
                Link::ArticlePerson,
                Named::Person.into_iden(),
                Link::PersonId,
                true,
            ),
            (
                Link::ArticleCountry,
                Named::Country.into_iden(),
                Link::CountryId,
                true,
            ),
            (
                Link::ArticleTopic,
                Named::Topic.into_iden(),
                Link::TopicId,
                true,
            ),
            (
                Link::ArticleRelated,
                Article::Table.into_iden(),
                Link::RelatedId,
                false,
            ),
        ] {
            let on_delete = if listed {
                ForeignKeyAction::Restrict
            } else {
                ForeignKeyAction::Cascade
            };
            let mut create = Table::create();
            create
                .table(link)
                .col(big_integer(Link::ArticleId))
                .col(big_integer(target_id))
                .col(integer(Link::Position));
            if listed {
                create.col(big_integer(Article::PublishedAt));
            }
            create
                .primary_key(Index::create().col(Link::ArticleId).col(target_id))
                .foreign_key(&mut references(
                    (link, Link::ArticleId),
                    Article::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut references((link, target_id), target, on_delete));
            manager.create_table(create).await?;
            let columns = if listed {
                vec![
                    target_id.into_iden(),
                    Article::PublishedAt.into_iden(),
                    Link::ArticleId.into_iden(),
                ]
            } else {
                vec![target_id.into_iden()]
            };
            manager
                .create_index(index(
                    &format!("idx_{}_target", link.to_string()),
                    link,
                    columns,
                ))
                .await?;
        }
        Ok(())
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

/// A foreign key from `from` (table, column) to the `id` of `to`.
fn references(
    from: (impl IntoIden, impl IntoIden),
    to: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to, Named::Id)
        .on_delete(on_delete)
        .to_owned()
}

fn index<C: IntoIden>(
    name: &str,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = C>,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column.into_iden());
    }
    index.to_owned()
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
