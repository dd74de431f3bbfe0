//! Transactions: reads that see one consistent state of the database across many statements
//! (a GraphQL request, an export, loading the related-articles index), and writes.

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    IsolationLevel, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
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
/// the terms of newly written rows into the index in memory of that size. It merges them each
/// time its list of pending terms reaches `gin_pending_list_limit`; at 64 MiB instead of 4 MiB
/// each merge folds more articles' postings of one term into one write, and 100,000 articles
/// import in 46–50 s instead of 49–56 s (four alternated pairs). SQLite's cache size outlives
/// the transaction: run it on a connection closed afterwards, not a pooled one that goes on
/// serving (`vistka import` is a process of its own; `serve --import` connects apart). End it
/// with [`commit_bulk_write`].
pub async fn begin_bulk_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = begin_write(db).await?;
    let setting = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SET LOCAL work_mem = '256MB'; SET LOCAL gin_pending_list_limit = '64MB'"
        }
        _ => "PRAGMA cache_size = -262144",
    };
    txn.execute_unprepared(setting).await?;
    Ok(txn)
}

/// Commits a [`begin_bulk_write`] transaction. On PostgreSQL it first merges the terms still
/// pending into the full-text index: every search reads the whole pending list, which a bulk
/// write leaves up to 64 MiB long. Only the index's owner may merge it; for any other role the
/// list waits for autovacuum.
pub async fn commit_bulk_write(txn: DatabaseTransaction) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(
            "SELECT gin_clean_pending_list(oid) FROM pg_class \
             WHERE oid = 'idx_article_document_terms'::regclass AND pg_has_role(relowner, 'USAGE')",
        )
        .await?;
    }
    txn.commit().await
}

/// How a bulk write reaches an SQLite file.
///
/// Through the write-ahead log (WAL), every page is written twice: to the log, then, at the
/// checkpoint after the commit, into the file. With a rollback journal a transaction writes its
/// pages straight into the file, and a page past the file's old end needs no journal copy, since
/// undoing it is cutting the file back: an import into a new or small database writes its pages
/// once. Readers cannot share the file with such a writer, so only a connection that has the
/// file to itself leaves WAL mode; with any other connection open SQLite refuses at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Journal {
    /// The write goes through the WAL, as every other write does. Always so on PostgreSQL.
    Wal,
    /// The file is in rollback-journal mode until [`resume_wal`].
    Rollback,
}

/// Leaves WAL mode for a bulk write when `db`, a pool of one connection, is the only connection
/// to the SQLite file; otherwise (another process or pooled connection has it open, or the
/// database is PostgreSQL) the write goes through the WAL.
pub async fn journal_for_bulk_write(db: &DatabaseConnection) -> Journal {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Journal::Wal;
    }
    match journal_mode(db, "DELETE").await.as_deref() {
        Ok("delete") => Journal::Rollback,
        _ => Journal::Wal,
    }
}

/// Puts the file back in WAL mode after a bulk write in [`Journal::Rollback`], so that readers
/// and a writer can share it again. Every connection vistka opens asks for WAL mode as well, so
/// a file this fails to switch back is switched by the next connection that has it alone.
pub async fn resume_wal(db: &DatabaseConnection, journal: Journal) -> Result<(), DbErr> {
    if journal == Journal::Rollback {
        journal_mode(db, "WAL").await?;
    }
    Ok(())
}

/// Sets SQLite's journal mode; returns the mode it is in afterwards.
async fn journal_mode(db: &DatabaseConnection, mode: &str) -> Result<String, DbErr> {
    let pragma = format!("PRAGMA journal_mode = {mode}");
    db.query_one_raw(Statement::from_string(DbBackend::Sqlite, pragma))
        .await?
        .ok_or_else(|| DbErr::Custom("PRAGMA journal_mode answered no row".into()))?
        .try_get_by_index(0)
}
