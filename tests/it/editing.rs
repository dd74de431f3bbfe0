//! Writing through GraphQL: every mutation against every kind of caller, validation shared with
//! import, renames, and reads that show a write at once.

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Every mutation (and admin query) with arguments that succeed for an allowed caller, in an
/// order that works: creations before their use, deletions last. `{s}` is a suffix, `{C}` a
/// country code, unique per caller.
const OPERATIONS: &[(&str, &str, &str)] = &[
    (
        "editor",
        "createSection",
        r#"mutation { createSection(input: {slug: "s-{s}", name: "S"}) { slug } }"#,
    ),
    (
        "editor",
        "updateSection",
        r#"mutation { updateSection(slug: "s-{s}", input: {name: "S2"}) { name } }"#,
    ),
    (
        "editor",
        "createCountry",
        r#"mutation { createCountry(input: {code: "{C}", name: "C"}) { code } }"#,
    ),
    (
        "editor",
        "updateCountry",
        r#"mutation { updateCountry(code: "{C}", input: {name: "C2"}) { name } }"#,
    ),
    (
        "editor",
        "createPerson",
        r#"mutation { createPerson(input: {slug: "p-{s}", name: "P", country: "{C}"}) { slug } }"#,
    ),
    (
        "editor",
        "updatePerson",
        r#"mutation { updatePerson(slug: "p-{s}", input: {role: "R"}) { role } }"#,
    ),
    (
        "editor",
        "createTopic",
        r#"mutation { createTopic(input: {slug: "t-{s}", name: "T"}) { slug } }"#,
    ),
    (
        "editor",
        "updateTopic",
        r#"mutation { updateTopic(slug: "t-{s}", input: {description: "D"}) { description } }"#,
    ),
    (
        "editor",
        "createArticle",
        r#"mutation { createArticle(input: {slug: "a-{s}", title: "A", body: "B", section: "s-{s}", people: ["p-{s}"], countries: ["{C}"], topics: ["t-{s}"]}) { slug status } }"#,
    ),
    (
        "editor",
        "updateArticle",
        r#"mutation { updateArticle(slug: "a-{s}", input: {title: "A2"}) { title } }"#,
    ),
    (
        "editor",
        "publishArticle",
        r#"mutation { publishArticle(slug: "a-{s}") { status } }"#,
    ),
    (
        "editor",
        "scheduleArticle",
        r#"mutation { scheduleArticle(slug: "a-{s}", at: "2999-01-01T00:00:00+02:00") { status } }"#,
    ),
    (
        "editor",
        "unpublishArticle",
        r#"mutation { unpublishArticle(slug: "a-{s}") { status } }"#,
    ),
    (
        "editor",
        "previewArticle",
        r#"{ article(slug: "a-{s}", preview: true) { slug } }"#,
    ),
    (
        "editor",
        "deleteArticle",
        r#"mutation { deleteArticle(slug: "a-{s}") }"#,
    ),
    (
        "editor",
        "deletePerson",
        r#"mutation { deletePerson(slug: "p-{s}") }"#,
    ),
    (
        "editor",
        "deleteTopic",
        r#"mutation { deleteTopic(slug: "t-{s}") }"#,
    ),
    (
        "editor",
        "deleteCountry",
        r#"mutation { deleteCountry(code: "{C}") }"#,
    ),
    (
        "editor",
        "deleteSection",
        r#"mutation { deleteSection(slug: "s-{s}") }"#,
    ),
    (
        "admin",
        "createApiKey",
        r#"mutation { createApiKey(name: "k-{s}", role: EDITOR) { key apiKey { name } } }"#,
    ),
    ("admin", "apiKeys", r#"{ apiKeys { name role } }"#),
    (
        "admin",
        "createWebhook",
        r#"mutation { createWebhook(url: "http://127.0.0.1:9/{s}") { secret webhook { id } } }"#,
    ),
    (
        "admin",
        "webhooks",
        r#"{ webhooks { url deliveries { state } } }"#,
    ),
];

/// Runs every operation as `key` and returns each one's error code (`None`: it worked).
async fn attempt(
    app: &TestApp,
    key: Option<&str>,
    suffix: &str,
    code: &str,
) -> Vec<Option<String>> {
    let mut codes = Vec::new();
    for (_, name, operation) in OPERATIONS {
        let query = operation.replace("{s}", suffix).replace("{C}", code);
        let answer = app.gql_as(key, &query, json!({})).await;
        let code = answer["errors"][0]["extensions"]["code"]
            .as_str()
            .map(str::to_owned);
        if code.is_none() {
            assert_ne!(answer["data"], Value::Null, "{name}: {answer}");
        }
        codes.push(code);
    }
    codes
}

#[tokio::test]
async fn every_write_needs_a_key_with_the_right_role() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let admin = app.key("admin");
    let revoked = app.key("editor");
    let id = revoked
        .strip_prefix("vk_")
        .and_then(|rest| rest.split('_').next())
        .expect("a key names its id");
    let output = app.db.cli(&["keys", "revoke", id], "");
    assert!(output.status.success());
    let listed = String::from_utf8(app.db.cli(&["keys", "list"], "").stdout).expect("text");
    assert!(
        listed.contains(&format!("{id}\teditor\ttest\t")) && listed.contains("revoked"),
        "{listed}"
    );
    // The editor's key with its last secret digit changed.
    let last = if editor.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &editor[..editor.len() - 1]);

    let before = app.db.export();
    for (key, suffix) in [
        (None, "none"),
        (Some("not a key"), "junk"),
        (Some(forged.as_str()), "forged"),
        (Some(revoked.as_str()), "revoked"),
    ] {
        let codes = attempt(&app, key, suffix, "QA").await;
        assert!(
            codes
                .iter()
                .all(|code| code.as_deref() == Some("UNAUTHENTICATED")),
            "{suffix}: {codes:?}"
        );
    }
    assert_eq!(app.db.export(), before, "refused writes changed nothing");

    let codes = attempt(&app, Some(&editor), "editor", "QB").await;
    for ((role, name, _), code) in OPERATIONS.iter().zip(&codes) {
        let expected = (*role == "admin").then_some("FORBIDDEN");
        assert_eq!(code.as_deref(), expected, "editor: {name}");
    }
    let codes = attempt(&app, Some(&admin), "admin", "QC").await;
    assert!(codes.iter().all(Option::is_none), "admin: {codes:?}");
    assert_eq!(app.db.export(), before, "every creation was deleted again");
}

