//! The floor: a minimal HTTP server answering every request with the same bytes. What it
//! costs is what HTTP and those bytes cost on this machine, with no GraphQL and no database.

use std::net::SocketAddr;

use axum::{Router, body::Bytes, http::header, response::IntoResponse, routing::any};
use tokio::net::TcpListener;

/// Serves `body` as JSON on every path and method until the process ends; returns its URL.
pub async fn serve(body: Bytes) -> anyhow::Result<String> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let app = Router::new().fallback(any(move || {
        let body = body.clone();
        async move {
            (
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                body,
            )
                .into_response()
        }
    }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}/graphql"))
}
