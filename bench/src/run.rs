//! The benchmark: for each archive size, import it, then drive four reads over HTTP with
//! `oha` next to the floor (the same bytes from a minimal server), with the answer cache on
//! and off, and write one table per size to BENCHMARKS.md.

use std::{
    fmt::Write as _,
    fs::File,
    io::{BufWriter, Write as _},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::Context;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::{
    archive, floor,
    latency::micros,
    load::{self, Load, Target},
    postgres,
    server::{self, Server},
};

#[derive(Debug, clap::Args)]
pub struct Options {
    /// Archive sizes, in articles.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<usize>,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// Measured seconds per query and answer-cache setting, split into rounds, after as long
    /// again warming up (at most 10 s).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seed of the generated archives.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the report.
    #[arg(long, default_value = "BENCHMARKS.md")]
    output: PathBuf,
    /// A PostgreSQL server, as the URL of a database on it whose role may create databases:
    /// each archive is also imported into a new database there, and that import timed.
    #[arg(long)]
    postgres: Option<String>,
}

const FIELDS: &str = "edges { cursor node { slug title lead publishedAt people { slug name } countries { code name } topics { slug name } } } pageInfo { hasNextPage endCursor }";

fn q1() -> String {
    format!("{{ feed(first: 20) {{ {FIELDS} }} }}")
}

fn q2(after: &str) -> String {
    format!("{{ feed(first: 20, after: \"{after}\") {{ {FIELDS} }} }}")
}

/// The page of Q2 asked without a cursor: the articles published before `before`, the moment
/// just after Q2's first article (an article sharing that moment and coming before it in the
/// feed's order would shift the page by one). Beside Q2 it shows what the depth costs apart
/// from what is on the page, which differs from Q1's.
fn q2_as_first(before: &str) -> String {
    format!("{{ feed(first: 20, filter: {{ publishedBefore: \"{before}\" }}) {{ {FIELDS} }} }}")
}

fn q4() -> String {
    format!("{{ feed(first: 20, filter: {{ topic: \"topic-0\" }}) {{ {FIELDS} }} }}")
}

/// A query that reads nothing: what vistka's HTTP and GraphQL layers cost before any content
/// is looked up, the least any query can cost.
const Q0: &str = "{ __typename }";

const Q3_BEFORE: &str = "{ article(slug: \"";
const Q3_AFTER: &str =
    "\") { slug title publishedAt related(first: 5) { slug title publishedAt } } }";

/// How many requests Q3 draws from, each asking for an article drawn uniformly from the whole
/// archive: the load generator takes one at random for every request it sends.
const Q3_REQUESTS: usize = 100_000;

/// Q3 against `server`: [`Q3_REQUESTS`] URLs written to `file`, each asking for an article of the
/// `size` articles, drawn uniformly with `seed`. Drawing the URLs here, not from a pattern
/// the load generator expands, keeps the draw uniform: a pattern's alternatives are drawn
/// uniformly instead, which made one request in two ask for the first article.
fn q3(server: &Server, size: usize, seed: u64, file: &Path) -> anyhow::Result<Target> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = BufWriter::new(File::create(file)?);
    let (before, after) = (encode(Q3_BEFORE), encode(Q3_AFTER));
    for _ in 0..Q3_REQUESTS {
        let article = rng.random_range(0..size);
        writeln!(
            out,
            "{}/graphql?query={before}article-{article}{after}",
            server.base
        )?;
    }
    out.flush()?;
    Ok(Target::Urls {
        file: file.to_owned(),
    })
}

