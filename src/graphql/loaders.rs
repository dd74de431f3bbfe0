//! DataLoaders: every relation of a page is fetched with one query per batch, so a page of 100
//! articles costs the same few statements as a page of 10.

use std::{collections::HashMap, marker::PhantomData, sync::Arc};

use async_graphql::dataloader::Loader;
use sea_orm::{DatabaseConnection, EntityTrait, Related};

use crate::{error::AppError, store};

/// Rows of `E` by id.
#[derive(Debug)]
pub struct ByIdLoader<E: EntityTrait> {
    db: DatabaseConnection,
    id: E::Column,
}

impl<E: EntityTrait> ByIdLoader<E> {
    pub fn new(db: DatabaseConnection, id: E::Column) -> Self {
        Self { db, id }
    }
}

impl<E> Loader<i64> for ByIdLoader<E>
where
    E: EntityTrait,
    E::Model: Sync,
{
    type Value = E::Model;
    type Error = Arc<AppError>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, E::Model>, Self::Error> {
        store::catalog::find_by_ids::<E>(&self.db, self.id, ids)
            .await
            .map_err(|error| Arc::new(error.into()))
    }
}

/// The `T`s that link table `L` attaches to each article, in list order.
#[derive(Debug)]
pub struct LinkedLoader<L: EntityTrait, T> {
    db: DatabaseConnection,
    article_id: L::Column,
    position: L::Column,
    target: PhantomData<fn() -> T>,
}

impl<L: EntityTrait, T> LinkedLoader<L, T> {
    pub fn new(db: DatabaseConnection, article_id: L::Column, position: L::Column) -> Self {
        Self {
            db,
            article_id,
            position,
            target: PhantomData,
        }
    }
}

impl<L, T> Loader<i64> for LinkedLoader<L, T>
where
    L: EntityTrait + Related<T>,
    T: EntityTrait,
    T::Model: Sync,
{
    type Value = Vec<T::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<T::Model>>, Self::Error> {
        let rows = store::article::linked::<L, T>(&self.db, self.article_id, self.position, ids)
            .await
            .map_err(|error| Arc::new(AppError::from(error)))?;
        let mut lists: HashMap<i64, Vec<T::Model>> = HashMap::new();
        for (article_id, target) in rows {
            lists.entry(article_id).or_default().push(target);
        }
        Ok(lists)
    }
}
