//! The seed page, rendered from vistka alone in one request, against the page as captured.

use serde_json::{Value, json};

use crate::helpers::{SEED_PAGE, TestApp};

const PAGE: &str = r#"query($slug: String!) {
  article(slug: $slug) {
    title publishedDate bodyHtml bodyText wordCount readingMinutes
    section { name }
    related { title }
  }
  days(first: 2) {
    edges { cursor node { date articles(first: 100) { edges { node { title publishedAt publishedDate } } } } }
    pageInfo { hasNextPage }
  }
}"#;

const MONTHS: [&str; 12] = [
    "Січня",
    "Лютого",
    "Березня",
    "Квітня",
    "Травня",
    "Червня",
    "Липня",
    "Серпня",
    "Вересня",
    "Жовтня",
    "Листопада",
    "Грудня",
];

/// «7 Вересня 2024» as `2024-09-07`.
fn heading_date(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let day: u32 = words.next()?.parse().ok()?;
    let month_name = words.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? + 1;
    let year: u32 = words.next()?.parse().ok()?;
    Some(format!("{year}-{month:02}-{day:02}"))
}

fn titles(day: &Value) -> Vec<String> {
    day["articles"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["title"].as_str().expect("title").to_owned())
        .collect()
}

#[tokio::test]
async fn the_seed_page_renders_from_one_request() {
    let app = TestApp::seeded().await;
    let captured = std::fs::read_to_string(SEED_PAGE).expect("seed page");
    let lines: Vec<&str> = captured
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let data = app
        .data(PAGE, json!({"slug": "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii"}))
        .await;
    let article = &data["article"];

    assert_eq!(article["title"], lines[0]);
    assert_eq!(article["section"]["name"], lines[1]);
    assert_eq!(article["title"], lines[2]);
    assert_eq!(article["publishedDate"], "2024-04-12");

    // Every paragraph of the body is a paragraph of the page, in order; the quotation is a
    // blockquote, and «Читайте також» is the editor's pick.
    let body_text = article["bodyText"].as_str().expect("text");
    let paragraphs: Vec<&str> = body_text.split("\n\n").collect();
    let start = lines
        .iter()
        .position(|l| *l == paragraphs[0])
        .expect("first paragraph on the page");
    let read_also = lines
        .iter()
        .position(|l| l.starts_with("Читайте також: "))
        .expect("read-also line");
    let page_body: Vec<&str> = lines[start..]
        .iter()
        .copied()
        .filter(|l| !l.starts_with("Читайте також: "))
        .take(paragraphs.len())
        .collect();
    assert_eq!(paragraphs, page_body);
    assert_eq!(
        article["related"][0]["title"],
        lines[read_also].trim_start_matches("Читайте також: ")
    );
    let html = article["bodyHtml"].as_str().expect("html");
    assert!(
        html.starts_with(&format!("<p>{}</p>", paragraphs[0])),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<blockquote>\n<p>{}</p>\n</blockquote>",
            paragraphs[2]
        )),
        "{html}"
    );
    assert_eq!(html.matches("<p>").count(), paragraphs.len());
    assert_eq!(
        article["wordCount"],
        body_text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count()
    );
    assert_eq!(article["readingMinutes"], 1);

    // The sidebar: each day heading of the page, then its titles, newest first.
    let mut captured_days: Vec<(String, Vec<String>)> = Vec::new();
    let sidebar_start = lines
        .iter()
        .position(|l| heading_date(l).is_some())
        .expect("a day heading");
    for line in &lines[sidebar_start..] {
        match heading_date(line) {
            Some(date) => captured_days.push((date, Vec::new())),
            None if line.starts_with("Всі новини") => break,
            None => captured_days
                .last_mut()
                .expect("a day")
                .1
                .push((*line).to_owned()),
        }
    }
    let days: Vec<(String, Vec<String>)> = data["days"]["edges"]
        .as_array()
        .expect("days")
        .iter()
        .map(|e| {
            (
                e["node"]["date"].as_str().expect("date").to_owned(),
                titles(&e["node"]),
            )
        })
        .collect();
    assert_eq!(days, captured_days);
    assert_eq!(
        data["days"]["pageInfo"]["hasNextPage"], true,
        "April is further down"
    );

    // 00:30 in Kyiv on 7 September is still 6 September in UTC, yet it belongs to the 7th.
    let last_of_seventh = &data["days"]["edges"][0]["node"]["articles"]["edges"][11]["node"];
    assert_eq!(last_of_seventh["publishedAt"], "2024-09-07T00:30:00+03:00");
    assert_eq!(last_of_seventh["publishedDate"], "2024-09-07");
}

#[tokio::test]
async fn days_follow_the_configured_time_zone() {
    let app = TestApp::spawn_with(&[("VISTKA_TIME_ZONE", "UTC")]).await;
    app.db
        .import(&std::fs::read_to_string(crate::helpers::SEED).expect("seed"));
    let data = app
        .data("{ days(first: 2) { edges { node { date articles { edges { node { slug publishedDate } } } } } } }", json!({}))
        .await;
    let sixth = &data["days"]["edges"][1]["node"];
    assert_eq!(sixth["date"], "2024-09-06");
    let slugs: Vec<&str> = sixth["articles"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(
        slugs,
        [
            "lytva-vydilyt-10-milioniv-yevro-na-raketu-palianytsia",
            "frantsiia-pidtrymaie-initsiatyvu-yes-za-rakhunok-aktyviv-rosii",
            "umierov-na-ramshtaini-proponuvav-rozshyryty-spivpratsiu"
        ]
    );
}

#[tokio::test]
async fn days_page_through_the_archive() {
    let app = TestApp::seeded().await;
    let mut dates = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app
            .data(
                "query($after: String) { days(first: 1, after: $after, filter: {section: \"news\"}) { edges { cursor node { date } } pageInfo { hasNextPage hasPreviousPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        let days = &data["days"];
        dates.push(
            days["edges"][0]["node"]["date"]
                .as_str()
                .expect("date")
                .to_owned(),
        );
        assert_eq!(days["pageInfo"]["hasPreviousPage"], after.is_some());
        if days["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = Some(
            days["pageInfo"]["endCursor"]
                .as_str()
                .expect("cursor")
                .to_owned(),
        );
    }
    assert_eq!(
        dates,
        ["2024-09-07", "2024-09-06", "2024-04-12", "2024-04-11"]
    );

    for (query, message) in [
        (
            "{ days(first: 0) { edges { cursor } } }",
            "first: must be between 1 and 31, got 0",
        ),
        (
            "{ days(after: \"bm9wZQ\") { edges { cursor } } }",
            "after: \"bm9wZQ\" is not a cursor of this list",
        ),
    ] {
        let answer = app.gql(query, json!({})).await;
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with(message),
            "{answer}"
        );
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}
