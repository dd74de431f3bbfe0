use std::{collections::HashMap, time::Duration};

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    archive::{self, Generated},
    helpers::{FEED_WALK, TestApp, TestDatabase, walk},
};

const SEARCH: &str = "query($query: String!, $first: Int, $after: String, $filter: ArticleFilter, $order: SearchOrder) {
  search(query: $query, first: $first, after: $after, filter: $filter, order: $order) {
    edges { cursor score highlightedTitle snippet(words: 12) node { slug publishedAt } }
    pageInfo { hasNextPage endCursor }
  }
}";

/// The seed's article whose title has «премʼєр» with ʼ (U+02BC).
const JAPANESE_PREMIER: &str = "yaponskyi-premier-pidtverdyv-nepokhytnu-pidtrymku-ukrainy";
/// The seed's article on Umerov and Japan, whose body has «прем’єр» with ’ (U+2019).
const UMEROV_JAPAN: &str = "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii";
const PALIANYTSIA: &str = "lytva-vydilyt-10-milioniv-yevro-na-raketu-palianytsia";

/// The slugs of the first page of hits for `query`, best first.
async fn slugs(app: &TestApp, query: &str) -> Vec<String> {
    slugs_with(app, json!({ "query": query })).await
}

async fn slugs_with(app: &TestApp, variables: Value) -> Vec<String> {
    let data = app.data(SEARCH, variables).await;
    edges(&data)
        .iter()
        .map(|edge| edge["node"]["slug"].as_str().expect("slug").to_owned())
        .collect()
}

fn edges(data: &Value) -> &Vec<Value> {
    data["search"]["edges"].as_array().expect("edges")
}

/// Every hit of `query` in `order`, walked in pages of `size`.
async fn walk_search(app: &TestApp, query: &str, order: &str, size: i64) -> Vec<String> {
    walk(
        app,
        SEARCH,
        json!({ "query": query, "order": order }),
        size,
        true,
        |d| &d["search"],
    )
    .await
}

#[tokio::test]
async fn the_three_apostrophes_are_one_letter() {
    let app = TestApp::seeded().await;
    let expected = slugs(&app, "прем'єр").await;
    assert_eq!(expected, [JAPANESE_PREMIER, UMEROV_JAPAN], "title first");
    for query in ["прем’єр", "премʼєр", "ПРЕМ'ЄР", "премєр", "«прем’єр»"]
    {
        assert_eq!(slugs(&app, query).await, expected, "{query}");
    }
    let data = app.data(SEARCH, json!({ "query": "прем'єр" })).await;
    assert_eq!(
        edges(&data)[0]["highlightedTitle"],
        "Японський <mark>премʼєр</mark> підтвердив «непохитну підтримку» України"
    );
}

#[tokio::test]
async fn case_word_forms_and_prefixes_match() {
    let app = TestApp::seeded().await;
    // «Японія» finds «Японії» (title) and «Японією»; case does not matter.
    for query in ["Умєров Японія", "умєров японії", "УМЄРОВА ЯПОНІЄЮ "]
    {
        assert_eq!(slugs(&app, query).await, [UMEROV_JAPAN], "{query}");
    }
    for query in ["Паляниця", "паляниці ", "Паляницю!", "Пал", "паляни"]
    {
        assert_eq!(slugs(&app, query).await, [PALIANYTSIA], "{query}");
    }
    // A finished last word («Пал ») is a whole word, not a prefix.
    assert!(slugs(&app, "Пал ").await.is_empty());
    // People's and topics' names are searched too: «Кіхара» is a person and «розмінування» a
    // topic of the same article; «Кіхарою» is in its body.
    assert_eq!(slugs(&app, "Кіхара розмінування").await, [UMEROV_JAPAN]);
}

#[tokio::test]
async fn every_word_must_match() {
    let app = TestApp::seeded().await;
    assert!(slugs(&app, "Умєров Паляниця").await.is_empty());
    assert_eq!(
        slugs(&app, "Умєров Рамштайн").await,
        ["umierov-na-ramshtaini-proponuvav-rozshyryty-spivpratsiu"]
    );
    let both = slugs(&app, "Умєров").await;
    assert_eq!(both.len(), 2, "{both:?}");
}

