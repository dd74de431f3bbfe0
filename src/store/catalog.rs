//! Reads shared by the keyed catalogues: sections, countries, people and topics.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter, QuerySelect, Value,
};

use super::CHUNK;

/// All rows, in byte order of their natural key. Sorting happens here rather than in SQL
/// because collations differ between backends (PostgreSQL's may ignore hyphens).
pub async fn all<E: EntityTrait>(
    db: &impl ConnectionTrait,
    key: E::Column,
) -> Result<Vec<E::Model>, DbErr> {
    let mut rows = E::find().all(db).await?;
    rows.sort_by_cached_key(|model| match model.get(key) {
        Value::String(Some(key)) => key,
        _ => String::new(),
    });
    Ok(rows)
}

pub async fn find_by_key<E: EntityTrait>(
    db: &impl ConnectionTrait,
    key: E::Column,
    value: &str,
) -> Result<Option<E::Model>, DbErr> {
    E::find().filter(key.eq(value)).one(db).await
}

/// The rows whose natural key is among `keys`.
pub async fn find_by_keys<E: EntityTrait>(
    db: &impl ConnectionTrait,
    key: E::Column,
    keys: &[&str],
) -> Result<Vec<E::Model>, DbErr> {
    let mut found = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        found.extend(
            E::find()
                .filter(key.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    Ok(found)
}

/// Rows by id, keyed by id: what a DataLoader batch needs.
pub async fn find_by_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    ids: &[i64],
) -> Result<HashMap<i64, E::Model>, DbErr> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for model in E::find()
            .filter(id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            if let Value::BigInt(Some(model_id)) = model.get(id) {
                found.insert(model_id, model);
            }
        }
    }
    Ok(found)
}

/// Ids of the rows whose natural key is among `keys`; absent keys are simply missing.
pub async fn ids_by_key<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    key: E::Column,
    keys: &[&str],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let rows: Vec<(String, i64)> = E::find()
            .select_only()
            .column(key)
            .column(id)
            .filter(key.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}
