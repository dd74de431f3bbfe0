use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::{
    archive,
    helpers::{FEED_WALK, TestApp, walk},
};

fn feed(data: &Value) -> &Value {
    &data["feed"]
}

#[tokio::test]
async fn seed_feed_is_newest_first() {
    let app = TestApp::seeded().await;
    let data = app.data("{ feed { edges { node { slug publishedAt } } pageInfo { hasNextPage hasPreviousPage } } }", json!({})).await;
    let slugs: Vec<&str> = data["feed"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(
        slugs,
        [
            "holova-mzs-zvynuvatyla-oseredok-pravliachoi-partii",
            "mzs-nazvalo-nelehitymnymy-rosiiski-vybory-v-krymu",
            "ministr-oborony-niderlandiv-pro-plany-putina-shchodo-donbasu",
            "zelenskyi-povidomyv-pro-zustrichi-z-yevropeiskymy-lideramy",
            "perevahy-obmezheni-ministr-oborony-niderlandiv-nato",
            "baiden-oholosyt-pro-dodatkovyi-paket-dopomohy-na-250-mln",
            "yevrokomisiia-nadast-ukraini-40-mln-yevro-na-enerhetyku",
            "borrel-zaprosyv-novoho-holovu-mzs",
            "henkonsul-zaklykav-kinofestyval-u-toronto-skasuvaty-pokaz",
            "pentahon-pro-zalyshky-koshtiv-dlia-ukrainy",
            "lytva-vydilyt-10-milioniv-yevro-na-raketu-palianytsia",
            "frantsiia-pidtrymaie-initsiatyvu-yes-za-rakhunok-aktyviv-rosii",
            "umierov-na-ramshtaini-proponuvav-rozshyryty-spivpratsiu",
            "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii",
            "yaponskyi-premier-pidtverdyv-nepokhytnu-pidtrymku-ukrainy",
        ]
    );
    assert_eq!(
        data["feed"]["edges"][11]["node"]["publishedAt"], "2024-09-07T00:30:00+03:00",
        "times keep the offset they were written with"
    );
    assert_eq!(
        data["feed"]["pageInfo"],
        json!({"hasNextPage": false, "hasPreviousPage": false})
    );
}

#[tokio::test]
async fn walks_visit_every_public_article_exactly_once_despite_ties() {
    let archive = archive::generate(3_000, 7);
    let app = TestApp::spawn().await;
    app.db.import(&archive.ndjson);
    let published: HashMap<&str, i64> = archive
        .articles
        .iter()
        .map(|a| (a.slug.as_str(), a.published_micros))
        .collect();
    let expected: HashSet<&str> = archive
        .public(|_| true)
        .iter()
        .map(|a| a.slug.as_str())
        .collect();
    let ties = archive
        .public(|_| true)
        .windows(2)
        .filter(|w| w[0].published_micros == w[1].published_micros)
        .count();
    assert!(ties > 500, "the archive has many ties ({ties})");

    let reference = walk(&app, FEED_WALK, json!({}), 100, true, feed).await;
    assert_eq!(
        reference.len(),
        expected.len(),
        "no article repeated or skipped"
    );
    assert_eq!(
        reference.iter().map(String::as_str).collect::<HashSet<_>>(),
        expected
    );
    assert!(
        reference
            .windows(2)
            .all(|w| published[w[0].as_str()] >= published[w[1].as_str()]),
        "newest first"
    );
    for (size, forward) in [(7, true), (33, true), (7, false), (100, false)] {
        let walked = walk(&app, FEED_WALK, json!({}), size, forward, feed).await;
        assert_eq!(walked, reference, "page size {size}, forward {forward}");
    }
    // Page size 1 both ways over the first hour, where ties are densest relative to the page.
    let hour = json!({"filter": {"publishedBefore": "2024-01-01T01:00:00Z"}});
    let first_hour: Vec<String> = reference
        .iter()
        .filter(|slug| published[slug.as_str()] < 1_704_070_800_000_000)
        .cloned()
        .collect();
    assert!(first_hour.len() > 100);
    for forward in [true, false] {
        assert_eq!(
            walk(&app, FEED_WALK, hour.clone(), 1, forward, feed).await,
            first_hour
        );
    }
}

#[tokio::test]
async fn a_walk_can_turn_around() {
    let archive = archive::generate(200, 3);
    let app = TestApp::spawn().await;
    app.db.import(&archive.ndjson);
    let first = app.data(FEED_WALK, json!({"first": 10})).await;
    let second = app
        .data(
            FEED_WALK,
            json!({"first": 10, "after": first["feed"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(second["feed"]["pageInfo"]["hasPreviousPage"], true);
    let back = app
        .data(
            FEED_WALK,
            json!({"last": 10, "before": second["feed"]["pageInfo"]["startCursor"]}),
        )
        .await;
    assert_eq!(back["feed"]["edges"], first["feed"]["edges"]);
    assert_eq!(back["feed"]["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(back["feed"]["pageInfo"]["hasNextPage"], true);
}

fn error_of(answer: &Value) -> (&str, &str) {
    let error = &answer["errors"][0];
    (
        error["message"].as_str().expect("an error message"),
        error["extensions"]["code"].as_str().expect("an error code"),
    )
}

#[tokio::test]
async fn malformed_and_foreign_cursors_are_client_errors() {
    let app = TestApp::seeded().await;
    for cursor in [
        "zzz",
        "YXJyYXljb25uZWN0aW9uOjU",
        "",
        "////",
        "YXJ0aWNsZTpub3BlOjE",
    ] {
        for argument in ["after", "before"] {
            let query = format!("{{ feed({argument}: {cursor:?}) {{ edges {{ cursor }} }} }}");
            let answer = app.gql(&query, json!({})).await;
            let (message, code) = error_of(&answer);
            assert_eq!(code, "BAD_USER_INPUT", "{answer}");
            assert!(message.starts_with(&format!("{argument}: ")), "{message}");
            assert!(answer["data"].is_null());
        }
    }
}

#[tokio::test]
async fn page_sizes_are_bounded() {
    let app = TestApp::seeded().await;
    for (arguments, expected) in [
        ("first: 101", "first: must be between 0 and 100, got 101"),
        ("last: 500", "last: must be between 0 and 100, got 500"),
        ("first: -1", "first: must be between 0 and 100, got -1"),
        ("first: 5, last: 5", "first and last cannot be combined"),
    ] {
        let answer = app
            .gql(
                &format!("{{ feed({arguments}) {{ edges {{ cursor }} }} }}"),
                json!({}),
            )
            .await;
        let (message, code) = error_of(&answer);
        assert!(message.starts_with(expected), "{arguments}: {message}");
        assert_eq!(code, "BAD_USER_INPUT");
    }
    let answer = app
        .gql(
            "query($n: Int) { feed(first: $n) { edges { cursor } } }",
            json!({"n": 4_294_967_296_i64}),
        )
        .await;
    let (message, code) = error_of(&answer);
    assert_eq!(
        code, "GRAPHQL_VALIDATION_FAILED",
        "GraphQL Int is 32-bit: {answer}"
    );
    assert!(
        message.contains("Only integers from -2147483648 to 2147483647"),
        "{message}"
    );
    let empty = app
        .data(
            "{ feed(first: 0) { edges { cursor } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        empty["feed"],
        json!({"edges": [], "pageInfo": {"hasNextPage": true}})
    );
    let default = app.data("{ feed { edges { cursor } } }", json!({})).await;
    assert_eq!(default["feed"]["edges"].as_array().map(Vec::len), Some(15));
}

/// For any small archive (heavy on ties, drafts and embargoes) and any page size, walking
/// either way visits exactly its public articles, newest first. Each case lives in a section
/// of its own, so one server serves them all.
#[tokio::test(flavor = "multi_thread")]
async fn any_archive_walks_exactly_in_both_directions() {
    use std::str::FromStr;

    use proptest::{
        prelude::*,
        test_runner::{Config, TestRunner},
    };

    let app = TestApp::seeded().await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    let articles = prop::collection::vec((0..4i64, 0..3usize, 0..8u8), 0..30);
    let cases = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&(articles, 1..9i64), |(articles, page_size)| {
            let case = cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let section = format!("case-{case}");
            let mut lines =
                vec![json!({"type": "section", "slug": section, "name": "Випадок"}).to_string()];
            let mut expected = Vec::new();
            for (i, (minute, offset, fate)) in articles.iter().enumerate() {
                let slug = format!("{section}-a{i}");
                let offsets = ["+00:00", "+03:00", "-05:00"];
                let utc =
                    chrono::DateTime::parse_from_rfc3339(&format!("2024-05-01T10:0{minute}:00Z"))
                        .expect("time");
                let written = utc.with_timezone(
                    &chrono::FixedOffset::from_str(offsets[*offset]).expect("offset"),
                );
                let (published, status) = match fate {
                    0 => (written.to_rfc3339(), "draft"),
                    1 => ("2999-01-01T00:00:00Z".to_owned(), "published"),
                    _ => (written.to_rfc3339(), "published"),
                };
                if *fate > 1 {
                    expected.push((utc.timestamp(), slug.clone()));
                }
                lines.push(
                    json!({"type": "article", "slug": slug, "title": "T", "body": "b",
                    "published_at": published, "status": status, "section": section})
                    .to_string(),
                );
            }
            app.db.import(&lines.join("\n"));
            let filter = json!({"filter": {"section": section}});
            let (forward, backward) = tokio::task::block_in_place(|| {
                handle.block_on(async {
                    (
                        walk(
                            &app,
                            FEED_WALK,
                            filter.clone(),
                            page_size,
                            true,
                            |d| &d["feed"],
                        )
                        .await,
                        walk(
                            &app,
                            FEED_WALK,
                            filter.clone(),
                            page_size,
                            false,
                            |d| &d["feed"],
                        )
                        .await,
                    )
                })
            });
            prop_assert_eq!(&forward, &backward);
            let time_of: HashMap<&str, i64> =
                expected.iter().map(|(t, s)| (s.as_str(), *t)).collect();
            prop_assert_eq!(forward.len(), expected.len());
            prop_assert!(
                forward
                    .iter()
                    .all(|slug| time_of.contains_key(slug.as_str()))
            );
            prop_assert!(
                forward
                    .windows(2)
                    .all(|w| time_of[w[0].as_str()] >= time_of[w[1].as_str()])
            );
            Ok(())
        })
        .expect("every walk is exact");
}
