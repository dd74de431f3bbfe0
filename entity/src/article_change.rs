use sea_orm::entity::prelude::*;

/// For every slug an article ever had, the content version that last changed what a reader of
/// that slug sees: its article's fields, lists, the names it shows, its status, or its being
/// renamed or deleted. Delta sync reads it in version order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "article_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub slug: String,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
