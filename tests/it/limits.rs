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

/// A server whose background work (following other servers, sending webhooks) does not count
/// in its statements, and which answers every read from the database, not from memory.
const QUIET: [(&str, &str); 3] = [
    ("VISTKA_REFRESH_MS", "3600000"),
    ("VISTKA_WEBHOOK_POLL_MS", "3600000"),
    ("VISTKA_ANSWER_CACHE_MB", "0"),
];

/// A server over 300 generated articles, its statements counted by [`TestApp::statements`].
async fn quiet_app() -> TestApp {
    let db = Arc::new(TestDatabase::create().await);
    db.import(&archive::generate(300, 1).ndjson);
    let app = TestApp::serve(db, &QUIET, &[]).await;
    // What a server reads once, on its first request, is not what a page costs.
    app.data(PAGE_WITH_RELATIONS, json!({ "n": 1 })).await;
    app
}

/// Runs `query` and returns its answer's data and how many statements it ran.
async fn counted(
    app: &TestApp,
    query: &str,
    variables: serde_json::Value,
) -> (serde_json::Value, u64) {
    let before = app.statements().await;
    let data = app.data(query, variables).await;
    (data, app.statements().await - before)
}

/// Relations are batched: a page costs the same few statements whatever its size.
#[tokio::test]
async fn a_page_costs_a_fixed_number_of_statements() {
    let app = quiet_app().await;
    for query in [PAGE_WITH_RELATIONS, PAGE_WITH_BODIES] {
        let mut costs = Vec::new();
        for size in [10, 100] {
            let (data, cost) = counted(&app, query, json!({ "n": size })).await;
            costs.push(cost);
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

/// A page after a cursor costs what the first page does. Only whether articles lie behind the
/// cursor (`hasPreviousPage` going forward, `hasNextPage` going backward) takes a statement of
/// its own, run when the query shows it, under an alias or in a fragment as well.
#[tokio::test]
async fn only_showing_what_lies_behind_the_cursor_costs_a_statement_more() {
    let app = quiet_app().await;
    let (first, first_cost) = counted(&app, PAGE_WITH_RELATIONS, json!({ "n": 10 })).await;
    let after = json!({ "n": 10, "after": first["feed"]["pageInfo"]["endCursor"] });
    let deep = PAGE_WITH_RELATIONS
        .replace("query($n: Int)", "query($n: Int, $after: String)")
        .replace("feed(first: $n)", "feed(first: $n, after: $after)");
    let (_, deep_cost) = counted(&app, &deep, after.clone()).await;
    assert_eq!(
        deep_cost, first_cost,
        "a page after a cursor costs what the first does"
    );

    let showing = deep.replace(
        "pageInfo { hasNextPage endCursor }",
        "pageInfo { ...Behind }",
    ) + "fragment Behind on PageInfo { earlier: hasPreviousPage }";
    let (data, showing_cost) = counted(&app, &showing, after.clone()).await;
    assert_eq!(data["feed"]["pageInfo"]["earlier"], true);
    assert_eq!(showing_cost, first_cost + 1);

    // Left out by a directive, the flag is not shown, and costs nothing: async-graphql drops
    // what `@skip` and `@include` leave out before the resolvers look ahead.
    let maybe = deep
        .replace(
            "query($n: Int, $after: String)",
            "query($n: Int, $after: String, $show: Boolean!)",
        )
        .replace(
            "pageInfo { hasNextPage endCursor }",
            "pageInfo { hasNextPage endCursor hasPreviousPage @include(if: $show) }",
        );
    let with_show = |show: bool| {
        let mut variables = after.clone();
        variables["show"] = json!(show);
        variables
    };
    let (data, hidden_cost) = counted(&app, &maybe, with_show(false)).await;
    assert!(data["feed"]["pageInfo"].get("hasPreviousPage").is_none());
    assert_eq!(hidden_cost, first_cost);
    let (data, shown_cost) = counted(&app, &maybe, with_show(true)).await;
    assert_eq!(data["feed"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(shown_cost, first_cost + 1);
    let skipped = deep.replace(
        "pageInfo { hasNextPage endCursor }",
        "pageInfo { hasNextPage endCursor hasPreviousPage @skip(if: true) }",
    );
    assert_eq!(counted(&app, &skipped, after.clone()).await.1, first_cost);

    let backward = |shown: &str| {
        format!(
            "query($before: String) {{ feed(last: 5, before: $before) {{ pageInfo {{ {shown} }} }} }}"
        )
    };
    let before = json!({ "before": first["feed"]["edges"][5]["cursor"] });
    let (data, without) = counted(&app, &backward("hasPreviousPage"), before.clone()).await;
    assert_eq!(data["feed"]["pageInfo"]["hasPreviousPage"], false);
    let (data, with) = counted(&app, &backward("hasPreviousPage hasNextPage"), before).await;
    assert_eq!(data["feed"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(with, without + 1);
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
