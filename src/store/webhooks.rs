//! Webhooks and their deliveries: an outbox in the database, so an event is queued in the same
//! transaction as its change and survives restarts, and any server may send it.

use entity::{
    webhook,
    webhook_delivery::{self, State},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

pub async fn create(
    db: &impl ConnectionTrait,
    url: &str,
    secret: String,
    now: i64,
) -> Result<webhook::Model, DbErr> {
    webhook::ActiveModel {
        url: Set(url.to_owned()),
        secret: Set(secret),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<webhook::Model>, DbErr> {
    webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await
}

/// Deletes a webhook and its delivery log; false when there is none.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(webhook::Entity::delete_by_id(id)
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// One event to send to one webhook.
#[derive(Clone, Debug)]
pub struct Event {
    pub name: &'static str,
    pub article_slug: String,
    pub payload: String,
    pub due_at: i64,
}

pub async fn enqueue(
    db: &impl ConnectionTrait,
    webhook_id: i64,
    event: &Event,
    now: i64,
) -> Result<(), DbErr> {
    webhook_delivery::ActiveModel {
        webhook_id: Set(webhook_id),
        event: Set(event.name.to_owned()),
        article_slug: Set(event.article_slug.clone()),
        payload: Set(event.payload.clone()),
        state: Set(State::Pending),
        attempts: Set(0),
        created_at: Set(now),
        due_at: Set(event.due_at),
        leased_until: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Takes up to `limit` due deliveries for this server until `lease_until`. A delivery whose
/// lease ran out (its server died while sending) is due again; the conditional update makes
/// sure only one server takes each.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    now: i64,
    lease_until: i64,
    limit: u64,
) -> Result<Vec<(webhook_delivery::Model, webhook::Model)>, DbErr> {
    let due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::State.eq(State::Pending))
        .filter(webhook_delivery::Column::DueAt.lte(now))
        .filter(webhook_delivery::Column::LeasedUntil.lte(now))
        .order_by_asc(webhook_delivery::Column::DueAt)
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(limit)
        .find_also_related(webhook::Entity)
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(due.len());
    for (delivery, hook) in due {
        let Some(hook) = hook else { continue };
        let taken = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::LeasedUntil, lease_until.into())
            .filter(webhook_delivery::Column::Id.eq(delivery.id))
            .filter(webhook_delivery::Column::State.eq(State::Pending))
            .filter(webhook_delivery::Column::LeasedUntil.lte(now))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            claimed.push((delivery, hook));
        }
    }
    Ok(claimed)
}

/// What one attempt came to.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub state: State,
    pub at: i64,
    /// When to try again, if the delivery stays pending.
    pub retry_at: i64,
    pub status: Option<i32>,
    pub error: Option<String>,
}

pub async fn record(db: &impl ConnectionTrait, id: i64, attempt: Attempt) -> Result<(), DbErr> {
    let delivered = (attempt.state == State::Delivered).then_some(attempt.at);
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value(attempt.state))
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::col(webhook_delivery::Column::Attempts).add(1),
        )
        .col_expr(webhook_delivery::Column::DueAt, attempt.retry_at.into())
        .col_expr(webhook_delivery::Column::LeasedUntil, 0i64.into())
        .col_expr(webhook_delivery::Column::DeliveredAt, delivered.into())
        .col_expr(webhook_delivery::Column::LastStatus, attempt.status.into())
        .col_expr(webhook_delivery::Column::LastError, attempt.error.into())
        .filter(webhook_delivery::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a delivery overtaken by later changes, without counting an attempt.
pub async fn supersede(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::State,
            Expr::value(State::Superseded),
        )
        .col_expr(webhook_delivery::Column::LeasedUntil, 0i64.into())
        .filter(webhook_delivery::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A webhook's newest deliveries, newest first.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    webhook_id: i64,
    limit: u64,
) -> Result<Vec<webhook_delivery::Model>, DbErr> {
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
