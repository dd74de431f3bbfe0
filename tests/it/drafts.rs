//! Drafts and articles whose time has not come are invisible to every public read (search
//! included) until they
//! are published or their time comes, with no restart; an editor's key previews them.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A public article of the seed page that the hidden ones share everything with.
const PUBLIC: &str = "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii";

const HIDDEN: &[&str] = &["chernetka", "zavtra"];

/// Every slug any public read gives: the feed, each filter, each catalogue page, the days, the
/// public article's related articles, the article lookups themselves, and the syndication
/// feeds and sitemaps.
async fn everything_public(app: &TestApp) -> Vec<String> {
    let mut seen = Vec::new();
    let mut collect = |value: &Value| {
        let mut stack = vec![value.clone()];
        while let Some(value) = stack.pop() {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(slug)) = map.get("slug") {
                        seen.push(slug.clone());
                    }
                    stack.extend(map.into_values());
                }
                Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
    };
    let page = "articles(first: 100) { edges { node { slug } } }";
    let lists = format!(
        r#"{{
          feed(first: 100) {{ edges {{ node {{ slug }} }} }}
          bySection: feed(first: 100, filter: {{section: "news"}}) {{ edges {{ node {{ slug }} }} }}
          byTopic: feed(first: 100, filter: {{topic: "viiskova-dopomoha"}}) {{ edges {{ node {{ slug }} }} }}
          byPerson: feed(first: 100, filter: {{person: "rustem-umierov"}}) {{ edges {{ node {{ slug }} }} }}
          byCountry: feed(first: 100, filter: {{country: "JP", language: "uk"}}) {{ edges {{ node {{ slug }} }} }}
          byTime: feed(first: 100, filter: {{publishedSince: "2020-01-01T00:00:00Z"}}) {{ edges {{ node {{ slug }} }} }}
          section(slug: "news") {{ {page} }}
          topic(slug: "viiskova-dopomoha") {{ {page} }}
          person(slug: "rustem-umierov") {{ {page} }}
          country(code: "JP") {{ {page} }}
          days(first: 31) {{ edges {{ node {{ {page} }} }} }}
          article(slug: "{PUBLIC}") {{ related(first: 20) {{ slug }} }}
          searchDraft: search(query: "chernetka", first: 100) {{ nodes {{ slug }} }}
          searchScheduled: search(query: "zavtra", first: 100, order: NEWEST) {{ nodes {{ slug }} }}
          searchShared: search(query: "Умєров", first: 100) {{ nodes {{ slug }} }}
          a: article(slug: "chernetka") {{ slug }}
          b: article(slug: "zavtra") {{ slug }}
        }}"#
    );
    collect(&app.data(&lists, json!({})).await);
    let mut text = String::new();
    for path in [
        "/feeds/site.json",
        "/feeds/topic/viiskova-dopomoha.atom",
        "/feeds/person/rustem-umierov.rss",
        "/sitemap.xml",
        "/sitemaps/articles-1.xml",
        "/sitemaps/news.xml",
    ] {
        let response = app
            .client
            .get(app.url(path))
            .send()
            .await
            .expect("a response");
        text.push_str(&response.text().await.expect("a body"));
    }
    seen.extend(
        HIDDEN
            .iter()
            .filter(|slug| text.contains(*slug))
            .map(|slug| format!("{slug} (syndication)")),
    );
    seen
}

fn hidden_among(seen: &[String]) -> Vec<&String> {
    seen.iter()
        .filter(|slug| HIDDEN.iter().any(|hidden| slug.starts_with(hidden)))
        .collect()
}

#[tokio::test]
async fn drafts_and_embargoed_articles_stay_hidden_from_every_public_read() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let shared = r#"section: "news", people: ["rustem-umierov", "minoru-kikhara"],
        countries: ["UA", "JP"], topics: ["viiskova-dopomoha"]"#;
    for (slug, status, published_at) in [
        ("chernetka", "DRAFT", "2024-09-07T23:00:00+03:00"),
        ("zavtra", "PUBLISHED", "2999-01-01T00:00:00+02:00"),
    ] {
        let create = format!(
            r#"mutation {{ createArticle(input: {{slug: "{slug}", title: "{slug}", body: "Текст.",
                status: {status}, publishedAt: "{published_at}", {shared}}}) {{ slug }} }}"#
        );
        app.data_as(&editor, &create, json!({})).await;
    }
    // Even picked by an editor, they stay out of «Читайте також».
    app.data_as(
        &editor,
        &format!(r#"mutation {{ updateArticle(slug: "{PUBLIC}", input: {{related: ["chernetka", "zavtra"]}}) {{ slug }} }}"#),
        json!({}),
    )
    .await;

    let seen = everything_public(&app).await;
    assert!(
        seen.iter().any(|slug| slug == PUBLIC),
        "the reads work: {seen:?}"
    );
    assert_eq!(hidden_among(&seen), Vec::<&String>::new());

    // Previews need an editor's key.
    let preview = r#"{ article(slug: "chernetka", preview: true) { slug status body wordCount } }"#;
    let answer = app.gql_as(None, preview, json!({})).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{answer}"
    );
    let data = app.data_as(&editor, preview, json!({})).await;
    assert_eq!(
        data["article"],
        json!({"slug": "chernetka", "status": "DRAFT", "body": "Текст.", "wordCount": 1})
    );
    let data = app
        .data_as(
            &editor,
            r#"{ article(slug: "zavtra", preview: true) { slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["article"]["slug"], "zavtra");
    // A request with a key is never answered from, or kept in, the shared cache.
    let answer = app
        .gql_as(
            None,
            r#"{ article(slug: "chernetka") { slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(answer["data"]["article"], Value::Null);

    // Published, the draft shows everywhere a public article of its kind does.
    app.data_as(
        &editor,
        r#"mutation { publishArticle(slug: "chernetka") { slug } }"#,
        json!({}),
    )
    .await;
    let seen = everything_public(&app).await;
    let shown = seen
        .iter()
        .filter(|slug| slug.starts_with("chernetka"))
        .count();
    assert!(shown >= 10, "shown {shown} times: {seen:?}");
    assert!(!seen.iter().any(|slug| slug.starts_with("zavtra")));
}

#[tokio::test]
async fn a_scheduled_article_appears_when_its_time_comes() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    app.data_as(
        &editor,
        r#"mutation { createArticle(input: {slug: "zavtra", title: "Z", body: ""}) { slug } }"#,
        json!({}),
    )
    .await;
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let scheduled = app
        .data_as(
            &editor,
            r#"mutation($at: String!) { scheduleArticle(slug: "zavtra", at: $at) { status publishedAt } }"#,
            json!({ "at": at }),
        )
        .await;
    assert_eq!(scheduled["scheduleArticle"]["status"], "PUBLISHED");
    let started = Instant::now();
    loop {
        let data = app
            .data(r#"{ article(slug: "zavtra") { slug } }"#, json!({}))
            .await;
        if data["article"]["slug"] == "zavtra" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never appeared"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let feed = app
        .data("{ feed(first: 1) { edges { node { slug } } } }", json!({}))
        .await;
    assert_eq!(feed["feed"]["edges"][0]["node"]["slug"], "zavtra");
    // Scheduling is for the future only.
    let answer = app
        .gql_as(
            Some(&editor),
            r#"mutation { scheduleArticle(slug: "zavtra", at: "2020-01-01T00:00:00Z") { slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        answer["errors"][0]["message"],
        "at: must be in the future (publishArticle publishes now)"
    );
}
