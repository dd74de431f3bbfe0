//! The HTTP application: routes and the state they share.

use async_graphql::ServerError;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    Router,
    extract::State,
    http::StatusCode,
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

async fn graphql(State(state): State<AppState>, request: GraphQLRequest) -> Response {
    let reader = match Reader::begin(&state.db).await {
        Ok(reader) => reader,
        Err(error) => {
            tracing::error!(%error, "cannot begin a read transaction");
            let mut unavailable =
                ServerError::new("service unavailable: the database cannot be reached", None);
            unavailable
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", UNAVAILABLE);
            let body =
                GraphQLResponse::from(async_graphql::Response::from_errors(vec![unavailable]));
            return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
        }
    };
    let request = schema::for_request(request.into_inner(), reader);
    GraphQLResponse::from(state.schema.execute(request).await).into_response()
}

async fn metrics(State(state): State<AppState>) -> String {
    state.metrics.render()
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
