//! Running in production: several servers over one database, a database that is down or
//! restarts, a read replica.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    archive,
    cluster::Cluster,
    helpers::{FEED_WALK, SEED, TestApp, TestDatabase, walk},
};

const DEADLINE: Duration = Duration::from_secs(60);

async fn status(app: &TestApp, path: &str) -> u16 {
    app.client
        .get(app.url(path))
        .send()
        .await
        .map_or(0, |response| response.status().as_u16())
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < DEADLINE,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_server_started_before_its_database_waits_and_then_serves() {
    if !TestDatabase::postgres_pass() {
        return eprintln!("PostgreSQL only: runs in the PostgreSQL pass of scripts/test");
    }
    let mut cluster = Cluster::init();
    cluster.reserve_port();
    let db = Arc::new(TestDatabase::at(cluster.url()));
    let app = TestApp::start(db, &[], &[]);
    assert_eq!(status(&app, "/healthz").await, 200, "the process is up");
    assert_eq!(status(&app, "/readyz").await, 503, "but not ready");
    let answer = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({"query": "{ sections { slug } }"}))
        .send()
        .await
        .expect("a response");
    assert_eq!(answer.status().as_u16(), 503);
    let answer: Value = answer.json().await.expect("JSON");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAVAILABLE");

    cluster.start();
    wait_for("the server is ready", async || {
        status(&app, "/readyz").await == 200
    })
    .await;
    app.db.import(&std::fs::read_to_string(SEED).expect("seed"));
    let data = app.data("{ sections { slug } }", json!({})).await;
    assert_eq!(data["sections"][0]["slug"], "news");
}

