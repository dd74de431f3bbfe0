//! Transactions: reads that see one consistent state of the database across many statements
//! (a GraphQL request, an export, loading the related-articles index), and writes.

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    IsolationLevel, SqliteTransactionMode, TransactionOptions, TransactionTrait,
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

/// A transaction that writes. On SQLite it takes the write lock at BEGIN: a deferred one that
/// reads first fails at its first write, without waiting, whenever another writer committed in
/// between (SQLite cannot move its snapshot forward); taken at BEGIN, the lock is waited for.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// A write transaction for a bulk import: [`begin_write`], with the memory a large write needs.
/// SQLite keeps up to 256 MiB of pages in the import's connection's cache instead of 2 MiB, so
/// that a write larger than the cache does not spill pages to its log and read them back.
/// PostgreSQL gets 256 MiB of `work_mem` for the transaction: its full-text (GIN) index merges
/// the terms of newly written rows into the index in memory of that size. SQLite's cache size
/// outlives the transaction: run it on a connection closed afterwards, not a pooled one that
/// goes on serving (`vistka import` is a process of its own; `serve --import` connects apart).
pub async fn begin_bulk_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = begin_write(db).await?;
    let setting = match db.get_database_backend() {
        DbBackend::Postgres => "SET LOCAL work_mem = '256MB'",
        _ => "PRAGMA cache_size = -262144",
    };
    txn.execute_unprepared(setting).await?;
    Ok(txn)
}