/// Every byte but letters and digits percent-encoded.
fn encode(text: &str) -> String {
    text.bytes().fold(String::new(), |mut out, byte| {
        if byte.is_ascii_alphanumeric() {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
        out
    })
}

fn body(query: &str) -> String {
    json!({ "query": query }).to_string()
}

fn post(server: &Server, query: &str) -> Target {
    Target::Post {
        url: format!("{}/graphql", server.base),
        body: body(query),
    }
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    load::oha()?;
    let mut report = header(&options);
    for &size in &options.sizes {
        eprintln!("== {size} articles");
        report.push_str(&measure_size(&options, size).await?);
        std::fs::write(&options.output, &report)?;
    }
    print!("{report}");
    eprintln!("written to {}", options.output.display());
    Ok(())
}

fn header(options: &Options) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("model name"))?;
            Some(line.split(':').nth(1)?.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or_else(
            || "unknown".into(),
            |kb| format!("{:.0} GiB", kb as f64 / 1048576.0),
        );
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let (postgres_flag, postgres_note) = if options.postgres.is_some() {
        (
            " --postgres postgres://…",
            " Each archive is also imported into a new PostgreSQL database, that import timed \
             too; the reads are SQLite's.",
        )
    } else {
        ("", "")
    };
    format!(
        "# Benchmarks\n\nMachine: {cores} cores ({cpu}), {memory} of memory; {} connections, {} s per query in three rounds, after {} s of warm-up.\n\n\
         Command: `cargo build --release --workspace && cargo run --release -p vistka-bench -- run --sizes {}{}`\n\n\
         Every query runs against `vistka serve` (release build, SQLite) with its answer cache on (the default) and off, \
         and is compared with the floor: a minimal HTTP server sending Q1's exact response bytes, measured just before the query in each of three rounds (last column); each figure is the median of the rounds. \
         Q1: the first feed page of 20 articles with people, countries and topics. Q2: the same page after position {}. \
         Q2′, for reference: Q2's articles as a first page, bounded by their publication time instead of a cursor, to tell the depth's cost from the page's. \
         Q3: one article by slug with `related(first: 5)`, each request an article drawn uniformly from the whole archive. \
         Q4: the first 20 articles of the most popular topic. \
         Q0, for reference: `{{ __typename }}`, which reads nothing: what HTTP and GraphQL cost in vistka before any content is looked up.{}\n",
        options.connections,
        options.seconds,
        options.seconds.min(10),
        options
            .sizes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        postgres_flag,
        "50,000 (or the middle, for smaller archives)",
        postgres_note,
    )
}

async fn measure_size(options: &Options, size: usize) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("archive.ndjson");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("vistka.db").display()
    );
    let started = Instant::now();
    archive::write(
        size,
        options.seed,
        &mut BufWriter::new(File::create(&file)?),
    )?;
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    let (import, import_peak) = server::import(&url, &file)?;
    eprintln!("imported in {:.1} s", import.as_secs_f64());
    let postgres = match &options.postgres {
        Some(admin) => {
            let (took, peak) = postgres::import(admin, &file).await?;
            eprintln!("imported into PostgreSQL in {:.1} s", took.as_secs_f64());
            format!(" Into PostgreSQL: {}.", import_figures(size, took, peak))
        }
        None => String::new(),
    };

    let cached = Server::start(&url, &[]).await?;
    let uncached = Server::start(&url, &[("VISTKA_ANSWER_CACHE_MB", "0")]).await?;
    let client = reqwest::Client::new();
    let after = cursor_at(&client, &cached.base, (size / 2).min(50_000)).await?;
    let before = just_after_next(&client, &cached.base, &after).await?;
    let q1_bytes = client
        .post(format!("{}/graphql", uncached.base))
        .json(&json!({ "query": q1() }))
        .send()
        .await?
        .bytes()
        .await?;
    let floor_url = floor::serve(q1_bytes).await?;
    let q3_on = q3(&cached, size, options.seed, &dir.path().join("q3-on.txt"))?;
    let q3_off = q3(
        &uncached,
        size,
        options.seed,
        &dir.path().join("q3-off.txt"),
    )?;

    let seconds = Duration::from_secs(options.seconds);
    let warm_up = seconds.min(Duration::from_secs(10));
    let round = seconds / ROUNDS;
    let measure = |target: &Target, server: u32, warm_up: Duration| {
        load::run(target, server, options.connections, warm_up, round)
    };
    let floor_target = Target::Post {
        url: floor_url,
        body: body(&q1()),
    };
    let queries: [(&str, Target, Target); 6] = [
        (
            "Q0 empty query, reference",
            post(&cached, Q0),
            post(&uncached, Q0),
        ),
        (
            "Q1 first feed page",
            post(&cached, &q1()),
            post(&uncached, &q1()),
        ),
        (
            "Q2 page after position 50,000",
            post(&cached, &q2(&after)),
            post(&uncached, &q2(&after)),
        ),
        (
            "Q2′ Q2's page without a cursor",
            post(&cached, &q2_as_first(&before)),
            post(&uncached, &q2_as_first(&before)),
        ),
        ("Q3 article with related, random", q3_on, q3_off),
        (
            "Q4 popular topic, first page",
            post(&cached, &q4()),
            post(&uncached, &q4()),
        ),
    ];
    let mut rows = String::new();
    for (name, on, off) in &queries {
        eprintln!("{name}");
        let mut rounds = Vec::new();
        for number in 0..ROUNDS {
            let warm_up = if number == 0 { warm_up } else { Duration::ZERO };
            // The floor serves from this process.
            let floor = measure(&floor_target, std::process::id(), warm_up)?;
            rounds.push(Round {
                floor,
                on: measure(on, cached.pid(), warm_up)?,
                off: measure(off, uncached.pid(), warm_up)?,
            });
        }
        rows.push_str(&row(name, &rounds));
    }
    let rss = |server: &Server| server::peak_memory(server.pid()) as f64 / 1_048_576.0;
    Ok(format!(
        "\n## {size} articles\n\nImport: {}.{postgres} \
         Serve peak RSS after the runs: {:.0} MB (answer cache on), {:.0} MB (off).\n\n\
         | query | bytes | req/s (cache on) | p50 | p99 | × floor | req/s (cache off) | p50 | p99 | × floor | CPU/answer (cache off) | × floor CPU | floor req/s |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n{rows}",
        import_figures(size, import, import_peak),
        rss(&cached),
        rss(&uncached),
    ))
}

