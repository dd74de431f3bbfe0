//! Live announcements over HTTP: GraphQL subscriptions over WebSocket (`graphql-transport-ws`,
//! and the older `graphql-ws`), and Server-Sent Events for clients that want no GraphQL
//! client at all.

use std::{convert::Infallible, pin::Pin, sync::Arc};

use async_graphql::{
    Data, Executor, Request, Response as GraphqlResponse, ServerError,
    http::ALL_WEBSOCKET_PROTOCOLS, parser::types::OperationType,
};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{Query, State, WebSocketUpgrade},
    http::StatusCode,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use serde::Deserialize;
use tokio_stream::{Stream, StreamExt, wrappers::BroadcastStream};

use super::{AppState, graphql::operation_type};
use crate::{graphql::schema::VistkaSchema, live::Announcement};

/// `GET /graphql/ws`: subscriptions.
pub async fn websocket(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(ready) = state.ready() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "starting").into_response();
    };
    let executor = Subscriptions {
        schema: ready.schema.clone(),
        max_nesting: state.settings.max_nesting,
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| GraphQLWebSocket::new(stream, executor, protocol).serve())
}

/// The schema as the WebSocket serves it: subscriptions only. Queries and mutations go over
/// HTTP, where each gets its read transaction, its caller and its loaders.
#[derive(Clone)]
struct Subscriptions {
    schema: VistkaSchema,
    max_nesting: usize,
}

impl Executor for Subscriptions {
    async fn execute(&self, _request: Request) -> GraphqlResponse {
        http_only()
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session: Option<Arc<Data>>,
    ) -> Pin<Box<dyn Stream<Item = GraphqlResponse> + Send>> {
        match operation_type(&mut request, self.max_nesting) {
            Some(OperationType::Query | OperationType::Mutation) => {
                Box::pin(tokio_stream::once(http_only()))
            }
            _ => Executor::execute_stream(&self.schema, request, session),
        }
    }
}

fn http_only() -> GraphqlResponse {
    let mut error = ServerError::new(
        "over WebSocket, send subscriptions only: queries and mutations go over HTTP",
        None,
    );
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "BAD_REQUEST");
    GraphqlResponse::from_errors(vec![error])
}

#[derive(Debug, Deserialize)]
pub struct Only {
    /// A section's slug.
    section: Option<String>,
}

/// `GET /live/articles[?section=SLUG]`: Server-Sent Events, one `article.published` event per
/// article as it goes live, its data the announcement as JSON.
pub async fn events(State(state): State<AppState>, Query(only): Query<Only>) -> Response {
    let Some(ready) = state.ready() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "starting").into_response();
    };
    Sse::new(announced(ready.live.listen(), only.section))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn announced(
    listening: tokio::sync::broadcast::Receiver<Arc<Announcement>>,
    section: Option<String>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    BroadcastStream::new(listening).filter_map(move |heard| {
        let announcement = heard.ok()?;
        if !announcement.is_in(section.as_deref()) {
            return None;
        }
        let event = Event::default()
            .event("article.published")
            .id(announcement.slug.clone())
            .json_data(&*announcement)
            .ok()?;
        Some(Ok(event))
    })
}
