//! The HTTP application: routes, the layers around them, and the state they share.

mod answers;
mod graphql;
mod limit;
mod live;
mod syndication;

use std::{
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Body,
    extract::{MatchedPath, State},
    http::{HeaderName, HeaderValue, Method, Request, StatusCode, header},
    middleware::{self, Next, map_response},
    response::Response,
    routing::get,
};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::{DatabaseConnection, DbBackend};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    config::HttpConfig,
    graphql::{editing::Writes, schema::VistkaSchema},
    live::Live,
    related::SharedIndex,
    syndication::Site,
};

use answers::Answers;
pub use graphql::ERRORS_METRIC;

/// What the routes share. The server listens before its database is reachable; until then
/// it answers `/healthz` but not `/readyz` or `/graphql`. Every request clones it (as each
/// handler's state, and with the route's service): one shared pointer makes that one atomic
/// increment, not one per field.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    ready: OnceLock<Ready>,
    metrics: PrometheusHandle,
    settings: Settings,
    answers: Answers,
    syndication: syndication::Syndication,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What the handlers need to know of the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub cache_max_age: u32,
    pub max_nesting: usize,
    pub answer_cache_mb: u64,
}

/// What serving GraphQL needs, there once the database is reached and migrated.
#[derive(Clone)]
pub struct Ready {
    pub schema: VistkaSchema,
    /// Where reads go: the read replica when there is one.
    pub reads: DatabaseConnection,
    /// Where writes and key checks go: the primary.
    pub writes: Writes,
    /// Announcements of newly published articles.
    pub live: Live,
    /// The related-articles index, whose version also says when cached answers go stale.
    pub index: SharedIndex,
}

impl AppState {
    pub fn new(metrics: PrometheusHandle, settings: Settings, site: Site) -> Self {
        Self(Arc::new(Shared {
            ready: OnceLock::new(),
            metrics,
            settings,
            answers: Answers::new(settings.answer_cache_mb),
            syndication: syndication::Syndication::new(site, settings.answer_cache_mb),
        }))
    }

    pub fn set_ready(&self, ready: Ready) {
        if self.ready.set(ready).is_err() {
            tracing::warn!("the server was already ready");
        }
    }

    fn ready(&self) -> Option<&Ready> {
        self.ready.get()
    }
}

impl std::fmt::Debug for Ready {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ready").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("ready", &self.ready.get().is_some())
            .finish_non_exhaustive()
    }
}

/// Prometheus names of the HTTP metrics.
pub const REQUESTS_METRIC: &str = "vistka_http_requests_total";
pub const LATENCY_METRIC: &str = "vistka_http_request_duration_seconds";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `GET`/`POST /graphql` answer queries (a browser's plain GET gets GraphiQL), `/healthz` says
/// the process is up, `/readyz` that its database answers, `/metrics` is Prometheus text;
/// feeds, sitemaps and `robots.txt` are [`syndication::routes`].
///
/// Around them, outermost first: a request id, logging, metrics, panics caught, CORS, rate
/// limiting, compression, a per-request timeout, and the body limit (a tower layer, because
/// axum's `DefaultBodyLimit` does not reach the GraphQL extractor).
pub fn router(state: AppState, http: &HttpConfig, max_body_bytes: usize) -> Router {
    let routes = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(live::websocket))
        .route("/live/articles", get(live::events))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(syndication::routes())
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(map_response(close_after_refused_body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_millis(http.request_timeout_ms),
        ))
        .layer(CompressionLayer::new());
    let routes = match limit::limits(http) {
        Some(limits) => routes.layer(middleware::from_fn_with_state(limits, limit::limit)),
        None => routes,
    };
    routes
        .layer(cors(http))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(measure))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                let id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|id| id.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

fn cors(http: &HttpConfig) -> CorsLayer {
    let origins = if http.cors_origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            http.cors_origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin.trim()).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG, REQUEST_ID])
        .max_age(Duration::from_secs(3600))
}

/// Counts requests by route and status, and times them.
async fn measure(request: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS_METRIC, "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!(LATENCY_METRIC, "route" => route).record(started.elapsed().as_secs_f64());
    response
}

/// A body refused unread leaves the connection in an unknown state: tell the client not to
/// reuse it, so its next request does not fail on a connection the server is closing.
async fn close_after_refused_body(mut response: Response) -> Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.ready() {
        None => (StatusCode::SERVICE_UNAVAILABLE, "starting"),
        Some(ready) => match ready.reads.ping().await {
            Ok(()) => (StatusCode::OK, "ready"),
            Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
        },
    }
}

/// Prometheus text, with the connection pool's use read at the moment of asking.
async fn metrics(State(state): State<AppState>) -> String {
    if let Some(ready) = state.ready() {
        let (size, idle) = pool_use(&ready.reads);
        metrics::gauge!("vistka_db_pool_connections").set(f64::from(size));
        metrics::gauge!("vistka_db_pool_idle_connections").set(idle as f64);
    }
    state.metrics.render()
}

fn pool_use(db: &DatabaseConnection) -> (u32, usize) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    }
}
