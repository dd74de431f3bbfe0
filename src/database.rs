//! Connecting to the database and bringing its schema up to date.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, sqlx::sqlite::SqliteJournalMode};

use crate::config::DatabaseConfig;

/// Name of the Prometheus counter of SQL statements run, exposed at `/metrics`.
pub const STATEMENTS_METRIC: &str = "vistka_db_statements_total";

pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(&config.database_url);
    options
        .sqlx_logging(false)
        // WAL lets `vistka import` write while `vistka serve` keeps reading the same file;
        // the busy timeout makes a second writer wait instead of failing at once.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    let mut db = Database::connect(options)
        .await
        .with_context(|| format!("cannot connect to {}", redacted(&config.database_url)))?;
    db.set_metric_callback(|info| {
        metrics::counter!(STATEMENTS_METRIC).increment(1);
        tracing::debug!(target: "vistka::sql", elapsed = ?info.elapsed, failed = info.failed, "{}", info.statement);
    });
    Ok(db)
}

pub async fn connect_and_migrate(config: &DatabaseConfig) -> anyhow::Result<DatabaseConnection> {
    let db = connect(config).await?;
    Migrator::up(&db, None)
        .await
        .context("cannot migrate the database")?;
    Ok(db)
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
