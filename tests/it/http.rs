//! GraphQL over HTTP as clients, browsers and caches expect it.

use std::time::Duration;

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::TestApp;

const SECTIONS: &str = "{ sections { slug } }";

/// GETs `url` as a cache revalidating its copy tagged `etag` would.
async fn revalidate(app: &TestApp, url: &str, etag: &str) -> reqwest::Response {
    app.client
        .get(url)
        .header("if-none-match", etag)
        .send()
        .await
        .expect("a response")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn get_reads_carry_an_etag_and_revalidate_until_the_content_changes() {
    let app = TestApp::seeded().await;
    let url = format!("{}/graphql?query={SECTIONS}", app.base);
    let first = app.client.get(&url).send().await.expect("a response");
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(header(&first, "cache-control"), "public, max-age=10");
    assert_eq!(
        header(&first, "content-type"),
        "application/json; charset=utf-8"
    );
    let etag = header(&first, "etag").to_owned();
    assert!(etag.starts_with('"'), "{etag}");
    let body: Value = first.json().await.expect("JSON");
    assert_eq!(body["data"]["sections"][0]["slug"], "news");

    let again = revalidate(&app, &url, &etag).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "etag"), etag);

    // Another process imports: the old tag no longer matches, and the answer is new.
    app.db
        .import(r#"{"type":"section","slug":"world","name":"Світ"}"#);
    app.caught_up(Duration::from_secs(10)).await;
    let changed = revalidate(&app, &url, &etag).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(header(&changed, "etag"), etag);
    let body: Value = changed.json().await.expect("JSON");
    assert_eq!(body["data"]["sections"][1]["slug"], "world");

    let failing = app
        .client
        .get(format!(
            "{}/graphql?query={{feed(first:500){{edges{{cursor}}}}}}",
            app.base
        ))
        .send()
        .await
        .expect("a response");
    assert_eq!(
        header(&failing, "cache-control"),
        "no-store",
        "errors are not cached"
    );
    assert!(failing.headers().get("etag").is_none());
}

/// The answer cache keys answers with a secret of each server's own, but a cache revalidating
/// against another server behind the same load balancer still gets its 304.
#[tokio::test]
async fn every_server_gives_a_read_the_same_etag() {
    let first = TestApp::seeded().await;
    let second = TestApp::serve(first.db.clone(), &[], &[]).await;
    let path = format!("/graphql?query={SECTIONS}");
    let on_first = first
        .client
        .get(format!("{}{path}", first.base))
        .send()
        .await
        .expect("a response");
    let etag = header(&on_first, "etag").to_owned();
    assert!(etag.starts_with('"'), "{etag}");
    let on_second = revalidate(&second, &format!("{}{path}", second.base), &etag).await;
    assert_eq!(on_second.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&on_second, "etag"), etag);
}

