use std::{
    fs::File,
    io::{self, IsTerminal, Seek},
    path::{Path, PathBuf},
    time::Instant,
};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use crate::{
    config::{DatabaseConfig, PoolConfig},
    database,
    store::snapshot::{self, Journal},
    transfer::import::{self, ImportError},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The NDJSON file to load, or `-` for standard input.
    file: PathBuf,
    #[command(flatten)]
    database: DatabaseConfig,
}

/// Said when the import has an SQLite file to itself and writes it without the write-ahead log,
/// since other processes cannot open the file until the import is done.
const ALONE: &str = "writing straight into the database file, which nothing else has open: \
                     other processes cannot open it until the import is done";

/// Files smaller than this load too fast for a progress bar to help.
const PROGRESS_FROM_BYTES: u64 = 4 * 1024 * 1024;

pub async fn run(args: Args) -> anyhow::Result<()> {
    // One connection: into an SQLite file nothing else has open, the import then writes its
    // pages once, without the write-ahead log (`store::snapshot::Journal`).
    let alone = DatabaseConfig {
        pool: PoolConfig {
            size: Some(1),
            ..args.database.pool
        },
        ..args.database
    };
    let db = database::connect_and_migrate(&alone).await?;
    load(&db, &args.file).await
}

/// Imports `file` (`-` for standard input), printing every problem or a one-line summary.
pub async fn load(db: &DatabaseConnection, file: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let input = if file.as_os_str() == "-" {
        spooled_stdin()?
    } else {
        File::open(file).with_context(|| format!("cannot open {}", file.display()))?
    };
    let size = input.metadata().ok().map(|m| m.len());
    let progress = progress_bar(size);
    let outcome = match import::read(input, |bytes| progress.inc(bytes)) {
        Ok(parsed) => {
            let journal = snapshot::journal_for_bulk_write(db).await;
            if journal == Journal::Rollback {
                progress.suspend(|| eprintln!("{ALONE}"));
            }
            progress.set_message("writing");
            let written = import::apply(db, parsed).await;
            if let Err(error) = snapshot::resume_wal(db, journal).await {
                progress.suspend(|| {
                    eprintln!("warning: the database file stays out of WAL mode for now: {error}")
                });
            }
            written
        }
        Err(error) => Err(error),
    };
    progress.finish_and_clear();
    match outcome {
        Ok(counts) => {
            eprintln!(
                "imported {counts} in {:.2} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(ImportError::Rejected(problems)) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            anyhow::bail!("{} problem(s) found; nothing was imported", problems.len())
        }
        Err(error) => Err(error.into()),
    }
}

/// Standard input, copied to an unnamed temporary file: an import reads its input twice.
fn spooled_stdin() -> anyhow::Result<File> {
    let mut spool = tempfile::tempfile().context("cannot make a temporary file for the input")?;
    io::copy(&mut io::stdin().lock(), &mut spool).context("cannot copy the input")?;
    spool.rewind()?;
    Ok(spool)
}

fn progress_bar(size: Option<u64>) -> ProgressBar {
    let attended = io::stderr().is_terminal();
    match size {
        Some(size) if attended && size >= PROGRESS_FROM_BYTES => {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template("{msg:8} {wide_bar} {bytes}/{total_bytes} {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message("reading");
            bar
        }
        None if attended => ProgressBar::new_spinner().with_message("reading"),
        _ => ProgressBar::hidden(),
    }
}
