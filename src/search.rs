//! Full-text search over the archive: how text becomes the words that are indexed and asked
//! for, the Ukrainian stemmer, and highlighted snippets.
//!
//! Words are normalized here, in Rust, both when articles are indexed and when a query is
//! read; the databases only index and match the resulting words (see `store::search`). So a
//! query matches exactly the same articles on SQLite and on PostgreSQL, and nothing a reader
//! types ever reaches a backend's query language.

pub mod snippet;
pub mod stem;
pub mod text;