#[tokio::test]
async fn relevance_ranks_title_matches_first_and_newest_orders_like_the_feed() {
    let app = TestApp::seeded().await;
    let relevance = app.data(SEARCH, json!({ "query": "України" })).await;
    let scores: Vec<i64> = edges(&relevance)
        .iter()
        .map(|edge| edge["score"].as_i64().expect("score"))
        .collect();
    assert!(scores.len() > 5, "{scores:?}");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(scores[0] >= 2, "title matches come first: {scores:?}");
    // Equal scores are newest first.
    for pair in edges(&relevance).windows(2) {
        if pair[0]["score"] == pair[1]["score"] {
            assert!(
                pair[0]["node"]["publishedAt"].as_str() >= pair[1]["node"]["publishedAt"].as_str()
            );
        }
    }

    let newest = slugs_with(&app, json!({ "query": "України", "order": "NEWEST" })).await;
    let feed = walk(&app, FEED_WALK, json!({}), 100, true, |d| &d["feed"]).await;
    let mut found = newest.clone();
    found.sort();
    let mut ranked: Vec<String> = edges(&relevance)
        .iter()
        .map(|edge| edge["node"]["slug"].as_str().expect("slug").to_owned())
        .collect();
    ranked.sort();
    assert_eq!(found, ranked, "both orders hold the same hits");
    let in_feed_order: Vec<String> = feed
        .into_iter()
        .filter(|slug| newest.contains(slug))
        .collect();
    assert_eq!(newest, in_feed_order);
}

