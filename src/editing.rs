//! Changing content through the API. A change is checked by the code that checks an import line,
//! with the same messages, and written by the import's own write path, in one transaction that
//! also bumps the content version and queues the webhook events it causes: a refused change
//! leaves everything as it was.

use std::collections::HashMap;

use entity::{article, country, person, section, topic};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde_json::{Map, Value};

use crate::{
    error::{AppError, FieldProblem},
    store::{catalog, editing, search, snapshot, sync, version},
    timestamp::Timestamp,
    transfer::{
        export,
        import::{self, ImportError},
        line::{self, Kind, Line},
        validate::{self, Problem},
    },
    webhooks,
};

/// A field of a change: its name in the interchange format, and its value there.
pub type Fields = Map<String, Value>;

/// What a committed change left: the thing's key now, and the content version it made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    pub key: String,
    pub version: i64,
}

/// Adds a new section, country, person, topic or article, given as the fields of a line.
pub async fn create(
    db: &DatabaseConnection,
    kind: Kind,
    mut fields: Fields,
    now: Timestamp,
) -> Result<Saved, AppError> {
    fields.insert("type".into(), kind.name().into());
    let line = validate::check(1, fields).map_err(rejected)?;
    let (txn, version) = begin(db).await?;
    let key = line.key().1.to_owned();
    if find(&txn, kind, &key).await?.is_some() {
        return Err(taken(kind, &key));
    }
    write(&txn, None, line, (now, version)).await?;
    commit(txn, key, version).await
}

/// Changes a stored thing: `change` sees it as a line and gives the fields to set (`null`
/// clears an optional field). A change that changes nothing writes nothing. An article's
/// `updated_at` becomes now unless the change sets it. A new key renames the thing; an
/// article's old slug keeps resolving to it.
pub async fn update(
    db: &DatabaseConnection,
    kind: Kind,
    key: &str,
    now: Timestamp,
    change: impl FnOnce(&Line) -> Result<Fields, AppError>,
) -> Result<Saved, AppError> {
    let (txn, version) = begin(db).await?;
    let (id, before) = find(&txn, kind, key)
        .await?
        .ok_or_else(|| missing(kind, key))?;
    let mut fields = match serde_json::to_value(&before) {
        Ok(Value::Object(fields)) => fields,
        _ => return Err(anyhow::anyhow!("a line is a JSON object").into()),
    };
    let change = change(&before)?;
    let dated = change.contains_key("updated_at");
    for (field, value) in change {
        if value.is_null() {
            fields.remove(&field);
        } else {
            fields.insert(field, value);
        }
    }
    let mut after = validate::check(1, fields).map_err(rejected)?;
    if after == before {
        // Rolled back, the transaction takes its version bump with it.
        txn.rollback().await?;
        return Ok(Saved {
            key: key.to_owned(),
            version: version::current(db).await?,
        });
    }
    if let Line::Article(article) = &mut after
        && !dated
    {
        article.updated_at = Some(now);
    }
    let new_key = after.key().1.to_owned();
    if new_key != key {
        if find(&txn, kind, &new_key).await?.is_some() {
            return Err(taken(kind, &new_key));
        }
        rename(&txn, kind, id, &new_key).await?;
        if kind == Kind::Article {
            editing::remember_old_slug(&txn, key, id).await?;
            sync::record_slugs(&txn, &[key], version).await?;
        }
    }
    write(&txn, Some(before), after, (now, version)).await?;
    commit(txn, new_key, version).await
}

