//! Read transactions that see one consistent state of the database, for reads spanning many
//! statements (export, loading the related-articles index).

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, IsolationLevel, TransactionTrait,
};

/// PostgreSQL needs REPEATABLE READ for every statement of a transaction to see the same
/// snapshot (its default gives each statement its own); SQLite's read transactions already do,
/// and it accepts no isolation level. This is the one place the backends differ.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), None)
                .await
        }
        _ => db.begin().await,
    }
}
