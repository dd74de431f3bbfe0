//! Read transactions that see one consistent state of the database, for reads spanning many
//! statements: a GraphQL request, an export, loading the related-articles index.

use sea_orm::{
    AccessMode, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, IsolationLevel,
    TransactionTrait,
};

/// PostgreSQL needs REPEATABLE READ for every statement of a transaction to see the same
/// snapshot (its default gives each statement its own), and READ ONLY guards against writes;
/// SQLite's read transactions see one snapshot already and take neither setting. This is the
/// one place the backends differ.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
        }
        _ => db.begin().await,
    }
}
