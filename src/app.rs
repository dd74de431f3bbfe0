//! The HTTP application: routes and the state they share.

use std::sync::{Arc, OnceLock};

use async_graphql::{ServerError, http::GraphiQLSource};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    Router,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    middleware::map_response,
    response::{Html, IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use tower_http::{catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer, trace::TraceLayer};

use crate::{
    error::UNAVAILABLE,
    graphql::{
        reader::Reader,
        schema::{self, VistkaSchema},
    },
};

/// What the routes share. The server listens before its database is reachable; until then
/// it answers `/healthz` but not `/readyz` or `/graphql`.
#[derive(Clone)]
pub struct AppState {
    ready: Arc<OnceLock<Ready>>,
    metrics: PrometheusHandle,
}

/// What serving GraphQL needs, there once the database is reached and migrated.
#[derive(Clone)]
pub struct Ready {
    pub schema: VistkaSchema,
    /// Where reads go: the read replica when there is one.
    pub reads: DatabaseConnection,
}

impl AppState {
    pub fn new(metrics: PrometheusHandle) -> Self {
        Self {
            ready: Arc::new(OnceLock::new()),
            metrics,
        }
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

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("ready", &self.ready().is_some())
            .finish_non_exhaustive()
    }
}

/// `POST /graphql` answers queries, `GET /graphql` is the GraphiQL IDE, `/healthz` says the
/// process is up, `/readyz` that its database answers, `/metrics` is Prometheus text. The body
/// limit is a tower layer because axum's `DefaultBodyLimit` does not reach the GraphQL
/// extractor.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(map_response(close_after_refused_body))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new())
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

async fn graphql(State(state): State<AppState>, request: GraphQLRequest) -> Response {
    let Some(ready) = state.ready() else {
        return unavailable("service unavailable: starting, waiting for the database");
    };
    let reader = match Reader::begin(&ready.reads).await {
        Ok(reader) => reader,
        Err(error) => {
            tracing::error!(%error, "cannot begin a read transaction");
            return unavailable("service unavailable: the database cannot be reached");
        }
    };
    let request = schema::for_request(request.into_inner(), reader);
    GraphQLResponse::from(ready.schema.execute(request).await).into_response()
}

/// A GraphQL error answer with HTTP 503, for when no query can be answered at all.
fn unavailable(message: &str) -> Response {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", UNAVAILABLE);
    let body = GraphQLResponse::from(async_graphql::Response::from_errors(vec![error]));
    (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
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

async fn metrics(State(state): State<AppState>) -> String {
    state.metrics.render()
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
