//! vistka: a headless GraphQL content API for news sites.

pub mod app;
pub mod cli;
pub mod config;
pub mod database;
pub mod error;
pub mod graphql;
pub mod store;
pub mod timestamp;
pub mod transfer;