#[tokio::test]
async fn a_database_restart_under_load_fails_requests_only_while_it_lasts() {
    if !TestDatabase::postgres_pass() {
        return eprintln!("PostgreSQL only: runs in the PostgreSQL pass of scripts/test");
    }
    let mut cluster = Cluster::init();
    cluster.start();
    let db = Arc::new(TestDatabase::at(cluster.url()));
    let mut app = TestApp::serve(db, &[("VISTKA_DB_CONNECT_TIMEOUT_MS", "500")], &[]).await;
    app.db.import(&std::fs::read_to_string(SEED).expect("seed"));

    // Four clients keep asking for the feed, counting answers and failures.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (client, url) = (app.client.clone(), app.url("/graphql"));
        let (stop, answered, failed) = (stop.clone(), answered.clone(), failed.clone());
        load.push(tokio::spawn(async move {
            // A comment unique to each request keeps the answer cache out of the way.
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let query = format!("{{ feed(first: 5) {{ edges {{ node {{ slug }} }} }} }} # {n}");
                let response = client
                    .post(&url)
                    .json(&json!({ "query": query }))
                    .send()
                    .await;
                let ok = match response {
                    Ok(response) => response.json::<Value>().await.is_ok_and(|answer| {
                        answer["data"]["feed"]["edges"]
                            .as_array()
                            .is_some_and(|e| e.len() == 5)
                    }),
                    Err(_) => false,
                };
                if ok { &answered } else { &failed }.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let answered_by = |count: usize| {
        let answered = answered.clone();
        async move || answered.load(Ordering::Relaxed) >= count
    };
    wait_for("the load is answered", answered_by(50)).await;

    cluster.stop();
    let failed_now = failed.clone();
    wait_for("requests fail", async || {
        failed_now.load(Ordering::Relaxed) > 0
    })
    .await;
    assert_eq!(status(&app, "/healthz").await, 200, "the process stays up");
    assert_eq!(
        status(&app, "/readyz").await,
        503,
        "and says its database is gone"
    );

    cluster.start();
    let before = answered.load(Ordering::Relaxed);
    wait_for("requests are answered again", answered_by(before + 50)).await;
    wait_for("the server is ready again", async || {
        status(&app, "/readyz").await == 200
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.expect("a load task");
    }
    assert!(app.is_running(), "the server never crashed");
    let after = app
        .data("{ feed(first: 15) { edges { node { slug } } } }", json!({}))
        .await;
    assert_eq!(after["feed"]["edges"].as_array().map(Vec::len), Some(15));
}

/// Two servers over one database while an import rewrites every article: both keep
/// answering, and every answer shows the old content or the new, never a mix.
#[tokio::test]
async fn two_servers_never_show_half_an_import() {
    let version = |tag: &str| -> String {
        archive::generate(300, 17)
            .ndjson
            .lines()
            .map(|line| {
                let mut value: Value = serde_json::from_str(line).expect("JSON");
                if value["type"] == "article" {
                    value["title"] =
                        json!(format!("{tag} {}", value["slug"].as_str().expect("slug")));
                }
                if value["type"] == "topic" {
                    value["name"] =
                        json!(format!("{tag} {}", value["slug"].as_str().expect("slug")));
                }
                value.to_string() + "\n"
            })
            .collect()
    };
    let first = TestApp::spawn().await;
    first.db.import(&version("v1"));
    let second = TestApp::serve(first.db.clone(), &[], &[]).await;
    let query = "{ feed(first: 100) { edges { node { title topics { name } } } } }";
    // The tags an answer shows: exactly one if the answer is consistent.
    let tags = |answer: &Value| -> std::collections::BTreeSet<String> {
        let mut tags = std::collections::BTreeSet::new();
        for edge in answer["feed"]["edges"].as_array().expect("edges") {
            let node = &edge["node"];
            tags.insert(node["title"].as_str().expect("title")[..2].to_owned());
            for topic in node["topics"].as_array().expect("topics") {
                tags.insert(topic["name"].as_str().expect("name")[..2].to_owned());
            }
        }
        tags
    };
    let v2 = version("v2");
    let db = first.db.clone();
    let import = tokio::task::spawn_blocking(move || db.import(&v2));
    let mut seen = std::collections::BTreeSet::new();
    let started = Instant::now();
    loop {
        for app in [&first, &second] {
            let answer = app.data(query, json!({})).await;
            let tags = tags(&answer);
            assert_eq!(
                tags.len(),
                1,
                "one answer mixed old and new content: {tags:?}"
            );
            seen.extend(tags);
        }
        if import.is_finished() && seen.contains("v2") {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "the import did not show");
    }
    import.await.expect("the import ran");
    for app in [&first, &second] {
        // Each server follows the import within about a second, cached answers included.
        app.caught_up(Duration::from_secs(10)).await;
        assert_eq!(
            tags(&app.data(query, json!({})).await),
            ["v2".to_owned()].into()
        );
    }
}

/// With `DATABASE_READ_URL`, reads come from the replica and writes go to `DATABASE_URL`.
/// A second database stands in for the replica, so which one answered is visible.
#[tokio::test]
async fn reads_go_to_the_read_replica_and_writes_to_the_primary() {
    let primary = Arc::new(TestDatabase::create().await);
    let replica = TestDatabase::create().await;
    replica.import(&std::fs::read_to_string(SEED).expect("seed"));
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("primary.ndjson");
    std::fs::write(
        &file,
        [
            r#"{"type":"section","slug":"primary","name":"Основна"}"#,
            r#"{"type":"article","slug":"only-on-the-primary","title":"T","body":"b","published_at":"2024-01-01T00:00:00Z","section":"primary"}"#,
        ]
        .join("\n"),
    )
    .expect("write the file");
    let app = TestApp::serve(
        primary.clone(),
        &[("DATABASE_READ_URL", &replica.url)],
        &["--import", file.to_str().expect("UTF-8 path")],
    )
    .await;
    let data = app
        .data(
            "{ sections { slug } feed(first: 100) { edges { node { slug } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["sections"],
        json!([{"slug": "news"}]),
        "the replica's content"
    );
    assert_eq!(data["feed"]["edges"].as_array().map(Vec::len), Some(15));
    assert!(
        primary.export().contains("only-on-the-primary"),
        "the import went to the primary"
    );
    assert!(!replica.export().contains("only-on-the-primary"));
}

/// The same archive gives the same export bytes and the same walks on both backends.
#[tokio::test]
async fn sqlite_and_postgresql_agree() {
    if !TestDatabase::postgres_pass() {
        return eprintln!("PostgreSQL only: runs in the PostgreSQL pass of scripts/test");
    }
    let archive = archive::generate(500, 29);
    let postgres = TestApp::spawn().await;
    let sqlite = TestApp::serve(Arc::new(TestDatabase::sqlite()), &[], &[]).await;
    for app in [&postgres, &sqlite] {
        app.db.import(&archive.ndjson);
    }
    assert_eq!(postgres.db.export(), sqlite.db.export());
    let filter = json!({"filter": {"topic": "topic-2", "language": "uk"}});
    for (variables, size) in [(json!({}), 37), (filter, 11)] {
        let on_postgres = walk(&postgres, FEED_WALK, variables.clone(), size, true, |d| {
            &d["feed"]
        })
        .await;
        let on_sqlite = walk(&sqlite, FEED_WALK, variables, size, true, |d| &d["feed"]).await;
        assert_eq!(on_postgres, on_sqlite);
    }
}
