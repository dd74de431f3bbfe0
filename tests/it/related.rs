//! «Читайте також» over HTTP, against the definition applied to every article.

use std::{collections::HashSet, time::Duration};

use serde_json::json;

use crate::{
    archive::{self, Generated},
    helpers::{SEED, TestApp},
};

const RELATED: &str = "query($slug: String!, $first: Int!) { article(slug: $slug) { related(first: $first) { slug } } }";

/// The definition: public picks in order, then every other public article scored by shared
/// people, topics and countries, best first, newer first among equals. Equal (score, time)
/// pairs are ordered by id, which the tests cannot see, so they come back as groups.
fn reference(
    articles: &[Generated],
    slug: &str,
    count: usize,
    weights: (u32, u32, u32),
) -> (Vec<String>, Vec<Vec<String>>) {
    let public: Vec<&Generated> = articles.iter().filter(|a| a.public).collect();
    let me = articles
        .iter()
        .find(|a| a.slug == slug)
        .expect("the article");
    let picks: Vec<String> = me
        .related
        .iter()
        .filter(|pick| public.iter().any(|a| &a.slug == *pick))
        .take(count)
        .cloned()
        .collect();
    let shared = |mine: &[String], theirs: &[String]| {
        mine.iter().filter(|k| theirs.contains(k)).count() as u32
    };
    let mut scored: Vec<(u32, i64, String)> = public
        .iter()
        .filter(|a| a.slug != slug && !picks.contains(&a.slug))
        .map(|a| {
            let score = weights.0 * shared(&me.people, &a.people)
                + weights.1 * shared(&me.topics, &a.topics)
                + weights.2 * shared(&me.countries, &a.countries);
            (score, a.published_micros, a.slug.clone())
        })
        .filter(|(score, _, _)| *score > 0)
        .collect();
    scored.sort_by_key(|(score, time, _)| std::cmp::Reverse((*score, *time)));
    let mut groups: Vec<Vec<String>> = Vec::new();
    for (i, (score, time, slug)) in scored.iter().enumerate() {
        if i > 0 && (scored[i - 1].0, scored[i - 1].1) == (*score, *time) {
            groups.last_mut().expect("a group").push(slug.clone());
        } else {
            groups.push(vec![slug.clone()]);
        }
    }
    (picks, groups)
}

/// `got` is the picks, then the groups in order, the last one possibly cut short at `count`.
fn assert_ranked(
    got: &[String],
    slug: &str,
    count: usize,
    (picks, groups): (Vec<String>, Vec<Vec<String>>),
) {
    assert_eq!(
        got[..picks.len().min(got.len())],
        picks[..],
        "picks of {slug}"
    );
    let available: usize = groups.iter().map(Vec::len).sum();
    assert_eq!(
        got.len(),
        count.min(picks.len() + available),
        "how many for {slug}: {got:?}"
    );
    let mut groups = groups.into_iter();
    let mut open: HashSet<String> = HashSet::new();
    for item in &got[picks.len()..] {
        while open.is_empty() {
            open = groups
                .next()
                .expect("a further group")
                .into_iter()
                .collect();
        }
        assert!(
            open.remove(item),
            "{item} out of place in the related of {slug}: {got:?}"
        );
    }
}

async fn related(app: &TestApp, slug: &str, count: usize) -> Vec<String> {
    let data = app
        .data(RELATED, json!({ "slug": slug, "first": count }))
        .await;
    data["article"]["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|a| a["slug"].as_str().expect("slug").to_owned())
        .collect()
}

#[tokio::test]
async fn related_matches_the_definition_on_a_generated_archive() {
    let archive = archive::generate(400, 13);
    let app = TestApp::spawn().await;
    app.db.import(&archive.ndjson);
    app.caught_up(Duration::from_secs(10)).await;
    let public: Vec<&Generated> = archive.articles.iter().filter(|a| a.public).collect();
    for (i, article) in public.iter().enumerate().step_by(7) {
        let count = [5, 1, 12, 0][i % 4];
        let got = related(&app, &article.slug, count).await;
        assert_ranked(
            &got,
            &article.slug,
            count,
            reference(&archive.articles, &article.slug, count, (3, 2, 1)),
        );
    }
}

#[tokio::test]
async fn weights_are_configuration() {
    let app = TestApp::spawn_with(&[
        ("VISTKA_RELATED_PERSON_WEIGHT", "0"),
        ("VISTKA_RELATED_TOPIC_WEIGHT", "0"),
        ("VISTKA_RELATED_COUNTRY_WEIGHT", "4"),
    ])
    .await;
    let seed = std::fs::read_to_string(SEED).expect("seed");
    app.db.import(&seed);
    app.caught_up(Duration::from_secs(10)).await;
    let articles = archive::parse(&seed);
    for article in &articles {
        let got = related(&app, &article.slug, 6).await;
        assert_ranked(
            &got,
            &article.slug,
            6,
            reference(&articles, &article.slug, 6, (0, 0, 4)),
        );
    }
}

/// Another process imports; this server's related articles follow within about a second.
#[tokio::test]
async fn related_follows_an_import_by_another_process() {
    let app = TestApp::seeded().await;
    let umierov = "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii";
    assert_eq!(
        related(&app, umierov, 2).await[0],
        "yaponskyi-premier-pidtverdyv-nepokhytnu-pidtrymku-ukrainy"
    );
    app.db.import(
        r#"{"type":"article","slug":"kihara-vidvidav-kyiv","title":"Кіхара відвідав Київ","body":"Текст.","published_at":"2024-04-20T10:00:00+03:00","people":["rustem-umierov","minoru-kikhara"],"topics":["viiskova-dopomoha"],"countries":["UA","JP"]}"#,
    );
    let started = std::time::Instant::now();
    loop {
        if related(&app, umierov, 2).await[1] == "kihara-vidvidav-kyiv" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "related did not follow the import"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn related_never_shows_drafts_or_the_article_itself_and_bounds_its_size() {
    let app = TestApp::seeded().await;
    app.db.import(
        r#"{"type":"article","slug":"chernetka","title":"Чернетка","body":"b","published_at":"2024-04-20T10:00:00+03:00","status":"draft","people":["rustem-umierov","minoru-kikhara","fumio-kisida"],"countries":["UA","JP","US","RU","CN"]}"#,
    );
    app.caught_up(Duration::from_secs(10)).await;
    let umierov = "umierov-obhovoryv-viiskovi-potreby-ukrainy-z-ministrom-oborony-yaponii";
    let got = related(&app, umierov, 20).await;
    assert!(
        !got.iter().any(|s| s == "chernetka" || s == umierov),
        "{got:?}"
    );
    assert_eq!(
        got.len(),
        got.iter().collect::<HashSet<_>>().len(),
        "no duplicates"
    );
    assert!(related(&app, umierov, 0).await.is_empty());
    let answer = app
        .gql(RELATED, json!({"slug": umierov, "first": 21}))
        .await;
    assert_eq!(
        answer["errors"][0]["message"],
        "first: must be between 0 and 20, got 21"
    );
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}
