//! Every database query of vistka lives here. Functions take `&impl ConnectionTrait` so that
//! they run alike on a pool or inside an import's transaction.

pub mod article;
pub mod catalog;
pub mod content;
pub mod editing;
pub mod feed;
pub mod keys;
pub mod related;
pub mod search;
pub mod sitemap;
pub mod snapshot;
pub mod sync;
pub mod version;
pub mod webhooks;

/// Rows per multi-row statement: well under the bind-parameter limits of SQLite (32,766) and
/// PostgreSQL (65,535) for the widest table.
pub const CHUNK: usize = 1_000;
