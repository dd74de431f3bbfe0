//! Delta sync: a client that applies `changes(since:)` to its copy holds exactly what a fresh
//! walk of the feed gives, under any sequence of writes and imports.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// What a client keeps of an article, names of what it links to included.
const FIELDS: &str = "slug title publishedAt section { name } people { name } topics { name }";

type Copy = BTreeMap<String, Value>;

/// Applies every change since `token` to `copy`, a few at a time; returns the new token.
async fn sync(app: &TestApp, copy: &mut Copy, token: Option<String>) -> String {
    let query = format!(
        "query($since: String) {{ changes(since: $since, first: 7) {{
            changes {{ slug kind article {{ {FIELDS} }} }} token hasMore }} }}"
    );
    let mut token = token;
    loop {
        let data = app.data(&query, json!({ "since": token })).await;
        let page = &data["changes"];
        for change in page["changes"].as_array().expect("changes") {
            let slug = change["slug"].as_str().expect("slug").to_owned();
            match change["kind"].as_str() {
                Some("PUBLISHED") => copy.insert(slug, change["article"].clone()),
                _ => copy.remove(&slug),
            };
        }
        token = page["token"].as_str().map(str::to_owned);
        if page["hasMore"] == false {
            return token.expect("a token");
        }
    }
}

/// The feed as a fresh walk gives it.
async fn walk(app: &TestApp) -> Copy {
    let query = format!(
        "query($after: String) {{ feed(first: 50, after: $after) {{
            edges {{ node {{ {FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let mut copy = Copy::new();
    let mut after = Value::Null;
    loop {
        let data = app.data(&query, json!({ "after": after })).await;
        for edge in data["feed"]["edges"].as_array().expect("edges") {
            let node = &edge["node"];
            copy.insert(
                node["slug"].as_str().expect("slug").to_owned(),
                node.clone(),
            );
        }
        if data["feed"]["pageInfo"]["hasNextPage"] == false {
            return copy;
        }
        after = data["feed"]["pageInfo"]["endCursor"].clone();
    }
}

/// One write or import, on the case's own articles `a0`..`a4` and person.
#[derive(Clone, Debug)]
enum Step {
    Create { article: usize, published: bool },
    Retitle(usize),
    Rename(usize),
    Publish(usize),
    Unpublish(usize),
    ScheduleFar(usize),
    Delete(usize),
    RenamePerson,
    Import { article: usize, published: bool },
}

/// Which of the case's five articles start published, and the steps that follow.
fn histories() -> impl proptest::strategy::Strategy<Value = ([bool; 5], Vec<Step>)> {
    (proptest::prelude::any::<[bool; 5]>(), steps())
}

fn steps() -> impl proptest::strategy::Strategy<Value = Vec<Step>> {
    use proptest::prelude::*;
    let article = 0..5usize;
    let step = prop_oneof![
        (article.clone(), any::<bool>())
            .prop_map(|(article, published)| Step::Create { article, published }),
        article.clone().prop_map(Step::Retitle),
        article.clone().prop_map(Step::Rename),
        article.clone().prop_map(Step::Publish),
        article.clone().prop_map(Step::Unpublish),
        article.clone().prop_map(Step::ScheduleFar),
        article.clone().prop_map(Step::Delete),
        Just(Step::RenamePerson),
        (article, any::<bool>())
            .prop_map(|(article, published)| Step::Import { article, published }),
    ];
    prop::collection::vec(step, 1..12)
}

/// Runs a step; steps naming an article that is not there simply fail, as they would for a
/// client, and change nothing.
async fn run(app: &TestApp, editor: &str, case: usize, step: &Step, serial: usize) {
    let slug = |article: usize| format!("c{case}-a{article}");
    let person = format!("c{case}-person");
    let (query, variables) = match step {
        Step::Create { article, published } => (
            "mutation($slug: String!, $person: String!, $status: ArticleStatus!) {
                createArticle(input: {slug: $slug, title: \"Нова\", body: \"\", status: $status,
                  people: [$person], topics: [\"krym\"]}) { slug } }",
            json!({ "slug": slug(*article), "person": person,
                    "status": if *published { "PUBLISHED" } else { "DRAFT" } }),
        ),
        Step::Retitle(article) => (
            "mutation($slug: String!, $title: String!) { updateArticle(slug: $slug, input: {title: $title}) { slug } }",
            json!({ "slug": slug(*article), "title": format!("Заголовок {serial}") }),
        ),
        Step::Rename(article) => (
            "mutation($slug: String!, $to: String!) { updateArticle(slug: $slug, input: {slug: $to}) { slug } }",
            json!({ "slug": slug(*article), "to": format!("{}-r{serial}", slug(*article)) }),
        ),
        Step::Publish(article) => (
            "mutation($slug: String!) { publishArticle(slug: $slug) { slug } }",
            json!({ "slug": slug(*article) }),
        ),
        Step::Unpublish(article) => (
            "mutation($slug: String!) { unpublishArticle(slug: $slug) { slug } }",
            json!({ "slug": slug(*article) }),
        ),
        Step::ScheduleFar(article) => (
            "mutation($slug: String!) { scheduleArticle(slug: $slug, at: \"2999-01-01T00:00:00Z\") { slug } }",
            json!({ "slug": slug(*article) }),
        ),
        Step::Delete(article) => (
            "mutation($slug: String!) { deleteArticle(slug: $slug) }",
            json!({ "slug": slug(*article) }),
        ),
        Step::RenamePerson => (
            "mutation($slug: String!, $name: String!) { updatePerson(slug: $slug, input: {name: $name}) { slug } }",
            json!({ "slug": person, "name": format!("Особа {serial}") }),
        ),
        Step::Import { article, published } => {
            let line = json!({"type": "article", "slug": slug(*article),
                "title": format!("Імпорт {serial}"), "body": "",
                "published_at": "2024-09-08T10:00:00+03:00", "people": [person],
                "status": if *published { "published" } else { "draft" }});
            app.db.import(&line.to_string());
            app.caught_up(std::time::Duration::from_secs(10)).await;
            return;
        }
    };
    app.gql_as(Some(editor), query, variables).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn applying_the_changes_gives_what_a_fresh_walk_gives() {
    use proptest::test_runner::{Config, TestRunner};

    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 16,
        ..Config::default()
    });
    let cases = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&histories(), |(published, steps)| {
            let case = cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tokio::task::block_in_place(|| {
                handle.block_on(async {
                    app.data_as(
                        &editor,
                        "mutation($slug: String!) { createPerson(input: {slug: $slug, name: \"Особа\"}) { slug } }",
                        json!({ "slug": format!("c{case}-person") }),
                    )
                    .await;
                    for (article, published) in published.into_iter().enumerate() {
                        let create = Step::Create { article, published };
                        run(&app, &editor, case, &create, 0).await;
                    }
                    let mut copy = Copy::new();
                    let mut token = sync(&app, &mut copy, None).await;
                    assert_eq!(copy, walk(&app).await, "a first sync is the feed");
                    for (serial, step) in steps.iter().enumerate() {
                        run(&app, &editor, case, step, serial).await;
                        token = sync(&app, &mut copy, Some(token)).await;
                        assert_eq!(copy, walk(&app).await, "after {step:?} of {steps:?}");
                    }
                })
            });
            Ok(())
        })
        .expect("every sequence keeps the copy exact");
}

#[tokio::test]
async fn an_article_reaching_its_time_is_synced() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let mut copy = Copy::new();
    let token = sync(&app, &mut copy, None).await;
    app.schedule_soon(&editor, "zavtra").await;
    // Synced before its time, the article is not in the copy, as it is not in the feed.
    let token = sync(&app, &mut copy, Some(token)).await;
    let started = std::time::Instant::now();
    while !walk(&app).await.contains_key("zavtra") {
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sync(&app, &mut copy, Some(token)).await;
    assert_eq!(copy, walk(&app).await);
    assert!(copy.contains_key("zavtra"));
}

#[tokio::test]
async fn foreign_tokens_are_refused() {
    let app = TestApp::seeded().await;
    for (since, message) in [
        ("nonsense", "since: not a token `changes` gave"),
        (
            "c3luYzo5OTk5OTk6OjA",
            "since: this token is not from this database: start again without `since`",
        ),
    ] {
        let answer = app
            .gql(
                "query($s: String) { changes(since: $s) { token } }",
                json!({ "s": since }),
            )
            .await;
        assert_eq!(answer["errors"][0]["message"], message, "{answer}");
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn an_empty_archive_syncs_to_an_empty_copy_and_then_follows_imports() {
    let app = TestApp::spawn().await;
    let mut copy = Copy::new();
    let token = sync(&app, &mut copy, None).await;
    assert!(copy.is_empty());
    let section = json!({"type": "section", "slug": "news", "name": "Новини"});
    let article = json!({"type": "article", "slug": "persha", "title": "Перша", "body": "",
        "published_at": "2024-09-07T10:00:00+03:00"});
    app.db.import(&format!("{section}\n{article}\n"));
    sync(&app, &mut copy, Some(token)).await;
    assert_eq!(copy.keys().collect::<Vec<_>>(), ["persha"]);
    assert_eq!(copy, walk(&app).await);
}
