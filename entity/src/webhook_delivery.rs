use sea_orm::entity::prelude::*;

/// One event for one webhook: written in the transaction of the change it announces, then
/// sent (and retried) by whichever server claims it first.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub article_slug: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub state: State,
    pub attempts: i32,
    pub created_at: i64,
    /// Not sent before this moment: the next retry, or the publication time of a scheduled
    /// article.
    pub due_at: i64,
    /// A server sending it holds it until then; another may take it over afterwards.
    pub leased_until: i64,
    pub delivered_at: Option<i64>,
    /// The receiver's HTTP status on the last attempt.
    pub last_status: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum State {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// Every attempt failed.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Overtaken before it was due: the article changed again, so the event no longer holds.
    #[sea_orm(string_value = "superseded")]
    Superseded,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::webhook::Entity",
        from = "Column::WebhookId",
        to = "super::webhook::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade"
    )]
    Webhook,
}

impl Related<super::webhook::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Webhook.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