/// How long an import of `size` articles took, its rate and its peak memory (`peak` bytes).
pub fn import_figures(size: usize, took: Duration, peak: u64) -> String {
    format!(
        "{:.1} s ({:.0} articles/s), peak RSS {:.0} MB",
        took.as_secs_f64(),
        size as f64 / took.as_secs_f64(),
        peak as f64 / 1_048_576.0
    )
}

/// Rounds each query is measured in, each beside the floor measured just before it. The
/// machine's speed drifts over a run (these machines are shared), so a ratio to a floor of
/// minutes earlier would carry the drift; the median of the rounds' ratios does not.
const ROUNDS: u32 = 3;

/// One round of a query: the floor, then the query with the answer cache on and off.
#[derive(Clone, Copy, Debug)]
struct Round {
    floor: Load,
    on: Load,
    off: Load,
}

/// One row of the table: the median over the rounds of each figure and of each ratio to the
/// round's floor.
fn row(name: &str, rounds: &[Round]) -> String {
    let median = |figure: &dyn Fn(&Round) -> f64| {
        let mut values: Vec<f64> = rounds.iter().map(figure).collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(0.0)
    };
    let time = |figure: &dyn Fn(&Round) -> Duration| {
        micros(Duration::from_secs_f64(median(&|r| {
            figure(r).as_secs_f64()
        })))
    };
    format!(
        "| {name} | {:.0} | {:.0} | {} | {} | {:.2} | {:.0} | {} | {} | {:.2} | {} | {:.0} | {:.0} |\n",
        median(&|r| r.off.bytes_per_response),
        median(&|r| r.on.requests_per_second),
        time(&|r| r.on.p50),
        time(&|r| r.on.p99),
        median(&|r| r.on.requests_per_second / r.floor.requests_per_second),
        median(&|r| r.off.requests_per_second),
        time(&|r| r.off.p50),
        time(&|r| r.off.p99),
        median(&|r| r.off.requests_per_second / r.floor.requests_per_second),
        time(&|r| r.off.cpu_per_response),
        median(&|r| {
            r.off.cpu_per_response.as_secs_f64() / r.floor.cpu_per_response.as_secs_f64()
        }),
        median(&|r| r.floor.requests_per_second),
    )
}

/// The moment just after the publication of the article that follows `after` in the feed: the
/// `publishedBefore` bound that starts a page with it.
async fn just_after_next(
    client: &reqwest::Client,
    base: &str,
    after: &str,
) -> anyhow::Result<String> {
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .json(&json!({
            "query": "query($after: String) { feed(first: 1, after: $after) { nodes { publishedAt } } }",
            "variables": { "after": after },
        }))
        .send()
        .await?
        .json()
        .await?;
    let published = answer["data"]["feed"]["nodes"][0]["publishedAt"]
        .as_str()
        .context("an article after the cursor")?;
    let published = chrono::DateTime::parse_from_rfc3339(published)?;
    Ok((published + chrono::Duration::microseconds(1)).to_rfc3339())
}

/// The cursor after the first `position` articles of the feed, found by walking it.
async fn cursor_at(
    client: &reqwest::Client,
    base: &str,
    position: usize,
) -> anyhow::Result<String> {
    let mut after: Option<String> = None;
    let mut walked = 0;
    while walked < position {
        let step = (position - walked).min(100);
        let answer: Value = client
            .post(format!("{base}/graphql"))
            .json(&json!({
                "query": "query($n: Int, $after: String) { feed(first: $n, after: $after) { pageInfo { endCursor } } }",
                "variables": { "n": step, "after": after },
            }))
            .send()
            .await?
            .json()
            .await?;
        after = Some(
            answer["data"]["feed"]["pageInfo"]["endCursor"]
                .as_str()
                .context("a cursor")?
                .to_owned(),
        );
        walked += step;
    }
    after.context("a position beyond the first article")
}
