//! The content version: bumped by every import, read by servers to follow changes made by
//! other processes.

use entity::content_version;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

const ROW: i32 = 1;

pub async fn current(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = content_version::Entity::find_by_id(ROW).one(db).await?;
    Ok(row.map_or(0, |row| row.version))
}

/// Counts one more change; call it inside the transaction that makes the change.
pub async fn bump(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    content_version::Entity::update_many()
        .col_expr(
            content_version::Column::Version,
            Expr::col(content_version::Column::Version).add(1),
        )
        .filter(content_version::Column::Id.eq(ROW))
        .exec(db)
        .await?;
    Ok(())
}
