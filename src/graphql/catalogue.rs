//! Lookups shared by the keyed catalogues: a row by natural key, and all rows.

mod mutation;

use async_graphql::{Context, ErrorExtensions, Result};
use sea_orm::EntityTrait;

use super::reader::Reader;
use crate::{error::AppError, store::catalog};

pub use mutation::CatalogueMutation;

pub async fn one<E: EntityTrait, O: From<E::Model>>(
    ctx: &Context<'_>,
    key: E::Column,
    value: &str,
) -> Result<Option<O>> {
    let db = Reader::of(ctx)?;
    let found = catalog::find_by_key::<E>(&db, key, value)
        .await
        .map_err(|e| AppError::from(e).extend())?;
    Ok(found.map(O::from))
}

pub async fn all<E: EntityTrait, O: From<E::Model>>(
    ctx: &Context<'_>,
    key: E::Column,
) -> Result<Vec<O>> {
    let db = Reader::of(ctx)?;
    let rows = catalog::all::<E>(&db, key)
        .await
        .map_err(|e| AppError::from(e).extend())?;
    Ok(rows.into_iter().map(O::from).collect())
}
