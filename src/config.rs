//! Configuration: every setting is a flag with an environment variable beside it.

use std::net::SocketAddr;

use crate::syndication::template::{self, ArticleUrl};

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

    #[command(flatten)]
    pub pool: PoolConfig,
}

/// How each connection pool behaves.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct PoolConfig {
    /// Most connections a pool keeps open [default: 10 on PostgreSQL; on SQLite twice the
    /// CPU count, at least 4].
    #[arg(long = "db-pool-size", env = "VISTKA_DB_POOL_SIZE")]
    pub size: Option<u32>,

    /// How long to wait, in milliseconds, to connect or to get a pooled connection before
    /// the operation fails.
    #[arg(
        long = "db-connect-timeout-ms",
        env = "VISTKA_DB_CONNECT_TIMEOUT_MS",
        default_value_t = 5_000
    )]
    pub connect_timeout_ms: u64,

    /// Longest one SQL statement may run on PostgreSQL, in milliseconds; 0 for no limit.
    #[arg(
        long = "db-statement-timeout-ms",
        env = "VISTKA_DB_STATEMENT_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub statement_timeout_ms: u64,
}

impl PoolConfig {
    /// The pool size for the database at `url`. An SQLite connection reads on a thread of its
    /// own with a page cache of its own, and no network wait to overlap: past about two a core,
    /// more connections only queue on the same cores and hold more memory.
    pub fn size_for(&self, url: &str) -> u32 {
        self.size.unwrap_or_else(|| {
            if url.starts_with("sqlite:") {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4)
            } else {
                10
            }
        })
    }
}

/// How the HTTP server listens and what it accepts.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeConfig {
    /// Optional read replica: GraphQL reads (and the related-articles index) come from it;
    /// migrations and imports go to `DATABASE_URL`.
    #[arg(long, env = "DATABASE_READ_URL")]
    pub database_read_url: Option<String>,

    /// Address to listen on; port 0 picks a free port (the chosen address is logged).
    #[arg(long, env = "VISTKA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Largest request body accepted, in bytes; larger requests get 413.
    #[arg(long, env = "VISTKA_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// How often, in milliseconds, the server checks whether another process changed the
    /// content, to refresh what it keeps in memory.
    #[arg(long, env = "VISTKA_REFRESH_MS", default_value_t = 250)]
    pub refresh_ms: u64,

    #[command(flatten)]
    pub limits: QueryLimits,

    #[command(flatten)]
    pub http: HttpConfig,

    #[command(flatten)]
    pub site: SiteConfig,

    #[command(flatten)]
    pub webhooks: WebhookConfig,

    #[command(flatten)]
    pub syndication: SyndicationConfig,
}

/// How webhook events are sent.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct WebhookConfig {
    /// How often, in milliseconds, the server looks for deliveries that became due (events of
    /// other servers, retries, scheduled publications); its own writes wake it at once.
    #[arg(
        long = "webhook-poll-ms",
        env = "VISTKA_WEBHOOK_POLL_MS",
        default_value_t = 1_000
    )]
    pub poll_ms: u64,

    /// Wait before the first retry of a failed delivery, in milliseconds; it doubles after
    /// each failure, up to an hour.
    #[arg(
        long = "webhook-retry-ms",
        env = "VISTKA_WEBHOOK_RETRY_MS",
        default_value_t = 5_000
    )]
    pub retry_ms: u64,

    /// Attempts before a delivery is given up as failed.
    #[arg(
        long = "webhook-attempts",
        env = "VISTKA_WEBHOOK_ATTEMPTS",
        default_value_t = 10
    )]
    pub attempts: i32,

    /// Longest a receiver may take to answer, in milliseconds.
    #[arg(
        long = "webhook-timeout-ms",
        env = "VISTKA_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub timeout_ms: u64,
}

/// How the server meets browsers, CDNs and abusive clients.
#[derive(Clone, Debug, clap::Args)]
pub struct HttpConfig {
    /// Origins allowed to call the API from a browser (CORS), comma-separated; `*` for any.
    #[arg(
        long,
        env = "VISTKA_CORS_ORIGINS",
        default_value = "*",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// `max-age` in seconds of the `Cache-Control` header on successful GET reads; 0 makes
    /// caches revalidate every time (they still get 304 when nothing changed).
    #[arg(long, env = "VISTKA_CACHE_MAX_AGE", default_value_t = 10)]
    pub cache_max_age: u32,

    /// Memory, in MiB, for answers to repeated reads, served until the content changes; 0
    /// turns this cache off.
    #[arg(long, env = "VISTKA_ANSWER_CACHE_MB", default_value_t = 32)]
    pub answer_cache_mb: u64,

    /// Longest a request may take, in milliseconds, before it is answered with 503.
    #[arg(long, env = "VISTKA_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,

    /// Requests per second each client IP address may make on average; 0 turns rate limiting
    /// off.
    #[arg(long, env = "VISTKA_RATE_LIMIT_PER_SECOND", default_value_t = 100)]
    pub rate_limit_per_second: u32,

