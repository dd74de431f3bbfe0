//! «Читайте також»: the editor's picks, then the articles sharing the most people, topics and
//! countries, from an in-memory index that follows the database.

pub mod index;
mod ranking;
pub mod refresh;

pub use index::{Builder, Feature, RelatedIndex};
pub use refresh::{Refresher, SharedIndex};
