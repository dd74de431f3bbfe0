//! Integration tests: the real `vistka` binary, a real database (SQLite, or PostgreSQL when
//! `VISTKA_TEST_DATABASE_URL` names a server), real HTTP on a free loopback port.

mod abuse;
mod archive;
mod cli;
mod cluster;
mod drafts;
mod editing;
mod feed;
mod filters;
mod helpers;
mod http;
mod import;
mod kill;
mod limits;
mod live;
mod page;
mod production;
mod reads;
mod related;
mod schema;
mod search;
mod sync;
mod syndication;
mod webhooks;
