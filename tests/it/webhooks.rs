//! Webhooks against a real receiver on a loopback port: signed events for changes to published
//! articles, retries while the receiver is down, and writes that never wait for it.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{Router, body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use tokio::{
    net::TcpListener,
    sync::{Notify, mpsc},
};

use crate::helpers::{SEED, TestApp};

/// What the receiver was sent.
#[derive(Debug)]
struct Delivery {
    headers: HeaderMap,
    body: String,
}

#[derive(Clone)]
struct Receiver {
    sent: mpsc::UnboundedSender<Delivery>,
    /// While set, requests are held until `release` is notified.
    hold: Arc<AtomicBool>,
    release: Arc<Notify>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let body = String::from_utf8(body.to_vec()).expect("JSON is text");
    receiver.sent.send(Delivery { headers, body }).ok();
    if receiver.hold.load(Ordering::SeqCst) {
        receiver.release.notified().await;
    }
    StatusCode::NO_CONTENT
}

/// Starts a receiver on `listener`; returns what it is sent, the hold switch and its release.
fn serve_receiver(
    listener: TcpListener,
) -> (
    mpsc::UnboundedReceiver<Delivery>,
    Arc<AtomicBool>,
    Arc<Notify>,
) {
    let (sent, deliveries) = mpsc::unbounded_channel();
    let receiver = Receiver {
        sent,
        hold: Arc::new(AtomicBool::new(false)),
        release: Arc::new(Notify::new()),
    };
    let (hold, release) = (receiver.hold.clone(), receiver.release.clone());
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (deliveries, hold, release)
}

async fn next(deliveries: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(30), deliveries.recv())
        .await
        .expect("a delivery within 30 s")
        .expect("the receiver runs")
}

/// A server that retries quickly, so the tests need not wait long.
async fn app() -> (TestApp, String, String) {
    let app = TestApp::spawn_with(&[
        ("VISTKA_WEBHOOK_RETRY_MS", "100"),
        ("VISTKA_WEBHOOK_POLL_MS", "50"),
    ])
    .await;
    app.db
        .import(&std::fs::read_to_string(SEED).expect("seed sample"));
    app.caught_up(Duration::from_secs(10)).await;
    let (admin, editor) = (app.key("admin"), app.key("editor"));
    (app, admin, editor)
}

async fn register(app: &TestApp, admin: &str, url: &str) -> String {
    let data = app
        .data_as(
            admin,
            "mutation($url: String!) { createWebhook(url: $url) { secret webhook { url } } }",
            json!({ "url": url }),
        )
        .await;
    assert_eq!(data["createWebhook"]["webhook"]["url"], url);
    data["createWebhook"]["secret"]
        .as_str()
        .expect("a secret")
        .to_owned()
}

async fn mutate(app: &TestApp, editor: &str, mutation: &str) {
    app.data_as(editor, mutation, json!({})).await;
}

/// Checks `Vistka-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
fn assert_signed(delivery: &Delivery, secret: &str) {
    let header = delivery.headers["vistka-signature"].to_str().expect("text");
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .expect("t=...,v1=...");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(format!("{t}.{}", delivery.body).as_bytes());
    let signature = hex::decode(v1).expect("hex");
    mac.verify_slice(&signature).expect("a valid signature");
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().expect("seconds");
    assert!((0..300).contains(&age), "signed {age} s ago");
}

#[tokio::test]
async fn changes_to_published_articles_are_announced_signed() {
    let (app, admin, editor) = app().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let (mut deliveries, _, _) = serve_receiver(listener);
    let secret = register(&app, &admin, &url).await;

    for mutation in [
        r#"mutation { createArticle(input: {slug: "nova", title: "Нова", body: ""}) { slug } }"#,
        r#"mutation { updateArticle(slug: "nova", input: {title: "Нова чернетка"}) { slug } }"#,
        r#"mutation { publishArticle(slug: "nova") { slug } }"#,
        r#"mutation { updateArticle(slug: "nova", input: {title: "Оновлена"}) { slug } }"#,
        r#"mutation { unpublishArticle(slug: "nova") { slug } }"#,
        r#"mutation { updateArticle(slug: "nova", input: {title: "Знову чернетка"}) { slug } }"#,
        r#"mutation { publishArticle(slug: "nova") { slug } }"#,
        r#"mutation { deleteArticle(slug: "nova") }"#,
    ] {
        mutate(&app, &editor, mutation).await;
    }
    let mut received = Vec::new();
    for _ in 0..5 {
        let delivery = next(&mut deliveries).await;
        assert_signed(&delivery, &secret);
        let id: i64 = delivery.headers["vistka-delivery"]
            .to_str()
            .expect("text")
            .parse()
            .expect("a number");
        let body: Value = serde_json::from_str(&delivery.body).expect("JSON");
        assert_eq!(
            delivery.headers["vistka-event"],
            body["event"].as_str().expect("event")
        );
        assert_eq!(body["article"]["slug"], "nova");
        received.push((id, body["event"].clone(), body["article"]["title"].clone()));
    }
    // Deliveries may arrive in any order; their ids give the order of the changes.
    received.sort_by_key(|(id, _, _)| *id);
    let events: Vec<(Value, Value)> = received.into_iter().map(|(_, e, t)| (e, t)).collect();
    assert_eq!(
        events,
        [
            (json!("article.published"), json!("Нова чернетка")),
            (json!("article.updated"), json!("Оновлена")),
            (json!("article.unpublished"), json!("Оновлена")),
            (json!("article.published"), json!("Знову чернетка")),
            (json!("article.deleted"), json!("Знову чернетка")),
        ]
    );
    // The dispatcher records a delivery just after the receiver has it.
    let log = log_until(
        &app,
        &admin,
        "{ webhooks { deliveries { event state attempts lastStatus } } }",
        |log| log.iter().all(|d| d["state"] != "PENDING"),
    )
    .await;
    assert_eq!(log.len(), 5, "{log:?}");
    assert!(
        log.iter()
            .all(|d| d["state"] == "DELIVERED" && d["attempts"] == 1 && d["lastStatus"] == 204),
        "{log:?}"
    );
}

