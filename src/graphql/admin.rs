//! What only admins do: manage API keys and webhooks, and read the webhooks' delivery log.

use async_graphql::{Context, Enum, ErrorExtensions, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use entity::{api_key, webhook, webhook_delivery};

use super::editing::{self as gql, Writes};
use crate::{
    access::{self, Role},
    error::AppError,
    store,
    timestamp::Timestamp,
};

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum ApiKeyRole {
    /// Writes content and previews drafts.
    Editor,
    /// Everything an editor does, and manages keys and webhooks.
    Admin,
}

impl From<ApiKeyRole> for Role {
    fn from(role: ApiKeyRole) -> Self {
        match role {
            ApiKeyRole::Editor => Self::Editor,
            ApiKeyRole::Admin => Self::Admin,
        }
    }
}

impl From<Role> for ApiKeyRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Editor => Self::Editor,
            Role::Admin => Self::Admin,
        }
    }
}

/// An API key, without its secret (which is never stored).
#[derive(Debug)]
pub struct ApiKey(api_key::Model);

#[Object]
impl ApiKey {
    /// The key's public part: what `revokeApiKey` takes.
    async fn id(&self) -> &str {
        &self.0.public_id
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn role(&self) -> ApiKeyRole {
        self.0.role.into()
    }

    async fn created_at(&self) -> DateTime<FixedOffset> {
        moment(self.0.created_at)
    }

    /// When it stopped working, if it did.
    async fn revoked_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.revoked_at.map(moment)
    }
}

/// A new key with its secret, shown this once.
#[derive(Debug, SimpleObject)]
pub struct CreatedApiKey {
    /// Send as `Authorization: Bearer <key>`. It cannot be shown again.
    key: String,
    api_key: ApiKey,
}

/// A URL told about published articles that change.
#[derive(Debug)]
pub struct Webhook(webhook::Model);

#[Object]
impl Webhook {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn url(&self) -> &str {
        &self.0.url
    }

    async fn created_at(&self) -> DateTime<FixedOffset> {
        moment(self.0.created_at)
    }

    /// The newest deliveries first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many (1 to 100).")] first: i32,
    ) -> Result<Vec<WebhookDelivery>> {
        let limit = u64::try_from(first)
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                AppError::invalid(format!("first: must be between 1 and 100, got {first}")).extend()
            })?;
        let db = &ctx.data::<Writes>()?.db;
        Ok(store::webhooks::deliveries(db, self.0.id, limit)
            .await
            .map_err(|e| AppError::from(e).extend())?
            .into_iter()
            .map(WebhookDelivery)
            .collect())
    }
}

/// A new webhook with the secret its deliveries are signed with, shown this once.
#[derive(Debug, SimpleObject)]
pub struct CreatedWebhook {
    /// The HMAC-SHA256 key of the `Vistka-Signature` header.
    secret: String,
    webhook: Webhook,
}

/// One event sent, or to be sent, to a webhook.
#[derive(Debug)]
pub struct WebhookDelivery(webhook_delivery::Model);

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum DeliveryState {
    /// Not sent yet, or to be retried.
    Pending,
    Delivered,
    /// Given up after the last attempt failed.
    Failed,
    /// Not sent: the article changed again before the event was due.
    Superseded,
}

#[Object]
impl WebhookDelivery {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// `article.published`, `article.updated`, `article.unpublished` or `article.deleted`.
    async fn event(&self) -> &str {
        &self.0.event
    }

    async fn article_slug(&self) -> &str {
        &self.0.article_slug
    }

    /// The JSON body sent.
    async fn payload(&self) -> &str {
        &self.0.payload
    }

    async fn state(&self) -> DeliveryState {
        match self.0.state {
            webhook_delivery::State::Pending => DeliveryState::Pending,
            webhook_delivery::State::Delivered => DeliveryState::Delivered,
            webhook_delivery::State::Failed => DeliveryState::Failed,
            webhook_delivery::State::Superseded => DeliveryState::Superseded,
        }
    }

    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    async fn created_at(&self) -> DateTime<FixedOffset> {
        moment(self.0.created_at)
    }

