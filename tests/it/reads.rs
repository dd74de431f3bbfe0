use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_seed_article_reads_in_full() {
    let app = TestApp::seeded().await;
    let data = app
        .data(
            "query($slug: String!) { article(slug: $slug) {
                slug title lead body publishedAt updatedAt language
                section { slug name }
                people { slug name role country { code name } }
                countries { code name }
                topics { slug name description }
            } }",
            json!({"slug": "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii"}),
        )
        .await;
    insta::assert_json_snapshot!(data);
}

/// Lists read their articles without bodies and fetch the bodies asked for apart, a page at a
/// time: each article must still show its own.
#[tokio::test]
async fn every_listing_shows_each_article_its_own_body() {
    let app = TestApp::seeded().await;
    let fields = "slug body wordCount";
    let data = app
        .data(
            &format!(
                "query($slug: String!) {{
                    feed(first: 100) {{ nodes {{ {fields} }} }}
                    search(query: \"Японії\") {{ edges {{ node {{ {fields} }} }} }}
                    changes {{ changes {{ article {{ {fields} }} }} }}
                    article(slug: $slug) {{ related(first: 5) {{ {fields} }} }}
                }}"
            ),
            json!({"slug": "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii"}),
        )
        .await;
    let listed: Vec<&serde_json::Value> = [
        &data["feed"]["nodes"],
        &data["search"]["edges"],
        &data["changes"]["changes"],
        &data["article"]["related"],
    ]
    .into_iter()
    .map(|list| list.as_array().expect("a list"))
    .inspect(|list| assert!(!list.is_empty(), "every listing shows something"))
    .flatten()
    .map(|item| {
        let article = &item["node"];
        if article.is_object() {
            article
        } else if item["article"].is_object() {
            &item["article"]
        } else {
            item
        }
    })
    .collect();
    for article in listed {
        let alone = app
            .data(
                "query($slug: String!) { article(slug: $slug) { slug body wordCount } }",
                json!({"slug": article["slug"]}),
            )
            .await;
        assert_eq!(article, &alone["article"]);
        assert!(!article["body"].as_str().expect("a body").is_empty());
    }
}

#[tokio::test]
async fn unknown_keys_read_as_null() {
    let app = TestApp::seeded().await;
    let data = app
        .data(
            r#"{ article(slug: "nope") { slug } person(slug: "nope") { slug } topic(slug: "nope") { slug }
                country(code: "ZZ") { code } section(slug: "nope") { slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({"article": null, "person": null, "topic": null, "country": null, "section": null})
    );
}

#[tokio::test]
async fn catalogues_list_everything_by_key() {
    let app = TestApp::seeded().await;
    let data = app
        .data(
            "{ people { slug } topics { slug } countries { code } sections { slug name } }",
            json!({}),
        )
        .await;
    let keys = |list: &str, key: &str| -> Vec<String> {
        data[list]
            .as_array()
            .expect("a list")
            .iter()
            .map(|item| item[key].as_str().expect("a key").to_owned())
            .collect()
    };
    let people = keys("people", "slug");
    assert_eq!(people.len(), 7);
    assert!(people.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(keys("topics", "slug").len(), 12);
    assert_eq!(
        keys("countries", "code"),
        ["CA", "CN", "FR", "IT", "JP", "LT", "NL", "RU", "UA", "US"]
    );
    assert_eq!(
        data["sections"],
        json!([{"slug": "news", "name": "Новини"}])
    );
}

#[tokio::test]
async fn drafts_and_embargoed_articles_are_invisible() {
    let app = TestApp::seeded().await;
    app.db.import(
        &[
            r#"{"type":"article","slug":"secret-draft","title":"Чернетка","body":"b","published_at":"2024-09-07T23:00:00+03:00","status":"draft","people":["rustem-umierov"],"topics":["nato"],"countries":["UA"]}"#,
            r#"{"type":"article","slug":"embargoed","title":"Ембарго","body":"b","published_at":"2999-01-01T00:00:00+02:00","people":["rustem-umierov"],"topics":["nato"],"countries":["UA"]}"#,
        ]
        .join("\n"),
    );
    let data = app
        .data(
            r#"{
              feed(first: 100) { edges { node { slug } } }
              filtered: feed(first: 100, filter: {topic: "nato", person: "rustem-umierov"}) { edges { node { slug } } }
              hiddenDraft: article(slug: "secret-draft") { slug }
              hiddenEmbargo: article(slug: "embargoed") { slug }
              person(slug: "rustem-umierov") { articles { edges { node { slug } } } }
              topic(slug: "nato") { articles { edges { node { slug } } } }
              country(code: "UA") { articles(first: 100) { edges { node { slug } } } }
              section(slug: "news") { articles(first: 100) { edges { node { slug } } } }
            }"#,
            json!({}),
        )
        .await;
    let text = data.to_string();
    assert!(
        !text.contains("secret-draft") && !text.contains("embargoed\""),
        "{text}"
    );
    assert_eq!(data["draft"], json!(null));
    assert_eq!(data["embargoed"], json!(null));
    assert_eq!(data["feed"]["edges"].as_array().map(Vec::len), Some(15));
    assert!(
        app.db.export().contains("secret-draft"),
        "drafts are kept, only hidden"
    );
}

#[tokio::test]
async fn graphiql_is_served_to_browsers() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .expect("a response");
    assert!(response.status().is_success());
    let page = response.text().await.expect("html");
    assert!(page.contains("graphiql"), "{page}");
}

#[tokio::test]
async fn sigterm_shuts_the_server_down_cleanly() {
    let mut app = TestApp::seeded().await;
    app.data("{ sections { slug } }", json!({})).await;
    assert!(app.terminate().success());
}