#[tokio::test]
async fn a_refused_key_learns_nothing_from_the_error() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let query = r#"mutation { deleteSection(slug: "news") }"#;
    let messages: Vec<Value> = first_errors(
        &app,
        query,
        [
            None,
            Some("Bearer-less"),
            Some("vk_000000000000_0000"),
            Some(&format!("{}x", editor)),
        ],
    )
    .await;
    assert!(
        messages.windows(2).all(|pair| pair[0] == pair[1]),
        "{messages:?}"
    );
}

/// The first error of `query` sent with each key, in order.
async fn first_errors<const N: usize>(
    app: &TestApp,
    query: &str,
    keys: [Option<&str>; N],
) -> Vec<Value> {
    let mut errors = Vec::new();
    for key in keys {
        let answer = app.gql_as(key, query, json!({})).await;
        errors.push(answer["errors"][0].clone());
    }
    errors
}

#[tokio::test]
async fn bad_input_is_named_as_import_names_it_and_changes_nothing() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let before = app.db.export();
    let answer = app
        .gql_as(
            Some(&editor),
            r#"mutation { createArticle(input: {slug: "Bad Slug", title: " ", body: "",
                publishedAt: "yesterday", people: ["nobody", "nobody"], topics: ["krym"]}) { slug } }"#,
            json!({}),
        )
        .await;
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
    let problems: Vec<(String, String)> = error["extensions"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap_or_default().to_owned(),
                p["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let fields: Vec<&str> = problems.iter().map(|(field, _)| field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "input.slug",
            "input.title",
            "input.publishedAt",
            "input.people[1]"
        ],
        "{answer}"
    );
    // The same words as an import of the same line.
    let import = app.db.cli(
        &["import", "-"],
        r#"{"type":"article","slug":"Bad Slug","title":" ","body":"","published_at":"yesterday","people":["nobody","nobody"],"topics":["krym"]}"#,
    );
    let report = String::from_utf8_lossy(&import.stderr).into_owned();
    for (_, message) in &problems {
        assert!(
            report.contains(message.as_str()),
            "{message} not in {report}"
        );
    }
    // References are checked against the database too.
    let answer = app
        .gql_as(
            Some(&editor),
            r#"mutation { createArticle(input: {slug: "ok", title: "T", body: "", people: ["nobody"]}) { slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        answer["errors"][0]["message"], "input.people[0]: no person \"nobody\" in the database",
        "{answer}"
    );
    // Taken keys and things still in use are conflicts.
    for (query, expected) in [
        (
            r#"mutation { createSection(input: {slug: "news", name: "N"}) { slug } }"#,
            "slug: \"news\" is already taken by another section",
        ),
        (
            r#"mutation { deletePerson(slug: "rustem-umierov") }"#,
            "person \"rustem-umierov\" is still named by 2 articles: remove it from them first",
        ),
    ] {
        let answer = app.gql_as(Some(&editor), query, json!({})).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "CONFLICT",
            "{answer}"
        );
        assert_eq!(answer["errors"][0]["message"], expected);
    }
    let answer = app
        .gql_as(
            Some(&editor),
            r#"mutation { deleteTopic(slug: "none") }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{answer}"
    );
    assert_eq!(app.db.export(), before);
}

