//! `vistka-bench search`: full-text queries of the kinds readers and editors type, each sent
//! one after another over HTTP, beside the first feed page as the reference of the same run.
//!
//! The queries name the generated archive's most common words, each in a large share of the
//! articles: every hit of such a query is ranked on each request, the worst case for search.

use std::time::Instant;

use anyhow::Context;
use serde_json::{Value, json};

use crate::{
    latency::{Samples, cells},
    server::Server,
};

const FEED: &str = "{ feed(first: 20) { edges { node { slug title publishedAt } } } }";

const SEARCH: &str = "query($query: String!, $order: SearchOrder, $filter: ArticleFilter) {
  search(query: $query, first: 20, order: $order, filter: $filter) {
    edges { score highlightedTitle snippet node { slug title publishedAt } }
    pageInfo { hasNextPage endCursor }
  }
}";

/// What is measured: a name, the query and its variables.
fn queries() -> Vec<(&'static str, &'static str, Value)> {
    let search = |text: &str| json!({ "query": text });
    vec![
        ("feed(first: 20) (reference)", FEED, json!({})),
        ("a person: «Особа 17»", SEARCH, search("Особа 17")),
        ("a word form: «санкціями»", SEARCH, search("санкціями")),
        (
            "two common words: «міністр оборони»",
            SEARCH,
            search("міністр оборони"),
        ),
        ("a very common word: «України»", SEARCH, search("України")),
        (
            "three words, typing the last: «прем'єр партнери допом»",
            SEARCH,
            search("прем'єр партнери допом"),
        ),
        ("two letters typed: «мі»", SEARCH, search("мі")),
        (
            "a word in a topic: «переговори», topic-0",
            SEARCH,
            json!({ "query": "переговори", "filter": { "topic": "topic-0" } }),
        ),
        (
            "newest first: «України»",
            SEARCH,
            json!({ "query": "України", "order": "NEWEST" }),
        ),
    ]
}

pub async fn run(articles: usize, requests: usize, seed: u64) -> anyhow::Result<()> {
    let (_dir, database_url) = crate::imported(articles, seed)?;
    // Each query is sent again and again: the answer cache would only measure itself.
    let server = Server::start(&database_url, &[("VISTKA_ANSWER_CACHE_MB", "0")]).await?;
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", server.base);
    let mut results = Vec::new();
    for (name, query, variables) in queries() {
        let mut samples = Samples::default();
        let mut hits = 0;
        for round in 0..requests + requests / 10 {
            let started = Instant::now();
            let answer: Value = client
                .post(&url)
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await?
                .json()
                .await?;
            anyhow::ensure!(answer.get("errors").is_none(), "errors: {answer}");
            if round >= requests / 10 {
                samples.record(started);
            }
            let data = &answer["data"];
            let edges = data["search"]["edges"]
                .as_array()
                .or_else(|| data["feed"]["edges"].as_array())
                .context("edges")?;
            hits = edges.len();
        }
        results.push((name, samples, hits));
    }
    println!(
        "| query ({articles} articles, {requests} requests each) | hits on page | p50 | p99 | p50 ratio |"
    );
    println!("|---|---|---|---|---|");
    let reference = results[0].1.percentile(0.5);
    for (name, samples, hits) in &mut results {
        println!("| {name} | {hits} | {} |", cells(samples, reference));
    }
    println!("server pid {}", server.pid());
    Ok(())
}
