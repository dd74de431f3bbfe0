//! Live announcements: a real WebSocket client speaking `graphql-transport-ws`, and a
//! Server-Sent Events reader, both hearing each article as it goes live, however it went live.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use crate::helpers::TestApp;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(30);

/// A subscription to `articlePublished` over `graphql-transport-ws`, acknowledged.
async fn subscribe(app: &TestApp) -> Socket {
    let url = app.url("/graphql/ws").replacen("http", "ws", 1);
    let mut request = url.into_client_request().expect("a WebSocket request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the WebSocket opens");
    send(&mut socket, json!({"type": "connection_init"})).await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { articlePublished { slug title section publishedAt } }"
        }}),
    )
    .await;
    // Operations are taken in order: once a query sent after the subscription is answered
    // (refused: queries go over HTTP), the subscription is listening.
    send(
        &mut socket,
        json!({"id": "2", "type": "subscribe", "payload": {"query": "{ sections { slug } }"}}),
    )
    .await;
    let answer = receive(&mut socket).await;
    assert_eq!(answer["id"], "2", "{answer}");
    assert!(
        answer.to_string().contains("send subscriptions only"),
        "{answer}"
    );
    assert_eq!(
        receive(&mut socket).await,
        json!({"id": "2", "type": "complete"})
    );
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("the message is sent");
}

/// The next protocol message that is not a ping.
async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a message in time")
            .expect("the socket is open")
            .expect("a message");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).expect("JSON");
            if value["type"] != "ping" {
                return value;
            }
        }
    }
}

/// The slug of the next article announced to the subscription.
async fn announced(socket: &mut Socket) -> String {
    let message = receive(socket).await;
    assert_eq!(
        (&message["type"], &message["id"]),
        (&json!("next"), &json!("1")),
        "{message}"
    );
    message["payload"]["data"]["articlePublished"]["slug"]
        .as_str()
        .expect("a slug")
        .to_owned()
}

/// Server-Sent Events as they arrive.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(app: &TestApp) -> Self {
        let response = app
            .client
            .get(app.url("/live/articles"))
            .send()
            .await
            .expect("the stream opens");
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event's name and data, keep-alive comments skipped.
    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|line| line.strip_prefix(name))
                        .map(|value| value.trim().to_owned())
                };
                if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                    return (event, serde_json::from_str(&data).expect("JSON data"));
                }
                continue;
            }
            let chunk = tokio::time::timeout(WAIT, self.response.chunk())
                .await
                .expect("an event in time")
                .expect("the stream is open")
                .expect("more of the stream");
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }

    async fn announced(&mut self) -> String {
        let (event, data) = self.next().await;
        assert_eq!(event, "article.published");
        data["slug"].as_str().expect("a slug").to_owned()
    }
}

fn article(slug: &str, published_at: &str) -> String {
    json!({"type": "article", "slug": slug, "title": slug, "body": "", "published_at": published_at})
        .to_string()
}

#[tokio::test]
async fn every_way_an_article_goes_live_is_announced_over_websocket_and_sse() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let mut socket = subscribe(&app).await;
    let mut events = Events::open(&app).await;

    // Nothing is announced for a draft, nor for a backfill of old articles.
    app.data_as(
        &editor,
        r#"mutation { createArticle(input: {slug: "chernetka", title: "Ч", body: ""}) { slug } }"#,
        json!({}),
    )
    .await;
    let backfill: String = (0..120)
        .map(|i| article(&format!("arkhiv-{i}"), "2001-01-01T00:00:00Z") + "\n")
        .collect();
    app.db.import(&backfill);
    app.caught_up(WAIT).await;

    // Published through the API.
    app.data_as(
        &editor,
        r#"mutation { publishArticle(slug: "chernetka") { slug } }"#,
        json!({}),
    )
    .await;
    assert_eq!(announced(&mut socket).await, "chernetka");
    assert_eq!(events.announced().await, "chernetka");

    // Imported by another process.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    app.db.import(&article("imported", &now));
    assert_eq!(announced(&mut socket).await, "imported");
    assert_eq!(events.announced().await, "imported");

    // Reaching its scheduled time.
    let soon = app.schedule_soon(&editor, "zaplanovana").await;
    assert_eq!(announced(&mut socket).await, "zaplanovana");
    let (event, data) = events.next().await;
    assert_eq!(event, "article.published");
    assert_eq!(data["slug"], "zaplanovana");
    assert_eq!(data["section"], "news");
    assert!(chrono::Utc::now() >= soon);
}
