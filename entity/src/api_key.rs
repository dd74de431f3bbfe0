use sea_orm::entity::prelude::*;

/// A key for writing through the API. Only a hash of its secret is kept: the key itself is
/// shown once, when it is made.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The part of the key that names it, so a key is found without comparing secrets.
    #[sea_orm(unique)]
    pub public_id: String,
    pub name: String,
    pub role: Role,
    /// SHA-256 of the key's secret part.
    pub secret_hash: Vec<u8>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    /// Writes content and sees drafts.
    #[sea_orm(string_value = "editor")]
    Editor,
    /// Everything an editor does, and manages keys and webhooks.
    #[sea_orm(string_value = "admin")]
    Admin,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
