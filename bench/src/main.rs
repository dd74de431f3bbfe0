//! `vistka-bench`: benchmarks of vistka over real HTTP, each reported beside a reference
//! measured in the same run, because these machines are noisy and ratios travel better than
//! absolute times.

mod archive;
mod floor;
mod latency;
mod load;
mod postgres;
mod run;
mod search;
mod server;

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::PathBuf,
    time::Instant,
};

use anyhow::Context;
use clap::{Parser, Subcommand};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::{
    latency::{Samples, cells},
    server::Server,
};

#[derive(Debug, Parser)]
#[command(name = "vistka-bench", about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes a generated archive to a file, as `run` makes them: to time or profile
    /// `vistka import` on its own.
    Archive {
        /// Articles in the generated archive.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// Seed of the generated archive.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write it.
        output: PathBuf,
    },
    /// Times `vistka import` of a generated archive into a new database: an SQLite file, or a
    /// database on a PostgreSQL server, to compare the backends.
    Import {
        /// Articles in the generated archive.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// Seed of the generated archive.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A PostgreSQL server, as the URL of a database on it whose role may create databases:
        /// the archive is imported into a new database there, dropped afterwards, instead of
        /// into a new SQLite file.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// The benchmark: archives of each size, four reads under load next to the floor, one
    /// table per size written to BENCHMARKS.md.
    Run(run::Options),
    /// One article page with `related(first: 5)`, each request a different article, against
    /// the same page without related articles.
    Related {
        /// Articles in the generated archive.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// Measured requests of each kind, after as many again to warm up.
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
        /// Seed of the generated archive and of the articles asked for.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Keep the imported SQLite database in this file and reuse it when it exists, so that
        /// runs at a million articles do not generate and import it again each time.
        #[arg(long)]
        database: Option<PathBuf>,
    },
    /// Full-text search: a set of realistic queries, one after another, each against the first
    /// feed page measured in the same run.
    Search {
        /// Articles in the generated archive.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// Measured requests of each query, after a tenth as many to warm up.
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// Seed of the generated archive.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

const WITH_RELATED: &str = "query($slug: String!) { article(slug: $slug) { slug title publishedAt related(first: 5) { slug title publishedAt } } }";
const SLUG_ONLY: &str = "query($slug: String!) { article(slug: $slug) { slug } }";
const WITHOUT_RELATED: &str =
    "query($slug: String!) { article(slug: $slug) { slug title publishedAt } }";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Built with the whole workspace, reqwest takes vistka's TLS features, which leave the
    // choice of crypto to the program; it is never used here, but must be made.
    let _ = rustls::crypto::ring::default_provider().install_default();
    match Cli::parse().command {
        Command::Archive {
            articles,
            seed,
            output,
        } => {
            let mut file = BufWriter::new(File::create(&output)?);
            archive::write(articles, seed, &mut file)?;
            Ok(file.flush()?)
        }
        Command::Import {
            articles,
            seed,
            postgres,
        } => import(articles, seed, postgres).await,
        Command::Run(options) => run::run(options).await,
        Command::Related {
            articles,
            requests,
            seed,
            database,
        } => related(articles, requests, seed, database).await,
        Command::Search {
            articles,
            requests,
            seed,
        } => search::run(articles, requests, seed).await,
    }
}

/// A generated archive of `articles` in a new temporary directory (removed when dropped).
fn generated(articles: usize, seed: u64) -> anyhow::Result<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("archive.ndjson");
    archive::write(articles, seed, &mut BufWriter::new(File::create(&file)?))?;
    Ok((dir, file))
}

/// The URL of a new SQLite database file in `dir`.
fn sqlite_in(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("vistka.db").display())
}

/// A generated archive of `articles` imported into a fresh SQLite database; returns the
/// directory holding it (removed when dropped) and the database URL.
fn imported(articles: usize, seed: u64) -> anyhow::Result<(tempfile::TempDir, String)> {
    let (dir, file) = generated(articles, seed)?;
    let database_url = sqlite_in(dir.path());
    let (took, peak) = server::import(&database_url, &file)?;
    eprintln!(
        "imported {articles} articles: {}",
        run::import_figures(articles, took, peak)
    );
    Ok((dir, database_url))
}

