use std::collections::HashMap;

use serde_json::{Value, json};

use crate::{
    archive::{self, Generated},
    helpers::{FEED_WALK, TestApp, walk},
};

/// Every filter, alone and combined, walks exactly the plain feed's matching articles in the
/// plain feed's order, forward and backward.
#[tokio::test]
async fn each_filter_walks_exactly_its_articles() {
    let archive = archive::generate(1_500, 11);
    let app = TestApp::spawn().await;
    app.db.import(&archive.ndjson);
    let by_slug: HashMap<&str, &Generated> = archive
        .articles
        .iter()
        .map(|a| (a.slug.as_str(), a))
        .collect();
    let plain = walk(&app, FEED_WALK, json!({}), 100, true, |d| &d["feed"]).await;
    let since = "2024-01-01T03:00:00+02:00"; // 01:00 UTC
    let before = "2024-01-01T05:00:00Z";
    let since_micros = 1_704_070_800_000_000;
    let before_micros = 1_704_085_200_000_000;

    type Keep = Box<dyn Fn(&Generated) -> bool>;
    let cases: Vec<(Value, Keep)> = vec![
        (
            json!({"section": "world"}),
            Box::new(|a| a.section == "world"),
        ),
        (
            json!({"topic": "topic-3"}),
            Box::new(|a| a.topics.iter().any(|t| t == "topic-3")),
        ),
        (
            json!({"person": "person-0"}),
            Box::new(|a| a.people.iter().any(|p| p == "person-0")),
        ),
        (
            json!({"country": "JP"}),
            Box::new(|a| a.countries.iter().any(|c| c == "JP")),
        ),
        (json!({"language": "en"}), Box::new(|a| a.language == "en")),
        (
            json!({"publishedSince": since, "publishedBefore": before}),
            Box::new(move |a| {
                a.published_micros >= since_micros && a.published_micros < before_micros
            }),
        ),
        (
            json!({"topic": "topic-1", "person": "person-2", "country": "UA"}),
            Box::new(|a| {
                a.topics.iter().any(|t| t == "topic-1")
                    && a.people.iter().any(|p| p == "person-2")
                    && a.countries.iter().any(|c| c == "UA")
            }),
        ),
        (
            json!({"section": "news", "language": "uk", "country": "PL", "publishedSince": since}),
            Box::new(move |a| {
                a.section == "news"
                    && a.language == "uk"
                    && a.countries.iter().any(|c| c == "PL")
                    && a.published_micros >= since_micros
            }),
        ),
        (json!({"topic": "no-such-topic"}), Box::new(|_| false)),
    ];
    for (filter, keep) in cases {
        let expected: Vec<String> = plain
            .iter()
            .filter(|slug| keep(by_slug[slug.as_str()]))
            .cloned()
            .collect();
        assert_eq!(
            expected.len(),
            archive.public(|a| keep(a)).len(),
            "the reference itself is complete for {filter}"
        );
        for (size, forward) in [(20, true), (9, false)] {
            let walked = walk(
                &app,
                FEED_WALK,
                json!({ "filter": filter }),
                size,
                forward,
                |d| &d["feed"],
            )
            .await;
            assert_eq!(
                walked, expected,
                "filter {filter}, page size {size}, forward {forward}"
            );
        }
    }
}

/// `person.articles`, `topic.articles`, `country.articles` and `section.articles` are the feed
/// filtered by that key.
#[tokio::test]
async fn catalogue_listings_match_the_filtered_feed() {
    let archive = archive::generate(600, 5);
    let app = TestApp::spawn().await;
    app.db.import(&archive.ndjson);
    for (root, argument, key, filter) in [
        ("person", "slug", "person-4", "person"),
        ("topic", "slug", "topic-0", "topic"),
        ("country", "code", "DE", "country"),
        ("section", "slug", "economy", "section"),
    ] {
        let query = format!(
            "query($first: Int, $after: String, $last: Int, $before: String) {{
              {root}({argument}: {key:?}) {{
                articles(first: $first, after: $after, last: $last, before: $before) {{
                  edges {{ cursor node {{ slug }} }}
                  pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                }}
              }}
            }}"
        );
        let listed = walk(&app, &query, json!({}), 25, true, |d| &d[root]["articles"]).await;
        let backward = walk(&app, &query, json!({}), 25, false, |d| &d[root]["articles"]).await;
        let filtered = walk(
            &app,
            FEED_WALK,
            json!({"filter": {filter: key}}),
            25,
            true,
            |d| &d["feed"],
        )
        .await;
        assert!(!listed.is_empty(), "{root} {key} has articles");
        assert_eq!(listed, filtered, "{root} {key}");
        assert_eq!(backward, filtered, "{root} {key} backward");
    }
}
