//! Imports into PostgreSQL, each into a database of its own, made for it and dropped after, so
//! that every size starts from an empty database as on SQLite.

use std::{path::Path, time::Duration};

use anyhow::Context;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::server;

/// Runs `vistka import FILE` into a new database on the server `admin` names; returns how long
/// it took and its peak memory in bytes.
pub async fn import(admin: &str, file: &Path) -> anyhow::Result<(Duration, u64)> {
    let mut url = reqwest::Url::parse(admin).context("--postgres is not a URL")?;
    let name = format!("vistka_bench_{}", std::process::id());
    url.set_path(&name);
    let mut server = PgConnection::connect(admin)
        .await
        .context("connect to PostgreSQL")?;
    execute(&mut server, format!("DROP DATABASE IF EXISTS {name}")).await?;
    execute(&mut server, format!("CREATE DATABASE {name}")).await?;
    let imported = server::import(url.as_str(), file);
    execute(&mut server, format!("DROP DATABASE {name} WITH (FORCE)")).await?;
    imported
}

/// Runs a statement naming the database: the name is this process's number, nothing to escape.
async fn execute(server: &mut PgConnection, sql: String) -> anyhow::Result<()> {
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(server).await?;
    Ok(())
}