/// Times the import of a generated archive of `articles` into a new SQLite file, or into a new
/// database on the PostgreSQL server `postgres` names.
async fn import(articles: usize, seed: u64, postgres: Option<String>) -> anyhow::Result<()> {
    let (dir, file) = generated(articles, seed)?;
    let (backend, (took, peak)) = match postgres {
        Some(admin) => ("postgresql", postgres::import(&admin, &file).await?),
        None => ("sqlite", server::import(&sqlite_in(dir.path()), &file)?),
    };
    println!(
        "{backend}: imported {articles} articles: {}",
        run::import_figures(articles, took, peak)
    );
    Ok(())
}

/// The database `related` runs against: `kept` when it exists, else a new import (into `kept`
/// when given, else into a directory removed when dropped).
fn related_database(
    articles: usize,
    seed: u64,
    kept: Option<PathBuf>,
) -> anyhow::Result<(Option<tempfile::TempDir>, String)> {
    let Some(path) = kept else {
        let (dir, database_url) = imported(articles, seed)?;
        return Ok((Some(dir), database_url));
    };
    let database_url = format!("sqlite://{}?mode=rwc", path.display());
    if path.exists() {
        eprintln!(
            "reusing {} (its archive's size and seed are not checked)",
            path.display()
        );
        return Ok((None, database_url));
    }
    let (_dir, file) = generated(articles, seed)?;
    let (took, _) = server::import(&database_url, &file)?;
    eprintln!(
        "imported {articles} articles in {:.1} s",
        took.as_secs_f64()
    );
    Ok((None, database_url))
}

async fn related(
    articles: usize,
    requests: usize,
    seed: u64,
    database: Option<PathBuf>,
) -> anyhow::Result<()> {
    let (_dir, database_url) = related_database(articles, seed, database)?;
    // Every request asks for a different article: the answer cache could only blur that.
    let server = Server::start(&database_url, &[("VISTKA_ANSWER_CACHE_MB", "0")]).await?;
    let started_peak = server::peak_memory(server.pid());
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", server.base);
    let ask = |query: &'static str, slug: String| {
        client
            .post(&url)
            .json(&json!({ "query": query, "variables": { "slug": slug } }))
            .send()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut with = Samples::default();
    let mut without = Samples::default();
    let mut related_found = 0;
    let mut round = 0;
    while round < requests * 2 {
        // The generated archive runs on past today at large sizes: articles not yet published
        // have no page, so another is drawn. The probe also warms the article's rows for both
        // measured queries alike.
        let slug = archive::article(rng.random_range(0..articles));
        let probe: Value = ask(SLUG_ONLY, slug.clone()).await?.json().await?;
        if probe["data"]["article"].is_null() {
            continue;
        }
        let measured = round >= requests;
        round += 1;
        for (query, samples) in [(WITH_RELATED, &mut with), (WITHOUT_RELATED, &mut without)] {
            let started = Instant::now();
            let answer: Value = ask(query, slug.clone()).await?.json().await?;
            if measured {
                samples.record(started);
            }
            anyhow::ensure!(answer.get("errors").is_none(), "errors: {answer}");
            if query == WITH_RELATED && measured {
                related_found += answer["data"]["article"]["related"]
                    .as_array()
                    .context("related")?
                    .len();
            }
        }
    }
    println!("| query ({articles} articles, {requests} requests each) | p50 | p99 | p50 ratio |");
    println!("|---|---|---|---|");
    let reference = without.percentile(0.5);
    for (name, samples) in [
        ("article page with related(first: 5)", &mut with),
        ("same page without related (reference)", &mut without),
    ] {
        println!("| {name} | {} |", cells(samples, reference));
    }
    println!(
        "related articles per page: {:.2}; server peak RSS {} MB after start-up, {} MB after \
         the requests (now {} MB)",
        related_found as f64 / requests as f64,
        started_peak >> 20,
        server::peak_memory(server.pid()) >> 20,
        resident_memory(server.pid()) >> 20,
    );
    Ok(())
}

/// The resident memory of a process now (`VmRSS`), in bytes; 0 once it is gone.
fn resident_memory(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kilobytes * 1024)
        })
        .unwrap_or(0)
}
