//! SeaORM entities for vistka's content model.

pub mod prelude;

pub mod api_key;
pub mod article;
pub mod article_body;
pub mod article_change;
pub mod article_country;
pub mod article_person;
pub mod article_related;
pub mod article_slug;
pub mod article_topic;
pub mod content_version;
pub mod country;
pub mod person;
pub mod section;
pub mod topic;
pub mod webhook;
pub mod webhook_delivery;