    /// When it is next tried, while pending.
    async fn due_at(&self) -> DateTime<FixedOffset> {
        moment(self.0.due_at)
    }

    async fn delivered_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.delivered_at.map(moment)
    }

    /// The receiver's HTTP status on the last attempt.
    async fn last_status(&self) -> Option<i32> {
        self.0.last_status
    }

    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
}

#[derive(Debug, Default)]
pub struct AdminQuery;

/// Needs a key with the `admin` role.
#[Object]
impl AdminQuery {
    /// Every API key, revoked ones included, oldest first.
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let writes = gql::writes(ctx, Role::Admin)?;
        Ok(store::keys::all(&writes.db)
            .await
            .map_err(|e| AppError::from(e).extend())?
            .into_iter()
            .map(ApiKey)
            .collect())
    }

    /// Every webhook, oldest first.
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<Webhook>> {
        let writes = gql::writes(ctx, Role::Admin)?;
        Ok(store::webhooks::all(&writes.db)
            .await
            .map_err(|e| AppError::from(e).extend())?
            .into_iter()
            .map(Webhook)
            .collect())
    }
}

#[derive(Debug, Default)]
pub struct AdminMutation;

/// Needs a key with the `admin` role.
#[Object]
impl AdminMutation {
    /// Makes an API key; the answer holds its secret, which cannot be shown again.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        name: String,
        role: ApiKeyRole,
    ) -> Result<CreatedApiKey> {
        let writes = gql::writes(ctx, Role::Admin)?;
        if name.trim().is_empty() {
            return Err(AppError::invalid("name: must not be empty").extend());
        }
        let key = access::generate().map_err(|e| AppError::Internal(e.into()).extend())?;
        let stored = store::keys::create(
            &writes.db,
            &name,
            role.into(),
            key.public_id,
            key.secret_hash,
            gql::now(ctx)?.micros,
        )
        .await
        .map_err(|e| AppError::from(e).extend())?;
        Ok(CreatedApiKey {
            key: key.token,
            api_key: ApiKey(stored),
        })
    }

    /// Revokes a key by its id: it stops working at once, on every server.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: String) -> Result<ApiKey> {
        let writes = gql::writes(ctx, Role::Admin)?;
        let db = &writes.db;
        if !store::keys::revoke(db, &id, gql::now(ctx)?.micros)
            .await
            .map_err(|e| AppError::from(e).extend())?
        {
            return Err(AppError::NotFound(format!("id: no key {id:?} in use")).extend());
        }
        store::keys::find_by_public_id(db, &id)
            .await
            .map_err(|e| AppError::from(e).extend())?
            .map(ApiKey)
            .ok_or_else(|| AppError::NotFound(format!("id: no key {id:?}")).extend())
    }

    /// Registers a URL (http or https) to be sent article events; the answer holds the secret
    /// that signs them, which cannot be shown again.
    async fn create_webhook(&self, ctx: &Context<'_>, url: String) -> Result<CreatedWebhook> {
        let writes = gql::writes(ctx, Role::Admin)?;
        match reqwest::Url::parse(&url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {}
            _ => {
                return Err(
                    AppError::invalid(format!("url: {url:?} is not an http or https URL")).extend(),
                );
            }
        }
        let secret = access::secret().map_err(|e| AppError::Internal(e.into()).extend())?;
        let hook = store::webhooks::create(&writes.db, &url, secret.clone(), gql::now(ctx)?.micros)
            .await
            .map_err(|e| AppError::from(e).extend())?;
        Ok(CreatedWebhook {
            secret,
            webhook: Webhook(hook),
        })
    }

    /// Removes a webhook and its delivery log; gives back its id.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let writes = gql::writes(ctx, Role::Admin)?;
        let found = match id.parse::<i64>() {
            Ok(number) => store::webhooks::delete(&writes.db, number)
                .await
                .map_err(|e| AppError::from(e).extend())?,
            Err(_) => false,
        };
        if !found {
            return Err(AppError::NotFound(format!("id: no webhook {:?}", id.0)).extend());
        }
        Ok(id)
    }
}

fn moment(micros: i64) -> DateTime<FixedOffset> {
    Timestamp { micros, offset: 0 }.to_datetime()
}
