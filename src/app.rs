//! The HTTP application: routes and the state they share.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::GraphQL;
use axum::{Router, response::Html, routing::get};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::{catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer, trace::TraceLayer};

use crate::graphql::schema::VistkaSchema;

#[derive(Clone)]
pub struct AppState {
    pub schema: VistkaSchema,
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
    let metrics = state.metrics.clone();
    Router::new()
        .route(
            "/graphql",
            get(graphiql).post_service(GraphQL::new(state.schema)),
        )
        .route("/metrics", get(move || async move { metrics.render() }))
        .layer(RequestBodyLimitLayer::new(state.max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new())
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
