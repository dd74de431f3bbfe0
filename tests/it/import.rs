use std::sync::Arc;

use sea_orm::ConnectionTrait;
use serde_json::json;
use vistka::{config::PoolConfig, database, transfer::import};

use crate::{
    archive::{self, Generated},
    helpers::{SEED, TestApp, TestDatabase},
};

fn seed() -> String {
    std::fs::read_to_string(SEED).expect("seed sample")
}

/// Moving the bodies out of the article table, and back, loses nothing: what an export gives
/// before, with the bodies moved back into their rows, and moved out again is the same. On
/// SQLite the file is compacted after: no page the bodies left stays in it, free.
#[tokio::test]
async fn bodies_survive_moving_out_of_the_article_table_and_back() {
    use migration::MigratorTrait;

    let db = TestDatabase::create().await;
    db.import(&seed());
    let before = db.export();
    let connection = sea_orm::Database::connect(&db.url).await.expect("database");
    migration::Migrator::down(&connection, Some(1))
        .await
        .expect("move the bodies back into the article table");
    let row = connection
        .query_one_raw(sea_orm::Statement::from_string(
            connection.get_database_backend(),
            "SELECT COUNT(*) AS articles, SUM(CASE WHEN body = '' THEN 0 ELSE 1 END) AS bodies \
             FROM article",
        ))
        .await
        .expect("query")
        .expect("a count");
    let articles: i64 = row.try_get("", "articles").expect("articles");
    let bodies: i64 = row.try_get("", "bodies").expect("bodies");
    assert!(articles > 0);
    assert_eq!(
        bodies, articles,
        "every article has its body in its row again"
    );
    connection.close().await.ok();
    let migrated = db.cli(&["migrate"], "");
    assert!(migrated.status.success(), "{migrated:?}");
    assert_eq!(db.export(), before);
    let connection = sea_orm::Database::connect(&db.url).await.expect("database");
    if connection.get_database_backend() == sea_orm::DbBackend::Sqlite {
        let free = connection
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "PRAGMA freelist_count",
            ))
            .await
            .expect("query")
            .expect("a count");
        assert_eq!(free.try_get_by_index::<i64>(0).expect("pages"), 0);
    }
}

#[tokio::test]
async fn every_problem_is_reported_and_nothing_changes() {
    let db = TestDatabase::create().await;
    db.import(&seed());
    let before = db.export();
    let broken = [
        r#"{"type":"topic","slug":"new-topic","name":"Нова тема"}"#,
        r#"{"type":"article","slug":"Bad Slug","body":"x","published_at":"2024-04-12T14:20:00+03:00"}"#,
        "{not json",
        "",
        r#"{"type":"article","slug":"new-article","title":"T","body":"b","published_at":"2024-04-12","people":["nobody"],"related":["new-article"]}"#,
        r#"{"type":"tag","slug":"x"}"#,
        r#"{"type":"topic","slug":"new-topic","name":"Знову"}"#,
        r#"{"type":"country","code":"ua","name":"Україна"}"#,
        r#"{"type":"person","slug":"someone","name":"Хтось","country":"XX"}"#,
        r#"{"type":"article","slug":"ok-article","title":"T","body":"b","published_at":"2024-04-12T14:20:00+03:00","topics":["ghost-topic"],"section":"ghost-section"}"#,
    ]
    .join("\n");
    let output = db.cli(&["import", "-"], &broken);
    assert!(!output.status.success());
    let report = String::from_utf8_lossy(&output.stderr);
    let expected = [
        "line 2: slug: \"Bad Slug\" is not a slug (1 to 120 lower-case ASCII letters, digits and single hyphens)",
        "line 2: title: required field is missing",
        "line 3: json: not valid JSON",
        "line 5: published_at: \"2024-04-12\" is not an RFC 3339 date-time with an offset (e.g. 2024-04-12T14:20:00+03:00)",
        "line 5: related: an article cannot be related to itself",
        "line 6: type: unknown type \"tag\" (expected section, country, person, topic or article)",
        "line 7: slug: topic \"new-topic\" is already defined on line 1",
        "line 8: code: \"ua\" is not an ISO 3166-1 alpha-2 code (two upper-case letters)",
        "line 9: country: no country \"XX\" in the file or the database",
        "line 10: section: no section \"ghost-section\" in the file or the database",
        "line 10: topics[0]: no topic \"ghost-topic\" in the file or the database",
    ];
    let reported: Vec<&str> = report.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(reported.len(), expected.len(), "{report}");
    for (got, want) in reported.iter().zip(expected) {
        assert!(got.starts_with(want), "expected {want:?}, got {got:?}");
    }
    assert!(
        report.contains("11 problem(s) found; nothing was imported"),
        "{report}"
    );
    assert_eq!(db.export(), before, "the database is unchanged");
}

