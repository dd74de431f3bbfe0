//! vistka: a headless GraphQL content API for news sites.

pub mod access;
pub mod app;
pub mod body;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod database;
pub mod editing;
pub mod error;
pub mod graphql;
pub mod live;
pub mod related;
pub mod search;
pub mod store;
pub mod syndication;
pub mod timestamp;
pub mod transfer;
pub mod webhooks;
