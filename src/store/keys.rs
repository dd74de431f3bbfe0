//! API keys as stored: only their public id and a hash of their secret.

use entity::api_key::{self, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};

pub async fn create(
    db: &impl ConnectionTrait,
    name: &str,
    role: Role,
    public_id: String,
    secret_hash: Vec<u8>,
    now: i64,
) -> Result<api_key::Model, DbErr> {
    api_key::ActiveModel {
        public_id: Set(public_id),
        name: Set(name.to_owned()),
        role: Set(role),
        secret_hash: Set(secret_hash),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn find_by_public_id(
    db: &impl ConnectionTrait,
    public_id: &str,
) -> Result<Option<api_key::Model>, DbErr> {
    api_key::Entity::find()
        .filter(api_key::Column::PublicId.eq(public_id))
        .one(db)
        .await
}

/// Every key, revoked ones included, oldest first.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<api_key::Model>, DbErr> {
    api_key::Entity::find()
        .order_by_asc(api_key::Column::Id)
        .all(db)
        .await
}

/// Revokes the key named by its public id; false when there is no such key still in use.
pub async fn revoke(db: &impl ConnectionTrait, public_id: &str, now: i64) -> Result<bool, DbErr> {
    let result = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, now.into())
        .filter(api_key::Column::PublicId.eq(public_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}