#[tokio::test]
async fn import_is_idempotent_and_lists_are_replaced() {
    let db = TestDatabase::create().await;
    db.import(&seed());
    let first = db.export();
    db.import(&seed());
    assert_eq!(
        db.export(),
        first,
        "importing the same file twice changes nothing"
    );

    let update = r#"{"type":"article","slug":"yaponskyi-premier-pidtverdyv-nepokhytnu-pidtrymku-ukrainy","title":"Оновлено","body":"Нове.","published_at":"2024-04-11T19:05:00+03:00","people":["rustem-umierov"],"topics":["nato","krym"]}"#;
    db.import(update);
    let after = db.export();
    let line = after
        .lines()
        .find(|l| l.contains(r#""slug":"yaponskyi-premier-pidtverdyv"#))
        .expect("still there");
    assert_eq!(
        line,
        r#"{"type":"article","slug":"yaponskyi-premier-pidtverdyv-nepokhytnu-pidtrymku-ukrainy","title":"Оновлено","body":"Нове.","published_at":"2024-04-11T19:05:00+03:00","status":"published","section":"news","language":"uk","people":["rustem-umierov"],"countries":[],"topics":["nato","krym"],"related":[]}"#
    );
    assert_eq!(after.lines().count(), first.lines().count());
}

#[tokio::test]
async fn export_then_import_gives_back_the_same_bytes() {
    let archive = archive::generate(400, 21);
    let source = TestDatabase::create().await;
    source.import(&archive.ndjson);
    let exported = source.export();
    assert_eq!(source.export(), exported, "two exports are byte-equal");
    assert_eq!(exported.lines().count(), 400 + 3 + 6 + 12 + 8);

    let copy = TestDatabase::create().await;
    copy.import(&exported);
    assert_eq!(copy.export(), exported);
}

#[tokio::test]
async fn seed_export_is_canonical() {
    let db = TestDatabase::create().await;
    db.import(&seed());
    insta::assert_snapshot!(db.export());
}

#[tokio::test]
async fn references_may_point_down_the_file_or_into_the_database() {
    let db = TestDatabase::create().await;
    db.import(
        &[
            r#"{"type":"article","slug":"first","title":"Перша","body":"b","published_at":"2024-04-12T14:20:00+03:00","people":["later"],"section":"world","related":["second"]}"#,
            r#"{"type":"article","slug":"second","title":"Друга","body":"b","published_at":"2024-04-12T14:21:00+03:00","status":"draft","section":"world"}"#,
            r#"{"type":"person","slug":"later","name":"Пізніше"}"#,
            r#"{"type":"section","slug":"world","name":"Світ"}"#,
        ]
        .join("\n"),
    );
    db.import(r#"{"type":"article","slug":"third","title":"Третя","body":"b","published_at":"2024-04-12T14:22:00+03:00","people":["later"],"section":"world","related":["first"]}"#);
    let exported = db.export();
    assert!(exported.contains(r#""slug":"second","title":"Друга","body":"b","published_at":"2024-04-12T14:21:00+03:00","status":"draft""#), "drafts are exported");
    assert!(exported.contains(r#""slug":"third""#));
}

/// More articles than an import holds the texts of at once (it writes them 16,000 at a time),
/// read from a file: every article arrives whole, with its links to lines anywhere in the file,
/// and those of the last chunk are searchable too.
#[tokio::test]
async fn a_file_of_many_chunks_is_written_whole() {
    let archive = archive::generate(16_400, 13);
    let app = TestApp::spawn().await;
    let path = app.db.dir().join("archive.ndjson");
    std::fs::write(&path, &archive.ndjson).expect("write the archive");
    let output = app
        .db
        .cli(&["import", path.to_str().expect("a UTF-8 path")], "");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let stored = |a: &Generated| {
        let lists = [&a.people, &a.countries, &a.topics, &a.related].map(|l| l.clone());
        (a.slug.clone(), a.published_micros, a.section.clone(), lists)
    };
    let mut exported: Vec<_> = archive::parse(&app.db.export())
        .iter()
        .map(stored)
        .collect();
    let mut expected: Vec<_> = archive.articles.iter().map(stored).collect();
    exported.sort();
    expected.sort();
    assert_eq!(exported, expected);

    let (line, last) = archive
        .articles
        .iter()
        .enumerate()
        .rfind(|(_, a)| a.public)
        .expect("a public article");
    assert!(
        line >= 16_000,
        "the last public article is in the last chunk"
    );
    let number = last.slug.trim_start_matches("article-");
    let data = app
        .data(
            "query($q: String!) { search(query: $q) { edges { node { slug } } } }",
            json!({ "q": format!("стаття {number}") }),
        )
        .await;
    assert_eq!(
        data["search"]["edges"][0]["node"]["slug"],
        last.slug.as_str()
    );
}

/// What `vistka import` says when it has an SQLite file to itself and writes it without the
/// write-ahead log.
const ALONE: &str = "writing straight into the database file, which nothing else has open";

/// Whether an SQLite file is in WAL mode: its header's read and write format versions are 2.
fn in_wal_mode(db: &TestDatabase) -> bool {
    let header = std::fs::read(db.dir().join("vistka.db")).expect("database file");
    header[18..20] == [2, 2]
}

/// With the file to itself, an import writes it without the write-ahead log; whether it is
/// written or refused, it leaves the file in WAL mode, with no journal behind, holding what an
/// import through the log beside a running server writes.
#[tokio::test]
async fn an_import_alone_writes_the_file_directly_and_leaves_it_in_wal_mode() {
    let alone = TestDatabase::sqlite();
    let written = alone.cli(&["import", "-"], &seed());
    let said = String::from_utf8_lossy(&written.stderr);
    assert!(written.status.success(), "{said}");
    assert!(said.contains(ALONE), "{said}");
    assert!(in_wal_mode(&alone));
    assert!(!alone.dir().join("vistka.db-journal").exists());

    let before = alone.export();
    let refused = alone.cli(
        &["import", "-"],
        r#"{"type":"person","slug":"someone","name":"Хтось","country":"XX"}"#,
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        said.contains(ALONE),
        "its references are checked in the transaction: {said}"
    );
    assert!(in_wal_mode(&alone));
    assert_eq!(alone.export(), before, "the refused import changed nothing");

    let app = TestApp::serve(Arc::new(TestDatabase::sqlite()), &[], &[]).await;
    let beside = app.db.cli(&["import", "-"], &seed());
    let said = String::from_utf8_lossy(&beside.stderr);
    assert!(beside.status.success(), "{said}");
    assert!(
        !said.contains(ALONE),
        "the server has the file open: {said}"
    );
    assert!(in_wal_mode(&app.db));
    assert_eq!(app.db.export(), before);
    let answer = app
        .gql(
            "query($slug: String!) { article(slug: $slug) { slug } }",
            json!({"slug": "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii"}),
        )
        .await;
    assert_eq!(
        answer["data"]["article"]["slug"],
        "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii",
        "{answer}"
    );
}

/// The file is read twice: checked the first time, written from the second. A file that
/// changes in between is refused with nothing written, even when the second reading names a
/// section or person that the first never checked.
#[tokio::test]
async fn a_file_changed_between_its_readings_writes_nothing() {
    let db = TestDatabase::create().await;
    db.import(&seed());
    let before = db.export();
    let pool = PoolConfig {
        size: Some(1),
        connect_timeout_ms: 5_000,
        statement_timeout_ms: 30_000,
    };
    let connection = database::connect(&db.url, pool).await.expect("connect");
    let article = |published: &str, section: &str, person: &str| {
        let line = json!({
            "type": "article",
            "slug": "changing-article",
            "title": "Заголовок",
            "body": "Текст.",
            "published_at": published,
            "section": section,
            "people": [person],
        });
        format!("{line}\n")
    };
    let checked = article("2024-04-12T14:20:00+03:00", "news", "rustem-umierov");
    let path = db.dir().join("changing.ndjson");
    for changed in [
        article("2024-04-12T14:21:00+03:00", "news", "rustem-umierov"),
        article(
            "2024-04-12T14:20:00+03:00",
            "no-such-section",
            "rustem-umierov",
        ),
        article("2024-04-12T14:20:00+03:00", "news", "no-such-person"),
        String::new(),
        format!(
            "{checked}{}",
            checked.replace("changing-article", "added-article")
        ),
    ] {
        std::fs::write(&path, &checked).expect("write the file");
        let file = std::fs::File::open(&path).expect("open the file");
        let parsed = import::read(file, |_| {}).expect("the first reading finds no problem");
        std::fs::write(&path, &changed).expect("change the file");
        let error = import::apply(&connection, parsed)
            .await
            .expect_err("a changed file is refused");
        assert!(
            error
                .to_string()
                .contains("the file changed while it was imported"),
            "{error}"
        );
        assert_eq!(db.export(), before, "nothing was written for {changed}");
    }
}

/// On PostgreSQL an import stores an article's long values compressed with lz4, read back whole,
/// and leaves none of their terms pending outside the full-text index, where every search would
/// read them.
#[tokio::test]
async fn a_postgresql_import_compresses_long_texts_with_lz4_and_leaves_no_terms_pending() {
    if !TestDatabase::postgres_pass() {
        return eprintln!("PostgreSQL only: runs in the PostgreSQL pass of scripts/test");
    }
    let body: Vec<String> = (0..2_000).map(|i| format!("слово{i}")).collect();
    let body = body.join(" ");
    let line = json!({
        "type": "article", "slug": "long", "title": "Довга стаття", "body": body,
        "published_at": "2024-04-12T14:20:00+03:00",
    });
    let app = TestApp::spawn().await;
    let section = json!({ "type": "section", "slug": "news", "name": "Новини" });
    app.db.import(&format!("{section}\n{line}\n"));

    let connection = sea_orm::Database::connect(&app.db.url)
        .await
        .expect("database");
    let row = connection
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_column_compression(a.body) AS body, \
             pg_column_compression(d.document) AS document, \
             pg_column_compression(d.terms) AS terms \
             FROM article_body a JOIN article_document d ON d.article_id = a.article_id",
        ))
        .await
        .expect("query")
        .expect("the article's row");
    for column in ["body", "document", "terms"] {
        let method: Option<String> = row.try_get("", column).expect(column);
        assert_eq!(method.as_deref(), Some("lz4"), "{column}");
    }
    connection
        .execute_unprepared("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        .await
        .expect("pgstattuple");
    let pending = connection
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pending_pages FROM pgstatginindex('idx_article_document_terms')",
        ))
        .await
        .expect("query")
        .expect("the index's statistics");
    assert_eq!(
        pending.try_get::<i32>("", "pending_pages").expect("pages"),
        0
    );
    let data = app
        .data(r#"{ article(slug: "long") { body } }"#, json!({}))
        .await;
    assert_eq!(data["article"]["body"], body.as_str());
}
