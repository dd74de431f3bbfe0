use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "topic")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::article_topic::Entity")]
    ArticleTopic,
}

impl Related<super::article_topic::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleTopic.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