    /// How many requests above the average a client may make in a burst.
    #[arg(long, env = "VISTKA_RATE_LIMIT_BURST", default_value_t = 200)]
    pub rate_limit_burst: u32,

    /// Take the client's address from `X-Forwarded-For` (first entry), for servers behind a
    /// proxy or CDN that sets it; otherwise every client of the proxy would share one limit.
    #[arg(long, env = "VISTKA_TRUST_FORWARDED", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_forwarded: bool,

    /// Answer introspection queries (`__schema`, `__type`). Off also stops "did you mean"
    /// suggestions in error messages.
    #[arg(long, env = "VISTKA_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
}

/// Bounds on what one GraphQL document may ask for, so that a small query cannot make the
/// server do unbounded work.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct QueryLimits {
    /// Deepest selection nesting a query may have.
    #[arg(long, env = "VISTKA_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,

    /// Highest complexity a query may have; page sizes multiply the cost of what they select.
    #[arg(long, env = "VISTKA_MAX_COMPLEXITY", default_value_t = 20_000)]
    pub max_complexity: usize,

    /// Most aliased fields a query may have.
    #[arg(long, env = "VISTKA_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Most fields a query may select, repeats included: validating repeated fields costs
    /// time that grows with the square of their number.
    #[arg(long, env = "VISTKA_MAX_FIELDS", default_value_t = 1_000)]
    pub max_fields: usize,

    /// Deepest nesting of braces, brackets and parentheses a document may have. Checked on the
    /// raw text before parsing, because deep nesting overflows the parser's stack.
    #[arg(long, env = "VISTKA_MAX_NESTING", default_value_t = 48)]
    pub max_nesting: usize,
}

/// How the site presents its content.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct SiteConfig {
    /// IANA time zone in which days are counted: each article's publication date and the
    /// sidebar's day groups.
    #[arg(long, env = "VISTKA_TIME_ZONE", default_value = "Europe/Kyiv")]
    pub time_zone: chrono_tz::Tz,

    #[command(flatten)]
    pub related: RelatedWeights,
}

/// How much each shared person, topic and country adds to the score of a related article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::Args)]
pub struct RelatedWeights {
    /// Score for each person two articles share.
    #[arg(
        long = "related-person-weight",
        env = "VISTKA_RELATED_PERSON_WEIGHT",
        default_value_t = 3
    )]
    pub person: u32,

    /// Score for each topic two articles share.
    #[arg(
        long = "related-topic-weight",
        env = "VISTKA_RELATED_TOPIC_WEIGHT",
        default_value_t = 2
    )]
    pub topic: u32,

    /// Score for each country two articles share.
    #[arg(
        long = "related-country-weight",
        env = "VISTKA_RELATED_COUNTRY_WEIGHT",
        default_value_t = 1
    )]
    pub country: u32,
}

/// What feeds and sitemaps say of the site, and where the frontend shows each article.
#[derive(Clone, Debug, clap::Args)]
pub struct SyndicationConfig {
    /// The site's name: the title of its feeds and the publication named in its news sitemap.
    #[arg(long, env = "VISTKA_SITE_NAME", default_value = "vistka")]
    pub site_name: String,

    /// The site's public URL, without a trailing slash. Feeds and sitemaps name themselves
    /// under it (`/feeds/...`, `/sitemaps/...`), so the site routes those paths here.
    #[arg(long, env = "VISTKA_SITE_URL", default_value = "http://localhost:8080", value_parser = template::site_url)]
    pub site_url: String,

    /// The URL of an article's page: an http(s) URL or a path joined to the site URL, with
    /// `{slug}`, `{section}`, `{date}` (`YYYY/MM/DD` in the site's time zone) and `{id}`.
    #[arg(long, env = "VISTKA_ARTICLE_URL", default_value = "/{section}/{slug}", value_parser = ArticleUrl::parse)]
    pub article_url: ArticleUrl,

    /// The site's language (BCP 47), given in its feeds.
    #[arg(long, env = "VISTKA_SITE_LANGUAGE", default_value = "uk")]
    pub site_language: String,

    /// Articles per feed: the newest ones.
    #[arg(long, env = "VISTKA_FEED_SIZE", default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub feed_size: u16,
}

#[cfg(test)]
mod tests {
    use super::PoolConfig;

    fn pool(size: Option<u32>) -> PoolConfig {
        PoolConfig {
            size,
            connect_timeout_ms: 5_000,
            statement_timeout_ms: 30_000,
        }
    }

    #[test]
    fn the_pool_size_suits_the_backend_unless_set() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        assert_eq!(pool(None).size_for("postgres://localhost/news"), 10);
        assert_eq!(
            pool(None).size_for("sqlite://vistka.db?mode=rwc"),
            (2 * cores).max(4)
        );
        assert_eq!(pool(Some(3)).size_for("sqlite://vistka.db?mode=rwc"), 3);
        assert_eq!(pool(Some(3)).size_for("postgres://localhost/news"), 3);
    }
}
