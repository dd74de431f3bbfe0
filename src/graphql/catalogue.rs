//! Lookups shared by the keyed catalogues: a row by natural key, and all rows.

use async_graphql::{Context, ErrorExtensions, Result};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::{error::AppError, store::catalog};

pub async fn one<E: EntityTrait, O>(
    ctx: &Context<'_>,
    key: E::Column,
    value: &str,
    wrap: fn(E::Model) -> O,
) -> Result<Option<O>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let found = catalog::find_by_key::<E>(db, key, value)
        .await
        .map_err(|e| AppError::from(e).extend())?;
    Ok(found.map(wrap))
}

pub async fn all<E: EntityTrait, O>(
    ctx: &Context<'_>,
    key: E::Column,
    wrap: fn(E::Model) -> O,
) -> Result<Vec<O>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let rows = catalog::all::<E>(db, key)
        .await
        .map_err(|e| AppError::from(e).extend())?;
    Ok(rows.into_iter().map(wrap).collect())
}