const ARTICLE: &str = "query($slug: String!) {
  article(slug: $slug) { slug title updatedAt people { slug } }
}";

#[tokio::test]
async fn a_write_shows_at_once_and_an_old_slug_keeps_resolving() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let old = "borrel-zaprosyv-novoho-holovu-mzs";
    // Read twice so the answer is cached.
    for _ in 0..2 {
        let data = app.data(ARTICLE, json!({ "slug": old })).await;
        assert_eq!(data["article"]["updatedAt"], Value::Null);
    }
    let started = chrono::Utc::now();
    let updated = app
        .data_as(
            &editor,
            r#"mutation($slug: String!) { updateArticle(slug: $slug, input: {slug: "borrel-i-holova-mzs", title: "Новий заголовок", people: []}) { slug title updatedAt } }"#,
            json!({ "slug": old }),
        )
        .await;
    assert_eq!(updated["updateArticle"]["slug"], "borrel-i-holova-mzs");
    let stamp = updated["updateArticle"]["updatedAt"]
        .as_str()
        .expect("updatedAt is set");
    let stamp = chrono::DateTime::parse_from_rfc3339(stamp).expect("RFC 3339");
    assert!(stamp >= started - chrono::Duration::seconds(1), "{stamp}");

    // The very next read, by the old slug, shows the change and the slug to redirect to.
    let data = app.data(ARTICLE, json!({ "slug": old })).await;
    assert_eq!(data["article"]["slug"], "borrel-i-holova-mzs");
    assert_eq!(data["article"]["title"], "Новий заголовок");
    assert_eq!(data["article"]["people"], json!([]));
    // Its body too, loaded apart from the rest of the article.
    let body = "query($slug: String!) { article(slug: $slug) { body wordCount } }";
    let by_old = app.data(body, json!({ "slug": old })).await;
    let by_new = app
        .data(body, json!({ "slug": "borrel-i-holova-mzs" }))
        .await;
    assert_eq!(by_old, by_new);
    assert!(
        by_old["article"]["wordCount"].as_i64() > Some(0),
        "{by_old}"
    );
    let feed = app
        .data(
            "{ feed(first: 100) { edges { node { slug } } } }",
            json!({}),
        )
        .await;
    let slugs: Vec<&str> = feed["feed"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["slug"].as_str())
        .collect();
    assert!(
        slugs.contains(&"borrel-i-holova-mzs") && !slugs.contains(&old),
        "{slugs:?}"
    );
    assert!(app.db.export().contains("\"slug\":\"borrel-i-holova-mzs\""));

    // A new article may take the old slug; it then names that article.
    app.data_as(
        &editor,
        r#"mutation($slug: String!) { createArticle(input: {slug: $slug, title: "Інша", body: "", status: PUBLISHED}) { slug } }"#,
        json!({ "slug": old }),
    )
    .await;
    let data = app.data(ARTICLE, json!({ "slug": old })).await;
    assert_eq!(data["article"]["title"], "Інша");

    // A change that changes nothing writes nothing.
    let version = app.db.content_version().await;
    app.data_as(
        &editor,
        r#"mutation { publishArticle(slug: "borrel-i-holova-mzs") { slug } }"#,
        json!({}),
    )
    .await;
    assert_eq!(app.db.content_version().await, version);
}

