//! Configuration: every setting is a flag with an environment variable beside it.

use std::net::SocketAddr;

/// Where the content lives.
#[derive(Clone, Debug, clap::Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://FILE?mode=rwc` (embedded, the default) or `postgres://...`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://vistka.db?mode=rwc"
    )]
    pub database_url: String,
}

/// How the HTTP server listens and what it accepts.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port (the chosen address is logged).
    #[arg(long, env = "VISTKA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Largest request body accepted, in bytes; larger requests get 413.
    #[arg(long, env = "VISTKA_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    #[command(flatten)]
    pub limits: QueryLimits,
}

/// Bounds on what one GraphQL document may ask for, so that a small query cannot make the
/// server do unbounded work.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct QueryLimits {
    /// Deepest selection nesting a query may have.
    #[arg(long, env = "VISTKA_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,

    /// Highest complexity a query may have; page sizes multiply the cost of what they select.
    #[arg(long, env = "VISTKA_MAX_COMPLEXITY", default_value_t = 20_000)]
    pub max_complexity: usize,
}