#[tokio::test]
async fn filters_combine_with_search() {
    let app = TestApp::seeded().await;
    let filter = json!({ "topic": "viiskova-dopomoha", "country": "UA" });
    let filtered = slugs_with(
        &app,
        json!({ "query": "України", "filter": filter, "order": "NEWEST" }),
    )
    .await;
    let feed = walk(
        &app,
        FEED_WALK,
        json!({ "filter": filter }),
        100,
        true,
        |d| &d["feed"],
    )
    .await;
    let all = slugs_with(&app, json!({ "query": "України", "order": "NEWEST" })).await;
    let expected: Vec<String> = feed.into_iter().filter(|s| all.contains(s)).collect();
    assert!(expected.len() >= 3, "{expected:?}");
    assert_eq!(filtered, expected);
    let narrow = json!({ "publishedBefore": "2024-09-01T00:00:00+03:00", "section": "news" });
    assert_eq!(
        slugs_with(&app, json!({ "query": "прем'єр", "filter": narrow })).await,
        [JAPANESE_PREMIER, UMEROV_JAPAN]
    );
    assert!(
        slugs_with(
            &app,
            json!({ "query": "прем'єр", "filter": { "person": "dzho-baiden" } })
        )
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn snippets_mark_matches_around_the_first_one() {
    let app = TestApp::seeded().await;
    let data = app
        .data(SEARCH, json!({ "query": "Японії Кіхарою", "first": 1 }))
        .await;
    let hit = &edges(&data)[0];
    assert_eq!(
        hit["snippet"],
        "…розмову з японським колегою Мінору <mark>Кіхарою</mark> – про це він повідомив 12 квітня."
    );
    assert_eq!(
        hit["highlightedTitle"],
        "Умєров обговорив військові потреби України з міністром оборони <mark>Японії</mark>"
    );
}

/// Pages of every size walk exactly the hits, in exactly the order the definition gives, on
/// an archive where about three articles share each timestamp and many share a score.
#[tokio::test]
async fn walks_never_skip_or_repeat_a_hit() {
    let archive = archive::generate(1_200, 21);
    let app = TestApp::spawn().await;
    app.db.import(&archive.ndjson);
    app.caught_up(Duration::from_secs(10)).await;
    let by_slug: HashMap<&str, &Generated> = archive
        .articles
        .iter()
        .map(|a| (a.slug.as_str(), a))
        .collect();
    let feed = walk(&app, FEED_WALK, json!({}), 100, true, |d| &d["feed"]).await;
    let number = |slug: &str| -> String { slug.trim_start_matches("article-").to_owned() };

    // Every title has «прем’єр»: all public articles match with the same score, so relevance
    // is the feed's order.
    for order in ["RELEVANCE", "NEWEST"] {
        for size in [7, 100] {
            assert_eq!(
                walk_search(&app, "прем'єр", order, size).await,
                feed,
                "{order} by {size}"
            );
        }
    }

    // «стаття 7»: 2 points for «стаття» in every title, 2 more when the title is «Стаття 7»,
    // and 1 more when person-7 or topic-7 («Особа 7», «Тема 7») is named.
    let score = |a: &Generated| -> i64 {
        let title = number(&a.slug) == "7";
        let names =
            a.people.iter().any(|p| p == "person-7") || a.topics.iter().any(|t| t == "topic-7");
        2 + if title { 2 } else { 0 } + i64::from(names)
    };
    let matches = |a: &Generated| -> bool {
        number(&a.slug) == "7"
            || a.people.iter().any(|p| p == "person-7")
            || a.topics.iter().any(|t| t == "topic-7")
    };
    let mut expected: Vec<String> = feed
        .iter()
        .filter(|slug| matches(by_slug[slug.as_str()]))
        .cloned()
        .collect();
    assert!(expected.len() > 100, "{}", expected.len());
    let newest = expected.clone();
    // Stable: equal scores keep the feed's order.
    expected.sort_by_key(|slug| std::cmp::Reverse(score(by_slug[slug.as_str()])));
    for size in [9, 50] {
        assert_eq!(
            walk_search(&app, "стаття 7 ", "RELEVANCE", size).await,
            expected
        );
        assert_eq!(walk_search(&app, "стаття 7 ", "NEWEST", size).await, newest);
    }
}

#[tokio::test]
async fn the_index_follows_imports_of_titles_and_names() {
    let app = TestApp::seeded().await;
    assert!(slugs(&app, "Ґрунтовно").await.is_empty());
    app.db.import(
        &[
            r#"{"type": "person", "slug": "minoru-kikhara", "name": "Мінору Кіхаріссімо", "role": "міністр оборони", "country": "JP"}"#,
            r#"{"type": "topic", "slug": "ramshtain", "name": "Рамштайн-формат"}"#,
            r#"{"type": "article", "slug": "lytva-vydilyt-10-milioniv-yevro-na-raketu-palianytsia", "title": "Литва ґрунтовно профінансує ракету", "published_at": "2024-09-07T02:15:00+03:00", "body": "Без назви ракети.", "countries": ["LT"]}"#,
        ]
        .join("\n"),
    );
    app.caught_up(Duration::from_secs(10)).await;
    assert_eq!(slugs(&app, "ґрунтовно").await, [PALIANYTSIA]);
    assert!(
        slugs(&app, "Паляниця").await.is_empty(),
        "the old title is gone"
    );
    assert_eq!(slugs(&app, "Кіхаріссімо").await, [UMEROV_JAPAN]);
    assert_eq!(
        slugs(&app, "формат").await,
        ["umierov-na-ramshtaini-proponuvav-rozshyryty-spivpratsiu"]
    );
}

#[tokio::test]
async fn drafts_and_embargoed_articles_never_match() {
    let app = TestApp::seeded().await;
    app.db.import(
        &[
            r#"{"type": "article", "slug": "draft", "title": "Жирафа чернетка", "published_at": "2024-04-12T14:20:00+03:00", "body": "Жирафа.", "status": "draft"}"#,
            r#"{"type": "article", "slug": "embargoed", "title": "Жирафа ембарго", "published_at": "2099-01-01T00:00:00+02:00", "body": "Жирафа."}"#,
            r#"{"type": "article", "slug": "public", "title": "Жирафа <script>", "published_at": "2024-04-12T14:20:00+03:00", "body": "Жирафа."}"#,
        ]
        .join("\n"),
    );
    app.caught_up(Duration::from_secs(10)).await;
    for order in ["RELEVANCE", "NEWEST"] {
        let data = app
            .data(SEARCH, json!({ "query": "жирафа", "order": order }))
            .await;
        let hits = edges(&data);
        assert_eq!(hits.len(), 1, "{data}");
        assert_eq!(hits[0]["node"]["slug"], "public");
        assert_eq!(
            hits[0]["highlightedTitle"],
            "<mark>Жирафа</mark> &lt;script&gt;"
        );
        assert_eq!(data["search"]["pageInfo"]["hasNextPage"], false);
    }
    assert!(slugs(&app, "чернетка").await.is_empty());
    assert!(slugs(&app, "ембарго").await.is_empty());
}

#[tokio::test]
async fn bad_queries_are_answered_without_errors() {
    let app = TestApp::seeded().await;
    for query in [
        "",
        " ",
        "\"",
        "*",
        "NEAR(",
        "NEAR(a b)",
        "AND OR",
        ":*",
        "!",
        "&|",
        "«»…!?",
        "'",
        "’",
        "\"unbalanced",
        "(",
        ")",
        "^",
        "-",
        "NOT",
        "title:x",
        "{}",
        "a & b | !c",
        "'':*",
        "\\",
        "%",
        "_",
        "% _ %",
        "'; DROP TABLE article; --",
    ] {
        let answer = app.gql(SEARCH, json!({ "query": query })).await;
        assert!(answer.get("errors").is_none(), "{query:?}: {answer}");
        assert!(answer["data"]["search"]["edges"].is_array(), "{query:?}");
    }
    assert!(slugs(&app, "").await.is_empty());
    assert_eq!(slugs(&app, "\"Паляниця").await, [PALIANYTSIA]);
}

#[tokio::test]
async fn bad_arguments_are_bad_user_input_naming_the_argument() {
    let app = TestApp::seeded().await;
    for (variables, argument) in [
        (json!({ "query": "України", "first": 101 }), "first"),
        (json!({ "query": "України", "first": -1 }), "first"),
        (json!({ "query": "України", "after": "nonsense" }), "after"),
        (
            json!({ "query": "а б в г ґ д е є ж з и і ї й к л м" }),
            "query",
        ),
    ] {
        let answer = app.gql(SEARCH, variables.clone()).await;
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{variables}");
        assert!(
            error["message"]
                .as_str()
                .expect("message")
                .starts_with(argument),
            "{answer}"
        );
    }
    let newest = app
        .data(
            SEARCH,
            json!({ "query": "України", "first": 1, "order": "NEWEST" }),
        )
        .await;
    let cursor = &newest["search"]["pageInfo"]["endCursor"];
    let answer = app
        .gql(SEARCH, json!({ "query": "України", "after": cursor }))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let answer = app
        .gql(
            "{ search(query: \"України\") { edges { snippet(words: 0) } } }",
            json!({}),
        )
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

/// A database holding the sample content, and a connection of its own to it.
async fn seeded_database() -> (std::sync::Arc<TestDatabase>, sea_orm::DatabaseConnection) {
    let db = std::sync::Arc::new(TestDatabase::create().await);
    db.import(&std::fs::read_to_string(crate::helpers::SEED).expect("seed sample"));
    let connection = sea_orm::Database::connect(&db.url).await.expect("database");
    (db, connection)
}

/// A database whose articles have no search rows (made before search existed, or indexed by an
/// older stemmer) is indexed when a server starts on it.
#[tokio::test]
async fn existing_databases_are_indexed_on_start() {
    let (db, connection) = seeded_database().await;
    connection
        .execute_unprepared("DELETE FROM article_search WHERE article_id % 2 = 0")
        .await
        .expect("drop half of the rows");
    connection
        .execute_unprepared("UPDATE article_search SET version = 0")
        .await
        .expect("age the others");
    connection.close().await.ok();
    let app = TestApp::serve(db, &[], &[]).await;
    assert_eq!(
        slugs(&app, "прем'єр").await,
        [JAPANESE_PREMIER, UMEROV_JAPAN]
    );
    assert_eq!(slugs(&app, "Паляниця").await, [PALIANYTSIA]);
    assert_eq!(slugs(&app, "Умєров").await.len(), 2);
}

/// Undoing the newest migrations and starting a server again leaves search whole: on SQLite
/// undoing the lean full-text table marks every article's rows stale, and the start indexes
/// them again.
#[tokio::test]
async fn search_survives_undoing_the_newest_migrations() {
    use migration::MigratorTrait;

    let (db, connection) = seeded_database().await;
    migration::Migrator::down(&connection, Some(5))
        .await
        .expect("undo the bodies' table, lz4, the feed index's status, the larger full-text batches, the slim index");
    connection.close().await.ok();
    let app = TestApp::serve(db, &[], &[]).await;
    assert_eq!(
        slugs(&app, "прем'єр").await,
        [JAPANESE_PREMIER, UMEROV_JAPAN]
    );
    assert_eq!(slugs(&app, "Паляниця").await, [PALIANYTSIA]);
}
