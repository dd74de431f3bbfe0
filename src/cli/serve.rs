use std::{future::Future, net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::{
    app::{self, AppState, Ready, Settings},
    config::{DatabaseConfig, PoolConfig, ServeConfig},
    database,
    graphql::{editing::Writes, schema},
    live, related,
    syndication::Site,
    webhooks,
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

/// Listens at once, then reaches the database, patiently if it is down, and only then reports
/// ready and answers GraphQL.
pub async fn run(args: Args) -> anyhow::Result<()> {
    // Webhooks are sent over rustls with the same cryptography as database connections.
    rustls::crypto::ring::default_provider()
        .install_default()
        .map_err(|_| anyhow::anyhow!("cannot install the TLS provider"))?;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("VISTKA_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let metrics = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(app::LATENCY_METRIC.to_owned()),
            &[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ],
        )
        .context("cannot configure the metrics")?
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    let listener = TcpListener::bind(args.serve.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.serve.addr))?;
    let addr = listener.local_addr()?;
    let settings = Settings {
        cache_max_age: args.serve.http.cache_max_age,
        max_nesting: args.serve.limits.max_nesting,
        answer_cache_mb: args.serve.http.answer_cache_mb,
    };
    let site = Site::new(&args.serve.syndication, args.serve.site.time_zone);
    let state = AppState::new(metrics, settings, site);
    let router = app::router(state.clone(), &args.serve.http, args.serve.max_body_bytes);
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .into_future();
    tracing::info!("listening on http://{addr}/graphql");
    let mut server = std::pin::pin!(server);
    tokio::select! {
        stopped = &mut server => return stopped.context("server failed"),
        started = start(&args, &state) => started?,
    }
    tracing::info!("ready");
    server.await.context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}

async fn start(args: &Args, state: &AppState) -> anyhow::Result<()> {
    let pool = args.database.pool;
    let writes = patiently("connect", || {
        database::connect(&args.database.database_url, pool)
    })
    .await;
    patiently("migrate", || database::migrate(&writes)).await;
    if let Some(file) = &args.import {
        // On a connection of its own: the import enlarges its connection's page cache for the
        // bulk write, and a pooled connection would keep that size while serving afterwards.
        let alone = PoolConfig {
            size: Some(1),
            ..pool
        };
        let importer = database::connect(&args.database.database_url, alone).await?;
        super::import::load(&importer, file).await?;
        importer.close().await?;
    }
    let reads = match &args.serve.database_read_url {
        Some(url) => {
            patiently("connect to the read replica", || {
                database::connect(url, pool)
            })
            .await
        }
        None => writes.clone(),
    };
    let interval = Duration::from_millis(args.serve.refresh_ms);
    let (index, refresher) = patiently("load the related-articles index", || async {
        related::refresh::start(reads.clone(), interval)
            .await
            .context("cannot load the related-articles index")
    })
    .await;
    let options = schema::Options {
        limits: args.serve.limits,
        introspection: args.serve.http.introspection,
        site: args.serve.site,
    };
    let dispatcher = webhooks::start(writes.clone(), args.serve.webhooks)
        .context("cannot start sending webhooks")?;
    let live = live::start(reads.clone(), index.clone(), interval);
    state.set_ready(Ready {
        schema: schema::build(options, index.clone(), live.clone()),
        live,
        reads,
        writes: Writes {
            db: writes,
            index: index.clone(),
            refresher,
            dispatcher,
        },
        index,
    });
    Ok(())
}

/// Runs `attempt` until it succeeds, waiting twice as long after each failure, up to ten
/// seconds: the database may come up after the server.
async fn patiently<T, F, Fut>(what: &str, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let mut wait = Duration::from_millis(250);
    loop {
        match attempt().await {
            Ok(value) => return value,
            Err(error) => {
                tracing::warn!("cannot {what} yet: {error:#}; trying again in {wait:?}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
    }
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
