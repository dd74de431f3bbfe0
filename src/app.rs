//! The HTTP application: routes and the state they share.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{Router, extract::State, response::Html, routing::get};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use tower_http::{catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer, trace::TraceLayer};

use crate::graphql::schema::{self, VistkaSchema};

#[derive(Clone)]
pub struct AppState {
    pub schema: VistkaSchema,
    pub db: DatabaseConnection,
    pub metrics: PrometheusHandle,
    pub max_body_bytes: usize,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

/// `POST /graphql` answers queries, `GET /graphql` is the GraphiQL IDE, `GET /metrics` is
/// Prometheus text. The body limit is a tower layer because axum's `DefaultBodyLimit` does not
/// reach the GraphQL extractor.
pub fn router(state: AppState) -> Router {
    let max_body_bytes = state.max_body_bytes;
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/metrics", get(metrics))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new())
}

async fn graphql(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    let request = schema::with_loaders(request.into_inner(), &state.db);
    state.schema.execute(request).await.into()
}

async fn metrics(State(state): State<AppState>) -> String {
    state.metrics.render()
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
