//! Feeds and sitemaps over HTTP, parsed back as feed readers and crawlers parse them.

use std::{collections::HashSet, fmt::Write, time::Duration};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    archive,
    helpers::{SEED, TestApp},
};

const SITE: &str = "https://news.example";

/// A server whose feeds and sitemaps name `SITE`, with article pages under it by section,
/// local date and slug.
async fn spawn(extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![
        ("VISTKA_SITE_NAME", "Вістка"),
        ("VISTKA_SITE_URL", SITE),
        ("VISTKA_ARTICLE_URL", "/{section}/{date}/{slug}"),
    ];
    env.extend_from_slice(extra);
    TestApp::spawn_with(&env).await
}

/// `spawn`, with the seed page imported.
async fn seeded() -> TestApp {
    let app = spawn(&[]).await;
    app.db
        .import(&std::fs::read_to_string(SEED).expect("seed sample"));
    app.caught_up(Duration::from_secs(10)).await;
    app
}

/// GETs `path` as a cache holding the copy tagged `etag` would.
async fn revalidate(app: &TestApp, path: &str, etag: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("a response")
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .send()
        .await
        .expect("a response")
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The body of a successful GET, with its content type.
async fn fetch(app: &TestApp, path: &str) -> (String, String) {
    let response = get(app, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let content_type = header(&response, "content-type");
    (content_type, response.text().await.expect("a body"))
}

async fn parse_feed(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    let (_, body) = fetch(app, path).await;
    feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}\n{body}"))
}

/// The slug at the end of an article link.
fn slug_of(link: &str) -> &str {
    link.rsplit('/').next().expect("a path")
}

fn link_of(entry: &feed_rs::model::Entry) -> &str {
    &entry.links.first().expect("a link").href
}

/// The newest `first` public articles of `filter`, as the GraphQL feed has them.
async fn graphql_feed(app: &TestApp, first: usize, filter: Value) -> Vec<Value> {
    let data = app
        .data(
            "query($first: Int, $filter: ArticleFilter) { feed(first: $first, filter: $filter) {
               edges { node { slug title lead publishedAt updatedAt publishedDate bodyHtml
                 section { slug } topics { slug name } } } } }",
            json!({ "first": first, "filter": filter }),
        )
        .await;
    data["feed"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

fn utc(rfc3339: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339.as_str().expect("a time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

fn moment(offset: chrono::Duration) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn article(slug: &str, published_at: &str, extra: Value) -> String {
    let mut line = json!({
        "type": "article", "slug": slug, "title": format!("Заголовок {slug}"),
        "body": format!("Текст {slug}."), "published_at": published_at,
    });
    for (key, value) in extra.as_object().expect("fields") {
        line[key] = value.clone();
    }
    line.to_string()
}

#[tokio::test]
async fn the_site_feed_reads_back_in_every_format() {
    let app = spawn(&[("VISTKA_FEED_SIZE", "10")]).await;
    let seed = std::fs::read_to_string(SEED).expect("seed sample");
    let scripted = article(
        "skrypt",
        "2024-09-08T09:15:00+03:00",
        json!({
            "lead": "Лід «у лапках» & з амперсандом",
            "body": "Перший абзац.\n\n<script>alert(1)</script><img src=x onerror=alert(1)>\n\n> Цитата.",
            "updated_at": "2024-09-08T11:00:00+03:00",
            "topics": ["nato", "vybory"],
        }),
    );
    app.db.import(&format!("{seed}{scripted}\n"));
    app.caught_up(Duration::from_secs(10)).await;
    let expected = graphql_feed(&app, 10, json!({})).await;
    assert_eq!(expected.len(), 10);
    assert_eq!(expected[0]["slug"], "skrypt");

    for (extension, content_type) in [
        ("rss", "application/rss+xml; charset=utf-8"),
        ("atom", "application/atom+xml; charset=utf-8"),
        ("json", "application/feed+json; charset=utf-8"),
    ] {
        let path = format!("/feeds/site.{extension}");
        let (served_type, body) = fetch(&app, &path).await;
        assert_eq!(served_type, content_type);
        assert!(
            !body.contains("<script") && !body.contains("onerror"),
            "{body}"
        );
        let feed = feed_rs::parser::parse(body.as_bytes()).expect("the feed parses");
        assert_eq!(
            feed.title.expect("a title").content,
            "Вістка",
            "{extension}"
        );
        assert_eq!(feed.entries.len(), 10, "{extension}");
        for (entry, node) in feed.entries.iter().zip(&expected) {
            let slug = node["slug"].as_str().expect("slug");
            let date = node["publishedDate"]
                .as_str()
                .expect("date")
                .replace('-', "/");
            let link = format!(
                "{SITE}/{}/{date}/{slug}",
                node["section"]["slug"].as_str().expect("section")
            );
            assert_eq!(link_of(entry), link, "{extension}");
            assert_eq!(
                entry.title.as_ref().expect("title").content,
                node["title"],
                "{extension}"
            );
            assert_eq!(
                entry.published,
                Some(utc(&node["publishedAt"])),
                "{extension}: {slug}"
            );
            assert_eq!(
                entry.summary.as_ref().map(|s| s.content.as_str()),
                node["lead"].as_str(),
                "{extension}: {slug}"
            );
            // The parser trims the text of Atom's content element.
            let content = entry.content.as_ref().and_then(|c| c.body.as_deref());
            assert_eq!(
                content.map(str::trim),
                node["bodyHtml"].as_str().map(str::trim),
                "{extension}: {slug}"
            );
            let topics = node["topics"].as_array().expect("topics");
            let categories: Vec<(&str, Option<&str>)> = entry
                .categories
                .iter()
                .map(|c| (c.term.as_str(), c.label.as_deref()))
                .collect();
            let wanted: Vec<(&str, Option<&str>)> = topics
                .iter()
                .map(|t| match extension {
                    // Atom categories carry the slug as the term and the name as the label.
                    "atom" => (t["slug"].as_str().expect("slug"), t["name"].as_str()),
                    _ => (t["name"].as_str().expect("name"), None),
                })
                .collect();
            assert_eq!(categories, wanted, "{extension}: {slug}");
        }
        let newest = &feed.entries[0];
        let content = newest
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .expect("content");
        assert!(content.contains("<blockquote>"), "{content}");
        if extension != "rss" {
            assert_eq!(
                newest.updated,
                Some(utc(&json!("2024-09-08T11:00:00+03:00")))
            );
        }
    }
}

#[tokio::test]
async fn feeds_of_each_kind_hold_the_newest_public_articles_of_that_kind() {
    let archive = archive::generate(600, 11);
    let app = spawn(&[("VISTKA_FEED_SIZE", "7")]).await;
    app.db.import(&archive.ndjson);
    app.caught_up(Duration::from_secs(10)).await;
    let public: HashSet<&str> = archive
        .articles
        .iter()
        .filter(|a| a.public)
        .map(|a| a.slug.as_str())
        .collect();
    let mut kinds: Vec<(&str, String, Value)> = Vec::new();
    for section in archive::SECTIONS {
        kinds.push(("section", section.to_owned(), json!({ "section": section })));
    }
    for n in 0..8 {
        let topic = archive::topic(n);
        kinds.push(("topic", topic.clone(), json!({ "topic": topic })));
    }
    for n in 0..12 {
        let person = archive::person(n);
        kinds.push(("person", person.clone(), json!({ "person": person })));
    }
    for code in archive::COUNTRIES {
        // Country codes are matched in any case; lower case reads better in a URL.
        kinds.push(("country", code.to_lowercase(), json!({ "country": code })));
    }
    for (n, (kind, key, filter)) in kinds.into_iter().enumerate() {
        let extension = ["rss", "atom", "json"][n % 3];
        let feed = parse_feed(&app, &format!("/feeds/{kind}/{key}.{extension}")).await;
        let served: Vec<&str> = feed.entries.iter().map(|e| slug_of(link_of(e))).collect();
        let expected: Vec<String> = graphql_feed(&app, 7, filter)
            .await
            .iter()
            .map(|node| node["slug"].as_str().expect("slug").to_owned())
            .collect();
        assert_eq!(served, expected, "{kind} {key} as {extension}");
        assert_eq!(served.len(), 7, "{kind} {key}: the archive has enough");
        assert!(
            served.iter().all(|slug| public.contains(slug)),
            "{served:?}"
        );
    }
}

#[tokio::test]
async fn unknown_keys_kinds_and_formats_are_not_found() {
    let app = seeded().await;
    for path in [
        "/feeds/topic/nato.rss",
        "/feeds/country/JP.atom",
        "/feeds/country/jp.json",
        "/feeds/section/news.rss",
        "/feeds/person/rustem-umierov.atom",
        "/sitemaps/articles-1.xml",
    ] {
        assert_eq!(get(&app, path).await.status(), StatusCode::OK, "{path}");
    }
    for path in [
        "/feeds/topic/nope.rss",
        "/feeds/tag/nato.rss",
        "/feeds/topic/nato.xml",
        "/feeds/topic/nato",
        "/feeds/country/xx.json",
        "/feeds/everything.rss",
        "/feeds/site.txt",
        "/feeds/site",
        "/sitemaps/articles-0.xml",
        "/sitemaps/articles-2.xml",
        "/sitemaps/articles-01.xml",
        "/sitemaps/pages.xml",
    ] {
        assert_eq!(
            get(&app, path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_empty_site_has_empty_feeds_and_no_article_pages() {
    let app = spawn(&[]).await;
    for extension in ["rss", "atom", "json"] {
        let feed = parse_feed(&app, &format!("/feeds/site.{extension}")).await;
        assert!(feed.entries.is_empty(), "{extension}");
    }
    let response = get(&app, "/feeds/site.rss").await;
    assert!(response.headers().get("last-modified").is_none());
    let (_, index) = fetch(&app, "/sitemap.xml").await;
    assert_eq!(locations(&index), [format!("{SITE}/sitemaps/news.xml")]);
    assert_eq!(
        get(&app, "/sitemaps/articles-1.xml").await.status(),
        StatusCode::NOT_FOUND
    );
}

/// What a sitemap lists, after checking that it is well-formed XML in the sitemap namespace.
fn locations(xml: &str) -> Vec<String> {
    let document = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let root = document.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    root.descendants()
        .filter(|node| node.has_tag_name("loc"))
        .map(|node| node.text().unwrap_or_default().to_owned())
        .collect()
}

/// The news entries of a news sitemap: slug, publication name and language, time, title.
fn news_entries(xml: &str) -> Vec<[String; 5]> {
    const NEWS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
    let document = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let text = |node: roxmltree::Node, name: &str| -> String {
        node.descendants()
            .find(|n| n.has_tag_name((NEWS, name)) || n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned()
    };
    document
        .root_element()
        .children()
        .filter(|node| node.has_tag_name("url"))
        .map(|url| {
            [
                slug_of(&text(url, "loc")).to_owned(),
                text(url, "name"),
                text(url, "language"),
                text(url, "publication_date"),
                text(url, "title"),
            ]
        })
        .collect()
}

#[tokio::test]
async fn drafts_and_embargoed_articles_stay_out_until_their_time() {
    let app = spawn(&[]).await;
    let seed = std::fs::read_to_string(SEED).expect("seed sample");
    let hour_ago = moment(-chrono::Duration::hours(1));
    let lines = [
        article("chernetka", &hour_ago, json!({ "status": "draft" })),
        article("svizha", &hour_ago, json!({})),
        article(
            "nezabarom",
            &moment(chrono::Duration::seconds(4)),
            json!({}),
        ),
    ];
    app.db.import(&format!("{seed}{}\n", lines.join("\n")));
    app.caught_up(Duration::from_secs(10)).await;

    let slugs = |feed: &feed_rs::model::Feed| -> Vec<String> {
        feed.entries
            .iter()
            .map(|e| slug_of(link_of(e)).to_owned())
            .collect()
    };
    let first = get(&app, "/feeds/site.rss").await;
    let etag = header(&first, "etag");
    let before = feed_rs::parser::parse(first.text().await.expect("body").as_bytes()).expect("RSS");
    assert_eq!(slugs(&before)[0], "svizha");
    assert!(
        !slugs(&before)
            .iter()
            .any(|s| s == "chernetka" || s == "nezabarom")
    );
    let (_, page) = fetch(&app, "/sitemaps/articles-1.xml").await;
    let listed = locations(&page);
    assert_eq!(listed.len(), 16, "the seed's 15 and one more");
    assert!(
        !listed
            .iter()
            .any(|l| l.ends_with("/chernetka") || l.ends_with("/nezabarom"))
    );

    // The embargo lapses without any import: the tag changes and the article appears.
    let started = std::time::Instant::now();
    let after = loop {
        let response = revalidate(&app, "/feeds/site.rss", &etag).await;
        if response.status() == StatusCode::OK {
            break feed_rs::parser::parse(response.text().await.expect("body").as_bytes())
                .expect("RSS");
        }
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the embargo never lapsed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(slugs(&after)[..2], ["nezabarom", "svizha"]);
    assert!(!slugs(&after).iter().any(|s| s == "chernetka"));
    let (_, news) = fetch(&app, "/sitemaps/news.xml").await;
    let news: Vec<String> = news_entries(&news)
        .into_iter()
        .map(|[slug, ..]| slug)
        .collect();
    assert_eq!(news, ["nezabarom", "svizha"]);
}

#[tokio::test]
async fn feeds_and_sitemaps_revalidate_until_the_content_changes() {
    let app = seeded().await;
    for path in [
        "/feeds/site.atom",
        "/feeds/topic/nato.json",
        "/sitemap.xml",
        "/sitemaps/articles-1.xml",
    ] {
        let first = get(&app, path).await;
        assert_eq!(
            header(&first, "cache-control"),
            "public, max-age=10",
            "{path}"
        );
        let etag = header(&first, "etag");
        assert!(
            etag.starts_with('"') && etag.len() > 2,
            "{path}: a strong tag, {etag}"
        );
        let again = revalidate(&app, path, &etag).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(header(&again, "etag"), etag, "{path}");
    }

    let path = "/feeds/site.atom";
    let first = get(&app, path).await;
    let etag = header(&first, "etag");
    let last_modified = header(&first, "last-modified");
    assert_eq!(
        last_modified, "Sat, 07 Sep 2024 19:40:00 GMT",
        "the newest article's time"
    );
    let since = |value: &str| {
        app.client
            .get(app.url(path))
            .header("if-modified-since", value.to_owned())
            .send()
    };
    assert_eq!(
        since(&last_modified).await.expect("a response").status(),
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        since("Sat, 07 Sep 2024 19:39:59 GMT")
            .await
            .expect("a response")
            .status(),
        StatusCode::OK
    );

    // Another process imports: the tag and the date move, and the new article leads the feed.
    app.db.import(&article(
        "novyna",
        &moment(-chrono::Duration::minutes(5)),
        json!({}),
    ));
    app.caught_up(Duration::from_secs(10)).await;
    let changed = revalidate(&app, path, &etag).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(header(&changed, "etag"), etag);
    assert_ne!(header(&changed, "last-modified"), last_modified);
    let feed =
        feed_rs::parser::parse(changed.text().await.expect("body").as_bytes()).expect("Atom");
    assert_eq!(slug_of(link_of(&feed.entries[0])), "novyna");
    assert_eq!(
        since(&last_modified).await.expect("a response").status(),
        StatusCode::OK,
        "newer than the client's copy"
    );
}

#[tokio::test]
async fn the_news_sitemap_lists_the_last_48_hours() {
    let app = spawn(&[]).await;
    let lines = [
        r#"{"type": "section", "slug": "news", "name": "Новини"}"#.to_owned(),
        article(
            "hodynu-tomu",
            &moment(-chrono::Duration::hours(1)),
            json!({ "language": "en", "title": "Tom & Jerry <live>" }),
        ),
        article(
            "47-hodyn-tomu",
            &moment(-chrono::Duration::hours(47)),
            json!({}),
        ),
        article(
            "49-hodyn-tomu",
            &moment(-chrono::Duration::hours(49)),
            json!({}),
        ),
        article(
            "chernetka",
            &moment(-chrono::Duration::hours(2)),
            json!({ "status": "draft" }),
        ),
        article("zavtra", &moment(chrono::Duration::days(1)), json!({})),
    ];
    app.db.import(&lines.join("\n"));
    app.caught_up(Duration::from_secs(10)).await;
    let (content_type, xml) = fetch(&app, "/sitemaps/news.xml").await;
    assert_eq!(content_type, "application/xml; charset=utf-8");
    let entries = news_entries(&xml);
    let slugs: Vec<&str> = entries.iter().map(|[slug, ..]| slug.as_str()).collect();
    assert_eq!(
        slugs,
        ["hodynu-tomu", "47-hodyn-tomu"],
        "newest first, none older than 48 hours"
    );
    let [_, name, language, published, title] = &entries[0];
    assert_eq!((name.as_str(), language.as_str()), ("Вістка", "en"));
    assert_eq!(title, "Tom & Jerry <live>");
    assert!(
        DateTime::parse_from_rfc3339(published).is_ok(),
        "{published}"
    );
    assert_eq!(entries[1][2], "uk");

    let (_, index) = fetch(&app, "/sitemap.xml").await;
    assert_eq!(
        locations(&index),
        [
            format!("{SITE}/sitemaps/articles-1.xml"),
            format!("{SITE}/sitemaps/news.xml")
        ]
    );
    let (_, robots) = fetch(&app, "/robots.txt").await;
    assert!(
        robots.contains(&format!("\nSitemap: {SITE}/sitemap.xml\n")),
        "{robots}"
    );
}

#[tokio::test]
async fn the_sitemap_index_splits_articles_at_50000() {
    const PUBLIC: usize = 50_001;
    let app = spawn(&[]).await;
    let mut ndjson = String::from("{\"type\":\"section\",\"slug\":\"news\",\"name\":\"Новини\"}\n");
    for i in 0..PUBLIC {
        writeln!(
            ndjson,
            r#"{{"type":"article","slug":"a-{i}","title":"A {i}","body":"b","published_at":"2024-01-01T00:{:02}:{:02}Z"}}"#,
            i / 60 % 60,
            i % 60
        )
        .expect("write");
    }
    ndjson.push_str(&article(
        "chernetka",
        "2024-01-02T00:00:00Z",
        json!({ "status": "draft" }),
    ));
    app.db.import(&ndjson);
    app.caught_up(Duration::from_secs(30)).await;

    let (_, index) = fetch(&app, "/sitemap.xml").await;
    assert_eq!(
        locations(&index),
        [
            format!("{SITE}/sitemaps/articles-1.xml"),
            format!("{SITE}/sitemaps/articles-2.xml"),
            format!("{SITE}/sitemaps/news.xml"),
        ]
    );
    let (_, first) = fetch(&app, "/sitemaps/articles-1.xml").await;
    let (_, second) = fetch(&app, "/sitemaps/articles-2.xml").await;
    let first = locations(&first);
    let second = locations(&second);
    assert_eq!((first.len(), second.len()), (50_000, 1));
    let all: HashSet<&str> = first.iter().chain(&second).map(|l| slug_of(l)).collect();
    assert_eq!(all.len(), PUBLIC, "every public article exactly once");
    assert!(!all.contains("chernetka"));
    assert_eq!(
        get(&app, "/sitemaps/articles-3.xml").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn a_bad_article_url_template_stops_the_server() {
    let db = crate::helpers::TestDatabase::sqlite();
    let output = db.cli(
        &["serve", "--article-url", "https://news.example/{title}"],
        "",
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("names {title}; the placeholders are"),
        "{stderr}"
    );
}