#[tokio::test]
async fn admins_manage_keys_and_webhooks_and_editors_cannot() {
    let app = TestApp::seeded().await;
    let (admin, editor) = (app.key("admin"), app.key("editor"));
    let created = app
        .data_as(
            &admin,
            r#"mutation { createApiKey(name: "Імпорт", role: EDITOR) { key apiKey { id name role revokedAt } } }"#,
            json!({}),
        )
        .await;
    let made = &created["createApiKey"];
    let (key, id) = (
        made["key"].as_str().expect("the key"),
        made["apiKey"]["id"].as_str().expect("its id"),
    );
    assert!(key.starts_with(&format!("vk_{id}_")), "{made}");
    let hook = app
        .data_as(
            &admin,
            r#"mutation { createWebhook(url: "https://example.com/h") { webhook { id } } }"#,
            json!({}),
        )
        .await;
    let hook = hook["createWebhook"]["webhook"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let preview = r#"{ article(slug: "mzs-nazvalo-nelehitymnymy-rosiiski-vybory-v-krymu", preview: true) { slug } }"#;
    assert!(
        app.gql_as(Some(key), preview, json!({}))
            .await
            .get("errors")
            .is_none()
    );

    for (query, variables) in [
        (
            "mutation($id: String!) { revokeApiKey(id: $id) { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({ "id": hook }),
        ),
        (
            r#"mutation { createWebhook(url: "https://example.com/x") { secret } }"#,
            json!({}),
        ),
    ] {
        let answer = app.gql_as(Some(&editor), query, variables).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{answer}"
        );
    }
    let revoked = app
        .data_as(
            &admin,
            "mutation($id: String!) { revokeApiKey(id: $id) { revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert!(revoked["revokeApiKey"]["revokedAt"].is_string());
    let answer = app.gql_as(Some(key), preview, json!({})).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{answer}"
    );
    let deleted = app
        .data_as(
            &admin,
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({ "id": hook }),
        )
        .await;
    assert_eq!(deleted["deleteWebhook"], hook);
    for (query, message) in [
        (
            r#"mutation { createWebhook(url: "ftp://example.com") { secret } }"#,
            "url: \"ftp://example.com\" is not an http or https URL",
        ),
        (
            r#"mutation { revokeApiKey(id: "nope") { id } }"#,
            "id: no key \"nope\" in use",
        ),
        (
            r#"mutation { createApiKey(name: " ", role: ADMIN) { key } }"#,
            "name: must not be empty",
        ),
    ] {
        let answer = app.gql_as(Some(&admin), query, json!({})).await;
        assert_eq!(answer["errors"][0]["message"], message, "{answer}");
    }
}

#[tokio::test]
async fn another_server_shows_a_write_within_about_a_second() {
    let first = TestApp::seeded().await;
    let second = TestApp::serve(first.db.clone(), &[], &[]).await;
    let editor = first.key("editor");
    let query =
        r#"{ article(slug: "mzs-nazvalo-nelehitymnymy-rosiiski-vybory-v-krymu") { title } }"#;
    // Cached on the second server before the write.
    for _ in 0..2 {
        assert_ne!(
            second.data(query, json!({})).await["article"]["title"],
            "Оновлено"
        );
    }
    first
        .data_as(&editor, r#"mutation { updateArticle(slug: "mzs-nazvalo-nelehitymnymy-rosiiski-vybory-v-krymu", input: {title: "Оновлено"}) { slug } }"#, json!({}))
        .await;
    let written = std::time::Instant::now();
    while second.data(query, json!({})).await["article"]["title"] != "Оновлено" {
        assert!(
            written.elapsed() < std::time::Duration::from_secs(3),
            "the second server still answers from before the write"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn search_follows_writes_renames_and_deletions() {
    let app = TestApp::seeded().await;
    let editor = app.key("editor");
    let found = |query: &'static str| {
        let app = &app;
        async move {
            let data = app
                .data(
                    "query($q: String!) { search(query: $q) { nodes { slug } } }",
                    json!({ "q": query }),
                )
                .await;
            data["search"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .filter_map(|n| n["slug"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    app.data_as(
        &editor,
        r#"mutation { createArticle(input: {slug: "palianytsia", title: "Паляниця на фронті", body: "",
            status: PUBLISHED, people: ["rustem-umierov"]}) { slug } }"#,
        json!({}),
    )
    .await;
    let ours = "palianytsia".to_owned();
    assert!(found("паляниці").await.contains(&ours));
    app.data_as(
        &editor,
        r#"mutation { updatePerson(slug: "rustem-umierov", input: {name: "Рустем Очеретянський"}) { slug } }"#,
        json!({}),
    )
    .await;
    assert!(
        found("Очеретянський")
            .await
            .contains(&"palianytsia".to_owned())
    );
    app.data_as(
        &editor,
        r#"mutation { unpublishArticle(slug: "palianytsia") { slug } }"#,
        json!({}),
    )
    .await;
    assert!(!found("паляниця").await.contains(&ours));
    app.data_as(
        &editor,
        r#"mutation { deleteArticle(slug: "palianytsia") }"#,
        json!({}),
    )
    .await;
    assert!(!found("паляниця").await.contains(&ours));
}