#[tokio::test]
async fn an_embargo_lapsing_changes_the_etag() {
    let app = TestApp::seeded().await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    app.db.import(&json!({"type": "article", "slug": "soon", "title": "Незабаром", "body": "b", "published_at": soon}).to_string());
    app.caught_up(Duration::from_secs(10)).await;
    let url = format!(
        "{}/graphql?query={{feed(first:1){{edges{{node{{slug}}}}}}}}",
        app.base
    );
    let before = app.client.get(&url).send().await.expect("a response");
    let etag = header(&before, "etag").to_owned();
    let body: Value = before.json().await.expect("JSON");
    assert_ne!(body["data"]["feed"]["edges"][0]["node"]["slug"], "soon");
    let started = std::time::Instant::now();
    loop {
        let now = revalidate(&app, &url, &etag).await;
        if now.status() == StatusCode::OK {
            let body: Value = now.json().await.expect("JSON");
            assert_eq!(body["data"]["feed"]["edges"][0]["node"]["slug"], "soon");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the embargo never lapsed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn responses_follow_the_accepted_media_type() {
    let app = TestApp::seeded().await;
    let post = |accept: &'static str, query: &'static str| {
        app.client
            .post(app.url("/graphql"))
            .header("accept", accept)
            .json(&json!({ "query": query }))
            .send()
    };
    let modern = post("application/graphql-response+json", SECTIONS)
        .await
        .expect("a response");
    assert_eq!(
        header(&modern, "content-type"),
        "application/graphql-response+json; charset=utf-8"
    );
    let broken = post("application/graphql-response+json", "{ sections { slug }")
        .await
        .expect("a response");
    assert_eq!(
        broken.status(),
        StatusCode::BAD_REQUEST,
        "a request error is a 4xx"
    );
    let body: Value = broken.json().await.expect("JSON");
    assert!(
        body.get("data").is_none() && body["errors"][0]["message"].is_string(),
        "{body}"
    );
    let legacy = post("application/json", "{ sections { slug }")
        .await
        .expect("a response");
    assert_eq!(legacy.status(), StatusCode::OK, "legacy clients get 200");
    assert_eq!(
        header(&legacy, "content-type"),
        "application/json; charset=utf-8"
    );
    let neither = post("text/csv", SECTIONS).await.expect("a response");
    assert_eq!(neither.status(), StatusCode::NOT_ACCEPTABLE);
    let field_error = post(
        "application/graphql-response+json",
        "{ feed(first: 500) { edges { cursor } } }",
    )
    .await
    .expect("a response");
    assert_eq!(
        field_error.status(),
        StatusCode::OK,
        "an execution error has data: 2xx"
    );
}

#[tokio::test]
async fn requests_must_be_one_json_operation() {
    let app = TestApp::seeded().await;
    let send = |content_type: &'static str, body: &'static str| {
        app.client
            .post(app.url("/graphql"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for (content_type, body, status, message) in [
        (
            "text/plain",
            r#"{"query":"{ sections { slug } }"}"#,
            415,
            "send the request as application/json",
        ),
        (
            "application/json",
            r#"[{"query":"{ sections { slug } }"}]"#,
            400,
            "batched requests are not accepted",
        ),
        ("application/json", "{not json", 400, "the body is not JSON"),
        (
            "application/json",
            r#"{"query": 1}"#,
            400,
            "invalid request",
        ),
        (
            "application/json",
            r#"{"query": "{ sections { slug } }", "variables": []}"#,
            400,
            "invalid request",
        ),
    ] {
        let response = send(content_type, body).await.expect("a response");
        assert_eq!(response.status().as_u16(), status, "{body}");
        let answer: Value = response.json().await.expect("JSON");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with(message),
            "{answer}"
        );
    }
    let mutation = app
        .client
        .get(format!("{}/graphql?query=mutation{{x}}", app.base))
        .send()
        .await
        .expect("a response");
    assert_eq!(mutation.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&mutation, "allow"), "GET, POST");
}

#[tokio::test]
async fn automatic_persisted_queries_follow_apollos_protocol() {
    use sha2::Digest;
    let app = TestApp::seeded().await;
    let hash = hex::encode(sha2::Sha256::digest(SECTIONS.as_bytes()));
    let extensions = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
    let unknown = app.gql_request(json!({ "extensions": extensions })).await;
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    let registered = app
        .gql_request(json!({ "query": SECTIONS, "extensions": extensions }))
        .await;
    assert_eq!(registered["data"]["sections"][0]["slug"], "news");
    let by_hash = app.gql_request(json!({ "extensions": extensions })).await;
    assert_eq!(by_hash["data"]["sections"][0]["slug"], "news");
    let over_get = app
        .client
        .get(format!("{}/graphql", app.base))
        .query(&[("extensions", extensions.to_string())])
        .send()
        .await
        .expect("a response");
    let over_get: Value = over_get.json().await.expect("JSON");
    assert_eq!(over_get["data"]["sections"][0]["slug"], "news");
    let wrong = app
        .gql_request(json!({ "query": "{ topics { slug } }", "extensions": extensions }))
        .await;
    assert_eq!(
        wrong["errors"][0]["message"],
        "provided sha does not match query"
    );
}

#[tokio::test]
async fn browsers_get_cors_for_the_configured_origins_only() {
    let app = TestApp::spawn_with(&[(
        "VISTKA_CORS_ORIGINS",
        "https://news.example,https://m.news.example",
    )])
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://m.news.example")
        .await
        .expect("a response");
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        "https://m.news.example"
    );
    let other = preflight("https://evil.example").await.expect("a response");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn answers_are_compressed_when_the_client_asks() {
    let app = TestApp::seeded().await;
    for encoding in ["gzip", "br"] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header(header::ACCEPT_ENCODING, encoding)
            .json(&json!({"query": "{ feed(first: 15) { edges { node { slug title lead } } } }"}))
            .send()
            .await
            .expect("a response");
        assert_eq!(header(&response, "content-encoding"), encoding);
        let compressed = response.bytes().await.expect("a body");
        assert!(
            compressed.len() < 3_000,
            "{encoding}: {} bytes",
            compressed.len()
        );
    }
}

#[tokio::test]
async fn each_address_has_its_own_rate_limit_whatever_key_it_sends() {
    let app = TestApp::spawn_with(&[
        ("VISTKA_RATE_LIMIT_PER_SECOND", "1"),
        ("VISTKA_RATE_LIMIT_BURST", "3"),
        ("VISTKA_TRUST_FORWARDED", "true"),
    ])
    .await;
    let ask = |address: &'static str, key: Option<&'static str>| {
        let mut request = app
            .client
            .post(app.url("/graphql"))
            .header("x-forwarded-for", address)
            .json(&json!({ "query": SECTIONS }));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = ask("203.0.113.1", None).await.expect("a response");
        statuses.push(response.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    // Guessing keys does not buy a fresh allowance.
    for guess in ["vk_0_guess", "vk_1_guess"] {
        let response = ask("203.0.113.1", Some(guess)).await.expect("a response");
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = response.headers()["retry-after"]
            .to_str()
            .expect("text")
            .parse()
            .expect("whole seconds");
        assert!((1..=2).contains(&retry), "retry after {retry} s");
    }
    let other = ask("203.0.113.2", None).await.expect("a response");
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn introspection_can_be_turned_off() {
    let app = TestApp::spawn_with(&[("VISTKA_INTROSPECTION", "false")]).await;
    let answer = app.gql("{ __schema { types { name } } }", json!({})).await;
    assert_eq!(answer["data"]["__schema"], Value::Null, "{answer}");
    let typo = app.gql("{ sectons { slug } }", json!({})).await;
    let message = typo["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("Did you mean"), "{message}");
}

#[tokio::test]
async fn operations_endpoints_and_request_ids() {
    let app = TestApp::seeded().await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": SECTIONS }))
        .send()
        .await
        .expect("a response");
    assert_eq!(header(&response, "x-request-id").len(), 36, "a UUID");
    app.gql("{ feed(first: 500) { edges { cursor } } }", json!({}))
        .await;
    for path in ["/healthz", "/readyz"] {
        assert_eq!(
            app.client
                .get(app.url(path))
                .send()
                .await
                .expect("a response")
                .status(),
            StatusCode::OK
        );
    }
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for line in [
        "vistka_http_requests_total{route=\"/graphql\",status=\"200\"}",
        "vistka_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.005\"}",
        "vistka_graphql_errors_total{code=\"BAD_USER_INPUT\"} 1",
        "vistka_db_pool_connections",
        "vistka_db_statements_total",
    ] {
        assert!(metrics.contains(line), "missing {line} in\n{metrics}");
    }
}

#[tokio::test]
async fn repeated_reads_come_from_memory_until_the_content_changes() {
    let app = TestApp::seeded().await;
    let query = "{ feed(first: 3) { edges { node { slug title } } } }";
    let first = app.data(query, json!({})).await;
    let statements = app.statements().await;
    let again = app.data(query, json!({})).await;
    assert_eq!(again, first);
    assert_eq!(app.statements().await, statements, "the repeat ran no SQL");

    app.db.import(
        r#"{"type":"article","slug":"novyna","title":"Новина","body":"b","published_at":"2024-10-01T10:00:00+03:00"}"#,
    );
    app.caught_up(Duration::from_secs(10)).await;
    let after = app.data(query, json!({})).await;
    assert_eq!(
        after["feed"]["edges"][0]["node"]["slug"], "novyna",
        "no stale read after the import"
    );
}
