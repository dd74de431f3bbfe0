//! The public GraphQL API.

pub mod admin;
pub mod article;
mod catalogue;
pub mod country;
pub mod day;
pub mod editing;
pub mod errors;
pub mod guard;
pub mod live;
pub mod loaders;
pub mod pagination;
pub mod person;
pub mod reader;
pub mod schema;
pub mod search;
pub mod section;
pub mod sync;
pub mod topic;
