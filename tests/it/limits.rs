use std::sync::Arc;

use serde_json::json;

use crate::{
    archive,
    helpers::{TestApp, TestDatabase},
};

const PAGE_WITH_RELATIONS: &str = "query($n: Int) {
  feed(first: $n) {
    edges { cursor node { slug title lead publishedAt section { slug name }
      people { slug name } countries { code name } topics { slug name } } }
    pageInfo { hasNextPage endCursor }
  }
}";

/// A page showing every field that reads an article's body, which a page reads apart.
const PAGE_WITH_BODIES: &str = "query($n: Int) {
  feed(first: $n) { nodes { slug body bodyHtml bodyText wordCount readingMinutes } }
}";

/// Relations are batched: a page costs the same few statements whatever its size.
#[tokio::test]
async fn a_page_costs_a_fixed_number_of_statements() {
    let db = Arc::new(TestDatabase::create().await);
    db.import(&archive::generate(300, 1).ndjson);
    // Background work (following other servers, sending webhooks) would count too.
    let quiet = [
        ("VISTKA_REFRESH_MS", "3600000"),
        ("VISTKA_WEBHOOK_POLL_MS", "3600000"),
    ];
    let app = TestApp::serve(db, &quiet, &[]).await;
    app.data(PAGE_WITH_RELATIONS, json!({ "n": 1 })).await;
    for query in [PAGE_WITH_RELATIONS, PAGE_WITH_BODIES] {
        let mut costs = Vec::new();
        for size in [10, 100] {
            let before = app.statements().await;
            let data = app.data(query, json!({ "n": size })).await;
            costs.push(app.statements().await - before);
            let page = &data["feed"];
            let items = page["edges"].as_array().or(page["nodes"].as_array());
            assert_eq!(items.map(Vec::len), Some(size));
        }
        assert_eq!(
            costs[0], costs[1],
            "statements for 10 and 100 articles: {costs:?}\n{query}"
        );
        assert!(
            costs[1] <= 6,
            "the page costs {} statements\n{query}",
            costs[1]
        );
    }
}

/// The answer is a validation failure whose message says `why`.
fn assert_invalid(answer: &serde_json::Value, why: &str) {
    let error = &answer["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{answer}"
    );
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains(why), "{answer}");
}

#[tokio::test]
async fn deep_queries_are_refused_before_they_run() {
    let app = TestApp::seeded().await;
    // 18 levels of cheap fields: too deep, though not too costly.
    let query = "{ article(slug: \"x\") { people { country { articles(first: 1) { edges { node {
        people { country { articles(first: 1) { edges { node {
        people { country { articles(first: 1) { edges { node { section { slug }
        } } } } } } } } } } } } } } } } }";
    assert_invalid(&app.gql(query, json!({})).await, "nested too deep");
}

/// GraphiQL, codegen and fuzzers introspect with nine levels of `ofType`: the limits allow it.
#[tokio::test]
async fn the_standard_introspection_query_is_answered() {
    let app = TestApp::seeded().await;
    let mut type_ref = String::from("kind name");
    for _ in 0..9 {
        type_ref = format!("kind name ofType {{ {type_ref} }}");
    }
    let query = format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }}
          types {{ ...FullType }} directives {{ name locations args {{ ...InputValue }} }} }} }}
        fragment FullType on __Type {{ kind name description
          fields(includeDeprecated: true) {{ name description args {{ ...InputValue }} type {{ ...TypeRef }} isDeprecated deprecationReason }}
          inputFields {{ ...InputValue }} interfaces {{ ...TypeRef }}
          enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }}
          possibleTypes {{ ...TypeRef }} }}
        fragment InputValue on __InputValue {{ name description type {{ ...TypeRef }} defaultValue }}
        fragment TypeRef on __Type {{ {type_ref} }}"
    );
    let data = app.data(&query, json!({})).await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn costly_queries_are_refused_before_they_run() {
    let app = TestApp::seeded().await;
    let query = "{ feed(first: 100) { edges { node { people { articles(first: 100) {
        edges { node { slug title topics { slug name } } } } } } } } }";
    assert_invalid(&app.gql(query, json!({})).await, "too complex");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::seeded().await;
    let padding = " ".repeat(100 * 1024);
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": format!("{{ sections {{ slug }} {padding}}}") }))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.headers().get("connection").map(|v| v.as_bytes()),
        Some(&b"close"[..]),
        "the client is told not to reuse the connection"
    );
    let small = app.data("{ sections { slug } }", json!({})).await;
    assert_eq!(
        small["sections"][0]["slug"], "news",
        "the server is still up"
    );
}

#[tokio::test]
async fn client_mistakes_carry_an_error_code() {
    let app = TestApp::seeded().await;
    for (query, code) in [
        ("{ feed { edges ", "GRAPHQL_PARSE_FAILED"),
        ("{ feed { nosuchfield } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ article { slug } }", "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ feed(filter: {publishedSince: \"yesterday\"}) { edges { cursor } } }",
            "BAD_USER_INPUT",
        ),
    ] {
        let answer = app.gql(query, json!({})).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], code,
            "{query}: {answer}"
        );
    }
}
