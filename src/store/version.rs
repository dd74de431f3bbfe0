//! The content version: bumped by every import and write, read by servers to follow changes
//! made by other processes, and the sequence of the delta-sync log.

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

/// Counts one more change and gives the new version; call it first in the transaction that
/// makes the change. Its row stays locked until that transaction ends, so writers take
/// versions in the order they commit.
pub async fn bump(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    content_version::Entity::update_many()
        .col_expr(
            content_version::Column::Version,
            Expr::col(content_version::Column::Version).add(1),
        )
        .filter(content_version::Column::Id.eq(ROW))
        .exec(db)
        .await?;
    current(db).await
}
