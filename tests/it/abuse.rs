//! Hostile documents get a clear refusal, quickly, and the server stays up.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Sends a raw body and returns the status and the first error message, in well under a
/// second, and checks the server still answers afterwards.
async fn refused(app: &TestApp, body: String) -> (u16, String) {
    let started = Instant::now();
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(body)
        .send()
        .await
        .expect("a response");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    let message = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|answer| answer["errors"][0]["message"].as_str().map(str::to_owned))
        .unwrap_or(text);
    let alive = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("the server is up");
    assert!(alive.status().is_success());
    (status, message)
}

fn query(document: String) -> String {
    json!({ "query": document }).to_string()
}

#[tokio::test]
async fn deep_nesting_anywhere_is_refused_before_parsing() {
    let app = TestApp::seeded().await;
    for levels in [64, 500, 2_000, 10_000] {
        let selections = format!("{}{}", "{ a ".repeat(levels), "}".repeat(levels));
        let list = format!(
            "{{ feed(filter: {{ topic: {}1{} }}) {{ edges {{ cursor }} }} }}",
            "[".repeat(levels),
            "]".repeat(levels)
        );
        let object = format!(
            "{{ feed(filter: {}{}) {{ edges {{ cursor }} }} }}",
            "{ a: ".repeat(levels),
            "}".repeat(levels)
        );
        for document in [selections, list, object] {
            let (status, message) = refused(&app, query(document)).await;
            assert_eq!(status, 400, "{levels} levels: {message}");
            let deepest: usize = message
                .strip_prefix("the document is nested ")
                .and_then(|rest| rest.split(' ').next()?.parse().ok())
                .unwrap_or_else(|| panic!("{message}"));
            assert!(deepest >= levels, "{message}");
        }
        let variables = format!(
            r#"{{"query": "query($f: ArticleFilter) {{ feed(filter: $f) {{ edges {{ cursor }} }} }}", "variables": {{"f": {}1{}}}}}"#,
            "[".repeat(levels),
            "]".repeat(levels)
        );
        // Too deep for JSON (128 levels) is a 400; shallower, it is not an ArticleFilter.
        let (status, message) = refused(&app, variables).await;
        assert!(
            (status == 400 && message.contains("recursion limit exceeded"))
                || (status == 200 && message.starts_with("Expected input type \"ArticleFilter\"")),
            "{levels} levels of variables: {status} {message}"
        );
    }
}

#[tokio::test]
async fn wide_aliased_oversized_and_malformed_documents_are_refused() {
    let app = TestApp::seeded().await;
    let aliases: String = (0..200).map(|i| format!("a{i}: __typename ")).collect();
    let (status, message) = refused(&app, query(format!("{{ {aliases} }}"))).await;
    assert_eq!(
        (status, message.as_str()),
        (
            400,
            "the document has 200 aliased fields; at most 30 are allowed"
        )
    );

    let wide = "slug ".repeat(10_000);
    let (status, message) = refused(&app, query(format!("{{ sections {{ {wide} }} }}"))).await;
    assert_eq!(
        (status, message.as_str()),
        (
            400,
            "the document selects 10001 fields; at most 1000 are allowed"
        )
    );

    let costly = "{ feed(first: 100) { edges { node { people { articles(first: 100) { edges { node { slug } } } } } } } }";
    let (status, message) = refused(&app, query(costly.to_owned())).await;
    assert_eq!((status, message.as_str()), (400, "Query is too complex."));

    let (status, _) = refused(
        &app,
        query(format!(
            "{{ sections {{ slug }} }} #{}",
            "x".repeat(200_000)
        )),
    )
    .await;
    assert_eq!(status, 413);

    for (body, expected) in [
        ("\u{0}\u{1}garbage".to_owned(), "the body is not JSON"),
        (query("{ sections { slug ".to_owned()), "expected"),
        (
            query("{ sections(slug: \"unterminated) { slug } }".to_owned()),
            "expected",
        ),
        (query("query { ...Missing }".to_owned()), "Unknown fragment"),
    ] {
        let (status, message) = refused(&app, body).await;
        assert_eq!(status, 400, "{message}");
        assert!(message.contains(expected), "{message}");
    }
}