/// Deletes a stored thing. Articles take their links and old slugs with them; a section,
/// country, person or topic still named by anything is kept, and the error says by how much.
pub async fn delete(
    db: &DatabaseConnection,
    kind: Kind,
    key: &str,
    now: Timestamp,
) -> Result<Saved, AppError> {
    let (txn, version) = begin(db).await?;
    let (id, before) = find(&txn, kind, key)
        .await?
        .ok_or_else(|| missing(kind, key))?;
    let uses = match kind {
        Kind::Article => 0,
        Kind::Section => {
            editing::count_naming::<article::Entity>(&txn, article::Column::SectionId, id).await?
        }
        Kind::Person => {
            editing::count_naming::<entity::article_person::Entity>(
                &txn,
                entity::article_person::Column::PersonId,
                id,
            )
            .await?
        }
        Kind::Topic => {
            editing::count_naming::<entity::article_topic::Entity>(
                &txn,
                entity::article_topic::Column::TopicId,
                id,
            )
            .await?
        }
        Kind::Country => {
            editing::count_naming::<entity::article_country::Entity>(
                &txn,
                entity::article_country::Column::CountryId,
                id,
            )
            .await?
                + editing::count_naming::<person::Entity>(&txn, person::Column::CountryId, id)
                    .await?
        }
    };
    if uses > 0 {
        let named_by = match (kind, uses) {
            (Kind::Country, 1) => "article or person",
            (Kind::Country, _) => "articles and people",
            (_, 1) => "article",
            _ => "articles",
        };
        return Err(AppError::Conflict(format!(
            "{} {key:?} is still named by {uses} {named_by}: remove it from them first",
            kind.name(),
        )));
    }
    match kind {
        Kind::Section => editing::delete::<section::Entity>(&txn, section::Column::Id, id).await?,
        Kind::Country => editing::delete::<country::Entity>(&txn, country::Column::Id, id).await?,
        Kind::Person => editing::delete::<person::Entity>(&txn, person::Column::Id, id).await?,
        Kind::Topic => editing::delete::<topic::Entity>(&txn, topic::Column::Id, id).await?,
        Kind::Article => {
            editing::delete::<article::Entity>(&txn, article::Column::Id, id).await?;
            // Foreign keys cannot reach SQLite's full-text table: its row goes here.
            search::reindex(&txn, &[id]).await?;
            sync::record_slugs(&txn, &[key], version).await?;
        }
    }
    if let Line::Article(before) = &before {
        webhooks::enqueue(&txn, Some(before), None, now.micros).await?;
    }
    commit(txn, key.to_owned(), version).await
}

/// The stored thing of `kind` with natural key `key`, as its id and line.
pub async fn find(
    db: &DatabaseTransaction,
    kind: Kind,
    key: &str,
) -> Result<Option<(i64, Line)>, AppError> {
    Ok(match kind {
        Kind::Section => catalog::find_by_key::<section::Entity>(db, section::Column::Slug, key)
            .await?
            .map(|s| {
                let line = Line::Section(line::Section {
                    slug: s.slug,
                    name: s.name,
                });
                (s.id, line)
            }),
        Kind::Country => catalog::find_by_key::<country::Entity>(db, country::Column::Code, key)
            .await?
            .map(|c| {
                let line = Line::Country(line::Country {
                    code: c.code,
                    name: c.name,
                });
                (c.id, line)
            }),
        Kind::Person => {
            let Some(p) =
                catalog::find_by_key::<person::Entity>(db, person::Column::Slug, key).await?
            else {
                return Ok(None);
            };
            let country = match p.country_id {
                Some(id) => catalog::find_by_ids::<country::Entity>(db, country::Column::Id, &[id])
                    .await?
                    .remove(&id)
                    .map(|c| c.code),
                None => None,
            };
            let line = Line::Person(line::Person {
                slug: p.slug,
                name: p.name,
                role: p.role,
                country,
            });
            Some((p.id, line))
        }
        Kind::Topic => catalog::find_by_key::<topic::Entity>(db, topic::Column::Slug, key)
            .await?
            .map(|t| {
                let line = Line::Topic(line::Topic {
                    slug: t.slug,
                    name: t.name,
                    description: t.description,
                });
                (t.id, line)
            }),
        Kind::Article => {
            let Some(a) =
                catalog::find_by_key::<article::Entity>(db, article::Column::Slug, key).await?
            else {
                return Ok(None);
            };
            let id = a.id;
            let sections: HashMap<i64, String> =
                catalog::find_by_ids::<section::Entity>(db, section::Column::Id, &[a.section_id])
                    .await?
                    .into_iter()
                    .map(|(id, s)| (id, s.slug))
                    .collect();
            export::article_lines(db, &sections, vec![a])
                .await?
                .pop()
                .map(|line| (id, Line::Article(line)))
        }
    })
}

