use std::{
    fs::File,
    io::{self, BufWriter, Write},
    path::PathBuf,
    time::Instant,
};

use anyhow::Context;

use crate::{config::DatabaseConfig, database, transfer::export};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write; standard output when absent.
    file: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseConfig,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = database::connect_and_migrate(&args.database).await?;
    let out: Box<dyn Write> = match &args.file {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let counts = export::export(&db, &mut BufWriter::with_capacity(1 << 20, out)).await?;
    eprintln!(
        "exported {counts} in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
