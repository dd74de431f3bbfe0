use clap::Parser;
use vistka::cli::Cli;

/// mimalloc: a server allocating many small, short-lived objects per request spends markedly
/// less time in it than in the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    Cli::parse().run().await
}
