//! Lookups shared by the keyed catalogues: a row by natural key, and all rows.

use async_graphql::{Context, ErrorExtensions, Result};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::{error::AppError, store::catalog};

pub async fn one<E: EntityTrait, O: From<E::Model>>(
    ctx: &Context<'_>,
    key: E::Column,
    value: &str,
) -> Result<Option<O>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let found = catalog::find_by_key::<E>(db, key, value)
        .await
        .map_err(|e| AppError::from(e).extend())?;
    Ok(found.map(O::from))
}

pub async fn all<E: EntityTrait, O: From<E::Model>>(
    ctx: &Context<'_>,
    key: E::Column,
) -> Result<Vec<O>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let rows = catalog::all::<E>(db, key)
        .await
        .map_err(|e| AppError::from(e).extend())?;
    Ok(rows.into_iter().map(O::from).collect())
}