/// The webhook's delivery log once `settled` holds of it, read again and again until then.
async fn log_until(
    app: &TestApp,
    admin: &str,
    query: &str,
    settled: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let data = app.data_as(admin, query, json!({})).await;
        let log = data["webhooks"][0]["deliveries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if settled(&log) {
            return log;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never settled: {data}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_the_event_once_it_is_back() {
    let (app, admin, editor) = app().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let secret = register(&app, &admin, &format!("http://{address}/hook")).await;
    mutate(
        &app,
        &editor,
        r#"mutation { createArticle(input: {slug: "nova", title: "Нова", body: "", status: PUBLISHED}) { slug } }"#,
    )
    .await;

    let log = "{ webhooks { deliveries { state attempts lastError deliveredAt } } }";
    let retried = log_until(&app, &admin, log, |log| {
        log.first()
            .is_some_and(|d| d["attempts"].as_i64().unwrap_or(0) >= 2)
    })
    .await;
    assert_eq!(retried[0]["state"], "PENDING");
    assert!(
        retried[0]["lastError"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{retried:?}"
    );

    let (mut deliveries, _, _) = serve_receiver(
        TcpListener::bind(address)
            .await
            .expect("the same port again"),
    );
    let delivery = next(&mut deliveries).await;
    assert_signed(&delivery, &secret);
    let delivered = log_until(&app, &admin, log, |log| {
        log.first().is_some_and(|d| d["state"] == "DELIVERED")
    })
    .await;
    assert!(
        delivered[0]["attempts"].as_i64().unwrap_or(0) >= 3,
        "{delivered:?}"
    );
    assert!(delivered[0]["deliveredAt"].is_string());
}

#[tokio::test]
async fn writes_never_wait_for_a_slow_receiver() {
    let (app, admin, editor) = app().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let (mut deliveries, hold, release) = serve_receiver(listener);
    hold.store(true, Ordering::SeqCst);
    register(&app, &admin, &url).await;
    mutate(
        &app,
        &editor,
        r#"mutation { createArticle(input: {slug: "persha", title: "1", body: "", status: PUBLISHED}) { slug } }"#,
    )
    .await;
    // The receiver now holds the first delivery and does not answer.
    next(&mut deliveries).await;
    let write = mutate(
        &app,
        &editor,
        r#"mutation { createArticle(input: {slug: "druha", title: "2", body: "", status: PUBLISHED}) { slug } }"#,
    );
    tokio::time::timeout(Duration::from_secs(10), write)
        .await
        .expect("the write finished while the receiver was still holding a delivery");
    hold.store(false, Ordering::SeqCst);
    release.notify_waiters();
    let second = next(&mut deliveries).await;
    assert!(second.body.contains("druha"), "{}", second.body);
}

#[tokio::test]
async fn a_scheduled_article_is_announced_when_it_goes_live() {
    let (app, admin, editor) = app().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let (mut deliveries, _, _) = serve_receiver(listener);
    register(&app, &admin, &url).await;
    mutate(
        &app,
        &editor,
        r#"mutation { createArticle(input: {slug: "piznisha", title: "P", body: ""}) { slug } }"#,
    )
    .await;
    // Scheduled far ahead, then brought forward: only the publication that happens is told.
    let soon = chrono::Utc::now() + chrono::Duration::seconds(1);
    for at in [chrono::Utc::now() + chrono::Duration::days(1), soon] {
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        app.data_as(
            &editor,
            r#"mutation($at: String!) { scheduleArticle(slug: "piznisha", at: $at) { slug } }"#,
            json!({ "at": at }),
        )
        .await;
    }
    let delivery = next(&mut deliveries).await;
    assert!(chrono::Utc::now() >= soon, "announced before its time");
    let body: Value = serde_json::from_str(&delivery.body).expect("JSON");
    assert_eq!(body["event"], "article.published");
    let answer = app
        .data(r#"{ article(slug: "piznisha") { slug } }"#, json!({}))
        .await;
    assert_eq!(answer["article"]["slug"], "piznisha");
    // The dispatcher records the delivery just after the receiver has it.
    let log = log_until(
        &app,
        &admin,
        "{ webhooks { deliveries { state } } }",
        |log| log.iter().any(|d| d["state"] == "DELIVERED"),
    )
    .await;
    assert_eq!(
        log,
        [json!({"state": "DELIVERED"}), json!({"state": "PENDING"})],
        "the publication a day ahead waits, to be found superseded when due"
    );
}
