//! Connecting to the database and bringing its schema up to date.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait, SPARSE_ON_SQLITE};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, TransactionTrait,
    sqlx::sqlite::SqliteJournalMode,
};

use crate::{
    config::{DatabaseConfig, PoolConfig},
    store,
};

/// The PostgreSQL advisory lock key that serializes migrations ("vistka" in ASCII).
const MIGRATION_LOCK: i64 = 0x76_69_73_74_6b_61;

/// Name of the Prometheus counter of SQL statements run, exposed at `/metrics`.
pub const STATEMENTS_METRIC: &str = "vistka_db_statements_total";

pub async fn connect(url: &str, pool: PoolConfig) -> anyhow::Result<DatabaseConnection> {
    let timeout = Duration::from_millis(pool.connect_timeout_ms);
    let statement_timeout = pool.statement_timeout_ms;
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(pool.size_for(url))
        .connect_timeout(timeout)
        .acquire_timeout(timeout)
        .sqlx_logging(false)
        // WAL lets `vistka import` write while `vistka serve` keeps reading the same file;
        // the busy timeout makes a second writer wait instead of failing at once.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        })
        .map_sqlx_postgres_opts(move |opts| {
            opts.options([("statement_timeout", statement_timeout.to_string())])
        });
    let mut db = Database::connect(options)
        .await
        .with_context(|| format!("cannot connect to {}", redacted(url)))?;
    db.set_metric_callback(|info| {
        metrics::counter!(STATEMENTS_METRIC).increment(1);
        tracing::debug!(target: "vistka::sql", elapsed = ?info.elapsed, failed = info.failed, "{}", info.statement);
    });
    Ok(db)
}

pub async fn connect_and_migrate(config: &DatabaseConfig) -> anyhow::Result<DatabaseConnection> {
    let db = connect(&config.database_url, config.pool).await?;
    migrate(&db).await?;
    Ok(db)
}

/// Brings the schema up to date, and the search index with it (articles of a database made
/// before search, or indexed by an older stemmer, are indexed here). Processes starting
/// together (servers, an import) migrate one at a time, each in one transaction: on PostgreSQL
/// an advisory lock queues them, on SQLite the write lock taken by the migrator's first
/// statement does. On SQLite, migrations that leave the file sparse are followed by [`compact`].
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await?;
    }
    let sparse = db.get_database_backend() == DbBackend::Sqlite
        && Migrator::get_pending_migrations(&txn)
            .await?
            .iter()
            .any(|pending| SPARSE_ON_SQLITE.contains(&pending.name()));
    Migrator::up(&txn, None)
        .await
        .context("cannot migrate the database")?;
    let indexed = store::search::backfill(&txn)
        .await
        .context("cannot fill the search index")?;
    if indexed > 0 {
        store::version::bump(&txn).await?;
        tracing::info!("indexed {indexed} articles for search");
    }
    txn.commit().await?;
    if sparse {
        compact(db).await;
    }
    Ok(())
}

/// Rebuilds an SQLite file after migrations that left it sparse ([`SPARSE_ON_SQLITE`]): the
/// rows they rewrote pack a page again, and the pages they freed go back to the file system.
/// It waits for every other connection to the file; if another process holds it too long, the
/// file stays as it is, correct but larger and slower to read, until compacted by hand.
async fn compact(db: &DatabaseConnection) {
    tracing::info!("compacting the database file after migrating it");
    if let Err(error) = db.execute_unprepared("VACUUM").await {
        tracing::warn!(
            %error,
            "cannot compact the database file now; run `VACUUM` on it (e.g. `sqlite3 FILE VACUUM`) while no server has it open"
        );
    }
}

/// The URL without its password, fit for error messages and logs.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn redacted_hides_only_the_password() {
        assert_eq!(
            redacted("postgres://vistka:s3cret@127.0.0.1:5432/news"),
            "postgres://vistka:***@127.0.0.1:5432/news"
        );
        assert_eq!(
            redacted("sqlite://vistka.db?mode=rwc"),
            "sqlite://vistka.db?mode=rwc"
        );
    }
}
