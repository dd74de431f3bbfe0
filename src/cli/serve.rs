use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use metrics_exporter_prometheus::PrometheusBuilder;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::{
    app::{self, AppState},
    config::{DatabaseConfig, ServeConfig},
    database,
    graphql::schema,
    related,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Import this NDJSON file before serving (idempotent, so safe on every start).
    #[arg(long, value_name = "FILE")]
    import: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseConfig,
    #[command(flatten)]
    serve: ServeConfig,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("VISTKA_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let metrics = PrometheusBuilder::new()
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    let db = database::connect_and_migrate(&args.database).await?;
    if let Some(file) = &args.import {
        super::import::load(&db, file).await?;
    }
    let related = related::refresh::start(db.clone(), Duration::from_millis(args.serve.refresh_ms))
        .await
        .context("cannot load the related-articles index")?;
    let state = AppState {
        schema: schema::build(args.serve.limits, args.serve.site, related),
        db,
        metrics,
        max_body_bytes: args.serve.max_body_bytes,
    };
    let listener = TcpListener::bind(args.serve.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.serve.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!("listening on http://{addr}/graphql");
    axum::serve(listener, app::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C; in-flight requests then finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