async fn rename(db: &DatabaseTransaction, kind: Kind, id: i64, key: &str) -> Result<(), AppError> {
    match kind {
        Kind::Section => {
            editing::rename::<section::Entity>(
                db,
                section::Column::Id,
                section::Column::Slug,
                id,
                key,
            )
            .await?
        }
        Kind::Country => {
            editing::rename::<country::Entity>(
                db,
                country::Column::Id,
                country::Column::Code,
                id,
                key,
            )
            .await?
        }
        Kind::Person => {
            editing::rename::<person::Entity>(db, person::Column::Id, person::Column::Slug, id, key)
                .await?
        }
        Kind::Topic => {
            editing::rename::<topic::Entity>(db, topic::Column::Id, topic::Column::Slug, id, key)
                .await?
        }
        Kind::Article => {
            editing::rename::<article::Entity>(
                db,
                article::Column::Id,
                article::Column::Slug,
                id,
                key,
            )
            .await?
        }
    }
    Ok(())
}

/// Writes `after` as an import would, and queues what the change means to webhooks.
async fn write(
    txn: &DatabaseTransaction,
    before: Option<Line>,
    after: Line,
    (now, version): (Timestamp, i64),
) -> Result<(), AppError> {
    let event = match (&before, &after) {
        (Some(Line::Article(before)), Line::Article(after)) => Some((Some(before), after)),
        (None, Line::Article(after)) => Some((None, after)),
        _ => None,
    };
    if let Some((before, after)) = event {
        webhooks::enqueue(txn, before, Some(after), now.micros).await?;
    }
    match import::stage(txn, after.into(), version).await {
        Ok(_) => Ok(()),
        Err(ImportError::Rejected(problems)) => Err(rejected(problems)),
        Err(ImportError::Db(error)) => Err(error.into()),
        Err(ImportError::Io(error)) => Err(anyhow::Error::from(error).into()),
    }
}

/// A write transaction and the content version it makes, taken first: see `store::sync`.
async fn begin(db: &DatabaseConnection) -> Result<(DatabaseTransaction, i64), AppError> {
    let txn = snapshot::begin_write(db).await?;
    let version = version::bump(&txn).await?;
    Ok((txn, version))
}

async fn commit(txn: DatabaseTransaction, key: String, version: i64) -> Result<Saved, AppError> {
    txn.commit().await?;
    Ok(Saved { key, version })
}

/// Import's problems as the API names fields: `input.publishedAt`, `input.people[1]`.
fn rejected(problems: Vec<Problem>) -> AppError {
    AppError::Rejected(
        problems
            .into_iter()
            .map(|problem| FieldProblem {
                field: format!("input.{}", camel_case(&problem.field)),
                message: problem
                    .message
                    .replace("in the file or the database", "in the database"),
            })
            .collect(),
    )
}

fn camel_case(field: &str) -> String {
    let mut parts = field.split('_');
    let first = parts.next().unwrap_or_default().to_owned();
    parts.fold(first, |mut name, part| {
        let mut chars = part.chars();
        if let Some(initial) = chars.next() {
            name.extend(initial.to_uppercase());
            name.push_str(chars.as_str());
        }
        name
    })
}

fn missing(kind: Kind, key: &str) -> AppError {
    AppError::NotFound(format!("no {} {key:?}", kind.name()))
}

fn taken(kind: Kind, key: &str) -> AppError {
    AppError::Conflict(format!(
        "{}: {key:?} is already taken by another {}",
        camel_case(kind.key_field()),
        kind.name()
    ))
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn names_fields_as_graphql_does() {
        assert_eq!(camel_case("published_at"), "publishedAt");
        assert_eq!(camel_case("people[2]"), "people[2]");
        assert_eq!(camel_case("slug"), "slug");
    }
}
