use sea_orm::entity::prelude::*;

/// Times are stored as microseconds since the Unix epoch plus the UTC offset (in seconds) they
/// were written with: integers sort the same on every backend, and the offset lets export and
/// the API give back the editor's own wall-clock time. The body is in `article_body`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "article")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub lead: Option<String>,
    pub published_at: i64,
    pub published_offset: i32,
    pub updated_at: Option<i64>,
    pub updated_offset: Option<i32>,
    pub status: Status,
    pub section_id: i64,
    pub language: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "draft")]
    Draft,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::section::Entity",
        from = "Column::SectionId",
        to = "super::section::Column::Id",
        on_update = "Cascade",
        on_delete = "Restrict"
    )]
    Section,
    #[sea_orm(has_one = "super::article_body::Entity")]
    ArticleBody,
    #[sea_orm(has_many = "super::article_person::Entity")]
    ArticlePerson,
    #[sea_orm(has_many = "super::article_country::Entity")]
    ArticleCountry,
    #[sea_orm(has_many = "super::article_topic::Entity")]
    ArticleTopic,
}

impl Related<super::section::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Section.def()
    }
}

impl Related<super::article_body::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleBody.def()
    }
}

impl Related<super::article_person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticlePerson.def()
    }
}

impl Related<super::article_country::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleCountry.def()
    }
}

impl Related<super::article_topic::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleTopic.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
