//! The `vistka` command line: one binary, one subcommand per job.

mod export;
pub(crate) mod import;
mod migrate;
mod schema;
mod serve;

use clap::{Parser, Subcommand};

/// A headless GraphQL content API for news sites.
#[derive(Debug, Parser)]
#[command(name = "vistka", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve GraphQL over HTTP (migrates the database first).
    Serve(Box<serve::Args>),
    /// Bring the database schema up to date.
    Migrate(migrate::Args),
    /// Load an NDJSON content file (`-` for standard input), all or nothing.
    Import(import::Args),
    /// Write all content as sorted, byte-stable NDJSON.
    Export(export::Args),
    /// Print the GraphQL schema (SDL): the public contract kept in `schema.graphql`.
    Schema(schema::Args),
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(args) => serve::run(*args).await,
            Command::Migrate(args) => migrate::run(args).await,
            Command::Import(args) => import::run(args).await,
            Command::Export(args) => export::run(args).await,
            Command::Schema(args) => schema::run(args),
        }
    }
}
